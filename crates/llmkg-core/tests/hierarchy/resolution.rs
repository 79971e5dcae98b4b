//! Resolution: diamonds, the Nixon conflict, redundant edges, deep chains, inherited views.

use llmkg_core::{Hierarchy, NodeId, PropertyConflict, PropertyValue, Resolution};

use super::{nixon, node};

#[test]
fn nixon_diamond_is_a_conflict_with_both_candidates() {
    let hierarchy = nixon(true);
    let quaker = (NodeId(1), PropertyValue::Boolean(true));
    let republican = (NodeId(2), PropertyValue::Boolean(false));
    assert_eq!(
        hierarchy.resolve(NodeId(3), "pacifist").unwrap(),
        Resolution::Conflict {
            candidates: vec![quaker.clone(), republican.clone()],
            default_pick: quaker.clone(),
        }
    );
    assert_eq!(
        hierarchy.conflicts(NodeId(3)).unwrap(),
        vec![PropertyConflict {
            property: "pacifist".into(),
            candidates: vec![quaker.clone(), republican.clone()],
            default_pick: quaker,
        }]
    );
    // No value wins: the maps leave the property out, whatever the parent order.
    assert_eq!(
        hierarchy.resolve(NodeId(3), "pacifist").unwrap().value(),
        None
    );
    let swapped = nixon(false);
    let resolution = swapped.resolve(NodeId(3), "pacifist").unwrap();
    assert!(resolution.is_conflict());
    assert_eq!(resolution.value(), None);
    for either in [&hierarchy, &swapped] {
        assert!(
            !either
                .resolve_properties(NodeId(3))
                .unwrap()
                .contains_key("pacifist")
        );
        assert!(
            !either
                .inherited_properties(NodeId(3))
                .unwrap()
                .contains_key("pacifist")
        );
    }
    assert_eq!(
        hierarchy.resolve_properties(NodeId(3)).unwrap(),
        swapped.resolve_properties(NodeId(3)).unwrap()
    );
    // Nixon's own opinion settles it: no conflict any more.
    let mut decided = nixon(true);
    decided
        .set_property(NodeId(3), "pacifist", false.into())
        .unwrap();
    assert_eq!(decided.conflicts(NodeId(3)).unwrap(), vec![]);
    // ... though what it inherits is still undecided, and it is still left out.
    assert_eq!(decided.inherited_conflicts(NodeId(3)).unwrap().len(), 1);
    assert!(
        !decided
            .inherited_properties(NodeId(3))
            .unwrap()
            .contains_key("pacifist")
    );
    assert_eq!(
        decided.resolve_properties(NodeId(3)).unwrap()["pacifist"],
        PropertyValue::Boolean(false)
    );
}

#[test]
fn diamond_inheriting_one_top_value_is_not_a_conflict() {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "Top").with_property("alive", true))
        .unwrap();
    hierarchy
        .insert(node(2, "Left").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(node(3, "Right").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(
            node(4, "Bottom")
                .with_parent(NodeId(2))
                .with_parent(NodeId(3)),
        )
        .unwrap();
    assert_eq!(
        hierarchy.resolve(NodeId(4), "alive").unwrap(),
        Resolution::Inherited {
            value: true.into(),
            from: NodeId(1)
        }
    );
    assert!(hierarchy.conflicts(NodeId(4)).unwrap().is_empty());

    // Both sides restating the same value is agreement, not conflict.
    hierarchy
        .set_property(NodeId(2), "alive", true.into())
        .unwrap();
    hierarchy
        .set_property(NodeId(3), "alive", true.into())
        .unwrap();
    assert_eq!(
        hierarchy.resolve(NodeId(4), "alive").unwrap(),
        Resolution::Inherited {
            value: true.into(),
            from: NodeId(2)
        }
    );
    // Left overriding Top wins even though Top's value also reaches Bottom through Right:
    // Left descends from Top, so it is more specific.
    hierarchy.remove_property(NodeId(3), "alive").unwrap();
    hierarchy
        .set_property(NodeId(2), "alive", false.into())
        .unwrap();
    assert_eq!(
        hierarchy.resolve(NodeId(4), "alive").unwrap(),
        Resolution::Inherited {
            value: false.into(),
            from: NodeId(2)
        }
    );
}

#[test]
fn redundant_edge_does_not_let_the_less_specific_value_win() {
    for parent_order in [[1u64, 2], [2, 1]] {
        let mut hierarchy = Hierarchy::new();
        hierarchy
            .insert(node(1, "A").with_property("x", 1i64))
            .unwrap();
        hierarchy
            .insert(node(2, "B").with_parent(NodeId(1)).with_property("x", 2i64))
            .unwrap();
        hierarchy
            .insert(
                node(3, "C")
                    .with_parent(NodeId(parent_order[0]))
                    .with_parent(NodeId(parent_order[1])),
            )
            .unwrap();
        assert_eq!(
            hierarchy.resolve(NodeId(3), "x").unwrap(),
            Resolution::Inherited {
                value: 2i64.into(),
                from: NodeId(2)
            },
            "parent order {parent_order:?}"
        );
        assert_eq!(
            hierarchy.ancestors(NodeId(3)).unwrap(),
            vec![NodeId(2), NodeId(1)]
        );
    }
    // The same, with the redundant edge added after views were cached.
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "A").with_property("x", 1i64))
        .unwrap();
    hierarchy
        .insert(node(2, "B").with_parent(NodeId(1)).with_property("x", 2i64))
        .unwrap();
    hierarchy
        .insert(node(3, "C").with_parent(NodeId(1)))
        .unwrap();
    assert_eq!(
        hierarchy.resolve(NodeId(3), "x").unwrap().value(),
        Some(&1i64.into())
    );
    hierarchy.add_parent(NodeId(3), NodeId(2)).unwrap();
    assert_eq!(
        hierarchy.resolve(NodeId(3), "x").unwrap().value(),
        Some(&2i64.into())
    );
}

#[test]
fn twenty_five_level_chain_resolves_from_the_nearest_definition() {
    const LEVELS: u64 = 25;
    let mut hierarchy = Hierarchy::new();
    for level in 0..LEVELS {
        let mut level_node = node(level, &format!("Level{level}"));
        if level > 0 {
            level_node = level_node.with_parent(NodeId(level - 1));
        }
        if level % 5 == 0 {
            level_node = level_node.with_property("defined_at", level as i64);
        }
        hierarchy.insert(level_node).unwrap();
    }
    let leaf = NodeId(LEVELS - 1);
    assert_eq!(hierarchy.depth(leaf).unwrap(), 24);
    let expected: Vec<NodeId> = (0..LEVELS - 1).rev().map(NodeId).collect();
    assert_eq!(hierarchy.ancestors(leaf).unwrap(), expected);
    assert_eq!(
        hierarchy.resolve(leaf, "defined_at").unwrap(),
        Resolution::Inherited {
            value: 20i64.into(),
            from: NodeId(20)
        }
    );
    assert_eq!(
        hierarchy.resolve(NodeId(19), "defined_at").unwrap().value(),
        Some(&15i64.into())
    );
    let explanation = hierarchy.explain(leaf, "defined_at").unwrap();
    assert_eq!(
        explanation.path,
        (20..LEVELS).map(NodeId).collect::<Vec<_>>()
    );
    assert_eq!(explanation.losers.len(), 4);
    assert_eq!(
        hierarchy.descendants(NodeId(20)).unwrap(),
        (21..LEVELS).map(NodeId).collect::<Vec<_>>()
    );
}

#[test]
fn inherited_properties_exclude_own_values_and_resolve_properties_include_them() {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(
            node(1, "Bird")
                .with_property("can_fly", true)
                .with_property("legs", 2i64),
        )
        .unwrap();
    hierarchy
        .insert(
            node(2, "Penguin")
                .with_parent(NodeId(1))
                .with_property("can_fly", false)
                .with_property("swims", true),
        )
        .unwrap();
    let inherited = hierarchy.inherited_properties(NodeId(2)).unwrap();
    assert_eq!(inherited.len(), 2);
    assert_eq!(inherited["can_fly"], PropertyValue::Boolean(true));
    assert_eq!(inherited["legs"], PropertyValue::Integer(2));
    let resolved = hierarchy.resolve_properties(NodeId(2)).unwrap();
    assert_eq!(resolved.len(), 3);
    assert_eq!(resolved["can_fly"], PropertyValue::Boolean(false));
    assert_eq!(resolved["swims"], PropertyValue::Boolean(true));
    assert!(
        hierarchy
            .inherited_properties(NodeId(1))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        hierarchy.resolve(NodeId(2), "colour").unwrap(),
        Resolution::Undefined
    );
    assert_eq!(
        hierarchy.resolve(NodeId(2), "colour").unwrap().value(),
        None
    );
}
