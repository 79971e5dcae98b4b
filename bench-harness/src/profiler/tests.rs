//! The profiler without a counting allocator: the system allocator's statistics stand in.

use std::hint::black_box;

use super::{MemorySource, PerformanceProfiler};

/// Issue 11: without a counting allocator the seed's memory bench had no readings at all.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn without_a_counting_allocator_the_system_allocator_is_read() {
    let mut profiler = PerformanceProfiler::new();
    assert_eq!(profiler.memory_source(), MemorySource::SystemAllocator);
    assert!(!profiler.measures_memory());
    profiler.memory_checkpoint("baseline");
    // Touched, so the pages are really the process's; large, so other tests' noise is small.
    let block = black_box(vec![1_u8; 16 << 20]);
    profiler.memory_checkpoint("allocated");
    drop(block);
    profiler.memory_checkpoint("freed");
    let report = profiler.finish();
    assert_eq!(report.memory_source, MemorySource::SystemAllocator);
    let usage = &report.memory_usage;
    assert_eq!(usage.len(), 3);
    assert!(usage[1].1 >= usage[0].1 + (15 << 20), "{usage:?}");
    assert!(usage[2].1 + (15 << 20) <= usage[1].1, "{usage:?}");
    assert_eq!(
        report.peak_memory,
        usage[1].1.max(usage[0].1).max(usage[2].1)
    );
    assert_eq!(report.measured_memory_usage().unwrap(), &usage[..]);
    assert!(report.to_string().contains("system allocator statistics"));
}
