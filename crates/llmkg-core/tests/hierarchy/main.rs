//! Integration tests of `Hierarchy`: structure errors, resolution, strictness, explanations,
//! caching, scale, and property tests against a naive model.

mod explain;
mod model;
mod scale;

use llmkg_core::{
    CoreError, Hierarchy, InheritanceNode, NodeId, PropertyConflict, PropertyValue, Resolution,
};

fn node(id: u64, name: &str) -> InheritanceNode {
    InheritanceNode::new(NodeId(id), name)
}

/// Everything observable about a hierarchy, to check that a failed edit changed nothing.
fn snapshot(hierarchy: &Hierarchy) -> Vec<String> {
    let mut lines = Vec::new();
    for id in hierarchy.nodes_topological() {
        let found = hierarchy.get(id).expect("listed ids exist");
        let mut properties: Vec<_> = hierarchy
            .resolve_properties(id)
            .expect("listed ids exist")
            .into_iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        properties.sort();
        lines.push(format!(
            "{id} {} parents={:?} depth={} ancestors={:?} {properties:?}",
            found.name,
            found.parent_ids,
            hierarchy.depth(id).expect("listed ids exist"),
            hierarchy.ancestors(id).expect("listed ids exist"),
        ));
    }
    lines
}

fn chain_a_b_c() -> Hierarchy {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "A").with_property("x", 1i64))
        .unwrap();
    hierarchy
        .insert(node(2, "B").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(node(3, "C").with_parent(NodeId(2)))
        .unwrap();
    hierarchy
}

#[test]
fn duplicate_id_is_rejected_and_changes_nothing() {
    let mut hierarchy = chain_a_b_c();
    let before = snapshot(&hierarchy);
    let error = hierarchy
        .insert(node(2, "Other").with_property("y", true))
        .unwrap_err();
    assert_eq!(error, CoreError::DuplicateNode(NodeId(2)));
    assert_eq!(error.to_string(), "node #2 already exists");
    assert_eq!(snapshot(&hierarchy), before);
    assert_eq!(hierarchy.len(), 3);
}

#[test]
fn unknown_parent_is_rejected_and_changes_nothing() {
    let mut hierarchy = chain_a_b_c();
    let before = snapshot(&hierarchy);
    let error = hierarchy
        .insert(node(4, "D").with_parent(NodeId(1)).with_parent(NodeId(99)))
        .unwrap_err();
    assert_eq!(
        error,
        CoreError::UnknownParent {
            node: NodeId(4),
            parent: NodeId(99)
        }
    );
    assert!(!hierarchy.contains(NodeId(4)));
    assert_eq!(hierarchy.children(NodeId(1)).unwrap(), vec![NodeId(2)]);
    assert_eq!(snapshot(&hierarchy), before);
}

#[test]
fn cycles_are_rejected_and_change_nothing() {
    let mut hierarchy = chain_a_b_c();
    let before = snapshot(&hierarchy);
    assert_eq!(
        hierarchy.add_parent(NodeId(1), NodeId(3)).unwrap_err(),
        CoreError::Cycle {
            child: NodeId(1),
            parent: NodeId(3)
        }
    );
    assert!(matches!(
        hierarchy.add_parent(NodeId(2), NodeId(2)),
        Err(CoreError::Cycle { .. })
    ));
    assert!(matches!(
        hierarchy.insert(node(7, "Self").with_parent(NodeId(7))),
        Err(CoreError::Cycle { .. })
    ));
    assert_eq!(
        hierarchy.add_parent(NodeId(3), NodeId(2)).unwrap_err(),
        CoreError::DuplicateParent {
            node: NodeId(3),
            parent: NodeId(2)
        }
    );
    assert_eq!(
        hierarchy.add_parent(NodeId(3), NodeId(42)).unwrap_err(),
        CoreError::UnknownParent {
            node: NodeId(3),
            parent: NodeId(42)
        }
    );
    assert_eq!(snapshot(&hierarchy), before);
    // A legal edge still works afterwards.
    hierarchy.insert(node(4, "D")).unwrap();
    hierarchy.add_parent(NodeId(1), NodeId(4)).unwrap();
    assert_eq!(hierarchy.depth(NodeId(3)).unwrap(), 3);
}

#[test]
fn from_nodes_accepts_any_order_and_rejects_loops() {
    let nodes = vec![
        node(3, "C").with_parent(NodeId(2)),
        node(1, "A").with_property("x", 1i64),
        node(2, "B").with_parent(NodeId(1)),
    ];
    let hierarchy = Hierarchy::from_nodes(nodes).unwrap();
    assert_eq!(snapshot(&hierarchy), snapshot(&chain_a_b_c()));

    let looped = vec![
        node(1, "A").with_parent(NodeId(2)),
        node(2, "B").with_parent(NodeId(1)),
    ];
    assert!(matches!(
        Hierarchy::from_nodes(looped),
        Err(CoreError::Cycle { .. })
    ));
    let orphan = vec![node(1, "A").with_parent(NodeId(5))];
    assert!(matches!(
        Hierarchy::from_nodes(orphan),
        Err(CoreError::UnknownParent { .. })
    ));
    let twice = vec![node(1, "A"), node(1, "A again")];
    assert_eq!(
        Hierarchy::from_nodes(twice).unwrap_err(),
        CoreError::DuplicateNode(NodeId(1))
    );
}

fn nixon(quaker_first: bool) -> Hierarchy {
    let mut hierarchy = Hierarchy::new();
    // Insert Republican first so that insertion order disagrees with parent order.
    hierarchy
        .insert(node(2, "Republican").with_property("pacifist", false))
        .unwrap();
    hierarchy
        .insert(node(1, "Quaker").with_property("pacifist", true))
        .unwrap();
    let parents = if quaker_first { [1, 2] } else { [2, 1] };
    hierarchy
        .insert(
            node(3, "Nixon")
                .with_parent(NodeId(parents[0]))
                .with_parent(NodeId(parents[1])),
        )
        .unwrap();
    hierarchy
}

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
    assert_eq!(
        hierarchy.resolve_properties(NodeId(3)).unwrap()["pacifist"],
        PropertyValue::Boolean(true)
    );
    // The default pick follows parent order, not insertion order or id order.
    let swapped = nixon(false);
    let resolution = swapped.resolve(NodeId(3), "pacifist").unwrap();
    assert!(resolution.is_conflict());
    assert_eq!(resolution.value(), Some(&PropertyValue::Boolean(false)));
    // Nixon's own opinion settles it: no conflict any more.
    let mut decided = nixon(true);
    decided
        .set_property(NodeId(3), "pacifist", false.into())
        .unwrap();
    assert_eq!(decided.conflicts(NodeId(3)).unwrap(), vec![]);
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

#[test]
fn bad_input_is_a_typed_error() {
    let mut hierarchy = chain_a_b_c();
    let before = snapshot(&hierarchy);
    assert_eq!(
        hierarchy.resolve(NodeId(9), "x").unwrap_err(),
        CoreError::UnknownNode(NodeId(9))
    );
    assert_eq!(
        hierarchy
            .set_property(NodeId(2), "", 1i64.into())
            .unwrap_err(),
        CoreError::EmptyPropertyName { node: NodeId(2) }
    );
    assert!(hierarchy.resolve(NodeId(2), "").is_err());
    assert!(hierarchy.explain(NodeId(2), "").is_err());
    assert!(hierarchy.remove_property(NodeId(2), "").is_err());
    assert!(hierarchy.declare_strict(NodeId(2), "").is_err());
    assert!(
        hierarchy
            .insert(node(5, "E").with_property("", 1i64))
            .is_err()
    );
    assert!(hierarchy.depth(NodeId(9)).is_err());
    assert!(hierarchy.ancestors(NodeId(9)).is_err());
    assert!(hierarchy.children(NodeId(9)).is_err());
    assert!(hierarchy.descendants(NodeId(9)).is_err());
    assert!(hierarchy.conflicts(NodeId(9)).is_err());
    assert_eq!(hierarchy.is_strict_for(NodeId(9), "x"), None);
    assert_eq!(snapshot(&hierarchy), before);
}

#[test]
fn strict_properties_reject_overrides_below_the_declaring_node() {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "Animal").with_property("alive", true))
        .unwrap();
    hierarchy
        .insert(node(2, "Bird").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(node(3, "Penguin").with_parent(NodeId(2)))
        .unwrap();
    hierarchy
        .insert(node(4, "Rock").with_property("alive", false))
        .unwrap();
    hierarchy.declare_strict(NodeId(1), "alive").unwrap();
    hierarchy.declare_strict(NodeId(1), "alive").unwrap();
    assert_eq!(
        hierarchy.strict_properties(NodeId(1)).unwrap(),
        vec!["alive"]
    );
    let before = snapshot(&hierarchy);

    let expected = CoreError::StrictOverride {
        property: "alive".into(),
        declared_on: NodeId(1),
        attempted_on: NodeId(3),
    };
    assert_eq!(
        hierarchy
            .set_property(NodeId(3), "alive", false.into())
            .unwrap_err(),
        expected
    );
    assert_eq!(
        expected.to_string(),
        "property \"alive\" is strict on #1, so #3 may not override it"
    );
    assert!(matches!(
        hierarchy.insert(
            node(5, "Zombie")
                .with_parent(NodeId(3))
                .with_property("alive", false)
        ),
        Err(CoreError::StrictOverride {
            attempted_on: NodeId(5),
            ..
        })
    ));
    // Putting Rock, which says alive = false, under Animal would break the declaration.
    assert!(matches!(
        hierarchy.add_parent(NodeId(4), NodeId(2)),
        Err(CoreError::StrictOverride {
            attempted_on: NodeId(4),
            declared_on: NodeId(1),
            ..
        })
    ));
    assert_eq!(snapshot(&hierarchy), before);

    assert_eq!(hierarchy.is_strict_for(NodeId(3), "alive"), Some(NodeId(1)));
    assert_eq!(
        hierarchy.is_strict_for(NodeId(1), "alive"),
        None,
        "own declaration"
    );
    assert_eq!(
        hierarchy.is_strict_for(NodeId(4), "alive"),
        None,
        "unrelated node"
    );
    assert_eq!(hierarchy.is_strict_for(NodeId(3), "can_fly"), None);
    // The declaring node itself may change the value, and descendants see it.
    hierarchy
        .set_property(NodeId(1), "alive", false.into())
        .unwrap();
    assert_eq!(
        hierarchy.resolve(NodeId(3), "alive").unwrap().value(),
        Some(&false.into())
    );
    // A nearer declaration is reported first.
    hierarchy.declare_strict(NodeId(2), "alive").unwrap();
    assert_eq!(hierarchy.is_strict_for(NodeId(3), "alive"), Some(NodeId(2)));
}

#[test]
fn declaring_strict_over_an_existing_override_fails_and_changes_nothing() {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "Bird").with_property("can_fly", true))
        .unwrap();
    hierarchy
        .insert(node(2, "Sparrow").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(
            node(3, "Penguin")
                .with_parent(NodeId(1))
                .with_property("can_fly", false),
        )
        .unwrap();
    assert_eq!(
        hierarchy.declare_strict(NodeId(1), "can_fly").unwrap_err(),
        CoreError::StrictOverride {
            property: "can_fly".into(),
            declared_on: NodeId(1),
            attempted_on: NodeId(3),
        }
    );
    assert_eq!(hierarchy.is_strict_for(NodeId(2), "can_fly"), None);
    assert!(hierarchy.strict_properties(NodeId(1)).unwrap().is_empty());
    hierarchy
        .set_property(NodeId(2), "can_fly", false.into())
        .unwrap();
}

#[test]
fn editing_a_property_high_up_invalidates_only_descendants() {
    // Root -> Left -> LeftLeaf, Root -> Right -> RightLeaf.
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "Root").with_property("colour", "grey"))
        .unwrap();
    hierarchy
        .insert(node(2, "Left").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(node(3, "LeftLeaf").with_parent(NodeId(2)))
        .unwrap();
    hierarchy
        .insert(node(4, "Right").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(node(5, "RightLeaf").with_parent(NodeId(4)))
        .unwrap();
    for id in 1..=5 {
        hierarchy.resolve(NodeId(id), "colour").unwrap();
    }
    assert_eq!(hierarchy.cache_stats().cached_views, 5);
    assert_eq!(hierarchy.cache_stats().views_built, 5);
    // Repeated resolutions build nothing.
    hierarchy.resolve(NodeId(3), "colour").unwrap();
    assert_eq!(hierarchy.cache_stats().views_built, 5);

    // A new property on Left: Left's descendants are rebuilt, everything else is kept.
    hierarchy
        .set_property(NodeId(2), "colour", "green".into())
        .unwrap();
    assert!(!hierarchy.is_view_cached(NodeId(3)));
    for kept in [1, 2, 4, 5] {
        assert!(
            hierarchy.is_view_cached(NodeId(kept)),
            "view of #{kept} was dropped"
        );
    }
    assert_eq!(
        hierarchy.resolve(NodeId(3), "colour").unwrap().value(),
        Some(&"green".into())
    );
    assert_eq!(hierarchy.cache_stats().views_built, 6);

    // Changing an existing value high up invalidates nothing, and everyone sees it.
    hierarchy
        .set_property(NodeId(1), "colour", "blue".into())
        .unwrap();
    assert_eq!(hierarchy.cache_stats().cached_views, 5);
    assert_eq!(
        hierarchy.resolve(NodeId(5), "colour").unwrap().value(),
        Some(&"blue".into())
    );
    assert_eq!(
        hierarchy.resolve(NodeId(3), "colour").unwrap().value(),
        Some(&"green".into())
    );

    // A brand-new property at the root reaches every descendant.
    hierarchy
        .set_property(NodeId(1), "size", 3i64.into())
        .unwrap();
    assert_eq!(hierarchy.cache_stats().cached_views, 1);
    for id in 2..=5 {
        assert_eq!(
            hierarchy.resolve(NodeId(id), "size").unwrap().value(),
            Some(&3i64.into())
        );
    }
    // Removing Left's override lets the root's value through again.
    hierarchy.remove_property(NodeId(2), "colour").unwrap();
    assert!(hierarchy.is_view_cached(NodeId(5)));
    assert_eq!(
        hierarchy.resolve(NodeId(3), "colour").unwrap().value(),
        Some(&"blue".into())
    );
    assert!(hierarchy.cache_stats().view_bytes > 0);
}

#[test]
fn hierarchy_is_send_sync_clone_and_resolves_from_many_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Hierarchy>();
    let hierarchy = nixon(true);
    let copy = hierarchy.clone();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| hierarchy.resolve(NodeId(3), "pacifist").unwrap()))
            .collect();
        for handle in handles {
            assert!(handle.join().unwrap().is_conflict());
        }
    });
    let mut edited = copy;
    edited
        .set_property(NodeId(3), "pacifist", false.into())
        .unwrap();
    assert!(
        hierarchy
            .resolve(NodeId(3), "pacifist")
            .unwrap()
            .is_conflict()
    );
    assert!(format!("{hierarchy:?}").contains("len: 3"));
}

#[test]
fn topological_order_depends_on_edges_not_insertion_order() {
    let nodes = [
        node(10, "Root"),
        node(5, "Mid").with_parent(NodeId(10)),
        node(7, "Other").with_parent(NodeId(10)),
        node(1, "Leaf")
            .with_parent(NodeId(7))
            .with_parent(NodeId(5)),
    ];
    let mut forward = Hierarchy::new();
    for each in nodes.iter().cloned() {
        forward.insert(each).unwrap();
    }
    let mut other = Hierarchy::new();
    for index in [0, 2, 1, 3] {
        other.insert(nodes[index].clone()).unwrap();
    }
    let expected = vec![NodeId(10), NodeId(5), NodeId(7), NodeId(1)];
    assert_eq!(forward.nodes_topological(), expected);
    assert_eq!(other.nodes_topological(), expected);
    assert_eq!(
        forward.children(NodeId(10)).unwrap(),
        vec![NodeId(5), NodeId(7)]
    );
    assert_eq!(
        other.children(NodeId(10)).unwrap(),
        vec![NodeId(5), NodeId(7)]
    );
    assert_eq!(
        forward.ancestors(NodeId(1)).unwrap(),
        vec![NodeId(7), NodeId(5), NodeId(10)]
    );
    assert_eq!(
        forward.descendants(NodeId(10)).unwrap(),
        vec![NodeId(5), NodeId(7), NodeId(1)]
    );
}
