//! The detector's error type.

/// What a caller can get wrong when building an [`ExceptionDetector`].
///
/// [`ExceptionDetector`]: crate::ExceptionDetector
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DetectError {
    /// A similarity threshold that is NaN, infinite, or outside `[0, 1]`.
    #[error("invalid similarity threshold {0}: must be a finite number in [0, 1]")]
    InvalidSimilarityThreshold(f32),
    /// A confidence threshold that is NaN, infinite, or outside `[0, 1]`.
    #[error("invalid confidence threshold {0}: must be a finite number in [0, 1]")]
    InvalidConfidenceThreshold(f32),
}

/// The detector's result type.
pub type Result<T, E = DetectError> = std::result::Result<T, E>;
