//! Unit tests of the detector: thresholds, filtering, order, statistics and learning.

use std::collections::HashMap;

use llmkg_core::{InheritanceNode, NodeId, PropertyValue as V};
use llmkg_exception::ExceptionSource;

use super::*;

fn inherited(pairs: &[(&str, V)]) -> HashMap<String, V> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

fn node(pairs: &[(&str, V)]) -> InheritanceNode {
    let mut node = InheritanceNode::new(NodeId(1), "Penguin");
    node.local_properties = inherited(pairs);
    node
}

#[test]
fn detector_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ExceptionDetector>();
}

#[test]
fn spelling_variant_is_not_reported_at_0_9() {
    let detector = ExceptionDetector::new(0.9, 0.0);
    let found = detector.detect_node_exceptions(
        &node(&[("tint", V::from("colour"))]),
        &inherited(&[("tint", V::from("color"))]),
    );
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(detector.statistics().skipped_as_similar, 1);
}

#[test]
fn dangerous_near_strings_are_reported() {
    let detector = ExceptionDetector::new(0.8, 0.0);
    let found = detector.detect_node_exceptions(
        &node(&[("ability", V::from("cannot fly")), ("size", V::from("100"))]),
        &inherited(&[("ability", V::from("can fly")), ("size", V::from("10"))]),
    );
    let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["ability", "size"]);
}

#[test]
fn a_replaced_word_is_reported_below_a_flip_and_a_higher_bar_skips_it() {
    // red -> crimson is a label change: 0.75, at the default threshold and under 0.8; the
    // flip scores 0.95.
    let detector = ExceptionDetector::new(0.8, 0.7);
    let local = node(&[
        ("color", V::from("crimson")),
        ("can_fly", V::Boolean(false)),
    ]);
    let parent = inherited(&[("color", V::from("red")), ("can_fly", V::Boolean(true))]);
    let found = detector.detect_node_exceptions(&local, &parent);
    assert_eq!(found.len(), 2);
    let (flip, shade) = (found[0].1.confidence, found[1].1.confidence);
    assert_eq!(found[1].0, "color");
    assert!((ExceptionDetector::DEFAULT_CONFIDENCE_THRESHOLD..0.8).contains(&shade));
    assert!(shade < flip && flip > 0.9);

    let strict = ExceptionDetector::new(0.8, 0.8);
    let scan = strict.scan_node_with(&local, &parent, &NoPatterns);
    assert_eq!(scan.exceptions.len(), 1);
    assert_eq!(scan.exceptions[0].property, "can_fly");
    assert_eq!(scan.unreported.len(), 1);
    let skipped = scan.unreported[0];
    assert_eq!(
        (skipped.property, skipped.reason, skipped.confidence),
        ("color", SkipReason::LowConfidence, shade)
    );
    assert_eq!(skipped.similarity, 0.0, "a label change shares nothing");
    assert_eq!(strict.statistics().skipped_low_confidence, 1);
}

#[test]
fn labels_that_look_alike_are_still_reported() {
    // Jaro-Winkler scores these 0.8 or more, above the default similarity threshold.
    let detector = ExceptionDetector::default();
    let local = node(&[
        ("topic", V::from("relation")),
        ("other", V::from("possession")),
        ("number", V::Integer(6)),
    ]);
    let parent = inherited(&[
        ("topic", V::from("location")),
        ("other", V::from("process")),
        ("number", V::Integer(5)),
    ]);
    let found = detector.detect_node_exceptions(&local, &parent);
    assert_eq!(found.len(), 3, "{found:?}");
    for (_, exception) in &found {
        assert!(exception.confidence >= ExceptionDetector::DEFAULT_CONFIDENCE_THRESHOLD);
    }
}

#[test]
fn learned_evidence_can_overrule_the_label_floor() {
    let detector = ExceptionDetector::default();
    let local = node(&[("topic", V::from("plant"))]);
    let parent = inherited(&[("topic", V::from("animal"))]);
    assert_eq!(detector.detect_node_exceptions(&local, &parent).len(), 1);
    // Examples of exactly this change were unsure of it.
    let unsure = OnePattern {
        property: "topic",
        kind: ChangeKind::Text,
        reason: "Reclassified",
        confidence_floor: Some(0.2),
    };
    let scan = detector.scan_node_with(&local, &parent, &unsure);
    assert!(scan.exceptions.is_empty());
    assert_eq!(scan.unreported[0].reason, SkipReason::LowConfidence);
    assert!(scan.unreported[0].confidence < ExceptionDetector::LABEL_CHANGE_CONFIDENCE);
}

#[test]
fn a_scan_accounts_for_every_compared_value() {
    let detector = ExceptionDetector::new(0.9, 0.7);
    let local = node(&[
        ("same", V::Boolean(true)),
        ("nan", V::Number(f64::NAN)),
        ("flipped", V::Boolean(false)),
        ("spelling", V::from("colour")),
        ("measured", V::Number(100.5)),
        ("unique", V::Null),
    ]);
    let parent = inherited(&[
        ("same", V::Boolean(true)),
        ("nan", V::Number(f64::NAN)),
        ("flipped", V::Boolean(true)),
        ("spelling", V::from("color")),
        ("measured", V::Number(100.0)),
    ]);
    let scan = detector.scan_node_with(&local, &parent, &NoPatterns);
    assert_eq!(scan.compared, 5);
    assert_eq!(scan.equal, 2);
    assert_eq!(scan.exceptions.len(), 1);
    let unreported: Vec<(&str, SkipReason)> = scan
        .unreported
        .iter()
        .map(|value| (value.property, value.reason))
        .collect();
    assert_eq!(
        unreported,
        [
            ("measured", SkipReason::Similar),
            ("spelling", SkipReason::Similar)
        ]
    );
    assert!(scan.unreported.iter().all(|value| value.similarity >= 0.9));
    assert_eq!(
        scan.compared,
        scan.equal + scan.exceptions.len() + scan.unreported.len()
    );
}

#[test]
fn reported_exceptions_carry_values_source_and_confidence() {
    let detector = ExceptionDetector::default();
    let found = detector.detect_node_exceptions(
        &node(&[("legs", V::Integer(2))]),
        &inherited(&[("legs", V::Integer(4))]),
    );
    let (property, exception) = &found[0];
    assert_eq!(property, "legs");
    assert_eq!(exception.inherited_value, V::Integer(4));
    assert_eq!(exception.actual_value, V::Integer(2));
    assert_eq!(exception.source, ExceptionSource::Detected);
    assert_eq!(
        exception.reason,
        "legs is 2 here instead of the inherited 4"
    );
    let expected = detector.calculate_confidence("legs", &V::Integer(4), &V::Integer(2));
    assert_eq!(exception.confidence, expected);
    assert!(exception.validate().is_ok());
}

#[test]
fn properties_without_an_inherited_value_are_not_compared() {
    let detector = ExceptionDetector::default();
    let found = detector.detect_node_exceptions(
        &node(&[("only_here", V::Boolean(false))]),
        &inherited(&[("only_inherited", V::Boolean(true))]),
    );
    assert!(found.is_empty());
    assert_eq!(detector.statistics().properties_compared, 0);
}

#[test]
fn output_is_sorted_by_property_whichever_map_is_smaller() {
    let detector = ExceptionDetector::new(0.8, 0.0);
    let local: Vec<(String, V)> = (0..50)
        .map(|index| (format!("p{index:02}"), V::Integer(index)))
        .collect();
    let local_refs: Vec<(&str, V)> = local.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
    let mut parent: Vec<(&str, V)> = local_refs
        .iter()
        .map(|(name, _)| (*name, V::Integer(-1)))
        .collect();
    let few_local = node(&local_refs[..10]);
    let many_inherited = inherited(&parent);
    parent.truncate(5);
    let many_local = node(&local_refs);
    let few_inherited = inherited(&parent);

    for (node, inherited, expected_len) in [
        (&few_local, &many_inherited, 10),
        (&many_local, &few_inherited, 5),
    ] {
        let found = detector.detect_node_exceptions(node, inherited);
        assert_eq!(found.len(), expected_len);
        assert!(found.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }
}

#[test]
fn statistics_add_up_and_reset() {
    let detector = ExceptionDetector::new(0.9, 0.7);
    let local = node(&[
        ("same", V::Boolean(true)),
        ("flipped", V::Boolean(false)),
        ("spelling", V::from("colour")),
        ("measured", V::Number(100.5)),
        ("unique", V::Null),
    ]);
    let parent = inherited(&[
        ("same", V::Boolean(true)),
        ("flipped", V::Boolean(true)),
        ("spelling", V::from("color")),
        ("measured", V::Number(60.0)),
    ]);
    detector.detect_node_exceptions(&local, &parent);
    detector.detect_node_exceptions(&local, &parent);
    assert_eq!(
        detector.statistics(),
        DetectionStatistics {
            nodes_scanned: 2,
            properties_compared: 8,
            values_equal: 2,
            exceptions_found: 2,
            skipped_as_similar: 2,
            skipped_low_confidence: 2,
        }
    );
    assert!(detector.statistics().is_balanced());
    detector.reset_statistics();
    assert_eq!(detector.statistics(), DetectionStatistics::default());
}

#[test]
fn bad_thresholds_are_repaired_by_new_and_rejected_by_try_new() {
    let detector = ExceptionDetector::new(f32::NAN, -3.0);
    assert_eq!(
        detector.similarity_threshold(),
        ExceptionDetector::DEFAULT_SIMILARITY_THRESHOLD
    );
    assert_eq!(detector.confidence_threshold(), 0.0);
    assert_eq!(
        ExceptionDetector::new(f32::INFINITY, 2.0).similarity_threshold(),
        1.0
    );

    for bad in [f32::NAN, f32::INFINITY, -0.01, 1.01] {
        assert!(matches!(
            ExceptionDetector::try_new(bad, 0.5),
            Err(DetectError::InvalidSimilarityThreshold(_))
        ));
        assert!(matches!(
            ExceptionDetector::try_new(0.5, bad),
            Err(DetectError::InvalidConfidenceThreshold(_))
        ));
    }
    let error = ExceptionDetector::try_new(1.5, 0.5).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid similarity threshold 1.5: must be a finite number in [0, 1]"
    );
}

#[test]
fn similarity_threshold_zero_reports_nothing_and_one_reports_every_difference() {
    let local = node(&[("tint", V::from("colour")), ("size", V::Number(100.5))]);
    let parent = inherited(&[("tint", V::from("color")), ("size", V::Number(100.0))]);
    let none = ExceptionDetector::new(0.0, 0.0).detect_node_exceptions(&local, &parent);
    assert!(none.is_empty());
    let all = ExceptionDetector::new(1.0, 0.0).detect_node_exceptions(&local, &parent);
    assert_eq!(all.len(), 2);
}

/// A pattern source that knows one change of one property.
struct OnePattern {
    property: &'static str,
    kind: ChangeKind,
    reason: &'static str,
    confidence_floor: Option<f32>,
}

impl PatternSource for OnePattern {
    fn pattern_hint(
        &self,
        property: &str,
        _inherited: &V,
        _actual: &V,
        kind: ChangeKind,
    ) -> Option<PatternHint<'_>> {
        (property == self.property && kind == self.kind).then_some(PatternHint {
            reason: Some(self.reason),
            confidence_floor: self.confidence_floor,
        })
    }
}

const FLIGHTLESS: OnePattern = OnePattern {
    property: "can_fly",
    kind: ChangeKind::BooleanFlip { to: false },
    reason: "Flightless bird",
    confidence_floor: Some(1.0),
};

#[test]
fn a_detector_alone_consults_no_patterns() {
    let detector = ExceptionDetector::default();
    let reason = detector.infer_exception_reason("can_fly", &V::Boolean(true), &V::Boolean(false));
    assert_eq!(
        reason,
        "can_fly is false here, overriding the inherited true"
    );
}

#[test]
fn learned_reason_is_used_for_the_same_kind_only() {
    let detector = ExceptionDetector::default();
    let reason = detector.infer_exception_reason_with(
        "can_fly",
        &V::Boolean(true),
        &V::Boolean(false),
        &FLIGHTLESS,
    );
    assert!(reason.contains("Flightless bird"), "{reason}");
    let other_direction = detector.infer_exception_reason_with(
        "can_fly",
        &V::Boolean(false),
        &V::Boolean(true),
        &FLIGHTLESS,
    );
    assert!(!other_direction.contains("Flightless"), "{other_direction}");

    let found = detector.detect_node_exceptions_with(
        &node(&[("can_fly", V::Boolean(false))]),
        &inherited(&[("can_fly", V::Boolean(true))]),
        &FLIGHTLESS,
    );
    assert!(found[0].1.reason.starts_with("Flightless bird: "));
    // The pattern's floor (1.0) raises the confidence.
    assert_eq!(found[0].1.confidence, 1.0);
    assert_eq!(
        detector.calculate_confidence_with(
            "can_fly",
            &V::Boolean(true),
            &V::Boolean(false),
            &FLIGHTLESS
        ),
        1.0
    );
}

#[test]
fn learned_confidence_can_lift_a_pair_over_the_threshold() {
    let detector = ExceptionDetector::new(0.99, 0.99);
    let colour = || inherited(&[("color", V::from("red"))]);
    let crimson = node(&[("color", V::from("crimson"))]);
    assert!(
        detector
            .detect_node_exceptions(&crimson, &colour())
            .is_empty()
    );
    let cardinal = OnePattern {
        property: "color",
        kind: ChangeKind::Text,
        reason: "Cardinal plumage",
        confidence_floor: Some(0.995),
    };
    let found = detector.detect_node_exceptions_with(&crimson, &colour(), &cardinal);
    assert_eq!(found.len(), 1);
    assert!(found[0].1.reason.starts_with("Cardinal plumage: "));
}

#[test]
fn seed_shaped_node_reports_two_thirds() {
    // The seed's generator: property j is Boolean(true), a String or a Number by j % 3,
    // compared with an inherited Boolean(true).
    let detector = ExceptionDetector::new(0.8, 0.7);
    let mut seed_node = InheritanceNode::new(NodeId(0), "TestNode_0");
    let mut parent = HashMap::new();
    for index in 0..300_usize {
        let value = match index % 3 {
            0 => V::Boolean(true),
            1 => V::String(format!("value_0_{index}")),
            _ => V::Number(index as f64),
        };
        let name = format!("prop_{index}");
        seed_node.local_properties.insert(name.clone(), value);
        parent.insert(name, V::Boolean(true));
    }
    let found = detector.detect_node_exceptions(&seed_node, &parent);
    assert_eq!(found.len(), 200);
    assert_eq!(
        found[0].1.reason,
        "prop_1 is a string here, replacing the inherited boolean"
    );
}
