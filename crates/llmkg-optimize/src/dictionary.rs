//! Interned byte strings: every distinct entry stored once, named by a dense `u32` id.
//!
//! Reasons and encoded property values repeat heavily across exceptions, so the compact
//! columns hold ids and the bytes live here once. The frozen [`Dictionary`] is one byte arena
//! plus packed end offsets; the hash table that deduplicates only exists while a
//! [`DictionaryBuilder`] runs, because nothing is interned into a frozen dictionary.

use hashbrown::HashTable;

use llmkg_core::PropertyValue;

use crate::codec::encode_value;
use crate::packed::{PackedColumn, PackedColumnBuilder};

/// A frozen dictionary: entry `id` is `arena[end(id - 1)..end(id)]`. A `Dictionary<String>`
/// holds text, so its entries read back as `&str` without being checked again.
#[derive(Clone, Debug, Default)]
pub(crate) struct Dictionary<A = Vec<u8>> {
    arena: A,
    ends: PackedColumn,
}

impl<A> Dictionary<A> {
    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where entry `id` lies in the arena, or `None` for an id this dictionary does not have.
    #[inline(always)]
    fn range(&self, id: u32) -> Option<std::ops::Range<usize>> {
        let id = id as usize;
        if id >= self.len() {
            return None;
        }
        let (start, end) = if id == 0 {
            (0, self.ends.get(0))
        } else {
            self.ends.get_pair(id - 1)
        };
        Some(start as usize..end as usize)
    }
}

impl Dictionary {
    /// The bytes of entry `id`, or `None` for an id this dictionary does not have.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> Option<&[u8]> {
        self.arena.get(self.range(id)?)
    }

    /// Heap bytes held, from the buffers' capacities.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.ends.heap_bytes()
    }
}

impl Dictionary<String> {
    /// The text of entry `id`, or `None` for an id this dictionary does not have.
    #[inline(always)]
    pub(crate) fn get(&self, id: u32) -> Option<&str> {
        self.arena.get(self.range(id)?)
    }

    /// Heap bytes held, from the buffers' capacities.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.ends.heap_bytes()
    }
}

/// Interns byte strings into a new [`Dictionary`], assigning ids in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct DictionaryBuilder {
    arena: Vec<u8>,
    ends: Vec<usize>,
    table: HashTable<u32>,
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

impl DictionaryBuilder {
    /// The id of `bytes`, adding it if it is new.
    pub(crate) fn intern(&mut self, bytes: &[u8]) -> u32 {
        let DictionaryBuilder { arena, ends, table } = self;
        let entry = |id: u32| {
            let id = id as usize;
            let start = if id == 0 { 0 } else { ends[id - 1] };
            &arena[start..ends[id]]
        };
        let hash = hash_bytes(bytes);
        if let Some(&id) = table.find(hash, |&id| entry(id) == bytes) {
            return id;
        }
        // The optimizer caps its entries at `MAX_EXCEPTIONS` (2^30 - 1) and each adds at
        // most two values and one reason, so ids fit `u32` (and value ids their 31 bits);
        // saturating only keeps this total.
        let id = u32::try_from(ends.len()).unwrap_or(u32::MAX);
        arena.extend_from_slice(bytes);
        ends.push(arena.len());
        table.insert_unique(hash, id, |&existing| {
            let existing = existing as usize;
            let start = if existing == 0 { 0 } else { ends[existing - 1] };
            hash_bytes(&arena[start..ends[existing]])
        });
        id
    }

    /// Number of entries so far.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The frozen dictionary, its buffers shrunk to their lengths.
    pub(crate) fn finish(self) -> Dictionary {
        let (arena, ends) = self.into_parts();
        Dictionary { arena, ends }
    }

    fn into_parts(self) -> (Vec<u8>, PackedColumn) {
        let mut arena = self.arena;
        arena.shrink_to_fit();
        let mut ends = PackedColumnBuilder::default();
        for end in self.ends {
            ends.push(end as u64);
        }
        (arena, ends.finish())
    }
}

/// Interns text into a new `Dictionary<String>`, assigning ids in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct TextDictionaryBuilder(DictionaryBuilder);

impl TextDictionaryBuilder {
    /// The id of `text`, adding it if it is new.
    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        self.0.intern(text.as_bytes())
    }

    /// The frozen dictionary, its buffers shrunk to their lengths.
    pub(crate) fn finish(self) -> Dictionary<String> {
        let (arena, ends) = self.0.into_parts();
        // Only whole `&str`s were appended, and a concatenation of UTF-8 strings is UTF-8.
        let arena = String::from_utf8(arena).expect("text arena holds only whole strings");
        Dictionary { arena, ends }
    }
}

/// An entry of a [`ValueDictionary`]: a top-level string's text, or any other value in the
/// canonical encoding of the `codec` module.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ValueEntry<'a> {
    /// The text of a `PropertyValue::String`.
    Text(&'a str),
    /// The canonical encoding of any other value.
    Encoded(&'a [u8]),
}

/// Interned property values. Strings, by far the most common values, keep their text in a
/// text arena, so reading one back is a copy, with no decoding and no UTF-8 check; every
/// other value is kept in its canonical encoding. A value id is `index << 1 | kind`, kind 0
/// for text, 1 for encoded, so ids assigned in row order still rise with the rows.
#[derive(Clone, Debug, Default)]
pub(crate) struct ValueDictionary {
    texts: Dictionary<String>,
    encoded: Dictionary,
}

const ENCODED: u32 = 1;

fn value_id(index: u32, kind: u32) -> u32 {
    // `MAX_EXCEPTIONS` keeps `index` below 2^31 (see there); saturating only keeps this total.
    (index.min(u32::MAX >> 1) << 1) | kind
}

impl ValueDictionary {
    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.texts.len() + self.encoded.len()
    }

    /// One more than the largest id this dictionary can hold.
    pub(crate) fn id_bound(&self) -> usize {
        2 * self.texts.len().max(self.encoded.len())
    }

    /// Entry `id`, or `None` for an id this dictionary does not have.
    #[inline(always)]
    pub(crate) fn get(&self, id: u32) -> Option<ValueEntry<'_>> {
        if id & ENCODED == 0 {
            self.texts.get(id >> 1).map(ValueEntry::Text)
        } else {
            self.encoded.get(id >> 1).map(ValueEntry::Encoded)
        }
    }

    /// Heap bytes held, from the buffers' capacities.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.texts.heap_bytes() + self.encoded.heap_bytes()
    }
}

/// Interns property values into a new [`ValueDictionary`].
#[derive(Debug, Default)]
pub(crate) struct ValueDictionaryBuilder {
    texts: TextDictionaryBuilder,
    encoded: DictionaryBuilder,
    scratch: Vec<u8>,
}

impl ValueDictionaryBuilder {
    /// The id of `value`, adding it if it is new.
    pub(crate) fn intern_value(&mut self, value: &PropertyValue) -> u32 {
        if let PropertyValue::String(text) = value {
            return value_id(self.texts.intern(text), 0);
        }
        self.scratch.clear();
        encode_value(value, &mut self.scratch);
        value_id(self.encoded.intern(&self.scratch), ENCODED)
    }

    /// The id of an entry read from another value dictionary, adding it if it is new.
    pub(crate) fn intern_entry(&mut self, entry: ValueEntry<'_>) -> u32 {
        match entry {
            ValueEntry::Text(text) => value_id(self.texts.intern(text), 0),
            ValueEntry::Encoded(bytes) => value_id(self.encoded.intern(bytes), ENCODED),
        }
    }

    /// The frozen dictionary, its buffers shrunk to their lengths.
    pub(crate) fn finish(self) -> ValueDictionary {
        ValueDictionary {
            texts: self.texts.finish(),
            encoded: self.encoded.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_deduplicates_and_keeps_order() {
        let mut builder = DictionaryBuilder::default();
        let words = ["default", "value_1", "", "default", "value_2", ""];
        let ids: Vec<u32> = words.iter().map(|w| builder.intern(w.as_bytes())).collect();
        assert_eq!(ids, [0, 1, 2, 0, 3, 2]);
        assert_eq!(builder.len(), 4);
        let dictionary = builder.finish();
        assert_eq!(dictionary.len(), 4);
        assert_eq!(dictionary.get(0), Some(&b"default"[..]));
        assert_eq!(dictionary.get(2), Some(&b""[..]));
        assert_eq!(dictionary.get(3), Some(&b"value_2"[..]));
        assert_eq!(dictionary.get(4), None);
    }

    #[test]
    fn many_entries_survive_rehashing() {
        let mut builder = DictionaryBuilder::default();
        for round in 0..2 {
            for i in 0..5000_u32 {
                assert_eq!(
                    builder.intern(format!("entry {i}").as_bytes()),
                    i,
                    "round {round}"
                );
            }
        }
        let dictionary = builder.finish();
        assert_eq!(dictionary.get(4321), Some(&b"entry 4321"[..]));
    }

    #[test]
    fn values_keep_text_apart_and_round_trip() {
        let mut builder = ValueDictionaryBuilder::default();
        let values = [
            PropertyValue::from("default"),
            PropertyValue::Boolean(true),
            PropertyValue::from("ünïcode"),
            PropertyValue::from("default"),
            PropertyValue::List(vec![PropertyValue::from("x")]),
            PropertyValue::Boolean(true),
        ];
        let ids: Vec<u32> = values.iter().map(|v| builder.intern_value(v)).collect();
        assert_eq!(ids, [0, 1, 2, 0, 3, 1]);
        let dictionary = builder.finish();
        assert_eq!(dictionary.len(), 4);
        assert_eq!(dictionary.get(0), Some(ValueEntry::Text("default")));
        assert_eq!(dictionary.get(2), Some(ValueEntry::Text("ünïcode")));
        assert!(matches!(dictionary.get(3), Some(ValueEntry::Encoded(_))));
        assert_eq!(dictionary.get(4), None);
        assert_eq!(dictionary.get(5), None);
        let mut copy = ValueDictionaryBuilder::default();
        let order = [3, 2, 0, 1];
        let new_ids: Vec<u32> = order
            .iter()
            .map(|&id| copy.intern_entry(dictionary.get(id).expect("present")))
            .collect();
        assert_eq!(new_ids, [1, 0, 2, 3]);
        let copy = copy.finish();
        for (&id, &new_id) in order.iter().zip(&new_ids) {
            assert_eq!(copy.get(new_id), dictionary.get(id));
        }
    }
}
