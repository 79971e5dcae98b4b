//! The detector's error type.

/// What a caller can get wrong when building or teaching an [`ExceptionDetector`].
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
    /// A learning example whose property name is empty.
    #[error("learning example {index} has an empty property name")]
    EmptyPropertyName {
        /// Position of the example in the slice given to `learn_pattern`.
        index: usize,
    },
    /// A learning example whose confidence is NaN, infinite, or outside `[0, 1]`.
    #[error(
        "learning example {index} (property {property:?}) has invalid confidence {confidence}: must be a finite number in [0, 1]"
    )]
    InvalidExampleConfidence {
        /// Position of the example in the slice given to `learn_pattern`.
        index: usize,
        /// The example's property name.
        property: String,
        /// The offending confidence.
        confidence: f32,
    },
}

/// The detector's result type.
pub type Result<T, E = DetectError> = std::result::Result<T, E>;
