//! The two tiers of the system's exceptions, behind one type: the hot store and the cold,
//! compact optimizer, with one live copy per (node, property name).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use llmkg_core::NodeId;
use llmkg_exception::{Exception, ExceptionKey, ExceptionParts};
use llmkg_exception_store::{ExceptionStore, StoreError};
use llmkg_optimize::{OptimizeError, StorageOptimizer};

use crate::error::{Result, SystemError};

/// One saved exception: node, property name, record, and whether it was cold.
pub(crate) type SavedException = (NodeId, String, Exception, bool);

/// What [`Tiers::move_cold`] moved.
#[derive(Debug, Default)]
pub(crate) struct Moved {
    pub(crate) moved: usize,
    pub(crate) kept: usize,
    pub(crate) first_refusal: Option<String>,
}

/// The hot tier (the [`ExceptionStore`], shared with the handler and with callers of
/// [`ExceptionSystem::store`](crate::ExceptionSystem::store)) and the cold tier (the
/// [`StorageOptimizer`], keyed by node and 64-bit name hash, with the names kept here).
///
/// It owns the rule *one live copy per key, hot or cold*: every write, removal, move and
/// load goes through it, and every lookup compares names, so two names whose hashes
/// collide never see each other's exception in either tier. A record written to the store
/// behind its back (through the shared store) shadows a cold copy of the same name: the
/// store wins in every lookup, listing and count, and [`move_cold`](Self::move_cold)
/// replaces the cold copy with it.
#[derive(Debug)]
pub(crate) struct Tiers {
    store: Arc<ExceptionStore>,
    optimizer: StorageOptimizer,
    /// The names of the cold exceptions, by node: the optimizer keys by hash only.
    cold_names: HashMap<NodeId, BTreeSet<String>>,
}

impl Tiers {
    /// Empty tiers over a new store.
    pub(crate) fn new() -> Self {
        Tiers {
            store: Arc::new(ExceptionStore::new()),
            optimizer: StorageOptimizer::new(0),
            cold_names: HashMap::new(),
        }
    }

    pub(crate) fn store(&self) -> &Arc<ExceptionStore> {
        &self.store
    }

    pub(crate) fn optimizer(&self) -> &StorageOptimizer {
        &self.optimizer
    }

    /// Whether the optimizer holds `property` on `node` by this very name (a copy the store
    /// may shadow).
    fn is_cold(&self, node: NodeId, property: &str) -> bool {
        // Before any move the map is empty: no hashing on the hot path.
        !self.cold_names.is_empty()
            && self
                .cold_names
                .get(&node)
                .is_some_and(|names| names.contains(property))
    }

    /// The live cold copy of `property` on `node`: held by the optimizer under this name and
    /// not shadowed by the store.
    pub(crate) fn cold(&self, node: NodeId, property: &str) -> Option<Exception> {
        if !self.is_cold(node, property) || self.store.contains(node, property) {
            return None;
        }
        self.optimizer
            .retrieve_exception(&ExceptionKey::new(node, property))
            .ok()
            .flatten()
    }

    /// The live exception of `property` on `node`, hot or cold.
    pub(crate) fn get(&self, node: NodeId, property: &str) -> Option<Exception> {
        self.store
            .get_exception(node, property)
            .or_else(|| self.cold(node, property))
    }

    /// The live cold exceptions of `node`, by name.
    pub(crate) fn cold_exceptions(&self, node: NodeId) -> Vec<(String, Exception)> {
        let mut found = Vec::new();
        for property in self.cold_names.get(&node).into_iter().flatten() {
            if let Some(exception) = self.cold(node, property) {
                found.push((property.clone(), exception));
            }
        }
        found
    }

    /// Every live exception of `node` with its name, sorted by name.
    pub(crate) fn exceptions_for_node(&self, node: NodeId) -> Vec<(String, Exception)> {
        let mut found = self.store.exceptions_for_node(node);
        found.extend(self.cold_exceptions(node));
        found.sort_by(|(left, _), (right, _)| left.cmp(right));
        found
    }

    /// How many live exceptions the tiers hold (a shadowed cold copy counts once).
    pub(crate) fn len(&self) -> usize {
        let shadowed = self
            .cold_names
            .iter()
            .flat_map(|(node, names)| names.iter().map(move |name| (*node, name)))
            .filter(|(node, name)| self.store.contains(*node, name))
            .count();
        self.store.len() + self.optimizer.len() - shadowed
    }

    /// Makes `parts` the one live copy of `parts.property` on `node`, in the store; a cold
    /// copy of that name leaves the optimizer. Returns the copy it replaced, wherever it was.
    /// On an error nothing changes.
    pub(crate) fn put(
        &mut self,
        node: NodeId,
        parts: &ExceptionParts<'_>,
    ) -> Result<Option<Exception>> {
        let property = parts.property;
        parts.validate().map_err(StoreError::from)?;
        if property.is_empty() {
            return Err(StoreError::EmptyPropertyName.into());
        }
        let was_cold = self.take_cold(node, property)?;
        match self.store.add_exception_parts(node, parts) {
            Ok(replaced) => Ok(replaced.or(was_cold)),
            Err(error) => {
                // A full shard: the cold copy goes back where it was.
                if let Some(cold) = was_cold {
                    self.optimizer
                        .store_exception(ExceptionKey::new(node, property), cold)?;
                    self.note_cold(node, property.to_owned());
                }
                Err(error.into())
            }
        }
    }

    /// Replaces the live copy of `property` on `node` in the tier that holds it (the store
    /// when neither does).
    pub(crate) fn replace(
        &mut self,
        node: NodeId,
        property: &str,
        exception: Exception,
    ) -> Result<()> {
        if self.is_cold(node, property) && !self.store.contains(node, property) {
            self.optimizer
                .store_exception(ExceptionKey::new(node, property), exception)?;
        } else {
            self.store
                .add_exception(node, property.to_owned(), exception)?;
        }
        Ok(())
    }

    /// Removes the exception of `property` on `node` from both tiers. On an error (the
    /// optimizer cannot read its copy back) nothing changes.
    pub(crate) fn take(&mut self, node: NodeId, property: &str) -> Result<Option<Exception>> {
        let cold = self.take_cold(node, property)?;
        let hot = self.store.remove_exception(node, property);
        Ok(hot.or(cold))
    }

    /// Removes the optimizer's copy of `property` (this name) on `node`, then the name: a
    /// copy the optimizer fails to remove keeps its name, so it stays visible and is saved.
    fn take_cold(&mut self, node: NodeId, property: &str) -> Result<Option<Exception>> {
        if !self.is_cold(node, property) {
            return Ok(None);
        }
        let removed = self.optimizer.remove(&ExceptionKey::new(node, property))?;
        if let Some(names) = self.cold_names.get_mut(&node) {
            names.remove(property);
            if names.is_empty() {
                self.cold_names.remove(&node);
            }
        }
        Ok(removed)
    }

    fn note_cold(&mut self, node: NodeId, property: String) {
        self.cold_names.entry(node).or_default().insert(property);
    }

    /// Moves the store's exceptions created at or before `cutoff` into the optimizer, one by
    /// one, then packs it. A record the optimizer refuses (or whose name's hash another cold
    /// name of the node holds) stays hot; one rewritten since the scan stays hot too.
    pub(crate) fn move_cold(&mut self, cutoff: Instant) -> Moved {
        let mut cold: Vec<(NodeId, String, Exception)> = Vec::new();
        self.store.for_each(|node, property, exception| {
            if exception.created_at <= cutoff {
                cold.push((node, property.to_owned(), exception.clone()));
            }
        });
        let mut report = Moved::default();
        for (node, property, exception) in cold {
            match self.move_one(node, &property, exception) {
                Ok(true) => {
                    self.note_cold(node, property);
                    report.moved += 1;
                }
                // Rewritten in the store since the scan: the newer write stays hot.
                Ok(false) => {}
                Err(error) => {
                    report.kept += 1;
                    report
                        .first_refusal
                        .get_or_insert_with(|| error.to_string());
                }
            }
        }
        self.optimizer.optimize_storage();
        report
    }

    /// Moves one scanned exception: `Ok(true)` when moved, `Ok(false)` when the store's
    /// record changed since the scan (it stays, the optimizer unchanged). A cold copy of the
    /// same name that the store shadowed is replaced: the store wins.
    fn move_one(
        &mut self,
        node: NodeId,
        property: &str,
        exception: Exception,
    ) -> std::result::Result<bool, OptimizeError> {
        let key = ExceptionKey::new(node, property);
        let shadowed = self.is_cold(node, property);
        // Two names of one node with the same 64-bit hash cannot share the optimizer's key;
        // the second stays in the store.
        if !shadowed && self.optimizer.contains_key(&key) {
            return Err(OptimizeError::Internal(format!(
                "key {key:?} of {property:?} on {node} is already taken"
            )));
        }
        let previous = if shadowed {
            self.optimizer.remove(&key)?
        } else {
            None
        };
        let seen = exception.clone();
        if let Err(error) = self.optimizer.store_exception(key, exception) {
            if let Some(previous) = previous {
                self.optimizer.store_exception(key, previous)?;
            }
            return Err(error);
        }
        // Only the record scanned: a write since (through a shared store) is newer. A NaN
        // value is unequal to itself, so the exact Debug text decides then.
        let unchanged = |now: &Exception| *now == seen || format!("{now:?}") == format!("{seen:?}");
        if self
            .store
            .remove_exception_if(node, property, unchanged)
            .is_some()
        {
            return Ok(true);
        }
        self.optimizer.remove(&key)?;
        if let Some(previous) = previous {
            self.optimizer.store_exception(key, previous)?;
        }
        Ok(false)
    }

    /// Every live exception, hot ones first, each with whether it is cold.
    pub(crate) fn saved(&self) -> Result<Vec<SavedException>> {
        let mut saved: Vec<SavedException> = self
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
        Ok(saved)
    }

    /// Replaces both tiers' content with `saved` (cold records into a new optimizer, hot
    /// ones into the store). Everything is checked first: on an error, which `corrupt`
    /// words, nothing changes. Names, not hashes, must be unique per node; a cold record
    /// whose name's hash another cold name of its node took loads hot.
    pub(crate) fn load(
        &mut self,
        saved: Vec<SavedException>,
        corrupt: impl Fn(String) -> SystemError,
    ) -> Result<()> {
        let mut seen: HashSet<(NodeId, &str)> = HashSet::with_capacity(saved.len());
        for (node, property, exception, _) in &saved {
            if property.is_empty() {
                return Err(corrupt(format!("empty property name on node {node}")));
            }
            exception
                .validate()
                .map_err(|error| corrupt(format!("{property:?} on {node}: {error}")))?;
            if !seen.insert((*node, property.as_str())) {
                return Err(corrupt(format!("{property:?} on {node} appears twice")));
            }
        }
        drop(seen);
        let mut optimizer = StorageOptimizer::new(0);
        let mut cold_names: HashMap<NodeId, BTreeSet<String>> = HashMap::new();
        let mut hot = Vec::new();
        for (node, property, exception, cold) in saved {
            let key = ExceptionKey::new(node, &property);
            if cold && !optimizer.contains_key(&key) {
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

#[cfg(test)]
mod tests;
