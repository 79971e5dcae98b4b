//! `exception_store`: the seed's add and get at 100, 1,000 and 10,000 exceptions, and the same
//! work done by a plain `std::collections::HashMap` and a `dashmap::DashMap`.
//!
//! The anchors map `ExceptionKey::new(node, property)` (the store's stable property hash) to
//! `(property name, exception)` and compare the name on a get, which is the store's work
//! without its shards and locks. The seed declares `Throughput::Elements(size)` although an
//! iteration performs `min(size, 100)` operations; here the throughput counts the operations
//! performed, so per-element figures are per operation.
//!
//! The four bodies the scorecard's ratio rows compare (`add_to_store`, `get_from_store`,
//! `add_to_hashmap`, `get_from_hashmap`) are functions that the `paired_ratios` step times
//! too, in alternation.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{BenchmarkId, Throughput};
use dashmap::DashMap;

use bench_harness::suite::{
    DASHMAP_ADD, DASHMAP_GET, HASHMAP_ADD, HASHMAP_GET, STORE_ADD, STORE_GET, STORE_GROUP,
    STORE_OPS_PER_ITERATION, STORE_SIZES,
};
use bench_harness::{RoutineCost, store_exception};
use llmkg::core::NodeId;
use llmkg::exceptions::{Exception, ExceptionKey, ExceptionStore};

use crate::Context;

/// The anchors' map: the store's key, the property name and the exception.
pub type AnchorMap = HashMap<ExceptionKey, (String, Exception)>;
type AnchorDashMap = DashMap<ExceptionKey, (String, Exception)>;

pub fn register(c: &mut crate::Suite, context: &Context) {
    if !context.wants(STORE_GROUP) {
        return;
    }
    let mut group = context.group(c, STORE_GROUP, RoutineCost::Light);
    for size in STORE_SIZES {
        let store = ExceptionStore::new();
        let exceptions: Vec<_> = (0..size as u64).map(store_exception).collect();
        let operations = size.min(STORE_OPS_PER_ITERATION);
        let touched = iteration_records(&exceptions, size);
        group.throughput(Throughput::Elements(operations as u64));

        group.bench_with_input(BenchmarkId::new(STORE_ADD, size), &size, |b, _| {
            b.iter(|| add_to_store(&store, touched));
        });
        add_to_store(&store, &exceptions);
        group.bench_with_input(BenchmarkId::new(STORE_GET, size), &size, |b, _| {
            b.iter(|| get_from_store(&store, touched));
        });

        let mut map = AnchorMap::new();
        group.bench_with_input(BenchmarkId::new(HASHMAP_ADD, size), &size, |b, _| {
            b.iter(|| add_to_hashmap(&mut map, touched));
        });
        add_to_hashmap(&mut map, &exceptions);
        group.bench_with_input(BenchmarkId::new(HASHMAP_GET, size), &size, |b, _| {
            b.iter(|| get_from_hashmap(&map, touched));
        });

        let dashmap = AnchorDashMap::new();
        group.bench_with_input(BenchmarkId::new(DASHMAP_ADD, size), &size, |b, &size| {
            b.iter(|| {
                for (node_id, prop, exception) in &exceptions[0..size.min(100)] {
                    let key = ExceptionKey::new(*node_id, prop);
                    dashmap.insert(key, (prop.clone(), exception.clone()));
                }
            });
        });
        for (node_id, prop, exception) in &exceptions {
            dashmap.insert(
                ExceptionKey::new(*node_id, prop),
                (prop.clone(), exception.clone()),
            );
        }
        group.bench_with_input(BenchmarkId::new(DASHMAP_GET, size), &size, |b, &size| {
            b.iter(|| {
                for (node_id, prop, _) in &exceptions[0..size.min(100)] {
                    let key = ExceptionKey::new(*node_id, prop);
                    black_box(
                        dashmap
                            .get(&key)
                            .and_then(|entry| (entry.0 == *prop).then(|| entry.1.clone())),
                    );
                }
            });
        });
    }
    group.finish();
}

/// One record as the seed's store benches hold it: node, property name, exception.
pub type Record = (NodeId, String, Exception);

/// The records one iteration touches: the seed's first `min(size, 100)`.
pub fn iteration_records(records: &[Record], size: usize) -> &[Record] {
    &records[..size.min(STORE_OPS_PER_ITERATION).min(records.len())]
}

/// The store add's body (and the fill before the gets): add a clone of every record.
pub fn add_to_store(store: &ExceptionStore, records: &[Record]) {
    for (node_id, prop, exception) in records {
        store
            .add_exception(*node_id, prop.clone(), exception.clone())
            .expect("valid exception");
    }
}

/// The store get's body: get (a clone of) every record's exception.
pub fn get_from_store(store: &ExceptionStore, records: &[Record]) {
    for (node_id, prop, _) in records {
        black_box(store.get_exception(*node_id, prop));
    }
}

/// The anchor add's body: the store add's work on a plain `HashMap`.
pub fn add_to_hashmap(map: &mut AnchorMap, records: &[Record]) {
    for (node_id, prop, exception) in records {
        let key = ExceptionKey::new(*node_id, prop);
        map.insert(key, (prop.clone(), exception.clone()));
    }
}

/// The anchor get's body: the store get's work on a plain `HashMap`.
pub fn get_from_hashmap(map: &AnchorMap, records: &[Record]) {
    for (node_id, prop, _) in records {
        black_box(hashmap_get(map, *node_id, prop));
    }
}

/// The anchor's get: hash the name, find the key, check the name, clone the exception.
pub fn hashmap_get(map: &AnchorMap, node_id: NodeId, prop: &str) -> Option<Exception> {
    map.get(&ExceptionKey::new(node_id, prop))
        .filter(|(name, _)| name == prop)
        .map(|(_, exception)| exception.clone())
}
