//! The store's error type.

use std::path::PathBuf;

use llmkg_exception::ExceptionError;

/// What can go wrong when storing, loading or saving exceptions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// An exception record that is not valid (a NaN, infinite or out-of-range confidence).
    #[error(transparent)]
    InvalidException(#[from] ExceptionError),
    /// An empty property name.
    #[error("empty property name")]
    EmptyPropertyName,
    /// A shard's arena of encoded values and reasons would pass what its 4-byte offsets
    /// address (4 GiB of live payload in one shard).
    #[error("a store shard cannot hold more than {bytes} bytes of values and reasons")]
    ShardFull {
        /// The limit.
        bytes: usize,
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
    #[error("corrupt snapshot {path}: {reason}")]
    CorruptSnapshot {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A snapshot written by a format version this build cannot read.
    #[error("snapshot {path} has format version {found}, this build reads version {expected}")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
