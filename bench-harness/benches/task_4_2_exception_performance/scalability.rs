//! `scalability`: per-operation cost as the data grows, for the growth exponents.
//!
//! `store_get/{n}` and `std_hashmap_get/{n}` do 100 gets at scattered (seeded) keys of a
//! store or map of `n` records; `store_add/{n}` adds 100 new keys to a store of `n` and removes
//! them again outside the timing; `detect_node_exceptions/{n}` detects on one node of `n`
//! properties. Inputs are built lazily, once, the first time their benchmark runs, so a
//! filtered run builds only what it measures.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Throughput};

use bench_harness::suite::{
    SCALABILITY_GROUP, SCALING_DETECT, SCALING_DETECT_SIZES, SCALING_HASHMAP_GET,
    SCALING_OPS_PER_ITERATION, SCALING_STORE_ADD, SCALING_STORE_GET, SCALING_STORE_SIZES,
};
use bench_harness::{
    RoutineCost, SuiteMeasurement, generate_test_nodes, scattered_indices, store_exception,
};
use llmkg::core::NodeId;
use llmkg::exceptions::{Exception, ExceptionDetector, ExceptionKey, ExceptionStore};

use crate::Context;
use crate::detection::inherited_true;

/// Seed of the scattered lookup order.
const LOOKUP_SEED: u64 = 0x5EED_0001;

pub fn register(c: &mut crate::Suite, context: &Context) {
    if !context.wants(SCALABILITY_GROUP) {
        return;
    }
    let mut group = context.group(c, SCALABILITY_GROUP, RoutineCost::Light);
    group.throughput(Throughput::Elements(SCALING_OPS_PER_ITERATION as u64));
    for size in SCALING_STORE_SIZES {
        if !context.mode.includes_size(size) {
            continue;
        }
        let lookups: Vec<(NodeId, String)> =
            scattered_indices(size, SCALING_OPS_PER_ITERATION, LOOKUP_SEED)
                .into_iter()
                .map(|i| {
                    let (node_id, property, _) = store_exception(i as u64);
                    (node_id, property)
                })
                .collect();
        let store = OnceCell::new();
        let filled_store = || store.get_or_init(|| filled_store(size));

        group.bench_with_input(BenchmarkId::new(SCALING_STORE_GET, size), &size, |b, _| {
            let store = filled_store();
            b.iter(|| {
                for (node_id, property) in &lookups {
                    black_box(store.get_exception(*node_id, property));
                }
            });
        });

        let new_records: Vec<_> = (size..size + SCALING_OPS_PER_ITERATION)
            .map(|i| store_exception(i as u64))
            .collect();
        group.bench_with_input(BenchmarkId::new(SCALING_STORE_ADD, size), &size, |b, _| {
            let store = filled_store();
            b.iter_custom(|iters| {
                SuiteMeasurement.custom(|| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let batch = new_records.clone();
                        let started = Instant::now();
                        for (node_id, property, exception) in batch {
                            black_box(store.add_exception(node_id, property, exception))
                                .expect("valid exception");
                        }
                        total += started.elapsed();
                        for (node_id, property, _) in &new_records {
                            store.remove_exception(*node_id, property);
                        }
                    }
                    total
                })
            });
        });
        drop(store);

        let map = OnceCell::new();
        group.bench_with_input(
            BenchmarkId::new(SCALING_HASHMAP_GET, size),
            &size,
            |b, _| {
                let map = map.get_or_init(|| filled_map(size));
                b.iter(|| {
                    for (node_id, property) in &lookups {
                        black_box(crate::store::hashmap_get(map, *node_id, property));
                    }
                });
            },
        );
    }

    let detector = ExceptionDetector::new(0.8, 0.7);
    for properties in SCALING_DETECT_SIZES {
        if !context.mode.includes_size(properties) {
            continue;
        }
        let nodes = generate_test_nodes(1, properties);
        let inherited = inherited_true(properties);
        group.throughput(Throughput::Elements(properties as u64));
        group.bench_with_input(
            BenchmarkId::new(SCALING_DETECT, properties),
            &properties,
            |b, _| {
                b.iter(|| {
                    black_box(detector.detect_node_exceptions(black_box(&nodes[0]), &inherited))
                });
            },
        );
    }
    group.finish();
}

fn filled_store(size: usize) -> ExceptionStore {
    let store = ExceptionStore::new();
    for i in 0..size as u64 {
        let (node_id, property, exception) = store_exception(i);
        store
            .add_exception(node_id, property, exception)
            .expect("valid exception");
    }
    store
}

fn filled_map(size: usize) -> HashMap<ExceptionKey, (String, Exception)> {
    (0..size as u64)
        .map(|i| {
            let (node_id, property, exception) = store_exception(i);
            (ExceptionKey::new(node_id, &property), (property, exception))
        })
        .collect()
}
