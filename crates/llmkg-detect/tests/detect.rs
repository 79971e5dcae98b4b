//! Property tests of the public API: scores stay in range and symmetric, detection never
//! panics, reports exactly what the thresholds let through, and is sorted; its output is a
//! naive model's (filter, sort, one call per exception for confidence and reason), and the
//! borrowed `find_node_exceptions` agrees with it.

use std::collections::HashMap;

use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
use llmkg_detect::{ExceptionDetector, SkipReason};
use llmkg_exception::calculate_similarity;
use llmkg_exception::{ExceptionParts, ExceptionSource, NoPatterns};
use proptest::prelude::*;

fn value_strategy() -> impl Strategy<Value = PropertyValue> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(PropertyValue::Boolean),
        any::<f64>().prop_map(PropertyValue::Number),
        (-1000_i64..1000).prop_map(PropertyValue::Integer),
        any::<i64>().prop_map(PropertyValue::Integer),
        "[a-zA-Z0-9 _'-]{0,12}".prop_map(PropertyValue::String),
        prop_oneof![
            Just("can fly"),
            Just("cannot fly"),
            Just("10"),
            Just("100"),
            Just("color"),
            Just("Colour"),
            Just("-5 kg"),
        ]
        .prop_map(PropertyValue::from),
        Just(PropertyValue::Null),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(PropertyValue::List)
    })
}

fn properties_strategy() -> impl Strategy<Value = HashMap<String, PropertyValue>> {
    prop::collection::hash_map("[a-z_]{1,10}", value_strategy(), 0..12)
}

/// Many properties whose names share long prefixes or differ only in length, so the sort
/// sees ties in its integer keys.
fn long_prefix_properties_strategy() -> impl Strategy<Value = HashMap<String, PropertyValue>> {
    let name = prop_oneof![
        "prop_[0-9]{1,3}",
        "a_property_name_that_is_long_[a-c]{0,3}",
        "[a-c]{0,18}",
    ];
    prop::collection::hash_map(name, value_strategy(), 0..150)
}

/// The similarity the detector thresholds: none for a label change.
fn judged_similarity(parent: &PropertyValue, actual: &PropertyValue) -> f32 {
    if ExceptionDetector::is_label_change(parent, actual) {
        0.0
    } else {
        calculate_similarity(parent, actual)
    }
}

/// What detection must return, computed the slow way: every shared property compared
/// through the public per-pair methods, filtered by the thresholds, sorted by name.
fn naive_detection(
    detector: &ExceptionDetector,
    local: &HashMap<String, PropertyValue>,
    inherited: &HashMap<String, PropertyValue>,
) -> Vec<(String, PropertyValue, PropertyValue, f32, String)> {
    let mut expected: Vec<_> = local
        .iter()
        .filter_map(|(name, actual)| {
            let parent = inherited.get(name)?;
            let similarity = judged_similarity(parent, actual);
            let confidence = detector.calculate_confidence(name, parent, actual);
            let passes = parent != actual
                && similarity < detector.similarity_threshold()
                && confidence >= detector.confidence_threshold();
            passes.then(|| {
                let reason = detector.infer_exception_reason(name, parent, actual);
                (
                    name.clone(),
                    parent.clone(),
                    actual.clone(),
                    confidence,
                    reason,
                )
            })
        })
        .collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    expected
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn similarity_is_in_range_and_symmetric(a in value_strategy(), b in value_strategy()) {
        let forward = calculate_similarity(&a, &b);
        prop_assert!((0.0..=1.0).contains(&forward), "{a:?} vs {b:?} scored {forward}");
        prop_assert_eq!(forward, calculate_similarity(&b, &a));
        if a == b {
            prop_assert_eq!(forward, 1.0);
        }
    }

    #[test]
    fn confidence_is_in_range(a in value_strategy(), b in value_strategy()) {
        let detector = ExceptionDetector::default();
        let confidence = detector.calculate_confidence("p", &a, &b);
        prop_assert!((0.0..=1.0).contains(&confidence));
        prop_assert!(!detector.infer_exception_reason("p", &a, &b).is_empty());
    }

    #[test]
    fn detection_reports_exactly_what_passes_the_thresholds(
        local in properties_strategy(),
        mut inherited in properties_strategy(),
        similarity_threshold in -0.5_f32..1.5,
        confidence_threshold in -0.5_f32..1.5,
    ) {
        // Share some names so that comparisons happen.
        for (name, value) in local.iter().take(6) {
            inherited.entry(name.clone()).or_insert_with(|| value.clone());
        }
        let detector = ExceptionDetector::new(similarity_threshold, confidence_threshold);
        let mut node = InheritanceNode::new(NodeId(9), "Node");
        node.local_properties = local.clone();
        let found = detector.detect_node_exceptions(&node, &inherited);

        prop_assert!(found.windows(2).all(|pair| pair[0].0 < pair[1].0));
        let mut expected = Vec::new();
        for (name, actual) in &local {
            let Some(parent) = inherited.get(name) else { continue };
            let similarity = judged_similarity(parent, actual);
            let confidence = detector.calculate_confidence(name, parent, actual);
            if parent != actual
                && similarity < detector.similarity_threshold()
                && confidence >= detector.confidence_threshold()
            {
                expected.push(name.clone());
            }
        }
        expected.sort();
        let names: Vec<String> = found.iter().map(|(name, _)| name.clone()).collect();
        prop_assert_eq!(names, expected);
        for (name, exception) in &found {
            prop_assert_eq!(&exception.actual_value, &local[name]);
            prop_assert_eq!(&exception.inherited_value, &inherited[name]);
            prop_assert_eq!(exception.source, ExceptionSource::Detected);
            prop_assert!(exception.validate().is_ok());
        }
        prop_assert_eq!(detector.statistics().exceptions_found, found.len() as u64);
    }

    #[test]
    fn detection_is_the_naive_model_and_find_agrees(
        local in long_prefix_properties_strategy(),
        mut inherited in long_prefix_properties_strategy(),
        overlap in 0_usize..150,
        similarity_threshold in 0.0_f32..1.0,
        confidence_threshold in 0.0_f32..1.0,
        walk_inherited in any::<bool>(),
    ) {
        // Share names (with their own or a changed value) so comparisons happen; sometimes
        // make the inherited map the larger one, so the other map is walked.
        for (name, value) in local.iter().take(overlap) {
            let parent = if name.len() % 2 == 0 {
                value.clone()
            } else {
                PropertyValue::Boolean(true)
            };
            inherited.insert(name.clone(), parent);
        }
        if walk_inherited {
            for index in 0..local.len() {
                inherited
                    .entry(format!("only_inherited_{index}"))
                    .or_insert(PropertyValue::Null);
            }
        }
        let detector = ExceptionDetector::new(similarity_threshold, confidence_threshold);
        let mut node = InheritanceNode::new(NodeId(9), "Node");
        node.local_properties = local.clone();

        let detected = detector.detect_node_exceptions(&node, &inherited);
        let as_model: Vec<_> = detected
            .iter()
            .map(|(name, exception)| {
                (
                    name.clone(),
                    exception.inherited_value.clone(),
                    exception.actual_value.clone(),
                    exception.confidence,
                    exception.reason.clone(),
                )
            })
            .collect();
        // Compared as Debug text, where a NaN equals itself.
        let expected = naive_detection(&detector, &local, &inherited);
        prop_assert_eq!(format!("{as_model:?}"), format!("{expected:?}"));
        for (_, exception) in &detected {
            prop_assert_eq!(exception.source, ExceptionSource::Detected);
            prop_assert_eq!(exception.created_at, detected[0].1.created_at);
        }

        let found = detector.find_node_exceptions(&node, &inherited);
        prop_assert_eq!(found.len(), detected.len());
        let mut buffer = String::from("previous text");
        for (borrowed, (name, exception)) in found.iter().zip(&detected) {
            prop_assert_eq!(borrowed.property, name.as_str());
            prop_assert!(std::ptr::eq(borrowed.inherited_value, &inherited[name]));
            prop_assert!(std::ptr::eq(borrowed.actual_value, &node.local_properties[name]));
            prop_assert_eq!(borrowed.confidence, exception.confidence);
            prop_assert_eq!(&borrowed.reason_text(), &exception.reason);
            prop_assert_eq!(
                format!("{:?}", ExceptionParts { created_at: exception.created_at, ..*borrowed }.to_exception()),
                format!("{exception:?}")
            );
            buffer.clear();
            borrowed.write_reason(&mut buffer);
            prop_assert_eq!(&buffer, &exception.reason);
        }
        // The scan finds the same exceptions and accounts for every compared value.
        let scan = detector.scan_node_with(&node, &inherited, &NoPatterns);
        prop_assert_eq!(scan.exceptions.len(), found.len());
        for (scanned, borrowed) in scan.exceptions.iter().zip(&found) {
            prop_assert_eq!(scanned.property, borrowed.property);
        }
        let shared = node.local_properties.keys().filter(|name| inherited.contains_key(*name)).count();
        prop_assert_eq!(scan.compared, shared);
        prop_assert_eq!(scan.compared, scan.equal + scan.exceptions.len() + scan.unreported.len());
        for value in &scan.unreported {
            let missed = match value.reason {
                SkipReason::Similar => value.similarity >= detector.similarity_threshold(),
                SkipReason::LowConfidence => value.confidence < detector.confidence_threshold(),
                _ => false,
            };
            prop_assert!(missed, "{value:?}");
        }
        let statistics = detector.statistics();
        prop_assert!(statistics.is_balanced(), "{:?}", statistics);
        prop_assert_eq!(statistics.properties_compared, 3 * scan.compared as u64);
        prop_assert_eq!(statistics.values_equal, 3 * scan.equal as u64);
        prop_assert_eq!(statistics.nodes_scanned, 3);
        prop_assert_eq!(statistics.exceptions_found, 3 * detected.len() as u64);
    }

    #[test]
    fn try_new_accepts_exactly_the_unit_interval(
        similarity in prop_oneof![-2.0_f32..2.0, Just(f32::NAN), Just(f32::INFINITY)],
        confidence in prop_oneof![-2.0_f32..2.0, Just(f32::NAN), Just(f32::NEG_INFINITY)],
    ) {
        let valid = |t: f32| (0.0..=1.0).contains(&t);
        let built = ExceptionDetector::try_new(similarity, confidence);
        prop_assert_eq!(built.is_ok(), valid(similarity) && valid(confidence));
        let repaired = ExceptionDetector::new(similarity, confidence);
        prop_assert!(valid(repaired.similarity_threshold()));
        prop_assert!(valid(repaired.confidence_threshold()));
    }
}

#[test]
fn sort_order_holds_for_names_sharing_long_prefixes() {
    let detector = ExceptionDetector::new(0.8, 0.0);
    let names = [
        "property_b",
        "property_a",
        "property",
        "propert",
        "property_aa",
        "p",
        "",
        "zz",
        "prop\0x",
        "prop",
    ];
    let mut node = InheritanceNode::new(NodeId(1), "Node");
    let mut inherited = HashMap::new();
    for name in names {
        node.local_properties
            .insert(name.to_owned(), PropertyValue::Boolean(false));
        inherited.insert(name.to_owned(), PropertyValue::Boolean(true));
    }
    let found: Vec<String> = detector
        .detect_node_exceptions(&node, &inherited)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let mut expected: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
    expected.sort();
    assert_eq!(found, expected);
}
