//! Persisting: every exception of the system, hot and cold, in one crash-safe file.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use llmkg_core::NodeId;
use llmkg_exception::{Exception, ExceptionKey};
use llmkg_filefmt::FileFormat;
use llmkg_optimize::StorageOptimizer;

use super::ExceptionSystem;
use crate::error::{Result, SystemError};

/// The format of [`ExceptionSystem::save_exceptions`]: an `llmkg-filefmt` file whose payload
/// is the postcard encoding of `Vec<(NodeId, String, Exception, bool)>`, the flag saying
/// whether the optimizer held the exception.
const FORMAT: FileFormat = FileFormat::new("exception-system snapshot", b"LLMKGSYS", 1);

type Saved = Vec<(NodeId, String, Exception, bool)>;

impl ExceptionSystem {
    /// Writes every exception (the store's and the optimizer's, with their names) to `path`,
    /// atomically: a crash or a concurrent save leaves one complete file.
    ///
    /// # Errors
    ///
    /// [`SystemError::File`] if the file cannot be written (an existing file is kept), or an
    /// optimizer error if a cold exception cannot be read back.
    pub fn save_exceptions(&self, path: impl AsRef<Path>) -> Result<()> {
        let mut saved: Saved = self
            .store
            .snapshot()
            .into_iter()
            .map(|(node, property, exception)| (node, property, exception, false))
            .collect();
        for (node, names) in &self.cold_names {
            for property in names {
                // A copy the store shadows is not live: the store's is saved.
                if self.store.contains(*node, property) {
                    continue;
                }
                if let Some(exception) = self
                    .optimizer
                    .retrieve_exception(&ExceptionKey::new(*node, property))?
                {
                    saved.push((*node, property.clone(), exception, true));
                }
            }
        }
        FORMAT.save(path.as_ref(), &saved)?;
        Ok(())
    }

    /// Replaces every exception with those saved at `path` (hot ones into the store, cold
    /// ones into the optimizer); the hierarchy, detector and learner are kept as they are.
    ///
    /// The file is read and checked completely first: on any error nothing changes.
    ///
    /// # Errors
    ///
    /// [`SystemError::File`] for a missing, truncated, corrupted or foreign file,
    /// [`SystemError::CorruptSnapshot`] for an invalid or repeated record.
    pub fn load_exceptions(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let saved: Saved = FORMAT.load(path)?;
        let corrupt = |reason: String| SystemError::CorruptSnapshot {
            path: path.to_owned(),
            reason,
        };
        let mut seen = HashSet::with_capacity(saved.len());
        let mut optimizer = StorageOptimizer::new(0);
        let mut cold_names: HashMap<NodeId, BTreeSet<String>> = HashMap::new();
        let mut hot = Vec::new();
        for (node, property, exception, cold) in saved {
            if property.is_empty() {
                return Err(corrupt(format!("empty property name on node {node}")));
            }
            exception
                .validate()
                .map_err(|error| corrupt(format!("{property:?} on {node}: {error}")))?;
            let key = ExceptionKey::new(node, &property);
            if !seen.insert(key) {
                return Err(corrupt(format!("{property:?} on {node} appears twice")));
            }
            if cold {
                optimizer
                    .store_exception(key, exception)
                    .map_err(|error| corrupt(format!("{property:?} on {node}: {error}")))?;
                cold_names.entry(node).or_default().insert(property);
            } else {
                hot.push((node, property, exception));
            }
        }
        optimizer.optimize_storage();
        self.store.clear();
        for (node, property, exception) in hot {
            // Validated above (confidence, depth, name), so the store accepts every record.
            self.store.add_exception(node, property, exception)?;
        }
        self.optimizer = optimizer;
        self.cold_names = cold_names;
        Ok(())
    }
}
