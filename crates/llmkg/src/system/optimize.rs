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
                // Two names of one node with the same 64-bit hash cannot share the optimizer's
                // key; the second stays in the store.
                let stored = if self.optimizer.contains_key(&key) {
                    Err(OptimizeError::Internal(format!(
                        "key {key:?} of {property:?} on {node} is already taken"
                    )))
                } else {
                    self.optimizer.store_exception(key, exception)
                };
                match stored {
                    Ok(()) => {
                        self.store.remove_exception(node, &property);
                        self.note_cold(node, property);
                        report.moved += 1;
                    }
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
}
