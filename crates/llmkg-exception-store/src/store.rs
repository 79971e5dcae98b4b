//! The concurrent, sharded exception store.

mod record;
mod shard;

use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_utils::CachePadded;
use llmkg_core::{NodeId, PropertyValue};
use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

pub(crate) use self::shard::{ShardData, key_hash};
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource, property_hash};

use crate::ExceptionParts;
use crate::error::{Result, StoreError};

/// Number of shards. A power of two well above the core counts we target (16), so writers
/// rarely meet on one lock.
pub(crate) const SHARD_COUNT: usize = 64;

/// Consecutive node ids that share a shard (2^8 = 256). Blocks keep a thread that works on a
/// contiguous id range on its own shard, while one property name still spreads over all shards.
const NODE_BLOCK_BITS: u32 = 8;

/// The shard of a node id.
#[inline]
pub(crate) fn shard_of(node: NodeId) -> usize {
    ((node.0 >> NODE_BLOCK_BITS) as usize) & (SHARD_COUNT - 1)
}

/// One shard: its lock and the epoch the handler's cache checks.
#[derive(Debug, Default)]
pub(crate) struct Shard {
    /// Bumped (under the write lock) by every change to this shard.
    epoch: AtomicU64,
    data: RwLock<ShardData>,
}

/// A thread-safe store of exceptions, keyed by (node, property name).
///
/// Every method takes `&self`; share the store with `Arc<ExceptionStore>`.
///
/// # Design
///
/// The store is split into 64 cache-padded shards, each behind its own `RwLock`.
/// A node's shard is chosen by its id's block of 256 consecutive ids, so threads that work on
/// different id ranges write to different shards even when they all use the same property name.
/// Each shard keeps its own index, its own interned property names (one `String` per name per
/// shard, not per exception), its own per-node and per-property lists and its own counters: no
/// lock, map entry or atomic is shared by all writers. An add allocates nothing beyond what the
/// caller hands in (amortised growth of the shard's tables aside).
///
/// # Costs
///
/// `get_exception`, `add_exception` and `remove_exception` are O(1): one hash of the name, one
/// lock, one table probe (a hit compares the stored name, so a hash collision never returns
/// another property's exception). `exceptions_for_node` is O(exceptions of the node);
/// `exceptions_for_property` visits every shard (O(shards + matches)); `exceptions_by_source`,
/// `len` and `statistics` visit every shard too.
///
/// No user code runs under a shard lock: [`for_each`](Self::for_each),
/// [`for_each_in_node`](Self::for_each_in_node) and
/// [`remove_exception_if`](Self::remove_exception_if) copy what they hand to the callback and
/// release the lock first, so a callback may call back into the store.
///
/// # Errors
///
/// [`add_exception`](Self::add_exception) returns `Result`: an invalid confidence (NaN, infinite,
/// outside `[0, 1]`) or an empty property name is a [`StoreError`] and stores nothing.
///
/// ```
/// use std::sync::Arc;
/// use llmkg_core::{NodeId, PropertyValue};
/// use llmkg_exception::{Exception, ExceptionSource};
/// use llmkg_exception_store::ExceptionStore;
///
/// let store = Arc::new(ExceptionStore::new());
/// let flightless = Exception::new(
///     PropertyValue::Boolean(true),
///     PropertyValue::Boolean(false),
///     "Penguins cannot fly",
///     ExceptionSource::Explicit,
///     0.95,
/// );
/// assert!(store.add_exception(NodeId(3), "can_fly".into(), flightless)?.is_none());
/// let found = store.get_exception(NodeId(3), "can_fly").unwrap();
/// assert_eq!(found.actual_value, PropertyValue::Boolean(false));
/// assert_eq!(store.len(), 1);
/// # Ok::<(), llmkg_exception_store::StoreError>(())
/// ```
#[derive(Debug)]
pub struct ExceptionStore {
    shards: Box<[CachePadded<Shard>]>,
}

/// Counts and memory of an [`ExceptionStore`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStatistics {
    /// Number of exceptions.
    pub total_exceptions: usize,
    /// Exceptions per source, indexed by [`ExceptionSource::index`].
    pub by_source: [usize; 4],
    /// Distinct nodes with at least one exception.
    pub distinct_nodes: usize,
    /// Distinct property names, counted once per shard that holds them (an upper bound of the
    /// global distinct count; names are interned per shard so that no table is shared).
    pub interned_property_names: usize,
    /// Heap bytes held: table and vector capacities plus every owned string's capacity.
    pub heap_bytes: usize,
    /// How often a shard copied its live values and reasons into a fresh arena, summed over
    /// the shards. A shard compacts only when at least 4 KiB and half of its arena are dead, so
    /// this stays at most (bytes of values and reasons ever replaced or removed) / 4 KiB.
    pub arena_compactions: u64,
}

impl StoreStatistics {
    /// Exceptions of one source.
    #[must_use]
    pub fn count(&self, source: ExceptionSource) -> usize {
        self.by_source[source.index()]
    }

    /// Heap bytes per exception (0 when empty).
    ///
    /// ```
    /// use llmkg_core::NodeId;
    /// use llmkg_exception::{Exception, ExceptionSource};
    /// use llmkg_exception_store::ExceptionStore;
    ///
    /// let store = ExceptionStore::new();
    /// assert_eq!(store.statistics().heap_bytes_per_exception(), 0.0);
    /// for node in 0..10 {
    ///     let exception = Exception::new(true.into(), false.into(), "", ExceptionSource::Detected, 0.9);
    ///     store.add_exception(NodeId(node), "can_fly".into(), exception)?;
    /// }
    /// let statistics = store.statistics();
    /// assert_eq!(statistics.heap_bytes_per_exception(), statistics.heap_bytes as f64 / 10.0);
    /// assert!(statistics.heap_bytes_per_exception() > 0.0);
    /// # Ok::<(), llmkg_exception_store::StoreError>(())
    /// ```
    #[must_use]
    pub fn heap_bytes_per_exception(&self) -> f64 {
        if self.total_exceptions == 0 {
            0.0
        } else {
            self.heap_bytes as f64 / self.total_exceptions as f64
        }
    }
}

impl Default for ExceptionStore {
    fn default() -> Self {
        Self::new()
    }
}

/// Advances a shard's epoch. Only a holder of the shard's write lock calls this, so a load and
/// a store do what `fetch_add` would without its locked read-modify-write.
fn bump(epoch: &AtomicU64) {
    epoch.store(epoch.load(Ordering::Relaxed) + 1, Ordering::Release);
}

fn check_name(property: &str) -> Result<()> {
    if property.is_empty() {
        Err(StoreError::EmptyPropertyName)
    } else {
        Ok(())
    }
}

impl ExceptionStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        let shards = (0..SHARD_COUNT)
            .map(|_| CachePadded::new(Shard::default()))
            .collect();
        ExceptionStore { shards }
    }

    fn shard(&self, node: NodeId) -> &Shard {
        &self.shards[shard_of(node)]
    }

    fn write(&self, node: NodeId) -> (RwLockWriteGuard<'_, ShardData>, &AtomicU64) {
        let shard = self.shard(node);
        (shard.data.write(), &shard.epoch)
    }

    /// Adds or replaces the exception of `property` on `node`; returns the replaced one.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidException`] or [`StoreError::EmptyPropertyName`]; nothing is stored.
    pub fn add_exception(
        &self,
        node: NodeId,
        property: String,
        exception: Exception,
    ) -> Result<Option<Exception>> {
        check_name(&property)?;
        exception.validate()?;
        let hash = property_hash(&property);
        let (mut data, epoch) = self.write(node);
        let replaced = data.upsert(node.0, hash, property, exception)?;
        bump(epoch);
        Ok(replaced)
    }

    /// [`add_exception`](Self::add_exception) from borrowed parts, under `parts.property`: the
    /// name is copied only when the store does not hold it yet, the values and the reason are
    /// encoded straight from `parts` (a [described](crate::Reason::Described) reason is written
    /// into a buffer the shard reuses); no owned `Exception` is built unless one is replaced.
    ///
    /// # Errors
    ///
    /// As [`add_exception`](Self::add_exception); nothing is stored.
    pub fn add_exception_parts(
        &self,
        node: NodeId,
        parts: &ExceptionParts<'_>,
    ) -> Result<Option<Exception>> {
        check_name(parts.property)?;
        parts.validate()?;
        let hash = property_hash(parts.property);
        let (mut data, epoch) = self.write(node);
        let replaced = data.upsert_borrowed(node.0, hash, parts)?;
        bump(epoch);
        Ok(replaced)
    }

    /// Makes room for `additional` more exceptions of `node` whose values and reasons take
    /// about `payload_bytes` encoded (a reason's bytes plus a few per value), so that adding
    /// them does not regrow the store's tables and byte arena one insert at a time. Only a
    /// hint: it changes no content.
    pub fn reserve_for_node(&self, node: NodeId, additional: usize, payload_bytes: usize) {
        if additional > 0 || payload_bytes > 0 {
            self.shard(node)
                .data
                .write()
                .reserve(additional, payload_bytes);
        }
    }

    /// Whether the store holds any exception of `node`.
    #[must_use]
    pub fn has_node(&self, node: NodeId) -> bool {
        self.shard(node).data.read().has_node(node.0)
    }

    /// A clone of the exception of `property` on `node`.
    #[must_use]
    pub fn get_exception(&self, node: NodeId, property: &str) -> Option<Exception> {
        let hash = property_hash(property);
        let data = self.shard(node).data.read();
        data.find(node.0, hash, property)
            .map(|idx| data.exception(data.get(idx)))
    }

    /// Whether `node` has an exception for `property`.
    #[must_use]
    pub fn contains(&self, node: NodeId, property: &str) -> bool {
        let hash = property_hash(property);
        self.shard(node)
            .data
            .read()
            .find(node.0, hash, property)
            .is_some()
    }

    /// A clone of the exception with this key (by property hash; if two names of one node share
    /// a hash, one of them).
    #[must_use]
    pub fn get_by_key(&self, key: ExceptionKey) -> Option<(String, Exception)> {
        let data = self.shard(key.node_id).data.read();
        data.find_by_hash(key.node_id.0, key.property_hash)
            .map(|idx| {
                let record = data.get(idx);
                (
                    data.property_name(record.property).to_owned(),
                    data.exception(record),
                )
            })
    }

    /// The overriding value of `property` on `node` and the shard epoch it was read at.
    pub(crate) fn actual_value_with_epoch(
        &self,
        node: NodeId,
        property: &str,
        hash: u64,
    ) -> (Option<PropertyValue>, u64) {
        let shard = self.shard(node);
        let data = shard.data.read();
        // Read under the lock: writers bump the epoch while holding the write lock, so this
        // pair is consistent.
        let epoch = shard.epoch.load(Ordering::Acquire);
        let value = data
            .find(node.0, hash, property)
            .map(|idx| data.actual_value(data.get(idx)));
        (value, epoch)
    }

    /// The current epoch of `node`'s shard.
    pub(crate) fn epoch_of(&self, node: NodeId) -> u64 {
        self.shard(node).epoch.load(Ordering::Acquire)
    }

    /// Removes the exception of `property` on `node`; returns it.
    pub fn remove_exception(&self, node: NodeId, property: &str) -> Option<Exception> {
        let hash = property_hash(property);
        let (mut data, epoch) = self.write(node);
        let removed = data.remove(node.0, hash, property);
        if removed.is_some() {
            bump(epoch);
        }
        removed
    }

    /// Removes the exception of `property` on `node` if `approve` approves of it; returns it.
    ///
    /// `approve` runs with no lock held, on a copy, so it may call back into the store. The
    /// exception is then removed only if it still equals the copy `approve` saw when the write
    /// lock is taken: if another write changed it in between, nothing is removed and the
    /// result is `None`. A caller that read an exception earlier removes exactly that one with
    /// `|now| now == &seen`, never a newer write. Cost: O(1) plus `approve`.
    pub fn remove_exception_if(
        &self,
        node: NodeId,
        property: &str,
        approve: impl FnOnce(&Exception) -> bool,
    ) -> Option<Exception> {
        let seen = self.get_exception(node, property)?;
        if !approve(&seen) {
            return None;
        }
        let hash = property_hash(property);
        let (mut data, epoch) = self.write(node);
        let idx = data.find(node.0, hash, property)?;
        if data.exception(data.get(idx)) != seen {
            return None;
        }
        let removed = data.remove(node.0, hash, property);
        if removed.is_some() {
            bump(epoch);
        }
        removed
    }

    /// Removes every exception of `node`; returns how many.
    pub fn remove_node(&self, node: NodeId) -> usize {
        let (mut data, epoch) = self.write(node);
        let removed = data.remove_node(node.0);
        if removed > 0 {
            bump(epoch);
        }
        removed
    }

    /// Every exception of `node`, as (property, exception), sorted by property name.
    #[must_use]
    pub fn exceptions_for_node(&self, node: NodeId) -> Vec<(String, Exception)> {
        let data = self.shard(node).data.read();
        let mut out = Vec::new();
        data.for_each_in_node(node.0, |record| {
            out.push((
                data.property_name(record.property).to_owned(),
                data.exception(record),
            ));
        });
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Calls `visit` with each (property, exception) of `node`, in no particular order.
    ///
    /// The node's entries are copied under the shard's read lock and visited after it is
    /// released, so `visit` may call back into the store (add, remove, read) without
    /// deadlocking; it sees the node as it was when the call began. Cost: O(exceptions of the
    /// node) time and one copy of them.
    pub fn for_each_in_node(&self, node: NodeId, mut visit: impl FnMut(&str, &Exception)) {
        let entries = {
            let data = self.shard(node).data.read();
            let mut entries = Vec::new();
            data.for_each_in_node(node.0, |record| {
                entries.push((
                    data.property_name(record.property).to_owned(),
                    data.exception(record),
                ));
            });
            entries
        };
        for (property, exception) in &entries {
            visit(property, exception);
        }
    }

    /// Calls `visit` with the name and actual value of each of the node's exceptions (what the
    /// handler applies), decoding nothing else.
    pub(crate) fn for_each_actual_in_node(
        &self,
        node: NodeId,
        mut visit: impl FnMut(&str, PropertyValue),
    ) {
        let data = self.shard(node).data.read();
        data.for_each_in_node(node.0, |record| {
            visit(
                data.property_name(record.property),
                data.actual_value(record),
            );
        });
    }

    /// Every exception of `property`, as (node, exception), sorted by node.
    #[must_use]
    pub fn exceptions_for_property(&self, property: &str) -> Vec<(NodeId, Exception)> {
        let hash = property_hash(property);
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let data = shard.data.read();
            data.for_each_in_property(hash, property, |record| {
                out.push((NodeId(record.node), data.exception(record)));
            });
        }
        out.sort_by_key(|(node, _)| *node);
        out
    }

    /// Every exception from `source`, as (node, property, exception), sorted by (node, property).
    #[must_use]
    pub fn exceptions_by_source(
        &self,
        source: ExceptionSource,
    ) -> Vec<(NodeId, String, Exception)> {
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let data = shard.data.read();
            if data.count_source(source) == 0 {
                continue;
            }
            data.for_each(|record| {
                if record.source == source {
                    out.push((
                        NodeId(record.node),
                        data.property_name(record.property).to_owned(),
                        data.exception(record),
                    ));
                }
            });
        }
        out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        out
    }

    /// Calls `visit` with every (node, property, exception), shard by shard.
    ///
    /// Each shard's entries are copied under its read lock and visited after it is released,
    /// so `visit` may call back into the store (add, remove, read) without deadlocking.
    /// Concurrent writers (and `visit` itself) may change shards not yet visited; use
    /// [`snapshot`](Self::snapshot) for a consistent copy. Cost: O(exceptions) time, memory
    /// for one shard's copy at a time.
    pub fn for_each(&self, mut visit: impl FnMut(NodeId, &str, &Exception)) {
        let mut entries = Vec::new();
        for shard in self.shards.iter() {
            {
                let data = shard.data.read();
                data.for_each(|record| {
                    entries.push((
                        NodeId(record.node),
                        data.property_name(record.property).to_owned(),
                        data.exception(record),
                    ));
                });
            }
            for (node, property, exception) in entries.drain(..) {
                visit(node, &property, &exception);
            }
        }
    }

    /// A consistent copy of every entry (all shards read-locked together), sorted by
    /// (node, property).
    #[must_use]
    pub fn snapshot(&self) -> Vec<(NodeId, String, Exception)> {
        let guards = self.read_all();
        let mut out = Vec::with_capacity(guards.iter().map(|g| g.len).sum());
        for data in &guards {
            data.for_each(|record| {
                out.push((
                    NodeId(record.node),
                    data.property_name(record.property).to_owned(),
                    data.exception(record),
                ));
            });
        }
        out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        out
    }

    pub(crate) fn read_all(&self) -> Vec<RwLockReadGuard<'_, ShardData>> {
        self.shards.iter().map(|shard| shard.data.read()).collect()
    }

    /// Replaces the whole content at once (all shards write-locked together, in order).
    pub(crate) fn replace_all(&self, mut fresh: Vec<ShardData>) {
        let mut guards: Vec<_> = self.shards.iter().map(|shard| shard.data.write()).collect();
        for (guard, data) in guards.iter_mut().zip(fresh.drain(..)) {
            **guard = data;
        }
        for shard in self.shards.iter() {
            shard.epoch.fetch_add(1, Ordering::Release);
        }
    }

    /// Builds shard contents from validated entries (used by snapshot loading).
    pub(crate) fn build_shards(
        entries: Vec<(NodeId, String, Exception)>,
    ) -> std::result::Result<Vec<ShardData>, (NodeId, String)> {
        let mut shards: Vec<ShardData> = (0..SHARD_COUNT).map(|_| ShardData::default()).collect();
        for (node, property, exception) in entries {
            let hash = property_hash(&property);
            let data = &mut shards[shard_of(node)];
            if data.find(node.0, hash, &property).is_some() {
                return Err((node, property));
            }
            // The only other failure is a shard past 4 GiB of payload, refused the same way.
            if data
                .upsert(node.0, hash, property.clone(), exception)
                .is_err()
            {
                return Err((node, property));
            }
        }
        Ok(shards)
    }

    /// Removes everything.
    pub fn clear(&self) {
        self.replace_all((0..SHARD_COUNT).map(|_| ShardData::default()).collect());
    }

    /// Number of exceptions.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shards.iter().map(|shard| shard.data.read().len).sum()
    }

    /// Whether the store holds no exception.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|shard| shard.data.read().len == 0)
    }

    /// Counts by source, distinct nodes and names, and heap bytes from real capacities.
    #[must_use]
    pub fn statistics(&self) -> StoreStatistics {
        let mut stats = StoreStatistics {
            heap_bytes: self.shards.len() * std::mem::size_of::<CachePadded<Shard>>(),
            ..StoreStatistics::default()
        };
        for shard in self.shards.iter() {
            let data = shard.data.read();
            stats.total_exceptions += data.len;
            for (total, count) in stats.by_source.iter_mut().zip(data.by_source) {
                *total += count;
            }
            stats.distinct_nodes += data.node_count();
            stats.interned_property_names += data.property_count();
            stats.heap_bytes += data.heap_bytes();
            stats.arena_compactions += data.compactions;
        }
        stats
    }
}
