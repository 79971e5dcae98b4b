//! The Space-Saving algorithm: the most frequent items of a stream in bounded memory.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;

/// The largest count kept: counts saturate here, and loading refuses larger ones, so no sum
/// or doubling of counts can overflow `u64` (2^62 examples is far beyond any real stream).
pub(crate) const MAX_COUNT: u64 = 1 << 62;

/// One tracked item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct FrequentEntry {
    pub(crate) hash: u64,
    pub(crate) count: u64,
    /// How much of `count` may belong to items this entry replaced.
    pub(crate) overestimate: u64,
    pub(crate) text: String,
}

impl FrequentEntry {
    /// Occurrences certainly of this item.
    pub(crate) fn guaranteed_count(&self) -> u64 {
        self.count - self.overestimate
    }
}

/// Up to `capacity` items (given on each insert) with their counts. Once full, a new item
/// replaces the least frequent one and inherits its count as an overestimate, so every item
/// seen more than `total / capacity` times is kept. Items are told apart by a 64-bit hash.
///
/// The first `INLINE` entries live inside the value, so a pattern's first node type and
/// tokens cost no allocation (a node's new patterns are most of what learning it costs).
/// Saved as the list of entries, whatever `INLINE` is.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct FrequentItems<const INLINE: usize> {
    entries: SmallVec<[FrequentEntry; INLINE]>,
}

/// The saved form of [`FrequentItems`]: a struct of one list, as it was when the field was
/// a `Vec`. Read through `Vec`'s own deserializer, which sizes nothing from the file's
/// count before the entries are there.
#[derive(Deserialize)]
#[serde(rename = "FrequentItems")]
struct SavedItems {
    entries: Vec<FrequentEntry>,
}

impl<const INLINE: usize> Serialize for FrequentItems<INLINE> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut saved = serializer.serialize_struct("FrequentItems", 1)?;
        saved.serialize_field("entries", self.entries.as_slice())?;
        saved.end()
    }
}

impl<'de, const INLINE: usize> Deserialize<'de> for FrequentItems<INLINE> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let saved = SavedItems::deserialize(deserializer)?;
        Ok(FrequentItems {
            entries: SmallVec::from_vec(saved.entries),
        })
    }
}

impl<const INLINE: usize> FrequentItems<INLINE> {
    /// Counts one occurrence of the item `hash` (described by `text`).
    ///
    /// A replaced entry's string buffer is reused, so a full table allocates only when a
    /// text is longer than any it held before.
    pub(crate) fn insert(&mut self, hash: u64, text: &str, capacity: usize) {
        if let Some(entry) = self.entries.iter_mut().find(|entry| entry.hash == hash) {
            entry.count = entry.count.saturating_add(1).min(MAX_COUNT);
            return;
        }
        if self.entries.len() < capacity {
            self.entries.push(FrequentEntry {
                hash,
                count: 1,
                overestimate: 0,
                text: text.to_owned(),
            });
            return;
        }
        if let Some(least) = self.entries.iter_mut().min_by_key(|entry| entry.count) {
            least.hash = hash;
            // At saturation the new item is still guaranteed its one occurrence.
            least.overestimate = least.count.min(MAX_COUNT - 1);
            least.count = least.count.saturating_add(1).min(MAX_COUNT);
            least.text.clear();
            least.text.push_str(text);
        }
    }

    /// How many distinct items are held (at most the capacity).
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn contains(&self, hash: u64) -> bool {
        self.entries.iter().any(|entry| entry.hash == hash)
    }

    /// The item with the most guaranteed occurrences; ties go to the earlier entry.
    pub(crate) fn top(&self) -> Option<&FrequentEntry> {
        self.entries.iter().reduce(|best, entry| {
            if entry.guaranteed_count() > best.guaranteed_count() {
                entry
            } else {
                best
            }
        })
    }

    /// Whether counts are consistent, as loading requires: each count at most
    /// [`MAX_COUNT`] and above its overestimate.
    pub(crate) fn is_consistent(&self) -> bool {
        self.entries
            .iter()
            .all(|entry| entry.overestimate < entry.count && entry.count <= MAX_COUNT)
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        // Inline entries are part of the value, not of the heap.
        let spilled = if self.entries.spilled() {
            self.entries.capacity()
        } else {
            0
        };
        spilled * std::mem::size_of::<FrequentEntry>()
            + self
                .entries
                .iter()
                .map(|entry| entry.text.capacity())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_frequent_item_among_many_rare_ones() {
        let mut items = FrequentItems::<1>::default();
        for round in 0..100_u64 {
            items.insert(7, "frequent", 4);
            items.insert(1000 + round, "rare", 4);
        }
        let top = items.top().map(|entry| (entry.hash, entry.text.as_str()));
        assert_eq!(top, Some((7, "frequent")));
        assert!(
            items
                .top()
                .is_some_and(|entry| entry.guaranteed_count() == 100)
        );
        assert!(items.is_consistent());
    }

    /// Issue 18 finding 8: counts saturate at `MAX_COUNT` instead of overflowing, stay
    /// consistent, and a count past it is refused on load.
    #[test]
    fn counts_saturate_and_stay_consistent() {
        let mut items = FrequentItems::<1>::default();
        items.insert(1, "a", 1);
        items.entries[0].count = MAX_COUNT;
        items.insert(1, "a", 1);
        assert_eq!(items.entries[0].count, MAX_COUNT);
        // A new item replaces the saturated one and is still guaranteed one occurrence.
        items.insert(2, "b", 1);
        assert_eq!(items.entries[0].count, MAX_COUNT);
        assert_eq!(items.top().map(FrequentEntry::guaranteed_count), Some(1));
        assert!(items.is_consistent());
        items.entries[0].count = u64::MAX;
        assert!(!items.is_consistent());
    }

    #[test]
    fn never_exceeds_capacity() {
        let mut items = FrequentItems::<1>::default();
        for hash in 0..50 {
            items.insert(hash, "x", 3);
        }
        assert_eq!(items.entries.len(), 3);
        assert!(items.contains(49));
        assert!(!items.contains(0));
    }
}
