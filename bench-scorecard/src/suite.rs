//! The suite's benchmark ids and sizes, shared by the bench target (which registers them) and
//! the scorecard (which reads their results), so the two cannot drift apart.
//!
//! Ids read `group/function/value`, as Criterion writes them into `benchmark.json`.

/// Group of the seed's store benchmarks and their hash-map anchors.
pub const STORE_GROUP: &str = "exception_store";
/// The seed's store add: the first `min(size, 100)` records re-added per iteration.
pub const STORE_ADD: &str = "add_exception";
/// The seed's store get: `min(size, 100)` gets from a store of `size` records.
pub const STORE_GET: &str = "get_exception";
/// Anchor: `std::collections::HashMap` doing the store add's work.
pub const HASHMAP_ADD: &str = "std_hashmap_add";
/// Anchor: `std::collections::HashMap` doing the store get's work.
pub const HASHMAP_GET: &str = "std_hashmap_get";
/// Anchor: `dashmap::DashMap` doing the store add's work.
pub const DASHMAP_ADD: &str = "dashmap_add";
/// Anchor: `dashmap::DashMap` doing the store get's work.
pub const DASHMAP_GET: &str = "dashmap_get";
/// The seed's store sizes.
pub const STORE_SIZES: [usize; 3] = [100, 1_000, 10_000];
/// Operations per iteration of the store benches (the seed's `size.min(100)`).
pub const STORE_OPS_PER_ITERATION: usize = 100;

/// Group of the seed's detection benchmark.
pub const DETECTION_GROUP: &str = "exception_detection";
/// `detect_node_exceptions` on one node.
pub const DETECT: &str = "detect_node_exceptions";
/// The seed's property counts.
pub const DETECTION_SIZES: [usize; 3] = [10, 100, 1_000];

/// Group of the handler benchmarks.
pub const HANDLER_GROUP: &str = "exception_handler";
/// The seed's resolution mix, labelled by the share of lookups on nodes with an exception
/// (after the first pass every lookup is a cache hit).
pub const HANDLER_SEED_MIX: &str = "resolve_property";
/// The corrected mix: the label is the measured cache-hit rate.
pub const HANDLER_TRUE_MIX: &str = "resolve_property_true_hit_rate";
/// One resolution that hits the cache.
pub const HANDLER_HIT: &str = "resolve_cache_hit";
/// One resolution that misses the cache.
pub const HANDLER_MISS: &str = "resolve_cache_miss";
/// The seed's hit rates, in percent.
pub const HANDLER_HIT_PERCENTS: [usize; 3] = [10, 50, 90];

/// Group of the learning benchmarks.
pub const LEARNING_GROUP: &str = "pattern_learning";
/// `learn_from_exception` over a batch.
pub const LEARN: &str = "learn_patterns";
/// `predict_exception_likelihood` once.
pub const PREDICT: &str = "predict_likelihood";
/// The seed's batch sizes.
pub const LEARNING_SIZES: [usize; 3] = [10, 100, 1_000];

/// Group of the optimizer benchmarks.
pub const OPTIMIZATION_GROUP: &str = "storage_optimization";
/// The seed's `optimize_storage` on one optimizer (a no-op after the first iteration).
pub const OPTIMIZE: &str = "optimize_storage";
/// Corrected: `optimize_storage` on a freshly filled optimizer every iteration.
pub const OPTIMIZE_FRESH: &str = "optimize_storage_fresh";
/// `bulk_retrieve` of 1,000 keys.
pub const BULK_RETRIEVE: &str = "bulk_retrieve";
/// The seed's optimizer sizes.
pub const OPTIMIZATION_SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// Group of the concurrency benchmarks.
pub const CONCURRENCY_GROUP: &str = "concurrent_operations";
/// The seed's: threads spawned inside the timed loop, adds to one long-lived store.
pub const CONCURRENT_SEED: &str = "concurrent_store_operations";
/// Corrected: pre-spawned threads released by a barrier, adds of new keys to a fresh store.
pub const CONCURRENT_PRESPAWNED: &str = "prespawned_store_adds";
/// Peer: the corrected bench on a `dashmap::DashMap`.
pub const CONCURRENT_DASHMAP: &str = "prespawned_dashmap_adds";
/// Peer: the corrected bench on an `scc::HashMap`.
pub const CONCURRENT_SCC: &str = "prespawned_scc_adds";
/// Peer: the corrected bench on a `papaya::HashMap`.
pub const CONCURRENT_PAPAYA: &str = "prespawned_papaya_adds";
/// The machine's ceiling for this workload: each thread adds the same records to its own
/// unshared `HashMap` (nothing shared but the allocator and the machine).
pub const CONCURRENT_UNSHARED: &str = "prespawned_unshared_maps_adds";
/// The concurrent maps the store is compared with.
pub const CONCURRENT_PEERS: [&str; 3] = [CONCURRENT_DASHMAP, CONCURRENT_SCC, CONCURRENT_PAPAYA];
/// Every series of the concurrency group, the ceiling first: the scaling table's rows.
pub const CONCURRENT_SERIES: [&str; 6] = [
    CONCURRENT_UNSHARED,
    CONCURRENT_PRESPAWNED,
    CONCURRENT_DASHMAP,
    CONCURRENT_SCC,
    CONCURRENT_PAPAYA,
    CONCURRENT_SEED,
];
/// The seed's thread counts.
pub const THREAD_COUNTS: [usize; 4] = [1, 2, 4, 8];
/// Adds per thread per iteration of the seed's bench.
pub const OPERATIONS_PER_THREAD: usize = 1_000;
/// Adds per thread per iteration of the pre-spawned benches: ten times the seed's, so that
/// waking the threads (tens of microseconds on a busy machine) stays small next to the work.
pub const PRESPAWNED_OPERATIONS_PER_THREAD: usize = 10_000;

/// Group of the end-to-end benchmark.
pub const END_TO_END_GROUP: &str = "end_to_end";
/// Detect, store, apply and learn over a hierarchy, then optimize.
pub const WORKFLOW: &str = "complete_exception_workflow";
/// The seed's scenario sizes (nodes).
pub const END_TO_END_SIZES: [usize; 2] = [100, 1_000];

/// Group of the memory benchmarks.
pub const MEMORY_GROUP: &str = "memory_usage";
/// The seed's memory bench with its < 500 B/exception assertion.
pub const MEMORY_EFFICIENCY: &str = "memory_efficiency";
/// The seed's memory sizes.
pub const MEMORY_SIZES: [usize; 2] = [1_000, 10_000];
/// Exceptions in the optimizer-versus-naive memory measurement.
pub const OPTIMIZER_MEMORY_SIZE: usize = 100_000;

/// Group of the growth benchmarks.
pub const SCALABILITY_GROUP: &str = "scalability";
/// One get from a store of `n`, per operation.
pub const SCALING_STORE_GET: &str = "store_get";
/// One add of a new key to a store of `n`, per operation.
pub const SCALING_STORE_ADD: &str = "store_add";
/// Anchor: one get from a `HashMap` of `n`.
pub const SCALING_HASHMAP_GET: &str = "std_hashmap_get";
/// Detection on a node of `n` properties, per property.
pub const SCALING_DETECT: &str = "detect_node_exceptions";
/// Store sizes of the growth fit.
pub const SCALING_STORE_SIZES: [usize; 5] = [100, 1_000, 10_000, 100_000, 1_000_000];
/// Property counts of the growth fit.
pub const SCALING_DETECT_SIZES: [usize; 5] = [10, 100, 1_000, 3_000, 10_000];
/// Operations per iteration of the scalability store benches.
pub const SCALING_OPS_PER_ITERATION: usize = 100;

/// Group of the one-stop `ExceptionSystem` benchmarks.
pub const SYSTEM_GROUP: &str = "system";
/// `ExceptionSystem::process_node` on the seed's detection node, a fresh system each time.
pub const SYSTEM_PROCESS_NODE: &str = "process_node";
/// The detector alone on the same node, in the same group (the ratio's denominator).
pub const SYSTEM_DETECT: &str = "detect_node_exceptions";
/// `ExceptionSystem::process_hierarchy` on the realistic generator's hierarchy.
pub const SYSTEM_PROCESS_HIERARCHY: &str = "process_hierarchy";
/// `ExceptionSystem::resolved_properties` of a deepest node, warm.
pub const SYSTEM_RESOLVED: &str = "resolved_properties";
/// `ExceptionSystem::explain` of a deepest node's property, warm.
pub const SYSTEM_EXPLAIN: &str = "explain";
/// Property counts of the `process_node` benches (the seed's detection sizes).
pub const SYSTEM_NODE_SIZES: [usize; 3] = DETECTION_SIZES;
/// Nodes of the realistic hierarchy (five levels).
pub const SYSTEM_HIERARCHY_NODES: usize = 1_000;

/// Group of the WordNet 3.0 noun benchmarks (real data).
pub const WORDNET_GROUP: &str = "wordnet";
/// `Hierarchy::from_nodes` on every noun synset.
pub const WORDNET_BUILD: &str = "build_hierarchy";
/// Resolving every synset's lexicographer file on a hierarchy with no cached view.
pub const WORDNET_RESOLVE_COLD: &str = "resolve_cold";
/// Resolving every synset's lexicographer file again (views cached).
pub const WORDNET_RESOLVE_WARM: &str = "resolve_warm";
/// Anchor: the same resolutions by a breadth-first parent walk over a `HashMap`.
pub const WORDNET_NAIVE: &str = "naive_parent_walk";
/// `ExceptionSystem::process_hierarchy` on the noun hierarchy.
pub const WORDNET_PROCESS: &str = "process_hierarchy";
/// Adding the exceptions `process_hierarchy` found to a fresh store.
pub const WORDNET_STORE: &str = "store_add_found";
/// The value every WordNet bench id carries: the data set.
pub const WORDNET_FULL: &str = "nouns";
/// The value of the ids when the checked-in excerpt stands in (test mode).
pub const WORDNET_EXCERPT: &str = "excerpt";

/// `group/function/value`, as Criterion's `full_id`.
///
/// ```
/// assert_eq!(bench_scorecard::suite::full_id("a", "b", 3), "a/b/3");
/// ```
pub fn full_id(group: &str, function: &str, value: impl std::fmt::Display) -> String {
    format!("{group}/{function}/{value}")
}

/// Every group the suite registers, in the order the bench binary runs them; the variance
/// criterion and the scorecard example look only at these.
pub const GROUPS: [&str; 11] = [
    STORE_GROUP,
    DETECTION_GROUP,
    HANDLER_GROUP,
    LEARNING_GROUP,
    OPTIMIZATION_GROUP,
    CONCURRENCY_GROUP,
    END_TO_END_GROUP,
    MEMORY_GROUP,
    SCALABILITY_GROUP,
    SYSTEM_GROUP,
    WORDNET_GROUP,
];
