//! Applying stored exceptions during property resolution, with a cache that is never stale.

use std::collections::HashMap;
use std::sync::Arc;

use crossbeam_utils::CachePadded;
use hashbrown::HashTable;
use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, property_hash};
use parking_lot::Mutex;

use crate::store::{ExceptionStore, SHARD_COUNT, shard_of};

/// How [`ExceptionHandler::handle_exception_conflict`] picks one of several exceptions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ConflictStrategy {
    /// Highest confidence, then source precedence (Explicit > Conflict > Promoted > Detected),
    /// then the most recent.
    #[default]
    HighestConfidence,
    /// Source precedence first, then highest confidence, then the most recent.
    SourcePrecedence,
    /// The most recent, then highest confidence, then source precedence.
    MostRecent,
}

/// Cache counters of an [`ExceptionHandler`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStatistics {
    /// Resolutions answered from the cache.
    pub hits: u64,
    /// Resolutions that read the store.
    pub misses: u64,
    /// Entries dropped to keep the cache within its capacity.
    pub evictions: u64,
    /// Entries held now.
    pub entries: usize,
}

impl CacheStatistics {
    /// Hits over all lookups (0 when there was none).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use llmkg_core::NodeId;
    /// use llmkg_exception::{Exception, ExceptionSource};
    /// use llmkg_exception_store::{ExceptionHandler, ExceptionStore};
    ///
    /// let store = Arc::new(ExceptionStore::new());
    /// let flightless = Exception::new(true.into(), false.into(), "penguin", ExceptionSource::Explicit, 1.0);
    /// store.add_exception(NodeId(2), "can_fly".into(), flightless)?;
    /// let handler = ExceptionHandler::new(store);
    /// assert_eq!(handler.cache_statistics().hit_rate(), 0.0);
    /// for _ in 0..4 {
    ///     assert_eq!(handler.resolve_property(NodeId(2), "can_fly", Some(true.into())), Some(false.into()));
    /// }
    /// // One miss fills the cache, three hits follow.
    /// assert_eq!(handler.cache_statistics().hit_rate(), 0.75);
    /// handler.clear_cache();
    /// let cleared = handler.cache_statistics();
    /// assert_eq!((cleared.entries, cleared.hits, cleared.misses), (0, 3, 1));
    /// handler.resolve_property(NodeId(2), "can_fly", Some(true.into()));
    /// assert_eq!(handler.cache_statistics().misses, 2, "a cleared cache misses again");
    /// # Ok::<(), llmkg_exception_store::StoreError>(())
    /// ```
    #[must_use]
    pub fn hit_rate(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 {
            0.0
        } else {
            self.hits as f64 / total as f64
        }
    }
}

#[derive(Debug)]
struct CacheEntry {
    node: u64,
    property_hash: u64,
    property: Box<str>,
    /// The store shard's epoch when `value` was read; a different epoch now means stale.
    epoch: u64,
    /// The overriding value, or `None` when the node has no exception for the property.
    value: Option<PropertyValue>,
}

#[derive(Debug, Default)]
struct CacheShard {
    entries: HashTable<CacheEntry>,
    hits: u64,
    misses: u64,
    evictions: u64,
}

fn entry_hash(node: u64, property_hash: u64) -> u64 {
    crate::store::key_hash(node, property_hash)
}

/// Applies stored exceptions to inherited values.
///
/// Resolutions are cached per (node, property). The cache is never stale: each entry
/// remembers the epoch of the store shard it was read from, every write to a shard bumps that
/// shard's epoch, and a lookup whose epoch differs reads the store again. A write therefore
/// invalidates the cached entries of its shard (256-node blocks), not of the whole store.
///
/// The cache is sharded like the store, with counters inside each shard, so concurrent
/// resolutions on different shards share no lock or counter.
///
/// ```
/// use std::sync::Arc;
/// use llmkg_core::{NodeId, PropertyValue};
/// use llmkg_exception::{Exception, ExceptionSource};
/// use llmkg_exception_store::{ExceptionHandler, ExceptionStore};
///
/// let store = Arc::new(ExceptionStore::new());
/// let handler = ExceptionHandler::new(Arc::clone(&store));
/// let inherited = Some(PropertyValue::Boolean(true));
/// assert_eq!(handler.resolve_property(NodeId(3), "can_fly", inherited.clone()), inherited);
///
/// let e = Exception::new(true.into(), false.into(), "flightless", ExceptionSource::Explicit, 1.0);
/// store.add_exception(NodeId(3), "can_fly".into(), e)?;
/// // The next resolution sees the new exception: the cache is never stale.
/// assert_eq!(
///     handler.resolve_property(NodeId(3), "can_fly", inherited),
///     Some(PropertyValue::Boolean(false))
/// );
/// # Ok::<(), llmkg_exception_store::StoreError>(())
/// ```
#[derive(Debug)]
pub struct ExceptionHandler {
    store: Arc<ExceptionStore>,
    cache: Box<[CachePadded<Mutex<CacheShard>>]>,
    capacity_per_shard: usize,
    strategy: ConflictStrategy,
}

impl ExceptionHandler {
    /// Default number of cached resolutions.
    pub const DEFAULT_CACHE_CAPACITY: usize = 1 << 16;

    /// A handler over `store` with the default cache capacity and conflict strategy.
    #[must_use]
    pub fn new(store: Arc<ExceptionStore>) -> Self {
        Self::with_config(
            store,
            Self::DEFAULT_CACHE_CAPACITY,
            ConflictStrategy::default(),
        )
    }

    /// A handler with a cache of about `cache_capacity` entries (0 disables caching) and a
    /// conflict strategy.
    #[must_use]
    pub fn with_config(
        store: Arc<ExceptionStore>,
        cache_capacity: usize,
        strategy: ConflictStrategy,
    ) -> Self {
        let cache = (0..SHARD_COUNT)
            .map(|_| CachePadded::new(Mutex::new(CacheShard::default())))
            .collect();
        ExceptionHandler {
            store,
            cache,
            capacity_per_shard: cache_capacity.div_ceil(SHARD_COUNT),
            strategy,
        }
    }

    /// The store this handler reads.
    #[must_use]
    pub fn store(&self) -> &Arc<ExceptionStore> {
        &self.store
    }

    /// The conflict strategy.
    #[must_use]
    pub fn strategy(&self) -> ConflictStrategy {
        self.strategy
    }

    /// The value of `property` on `node`: the stored exception's value if there is one,
    /// otherwise `inherited_value`.
    pub fn resolve_property(
        &self,
        node: NodeId,
        property: &str,
        inherited_value: Option<PropertyValue>,
    ) -> Option<PropertyValue> {
        match self.cached_override(node, property) {
            Some(value) => Some(value),
            None => inherited_value,
        }
    }

    fn cached_override(&self, node: NodeId, property: &str) -> Option<PropertyValue> {
        let hash = property_hash(property);
        let shard_idx = shard_of(node);
        let slot_hash = entry_hash(node.0, hash);
        if self.capacity_per_shard > 0 {
            let current_epoch = self.store.epoch_of(node);
            let mut cache = self.cache[shard_idx].lock();
            let found = cache.entries.find(slot_hash, |entry| {
                entry.node == node.0 && entry.property_hash == hash && *entry.property == *property
            });
            if let Some(entry) = found
                && entry.epoch == current_epoch
            {
                let value = entry.value.clone();
                cache.hits += 1;
                return value;
            }
            cache.misses += 1;
        }
        let (value, epoch) = self.store.actual_value_with_epoch(node, property, hash);
        if self.capacity_per_shard > 0 {
            let mut cache = self.cache[shard_idx].lock();
            let cache = &mut *cache;
            match cache.entries.find_mut(slot_hash, |entry| {
                entry.node == node.0 && entry.property_hash == hash && *entry.property == *property
            }) {
                Some(entry) => {
                    // Keep the newest reading: a racing resolution may have stored a later one.
                    if epoch >= entry.epoch {
                        entry.epoch = epoch;
                        entry.value = value.clone();
                    }
                }
                None => {
                    if cache.entries.len() >= self.capacity_per_shard {
                        // Drop entries of older epochs first (they can never hit again), and
                        // everything if that was not enough.
                        let before = cache.entries.len();
                        cache.entries.retain(|entry| entry.epoch == epoch);
                        if cache.entries.len() >= self.capacity_per_shard {
                            cache.entries.clear();
                        }
                        cache.evictions += (before - cache.entries.len()) as u64;
                    }
                    cache.entries.insert_unique(
                        slot_hash,
                        CacheEntry {
                            node: node.0,
                            property_hash: hash,
                            property: property.into(),
                            epoch,
                            value: value.clone(),
                        },
                        |entry| entry_hash(entry.node, entry.property_hash),
                    );
                }
            }
        }
        value
    }

    /// Overwrites `properties` with the node's stored exceptions (and adds properties that only
    /// an exception defines); untouched properties stay as they were.
    pub fn apply_exceptions_to_node(
        &self,
        node: NodeId,
        properties: &mut HashMap<String, PropertyValue>,
    ) {
        self.store
            .for_each_actual_in_node(node, |property, actual| {
                match properties.get_mut(property) {
                    Some(slot) => *slot = actual,
                    None => {
                        properties.insert(property.to_owned(), actual);
                    }
                }
            });
    }

    /// Picks one exception among conflicting ones by the handler's [`ConflictStrategy`];
    /// `None` for an empty list. Ties that survive every criterion keep the earliest in the list.
    ///
    /// The store holds one exception per (node, property), so
    /// [`resolve_property`](Self::resolve_property) never meets a conflict; this is for a
    /// caller holding several candidates, e.g. exceptions of two parents that disagree.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use llmkg_exception::{Exception, ExceptionSource};
    /// use llmkg_exception_store::{ConflictStrategy, ExceptionHandler, ExceptionStore};
    ///
    /// let weak = Exception::new(true.into(), false.into(), "a", ExceptionSource::Explicit, 0.5);
    /// let strong = Exception::new(true.into(), false.into(), "b", ExceptionSource::Detected, 0.9);
    /// let store = Arc::new(ExceptionStore::new());
    /// let by_confidence = ExceptionHandler::new(Arc::clone(&store));
    /// let chosen = by_confidence.handle_exception_conflict(vec![weak.clone(), strong.clone()]);
    /// assert_eq!(chosen.unwrap().reason, "b");
    /// let by_source = ExceptionHandler::with_config(store, 0, ConflictStrategy::SourcePrecedence);
    /// assert_eq!(by_source.handle_exception_conflict(vec![weak, strong]).unwrap().reason, "a");
    /// ```
    #[must_use]
    pub fn handle_exception_conflict(&self, exceptions: Vec<Exception>) -> Option<Exception> {
        resolve_conflict(exceptions, self.strategy)
    }

    /// Hit, miss and eviction counts, summed over the cache's shards.
    #[must_use]
    pub fn cache_statistics(&self) -> CacheStatistics {
        let mut stats = CacheStatistics::default();
        for shard in self.cache.iter() {
            let shard = shard.lock();
            stats.hits += shard.hits;
            stats.misses += shard.misses;
            stats.evictions += shard.evictions;
            stats.entries += shard.entries.len();
        }
        stats
    }

    /// Empties the cache (counters are kept); see [`CacheStatistics::hit_rate`] for an example.
    pub fn clear_cache(&self) {
        for shard in self.cache.iter() {
            shard.lock().entries.clear();
        }
    }
}

/// Picks one exception by `strategy`; `None` for an empty list.
fn resolve_conflict(exceptions: Vec<Exception>, strategy: ConflictStrategy) -> Option<Exception> {
    use std::cmp::Ordering;
    let rank = |a: &Exception, b: &Exception| -> Ordering {
        let confidence = a.confidence.total_cmp(&b.confidence);
        let source = a.source.precedence().cmp(&b.source.precedence());
        let recency = a.created_at.cmp(&b.created_at);
        match strategy {
            ConflictStrategy::HighestConfidence => confidence.then(source).then(recency),
            ConflictStrategy::SourcePrecedence => source.then(confidence).then(recency),
            ConflictStrategy::MostRecent => recency.then(confidence).then(source),
        }
    };
    let mut best: Option<Exception> = None;
    for candidate in exceptions {
        best = match best {
            Some(current) if rank(&candidate, &current) != Ordering::Greater => Some(current),
            _ => Some(candidate),
        };
    }
    best
}
