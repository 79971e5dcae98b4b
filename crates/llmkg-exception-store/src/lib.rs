//! Exceptions to inherited properties: the concurrent store, its snapshots, and the handler
//! that applies stored exceptions to inherited values.
//!
//! The record itself ([`Exception`](llmkg_exception::Exception), its source and key) is the
//! shared vocabulary of `llmkg-exception`.
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
