//! The per-node sibling cache gives exactly the features, predictions and training of the
//! uncached path, for any sibling map and any property (in the map or not).

use std::collections::HashMap;

use llmkg_core::PropertyValue;
use llmkg_exception::{Exception, ExceptionSource};
use llmkg_learn::{ExceptionContext, FeatureVector, PatternLearner, SiblingCache};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = PropertyValue> {
    prop_oneof![
        any::<bool>().prop_map(PropertyValue::Boolean),
        any::<i64>().prop_map(PropertyValue::Integer),
        "[a-z]{0,6}".prop_map(PropertyValue::String),
    ]
}

fn siblings() -> impl Strategy<Value = HashMap<String, PropertyValue>> {
    prop::collection::hash_map("[a-z_]{1,6}", value(), 0..80)
}

proptest! {
    #[test]
    fn cached_features_equal_uncached(
        siblings in siblings(),
        outside in "[a-z_]{1,6}",
        pick in any::<prop::sample::Index>(),
        bits in 4_u32..24,
    ) {
        let cache = SiblingCache::new(&siblings);
        prop_assert_eq!(cache.sibling_count(), siblings.len());
        let mut names: Vec<&String> = siblings.keys().collect();
        names.sort();
        names.push(&outside);
        let property = names[pick.index(names.len())].clone();
        let mut context =
            ExceptionContext::new(&property, true.into(), false.into(), "Bird", 2);
        context.sibling_properties = siblings;
        prop_assert_eq!(
            FeatureVector::standard_cached(&context, bits, &cache),
            FeatureVector::standard(&context, bits)
        );
    }

    #[test]
    fn cached_learning_equals_uncached(siblings in siblings(), steps in 1_usize..12) {
        let cache = SiblingCache::new(&siblings);
        let mut names: Vec<String> = siblings.keys().cloned().collect();
        names.sort();
        names.push("elsewhere".to_owned());
        let mut plain = PatternLearner::new();
        let mut cached = PatternLearner::new();
        for step in 0..steps {
            let property = &names[step % names.len()];
            let mut context =
                ExceptionContext::new(property, true.into(), false.into(), "Bird", 2);
            context.sibling_properties = siblings.clone();
            let exception = Exception::new(
                true.into(),
                false.into(),
                "Birds of this kind differ",
                ExceptionSource::Explicit,
                0.9,
            );
            let features = cached.features_cached(&context, &cache);
            prop_assert_eq!(
                plain.predict_exception_likelihood(&context).to_bits(),
                cached.predict_features(&features).to_bits()
            );
            if step % 3 == 2 {
                plain.observe_non_exception(&context).expect("named property");
                cached
                    .observe_non_exception_features(&context, &features)
                    .expect("named property");
            } else {
                plain.learn_from_exception(&exception, &context).expect("valid");
                cached
                    .learn_from_exception_features(&exception, &context, &features)
                    .expect("valid");
            }
        }
        prop_assert_eq!(plain.statistics(), cached.statistics());
    }
}
