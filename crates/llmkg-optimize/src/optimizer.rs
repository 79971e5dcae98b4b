//! [`StorageOptimizer`]: a write tail in front of compact, immutable, indexed columns.

mod query;

use std::time::Instant;

use hashbrown::HashMap;
use llmkg_exception::{Exception, ExceptionKey};

use crate::codec::check_depth;
use crate::compact::{CompactColumns, RowInput, SharedDictionaries};
use crate::{OptimizationResults, OptimizeError, Result, StorageStatistics};

/// The most exceptions one optimizer holds. Compact row numbers are `u32`s, and each
/// exception adds at most two distinct values, whose dictionary ids keep one bit for the
/// value's kind: at most 2^31 - 2 values under this cap, so every id below 2^31 is exact.
pub const MAX_EXCEPTIONS: usize = (1 << 30) - 1;

/// The most exceptions [`StorageOptimizer::new`] makes room for in advance, whatever
/// capacity it is given (`usize::MAX` used to abort the process).
pub const PREALLOCATED_MAX: usize = 1 << 16;

/// Holds exceptions in a compact, lossless, queryable form.
///
/// Writes go to a small mutable tail (a hash map of plain [`Exception`]s);
/// [`optimize_storage`](StorageOptimizer::optimize_storage) merges the tail into compact
/// struct-of-arrays columns sorted by `(property_hash, node_id)`, with property values and
/// reasons interned in dictionaries and node ids, dictionary ids and timestamps packed per
/// block of 128 rows. Reads look in the tail first, then binary-search the columns.
/// Removing or replacing an exception that sits in the columns marks its row removed until
/// the next optimization purges it.
///
/// Everything read back equals what was stored, field by field: values by their exact bits,
/// `created_at` to the nanosecond.
///
/// ```
/// use std::time::Instant;
/// use llmkg_core::{NodeId, PropertyValue};
/// use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
/// use llmkg_optimize::StorageOptimizer;
///
/// let mut optimizer = StorageOptimizer::new(1000);
/// for i in 0..1000 {
///     let key = ExceptionKey { node_id: NodeId(i), property_hash: i % 10 };
///     let exception = Exception {
///         inherited_value: PropertyValue::Boolean(true),
///         actual_value: PropertyValue::Boolean(false),
///         reason: "Flightless bird".to_string(),
///         source: ExceptionSource::Detected,
///         created_at: Instant::now(),
///         confidence: 0.9,
///     };
///     optimizer.store_exception(key, exception)?;
/// }
/// let results = optimizer.optimize_storage();
/// assert!(results.bytes_after < results.bytes_before / 4);
/// let key = ExceptionKey { node_id: NodeId(7), property_hash: 7 };
/// assert_eq!(optimizer.retrieve_exception(&key)?.unwrap().reason, "Flightless bird");
/// assert_eq!(optimizer.by_property(7)?.len(), 100);
/// # Ok::<(), llmkg_optimize::OptimizeError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct StorageOptimizer {
    compact: CompactColumns,
    /// One bit per compact row, set when the row was removed or replaced; empty when no
    /// row is removed.
    removed: Vec<u64>,
    removed_rows: usize,
    /// Exceptions written since the last optimization. Its keys never name a live compact
    /// row: storing over a compact row marks that row removed.
    tail: HashMap<ExceptionKey, Exception>,
    /// Heap bytes owned by the exceptions in `tail` (their strings and lists).
    tail_value_heap_bytes: usize,
}

/// Checks what the optimizer requires of an exception before it changes anything.
pub(crate) fn validate(exception: &Exception) -> Result<()> {
    // Depth first, so a deep value is reported as `ValueTooDeep` rather than as an invalid
    // record; the bound is the same either way.
    check_depth(&exception.inherited_value)?;
    check_depth(&exception.actual_value)?;
    Ok(exception.validate()?)
}

impl StorageOptimizer {
    /// An empty optimizer whose write tail has room for `capacity` exceptions (at most
    /// [`PREALLOCATED_MAX`] of them: a capacity is a hint, never an allocation that could
    /// abort) before it grows; the tail's memory is released when an optimization merges it.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        StorageOptimizer {
            tail: HashMap::with_capacity(capacity.min(PREALLOCATED_MAX)),
            ..StorageOptimizer::default()
        }
    }

    /// Number of exceptions held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.compact.len() - self.removed_rows + self.tail.len()
    }

    /// Whether no exception is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// An optimizer holding exactly `compact` (what a snapshot load builds).
    pub(crate) fn from_compact(compact: CompactColumns) -> Self {
        StorageOptimizer {
            compact,
            ..StorageOptimizer::default()
        }
    }

    /// The compact columns, the live rows among them and the write tail (what a save writes).
    pub(crate) fn parts(
        &self,
    ) -> (
        &CompactColumns,
        impl Iterator<Item = usize> + '_,
        &HashMap<ExceptionKey, Exception>,
    ) {
        let live = (0..self.compact.len()).filter(|&row| !self.is_removed(row));
        (&self.compact, live, &self.tail)
    }

    fn is_removed(&self, row: usize) -> bool {
        !self.removed.is_empty() && self.removed[row / 64] & (1 << (row % 64)) != 0
    }

    fn mark_removed(&mut self, row: usize) {
        if self.removed.is_empty() {
            self.removed = vec![0; self.compact.len().div_ceil(64)];
        }
        self.removed[row / 64] |= 1 << (row % 64);
        self.removed_rows += 1;
    }

    /// The live compact row of `key`.
    fn live_row(&self, key: &ExceptionKey) -> Option<usize> {
        self.compact.find(key).filter(|&row| !self.is_removed(row))
    }

    /// Stores `exception` under `key`, replacing any exception stored there.
    ///
    /// # Errors
    ///
    /// [`OptimizeError::InvalidException`] for a NaN, infinite or out-of-range confidence,
    /// [`OptimizeError::ValueTooDeep`] for values nesting lists deeper than
    /// [`MAX_VALUE_DEPTH`](crate::MAX_VALUE_DEPTH), [`OptimizeError::CapacityExceeded`] past
    /// [`MAX_EXCEPTIONS`]; nothing is stored then.
    pub fn store_exception(&mut self, key: ExceptionKey, exception: Exception) -> Result<()> {
        validate(&exception)?;
        self.check_capacity(1)?;
        self.insert_validated(key, exception);
        Ok(())
    }

    fn check_capacity(&self, additional: usize) -> Result<()> {
        let requested = self.len().saturating_add(additional);
        if requested > MAX_EXCEPTIONS {
            return Err(OptimizeError::CapacityExceeded {
                requested,
                limit: MAX_EXCEPTIONS,
            });
        }
        Ok(())
    }

    pub(crate) fn insert_validated(&mut self, key: ExceptionKey, exception: Exception) {
        if let Some(row) = self.live_row(&key) {
            self.mark_removed(row);
        }
        self.tail_value_heap_bytes += exception.heap_bytes();
        if let Some(replaced) = self.tail.insert(key, exception) {
            self.tail_value_heap_bytes -= replaced.heap_bytes();
        }
    }

    /// Stores every exception of `batch` (later ones win on equal keys) and returns how many
    /// were stored.
    ///
    /// # Errors
    ///
    /// As [`store_exception`](StorageOptimizer::store_exception); the whole batch is checked
    /// first, so on error nothing is stored.
    pub fn bulk_store(&mut self, batch: Vec<(ExceptionKey, Exception)>) -> Result<usize> {
        for (_, exception) in &batch {
            validate(exception)?;
        }
        self.check_capacity(batch.len())?;
        let stored = batch.len();
        self.tail.reserve(stored);
        for (key, exception) in batch {
            self.insert_validated(key, exception);
        }
        Ok(stored)
    }

    /// The exception stored under `key`, or `Ok(None)`.
    ///
    /// # Errors
    ///
    /// [`OptimizeError::Internal`] only if the optimizer's own encoding is broken (a bug).
    pub fn retrieve_exception(&self, key: &ExceptionKey) -> Result<Option<Exception>> {
        if !self.tail.is_empty()
            && let Some(exception) = self.tail.get(key)
        {
            return Ok(Some(exception.clone()));
        }
        match self.live_row(key) {
            Some(row) => self.compact.exception(row).map(Some),
            None => Ok(None),
        }
    }

    /// The exceptions of `keys`, in the same order, `None` where a key has none.
    ///
    /// # Errors
    ///
    /// As [`retrieve_exception`](StorageOptimizer::retrieve_exception).
    pub fn bulk_retrieve(&self, keys: &[ExceptionKey]) -> Result<Vec<Option<Exception>>> {
        // Sized up front: collecting into a `Result` gives no size hint, and growing a
        // result of this size by doubling copies it several times.
        let mut found = Vec::with_capacity(keys.len());
        if self.tail.is_empty() && self.removed_rows == 0 {
            // Everything is in the columns and every row is live: no tail or removal check
            // per key (about 60 instructions per key of the seed's 1,000).
            for key in keys {
                found.push(match self.compact.find(key) {
                    Some(row) => Some(self.compact.exception(row)?),
                    None => None,
                });
            }
        } else {
            for key in keys {
                found.push(self.retrieve_exception(key)?);
            }
        }
        Ok(found)
    }

    /// Whether an exception is stored under `key`.
    #[must_use]
    pub fn contains_key(&self, key: &ExceptionKey) -> bool {
        self.tail.contains_key(key) || self.live_row(key).is_some()
    }

    /// Removes and returns the exception stored under `key`.
    ///
    /// # Errors
    ///
    /// As [`retrieve_exception`](StorageOptimizer::retrieve_exception); nothing is removed then.
    pub fn remove(&mut self, key: &ExceptionKey) -> Result<Option<Exception>> {
        if let Some(exception) = self.tail.remove(key) {
            self.tail_value_heap_bytes -= exception.heap_bytes();
            return Ok(Some(exception));
        }
        let Some(row) = self.live_row(key) else {
            return Ok(None);
        };
        let exception = self.compact.exception(row)?;
        self.mark_removed(row);
        Ok(Some(exception))
    }

    /// Heap bytes held right now, from the real capacities of every buffer.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.compact.heap_bytes() + self.tail_heap_bytes()
    }

    fn tail_heap_bytes(&self) -> usize {
        self.tail.allocation_size()
            + self.tail_value_heap_bytes
            + self.removed.capacity() * size_of::<u64>()
    }

    /// What the optimizer holds and how much memory it takes.
    #[must_use]
    pub fn statistics(&self) -> StorageStatistics {
        let (distinct_values, distinct_reasons, distinct_properties, distinct_confidences) =
            self.compact.distinct_counts();
        let compact_heap_bytes = self.compact.heap_bytes();
        let tail_heap_bytes = self.tail_heap_bytes();
        let heap_bytes = compact_heap_bytes + tail_heap_bytes;
        let entries = self.len();
        StorageStatistics {
            entries,
            compact_entries: self.compact.len() - self.removed_rows,
            tail_entries: self.tail.len(),
            removed_rows: self.removed_rows,
            distinct_values,
            distinct_reasons,
            distinct_properties,
            distinct_confidences,
            compact_heap_bytes,
            tail_heap_bytes,
            heap_bytes,
            bytes_per_exception: if entries == 0 {
                0.0
            } else {
                heap_bytes as f64 / entries as f64
            },
        }
    }

    /// Merges the write tail into the compact columns and purges removed rows.
    ///
    /// When the tail is empty and no row is removed this returns at once without touching
    /// the columns (O(1)); otherwise it rebuilds them in O(n log n) for the tail's sort plus
    /// O(n) for the merge.
    pub fn optimize_storage(&mut self) -> OptimizationResults {
        let started = Instant::now();
        let bytes_before = self.heap_bytes();
        if self.tail.is_empty() && self.removed_rows == 0 {
            return OptimizationResults::new(
                bytes_before,
                bytes_before,
                self.len(),
                0,
                0,
                false,
                started.elapsed(),
            );
        }
        self.rebuild(started, bytes_before)
    }

    /// Rebuilds the compact columns even when nothing changed, rebuilding the dictionaries
    /// with only the entries live rows use and releasing every spare capacity, including
    /// the write tail's reserved room.
    pub fn compact_storage(&mut self) -> OptimizationResults {
        let started = Instant::now();
        let bytes_before = self.heap_bytes();
        self.rebuild(started, bytes_before)
    }

    fn rebuild(&mut self, started: Instant, bytes_before: usize) -> OptimizationResults {
        let merged_from_tail = self.tail.len();
        let purged_rows = self.removed_rows;
        let order = |key: &ExceptionKey| (key.property_hash, key.node_id);
        let mut tail_rows: Vec<(ExceptionKey, &Exception)> = self
            .tail
            .iter()
            .map(|(key, exception)| (*key, exception))
            .collect();
        tail_rows.sort_unstable_by_key(|(key, _)| order(key));
        let mut rows: Vec<(ExceptionKey, RowInput<'_>)> = Vec::with_capacity(self.len());
        let mut tail_rows = tail_rows.into_iter().peekable();
        // Compact rows are already in `(property_hash, node_id)` order and their keys are
        // disjoint from the tail's, so a two-way merge yields the full order.
        for row in (0..self.compact.len()).filter(|&row| !self.is_removed(row)) {
            let key = self.compact.key(row);
            while let Some((tail_key, exception)) =
                tail_rows.next_if(|(tail_key, _)| order(tail_key) < order(&key))
            {
                rows.push((tail_key, RowInput::Tail(exception)));
            }
            rows.push((key, RowInput::Compact(row)));
        }
        rows.extend(tail_rows.map(|(key, exception)| (key, RowInput::Tail(exception))));
        let compact = CompactColumns::build(&rows, &self.compact, &SharedDictionaries::default());
        drop(rows);
        self.compact = compact;
        self.tail = HashMap::new();
        self.tail_value_heap_bytes = 0;
        self.removed = Vec::new();
        self.removed_rows = 0;
        OptimizationResults::new(
            bytes_before,
            self.heap_bytes(),
            self.len(),
            merged_from_tail,
            purged_rows,
            true,
            started.elapsed(),
        )
    }
}
