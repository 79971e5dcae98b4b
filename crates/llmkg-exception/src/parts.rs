//! One exception, borrowed: what a detector finds and what a store's borrowed insert takes.

use std::borrow::Cow;
use std::time::Instant;

use llmkg_core::PropertyValue;

use crate::error::ExceptionError;
use crate::exception::{Exception, ExceptionSource};
use crate::reason::{describe_change, describe_change_into};
use crate::similarity::ChangeKind;

/// An exception's reason, borrowed: a sentence already written, or the parts
/// [`describe_change`] writes one from, so that a caller that only stores or counts the
/// exception never builds the sentence as a `String` of its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reason<'a> {
    /// A sentence someone wrote (a user, a file, a buffer of sentences).
    Written(&'a str),
    /// The sentence [`describe_change`] writes for this kind of change of the exception's
    /// property and values, led by a learned reason if there is one.
    Described {
        /// How the value changed.
        kind: ChangeKind,
        /// A reason a learned pattern lends the change.
        learned: Option<&'a str>,
    },
}

/// An [`Exception`] of one property, every field borrowed or copied: the detector's results
/// (`llmkg_detect::DetectedException`) and the store's borrowed insert
/// (`llmkg_exception_store::ExceptionParts`) are this one type.
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{ChangeKind, Exception, ExceptionParts, ExceptionSource, Reason};
///
/// let flightless = Exception::new(true.into(), false.into(), "penguin", ExceptionSource::Explicit, 0.9);
/// let parts = ExceptionParts::of("can_fly", &flightless);
/// assert_eq!(parts.to_exception(), flightless);
/// assert!(parts.validate().is_ok());
///
/// // A detected exception's reason is written only when asked for.
/// let detected = ExceptionParts {
///     reason: Reason::Described { kind: ChangeKind::BooleanFlip { to: false }, learned: None },
///     source: ExceptionSource::Detected,
///     ..parts
/// };
/// assert_eq!(detected.reason_text(), "can_fly is false here, overriding the inherited true");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExceptionParts<'a> {
    /// The property's name.
    pub property: &'a str,
    /// The value the node would inherit without the exception.
    pub inherited_value: &'a PropertyValue,
    /// The node's own value.
    pub actual_value: &'a PropertyValue,
    /// Why the node differs.
    pub reason: Reason<'a>,
    /// Where the exception comes from.
    pub source: ExceptionSource,
    /// When it was made.
    pub created_at: Instant,
    /// How sure its source is, in `[0, 1]`.
    pub confidence: f32,
}

impl<'a> ExceptionParts<'a> {
    /// The parts of `exception`, stored under `property`.
    #[must_use]
    pub fn of(property: &'a str, exception: &'a Exception) -> Self {
        ExceptionParts {
            property,
            inherited_value: &exception.inherited_value,
            actual_value: &exception.actual_value,
            reason: Reason::Written(&exception.reason),
            source: exception.source,
            created_at: exception.created_at,
            confidence: exception.confidence,
        }
    }

    /// The kind of change, when the reason is [`Reason::Described`] (a detected exception).
    #[must_use]
    pub fn kind(&self) -> Option<ChangeKind> {
        match self.reason {
            Reason::Written(_) => None,
            Reason::Described { kind, .. } => Some(kind),
        }
    }

    /// The reason a learned pattern lends, when the reason is [`Reason::Described`].
    #[must_use]
    pub fn learned_reason(&self) -> Option<&'a str> {
        match self.reason {
            Reason::Written(_) => None,
            Reason::Described { learned, .. } => learned,
        }
    }

    /// Appends the reason to `out`, growing `out` at most once.
    pub fn write_reason(&self, out: &mut String) {
        match self.reason {
            Reason::Written(text) => out.push_str(text),
            Reason::Described { kind, learned } => describe_change_into(
                out,
                self.property,
                self.inherited_value,
                self.actual_value,
                kind,
                learned,
            ),
        }
    }

    /// The reason as text: a written one borrowed, a described one written.
    #[must_use]
    pub fn reason_text(&self) -> Cow<'a, str> {
        match self.reason {
            Reason::Written(text) => Cow::Borrowed(text),
            Reason::Described { kind, learned } => Cow::Owned(describe_change(
                self.property,
                self.inherited_value,
                self.actual_value,
                kind,
                learned,
            )),
        }
    }

    /// The reason as text, a described one written into `buffer` (cleared first) so a
    /// caller writing many reasons reuses one allocation.
    pub fn reason_in<'s>(&'s self, buffer: &'s mut String) -> &'s str {
        match self.reason {
            Reason::Written(text) => text,
            Reason::Described { .. } => {
                buffer.clear();
                self.write_reason(buffer);
                buffer
            }
        }
    }

    /// The owned exception.
    #[must_use]
    pub fn to_exception(&self) -> Exception {
        Exception {
            inherited_value: self.inherited_value.clone(),
            actual_value: self.actual_value.clone(),
            reason: self.reason_text().into_owned(),
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
