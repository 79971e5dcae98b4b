//! `storage_optimization`: the optimizer holding 1,000, 10,000 and 100,000 exceptions.
//!
//! The seed's `optimize_storage` calls `optimize_storage` on the same optimizer every
//! iteration, so only the first call merges anything and the figure is that of the no-op
//! that follows. The corrected `optimize_storage_fresh` times the real merge on a freshly
//! filled optimizer each iteration (filled outside the timing). `bulk_retrieve` reads 1,000
//! keys from the optimized form, as it does after the seed's `optimize_storage`: the harness
//! optimizes once before timing it, so a filtered run (the gate, `--icount`) measures the same
//! code path as a full one instead of the unoptimized write tail.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Throughput};

use bench_harness::suite::{
    BULK_RETRIEVE, OPTIMIZATION_GROUP, OPTIMIZATION_SIZES, OPTIMIZE, OPTIMIZE_FRESH,
};
use bench_harness::{RoutineCost, optimizer_exception};
use llmkg::exceptions::{Exception, ExceptionKey, StorageOptimizer};

use crate::Context;

pub fn register(c: &mut crate::Suite, context: &Context) {
    if !context.wants(OPTIMIZATION_GROUP) {
        return;
    }
    let mut group = context.group(c, OPTIMIZATION_GROUP, RoutineCost::Light);
    for data_size in OPTIMIZATION_SIZES {
        if !context.mode.includes_size(data_size) {
            continue;
        }
        let mut optimizer = StorageOptimizer::new(data_size);
        let exceptions: Vec<_> = (0..data_size as u64).map(optimizer_exception).collect();
        for (key, exception) in &exceptions {
            optimizer
                .store_exception(*key, exception.clone())
                .expect("valid exception");
        }
        context.configure(&mut group, RoutineCost::Light);
        group.throughput(Throughput::Elements(data_size as u64));
        group.bench_with_input(BenchmarkId::new(OPTIMIZE, data_size), &data_size, |b, _| {
            b.iter(|| {
                black_box(optimizer.optimize_storage());
            });
        });

        let test_keys: Vec<_> = exceptions.iter().take(1000).map(|(k, _)| *k).collect();
        // A no-op when `optimize_storage` above already ran in this process.
        optimizer.optimize_storage();
        group.throughput(Throughput::Elements(test_keys.len() as u64));
        group.bench_with_input(
            BenchmarkId::new(BULK_RETRIEVE, data_size),
            &data_size,
            |b, _| {
                b.iter(|| {
                    black_box(
                        optimizer
                            .bulk_retrieve(black_box(&test_keys))
                            .expect("bulk retrieve"),
                    );
                });
            },
        );

        context.configure(&mut group, RoutineCost::Heavy);
        group.throughput(Throughput::Elements(data_size as u64));
        group.bench_with_input(
            BenchmarkId::new(OPTIMIZE_FRESH, data_size),
            &data_size,
            |b, &size| {
                b.iter_batched(
                    || filled(size, &exceptions),
                    |mut optimizer| {
                        black_box(optimizer.optimize_storage());
                        optimizer
                    },
                    BatchSize::PerIteration,
                );
            },
        );
    }
    group.finish();
}

fn filled(capacity: usize, exceptions: &[(ExceptionKey, Exception)]) -> StorageOptimizer {
    let mut optimizer = StorageOptimizer::new(capacity);
    for (key, exception) in exceptions {
        optimizer
            .store_exception(*key, exception.clone())
            .expect("valid exception");
    }
    optimizer
}
