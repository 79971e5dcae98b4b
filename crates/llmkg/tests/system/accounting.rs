//! Every stated value in exactly one of `ProcessReport`'s buckets.

use llmkg::core::{Hierarchy, InheritanceNode, NodeId, PropertyValue};
use llmkg::exceptions::SkipReason;
use llmkg::{ExceptionSystem, SystemConfig};
use proptest::prelude::*;

/// Animal(kingdom, legs, colour, topic) -> Bird -> ...; Quaker / Republican -> Nixon.
fn zoo() -> Hierarchy {
    Hierarchy::from_nodes([
        InheritanceNode::new(NodeId(1), "Animal")
            .with_property("topic", "animal")
            .with_property("legs", 4_i64)
            .with_property("colour", "brown")
            .with_property("weight", 10.0)
            .with_property("can_fly", false),
        InheritanceNode::new(NodeId(2), "Bird")
            .with_parent(NodeId(1))
            // A replaced label, a changed whole number, a flipped boolean: exceptions.
            .with_property("topic", "plant")
            .with_property("legs", 2_i64)
            .with_property("can_fly", true)
            // A respelling: similar, not reported.
            .with_property("colour", "Brown")
            // A measurement a little off: similar, not reported.
            .with_property("weight", 10.25)
            // Nothing inherited: introduced.
            .with_property("wingspan", 1.5),
        InheritanceNode::new(NodeId(3), "Robin")
            .with_parent(NodeId(2))
            // Equal to what it inherits.
            .with_property("can_fly", true),
        InheritanceNode::new(NodeId(10), "Quaker").with_property("pacifist", true),
        InheritanceNode::new(NodeId(11), "Republican").with_property("pacifist", false),
        InheritanceNode::new(NodeId(12), "Nixon")
            .with_parent(NodeId(10))
            .with_parent(NodeId(11))
            .with_property("pacifist", true),
    ])
    .unwrap()
}

#[test]
fn every_bucket_is_counted_once() {
    let report = ExceptionSystem::new().process_hierarchy(&zoo()).unwrap();
    assert_eq!(report.nodes, 6);
    assert_eq!(report.values_stated, 15);
    assert_eq!(report.exceptions, 3, "topic, legs, can_fly on Bird");
    assert_eq!(report.non_exceptions, 1, "Robin's can_fly");
    assert_eq!(report.settled_conflicts, 1, "Nixon's pacifist");
    assert_eq!(report.conflicts, 1);
    assert_eq!(
        report.introduced,
        5 + 1 + 2,
        "Animal's five, wingspan, the two parties"
    );
    let unreported: Vec<(&str, SkipReason)> = report
        .unreported
        .iter()
        .map(|value| (value.property.as_str(), value.reason))
        .collect();
    assert_eq!(
        unreported,
        [
            ("colour", SkipReason::Similar),
            ("weight", SkipReason::Similar)
        ]
    );
    let colour = &report.unreported[0];
    assert_eq!(colour.node, NodeId(2));
    assert_eq!(colour.actual_value, PropertyValue::from("Brown"));
    assert!(colour.similarity >= 0.8 && colour.confidence < 0.7);
    assert_eq!(report.overrides(), 3 + 1 + 2);
    assert_eq!(report.stored_exceptions(), 4);
    assert!(report.is_balanced(), "{report:?}");
}

#[test]
fn values_below_the_confidence_threshold_are_listed_with_their_score() {
    let strict = SystemConfig {
        confidence_threshold: 0.9,
        ..SystemConfig::default()
    };
    let mut system = ExceptionSystem::with_config(strict).unwrap();
    let report = system.process_hierarchy(&zoo()).unwrap();
    // The label changes score 0.75: listed; the flip (0.95) is stored.
    assert_eq!(report.exceptions, 1);
    let low: Vec<(&str, f32)> = report
        .unreported
        .iter()
        .filter(|value| value.reason == SkipReason::LowConfidence)
        .map(|value| (value.property.as_str(), value.confidence))
        .collect();
    assert_eq!(low.len(), 2, "{low:?}");
    assert!(low.iter().all(|(_, confidence)| *confidence < 0.9));
    assert!(report.is_balanced(), "{report:?}");
    assert!(system.get_exception(NodeId(2), "topic").is_none());
}

fn value_strategy() -> impl Strategy<Value = PropertyValue> {
    prop_oneof![
        any::<bool>().prop_map(PropertyValue::Boolean),
        (0_i64..4).prop_map(PropertyValue::Integer),
        (0.0_f64..2.0).prop_map(PropertyValue::Number),
        prop::sample::select(vec!["animal", "Animal", "plant", "colour", "color", "act"])
            .prop_map(PropertyValue::from),
        Just(PropertyValue::Null),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random DAGs (each node's parents among the earlier ones) with a few shared property
    /// names: the buckets always sum to the values stated.
    #[test]
    fn the_buckets_add_up(
        nodes in prop::collection::vec(
            (
                prop::collection::vec(any::<prop::sample::Index>(), 0..3),
                prop::collection::hash_map("[a-d]", value_strategy(), 0..4),
            ),
            1..24,
        ),
        confidence_threshold in 0.0_f32..1.0,
    ) {
        let mut built = Vec::new();
        for (position, (parents, properties)) in nodes.into_iter().enumerate() {
            let mut node = InheritanceNode::new(NodeId(position as u64), &format!("n{position}"));
            if position > 0 {
                let mut ids: Vec<NodeId> =
                    parents.iter().map(|index| NodeId(index.index(position) as u64)).collect();
                ids.sort();
                ids.dedup();
                node.parent_ids = ids;
            }
            node.local_properties = properties.into_iter().collect();
            built.push(node);
        }
        let stated: usize = built.iter().map(|node| node.local_properties.len()).sum();
        let hierarchy = Hierarchy::from_nodes(built).unwrap();
        let config = SystemConfig { confidence_threshold, ..SystemConfig::default() };
        let report = ExceptionSystem::with_config(config).unwrap().process_hierarchy(&hierarchy).unwrap();
        prop_assert_eq!(report.values_stated, stated);
        prop_assert!(report.is_balanced(), "{:?}", report);
    }
}
