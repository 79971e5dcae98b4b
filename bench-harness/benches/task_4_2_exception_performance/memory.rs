//! `memory_usage`: the seed's memory bench (a store of 1,000 and 10,000 exceptions with string
//! values, asserting < 500 B per exception from the counting allocator), and the optimizer's
//! footprint against a naive `HashMap` of the same exceptions.
//!
//! Before timing, each benchmark measures once and writes its figures to
//! `target/llmkg-bench/measurements/` for the criteria evaluation; the measurement and the
//! assertion also run in test mode.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use criterion::{BenchmarkId, Throughput};

use bench_harness::suite::{MEMORY_EFFICIENCY, MEMORY_GROUP, MEMORY_SIZES, OPTIMIZER_MEMORY_SIZE};
use bench_harness::{
    MemoryMeasurement, PerformanceProfiler, RoutineCost, SuiteMeasurement, TEST_MODE_MAX_SIZE,
    measurements_dir, memory_exception, optimizer_exception, registered_allocator,
};
use llmkg::exceptions::{Exception, ExceptionKey, ExceptionStore, StorageOptimizer};

use crate::Context;

/// The seed's bar.
const MAX_BYTES_PER_EXCEPTION: f64 = 500.0;

/// Benchmark function of the optimizer footprint measurement.
const OPTIMIZER_FOOTPRINT: &str = "optimizer_vs_naive";

pub fn register(c: &mut crate::Suite, context: &Context) -> anyhow::Result<()> {
    if !context.wants(MEMORY_GROUP) {
        return Ok(());
    }
    let mut group = context.group(c, MEMORY_GROUP, RoutineCost::Heavy);
    for data_size in MEMORY_SIZES {
        let measured = OnceCell::new();
        group.throughput(Throughput::Elements(data_size as u64));
        group.bench_with_input(
            BenchmarkId::new(MEMORY_EFFICIENCY, data_size),
            &data_size,
            |b, &size| {
                measured.get_or_init(|| write_store_measurement(size));
                b.iter_custom(|iters| {
                    SuiteMeasurement.custom(|| {
                        let mut total_duration = Duration::new(0, 0);
                        for _ in 0..iters {
                            total_duration += seed_memory_iteration(size).0;
                        }
                        total_duration
                    })
                });
            },
        );
        if let Some(result) = measured.into_inner() {
            result.with_context(|| format!("measuring store memory at {data_size}"))?;
        }
    }

    let size = if context.mode.includes_size(OPTIMIZER_MEMORY_SIZE) {
        OPTIMIZER_MEMORY_SIZE
    } else {
        TEST_MODE_MAX_SIZE
    };
    let data: Vec<(ExceptionKey, Exception)> = (0..size as u64).map(optimizer_exception).collect();
    let measured = OnceCell::new();
    group.throughput(Throughput::Elements(size as u64));
    group.bench_with_input(
        BenchmarkId::new(OPTIMIZER_FOOTPRINT, size),
        &size,
        |b, _| {
            measured.get_or_init(|| measure_optimizer(&data));
            // The two containers are dropped after the clock.
            b.iter_with_large_drop(|| {
                let (naive, optimizer) = build_both(&data);
                black_box((naive.len(), optimizer.len()));
                (naive, optimizer)
            });
        },
    );
    if let Some(result) = measured.into_inner() {
        result.context("measuring optimizer memory")?;
    }
    group.finish();
    Ok(())
}

/// One iteration of the seed's memory bench, with its assertion; returns the time it took and
/// the heap growth per exception (records built inside the span, as the seed does).
fn seed_memory_iteration(size: usize) -> (Duration, f64) {
    let start = Instant::now();
    let store = ExceptionStore::new();
    let mut profiler = PerformanceProfiler::new();
    profiler.memory_checkpoint("baseline");
    for i in 0..size {
        let (node_id, property, exception) = memory_exception(i as u64);
        store
            .add_exception(node_id, property, exception)
            .expect("valid exception");
        if i % (size / 10) == 0 {
            profiler.memory_checkpoint(&format!("after_{i}_exceptions"));
        }
    }
    profiler.memory_checkpoint("final");
    let report = profiler.finish();
    let memory_per_exception = report
        .growth_per_item(size)
        .expect("the bench binary registers its counting allocator");
    assert!(
        memory_per_exception < MAX_BYTES_PER_EXCEPTION,
        "Memory usage too high: {memory_per_exception} bytes per exception"
    );
    let elapsed = start.elapsed();
    drop(black_box(store));
    (elapsed, memory_per_exception)
}

/// The seed's memory bench run once, its heap growth written for the criteria.
fn write_store_measurement(size: usize) -> anyhow::Result<()> {
    let (_, per_exception) = seed_memory_iteration(size);
    let heap_bytes = (per_exception * size as f64).round().max(0.0) as u64;
    MemoryMeasurement::store(size as u64, heap_bytes)?.write_to(&measurements_dir())?;
    Ok(())
}

fn build_both(
    data: &[(ExceptionKey, Exception)],
) -> (HashMap<ExceptionKey, Exception>, StorageOptimizer) {
    let naive: HashMap<ExceptionKey, Exception> = data.iter().cloned().collect();
    let mut optimizer = StorageOptimizer::new(data.len());
    for (key, exception) in data {
        optimizer
            .store_exception(*key, exception.clone())
            .expect("valid exception");
    }
    optimizer.optimize_storage();
    (naive, optimizer)
}

/// Heap bytes of a naive map against the optimized optimizer, both measured by the allocator.
fn measure_optimizer(data: &[(ExceptionKey, Exception)]) -> anyhow::Result<()> {
    let allocator = registered_allocator().context("no counting allocator registered")?;
    let before = allocator.snapshot();
    let naive: HashMap<ExceptionKey, Exception> = data.iter().cloned().collect();
    let naive_bytes = allocator.snapshot().since(&before).current_bytes;
    drop(black_box(naive));

    let before = allocator.snapshot();
    let mut optimizer = StorageOptimizer::new(data.len());
    for (key, exception) in data {
        optimizer.store_exception(*key, exception.clone())?;
    }
    optimizer.optimize_storage();
    let optimized_bytes = allocator.snapshot().since(&before).current_bytes;
    drop(black_box(optimizer));

    let measurement = MemoryMeasurement::optimizer(
        data.len() as u64,
        u64::try_from(naive_bytes).unwrap_or(0),
        u64::try_from(optimized_bytes).unwrap_or(0),
    )?;
    measurement.write_to(&measurements_dir())?;
    Ok(())
}
