//! Exceptions to inherited properties: the concurrent store, its snapshots, and the handler
//! that applies stored exceptions to inherited values.
//!
//! The record itself ([`Exception`](llmkg_exception::Exception), its source and key) is the
//! shared vocabulary of `llmkg-exception`.
//!
//! # Bounds
//!
//! `add_exception`, `get_exception` and `remove_exception` cost O(1) plus the size of the
//! values and reason (encoded once into the shard's arena); listings are linear in what they
//! return plus the 64 shards they visit; arena compaction is amortised O(1) per released byte
//! (counted in `StoreStatistics::arena_compactions`). No user code runs under a shard lock:
//! `for_each`, `for_each_in_node` and `remove_exception_if` copy what they hand over first, so
//! a callback may call back into the store. `save` refuses a snapshot over the 1 GiB payload
//! limit instead of writing one that cannot load; `load` reads only regular files, at most the
//! limit, checks every entry before it changes anything, in O(n) time and at most about 12x
//! the file's size in memory (measured for the smallest entries a file can hold).
#![deny(missing_docs)]

mod error;
mod handler;
mod snapshot;
mod store;

pub use crate::{
    error::{Result, StoreError},
    handler::{CacheStatistics, ConflictStrategy, ExceptionHandler},
    snapshot::SNAPSHOT_VERSION,
    store::{ExceptionStore, StoreStatistics},
};

/// The borrowed exception [`ExceptionStore::add_exception_parts`] takes: the vocabulary's one
/// borrowed view, the same type the detector finds.
pub use llmkg_exception::{ExceptionParts, Reason};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
