//! The contract between whoever learns patterns and whoever detects exceptions: what a
//! learned pattern says about one change of one property.
//!
//! The learner (`llmkg-learn`) owns patterns and implements [`PatternSource`]; the detector
//! (`llmkg-detect`) asks a source while it detects and writes what it hears into its
//! confidence and reason. Neither crate depends on the other.

use llmkg_core::PropertyValue;

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
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{PatternHint, PatternSource};
///
/// /// Every `can_fly` that turns false is "flightless".
/// struct Flightless;
///
/// impl PatternSource for Flightless {
///     fn pattern_hint(
///         &self,
///         property: &str,
///         _inherited: &PropertyValue,
///         actual: &PropertyValue,
///     ) -> Option<PatternHint<'_>> {
///         (property == "can_fly" && *actual == PropertyValue::Boolean(false)).then_some(
///             PatternHint { reason: Some("flightless"), confidence_floor: None },
///         )
///     }
/// }
///
/// let hint = Flightless.pattern_hint("can_fly", &true.into(), &false.into());
/// assert_eq!(hint.and_then(|hint| hint.reason), Some("flightless"));
/// ```
pub trait PatternSource {
    /// What the learned patterns say about `property` changing from `inherited` to
    /// `actual`; `None` when no pattern covers that change.
    fn pattern_hint(
        &self,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
    ) -> Option<PatternHint<'_>>;
}
