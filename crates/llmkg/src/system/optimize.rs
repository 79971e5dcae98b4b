//! Optimizing: moving cold exceptions from the store into the compact storage optimizer.

use std::time::{Duration, Instant};

use llmkg_core::NodeId;
use llmkg_exception::{Exception, ExceptionKey};

use super::ExceptionSystem;
use crate::error::Result;

/// What [`ExceptionSystem::optimize`] moved.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizeReport {
    /// Exceptions moved from the store into the optimizer.
    pub moved: usize,
    /// Heap bytes of the store afterwards.
    pub store_heap_bytes: usize,
    /// Heap bytes of the optimizer afterwards.
    pub optimizer_heap_bytes: usize,
}

impl ExceptionSystem {
    /// Moves exceptions older than `older_than` from the store into the compact storage
    /// optimizer. Every lookup through [`get_exception`](Self::get_exception) and
    /// [`explain`](Self::explain) still finds them; the handler's fast path serves the
    /// exceptions left in the store.
    ///
    /// # Errors
    ///
    /// An optimizer error; exceptions are removed from the store only once the optimizer
    /// holds them.
    pub fn optimize(&mut self, older_than: Duration) -> Result<OptimizeReport> {
        let cutoff = Instant::now().checked_sub(older_than);
        // One clone per cold exception: the batch owns it, `moved` keeps only the names.
        let mut batch: Vec<(ExceptionKey, Exception)> = Vec::new();
        let mut moved: Vec<(NodeId, String)> = Vec::new();
        self.store.for_each(|node, property, exception| {
            if cutoff.is_none_or(|cutoff| exception.created_at <= cutoff) {
                batch.push((ExceptionKey::new(node, property), exception.clone()));
                moved.push((node, property.to_owned()));
            }
        });
        self.optimizer.bulk_store(batch)?;
        for (node, property) in &moved {
            self.store.remove_exception(*node, property);
        }
        self.optimizer.optimize_storage();
        Ok(OptimizeReport {
            moved: moved.len(),
            store_heap_bytes: self.store.statistics().heap_bytes,
            optimizer_heap_bytes: self.optimizer.heap_bytes(),
        })
    }
}
