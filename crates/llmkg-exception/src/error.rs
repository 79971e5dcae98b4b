//! The vocabulary's error type: what makes an exception record invalid.

/// Why an [`Exception`](crate::Exception) is not a valid record.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExceptionError {
    /// A confidence that is NaN, infinite, or outside `[0, 1]`.
    #[error("invalid confidence {0}: must be a finite number in [0, 1]")]
    InvalidConfidence(f32),
}
