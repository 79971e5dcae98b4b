//! The harness's error type.

use bench_scorecard::ScorecardError;

/// What can go wrong in the harness: bad configuration, unusable measurements, or (wrapped)
/// unreadable result files.
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
    /// A division by a count of zero items.
    #[error("cannot compute a per-item figure over zero items")]
    ZeroItems,
    /// Reading results, a measurement file or a fit failed (see [`ScorecardError`]).
    #[error(transparent)]
    Scorecard(#[from] ScorecardError),
}

/// The harness's result type.
pub type Result<T> = std::result::Result<T, HarnessError>;
