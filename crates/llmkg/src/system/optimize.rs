//! Optimizing: moving cold exceptions from the store into the compact storage optimizer.

use std::time::{Duration, Instant};

use super::ExceptionSystem;
use super::tiers::Moved;
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
        let moved = match Instant::now().checked_sub(older_than) {
            Some(cutoff) => self.tiers.move_cold(cutoff),
            None => Moved::default(),
        };
        Ok(OptimizeReport {
            moved: moved.moved,
            kept: moved.kept,
            first_refusal: moved.first_refusal,
            store_heap_bytes: self.tiers.store().statistics().heap_bytes,
            optimizer_heap_bytes: self.tiers.optimizer().heap_bytes(),
        })
    }
}
