//! Optimizing: moving cold exceptions from the store into the compact storage optimizer.

use std::time::{Duration, Instant};

use llmkg_core::NodeId;
use llmkg_exception::{Exception, ExceptionKey};
use llmkg_optimize::OptimizeError;

use super::ExceptionSystem;
use crate::error::Result;

/// What [`ExceptionSystem::optimize`] moved.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizeReport {
    /// Exceptions moved from the store into the optimizer.
    pub moved: usize,
    /// Cold exceptions the optimizer refused, left in the store (still found by every
    /// lookup).
    pub kept: usize,
    /// Why the optimizer refused the first kept exception, if it refused any.
    pub first_refusal: Option<String>,
    /// Heap bytes of the store afterwards.
    pub store_heap_bytes: usize,
    /// Heap bytes of the optimizer afterwards.
    pub optimizer_heap_bytes: usize,
}

impl ExceptionSystem {
    /// Moves exceptions older than `older_than` from the store into the compact storage
    /// optimizer, one by one: a record the optimizer refuses stays in the store and does not
    /// hold back the others. Nothing is lost: [`get_exception`](Self::get_exception),
    /// [`exceptions_for_node`](Self::exceptions_for_node) (names included),
    /// [`explain`](Self::explain), edits and feedback all act on the one live copy wherever
    /// it is; the handler's fast path serves the exceptions left in the store.
    ///
    /// When `older_than` reaches back before the clock's origin (a young process, a platform
    /// whose `Instant` starts at boot), no exception is old enough and nothing moves.
    ///
    /// # Errors
    ///
    /// None today; the `Result` is kept so that a future failure of the whole operation can
    /// be reported without breaking callers.
    pub fn optimize(&mut self, older_than: Duration) -> Result<OptimizeReport> {
        let mut report = OptimizeReport {
            moved: 0,
            kept: 0,
            first_refusal: None,
            store_heap_bytes: 0,
            optimizer_heap_bytes: 0,
        };
        if let Some(cutoff) = Instant::now().checked_sub(older_than) {
            let mut cold: Vec<(NodeId, String, Exception)> = Vec::new();
            self.store.for_each(|node, property, exception| {
                if exception.created_at <= cutoff {
                    cold.push((node, property.to_owned(), exception.clone()));
                }
            });
            for (node, property, exception) in cold {
                let key = ExceptionKey::new(node, &property);
                let stored = self.move_cold(node, &property, key, exception);
                match stored {
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
        }
        report.store_heap_bytes = self.store.statistics().heap_bytes;
        report.optimizer_heap_bytes = self.optimizer.heap_bytes();
        Ok(report)
    }

    /// Moves one scanned exception into the optimizer: `Ok(true)` when moved, `Ok(false)`
    /// when the store's record changed since the scan (it stays, the optimizer unchanged).
    /// A cold copy of the same name that the store shadowed (written through
    /// [`store`](Self::store)) is replaced: the store wins.
    fn move_cold(
        &mut self,
        node: NodeId,
        property: &str,
        key: ExceptionKey,
        exception: Exception,
    ) -> std::result::Result<bool, OptimizeError> {
        let shadowed = self.is_cold(node, property);
        // Two names of one node with the same 64-bit hash cannot share the optimizer's
        // key; the second stays in the store.
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
}
