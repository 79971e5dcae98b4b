//! The optimizer's error type.

use std::path::PathBuf;

/// What can go wrong when storing exceptions in, querying or persisting a
/// [`StorageOptimizer`](crate::StorageOptimizer).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OptimizeError {
    /// An exception record that is not valid (a NaN, infinite or out-of-range confidence).
    #[error(transparent)]
    InvalidException(#[from] llmkg_exception::ExceptionError),
    /// A value whose lists nest deeper than [`MAX_VALUE_DEPTH`](crate::MAX_VALUE_DEPTH).
    #[error("property value lists nest deeper than the limit of {limit}")]
    ValueTooDeep {
        /// The deepest nesting accepted.
        limit: usize,
    },
    /// A query range whose bounds are not numbers or are in the wrong order.
    #[error("invalid confidence range [{min}, {max}]: bounds must be finite and min <= max")]
    InvalidConfidenceRange {
        /// The lower bound given.
        min: f32,
        /// The upper bound given.
        max: f32,
    },
    /// A time range whose start is after its end.
    #[error("invalid time range: start is {excess_nanos} ns after end")]
    InvalidTimeRange {
        /// How far the start lies after the end.
        excess_nanos: u128,
    },
    /// More exceptions than the compact columns can index.
    #[error("cannot hold {requested} exceptions: the limit is {limit}")]
    CapacityExceeded {
        /// How many exceptions the operation would have led to.
        requested: usize,
        /// The most exceptions one optimizer holds.
        limit: usize,
    },
    /// Reading or writing a file failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A snapshot file that is not one, or is truncated or corrupted.
    #[error("corrupt optimizer snapshot {path}: {reason}")]
    CorruptSnapshot {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A snapshot written by a format version this build cannot read.
    #[error(
        "optimizer snapshot {path} has format version {found}, this build reads version {expected}"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// Encoded data held in memory failed to decode; this is a bug in the optimizer, reported
    /// instead of panicking.
    #[error("internal encoding error: {0}")]
    Internal(String),
}

/// The optimizer's result type.
pub type Result<T, E = OptimizeError> = std::result::Result<T, E>;
