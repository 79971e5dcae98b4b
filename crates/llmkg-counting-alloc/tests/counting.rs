//! Installs the counting allocator and checks its counts against known allocations.
//!
//! This binary has no libtest harness: the counters are process-wide, so the tests run one
//! after another on the main thread and no other thread allocates while one measures.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::thread;

use llmkg_counting_alloc::{CountingAllocator, PEAK_GRANULARITY_BYTES, SHARD_COUNT};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

const MEBIBYTE: usize = 1 << 20;

fn main() {
    let tests: [(&str, fn()); 7] = [
        (
            "one_mebibyte_vec_is_counted_and_released",
            one_mebibyte_vec_is_counted_and_released,
        ),
        (
            "realloc_counts_the_size_change",
            realloc_counts_the_size_change,
        ),
        (
            "four_threads_give_exact_totals",
            four_threads_give_exact_totals,
        ),
        (
            "more_threads_than_owned_shards_count_every_allocation",
            more_threads_than_owned_shards_count_every_allocation,
        ),
        ("peak_covers_a_released_spike", peak_covers_a_released_spike),
        (
            "peak_covers_concurrent_spikes",
            peak_covers_concurrent_spikes,
        ),
        (
            "short_lived_threads_do_not_drift",
            short_lived_threads_do_not_drift,
        ),
    ];
    for (name, test) in tests {
        test();
        println!("test {name} ... ok");
    }
    println!("{} counting-allocator tests passed", tests.len());
}

fn one_mebibyte_vec_is_counted_and_released() {
    let before = ALLOCATOR.snapshot();
    let buffer = black_box(vec![1_u8; MEBIBYTE]);
    let during = ALLOCATOR.snapshot();
    let grown = during.since(&before);
    assert!(grown.current_bytes >= MEBIBYTE as isize, "{grown:?}");
    assert!(grown.allocations >= 1, "{grown:?}");
    assert!(grown.allocated_bytes >= MEBIBYTE as u64, "{grown:?}");
    assert!(during.peak_bytes >= during.current_bytes, "{during:?}");
    drop(buffer);
    let after = ALLOCATOR.snapshot();
    assert_eq!(
        after.current_bytes, before.current_bytes,
        "{after:?} vs {before:?}"
    );
    assert_eq!(after.since(&during).deallocations, 1);
}

fn realloc_counts_the_size_change() {
    let mut buffer: Vec<u8> = Vec::with_capacity(100);
    let before = ALLOCATOR.snapshot();
    buffer.reserve_exact(1000);
    let after = ALLOCATOR.snapshot();
    assert_eq!(buffer.capacity(), 1000);
    let delta = after.since(&before);
    assert_eq!(delta.current_bytes, 900, "{delta:?}");
    assert_eq!(delta.reallocations, 1, "{delta:?}");
    assert_eq!(delta.allocations, 0, "{delta:?}");
    assert_eq!(delta.deallocations, 0, "{delta:?}");
    assert_eq!(delta.allocated_bytes, 900, "{delta:?}");
    // Shrinking hands nothing out: the cumulative count never decreases.
    buffer.shrink_to(10);
    assert_eq!(ALLOCATOR.snapshot().since(&after).allocated_bytes, 0);
    drop(black_box(buffer));
}

const THREADS: usize = 4;
const BLOCKS_PER_THREAD: usize = 1000;
const BLOCK_BYTES: usize = 48;

/// Runs four threads that each allocate `blocks` blocks and hold them until the main thread
/// has taken a snapshot, then free them; returns (held, after join) deltas from before spawn.
fn run_threads(
    blocks: usize,
) -> (
    llmkg_counting_alloc::SnapshotDelta,
    llmkg_counting_alloc::SnapshotDelta,
) {
    let allocated = Arc::new(Barrier::new(THREADS + 1));
    let measured = Arc::new(Barrier::new(THREADS + 1));
    let before = ALLOCATOR.snapshot();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let allocated = Arc::clone(&allocated);
            let measured = Arc::clone(&measured);
            thread::spawn(move || {
                let held: Vec<Box<[u8; BLOCK_BYTES]>> =
                    (0..blocks).map(|_| Box::new([7_u8; BLOCK_BYTES])).collect();
                allocated.wait();
                measured.wait();
                drop(black_box(held));
            })
        })
        .collect();
    allocated.wait();
    let held = ALLOCATOR.snapshot().since(&before);
    measured.wait();
    for handle in handles {
        handle.join().expect("a counting thread panicked");
    }
    let joined = ALLOCATOR.snapshot().since(&before);
    (held, joined)
}

fn four_threads_give_exact_totals() {
    // A control run with no blocks measures what spawning, the barriers and the holding
    // `Vec`s cost, so the difference is exactly the blocks.
    let (control_held, control_joined) = run_threads(0);
    let (held, joined) = run_threads(BLOCKS_PER_THREAD);
    let blocks = THREADS * BLOCKS_PER_THREAD;
    let vec_bytes = THREADS * BLOCKS_PER_THREAD * std::mem::size_of::<Box<[u8; BLOCK_BYTES]>>();
    assert_eq!(
        held.current_bytes - control_held.current_bytes,
        (blocks * BLOCK_BYTES + vec_bytes) as isize,
        "held {held:?} control {control_held:?}"
    );
    assert_eq!(
        held.allocations - control_held.allocations,
        blocks as u64 + THREADS as u64,
        "held {held:?} control {control_held:?}"
    );
    // After join everything the threads made is freed again.
    assert_eq!(
        joined.current_bytes, control_joined.current_bytes,
        "{joined:?}"
    );
    assert_eq!(joined.current_bytes, 0, "{joined:?}");
    assert_eq!(
        joined.deallocations - control_joined.deallocations,
        blocks as u64 + THREADS as u64
    );
}

fn more_threads_than_owned_shards_count_every_allocation() {
    // The first `SHARD_COUNT` threads of the process own a shard and count with plain
    // stores; the rest share shards and count with atomic adds, several threads on one
    // shard at once. Every block of every thread must be counted once. The window between
    // the snapshots holds only the threads' own work: they have all started before the
    // first and have not exited at the second.
    const MANY: usize = 2 * SHARD_COUNT + 3;
    const BLOCKS: usize = 200;
    let started = Arc::new(Barrier::new(MANY + 1));
    let go = Arc::new(Barrier::new(MANY + 1));
    let allocated = Arc::new(Barrier::new(MANY + 1));
    let handles: Vec<_> = (0..MANY)
        .map(|_| {
            let (started, go, allocated) = (
                Arc::clone(&started),
                Arc::clone(&go),
                Arc::clone(&allocated),
            );
            thread::spawn(move || {
                started.wait();
                go.wait();
                let held: Vec<Box<[u8; BLOCK_BYTES]>> =
                    (0..BLOCKS).map(|_| Box::new([7_u8; BLOCK_BYTES])).collect();
                allocated.wait();
                drop(black_box(held));
            })
        })
        .collect();
    started.wait();
    let before = ALLOCATOR.snapshot();
    go.wait();
    allocated.wait();
    let held = ALLOCATOR.snapshot().since(&before);
    for handle in handles {
        handle.join().expect("a counting thread panicked");
    }
    // One allocation per block and one per thread's holding `Vec`, exactly, and their bytes
    // whenever no exiting thread freed something inside the window.
    assert_eq!(held.allocations, (MANY * (BLOCKS + 1)) as u64, "{held:?}");
    if held.deallocations == 0 {
        let bytes = MANY * BLOCKS * (BLOCK_BYTES + std::mem::size_of::<Box<[u8; BLOCK_BYTES]>>());
        assert_eq!(held.current_bytes, bytes as isize, "{held:?}");
    }
}

fn peak_covers_a_released_spike() {
    ALLOCATOR.reset_peak();
    let before = ALLOCATOR.snapshot();
    assert_eq!(before.peak_bytes, before.current_bytes);
    let spike = black_box(vec![0_u8; 8 * MEBIBYTE]);
    drop(spike);
    let after = ALLOCATOR.snapshot();
    let delta = after.since(&before);
    // No reading happened during the spike, so the peak may be low by one granularity.
    assert!(
        delta.peak_bytes_above_start + PEAK_GRANULARITY_BYTES >= 8 * MEBIBYTE,
        "{delta:?}"
    );
    assert!(after.peak_bytes >= after.current_bytes);
    assert_eq!(delta.current_bytes, 0);
}

fn peak_covers_concurrent_spikes() {
    ALLOCATOR.reset_peak();
    let before = ALLOCATOR.snapshot();
    let all_allocated = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let all_allocated = Arc::clone(&all_allocated);
            thread::spawn(move || {
                // Many small blocks, so each thread's shard crosses the granularity many times.
                let held: Vec<Vec<u8>> = (0..1024).map(|_| vec![1_u8; 4096]).collect();
                all_allocated.wait();
                drop(black_box(held));
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a spike thread panicked");
    }
    let after = ALLOCATOR.snapshot();
    let delta = after.since(&before);
    let spike = THREADS * 1024 * 4096;
    // Each thread (and the main thread) may hold back less than one granularity.
    assert!(
        delta.peak_bytes_above_start + (THREADS + 1) * PEAK_GRANULARITY_BYTES >= spike,
        "{delta:?}"
    );
    assert!(after.peak_bytes >= after.current_bytes);
}

fn short_lived_threads_do_not_drift() {
    // Threads that exit with unreported bytes leave them in their shard, not in a lost
    // thread-local, so the peak estimate keeps tracking the exact current bytes.
    let before = ALLOCATOR.snapshot();
    let mut kept = Vec::new();
    for _ in 0..200 {
        let handle = thread::spawn(|| black_box(vec![3_u8; 30 * 1024]));
        kept.push(handle.join().expect("a short-lived thread panicked"));
    }
    let held = ALLOCATOR.snapshot();
    assert!(held.since(&before).current_bytes >= (200 * 30 * 1024) as isize);
    drop(kept);
    ALLOCATOR.reset_peak();
    let spike = black_box(vec![0_u8; 4 * MEBIBYTE]);
    drop(spike);
    let after = ALLOCATOR.snapshot();
    // Owned and shared shards: each may hold back less than one granularity.
    let shards_touched = 200_usize.min(2 * SHARD_COUNT) + 1;
    assert!(
        after.peak_bytes + shards_touched * PEAK_GRANULARITY_BYTES
            >= after.current_bytes + 4 * MEBIBYTE,
        "{after:?}"
    );
}
