//! Property tests of the public API: scores stay in range and symmetric, detection never
//! panics, reports exactly what the thresholds let through, and is sorted.

use std::collections::HashMap;

use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
use llmkg_detect::ExceptionDetector;
use llmkg_exception::ExceptionSource;
use llmkg_exception::calculate_similarity;
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
            let similarity = calculate_similarity(parent, actual);
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
