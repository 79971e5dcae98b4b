//! The vocabulary's error type: what makes an exception record invalid.

/// Why an [`Exception`](crate::Exception) is not a valid record.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExceptionError {
    /// A confidence that is NaN, infinite, or outside `[0, 1]`.
    #[error("invalid confidence {0}: must be a finite number in [0, 1]")]
    InvalidConfidence(f32),
    /// A value whose lists nest deeper than [`llmkg_core::MAX_VALUE_DEPTH`].
    #[error("{which} value lists nest deeper than the limit of {limit}")]
    ValueTooDeep {
        /// Which value: `"inherited"` or `"actual"`.
        which: &'static str,
        /// The deepest nesting accepted.
        limit: usize,
    },
}
