//! Property tests: any context gives a well-formed feature vector and a probability.

use std::collections::HashMap;

use llmkg_core::PropertyValue;
use llmkg_exception::calculate_similarity;
use llmkg_learn::{ExceptionContext, FeatureVector, PatternLearner};
use proptest::prelude::*;

use crate::penguin_learner;

fn value() -> impl Strategy<Value = PropertyValue> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(PropertyValue::Boolean),
        any::<f64>().prop_map(PropertyValue::Number),
        any::<i64>().prop_map(PropertyValue::Integer),
        ".{0,12}".prop_map(PropertyValue::String),
        Just(PropertyValue::Null),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(PropertyValue::List)
    })
}

fn context() -> impl Strategy<Value = ExceptionContext> {
    (
        ".{0,24}",
        value(),
        value(),
        ".{0,24}",
        any::<u32>(),
        prop::collection::hash_map(".{0,10}", value(), 0..48),
    )
        .prop_map(
            |(property_name, inherited_value, actual_value, node_type, depth, siblings)| {
                ExceptionContext {
                    property_name,
                    inherited_value,
                    actual_value,
                    node_type,
                    inheritance_depth: depth,
                    sibling_properties: siblings,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn features_are_in_range_and_bounded(context in context(), bits in 8_u32..20) {
        let vector = FeatureVector::standard(&context, bits);
        prop_assert!(!vector.is_empty());
        prop_assert!(!vector.is_truncated());
        let mut squares = 0.0_f32;
        for (index, value) in vector.iter() {
            prop_assert!(index < 1 << bits);
            prop_assert!((0.0..=1.0).contains(&value), "{value}");
            squares += value * value;
        }
        // Six extractors, each at most MAX_GROUP_NORM long.
        let bound = 6.0 * llmkg_learn::MAX_GROUP_NORM * llmkg_learn::MAX_GROUP_NORM;
        prop_assert!(squares > 0.0 && squares <= bound + 1e-3, "{squares}");
    }

    #[test]
    fn likelihoods_are_probabilities(context in context()) {
        let learner = penguin_learner(|_| "flightless".to_owned());
        let likelihood = learner.predict_exception_likelihood(&context);
        if unchanged(&context) {
            prop_assert_eq!(likelihood, 0.0);
        } else {
            prop_assert!(likelihood > 0.0 && likelihood < 1.0, "{likelihood}");
        }
        // Suggestions and matches never panic either.
        let _ = learner.suggest_exception_reason(&context);
        for found in learner.best_matching_patterns(&context, 3) {
            prop_assert!(found.similarity > 0.0 && found.similarity <= 1.0);
        }
    }

    #[test]
    fn learning_any_valid_context_keeps_the_model_finite(context in context()) {
        prop_assume!(!context.property_name.is_empty());
        let mut learner = PatternLearner::new();
        for _ in 0..3 {
            learner.observe_non_exception(&context).unwrap();
        }
        let likelihood = learner.predict_exception_likelihood(&context);
        prop_assert!(likelihood < 0.5, "{likelihood}");
        prop_assert!(likelihood > 0.0 || unchanged(&context), "{likelihood}");
    }

    #[test]
    fn similarity_is_symmetric_and_in_range(first in value(), second in value()) {
        let forward = calculate_similarity(&first, &second);
        prop_assert!((0.0..=1.0).contains(&forward));
        prop_assert_eq!(forward.to_bits(), calculate_similarity(&second, &first).to_bits());
    }

    #[test]
    fn sibling_order_does_not_change_a_prediction(
        siblings in prop::collection::vec((".{0,10}", value()), 0..64),
    ) {
        let learner = penguin_learner(|_| "flightless".to_owned());
        let forward: HashMap<String, PropertyValue> = siblings.iter().cloned().collect();
        let mut backward = HashMap::with_capacity(200);
        // Same entries (last write wins, as in `forward`), another insertion order and
        // another hasher seed.
        for (name, value) in &forward {
            backward.insert(name.clone(), value.clone());
        }
        let mut context = crate::flightless("Penguin");
        context.sibling_properties = forward;
        let first = learner.predict_exception_likelihood(&context);
        context.sibling_properties = backward;
        prop_assert_eq!(first.to_bits(), learner.predict_exception_likelihood(&context).to_bits());
    }
}

/// Whether the context's value does not change (scored 0 by the learner).
fn unchanged(context: &ExceptionContext) -> bool {
    llmkg_exception::compare(&context.inherited_value, &context.actual_value).kind
        == llmkg_exception::ChangeKind::Equal
}
