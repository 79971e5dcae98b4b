//! The scorecard's error type.

use std::path::PathBuf;

/// What can go wrong reading results or computing a figure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScorecardError {
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
    /// A file could not be written crash-safely (the file layer's error).
    #[error(transparent)]
    File(#[from] llmkg_filefmt::FileError),
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
    /// A paired figure was asked of no rounds.
    #[error("a paired figure needs at least one round")]
    NoRounds,
    /// A paired round's value, or the confidence asked of them, is unusable.
    #[error("invalid paired round: {0}")]
    InvalidRound(String),
    /// The results directory holds no benchmark at all.
    #[error("no Criterion results under {0}")]
    NoResults(PathBuf),
}

/// The scorecard's result type.
pub type Result<T> = std::result::Result<T, ScorecardError>;

impl ScorecardError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ScorecardError::Io {
            path: path.into(),
            source,
        }
    }

    /// Writes `value` as pretty JSON to `path` through the workspace's crash-safe file layer
    /// (a reader never sees half a file), creating the folder first.
    pub(crate) fn write_json(path: &std::path::Path, value: &impl serde::Serialize) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ScorecardError::io(dir, e))?;
        }
        let text =
            serde_json::to_string_pretty(value).map_err(|e| ScorecardError::json(path, e))?;
        llmkg_filefmt::write_atomically(path, text.as_bytes())?;
        Ok(())
    }

    pub(crate) fn json(path: impl Into<PathBuf>, source: serde_json::Error) -> Self {
        ScorecardError::Json {
            path: path.into(),
            source,
        }
    }
}
