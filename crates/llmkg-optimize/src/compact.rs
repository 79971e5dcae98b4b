//! The compact, immutable part of the optimizer: struct-of-arrays columns sorted by
//! `(property_hash, node_id)`.
//!
//! Rows are grouped by property, so a property's exceptions are one contiguous row range
//! found in the sorted property table, and a key is found among that range's node ids, both
//! by [`find_ascending`] (interpolation bounded by bisection): no hash index is needed. Node ids, dictionary
//! ids, sources, confidence ids and timestamps are [`PackedColumn`]s; values and reasons are
//! [`Dictionary`] ids; confidences are ids into a small table sorted by value, with a
//! posting list per confidence so a confidence range is one contiguous slice of rows.

mod build;

use std::ops::Range;
use std::time::{Duration, Instant};

use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};

pub(crate) use self::build::{RowInput, SharedDictionaries, SharedRow};
use crate::codec::decode_value;
use crate::dictionary::{Dictionary, ValueDictionary, ValueEntry};
use crate::packed::PackedColumn;
use crate::search::find_ascending;
use crate::{OptimizeError, Result};

/// The error for a dictionary id the columns do not have (a bug, never caller input).
#[cold]
fn out_of_range(dictionary: &str, id: u32) -> OptimizeError {
    OptimizeError::Internal(format!("{dictionary} id {id} out of range"))
}

/// The error for a value entry that does not decode (a bug, never caller input).
#[cold]
fn undecodable(id: u32, reason: &str) -> OptimizeError {
    OptimizeError::Internal(format!("value id {id}: {reason}"))
}

/// The compact columns; an empty value holds nothing and allocates nothing.
#[derive(Clone, Debug, Default)]
pub(crate) struct CompactColumns {
    /// Distinct property hashes, ascending.
    property_hashes: Vec<u64>,
    /// `property_starts[p]..property_starts[p + 1]` are property `p`'s rows.
    property_starts: Vec<u32>,
    nodes: PackedColumn,
    inherited_ids: PackedColumn,
    actual_ids: PackedColumn,
    reason_ids: PackedColumn,
    /// [`ExceptionSource::index`] of each row.
    sources: PackedColumn,
    confidence_ids: PackedColumn,
    /// Distinct confidence bit patterns, ascending by value.
    confidence_bits: Vec<u32>,
    /// `confidence_starts[c]..confidence_starts[c + 1]` index `confidence_rows` for confidence `c`.
    confidence_starts: Vec<u32>,
    /// Rows grouped by confidence id, ascending within each group.
    confidence_rows: PackedColumn,
    /// The earliest `created_at`; every row stores its offset from it, exact to the nanosecond.
    base_time: Option<Instant>,
    time_seconds: PackedColumn,
    time_subsec_nanos: PackedColumn,
    values: ValueDictionary,
    reasons: Dictionary<String>,
    /// Sum of the buffers' capacities, computed once when built.
    heap_bytes: usize,
}

impl CompactColumns {
    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Heap bytes held by every buffer.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.heap_bytes
    }

    fn measure_heap_bytes(&self) -> usize {
        self.property_hashes.capacity() * size_of::<u64>()
            + self.property_starts.capacity() * size_of::<u32>()
            + self.nodes.heap_bytes()
            + self.inherited_ids.heap_bytes()
            + self.actual_ids.heap_bytes()
            + self.reason_ids.heap_bytes()
            + self.sources.heap_bytes()
            + self.confidence_ids.heap_bytes()
            + self.confidence_bits.capacity() * size_of::<u32>()
            + self.confidence_starts.capacity() * size_of::<u32>()
            + self.confidence_rows.heap_bytes()
            + self.time_seconds.heap_bytes()
            + self.time_subsec_nanos.heap_bytes()
            + self.values.heap_bytes()
            + self.reasons.heap_bytes()
    }

    /// Distinct values, reasons, properties and confidences.
    pub(crate) fn distinct_counts(&self) -> (usize, usize, usize, usize) {
        (
            self.values.len(),
            self.reasons.len(),
            self.property_hashes.len(),
            self.confidence_bits.len(),
        )
    }

    /// The rows of one property.
    #[inline(always)]
    pub(crate) fn property_rows(&self, property_hash: u64) -> Range<usize> {
        let hashes = &self.property_hashes;
        match find_ascending(0, hashes.len(), property_hash, |index| hashes[index]) {
            Some(property) => {
                self.property_starts[property] as usize..self.property_starts[property + 1] as usize
            }
            None => 0..0,
        }
    }

    /// The row holding `key`, if any.
    #[inline]
    pub(crate) fn find(&self, key: &ExceptionKey) -> Option<usize> {
        let Range { start, end } = self.property_rows(key.property_hash);
        // Node ids ascend strictly within a property's rows.
        find_ascending(start, end, key.node_id.0, |row| self.nodes.get(row))
    }

    /// The key of `row`.
    pub(crate) fn key(&self, row: usize) -> ExceptionKey {
        // `property_starts[0] == 0 <= row`, so the partition point is at least 1.
        let property = self
            .property_starts
            .partition_point(|&start| start as usize <= row)
            .saturating_sub(1);
        ExceptionKey {
            node_id: NodeId(self.nodes.get(row)),
            property_hash: self.property_hashes[property],
        }
    }

    #[inline]
    pub(crate) fn inherited_id(&self, row: usize) -> u32 {
        // Ids were `u32`s when packed.
        self.inherited_ids.get(row) as u32
    }

    #[inline]
    pub(crate) fn actual_id(&self, row: usize) -> u32 {
        self.actual_ids.get(row) as u32
    }

    #[inline]
    pub(crate) fn reason_id(&self, row: usize) -> u32 {
        self.reason_ids.get(row) as u32
    }

    /// One more than the largest value id the columns' dictionary can hold.
    pub(crate) fn value_id_bound(&self) -> usize {
        self.values.id_bound()
    }

    /// Number of distinct reasons.
    pub(crate) fn reason_count(&self) -> usize {
        self.reasons.len()
    }

    #[inline]
    pub(crate) fn value_entry(&self, id: u32) -> Result<ValueEntry<'_>> {
        self.values.get(id).ok_or_else(|| out_of_range("value", id))
    }

    #[inline]
    pub(crate) fn reason_text(&self, id: u32) -> Result<&str> {
        self.reasons
            .get(id)
            .ok_or_else(|| out_of_range("reason", id))
    }

    #[inline]
    pub(crate) fn source(&self, row: usize) -> ExceptionSource {
        // Only `ExceptionSource::index` values are ever packed.
        ExceptionSource::ALL[(self.sources.get(row) as usize).min(3)]
    }

    #[inline]
    pub(crate) fn confidence(&self, row: usize) -> f32 {
        f32::from_bits(self.confidence_bits[self.confidence_ids.get(row) as usize])
    }

    #[inline]
    pub(crate) fn created_at(&self, row: usize) -> Instant {
        // Rows exist only when `base_time` is set.
        let base = self.base_time.unwrap_or_else(Instant::now);
        let offset = Duration::new(
            self.time_seconds.get(row),
            self.time_subsec_nanos.get(row) as u32,
        );
        // Every row's time was `base + offset` when packed, so adding back cannot overflow.
        base.checked_add(offset).unwrap_or(base)
    }

    #[inline(always)]
    fn value(&self, id: u32) -> Result<PropertyValue> {
        match self.value_entry(id)? {
            ValueEntry::Text(text) => Ok(PropertyValue::String(text.to_owned())),
            ValueEntry::Encoded(bytes) => {
                decode_value(bytes).map_err(|reason| undecodable(id, &reason))
            }
        }
    }

    /// The exception stored in `row`.
    #[inline]
    pub(crate) fn exception(&self, row: usize) -> Result<Exception> {
        Ok(Exception {
            inherited_value: self.value(self.inherited_id(row))?,
            actual_value: self.value(self.actual_id(row))?,
            reason: self.reason_text(self.reason_id(row))?.to_owned(),
            source: self.source(row),
            created_at: self.created_at(row),
            confidence: self.confidence(row),
        })
    }

    /// Rows whose confidence lies in `[min, max]`, each group ascending.
    pub(crate) fn rows_with_confidence(
        &self,
        min: f32,
        max: f32,
    ) -> impl Iterator<Item = usize> + '_ {
        let first = self
            .confidence_bits
            .partition_point(|&bits| f32::from_bits(bits) < min);
        let last = self
            .confidence_bits
            .partition_point(|&bits| f32::from_bits(bits) <= max);
        let range = if first < last {
            self.confidence_starts[first] as usize..self.confidence_starts[last] as usize
        } else {
            0..0
        };
        range.map(|position| self.confidence_rows.get(position) as usize)
    }

    /// Rows whose source is `source`, skipping whole blocks that hold one other source.
    pub(crate) fn rows_with_source(&self, source: ExceptionSource) -> Vec<usize> {
        let wanted = source.index() as u64;
        let mut rows = Vec::new();
        for block in 0..self.sources.block_count() {
            let block_rows = block * crate::packed::BLOCK_LEN
                ..((block + 1) * crate::packed::BLOCK_LEN).min(self.len());
            match self.sources.constant_block_value(block) {
                Some(value) if value == wanted => rows.extend(block_rows),
                Some(_) => {}
                None => self.sources.for_each_in(block_rows, |row, value| {
                    if value == wanted {
                        rows.push(row);
                    }
                }),
            }
        }
        rows
    }
}
