//! What the optimizer reports: the outcome of an optimization and its current statistics.

use std::time::Duration;

/// The outcome of [`optimize_storage`](crate::StorageOptimizer::optimize_storage) or
/// [`compact_storage`](crate::StorageOptimizer::compact_storage).
///
/// Byte figures are heap bytes computed from the real capacities of every buffer the
/// optimizer owns (and, for the write tail, of its hash table and the strings and lists of
/// the exceptions in it), not estimates per entry.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizationResults {
    /// Heap bytes held before the call.
    pub bytes_before: usize,
    /// Heap bytes held after the call.
    pub bytes_after: usize,
    /// Exceptions held (unchanged by optimizing).
    pub entries: usize,
    /// Exceptions moved from the write tail into the compact columns.
    pub merged_from_tail: usize,
    /// Removed or replaced compact rows that were purged.
    pub purged_rows: usize,
    /// Whether the compact columns were rebuilt; `false` when there was nothing to do.
    pub rebuilt: bool,
    /// How long the call took.
    pub duration: Duration,
    /// `1 - bytes_after / bytes_before`: the fraction of heap bytes saved (0 when nothing
    /// was held before; negative if the call grew memory).
    pub savings_ratio: f64,
}

impl OptimizationResults {
    pub(crate) fn new(
        bytes_before: usize,
        bytes_after: usize,
        entries: usize,
        merged_from_tail: usize,
        purged_rows: usize,
        rebuilt: bool,
        duration: Duration,
    ) -> Self {
        let savings_ratio = if bytes_before == 0 {
            0.0
        } else {
            1.0 - bytes_after as f64 / bytes_before as f64
        };
        OptimizationResults {
            bytes_before,
            bytes_after,
            entries,
            merged_from_tail,
            purged_rows,
            rebuilt,
            duration,
            savings_ratio,
        }
    }
}

/// A picture of what the optimizer holds; see
/// [`statistics`](crate::StorageOptimizer::statistics).
#[derive(Clone, Debug, PartialEq)]
pub struct StorageStatistics {
    /// Exceptions held.
    pub entries: usize,
    /// Live exceptions in the compact columns.
    pub compact_entries: usize,
    /// Exceptions in the write tail, waiting for the next optimization.
    pub tail_entries: usize,
    /// Compact rows removed or replaced but not yet purged.
    pub removed_rows: usize,
    /// Distinct property values in the compact dictionary.
    pub distinct_values: usize,
    /// Distinct reasons in the compact dictionary.
    pub distinct_reasons: usize,
    /// Distinct properties in the compact columns.
    pub distinct_properties: usize,
    /// Distinct confidence values in the compact columns.
    pub distinct_confidences: usize,
    /// Heap bytes of the compact columns and their dictionaries.
    pub compact_heap_bytes: usize,
    /// Heap bytes of the write tail and the removed-row bitmap.
    pub tail_heap_bytes: usize,
    /// All heap bytes held: `compact_heap_bytes + tail_heap_bytes`.
    pub heap_bytes: usize,
    /// `heap_bytes / entries` (0 when empty).
    pub bytes_per_exception: f64,
}
