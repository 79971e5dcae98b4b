//! An exception's fields, borrowed: what the store's borrowed insert encodes.

use std::time::Instant;

use llmkg_core::PropertyValue;
use llmkg_exception::{Exception, ExceptionError, ExceptionSource};

/// The fields of an [`Exception`], borrowed, for
/// [`ExceptionStore::add_exception_parts`](crate::ExceptionStore::add_exception_parts): a
/// caller that holds the values and the reason elsewhere (a detector's borrowed output, say)
/// stores them without building an owned `Exception` the store would only take apart.
///
/// ```
/// use std::time::Instant;
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{Exception, ExceptionSource};
/// use llmkg_exception_store::ExceptionParts;
///
/// let flightless = Exception::new(true.into(), false.into(), "penguin", ExceptionSource::Explicit, 0.9);
/// let parts = ExceptionParts::of(&flightless);
/// assert_eq!(parts.to_exception(), flightless);
/// assert!(parts.validate().is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExceptionParts<'a> {
    /// The value the node would inherit without the exception.
    pub inherited_value: &'a PropertyValue,
    /// The node's own value.
    pub actual_value: &'a PropertyValue,
    /// Why the node differs.
    pub reason: &'a str,
    /// Where the exception comes from.
    pub source: ExceptionSource,
    /// When it was made.
    pub created_at: Instant,
    /// How sure its source is, in `[0, 1]`.
    pub confidence: f32,
}

impl<'a> ExceptionParts<'a> {
    /// The parts of `exception`.
    #[must_use]
    pub fn of(exception: &'a Exception) -> Self {
        ExceptionParts {
            inherited_value: &exception.inherited_value,
            actual_value: &exception.actual_value,
            reason: &exception.reason,
            source: exception.source,
            created_at: exception.created_at,
            confidence: exception.confidence,
        }
    }

    /// The owned exception.
    #[must_use]
    pub fn to_exception(&self) -> Exception {
        Exception {
            inherited_value: self.inherited_value.clone(),
            actual_value: self.actual_value.clone(),
            reason: self.reason.to_owned(),
            source: self.source,
            created_at: self.created_at,
            confidence: self.confidence,
        }
    }

    /// [`Exception::validate`] of these parts.
    ///
    /// # Errors
    ///
    /// As [`Exception::validate`]: an invalid confidence or a value nested too deep.
    pub fn validate(&self) -> Result<(), ExceptionError> {
        Exception::validate_fields(self.confidence, self.inherited_value, self.actual_value)
    }
}
