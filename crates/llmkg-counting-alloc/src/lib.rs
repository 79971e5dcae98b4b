//! A counting global allocator for memory tests and benchmarks.
//!
//! [`CountingAllocator`] wraps [`std::alloc::System`] and counts current heap bytes, peak heap
//! bytes and the number of allocations, deallocations and reallocations, without making
//! threads contend on one shared atomic: every thread updates its own cache-padded shard, and
//! the shared peak is only touched when a thread's unreported change grows past
//! [`PEAK_GRANULARITY_BYTES`]. [`Snapshot`] is what a reading returns; [`Snapshot::since`]
//! gives the difference between two readings as a [`SnapshotDelta`].
//!
//! A test or bench binary installs it once:
//!
//! ```
//! use llmkg_counting_alloc::CountingAllocator;
//!
//! #[global_allocator]
//! static ALLOCATOR: CountingAllocator = CountingAllocator::new();
//!
//! let before = ALLOCATOR.snapshot();
//! let buffer = vec![0_u8; 1 << 20];
//! let during = ALLOCATOR.snapshot();
//! assert!(during.since(&before).current_bytes >= 1 << 20);
//! assert!(during.peak_bytes >= during.current_bytes);
//! drop(buffer);
//! ```
#![deny(missing_docs)]
// The allocator has to implement the unsafe `GlobalAlloc` trait; every unsafe block in
// this crate carries a `// SAFETY:` comment.
#![allow(unsafe_code)]

mod allocator;
mod snapshot;

pub use crate::{
    allocator::{CountingAllocator, PEAK_GRANULARITY_BYTES, SHARD_COUNT},
    snapshot::{Snapshot, SnapshotDelta},
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
