//! The harness's error type.

use std::path::PathBuf;

/// What can go wrong in the harness: bad configuration, unusable measurements or unreadable
/// result files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// A configuration value Criterion cannot run with.
    #[error("invalid benchmark configuration: {0}")]
    InvalidConfig(String),
    /// The allocator handed to the profiler is not the process's global allocator.
    #[error(
        "the counting allocator is not installed as #[global_allocator]: its counters did not move"
    )]
    AllocatorNotInstalled,
    /// A different counting allocator was registered before.
    #[error("a different counting allocator is already registered")]
    AllocatorAlreadyRegistered,
    /// Memory figures were asked of a report made without a counting allocator.
    #[error("memory was not measured: no counting allocator was installed")]
    MemoryNotMeasured,
    /// A memory checkpoint the caller named does not exist in the report.
    #[error("no memory checkpoint named {0:?}")]
    UnknownCheckpoint(String),
    /// A growth fit needs at least two points with distinct positive sizes and positive times.
    #[error("cannot fit a growth exponent: {0}")]
    InvalidFit(String),
    /// A division by a count of zero items.
    #[error("cannot compute a per-item figure over zero items")]
    ZeroItems,
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A JSON file did not have the expected shape.
    #[error("{path}: malformed JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// A Criterion result file held a value that makes no sense (negative or non-finite time).
    #[error("{path}: {problem}")]
    InvalidEstimate {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The results directory holds no benchmark at all.
    #[error("no Criterion results under {0}")]
    NoResults(PathBuf),
}

/// The harness's result type.
pub type Result<T> = std::result::Result<T, HarnessError>;

impl HarnessError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        HarnessError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn json(path: impl Into<PathBuf>, source: serde_json::Error) -> Self {
        HarnessError::Json {
            path: path.into(),
            source,
        }
    }
}
