//! Persisting: every exception of the system, hot and cold, in one crash-safe file.

use std::path::Path;

use llmkg_filefmt::FileFormat;

use super::ExceptionSystem;
use super::tiers::SavedException;
use crate::error::{Result, SystemError};

/// The format of [`ExceptionSystem::save_exceptions`]: an `llmkg-filefmt` file whose payload
/// is the postcard encoding of `Vec<(NodeId, String, Exception, bool)>`, the flag saying
/// whether the optimizer held the exception.
const FORMAT: FileFormat = FileFormat::new("exception-system snapshot", b"LLMKGSYS", 1);

type Saved = Vec<SavedException>;

impl ExceptionSystem {
    /// Writes every exception (the store's and the optimizer's, with their names) to `path`,
    /// atomically: a crash or a concurrent save leaves one complete file.
    ///
    /// # Errors
    ///
    /// [`SystemError::File`] if the file cannot be written (an existing file is kept), or an
    /// optimizer error if a cold exception cannot be read back.
    pub fn save_exceptions(&self, path: impl AsRef<Path>) -> Result<()> {
        let saved: Saved = self.tiers.saved()?;
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
    /// [`SystemError::CorruptSnapshot`] for an invalid record or a name repeated on a node
    /// (names, not their hashes: two names of a node whose hashes collide both load).
    pub fn load_exceptions(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let saved: Saved = FORMAT.load(path)?;
        self.tiers
            .load(saved, |reason| SystemError::CorruptSnapshot {
                path: path.to_owned(),
                reason,
            })
    }
}
