//! One shard of the store: records, the (node, property) index, per-node and per-property lists.
//!
//! Every structure here is private to its shard and guarded by the shard's lock, so writers
//! on different shards never touch the same memory: no global index entry, counter or
//! interner is shared between shards.

use hashbrown::HashTable;

use llmkg_exception::{Exception, ExceptionSource, property_hash as property_hash_of};

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

/// One stored exception with its links.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) node: u64,
    pub(crate) property: u32,
    node_prev: u32,
    node_next: u32,
    property_prev: u32,
    property_next: u32,
    pub(crate) exception: Exception,
}

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
    /// Heap bytes of the strings and lists owned by records and property names (capacities).
    pub(crate) owned_heap_bytes: usize,
}

/// Grows a vector by a quarter instead of doubling, so a shard holds at most ~25 % slack.
fn push_with_modest_growth<T>(vec: &mut Vec<T>, value: T) {
    if vec.len() == vec.capacity() {
        vec.reserve_exact(vec.capacity() / 4 + 4);
    }
    vec.push(value);
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

    /// Inserts or replaces; returns the replaced exception.
    pub(crate) fn upsert(
        &mut self,
        node: u64,
        property_hash: u64,
        name: String,
        exception: Exception,
    ) -> Option<Exception> {
        if let Some(idx) = self.find(node, property_hash, &name) {
            let added_bytes = exception.heap_bytes();
            let added_source = exception.source.index();
            let record = self.record_mut(idx);
            let old = std::mem::replace(&mut record.exception, exception);
            self.by_source[old.source.index()] -= 1;
            self.by_source[added_source] += 1;
            self.owned_heap_bytes = self.owned_heap_bytes - old.heap_bytes() + added_bytes;
            return Some(old);
        }
        let property = self.intern(property_hash, name);
        self.by_source[exception.source.index()] += 1;
        self.owned_heap_bytes += exception.heap_bytes();
        let record = Record {
            node,
            property,
            node_prev: NIL,
            node_next: NIL,
            property_prev: NIL,
            property_next: NIL,
            exception,
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
        None
    }

    /// Removes (node, property name); returns the removed exception.
    pub(crate) fn remove(
        &mut self,
        node: u64,
        property_hash: u64,
        name: &str,
    ) -> Option<Exception> {
        let idx = self.find(node, property_hash, name)?;
        Some(self.remove_at(idx, property_hash))
    }

    /// Removes every record of a node; returns how many.
    pub(crate) fn remove_node(&mut self, node: u64) -> usize {
        let mut removed = 0;
        while let Some(&head) = self
            .nodes
            .find(mix(node), |&head| self.record(head).node == node)
        {
            let property_hash = property_hash_of(self.property_name(self.record(head).property));
            self.remove_at(head, property_hash);
            removed += 1;
        }
        removed
    }

    /// Removes the live record at `idx`, whose property name hashes to `property_hash`.
    fn remove_at(&mut self, idx: u32, property_hash: u64) -> Exception {
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
        self.by_source[record.exception.source.index()] -= 1;
        self.owned_heap_bytes -= record.exception.heap_bytes();
        self.release_property(record.property);
        record.exception
    }

    /// The property slot of a name, interning it if new (takes the caller's `String`).
    fn intern(&mut self, property_hash: u64, name: String) -> u32 {
        let properties = &self.properties;
        if let Some(&existing) = self.property_index.find(mix(property_hash), |&idx| {
            let entry = &properties[idx as usize];
            entry.name == name
        }) {
            return existing;
        }
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
