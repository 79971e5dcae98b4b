//! Interned byte strings: every distinct entry stored once, named by a dense `u32` id.
//!
//! Reasons and encoded property values repeat heavily across exceptions, so the compact
//! columns hold ids and the bytes live here once. The frozen [`Dictionary`] is one byte arena
//! plus packed end offsets; the hash table that deduplicates only exists while a
//! [`DictionaryBuilder`] runs, because nothing is interned into a frozen dictionary.

use hashbrown::HashTable;

use crate::packed::{PackedColumn, PackedColumnBuilder};

/// A frozen dictionary: entry `id` is `arena[end(id - 1)..end(id)]`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Dictionary {
    arena: Vec<u8>,
    ends: PackedColumn,
}

impl Dictionary {
    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes of entry `id`, or `None` for an id this dictionary does not have.
    pub(crate) fn get(&self, id: u32) -> Option<&[u8]> {
        let id = id as usize;
        if id >= self.len() {
            return None;
        }
        let start = if id == 0 {
            0
        } else {
            self.ends.get(id - 1) as usize
        };
        let end = self.ends.get(id) as usize;
        self.arena.get(start..end)
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
        // The optimizer caps its entries at `u32::MAX - 1` and each adds at most three
        // dictionary entries across two dictionaries, so ids always fit `u32` in practice;
        // saturating keeps this total even for absurd inputs.
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
        let mut arena = self.arena;
        arena.shrink_to_fit();
        let mut ends = PackedColumnBuilder::default();
        for end in self.ends {
            ends.push(end as u64);
        }
        Dictionary {
            arena,
            ends: ends.finish(),
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
}
