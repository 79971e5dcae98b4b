//! Minimal optimizer benches; they vary the number of stored exceptions (`data_size`).
//!
//! `storage_optimization` is the seed's own bench code (only `black_box` comes from
//! `std::hint`), so it also proves the seed compiles against this crate. `optimizer_reads`
//! adds single-key reads, the indexed queries and a plain `HashMap` doing the same bulk read
//! as a baseline. The full suite lives in bench-harness.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
use llmkg_optimize::StorageOptimizer;

const DATA_SIZES: [u64; 3] = [1000, 10000, 100000];
const BULK_KEYS: usize = 1000;

fn seed_exceptions(data_size: u64) -> Vec<(ExceptionKey, Exception)> {
    (0..data_size)
        .map(|i| {
            let key = ExceptionKey {
                node_id: NodeId(i),
                property_hash: i % 100, // Create similarity for compression
            };
            let exception = Exception {
                inherited_value: PropertyValue::String("default".to_string()),
                actual_value: PropertyValue::String(format!("value_{}", i)),
                reason: "Test exception".to_string(),
                source: ExceptionSource::Detected,
                created_at: Instant::now(),
                confidence: 0.8,
            };
            (key, exception)
        })
        .collect()
}

// The seed discards `bulk_retrieve`'s `Result` inside `black_box(...)`; the lint is allowed
// here rather than editing the seed's lines.
#[allow(unused_must_use)]
fn bench_storage_optimization(c: &mut Criterion) {
    let mut group = c.benchmark_group("optimize_crate");

    for data_size in DATA_SIZES.iter() {
        let mut optimizer = StorageOptimizer::new(*data_size as usize);

        // Pre-populate with data
        let exceptions = seed_exceptions(*data_size);

        for (key, exception) in &exceptions {
            optimizer.store_exception(*key, exception.clone()).unwrap();
        }

        group.throughput(Throughput::Elements(*data_size));

        // Benchmark optimization operations
        group.bench_with_input(
            BenchmarkId::new("optimize_storage", data_size),
            data_size,
            |b, _| {
                b.iter(|| {
                    black_box(optimizer.optimize_storage());
                });
            },
        );

        // Benchmark bulk operations
        let test_keys: Vec<_> = exceptions.iter().take(1000).map(|(k, _)| *k).collect();
        group.bench_with_input(
            BenchmarkId::new("bulk_retrieve", data_size),
            data_size,
            |b, _| {
                b.iter(|| {
                    black_box(optimizer.bulk_retrieve(black_box(&test_keys)));
                });
            },
        );
    }

    group.finish();
}

/// Keys spread over the whole key space, in a scrambled order, so reads are not sequential.
fn scattered_keys(data_size: u64) -> Vec<ExceptionKey> {
    (0..BULK_KEYS as u64)
        .map(|i| {
            let node = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) % data_size;
            ExceptionKey {
                node_id: NodeId(node),
                property_hash: node % 100,
            }
        })
        .collect()
}

fn bench_optimizer_reads(c: &mut Criterion) {
    let mut group = c.benchmark_group("optimizer_reads");
    for &data_size in DATA_SIZES.iter() {
        let exceptions = seed_exceptions(data_size);
        let naive: HashMap<ExceptionKey, Exception> = exceptions.iter().cloned().collect();
        let mut optimizer = StorageOptimizer::new(0);
        optimizer.bulk_store(exceptions).unwrap();
        optimizer.optimize_storage();
        let keys = scattered_keys(data_size);

        group.throughput(Throughput::Elements(BULK_KEYS as u64));
        group.bench_with_input(
            BenchmarkId::new("bulk_retrieve_scattered", data_size),
            &keys,
            |b, keys| b.iter(|| black_box(optimizer.bulk_retrieve(black_box(keys)))),
        );
        group.bench_with_input(
            BenchmarkId::new("naive_hashmap_bulk_get_scattered", data_size),
            &keys,
            |b, keys| {
                b.iter(|| {
                    black_box(
                        keys.iter()
                            .map(|key| naive.get(key).cloned())
                            .collect::<Vec<_>>(),
                    )
                })
            },
        );

        group.throughput(Throughput::Elements(1));
        group.bench_with_input(
            BenchmarkId::new("retrieve_exception", data_size),
            &keys[BULK_KEYS / 2],
            |b, key| b.iter(|| black_box(optimizer.retrieve_exception(black_box(key)))),
        );
        group.bench_with_input(
            BenchmarkId::new("by_property", data_size),
            &17_u64,
            |b, &property| b.iter(|| black_box(optimizer.by_property(black_box(property)))),
        );
        group.bench_with_input(
            BenchmarkId::new("by_confidence_range_empty", data_size),
            &(0.1_f32, 0.5_f32),
            |b, &(min, max)| b.iter(|| black_box(optimizer.by_confidence_range(min, max))),
        );
    }
    group.finish();
}

fn short_config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = short_config();
    targets = bench_storage_optimization, bench_optimizer_reads
}
criterion_main!(benches);
