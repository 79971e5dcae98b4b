//! Throwaway profiling probe (not committed): steady-state bulk_retrieve under callgrind.
use std::hint::black_box;
use std::time::Instant;

use llmkg_core::{NodeId, PropertyValue};
use llmkg_counting_alloc::CountingAllocator;
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
use llmkg_optimize::StorageOptimizer;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

#[inline(never)]
fn warm(optimizer: &StorageOptimizer, keys: &[ExceptionKey], rounds: usize) {
    for _ in 0..rounds {
        black_box(optimizer.bulk_retrieve(black_box(keys)).unwrap());
    }
}

#[inline(never)]
fn measured(optimizer: &StorageOptimizer, keys: &[ExceptionKey], rounds: usize) {
    for _ in 0..rounds {
        black_box(optimizer.bulk_retrieve(black_box(keys)).unwrap());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let size: u64 = args[1].parse().unwrap();
    let optimize = args[2] == "opt";
    let rounds: usize = args[3].parse().unwrap();
    let mut optimizer = StorageOptimizer::new(size as usize);
    let mut keys = Vec::new();
    for i in 0..size {
        let key = ExceptionKey {
            node_id: NodeId(i),
            property_hash: i % 100,
        };
        let exception = Exception {
            inherited_value: PropertyValue::String("default".to_string()),
            actual_value: PropertyValue::String(format!("value_{}", i)),
            reason: "Test exception".to_string(),
            source: ExceptionSource::Detected,
            created_at: Instant::now(),
            confidence: 0.8,
        };
        optimizer.store_exception(key, exception).unwrap();
        if keys.len() < 1000 {
            keys.push(key);
        }
    }
    if optimize {
        optimizer.optimize_storage();
    }
    warm(&optimizer, &keys, 3);
    let started = Instant::now();
    measured(&optimizer, &keys, rounds);
    eprintln!(
        "{:.1} us per call",
        started.elapsed().as_secs_f64() * 1e6 / rounds as f64
    );
}
