//! What one detection compared but did not report: each differing value below a threshold,
//! with its scores, so a caller can account for every value it handed the detector.

use llmkg_core::PropertyValue;
use llmkg_exception::ChangeKind;

use crate::found::DetectedException;

/// Which threshold kept a differing value from being reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// Similar at or above the similarity threshold (a spelling variant, a near-equal
    /// measurement).
    Similar,
    /// Below the confidence threshold.
    LowConfidence,
}

/// A local value that differs from the inherited one but was not reported, with the scores
/// that kept it out, borrowed from the node and the inherited map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnreportedValue<'a> {
    /// The property's name.
    pub property: &'a str,
    /// The value the node inherits.
    pub inherited_value: &'a PropertyValue,
    /// The node's own value.
    pub actual_value: &'a PropertyValue,
    /// How the value changed.
    pub kind: ChangeKind,
    /// The similarity the detector judged by: the values' similarity, or 0 for a
    /// [label change](crate::ExceptionDetector::is_label_change).
    pub similarity: f32,
    /// The confidence the exception would have had.
    pub confidence: f32,
    /// Which threshold it missed.
    pub reason: SkipReason,
}

/// Everything one detection of a node found: the reported exceptions, the differing values
/// it did not report, and how many values it compared and found equal.
///
/// `compared == equal + exceptions.len() + unreported.len()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeScan<'a> {
    /// The reported exceptions, sorted by property name.
    pub exceptions: Vec<DetectedException<'a>>,
    /// The differing values not reported, sorted by property name.
    pub unreported: Vec<UnreportedValue<'a>>,
    /// Local values that had an inherited value to compare with.
    pub compared: usize,
    /// Local values equal to the inherited one (for numbers: both NaN counts as equal).
    pub equal: usize,
}
