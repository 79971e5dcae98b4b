//! Integration tests of `Hierarchy`: structure errors, resolution, strictness, explanations,
//! caching, scale, and property tests against a naive model.

mod cache;
mod explain;
mod model;
mod resolution;
mod scale;
mod strict;

use llmkg_core::{CoreError, Hierarchy, InheritanceNode, MAX_VALUE_DEPTH, NodeId, PropertyValue};

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

/// Review finding 4: the hierarchy took values deeper than every other crate's bound, so a
/// later add_exception failed in the learner after changing the hierarchy.
#[test]
fn values_deeper_than_the_shared_limit_are_refused_on_every_path_in() {
    let mut deep = PropertyValue::Null;
    for _ in 0..=MAX_VALUE_DEPTH {
        deep = PropertyValue::List(vec![deep]);
    }
    let too_deep = CoreError::ValueTooDeep {
        limit: MAX_VALUE_DEPTH,
    };
    let mut hierarchy = chain_a_b_c();
    let before = snapshot(&hierarchy);
    assert_eq!(
        hierarchy
            .insert(
                node(5, "E")
                    .with_parent(NodeId(3))
                    .with_property("deep", deep.clone())
            )
            .unwrap_err(),
        too_deep
    );
    assert_eq!(
        hierarchy
            .set_property(NodeId(2), "deep", deep.clone())
            .unwrap_err(),
        too_deep
    );
    assert!(Hierarchy::from_nodes([node(5, "E").with_property("deep", deep.clone())]).is_err());
    assert_eq!(snapshot(&hierarchy), before);
    let PropertyValue::List(mut items) = deep else {
        unreachable!("built as a list")
    };
    let at_the_limit = items.pop().expect("one item");
    hierarchy
        .set_property(NodeId(2), "deep", at_the_limit)
        .unwrap();
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
