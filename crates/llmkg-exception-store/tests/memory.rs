//! Measured memory of the store: real heap bytes from the counting allocator.
//!
//! Runs without libtest's harness so that no other test thread allocates while it measures.

use std::time::Instant;

use llmkg_core::{NodeId, PropertyValue};
use llmkg_counting_alloc::CountingAllocator;
use llmkg_exception::{Exception, ExceptionSource};
use llmkg_exception_store::ExceptionStore;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

/// The seed's memory benchmark shape: every string distinct.
fn seed_exception(i: usize) -> Exception {
    Exception {
        inherited_value: PropertyValue::String(format!("inherited_{i}")),
        actual_value: PropertyValue::String(format!("actual_{i}")),
        reason: format!("Reason {i}"),
        source: ExceptionSource::Detected,
        created_at: Instant::now(),
        confidence: 0.8,
    }
}

/// Bytes per exception of a store filled like the seed's memory bench, and the store's own
/// accounting of the same content.
fn measure(size: usize) -> (f64, f64) {
    let before = ALLOCATOR.snapshot();
    let store = ExceptionStore::new();
    for i in 0..size {
        store
            .add_exception(NodeId(i as u64), format!("prop_{i}"), seed_exception(i))
            .expect("valid exception");
    }
    let measured = ALLOCATOR.snapshot().since(&before).current_bytes as f64;
    let reported = store.statistics().heap_bytes as f64;
    drop(store);
    (measured / size as f64, reported / size as f64)
}

fn seed_memory_bench_is_under_500_bytes_per_exception() {
    for size in [1_000, 10_000, 100_000] {
        let (measured, reported) = measure(size);
        println!("{size} exceptions: {measured:.1} B/exception measured, {reported:.1} reported");
        assert!(measured < 500.0, "{measured} B/exception at {size}");
        // The store's own figure comes from real capacities; it must agree with the allocator.
        let relative_error = (reported - measured).abs() / measured;
        assert!(
            relative_error < 0.05,
            "statistics say {reported:.1} B/exception, allocator measured {measured:.1}"
        );
    }
}

fn adds_allocate_nothing_beyond_what_the_caller_hands_in() {
    let store = ExceptionStore::new();
    let n = 20_000usize;
    let mut batch: Vec<(NodeId, String, Exception)> = (0..n)
        .map(|i| (NodeId(i as u64), "test_prop".to_owned(), seed_exception(i)))
        .collect();
    // First pass grows the tables.
    for (node, name, exception) in batch.drain(..) {
        store.add_exception(node, name, exception).expect("valid");
    }
    // Replacing existing entries must not allocate at all.
    let batch: Vec<(NodeId, String, Exception)> = (0..n)
        .map(|i| (NodeId(i as u64), "test_prop".to_owned(), seed_exception(i)))
        .collect();
    let before = ALLOCATOR.snapshot();
    for (node, name, exception) in batch {
        store.add_exception(node, name, exception).expect("valid");
    }
    let delta = ALLOCATOR.snapshot().since(&before);
    println!(
        "replacing {n} exceptions: {} allocations",
        delta.allocations
    );
    assert_eq!(delta.allocations, 0);
    // New entries: only amortised table growth.
    let batch: Vec<(NodeId, String, Exception)> = (n..2 * n)
        .map(|i| (NodeId(i as u64), "test_prop".to_owned(), seed_exception(i)))
        .collect();
    let before = ALLOCATOR.snapshot();
    for (node, name, exception) in batch {
        store.add_exception(node, name, exception).expect("valid");
    }
    let delta = ALLOCATOR.snapshot().since(&before);
    let per_add = (delta.allocations + delta.reallocations) as f64 / n as f64;
    println!("adding {n} new exceptions: {per_add:.3} allocations per add");
    assert!(per_add < 0.1, "{per_add} allocations per add");
}

/// Loading a snapshot of the smallest entries a file can hold (Null values, empty reasons,
/// a one-letter name) takes heap a bounded multiple of the file's size: the decoded entries
/// and the shards built from them, never more.
fn loading_a_snapshot_takes_heap_a_bounded_multiple_of_the_file() {
    const ENTRIES: u64 = 50_000;
    /// Bytes of peak heap per byte of file: decoding turns each ~16-byte entry into an
    /// owned tuple of about 150 bytes, then the shards copy it once more.
    const MAX_PEAK_PER_FILE_BYTE: usize = 32;
    let store = ExceptionStore::new();
    for node in 0..ENTRIES {
        let exception = Exception::new(
            PropertyValue::Null,
            PropertyValue::Null,
            "",
            ExceptionSource::Explicit,
            1.0,
        );
        store
            .add_exception(NodeId(node), "p".to_owned(), exception)
            .expect("valid");
    }
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("small-entries.snapshot");
    store.save(&path).expect("save");
    drop(store);
    let file_bytes = std::fs::metadata(&path).expect("file").len() as usize;
    ALLOCATOR.reset_peak();
    let start = ALLOCATOR.snapshot();
    let loaded = ExceptionStore::load(&path).expect("load");
    let peak = ALLOCATOR.snapshot().since(&start).peak_bytes_above_start;
    println!(
        "loading {ENTRIES} minimal entries: file {file_bytes} B, peak {peak} B ({:.1}x)",
        peak as f64 / file_bytes as f64
    );
    assert_eq!(loaded.len() as u64, ENTRIES);
    assert!(
        peak <= MAX_PEAK_PER_FILE_BYTE * file_bytes,
        "load took {peak} B of heap for a {file_bytes} B file"
    );
}

fn main() {
    seed_memory_bench_is_under_500_bytes_per_exception();
    adds_allocate_nothing_beyond_what_the_caller_hands_in();
    loading_a_snapshot_takes_heap_a_bounded_multiple_of_the_file();
    println!("3 passed, 0 failed");
}
