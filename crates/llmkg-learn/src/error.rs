//! The learner's error type.

use std::path::PathBuf;

/// What can go wrong when learning, taking feedback, or saving and loading patterns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LearnError {
    /// A context whose property name is empty.
    #[error("empty property name in exception context")]
    EmptyPropertyName,
    /// A context value whose lists nest deeper than [`llmkg_core::MAX_VALUE_DEPTH`].
    #[error("value of {property:?} lists nest deeper than the limit of {limit}")]
    ValueTooDeep {
        /// The property whose value is too deep (the context's own, or a sibling's).
        property: String,
        /// The deepest nesting accepted.
        limit: usize,
    },
    /// An exception whose confidence is NaN, infinite, or outside `[0, 1]`.
    #[error("invalid confidence {0}: must be a finite number in [0, 1]")]
    InvalidConfidence(f32),
    /// A `PartiallyCorrect` feedback score that is NaN, infinite, or outside `[0, 1]`.
    #[error("invalid feedback score {0}: must be a finite number in [0, 1]")]
    InvalidFeedbackScore(f32),
    /// A `BetterReason` feedback whose reason is empty or only whitespace.
    #[error("empty reason in better-reason feedback")]
    EmptyReason,
    /// A configuration value outside its documented range.
    #[error("invalid learner config: {field} = {value} ({expected})")]
    InvalidConfig {
        /// The offending field of `LearnerConfig`.
        field: &'static str,
        /// The value given, as text.
        value: String,
        /// What the field accepts.
        expected: &'static str,
    },
    /// Reading or writing a patterns file failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A patterns file that is not one, or is truncated or corrupted.
    #[error("corrupt patterns file {path}: {reason}")]
    CorruptPatterns {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A patterns file written by a format version this build cannot read.
    #[error("patterns file {path} has format version {found}, this build reads version {expected}")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
}

/// The learner's result type.
pub type Result<T, E = LearnError> = std::result::Result<T, E>;
