//! The counting allocator: per-thread shards of counters and an approximate shared peak.
//!
//! The first [`SHARD_COUNT`] threads that allocate each own a shard outright and update it
//! with plain loads and stores (no locked read-modify-write on the allocation path); later
//! threads share a second set of shards round-robin and update them with atomic adds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicIsize, AtomicU64, AtomicUsize, Ordering};

use crossbeam_utils::CachePadded;

use crate::Snapshot;

/// How many threads own a counter shard outright (the first ones to allocate), and how many
/// shards the threads after them share round-robin.
pub const SHARD_COUNT: usize = 64;

/// How many bytes of net change a shard may accumulate before reporting them to the shared
/// running total that feeds the peak.
///
/// Between readings the peak can therefore be missed by at most
/// `min(threads, 2 x SHARD_COUNT) x PEAK_GRANULARITY_BYTES` (8 MiB with every shard in use, 64 KiB for
/// a single-threaded program); every [`CountingAllocator::snapshot`] folds the exact current
/// bytes into the peak, so a peak that happens at a reading is exact.
pub const PEAK_GRANULARITY_BYTES: usize = 64 * 1024;

/// A [`GlobalAlloc`] that forwards to [`System`] and counts what passes through.
///
/// Install it in a test or bench binary with
/// `#[global_allocator] static ALLOCATOR: CountingAllocator = CountingAllocator::new();`
/// and read it with [`snapshot`](CountingAllocator::snapshot).
/// Byte counts are the requested `layout.size()`, not what the system allocator rounds up to.
///
/// Each thread picks a cache-padded shard the first time it allocates and only ever touches
/// that shard's counters, so threads do not serialise on a shared cache line; a reading sums
/// every shard. The first [`SHARD_COUNT`] threads each own their shard, so they count with
/// plain loads and stores: on this workspace's 2-core Xeon, two locked adds per allocation
/// and per free made a malloc-heavy benchmark (`detect_node_exceptions` on 1000 properties,
/// about 3,300 allocations and frees) 40 % slower than under the bare system allocator.
/// Threads after those share [`SHARD_COUNT`] more shards with atomic adds.
pub struct CountingAllocator {
    /// Shard `i` belongs to the `i`-th thread that allocated; only that thread writes it.
    owned: [CachePadded<Shard>; SHARD_COUNT],
    /// Shared round-robin by every later thread (and by a thread whose thread-local storage
    /// is gone): written with atomic read-modify-writes.
    shared: [CachePadded<Shard>; SHARD_COUNT],
    /// Sum of every shard's `reported_bytes`: the current bytes, late by less than one
    /// granularity per shard.
    reported_total_bytes: CachePadded<AtomicIsize>,
    peak_bytes: CachePadded<AtomicUsize>,
}

/// One thread's (or a few threads') counters.
struct Shard {
    /// Bytes allocated minus bytes freed through this shard; negative when this shard's
    /// threads free memory that other shards' threads allocated.
    current_bytes: AtomicIsize,
    /// The part of `current_bytes` already added to `reported_total_bytes`.
    reported_bytes: AtomicIsize,
    allocations: AtomicU64,
    deallocations: AtomicU64,
    reallocations: AtomicU64,
    /// Bytes handed out by allocations and by the growth of reallocations, never decreased.
    allocated_bytes: AtomicU64,
}

#[derive(Clone, Copy)]
enum Event {
    Allocation,
    Deallocation,
    Reallocation,
}

const UNASSIGNED_SHARD: usize = usize::MAX;

/// How many threads have been given a shard: the first [`SHARD_COUNT`] get owned shard
/// `n`, the rest shared shard `n % SHARD_COUNT`.
static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

/// A thread's shard: `0..SHARD_COUNT` is an owned shard, `SHARD_COUNT..2 * SHARD_COUNT` a
/// shared one.
#[derive(Clone, Copy)]
struct ShardChoice(usize);

impl ShardChoice {
    /// The shared shard 0, for a thread that can no longer read its thread-local choice.
    const FALLBACK: ShardChoice = ShardChoice(SHARD_COUNT);

    fn for_thread_number(number: usize) -> ShardChoice {
        if number < SHARD_COUNT {
            ShardChoice(number)
        } else {
            ShardChoice(SHARD_COUNT + number % SHARD_COUNT)
        }
    }
}

thread_local! {
    // A const-initialised `Cell<usize>` needs no lazy initialisation and no destructor, so
    // reading it inside the allocator never allocates and never re-enters us.
    static SHARD_INDEX: Cell<usize> = const { Cell::new(UNASSIGNED_SHARD) };
}

/// This thread's shard, assigned on first use; the shared shard 0 while thread-local storage
/// is being torn down.
fn shard_choice() -> ShardChoice {
    SHARD_INDEX
        .try_with(|index| {
            let assigned = index.get();
            if assigned != UNASSIGNED_SHARD {
                return ShardChoice(assigned);
            }
            let fresh = ShardChoice::for_thread_number(NEXT_SHARD.fetch_add(1, Ordering::Relaxed));
            index.set(fresh.0);
            fresh
        })
        .unwrap_or(ShardChoice::FALLBACK)
}

/// A `Layout` size as `isize`; `Layout` guarantees sizes never exceed `isize::MAX`.
fn signed_size(size: usize) -> isize {
    isize::try_from(size).unwrap_or(isize::MAX)
}

impl Shard {
    fn counter(&self, event: Event) -> &AtomicU64 {
        match event {
            Event::Allocation => &self.allocations,
            Event::Deallocation => &self.deallocations,
            Event::Reallocation => &self.reallocations,
        }
    }

    /// Counts an event on a shard only the calling thread writes: a plain load and store
    /// (other threads only read, and see each value whole) instead of a locked add.
    fn record_owned(&self, event: Event, byte_change: isize) {
        let counter = self.counter(event);
        counter.store(
            counter.load(Ordering::Relaxed).wrapping_add(1),
            Ordering::Relaxed,
        );
        if let Some(growth) = event.growth(byte_change) {
            let allocated = self.allocated_bytes.load(Ordering::Relaxed);
            self.allocated_bytes
                .store(allocated.wrapping_add(growth), Ordering::Relaxed);
        }
        let current = self.current_bytes.load(Ordering::Relaxed);
        self.current_bytes
            .store(current.wrapping_add(byte_change), Ordering::Relaxed);
    }

    const fn new() -> Self {
        Shard {
            current_bytes: AtomicIsize::new(0),
            reported_bytes: AtomicIsize::new(0),
            allocations: AtomicU64::new(0),
            deallocations: AtomicU64::new(0),
            reallocations: AtomicU64::new(0),
            allocated_bytes: AtomicU64::new(0),
        }
    }
}

impl Event {
    /// The bytes an event hands out: an allocation's size, a reallocation's growth.
    fn growth(self, byte_change: isize) -> Option<u64> {
        match self {
            Event::Deallocation => None,
            Event::Allocation | Event::Reallocation => {
                u64::try_from(byte_change).ok().filter(|bytes| *bytes > 0)
            }
        }
    }
}

impl CountingAllocator {
    /// A counting allocator with every counter at zero.
    #[must_use]
    pub const fn new() -> Self {
        CountingAllocator {
            owned: [const { CachePadded::new(Shard::new()) }; SHARD_COUNT],
            shared: [const { CachePadded::new(Shard::new()) }; SHARD_COUNT],
            reported_total_bytes: CachePadded::new(AtomicIsize::new(0)),
            peak_bytes: CachePadded::new(AtomicUsize::new(0)),
        }
    }

    /// The counters now; also raises the recorded peak to the exact current bytes.
    pub fn snapshot(&self) -> Snapshot {
        let mut current: isize = 0;
        let mut allocations: u64 = 0;
        let mut deallocations: u64 = 0;
        let mut reallocations: u64 = 0;
        let mut allocated_bytes: u64 = 0;
        for shard in self.shards() {
            allocated_bytes =
                allocated_bytes.wrapping_add(shard.allocated_bytes.load(Ordering::Relaxed));
            current = current.wrapping_add(shard.current_bytes.load(Ordering::Relaxed));
            allocations = allocations.wrapping_add(shard.allocations.load(Ordering::Relaxed));
            deallocations = deallocations.wrapping_add(shard.deallocations.load(Ordering::Relaxed));
            reallocations = reallocations.wrapping_add(shard.reallocations.load(Ordering::Relaxed));
        }
        // Shards are read one after another, so a block freed on one shard after it was
        // allocated on another can make a concurrent sum dip below zero for an instant.
        let current_bytes = usize::try_from(current).unwrap_or(0);
        let previous_peak = self.peak_bytes.fetch_max(current_bytes, Ordering::Relaxed);
        Snapshot {
            current_bytes,
            peak_bytes: previous_peak.max(current_bytes),
            allocations,
            deallocations,
            reallocations,
            allocated_bytes,
        }
    }

    /// Heap bytes currently allocated.
    pub fn current_bytes(&self) -> usize {
        self.snapshot().current_bytes
    }

    /// Lowers the recorded peak to the current bytes, so the next readings report the peak
    /// of what follows.
    pub fn reset_peak(&self) {
        let current: isize = self.shards().fold(0, |sum, shard| {
            sum.wrapping_add(shard.current_bytes.load(Ordering::Relaxed))
        });
        self.peak_bytes
            .store(usize::try_from(current).unwrap_or(0), Ordering::Relaxed);
    }

    /// Every shard, owned then shared.
    fn shards(&self) -> impl Iterator<Item = &Shard> {
        self.owned.iter().chain(&self.shared).map(|shard| &**shard)
    }

    fn record(&self, event: Event, byte_change: isize) {
        let choice = shard_choice();
        if let Some(shard) = self.owned.get(choice.0) {
            shard.record_owned(event, byte_change);
            self.report_owned_if_due(shard);
            return;
        }
        let shard = &self.shared[choice.0 - SHARD_COUNT];
        let counter = shard.counter(event);
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some(growth) = event.growth(byte_change) {
            shard.allocated_bytes.fetch_add(growth, Ordering::Relaxed);
        }
        if byte_change == 0 {
            return;
        }
        shard
            .current_bytes
            .fetch_add(byte_change, Ordering::Relaxed);
        self.report_if_due(shard);
    }

    /// [`report_if_due`](Self::report_if_due) for an owned shard: no other thread writes
    /// its `reported_bytes`, so no compare-exchange is needed.
    fn report_owned_if_due(&self, shard: &Shard) {
        let current = shard.current_bytes.load(Ordering::Relaxed);
        let reported = shard.reported_bytes.load(Ordering::Relaxed);
        let unreported = current.wrapping_sub(reported);
        if unreported.unsigned_abs() < PEAK_GRANULARITY_BYTES {
            return;
        }
        shard.reported_bytes.store(current, Ordering::Relaxed);
        self.add_to_reported_total(unreported);
    }

    /// Adds a shard's newly reported bytes to the shared total and raises the peak to it.
    fn add_to_reported_total(&self, unreported: isize) {
        let total = self
            .reported_total_bytes
            .fetch_add(unreported, Ordering::Relaxed)
            .wrapping_add(unreported);
        if let Ok(total) = usize::try_from(total) {
            self.peak_bytes.fetch_max(total, Ordering::Relaxed);
        }
    }

    /// Moves a shard's unreported change into the shared total once it reaches the
    /// granularity, and raises the peak to the new total.
    ///
    /// The compare-exchange on `reported_bytes` makes two threads sharing a shard report each
    /// byte once, which keeps `reported_total_bytes` equal to the sum of `reported_bytes`.
    fn report_if_due(&self, shard: &Shard) {
        let mut reported = shard.reported_bytes.load(Ordering::Relaxed);
        loop {
            let current = shard.current_bytes.load(Ordering::Relaxed);
            let unreported = current.wrapping_sub(reported);
            if unreported.unsigned_abs() < PEAK_GRANULARITY_BYTES {
                return;
            }
            match shard.reported_bytes.compare_exchange_weak(
                reported,
                current,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    self.add_to_reported_total(unreported);
                    return;
                }
                Err(actual) => reported = actual,
            }
        }
    }
}

impl Default for CountingAllocator {
    fn default() -> Self {
        CountingAllocator::new()
    }
}

impl fmt::Debug for CountingAllocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountingAllocator")
            .field("snapshot", &self.snapshot())
            .finish()
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract holds exactly as it does for `System`; the bookkeeping only touches
// atomics and a const-initialised thread-local `Cell`, none of which allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract (non-zero size layout),
        // which is also `System::alloc`'s.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            self.record(Event::Allocation, signed_size(layout.size()));
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as `alloc`, forwarded unchanged.
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            self.record(Event::Allocation, signed_size(layout.size()));
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `pointer` came from this allocator (hence from
        // `System`) with this `layout`.
        unsafe { System.dealloc(pointer, layout) };
        self.record(Event::Deallocation, -signed_size(layout.size()));
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `pointer` came from this allocator (hence from
        // `System`) with `layout`, and that `new_size` is valid for `layout.align()`.
        let new_pointer = unsafe { System.realloc(pointer, layout, new_size) };
        // On failure the old block is untouched and still allocated, so nothing changed.
        if !new_pointer.is_null() {
            let change = signed_size(new_size).wrapping_sub(signed_size(layout.size()));
            self.record(Event::Reallocation, change);
        }
        new_pointer
    }
}
