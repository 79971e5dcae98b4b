//! Building [`CompactColumns`] from rows that are already in `(property_hash, node_id)` order.
//!
//! Rows come either from the previous compact columns (their dictionary ids are remapped, so
//! their bytes are copied once per distinct entry, not decoded) or from the write tail (their
//! values are encoded and interned). Dictionaries are rebuilt from scratch in row order, which
//! drops entries no live row uses and makes ids rise with the rows, so they pack small.

use std::time::Instant;

use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};

use super::CompactColumns;
use crate::dictionary::{
    Dictionary, TextDictionaryBuilder, ValueDictionary, ValueDictionaryBuilder, ValueEntry,
};
use crate::packed::{PackedColumn, PackedColumnBuilder};

/// Where a row's data comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RowInput<'a> {
    /// Row `n` of the previous compact columns.
    Compact(usize),
    /// An exception from the write tail.
    Tail(&'a Exception),
    /// A row read from a snapshot file, naming entries of the build's [`SharedDictionaries`]:
    /// a value many rows share is interned once, never copied per row.
    Shared(&'a SharedRow),
}

/// A snapshot row: dictionary ids into [`SharedDictionaries`] and the fixed-size fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SharedRow {
    pub(crate) inherited: u32,
    pub(crate) actual: u32,
    pub(crate) reason: u32,
    pub(crate) source: ExceptionSource,
    pub(crate) created_at: Instant,
    pub(crate) confidence: f32,
}

/// The values and reasons of a snapshot file, each distinct one held once.
#[derive(Debug, Default)]
pub(crate) struct SharedDictionaries {
    pub(crate) values: ValueDictionary,
    pub(crate) reasons: Dictionary<String>,
}

const UNMAPPED: u32 = u32::MAX;

/// Maps ids of the previous dictionaries to ids of the new ones, interning on first use.
struct Remapper<'a> {
    previous: &'a CompactColumns,
    value_ids: Vec<u32>,
    reason_ids: Vec<u32>,
    shared: &'a SharedDictionaries,
    shared_value_ids: Vec<u32>,
    shared_reason_ids: Vec<u32>,
    values: ValueDictionaryBuilder,
    reasons: TextDictionaryBuilder,
}

impl Remapper<'_> {
    fn previous_value(&mut self, id: u32) -> u32 {
        let slot = id as usize;
        if self.value_ids[slot] == UNMAPPED {
            // Ids in the previous columns always name an entry of its dictionary.
            let entry = self
                .previous
                .value_entry(id)
                .unwrap_or(ValueEntry::Encoded(&[]));
            self.value_ids[slot] = self.values.intern_entry(entry);
        }
        self.value_ids[slot]
    }

    fn previous_reason(&mut self, id: u32) -> u32 {
        let slot = id as usize;
        if self.reason_ids[slot] == UNMAPPED {
            let text = self.previous.reason_text(id).unwrap_or_default();
            self.reason_ids[slot] = self.reasons.intern(text);
        }
        self.reason_ids[slot]
    }

    fn shared_value(&mut self, id: u32) -> u32 {
        let slot = id as usize;
        if self.shared_value_ids[slot] == UNMAPPED {
            // The loader checked every id against the shared dictionaries.
            let entry = self
                .shared
                .values
                .get(id)
                .unwrap_or(ValueEntry::Encoded(&[]));
            self.shared_value_ids[slot] = self.values.intern_entry(entry);
        }
        self.shared_value_ids[slot]
    }

    fn shared_reason(&mut self, id: u32) -> u32 {
        let slot = id as usize;
        if self.shared_reason_ids[slot] == UNMAPPED {
            let text = self.shared.reasons.get(id).unwrap_or_default();
            self.shared_reason_ids[slot] = self.reasons.intern(text);
        }
        self.shared_reason_ids[slot]
    }
}

impl CompactColumns {
    /// Builds columns from `rows`, which must be sorted by `(property_hash, node_id)` without
    /// duplicate keys; `Compact` rows refer to `previous`, `Shared` rows to `shared`.
    /// Cost: O(rows) plus one copy of each distinct value and reason.
    pub(crate) fn build(
        rows: &[(ExceptionKey, RowInput<'_>)],
        previous: &CompactColumns,
        shared: &SharedDictionaries,
    ) -> Self {
        if rows.is_empty() {
            return CompactColumns::default();
        }
        let created_at = |input: &RowInput<'_>| match input {
            RowInput::Compact(row) => previous.created_at(*row),
            RowInput::Tail(exception) => exception.created_at,
            RowInput::Shared(row) => row.created_at,
        };
        let confidence = |input: &RowInput<'_>| match input {
            RowInput::Compact(row) => previous.confidence(*row),
            RowInput::Tail(exception) => exception.confidence,
            RowInput::Shared(row) => row.confidence,
        };

        // First pass: the time base and the sorted confidence table.
        let mut base_time: Option<Instant> = None;
        let mut confidence_bits: Vec<u32> = Vec::new();
        for (_, input) in rows {
            let time = created_at(input);
            base_time = Some(base_time.map_or(time, |base| base.min(time)));
            confidence_bits.push(confidence(input).to_bits());
        }
        let by_value = |a: &u32, b: &u32| f32::from_bits(*a).total_cmp(&f32::from_bits(*b));
        confidence_bits.sort_unstable_by(by_value);
        confidence_bits.dedup();
        confidence_bits.shrink_to_fit();
        let base = base_time.unwrap_or_else(Instant::now);

        // Second pass: every column.
        let mut remapper = Remapper {
            previous,
            value_ids: vec![UNMAPPED; previous.values.id_bound()],
            reason_ids: vec![UNMAPPED; previous.reasons.len()],
            shared,
            shared_value_ids: vec![UNMAPPED; shared.values.id_bound()],
            shared_reason_ids: vec![UNMAPPED; shared.reasons.len()],
            values: ValueDictionaryBuilder::default(),
            reasons: TextDictionaryBuilder::default(),
        };
        let mut property_hashes = Vec::new();
        let mut property_starts = Vec::new();
        let mut nodes = PackedColumnBuilder::default();
        let mut inherited_ids = PackedColumnBuilder::default();
        let mut actual_ids = PackedColumnBuilder::default();
        let mut reason_ids = PackedColumnBuilder::default();
        let mut sources = PackedColumnBuilder::default();
        let mut confidence_ids = PackedColumnBuilder::default();
        let mut time_seconds = PackedColumnBuilder::default();
        let mut time_subsec_nanos = PackedColumnBuilder::default();
        let mut row_confidences: Vec<u32> = Vec::with_capacity(rows.len());

        for (row, (key, input)) in rows.iter().enumerate() {
            if property_hashes.last() != Some(&key.property_hash) {
                property_hashes.push(key.property_hash);
                // The optimizer caps its rows at `u32::MAX`.
                property_starts.push(row as u32);
            }
            nodes.push(key.node_id.0);
            let (inherited, actual, reason, source) = match input {
                RowInput::Compact(previous_row) => (
                    remapper.previous_value(previous.inherited_id(*previous_row)),
                    remapper.previous_value(previous.actual_id(*previous_row)),
                    remapper.previous_reason(previous.reason_id(*previous_row)),
                    previous.source(*previous_row),
                ),
                RowInput::Tail(exception) => (
                    remapper.values.intern_value(&exception.inherited_value),
                    remapper.values.intern_value(&exception.actual_value),
                    remapper.reasons.intern(&exception.reason),
                    exception.source,
                ),
                RowInput::Shared(row) => (
                    remapper.shared_value(row.inherited),
                    remapper.shared_value(row.actual),
                    remapper.shared_reason(row.reason),
                    row.source,
                ),
            };
            inherited_ids.push(u64::from(inherited));
            actual_ids.push(u64::from(actual));
            reason_ids.push(u64::from(reason));
            sources.push(source.index() as u64);
            let bits = confidence(input).to_bits();
            // Every row's bits were collected into the table above.
            let confidence_id = confidence_bits
                .binary_search_by(|probe| by_value(probe, &bits))
                .unwrap_or(0) as u32;
            confidence_ids.push(u64::from(confidence_id));
            row_confidences.push(confidence_id);
            let offset = created_at(input).saturating_duration_since(base);
            time_seconds.push(offset.as_secs());
            time_subsec_nanos.push(u64::from(offset.subsec_nanos()));
        }
        property_starts.push(rows.len() as u32);
        property_hashes.shrink_to_fit();
        property_starts.shrink_to_fit();

        // Posting lists per confidence, by counting sort so each list stays ascending.
        let mut confidence_starts = vec![0_u32; confidence_bits.len() + 1];
        for &id in &row_confidences {
            confidence_starts[id as usize + 1] += 1;
        }
        for id in 0..confidence_bits.len() {
            confidence_starts[id + 1] += confidence_starts[id];
        }
        let mut cursors = confidence_starts.clone();
        let mut grouped_rows = vec![0_u32; rows.len()];
        for (row, &id) in row_confidences.iter().enumerate() {
            let cursor = &mut cursors[id as usize];
            grouped_rows[*cursor as usize] = row as u32;
            *cursor += 1;
        }

        let mut columns = CompactColumns {
            property_hashes,
            property_starts,
            nodes: nodes.finish(),
            inherited_ids: inherited_ids.finish(),
            actual_ids: actual_ids.finish(),
            reason_ids: reason_ids.finish(),
            sources: sources.finish(),
            confidence_ids: confidence_ids.finish(),
            confidence_bits,
            confidence_starts,
            confidence_rows: PackedColumn::from_values(grouped_rows.into_iter().map(u64::from)),
            base_time,
            time_seconds: time_seconds.finish(),
            time_subsec_nanos: time_subsec_nanos.finish(),
            values: remapper.values.finish(),
            reasons: remapper.reasons.finish(),
            heap_bytes: 0,
        };
        columns.heap_bytes = columns.measure_heap_bytes();
        columns
    }
}
