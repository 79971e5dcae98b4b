//! Explanations: the winner, the path, and why each other candidate lost.

use llmkg_core::{Hierarchy, LosingCandidate, LossReason, NodeId, PropertyValue, Resolution};

use super::{nixon, node};

#[test]
fn own_value_beats_every_ancestor_and_says_so() {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "Animal").with_property("can_fly", false))
        .unwrap();
    hierarchy
        .insert(
            node(2, "Bird")
                .with_parent(NodeId(1))
                .with_property("can_fly", true),
        )
        .unwrap();
    hierarchy
        .insert(
            node(3, "Penguin")
                .with_parent(NodeId(2))
                .with_property("can_fly", false),
        )
        .unwrap();
    let explanation = hierarchy.explain(NodeId(3), "can_fly").unwrap();
    assert_eq!(explanation.resolution, Resolution::Own(false.into()));
    assert_eq!(explanation.winner, Some((NodeId(3), false.into())));
    assert_eq!(explanation.path, vec![NodeId(3)]);
    assert_eq!(
        explanation.losers,
        vec![
            LosingCandidate {
                node: NodeId(2),
                value: true.into(),
                reason: LossReason::OverriddenBy(NodeId(3)),
            },
            LosingCandidate {
                node: NodeId(1),
                value: false.into(),
                reason: LossReason::OverriddenBy(NodeId(2)),
            },
        ]
    );
    let text = explanation.to_string();
    assert_eq!(
        text,
        "Penguin (#3) defines can_fly = false itself.\n\
         Bird (#2) says true, but Penguin (#3) defines its own value.\n\
         Animal (#1) says false, but Bird (#2) redefines it on every path from Animal (#1) down to Penguin (#3)."
    );
}

#[test]
fn redundant_edge_loser_is_less_specific_not_overridden() {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "A").with_property("x", 1i64))
        .unwrap();
    hierarchy
        .insert(node(2, "B").with_parent(NodeId(1)).with_property("x", 2i64))
        .unwrap();
    hierarchy
        .insert(node(3, "C").with_parent(NodeId(1)).with_parent(NodeId(2)))
        .unwrap();
    let explanation = hierarchy.explain(NodeId(3), "x").unwrap();
    assert_eq!(explanation.winner, Some((NodeId(2), 2i64.into())));
    assert_eq!(explanation.path, vec![NodeId(2), NodeId(3)]);
    assert_eq!(
        explanation.losers,
        vec![LosingCandidate {
            node: NodeId(1),
            value: 1i64.into(),
            reason: LossReason::LessSpecificThan(NodeId(2)),
        }]
    );
    let text = explanation.to_string();
    assert!(
        text.starts_with("C (#3) inherits x = 2 from B (#2), along B (#2) -> C (#3)."),
        "{text}"
    );
    assert!(
        text.contains("B (#2) is more specific: it descends from A (#1)"),
        "{text}"
    );
}

#[test]
fn conflict_explanation_has_no_winner_and_lists_every_candidate() {
    for quaker_first in [true, false] {
        let explanation = nixon(quaker_first).explain(NodeId(3), "pacifist").unwrap();
        assert!(explanation.resolution.is_conflict());
        assert_eq!(explanation.winner, None);
        assert!(explanation.path.is_empty());
        let mut losers = explanation.losers.clone();
        losers.sort_by_key(|loser| loser.node);
        assert_eq!(
            losers,
            vec![
                LosingCandidate {
                    node: NodeId(1),
                    value: true.into(),
                    reason: LossReason::Conflicting,
                },
                LosingCandidate {
                    node: NodeId(2),
                    value: false.into(),
                    reason: LossReason::Conflicting,
                },
            ]
        );
        let text = explanation.to_string();
        assert!(
            text.contains("conflicting values for pacifist from 2 equally specific ancestors, so no value wins"),
            "{text}"
        );
        assert!(
            !text.contains("pick") && !text.contains("parent order"),
            "{text}"
        );
        assert!(text.contains("Republican (#2) says false"), "{text}");
        assert!(text.contains("Quaker (#1) says true"), "{text}");
        assert_eq!(explanation.node_names[&NodeId(2)], "Republican");
    }
}

#[test]
fn agreeing_equals_and_undefined_values_are_explained() {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "Left").with_property("legs", 2i64))
        .unwrap();
    hierarchy
        .insert(node(2, "Right").with_property("legs", 2i64))
        .unwrap();
    hierarchy
        .insert(node(3, "Mid").with_parent(NodeId(2)))
        .unwrap();
    hierarchy
        .insert(
            node(4, "Both")
                .with_parent(NodeId(1))
                .with_parent(NodeId(3)),
        )
        .unwrap();
    let explanation = hierarchy.explain(NodeId(4), "legs").unwrap();
    assert_eq!(
        explanation.resolution,
        Resolution::Inherited {
            value: PropertyValue::Integer(2),
            from: NodeId(1)
        }
    );
    assert_eq!(
        explanation.losers[0].reason,
        LossReason::SameValueAs(NodeId(1))
    );
    assert_eq!(explanation.path, vec![NodeId(1), NodeId(4)]);
    let right_path = hierarchy.explain(NodeId(3), "legs").unwrap().path;
    assert_eq!(right_path, vec![NodeId(2), NodeId(3)]);

    let undefined = hierarchy.explain(NodeId(4), "wings").unwrap();
    assert_eq!(undefined.winner, None);
    assert!(undefined.path.is_empty() && undefined.losers.is_empty());
    assert_eq!(
        undefined.to_string(),
        "Both (#4) has no value for wings: neither it nor any ancestor defines it."
    );
}
