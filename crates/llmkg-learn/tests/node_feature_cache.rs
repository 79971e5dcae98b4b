//! The per-node feature cache gives exactly the features, predictions and training of the
//! uncached path, for any node type, sibling map and property (in the map or not), and for a
//! context of another node type than the cache's.

use std::collections::HashMap;

use llmkg_core::PropertyValue;
use llmkg_exception::{Exception, ExceptionSource};
use llmkg_learn::{ExceptionContext, FeatureVector, NodeFeatureCache, PatternLearner};
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
        node_type in "[A-Za-z_]{0,12}",
        other_type in any::<bool>(),
    ) {
        let cache = NodeFeatureCache::new(&node_type, &siblings);
        prop_assert_eq!(cache.sibling_count(), siblings.len());
        let mut names: Vec<&String> = siblings.keys().collect();
        names.sort();
        names.push(&outside);
        let property = names[pick.index(names.len())].clone();
        let context_type = if other_type { "Emperor_Penguin" } else { node_type.as_str() };
        let mut context =
            ExceptionContext::new(&property, true.into(), false.into(), context_type, 2);
        context.sibling_properties = siblings;
        prop_assert_eq!(
            FeatureVector::standard_cached(&context, bits, &cache),
            FeatureVector::standard(&context, bits)
        );
    }

    #[test]
    fn cached_learning_equals_uncached(siblings in siblings(), steps in 1_usize..12) {
        let cache = NodeFeatureCache::new("Bird", &siblings);
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
            let features = cached.features_cached(&context, &cache).expect("valid context");
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

#[test]
fn a_too_deep_sibling_is_refused_as_by_validate() {
    let mut deep = PropertyValue::Integer(1);
    for _ in 0..=llmkg_core::MAX_VALUE_DEPTH {
        deep = PropertyValue::List(vec![deep]);
    }
    let siblings = HashMap::from([("nested".to_owned(), deep), ("ok".to_owned(), true.into())]);
    let cache = NodeFeatureCache::new("Bird", &siblings);
    let mut context = ExceptionContext::new("ok", true.into(), false.into(), "Bird", 2);
    context.sibling_properties = siblings;
    let learner = PatternLearner::new();
    let expected = context.validate().expect_err("too deep").to_string();
    let found = learner
        .features_cached(&context, &cache)
        .expect_err("too deep")
        .to_string();
    assert_eq!(found, expected);
}
