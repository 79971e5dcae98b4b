//! One shard of the store: records, the (node, property) index, per-node and per-property lists.
//!
//! Every structure here is private to its shard and guarded by the shard's lock, so writers
//! on different shards never touch the same memory: no global index entry, counter or
//! interner is shared between shards.

use std::time::Instant;

use hashbrown::HashTable;
use llmkg_core::PropertyValue;
use llmkg_exception::{Exception, ExceptionSource, property_hash as property_hash_of};

use super::record as codec;
use crate::{ExceptionParts, Result, StoreError};

/// Marks the end of an intrusive list.
pub(crate) const NIL: u32 = u32::MAX;

/// Mixes a 64-bit value into a well-distributed hash (a folded multiply, as in foldhash).
#[inline]
pub(crate) fn mix(value: u64) -> u64 {
    let full = (value as u128)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15_u128 | (0x5851_F42D_4C95_7F2D_u128 << 64));
    (full as u64) ^ ((full >> 64) as u64)
}

/// The index hash of a (node, property hash) pair.
#[inline]
pub(crate) fn key_hash(node: u64, property_hash: u64) -> u64 {
    mix(node.wrapping_mul(0xA076_1D64_78BD_642F) ^ property_hash)
}

/// One stored exception with its links, in compact form: the fixed-size fields here, the
/// values and the reason encoded in the shard's arena (see `codec`). 56 bytes, where the
/// `Exception` itself takes 112 plus three heap blocks.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) node: u64,
    pub(crate) property: u32,
    node_prev: u32,
    node_next: u32,
    property_prev: u32,
    property_next: u32,
    /// Where the payload starts in the shard's arena.
    payload: u32,
    pub(crate) confidence: f32,
    pub(crate) source: ExceptionSource,
    pub(crate) created_at: Instant,
}

/// The largest arena a shard addresses with its 4-byte payload offsets.
const MAX_ARENA_BYTES: usize = u32::MAX as usize;

/// Dead payload bytes below which an arena is never compacted.
const MIN_GARBAGE_TO_COMPACT: usize = 4096;

/// An interned property name of this shard, with the head of its list of records.
#[derive(Debug)]
pub(crate) struct PropertyEntry {
    /// The name; its stable hash is recomputed when needed (on table growth and key
    /// lookups), which keeps an entry at 32 bytes.
    pub(crate) name: String,
    head: u32,
    count: u32,
}

/// The data behind one shard's lock.
#[derive(Debug, Default)]
pub(crate) struct ShardData {
    records: Vec<Option<Record>>,
    free_records: Vec<u32>,
    index: HashTable<u32>,
    properties: Vec<PropertyEntry>,
    free_properties: Vec<u32>,
    property_index: HashTable<u32>,
    /// The first record of each node's list; the node id is read from that record, so an
    /// entry costs 4 bytes instead of 16.
    nodes: HashTable<u32>,
    pub(crate) len: usize,
    pub(crate) by_source: [usize; 4],
    /// Heap bytes of the property names (capacities).
    pub(crate) owned_heap_bytes: usize,
    /// Every record's payload, back to back; replaced and removed ones stay as garbage until
    /// the next compaction.
    arena: Vec<u8>,
    /// Bytes of dead payloads in `arena`.
    garbage: usize,
    /// How often `arena` was compacted.
    pub(crate) compactions: u64,
    /// Where a replaced payload is copied while the new one takes its place, so replacing an
    /// exception allocates nothing (sized on the shard's first insert).
    scratch: Vec<u8>,
    /// Where a [described](llmkg_exception::Reason::Described) reason is written before it is
    /// encoded, reused from one insert to the next.
    reason_scratch: String,
}

/// A property name handed to an insert: the caller's `String`, or a name to copy if new.
pub(crate) enum Name<'a> {
    Owned(String),
    Borrowed(&'a str),
}

impl Name<'_> {
    fn as_str(&self) -> &str {
        match self {
            Name::Owned(name) => name,
            Name::Borrowed(name) => name,
        }
    }

    fn into_string(self) -> String {
        match self {
            Name::Owned(name) => name,
            Name::Borrowed(name) => name.to_owned(),
        }
    }
}

/// What an upsert replaced, besides the payload it left in the scratch buffer.
struct Replaced {
    source: ExceptionSource,
    confidence: f32,
    created_at: Instant,
}

/// The scratch buffer a shard reserves on its first insert.
const SCRATCH_BYTES: usize = 128;

/// Grows a vector by a quarter instead of doubling, so a shard holds at most ~25 % slack.
fn push_with_modest_growth<T>(vec: &mut Vec<T>, value: T) {
    if vec.len() == vec.capacity() {
        vec.reserve_exact(vec.capacity() / 4 + 4);
    }
    vec.push(value);
}

/// Makes room for `additional` more items, growing by at least a quarter (as
/// [`push_with_modest_growth`] does) rather than doubling.
fn reserve_modestly<T>(vec: &mut Vec<T>, additional: usize) {
    if vec.capacity() - vec.len() < additional {
        vec.reserve_exact(additional.max(vec.capacity() / 4 + 4));
    }
}

impl ShardData {
    fn record(&self, idx: u32) -> &Record {
        // Invariant: every index reachable from `index`, `nodes` or a list points at a live slot.
        self.records[idx as usize]
            .as_ref()
            .expect("live record index")
    }

    fn record_mut(&mut self, idx: u32) -> &mut Record {
        self.records[idx as usize]
            .as_mut()
            .expect("live record index")
    }

    /// The slot of (node, property name), if present.
    pub(crate) fn find(&self, node: u64, property_hash: u64, name: &str) -> Option<u32> {
        let records = &self.records;
        let properties = &self.properties;
        self.index
            .find(key_hash(node, property_hash), |&idx| {
                let record = records[idx as usize].as_ref().expect("live record index");
                let property = &properties[record.property as usize];
                record.node == node && property.name == name
            })
            .copied()
    }

    /// The first slot of (node, property hash), whatever the name.
    pub(crate) fn find_by_hash(&self, node: u64, property_hash: u64) -> Option<u32> {
        let records = &self.records;
        let properties = &self.properties;
        self.index
            .find(key_hash(node, property_hash), |&idx| {
                let record = records[idx as usize].as_ref().expect("live record index");
                record.node == node
                    && property_hash_of(&properties[record.property as usize].name) == property_hash
            })
            .copied()
    }

    pub(crate) fn get(&self, idx: u32) -> &Record {
        self.record(idx)
    }

    pub(crate) fn property_name(&self, property: u32) -> &str {
        &self.properties[property as usize].name
    }

    fn payload(&self, record: &Record) -> &[u8] {
        codec::payload_at(&self.arena, record.payload as usize)
    }

    /// The record as an owned `Exception`.
    pub(crate) fn exception(&self, record: &Record) -> Exception {
        let (inherited_value, actual_value, reason) = codec::decode(self.payload(record));
        Exception {
            inherited_value,
            actual_value,
            reason,
            source: record.source,
            created_at: record.created_at,
            confidence: record.confidence,
        }
    }

    /// Only the record's actual value.
    pub(crate) fn actual_value(&self, record: &Record) -> PropertyValue {
        codec::decode_actual(self.payload(record))
    }

    /// Encodes `exception`'s values and reason into the arena; returns the payload's start.
    fn push_payload(&mut self, parts: &ExceptionParts<'_>, reason: &str) -> Result<u32> {
        // A second try after compaction, when the first would pass the 4-byte offsets.
        for attempt in 0..2 {
            if attempt == 1 {
                self.compact();
            }
            let start = codec::push_payload(
                &mut self.arena,
                parts.inherited_value,
                parts.actual_value,
                reason,
            );
            if self.arena.len() <= MAX_ARENA_BYTES {
                // Checked: the arena, and so every offset into it, fits in `u32`.
                return Ok(start as u32);
            }
            self.arena.truncate(start);
        }
        Err(StoreError::ShardFull {
            bytes: MAX_ARENA_BYTES,
        })
    }

    /// Marks a payload dead and compacts the arena once at least half of it is garbage.
    fn release_payload(&mut self, start: u32) {
        self.garbage += codec::payload_at(&self.arena, start as usize).len();
        self.maybe_compact();
    }

    fn maybe_compact(&mut self) {
        if self.garbage >= MIN_GARBAGE_TO_COMPACT && self.garbage * 2 >= self.arena.len() {
            self.compact();
        }
    }

    /// Copies the live payloads into a fresh arena (amortized O(1) per released byte: it runs
    /// only once garbage is at least half of the arena).
    fn compact(&mut self) {
        let live = self.arena.len() - self.garbage;
        let mut fresh = Vec::with_capacity(live + live / 8);
        for record in self.records.iter_mut().flatten() {
            let payload = codec::payload_at(&self.arena, record.payload as usize);
            // `fresh` holds at most the live bytes, which fit where they fit before.
            record.payload = fresh.len() as u32;
            fresh.extend_from_slice(payload);
        }
        self.arena = fresh;
        self.garbage = 0;
        self.compactions += 1;
    }

    /// Inserts or replaces; returns the replaced exception (in `exception`'s own buffers).
    pub(crate) fn upsert(
        &mut self,
        node: u64,
        property_hash: u64,
        name: String,
        mut exception: Exception,
    ) -> Result<Option<Exception>> {
        // The shard keys the record by `name`; the parts' own name is not read.
        let parts = ExceptionParts::of("", &exception);
        let replaced = self.upsert_parts(
            node,
            property_hash,
            Name::Owned(name),
            &parts,
            &exception.reason,
        )?;
        Ok(replaced.map(|old| {
            // The new payload is encoded, so its buffers can take the old values' text.
            codec::decode_into(
                &self.scratch,
                &mut exception.inherited_value,
                &mut exception.actual_value,
                &mut exception.reason,
            );
            exception.source = old.source;
            exception.confidence = old.confidence;
            exception.created_at = old.created_at;
            exception
        }))
    }

    /// [`upsert`](Self::upsert) from borrowed parts, under `parts.property`: the name is
    /// copied only if the shard does not hold it yet, the values and the reason are encoded straight from `parts`.
    /// The replaced exception comes back decoded afresh.
    pub(crate) fn upsert_borrowed(
        &mut self,
        node: u64,
        property_hash: u64,
        parts: &ExceptionParts<'_>,
    ) -> Result<Option<Exception>> {
        let mut buffer = std::mem::take(&mut self.reason_scratch);
        let reason = parts.reason_in(&mut buffer);
        let replaced = self.upsert_parts(
            node,
            property_hash,
            Name::Borrowed(parts.property),
            parts,
            reason,
        );
        self.reason_scratch = buffer;
        let replaced = replaced?;
        Ok(replaced.map(|old| {
            let (inherited_value, actual_value, reason) = codec::decode(&self.scratch);
            Exception {
                inherited_value,
                actual_value,
                reason,
                source: old.source,
                created_at: old.created_at,
                confidence: old.confidence,
            }
        }))
    }

    /// Makes room for `additional` more records (and as many new names) and `payload_bytes`
    /// more arena bytes without regrowing them one insert at a time, by the shard's modest
    /// growth.
    pub(crate) fn reserve(&mut self, additional: usize, payload_bytes: usize) {
        reserve_modestly(&mut self.records, additional);
        reserve_modestly(&mut self.properties, additional);
        reserve_modestly(&mut self.arena, payload_bytes);
        let records = &self.records;
        let properties = &self.properties;
        self.index.reserve(additional, |&other| {
            let record = records[other as usize].as_ref().expect("live record index");
            key_hash(
                record.node,
                property_hash_of(&properties[record.property as usize].name),
            )
        });
        self.property_index.reserve(additional, |&other| {
            mix(property_hash_of(&properties[other as usize].name))
        });
    }

    /// Inserts or replaces; on a replacement, returns the old record's fields and leaves its
    /// payload in `scratch`.
    fn upsert_parts(
        &mut self,
        node: u64,
        property_hash: u64,
        name: Name<'_>,
        parts: &ExceptionParts<'_>,
        reason: &str,
    ) -> Result<Option<Replaced>> {
        if let Some(idx) = self.find(node, property_hash, name.as_str()) {
            let old_start = self.record(idx).payload;
            let old = codec::payload_at(&self.arena, old_start as usize);
            let old_len = old.len();
            self.scratch.clear();
            self.scratch.extend_from_slice(old);
            let new_len = codec::payload_len(parts.inherited_value, parts.actual_value, reason);
            let payload = if new_len <= old_len {
                // In place: the old slot's tail, if any, becomes garbage.
                codec::write_payload_at(
                    &mut self.arena[old_start as usize..old_start as usize + new_len],
                    parts.inherited_value,
                    parts.actual_value,
                    reason,
                );
                self.garbage += old_len - new_len;
                old_start
            } else {
                let payload = self.push_payload(parts, reason)?;
                self.garbage += old_len;
                payload
            };
            let record = self.records[idx as usize]
                .as_mut()
                .expect("live record index");
            record.payload = payload;
            let replaced = Replaced {
                source: std::mem::replace(&mut record.source, parts.source),
                confidence: std::mem::replace(&mut record.confidence, parts.confidence),
                created_at: std::mem::replace(&mut record.created_at, parts.created_at),
            };
            self.by_source[replaced.source.index()] -= 1;
            self.by_source[parts.source.index()] += 1;
            self.maybe_compact();
            return Ok(Some(replaced));
        }
        if self.scratch.capacity() == 0 {
            self.scratch.reserve_exact(SCRATCH_BYTES);
        }
        let payload = self.push_payload(parts, reason)?;
        let property = self.intern(property_hash, name);
        self.by_source[parts.source.index()] += 1;
        let record = Record {
            node,
            property,
            node_prev: NIL,
            node_next: NIL,
            property_prev: NIL,
            property_next: NIL,
            payload,
            confidence: parts.confidence,
            source: parts.source,
            created_at: parts.created_at,
        };
        let idx = match self.free_records.pop() {
            Some(idx) => {
                self.records[idx as usize] = Some(record);
                idx
            }
            None => {
                let idx = u32::try_from(self.records.len()).expect(
                    "a shard never holds 2^32 records: that is 4 billion exceptions in one shard",
                );
                push_with_modest_growth(&mut self.records, Some(record));
                idx
            }
        };
        self.link(idx);
        let records = &self.records;
        let properties = &self.properties;
        self.index
            .insert_unique(key_hash(node, property_hash), idx, |&other| {
                let record = records[other as usize].as_ref().expect("live record index");
                key_hash(
                    record.node,
                    property_hash_of(&properties[record.property as usize].name),
                )
            });
        self.len += 1;
        Ok(None)
    }

    /// Removes (node, property name); returns the removed exception.
    pub(crate) fn remove(
        &mut self,
        node: u64,
        property_hash: u64,
        name: &str,
    ) -> Option<Exception> {
        let idx = self.find(node, property_hash, name)?;
        self.remove_at(idx, property_hash, true)
    }

    /// Removes every record of a node; returns how many.
    pub(crate) fn remove_node(&mut self, node: u64) -> usize {
        let mut removed = 0;
        while let Some(&head) = self
            .nodes
            .find(mix(node), |&head| self.record(head).node == node)
        {
            let property_hash = property_hash_of(self.property_name(self.record(head).property));
            self.remove_at(head, property_hash, false);
            removed += 1;
        }
        removed
    }

    /// Removes the live record at `idx`, whose property name hashes to `property_hash`;
    /// returns it decoded if `decode`.
    fn remove_at(&mut self, idx: u32, property_hash: u64, decode: bool) -> Option<Exception> {
        let node = self.record(idx).node;
        if let Ok(entry) = self
            .index
            .find_entry(key_hash(node, property_hash), |&other| other == idx)
        {
            entry.remove();
        }
        self.unlink(idx);
        let record = self.records[idx as usize]
            .take()
            .expect("live record index");
        self.free_records.push(idx);
        self.len -= 1;
        self.by_source[record.source.index()] -= 1;
        let exception = decode.then(|| self.exception(&record));
        self.release_property(record.property);
        self.release_payload(record.payload);
        exception
    }

    /// The property slot of a name, interning it if new (keeping an owned name, copying a
    /// borrowed one).
    fn intern(&mut self, property_hash: u64, name: Name<'_>) -> u32 {
        let properties = &self.properties;
        if let Some(&existing) = self.property_index.find(mix(property_hash), |&idx| {
            let entry = &properties[idx as usize];
            entry.name == name.as_str()
        }) {
            return existing;
        }
        let name = name.into_string();
        self.owned_heap_bytes += name.capacity();
        let entry = PropertyEntry {
            name,
            head: NIL,
            count: 0,
        };
        let idx = match self.free_properties.pop() {
            Some(idx) => {
                self.properties[idx as usize] = entry;
                idx
            }
            None => {
                let idx = u32::try_from(self.properties.len())
                    .expect("a shard never interns 2^32 property names");
                push_with_modest_growth(&mut self.properties, entry);
                idx
            }
        };
        let properties = &self.properties;
        self.property_index
            .insert_unique(mix(property_hash), idx, |&other| {
                mix(property_hash_of(&properties[other as usize].name))
            });
        idx
    }

    /// Forgets a property name once no record uses it, so churn over many names does not leak.
    fn release_property(&mut self, property: u32) {
        let entry = &self.properties[property as usize];
        if entry.count > 0 {
            return;
        }
        let hash = property_hash_of(&entry.name);
        if let Ok(found) = self
            .property_index
            .find_entry(mix(hash), |&idx| idx == property)
        {
            found.remove();
        }
        let entry = &mut self.properties[property as usize];
        self.owned_heap_bytes -= entry.name.capacity();
        entry.name = String::new();
        self.free_properties.push(property);
    }

    fn link(&mut self, idx: u32) {
        let (node, property) = {
            let record = self.record(idx);
            (record.node, record.property)
        };
        // Per-node list: push front.
        let node_hash = mix(node);
        let records = &self.records;
        let node_of = |head: u32| {
            records[head as usize]
                .as_ref()
                .expect("live record index")
                .node
        };
        let old_head = match self
            .nodes
            .find_mut(node_hash, |&head| node_of(head) == node)
        {
            Some(head) => std::mem::replace(head, idx),
            None => {
                self.nodes
                    .insert_unique(node_hash, idx, |&head| mix(node_of(head)));
                NIL
            }
        };
        self.record_mut(idx).node_next = old_head;
        if old_head != NIL {
            self.record_mut(old_head).node_prev = idx;
        }
        // Per-property list: push front.
        let entry = &mut self.properties[property as usize];
        let old_head = std::mem::replace(&mut entry.head, idx);
        entry.count += 1;
        self.record_mut(idx).property_next = old_head;
        if old_head != NIL {
            self.record_mut(old_head).property_prev = idx;
        }
    }

    fn unlink(&mut self, idx: u32) {
        let (node, property, node_prev, node_next, property_prev, property_next) = {
            let r = self.record(idx);
            (
                r.node,
                r.property,
                r.node_prev,
                r.node_next,
                r.property_prev,
                r.property_next,
            )
        };
        if node_prev != NIL {
            self.record_mut(node_prev).node_next = node_next;
        } else {
            // `idx` is this node's head and still live, so the entry is found by index.
            let node_hash = mix(node);
            if node_next == NIL {
                if let Ok(found) = self.nodes.find_entry(node_hash, |&head| head == idx) {
                    found.remove();
                }
            } else if let Some(head) = self.nodes.find_mut(node_hash, |&head| head == idx) {
                *head = node_next;
            }
        }
        if node_next != NIL {
            self.record_mut(node_next).node_prev = node_prev;
        }
        if property_prev != NIL {
            self.record_mut(property_prev).property_next = property_next;
        } else {
            self.properties[property as usize].head = property_next;
        }
        if property_next != NIL {
            self.record_mut(property_next).property_prev = property_prev;
        }
        self.properties[property as usize].count -= 1;
    }

    /// Whether the shard holds a record of `node`.
    pub(crate) fn has_node(&self, node: u64) -> bool {
        self.nodes
            .find(mix(node), |&head| self.record(head).node == node)
            .is_some()
    }

    /// Visits every record of a node.
    pub(crate) fn for_each_in_node(&self, node: u64, mut visit: impl FnMut(&Record)) {
        let Some(&head) = self
            .nodes
            .find(mix(node), |&head| self.record(head).node == node)
        else {
            return;
        };
        let mut cursor = head;
        while cursor != NIL {
            let record = self.record(cursor);
            visit(record);
            cursor = record.node_next;
        }
    }

    /// Visits every record of a property name.
    pub(crate) fn for_each_in_property(
        &self,
        property_hash: u64,
        name: &str,
        mut visit: impl FnMut(&Record),
    ) {
        let properties = &self.properties;
        let Some(&property) = self.property_index.find(mix(property_hash), |&idx| {
            let entry = &properties[idx as usize];
            entry.name == name
        }) else {
            return;
        };
        let mut cursor = self.properties[property as usize].head;
        while cursor != NIL {
            let record = self.record(cursor);
            visit(record);
            cursor = record.property_next;
        }
    }

    /// Visits every record.
    pub(crate) fn for_each(&self, mut visit: impl FnMut(&Record)) {
        self.records.iter().flatten().for_each(&mut visit);
    }

    /// Counts of records by source.
    pub(crate) fn count_source(&self, source: ExceptionSource) -> usize {
        self.by_source[source.index()]
    }

    /// Heap bytes this shard owns, from the real capacities of its buffers and strings.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.records.capacity() * std::mem::size_of::<Option<Record>>()
            + self.free_records.capacity() * std::mem::size_of::<u32>()
            + self.index.allocation_size()
            + self.properties.capacity() * std::mem::size_of::<PropertyEntry>()
            + self.free_properties.capacity() * std::mem::size_of::<u32>()
            + self.property_index.allocation_size()
            + self.nodes.allocation_size()
            + self.arena.capacity()
            + self.owned_heap_bytes
    }

    /// Number of distinct nodes with at least one exception in this shard.
    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of distinct property names in this shard.
    pub(crate) fn property_count(&self) -> usize {
        self.property_index.len()
    }
}
