//! The exception detector: compares a node's local values with what it inherits.

use std::collections::HashMap;
use std::time::Instant;

use llmkg_core::{InheritanceNode, PropertyValue};
use llmkg_exception::{
    ChangeKind, Comparison, Exception, ExceptionSource, NoPatterns, PatternHint, PatternSource,
    Reason, calculate_similarity, compare, describe_change,
};

use crate::confidence::confidence_of;
use crate::error::{DetectError, Result};
use crate::found::{DetectedException, Found};
use crate::label::is_label_change;
use crate::statistics::{DetectionCounters, DetectionStatistics};
use crate::unreported::{NodeScan, SkipReason, UnreportedValue};

/// Finds the properties where a node overrides an inherited value.
///
/// A local value is an exception when it differs from the inherited one, its
/// [similarity](calculate_similarity) to it is below the similarity threshold, and its
/// [confidence](ExceptionDetector::calculate_confidence) is at or above the confidence
/// threshold. A [label change](ExceptionDetector::is_label_change) (different words after
/// folding case and separators, or different whole numbers) is judged as sharing nothing,
/// with a confidence of at least 0.75: similarity decides among near-identical spellings
/// only. Exceptions come back with source
/// [`ExceptionSource::Detected`](llmkg_exception::ExceptionSource::Detected), a readable
/// [reason](ExceptionDetector::infer_exception_reason), and are sorted by property name.
///
/// The detector is `Send + Sync`: detection takes `&self` and can run on many threads at
/// once. It keeps no patterns of its own: a detector used alone consults none
/// ([`NoPatterns`]), and the `_with` methods take any [`PatternSource`] (a learner, in the
/// facade) for learned reasons and confidences.
///
/// ```
/// use std::collections::HashMap;
/// use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
/// use llmkg_detect::ExceptionDetector;
///
/// let detector = ExceptionDetector::new(0.9, 0.5);
/// let penguin = InheritanceNode::new(NodeId(3), "Penguin")
///     .with_property("can_fly", false)
///     .with_property("colour", "black");
/// let inherited = HashMap::from([
///     ("can_fly".to_owned(), PropertyValue::Boolean(true)),
///     ("colour".to_owned(), PropertyValue::from("Black")),
/// ]);
/// let exceptions = detector.detect_node_exceptions(&penguin, &inherited);
/// assert_eq!(exceptions.len(), 1);
/// assert_eq!(exceptions[0].0, "can_fly");
/// assert_eq!(exceptions[0].1.actual_value, PropertyValue::Boolean(false));
/// ```
#[derive(Debug)]
pub struct ExceptionDetector {
    similarity_threshold: f32,
    confidence_threshold: f32,
    counters: DetectionCounters,
}

impl Default for ExceptionDetector {
    /// A detector with the default thresholds.
    fn default() -> Self {
        Self::new(
            Self::DEFAULT_SIMILARITY_THRESHOLD,
            Self::DEFAULT_CONFIDENCE_THRESHOLD,
        )
    }
}

impl ExceptionDetector {
    /// The similarity threshold [`ExceptionDetector::new`] uses in place of NaN.
    pub const DEFAULT_SIMILARITY_THRESHOLD: f32 = 0.8;
    /// The confidence threshold [`ExceptionDetector::new`] uses in place of NaN.
    pub const DEFAULT_CONFIDENCE_THRESHOLD: f32 = 0.7;

    /// A detector with the given thresholds, repaired rather than rejected.
    ///
    /// Values outside `[0, 1]` are clamped into it (infinities included); NaN becomes the
    /// default ([`DEFAULT_SIMILARITY_THRESHOLD`](Self::DEFAULT_SIMILARITY_THRESHOLD),
    /// [`DEFAULT_CONFIDENCE_THRESHOLD`](Self::DEFAULT_CONFIDENCE_THRESHOLD)). Use
    /// [`try_new`](Self::try_new) to have bad thresholds reported instead.
    ///
    /// A similarity threshold of 0 treats every pair as similar (nothing is reported);
    /// 1 reports every pair that differs after normalisation.
    ///
    /// ```
    /// use llmkg_detect::ExceptionDetector;
    /// let detector = ExceptionDetector::new(1.5, f32::NAN);
    /// assert_eq!(detector.similarity_threshold(), 1.0);
    /// assert_eq!(detector.confidence_threshold(), ExceptionDetector::DEFAULT_CONFIDENCE_THRESHOLD);
    /// ```
    #[must_use]
    pub fn new(similarity_threshold: f32, confidence_threshold: f32) -> Self {
        let repair = |threshold: f32, default: f32| {
            if threshold.is_nan() {
                default
            } else {
                threshold.clamp(0.0, 1.0)
            }
        };
        ExceptionDetector {
            similarity_threshold: repair(similarity_threshold, Self::DEFAULT_SIMILARITY_THRESHOLD),
            confidence_threshold: repair(confidence_threshold, Self::DEFAULT_CONFIDENCE_THRESHOLD),
            counters: DetectionCounters::default(),
        }
    }

    /// A detector with the given thresholds, or an error naming the first one that is NaN,
    /// infinite or outside `[0, 1]`.
    ///
    /// ```
    /// use llmkg_detect::{DetectError, ExceptionDetector};
    /// assert!(ExceptionDetector::try_new(0.8, 0.7).is_ok());
    /// assert!(matches!(
    ///     ExceptionDetector::try_new(f32::NAN, 0.7),
    ///     Err(DetectError::InvalidSimilarityThreshold(_))
    /// ));
    /// ```
    pub fn try_new(similarity_threshold: f32, confidence_threshold: f32) -> Result<Self> {
        let is_valid = |threshold: f32| threshold.is_finite() && (0.0..=1.0).contains(&threshold);
        if !is_valid(similarity_threshold) {
            return Err(DetectError::InvalidSimilarityThreshold(
                similarity_threshold,
            ));
        }
        if !is_valid(confidence_threshold) {
            return Err(DetectError::InvalidConfidenceThreshold(
                confidence_threshold,
            ));
        }
        Ok(Self::new(similarity_threshold, confidence_threshold))
    }

    /// Pairs scoring at or above this similarity are not exceptions.
    pub fn similarity_threshold(&self) -> f32 {
        self.similarity_threshold
    }

    /// Exceptions with a confidence below this are not reported.
    pub fn confidence_threshold(&self) -> f32 {
        self.confidence_threshold
    }

    /// The exceptions `node` makes to `inherited_properties`, sorted by property name,
    /// without learned patterns.
    ///
    /// Only local properties that also have an inherited value are compared: a property
    /// the node alone defines overrides nothing. All exceptions of one call share one
    /// `created_at`.
    pub fn detect_node_exceptions(
        &self,
        node: &InheritanceNode,
        inherited_properties: &HashMap<String, PropertyValue>,
    ) -> Vec<(String, Exception)> {
        self.detect_node_exceptions_with(node, inherited_properties, &NoPatterns)
    }

    /// [`detect_node_exceptions`](Self::detect_node_exceptions) with the patterns of
    /// `patterns` (a learner, typically): a pattern's reason leads the exception's reason and
    /// its confidence floor raises the confidence.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
    /// use llmkg_detect::ExceptionDetector;
    /// use llmkg_exception::{ChangeKind, PatternHint, PatternSource};
    ///
    /// struct Flightless;
    /// impl PatternSource for Flightless {
    ///     fn pattern_hint(&self, _: &str, _: &PropertyValue, _: &PropertyValue, _: ChangeKind) -> Option<PatternHint<'_>> {
    ///         Some(PatternHint { reason: Some("Flightless bird"), confidence_floor: None })
    ///     }
    /// }
    ///
    /// let penguin = InheritanceNode::new(NodeId(3), "Penguin").with_property("can_fly", false);
    /// let inherited = HashMap::from([("can_fly".to_owned(), PropertyValue::Boolean(true))]);
    /// let found = ExceptionDetector::default().detect_node_exceptions_with(&penguin, &inherited, &Flightless);
    /// assert_eq!(found[0].1.reason, "Flightless bird: can_fly is false here, overriding the inherited true");
    /// ```
    pub fn detect_node_exceptions_with<P: PatternSource + ?Sized>(
        &self,
        node: &InheritanceNode,
        inherited_properties: &HashMap<String, PropertyValue>,
        patterns: &P,
    ) -> Vec<(String, Exception)> {
        let found = self.find(node, inherited_properties, patterns, &mut |_| {}, &mut 0);
        // Straight from the scan into the result, in name order: no sorted copy between.
        found
            .iter()
            .map(|detected| (detected.property.to_owned(), detected.to_exception()))
            .collect()
    }

    /// The exceptions [`detect_node_exceptions_with`](Self::detect_node_exceptions_with)
    /// finds, in the same order, borrowed from `node`, `inherited_properties` and `patterns`
    /// instead of copied: a caller that keeps its own form of an exception (a store, say)
    /// builds no owned `String` it would only drop. Counts toward the
    /// [statistics](Self::statistics) like any detection.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
    /// use llmkg_detect::ExceptionDetector;
    ///
    /// let detector = ExceptionDetector::default();
    /// let penguin = InheritanceNode::new(NodeId(3), "Penguin").with_property("can_fly", false);
    /// let inherited = HashMap::from([("can_fly".to_owned(), PropertyValue::Boolean(true))]);
    /// let found = detector.find_node_exceptions(&penguin, &inherited);
    /// assert_eq!(found[0].property, "can_fly");
    /// assert_eq!(found[0].actual_value, &PropertyValue::Boolean(false));
    /// let mut reason = String::new();
    /// found[0].write_reason(&mut reason);
    /// assert_eq!(reason, "can_fly is false here, overriding the inherited true");
    /// ```
    pub fn find_node_exceptions<'a>(
        &'a self,
        node: &'a InheritanceNode,
        inherited_properties: &'a HashMap<String, PropertyValue>,
    ) -> Vec<DetectedException<'a>> {
        self.find_node_exceptions_with(node, inherited_properties, &NoPatterns)
    }

    /// [`find_node_exceptions`](Self::find_node_exceptions) with the patterns of `patterns`,
    /// as [`detect_node_exceptions_with`](Self::detect_node_exceptions_with) uses them.
    pub fn find_node_exceptions_with<'a, P: PatternSource + ?Sized>(
        &self,
        node: &'a InheritanceNode,
        inherited_properties: &'a HashMap<String, PropertyValue>,
        patterns: &'a P,
    ) -> Vec<DetectedException<'a>> {
        self.find(node, inherited_properties, patterns, &mut |_| {}, &mut 0)
            .into_sorted()
    }

    /// Everything one detection finds, with the values it does not report: the exceptions
    /// [`find_node_exceptions_with`](Self::find_node_exceptions_with) finds, every differing
    /// value below a threshold with its similarity, confidence and the threshold it missed,
    /// and how many values it compared and found equal, so that a caller can account for
    /// every value (`compared == equal + exceptions + unreported`).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
    /// use llmkg_detect::{ExceptionDetector, SkipReason};
    /// use llmkg_exception::NoPatterns;
    ///
    /// let detector = ExceptionDetector::new(0.9, 0.7);
    /// let penguin = InheritanceNode::new(NodeId(3), "Penguin")
    ///     .with_property("can_fly", false)
    ///     .with_property("colour", "colour")
    ///     .with_property("legs", 2_i64);
    /// let inherited = HashMap::from([
    ///     ("can_fly".to_owned(), PropertyValue::Boolean(true)),
    ///     ("colour".to_owned(), PropertyValue::from("color")),
    ///     ("legs".to_owned(), PropertyValue::Integer(2)),
    /// ]);
    /// let scan = detector.scan_node_with(&penguin, &inherited, &NoPatterns);
    /// assert_eq!((scan.compared, scan.equal), (3, 1));
    /// assert_eq!(scan.exceptions[0].property, "can_fly");
    /// assert_eq!(scan.unreported[0].property, "colour");
    /// assert_eq!(scan.unreported[0].reason, SkipReason::Similar);
    /// assert!(scan.unreported[0].similarity > 0.9);
    /// ```
    pub fn scan_node_with<'a, P: PatternSource + ?Sized>(
        &self,
        node: &'a InheritanceNode,
        inherited_properties: &'a HashMap<String, PropertyValue>,
        patterns: &'a P,
    ) -> NodeScan<'a> {
        let mut unreported = Vec::new();
        let mut equal = 0;
        let exceptions = self
            .find(
                node,
                inherited_properties,
                patterns,
                &mut |value| unreported.push(value),
                &mut equal,
            )
            .into_sorted();
        // Rare next to the exceptions, so a plain sort.
        unreported.sort_unstable_by(|a: &UnreportedValue<'_>, b| a.property.cmp(b.property));
        NodeScan {
            compared: equal + exceptions.len() + unreported.len(),
            exceptions,
            unreported,
            equal,
        }
    }

    /// Scans, sorts the order and counts one detection; hands each value it does not report
    /// to `unreported` and counts the equal ones into `equal`.
    fn find<'a, P: PatternSource + ?Sized>(
        &self,
        node: &'a InheritanceNode,
        inherited_properties: &'a HashMap<String, PropertyValue>,
        patterns: &'a P,
        unreported: &mut impl FnMut(UnreportedValue<'a>),
        equal: &mut usize,
    ) -> Found<'a> {
        // One allocation up front: growing by doubling would copy and free several blocks.
        let capacity = node.local_properties.len().min(inherited_properties.len());
        let mut candidates = Vec::with_capacity(capacity);
        let mut batch = self.scan(
            node,
            inherited_properties,
            patterns,
            &mut |exception| candidates.push(exception),
            unreported,
            equal,
        );
        let found = Found::new(candidates);
        batch.exceptions_found = found.len() as u64;
        self.counters.add(batch);
        found
    }

    /// One pass over the values both maps hold: hands each exception to `exceptions`, each
    /// differing value below a threshold to `unreported`, counts equal ones into `equal`;
    /// returns the call's statistics without `exceptions_found`.
    fn scan<'a, P: PatternSource + ?Sized>(
        &self,
        node: &'a InheritanceNode,
        inherited_properties: &'a HashMap<String, PropertyValue>,
        patterns: &'a P,
        exceptions: &mut impl FnMut(DetectedException<'a>),
        unreported: &mut impl FnMut(UnreportedValue<'a>),
        equal: &mut usize,
    ) -> DetectionStatistics {
        let mut batch = DetectionStatistics {
            nodes_scanned: 1,
            ..DetectionStatistics::default()
        };
        // Walking the smaller map and looking up in the larger does the fewest hash
        // lookups; the sort makes the result independent of which one we walk.
        let local_properties = &node.local_properties;
        if local_properties.len() <= inherited_properties.len() {
            let pairs = local_properties.iter().filter_map(|(property, actual)| {
                let inherited = inherited_properties.get(property)?;
                Some((property, inherited, actual))
            });
            self.collect_candidates(pairs, patterns, &mut batch, exceptions, unreported, equal);
        } else {
            let pairs = inherited_properties
                .iter()
                .filter_map(|(property, inherited)| {
                    let (property, actual) = local_properties.get_key_value(property)?;
                    Some((property, inherited, actual))
                });
            self.collect_candidates(pairs, patterns, &mut batch, exceptions, unreported, equal);
        }
        batch
    }

    /// The differing pairs that pass both thresholds, counting what it skips and handing
    /// each skipped pair to `unreported`.
    fn collect_candidates<'a, P: PatternSource + ?Sized>(
        &self,
        pairs: impl Iterator<Item = (&'a String, &'a PropertyValue, &'a PropertyValue)>,
        patterns: &'a P,
        batch: &mut DetectionStatistics,
        exceptions: &mut impl FnMut(DetectedException<'a>),
        unreported: &mut impl FnMut(UnreportedValue<'a>),
        equal: &mut usize,
    ) {
        // One timestamp for every exception of the call.
        let created_at = Instant::now();
        for (property, inherited, actual) in pairs {
            batch.properties_compared += 1;
            if inherited == actual {
                batch.values_equal += 1;
                *equal += 1;
                continue;
            }
            let comparison = compare(inherited, actual);
            if comparison.kind == ChangeKind::Equal {
                // Two NaNs: equal for the detector, as for `compare`.
                batch.values_equal += 1;
                *equal += 1;
                continue;
            }
            let judged = judge(comparison, inherited, actual);
            if judged.similarity >= self.similarity_threshold {
                batch.skipped_as_similar += 1;
                unreported(UnreportedValue {
                    property: property.as_str(),
                    inherited_value: inherited,
                    actual_value: actual,
                    kind: comparison.kind,
                    similarity: judged.similarity,
                    confidence: judged.confidence,
                    reason: SkipReason::Similar,
                });
                continue;
            }
            let learned = patterns.pattern_hint(property, inherited, actual, comparison.kind);
            let confidence = judged.with_learned(learned);
            if confidence < self.confidence_threshold {
                batch.skipped_low_confidence += 1;
                unreported(UnreportedValue {
                    property: property.as_str(),
                    inherited_value: inherited,
                    actual_value: actual,
                    kind: comparison.kind,
                    similarity: judged.similarity,
                    confidence,
                    reason: SkipReason::LowConfidence,
                });
                continue;
            }
            exceptions(DetectedException {
                property: property.as_str(),
                inherited_value: inherited,
                actual_value: actual,
                reason: Reason::Described {
                    kind: comparison.kind,
                    learned: learned.and_then(|hint| hint.reason),
                },
                source: ExceptionSource::Detected,
                created_at,
                confidence,
            });
        }
    }

    /// How alike two values are, in `[0, 1]`; the same as the free function
    /// [`calculate_similarity`], which documents the rules.
    pub fn calculate_similarity(&self, a: &PropertyValue, b: &PropertyValue) -> f32 {
        calculate_similarity(a, b)
    }

    /// How sure the detector is that `actual` overriding `inherited` on `property` is a
    /// real exception, in `[0, 1]`.
    ///
    /// The formula is `ceiling * (1 + (1 - similarity)) / 2`: the dissimilarity moves the
    /// confidence between half the ceiling and the full ceiling. The ceiling depends on the
    /// kind of change: 0.95 for a flipped boolean, a negated statement or a changed number
    /// (all unambiguous), 0.9 for changed text (which may be a synonym or a shade) and for a
    /// value set to or from `Null`, 0.85 for lists, and 0.8 for a change of type, which is
    /// as likely a modelling mistake as an override. A [label change](Self::is_label_change)
    /// (different words, different whole numbers) scores at least
    /// [`LABEL_CHANGE_CONFIDENCE`](Self::LABEL_CHANGE_CONFIDENCE) (0.75): so with the seed's
    /// threshold of 0.7, `legs` 4 -> 2 scores 0.75 and `"red"` -> `"crimson"` (similarity
    /// 0.49, 0.68 by the formula) 0.75, both reported and both below a flip's 0.95, while
    /// `"color"` -> `"colour"` is a spelling variant judged by its similarity. Equal values
    /// score 0. Learned patterns are not consulted here;
    /// [`calculate_confidence_with`](Self::calculate_confidence_with) raises the result to a
    /// pattern's confidence floor.
    ///
    /// ```
    /// use llmkg_core::PropertyValue;
    /// use llmkg_detect::ExceptionDetector;
    ///
    /// let detector = ExceptionDetector::default();
    /// let flip = detector.calculate_confidence(
    ///     "can_fly",
    ///     &PropertyValue::Boolean(true),
    ///     &PropertyValue::Boolean(false),
    /// );
    /// let shade = detector.calculate_confidence(
    ///     "color",
    ///     &PropertyValue::from("red"),
    ///     &PropertyValue::from("crimson"),
    /// );
    /// assert!(flip > 0.9);
    /// assert!(shade < 0.8 && shade < flip);
    /// ```
    pub fn calculate_confidence(
        &self,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
    ) -> f32 {
        self.calculate_confidence_with(property, inherited, actual, &NoPatterns)
    }

    /// [`calculate_confidence`](Self::calculate_confidence), raised to the confidence floor
    /// `patterns` gives this property and change, if any.
    pub fn calculate_confidence_with<P: PatternSource + ?Sized>(
        &self,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
        patterns: &P,
    ) -> f32 {
        let comparison = compare(inherited, actual);
        if comparison.kind == ChangeKind::Equal {
            return 0.0;
        }
        let learned = patterns.pattern_hint(property, inherited, actual, comparison.kind);
        judge(comparison, inherited, actual).with_learned(learned)
    }

    /// Whether `actual` replaces `inherited` as a different label (different words after
    /// folding case and separators, or different whole numbers) rather than respelling it.
    ///
    /// A label change is judged as sharing nothing (similarity 0, so every similarity
    /// threshold above 0 lets it through) and scores a confidence of at least
    /// [`LABEL_CHANGE_CONFIDENCE`](Self::LABEL_CHANGE_CONFIDENCE), above the default
    /// confidence threshold: a replaced category label is a deliberate change, however
    /// alike its letters, unless learned evidence says otherwise (a pattern's confidence
    /// floor for exactly this property and change then replaces that least confidence).
    /// Character similarity decides among near-identical spellings only: a spelling variant
    /// keeps its first letter and is at most one spelling edit (a swap of neighbours, a
    /// vowel for a vowel or `s`/`z`, `c`/`s`, `c`/`k`, a vowel or a doubled letter added or
    /// dropped) away per four characters (at most three).
    ///
    /// ```
    /// use llmkg_core::PropertyValue;
    /// use llmkg_detect::ExceptionDetector;
    ///
    /// let text = |s: &str| PropertyValue::from(s);
    /// assert!(ExceptionDetector::is_label_change(&text("location"), &text("relation")));
    /// assert!(ExceptionDetector::is_label_change(&text("red"), &text("crimson")));
    /// assert!(!ExceptionDetector::is_label_change(&text("color"), &text("colour")));
    /// assert!(ExceptionDetector::is_label_change(&PropertyValue::Integer(5), &PropertyValue::Integer(6)));
    /// assert!(!ExceptionDetector::is_label_change(&PropertyValue::Number(9.81), &PropertyValue::Number(9.8)));
    /// ```
    #[must_use]
    pub fn is_label_change(inherited: &PropertyValue, actual: &PropertyValue) -> bool {
        is_label_change(inherited, actual)
    }

    /// The least confidence a [label change](Self::is_label_change) scores before learned
    /// patterns: above [`DEFAULT_CONFIDENCE_THRESHOLD`](Self::DEFAULT_CONFIDENCE_THRESHOLD),
    /// below a flipped boolean (0.95) and below 0.8, the most a near-synonym
    /// (`"red"`/`"crimson"`) may score.
    pub const LABEL_CHANGE_CONFIDENCE: f32 = 0.75;

    /// A readable sentence saying how `actual` differs from `inherited` on `property`.
    ///
    /// ```
    /// use llmkg_core::PropertyValue;
    /// use llmkg_detect::ExceptionDetector;
    ///
    /// let detector = ExceptionDetector::default();
    /// let (yes, no) = (PropertyValue::Boolean(true), PropertyValue::Boolean(false));
    /// assert_eq!(
    ///     detector.infer_exception_reason("can_fly", &yes, &no),
    ///     "can_fly is false here, overriding the inherited true"
    /// );
    /// ```
    pub fn infer_exception_reason(
        &self,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
    ) -> String {
        self.infer_exception_reason_with(property, inherited, actual, &NoPatterns)
    }

    /// [`infer_exception_reason`](Self::infer_exception_reason), led by the reason `patterns`
    /// lends this property and change, if any.
    pub fn infer_exception_reason_with<P: PatternSource + ?Sized>(
        &self,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
        patterns: &P,
    ) -> String {
        let kind = compare(inherited, actual).kind;
        let learned_reason = patterns
            .pattern_hint(property, inherited, actual, kind)
            .and_then(|hint| hint.reason);
        describe_change(property, inherited, actual, kind, learned_reason)
    }

    /// What this detector has done since it was built or last reset.
    pub fn statistics(&self) -> DetectionStatistics {
        self.counters.snapshot()
    }

    /// Sets every statistic back to zero.
    pub fn reset_statistics(&self) {
        self.counters.reset();
    }
}

/// What the detector judges a differing pair by: the similarity it thresholds (0 for a label
/// change) and the confidence before learned patterns.
struct Judged {
    similarity: f32,
    /// The formula's confidence, raised to the label floor for a label change.
    confidence: f32,
    /// The formula's confidence alone.
    formula: f32,
}

impl Judged {
    /// The confidence with what a learned pattern says: its confidence floor is learned
    /// evidence about exactly this change, so where it exists it replaces the label floor
    /// (a label change the examples were unsure of stays unsure) and raises the formula.
    fn with_learned(&self, learned: Option<PatternHint<'_>>) -> f32 {
        if learned.and_then(|hint| hint.confidence_floor).is_some() {
            with_learned_confidence(self.formula, learned)
        } else {
            self.confidence
        }
    }
}

fn judge(comparison: Comparison, inherited: &PropertyValue, actual: &PropertyValue) -> Judged {
    let formula = confidence_of(comparison);
    let may_be_label = matches!(comparison.kind, ChangeKind::Text | ChangeKind::Numeric);
    if may_be_label && is_label_change(inherited, actual) {
        Judged {
            similarity: 0.0,
            confidence: formula.max(ExceptionDetector::LABEL_CHANGE_CONFIDENCE),
            formula,
        }
    } else {
        Judged {
            similarity: comparison.similarity,
            confidence: formula,
            formula,
        }
    }
}

fn with_learned_confidence(confidence: f32, learned: Option<PatternHint<'_>>) -> f32 {
    match learned.and_then(|hint| hint.confidence_floor) {
        Some(floor) => confidence.max(floor).clamp(0.0, 1.0),
        None => confidence,
    }
}

#[cfg(test)]
mod tests;
