//! Strict properties: no value may be defined below the declaring node.

use llmkg_core::{CoreError, Hierarchy, NodeId};

use super::{node, snapshot};

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
