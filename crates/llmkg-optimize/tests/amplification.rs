//! Amplification: a snapshot whose entries all share one large value must not cost memory per
//! entry, neither to save nor to load. Peak heap bytes are measured with the counting
//! allocator and held against the file's size.
//!
//! The file is the one a user makes: 400 exceptions whose actual value is the same 1 MiB
//! string. Saving dictionary-encodes it, so the file is about 1 MiB; before the fix, loading
//! copied the value for every entry (400 MiB for a 1 MiB file) and saving decoded every row.
//!
//! This binary has no libtest harness: the allocator's counters are process-wide, so each
//! measurement runs alone on the main thread.

use std::time::Instant;

use llmkg_core::{NodeId, PropertyValue};
use llmkg_counting_alloc::CountingAllocator;
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
use llmkg_optimize::StorageOptimizer;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

const VALUE_BYTES: usize = 1 << 20;
const ENTRIES: u64 = 400;

/// Peak heap bytes a save or a load may take, as a multiple of the file's size.
const MAX_PEAK_PER_FILE_BYTE: usize = 8;

fn main() {
    println!("{ENTRIES} exceptions sharing one {VALUE_BYTES}-byte value");
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("shared.snapshot");
    let shared = PropertyValue::String("x".repeat(VALUE_BYTES));
    let mut optimizer = StorageOptimizer::new(0);
    for node in 0..ENTRIES {
        let exception = Exception {
            inherited_value: PropertyValue::Null,
            actual_value: shared.clone(),
            reason: "shared".to_owned(),
            source: ExceptionSource::Detected,
            created_at: Instant::now(),
            confidence: 0.5,
        };
        let key = ExceptionKey {
            node_id: NodeId(node),
            property_hash: 7,
        };
        optimizer.store_exception(key, exception).expect("store");
        // Optimize as we go, so the optimizer itself holds the value once.
        if node % 50 == 49 {
            optimizer.optimize_storage();
        }
    }
    optimizer.optimize_storage();

    ALLOCATOR.reset_peak();
    let start = ALLOCATOR.snapshot();
    let started = Instant::now();
    optimizer.save(&path).expect("save");
    let save_time = started.elapsed();
    let save_peak = ALLOCATOR.snapshot().since(&start).peak_bytes_above_start;
    let file_bytes = std::fs::metadata(&path).expect("file").len() as usize;
    // Times are printed, never asserted (debug build unless run with --release).
    println!("file: {file_bytes} B, save peak above start: {save_peak} B in {save_time:?}");
    assert!(
        file_bytes < 2 * VALUE_BYTES,
        "the value is written once: {file_bytes} B"
    );
    assert!(
        save_peak <= MAX_PEAK_PER_FILE_BYTE * file_bytes,
        "save took {save_peak} B of heap for a {file_bytes} B file"
    );
    drop(optimizer);

    ALLOCATOR.reset_peak();
    let start = ALLOCATOR.snapshot();
    let started = Instant::now();
    let loaded = StorageOptimizer::load(&path).expect("load");
    let load_time = started.elapsed();
    let load_peak = ALLOCATOR.snapshot().since(&start).peak_bytes_above_start;
    println!("load peak above start: {load_peak} B in {load_time:?}");
    assert!(
        load_peak <= MAX_PEAK_PER_FILE_BYTE * file_bytes,
        "load took {load_peak} B of heap for a {file_bytes} B file"
    );
    assert_eq!(loaded.len() as u64, ENTRIES);
    assert!(
        loaded.heap_bytes() < 2 * file_bytes,
        "{}",
        loaded.heap_bytes()
    );
    let key = ExceptionKey {
        node_id: NodeId(ENTRIES - 1),
        property_hash: 7,
    };
    let found = loaded
        .retrieve_exception(&key)
        .expect("retrieve")
        .expect("present");
    assert_eq!(found.actual_value, shared);
    println!("amplification checks passed");
}
