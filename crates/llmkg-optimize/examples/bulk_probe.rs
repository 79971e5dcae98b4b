//! Steady-state `bulk_retrieve` of the seed's 1,000 keys, for profiling under callgrind.
//!
//! `cargo build --release --example bulk_probe -p llmkg-optimize`, then
//! `bulk_probe ROWS (opt|tail) CALLS`: fills an optimizer with the seed's `ROWS` exceptions
//! of the storage bench, optimizes it (`opt`, the order of a full suite run) or leaves every
//! row in the write tail (`tail`, what a filter naming only `bulk_retrieve` measures), warms
//! up with three calls, then makes `CALLS` calls in `measured` and prints the mean time per
//! call. `valgrind --tool=callgrind --toggle-collect=bulk_probe::measured` counts the
//! instructions of those calls alone, with the heap in the state repeated calls leave it in
//! (a Criterion test-mode run counts one call, right after setup). The counting allocator
//! is the global allocator, as in the bench binary.

use std::hint::black_box;
use std::time::Instant;

use llmkg_core::{NodeId, PropertyValue};
use llmkg_counting_alloc::CountingAllocator;
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
use llmkg_optimize::StorageOptimizer;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

const USAGE: &str = "usage: bulk_probe ROWS (opt|tail) CALLS";

fn calls(optimizer: &StorageOptimizer, keys: &[ExceptionKey], count: usize) {
    for _ in 0..count {
        black_box(
            optimizer
                .bulk_retrieve(black_box(keys))
                .expect("bulk retrieve"),
        );
    }
}

#[inline(never)]
fn warm(optimizer: &StorageOptimizer, keys: &[ExceptionKey]) {
    calls(optimizer, keys, 3);
}

#[inline(never)]
fn measured(optimizer: &StorageOptimizer, keys: &[ExceptionKey], count: usize) {
    calls(optimizer, keys, count);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, rows, mode, count] = args.as_slice() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let rows: u64 = rows.parse().expect(USAGE);
    let count: usize = count.parse().expect(USAGE);
    let mut optimizer = StorageOptimizer::new(rows as usize);
    let mut keys = Vec::new();
    for i in 0..rows {
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
        optimizer
            .store_exception(key, exception)
            .expect("valid exception");
        if keys.len() < 1000 {
            keys.push(key);
        }
    }
    match mode.as_str() {
        "opt" => {
            optimizer.optimize_storage();
        }
        "tail" => {}
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
    warm(&optimizer, &keys);
    let started = Instant::now();
    measured(&optimizer, &keys, count);
    let per_call = started.elapsed().as_secs_f64() * 1e6 / count.max(1) as f64;
    println!("{per_call:.1} us per call");
}
