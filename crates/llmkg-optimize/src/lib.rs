//! A compact, lossless, indexed store of exceptions: the [`StorageOptimizer`].
//!
//! Exceptions (from `llmkg-exception-store`) are written to a small mutable tail and merged by
//! [`StorageOptimizer::optimize_storage`] into struct-of-arrays columns sorted by
//! `(property_hash, node_id)`: property values and reasons are interned in dictionaries,
//! node ids, dictionary ids and timestamps are packed per block, and confidences get a
//! posting-list index. Everything reads back exactly as it went in. [`OptimizationResults`]
//! and [`StorageStatistics`] report heap bytes computed from real buffer capacities;
//! [`OptimizeError`] names whatever a caller got wrong. Snapshots are saved and loaded with
//! [`StorageOptimizer::save`] and [`StorageOptimizer::load`].
//!
//! ```
//! use std::time::Instant;
//! use llmkg_core::{NodeId, PropertyValue};
//! use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
//! use llmkg_optimize::StorageOptimizer;
//!
//! let mut optimizer = StorageOptimizer::new(100);
//! let key = ExceptionKey::new(NodeId(3), "can_fly");
//! let exception = Exception {
//!     inherited_value: PropertyValue::Boolean(true),
//!     actual_value: PropertyValue::Boolean(false),
//!     reason: "Penguins are flightless".to_string(),
//!     source: ExceptionSource::Explicit,
//!     created_at: Instant::now(),
//!     confidence: 1.0,
//! };
//! optimizer.store_exception(key, exception.clone())?;
//! let results = optimizer.optimize_storage();
//! assert!(results.rebuilt);
//! assert_eq!(optimizer.retrieve_exception(&key)?, Some(exception));
//! assert!(optimizer.by_confidence_range(0.9, 1.0)?.len() == 1);
//! # Ok::<(), llmkg_optimize::OptimizeError>(())
//! ```
//!
//! # Bounds
//!
//! `store_exception` costs O(1) plus the values' size, `optimize_storage` O(n log n) for the
//! tail's sort plus O(n) for the merge, a lookup O(log n). `save` and `load` are O(n log n) in
//! time and a small constant times the file in memory however the file is crafted: each
//! distinct value and reason is encoded, decoded and checked once and shared by every entry
//! that names it (a 1 MiB value named by 400 entries: a 1 MiB file, about 4 MiB of peak heap
//! to load and 6 MiB to save, measured by `tests/amplification.rs`).
#![deny(missing_docs)]

mod codec;
mod compact;
mod dictionary;
mod error;
mod optimizer;
mod packed;
mod persist;
mod results;
mod search;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use crate::{
    codec::MAX_VALUE_DEPTH,
    error::{OptimizeError, Result},
    optimizer::{MAX_EXCEPTIONS, PREALLOCATED_MAX, StorageOptimizer},
    persist::OPTIMIZER_SNAPSHOT_VERSION,
    results::{OptimizationResults, StorageStatistics},
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
