//! The contract between whoever learns patterns and whoever detects exceptions: what a
//! learned pattern says about one change of one property.
//!
//! The learner (`llmkg-learn`) owns patterns and implements [`PatternSource`]; the detector
//! (`llmkg-detect`) asks a source while it detects and writes what it hears into its
//! confidence and reason. Neither crate depends on the other.

use llmkg_core::PropertyValue;

use crate::similarity::ChangeKind;

/// What learned patterns say about `property` changing from one value to another.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PatternHint<'a> {
    /// A reason the pattern's examples (or a user) gave; it leads the detector's sentence.
    pub reason: Option<&'a str>,
    /// A confidence the pattern's examples support: the detector raises its own to at
    /// least this.
    pub confidence_floor: Option<f32>,
}

/// A source of learned patterns, asked once per differing value during detection.
///
/// The detector passes the [`ChangeKind`] it classified the change as ([`crate::compare`]),
/// so a source keyed by property and kind needs no comparison of its own.
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{ChangeKind, PatternHint, PatternSource};
///
/// /// Every `can_fly` that turns false is "flightless".
/// struct Flightless;
///
/// impl PatternSource for Flightless {
///     fn pattern_hint(
///         &self,
///         property: &str,
///         _inherited: &PropertyValue,
///         _actual: &PropertyValue,
///         kind: ChangeKind,
///     ) -> Option<PatternHint<'_>> {
///         (property == "can_fly" && kind == ChangeKind::BooleanFlip { to: false }).then_some(
///             PatternHint { reason: Some("flightless"), confidence_floor: None },
///         )
///     }
/// }
///
/// let hint = Flightless.pattern_hint(
///     "can_fly",
///     &true.into(),
///     &false.into(),
///     ChangeKind::BooleanFlip { to: false },
/// );
/// assert_eq!(hint.and_then(|hint| hint.reason), Some("flightless"));
/// ```
pub trait PatternSource {
    /// What the learned patterns say about `property` changing from `inherited` to
    /// `actual`, a change of kind `kind`; `None` when no pattern covers that change.
    fn pattern_hint(
        &self,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
        kind: ChangeKind,
    ) -> Option<PatternHint<'_>>;
}

/// The pattern source that knows no pattern: what a detector used alone consults.
///
/// ```
/// use llmkg_exception::{ChangeKind, NoPatterns, PatternSource};
/// let hint = NoPatterns.pattern_hint("can_fly", &true.into(), &false.into(), ChangeKind::BooleanFlip { to: false });
/// assert!(hint.is_none());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoPatterns;

impl PatternSource for NoPatterns {
    #[inline]
    fn pattern_hint(
        &self,
        _property: &str,
        _inherited: &PropertyValue,
        _actual: &PropertyValue,
        _kind: ChangeKind,
    ) -> Option<PatternHint<'_>> {
        None
    }
}
