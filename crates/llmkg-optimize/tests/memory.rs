//! Measures real heap bytes with the counting allocator: a naive `HashMap` against the
//! optimizer holding the same 100,000 exceptions of the seed's storage-bench shape.
//!
//! This binary has no libtest harness: the allocator's counters are process-wide, so each
//! measurement runs alone on the main thread.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use llmkg_core::{NodeId, PropertyValue};
use llmkg_counting_alloc::CountingAllocator;
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
use llmkg_optimize::StorageOptimizer;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

const N_EXCEPTIONS: u64 = 100_000;

/// The optimizer must hold less than this fraction of the naive map's bytes.
const MAX_FRACTION_OF_NAIVE: f64 = 0.30;

/// How far the optimizer's own heap figure may stray from the allocator's measurement.
/// Both count requested bytes of the same buffers, so they agree exactly in practice; the
/// tolerance only absorbs a stray allocation by the runtime during a measurement.
const REPORTED_TOLERANCE: f64 = 0.001;

fn seed_data() -> Vec<(ExceptionKey, Exception)> {
    (0..N_EXCEPTIONS)
        .map(|i| {
            let key = ExceptionKey {
                node_id: NodeId(i),
                property_hash: i % 100,
            };
            let exception = Exception {
                inherited_value: PropertyValue::String("default".to_string()),
                actual_value: PropertyValue::String(format!("value_{i}")),
                reason: "Test exception".to_string(),
                source: ExceptionSource::Detected,
                created_at: Instant::now(),
                confidence: 0.8,
            };
            (key, exception)
        })
        .collect()
}

fn assert_close(label: &str, reported: usize, measured: usize) {
    let difference = reported.abs_diff(measured) as f64 / measured.max(1) as f64;
    println!(
        "{label}: reported {reported} B, measured {measured} B, off by {:.4} %",
        difference * 100.0
    );
    assert!(
        difference <= REPORTED_TOLERANCE,
        "{label}: reported {reported} B but the allocator measured {measured} B"
    );
}

fn main() {
    // The first print allocates stdout's line buffer; do it before anything is measured.
    println!("measuring {N_EXCEPTIONS} exceptions of the seed's storage-bench shape");
    let data = seed_data();
    let n = data.len() as f64;

    // (a) The naive layout: every exception owned whole in a hash map.
    let before = ALLOCATOR.snapshot();
    let mut naive: HashMap<ExceptionKey, Exception> = HashMap::new();
    for (key, exception) in &data {
        naive.insert(*key, exception.clone());
    }
    let naive_bytes = ALLOCATOR.snapshot().since(&before).current_bytes as usize;
    drop(black_box(naive));

    // (b) The optimizer, before and after merging its write tail.
    let before = ALLOCATOR.snapshot();
    let mut optimizer = StorageOptimizer::new(data.len());
    for (key, exception) in &data {
        optimizer
            .store_exception(*key, exception.clone())
            .expect("valid exception");
    }
    let tail_bytes = ALLOCATOR.snapshot().since(&before).current_bytes as usize;
    assert_close(
        "optimizer before optimize",
        optimizer.heap_bytes(),
        tail_bytes,
    );
    ALLOCATOR.reset_peak();
    let peak_start = ALLOCATOR.snapshot();
    let results = optimizer.optimize_storage();
    let after = ALLOCATOR.snapshot();
    let optimized_bytes = after.since(&before).current_bytes as usize;
    let optimize_peak = after.since(&peak_start).peak_bytes_above_start;
    assert_close(
        "optimizer after optimize",
        optimizer.heap_bytes(),
        optimized_bytes,
    );
    assert_close(
        "OptimizationResults::bytes_after",
        results.bytes_after,
        optimized_bytes,
    );
    assert_close(
        "OptimizationResults::bytes_before",
        results.bytes_before,
        tail_bytes,
    );

    let fraction = optimized_bytes as f64 / naive_bytes as f64;
    println!(
        "naive HashMap: {naive_bytes} B = {:.1} B/exception",
        naive_bytes as f64 / n
    );
    println!(
        "optimizer tail before optimize: {tail_bytes} B = {:.1} B/exception",
        tail_bytes as f64 / n
    );
    println!(
        "optimizer after optimize: {optimized_bytes} B = {:.1} B/exception, {:.1} % of naive ({:.1} % saved)",
        optimized_bytes as f64 / n,
        fraction * 100.0,
        (1.0 - fraction) * 100.0
    );
    println!("transient peak above the tail during optimize_storage: {optimize_peak} B");
    println!(
        "optimize_storage took {:?} (debug build unless run with --release)",
        results.duration
    );
    assert!(
        fraction < MAX_FRACTION_OF_NAIVE,
        "optimizer holds {optimized_bytes} B, {:.1} % of the naive {naive_bytes} B",
        fraction * 100.0
    );

    // The compact form still answers exactly.
    for (key, expected) in data.iter().step_by(997) {
        let found = optimizer
            .retrieve_exception(key)
            .expect("retrieve")
            .expect("present");
        assert_eq!(&found, expected);
        assert_eq!(found.created_at, expected.created_at);
    }

    // Reading does not allocate inside the optimizer beyond the returned values.
    let keys: Vec<ExceptionKey> = data.iter().take(1000).map(|(key, _)| *key).collect();
    let before_read = ALLOCATOR.snapshot();
    let found = optimizer.bulk_retrieve(&keys).expect("bulk retrieve");
    let read = ALLOCATOR.snapshot().since(&before_read);
    // One result vector, plus three strings per exception.
    assert_eq!(read.allocations, 1 + 3 * 1000, "{read:?}");
    drop(found);
    println!("memory checks passed");
}
