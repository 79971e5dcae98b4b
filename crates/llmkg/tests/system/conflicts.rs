//! The Nixon diamond through the system: nothing depends on the order of a node's parents.

use llmkg::ExceptionSystem;
use llmkg::core::{Hierarchy, InheritanceNode, NodeId, PropertyValue};
use llmkg::exceptions::ExceptionSource;

const QUAKER: NodeId = NodeId(2);
const REPUBLICAN: NodeId = NodeId(3);
const NIXON: NodeId = NodeId(4);
const NIXON_JR: NodeId = NodeId(5);
const OTHER: NodeId = NodeId(6);

/// Quaker(pacifist = true), Republican(false); Nixon under both (in the given order) says
/// true itself; Nixon_Jr under Nixon says nothing; Other under both says nothing.
fn nixon(parents: [NodeId; 2]) -> Hierarchy {
    let mut hierarchy = Hierarchy::new();
    let quaker = InheritanceNode::new(QUAKER, "Quaker").with_property("pacifist", true);
    let republican =
        InheritanceNode::new(REPUBLICAN, "Republican").with_property("pacifist", false);
    hierarchy.insert(quaker).unwrap();
    hierarchy.insert(republican).unwrap();
    let mut settled = InheritanceNode::new(NIXON, "Nixon").with_property("pacifist", true);
    let mut open = InheritanceNode::new(OTHER, "Other");
    settled.parent_ids = parents.to_vec();
    open.parent_ids = parents.to_vec();
    hierarchy.insert(settled).unwrap();
    hierarchy.insert(open).unwrap();
    hierarchy
        .insert(InheritanceNode::new(NIXON_JR, "Nixon_Jr").with_parent(NIXON))
        .unwrap();
    hierarchy
}

#[test]
fn both_parent_orders_give_the_same_system() {
    let mut outcomes = Vec::new();
    for parents in [[QUAKER, REPUBLICAN], [REPUBLICAN, QUAKER]] {
        let hierarchy = nixon(parents);
        assert!(
            !hierarchy
                .inherited_properties(NIXON)
                .unwrap()
                .contains_key("pacifist")
        );
        let mut system = ExceptionSystem::new();
        let report = system.process_hierarchy(&hierarchy).unwrap();
        assert_eq!(
            report.conflicts, 2,
            "Nixon settles one, Other leaves one open"
        );
        assert_eq!(
            report.settled_conflicts, 1,
            "Nixon's own value settles its conflict"
        );
        assert_eq!(report.exceptions, 0);
        assert!(report.is_balanced(), "{report:?}");
        let exception = system.get_exception(NIXON, "pacifist").expect("recorded");
        assert_eq!(exception.source, ExceptionSource::Conflict);
        assert_eq!(exception.actual_value, PropertyValue::Boolean(true));
        assert_eq!(exception.inherited_value, PropertyValue::Boolean(false));
        assert!(exception.reason.contains("Quaker") && exception.reason.contains("Republican"));
        let resolved: Vec<_> = [NIXON, NIXON_JR, OTHER]
            .into_iter()
            .map(|id| system.resolved_properties(id).unwrap())
            .collect();
        assert_eq!(resolved[1]["pacifist"], PropertyValue::Boolean(true));
        assert!(
            !resolved[2].contains_key("pacifist"),
            "an open conflict has no value"
        );
        let explained = system.explain(OTHER, "pacifist").unwrap();
        assert_eq!(explained.hierarchy.winner, None);
        assert!(explained.deciding_exception.is_none());
        let text = explained.to_string();
        assert!(text.contains("no value wins"), "{text}");
        outcomes.push((
            report,
            exception.reason,
            exception.inherited_value,
            resolved,
        ));
    }
    assert_eq!(outcomes[0], outcomes[1]);
}

#[test]
fn a_node_processed_alone_settles_its_conflict_too() {
    for parents in [[QUAKER, REPUBLICAN], [REPUBLICAN, QUAKER]] {
        let mut system = ExceptionSystem::new();
        system.process_hierarchy(&nixon(parents)).unwrap();
        let node = InheritanceNode::new(NodeId(7), "Nixon_Twin").with_property("pacifist", false);
        let mut node = node;
        node.parent_ids = parents.to_vec();
        let resolved = system.insert_node(node).unwrap();
        assert_eq!(resolved["pacifist"], PropertyValue::Boolean(false));
        let exception = system
            .get_exception(NodeId(7), "pacifist")
            .expect("recorded");
        assert_eq!(exception.source, ExceptionSource::Conflict);
        assert_eq!(exception.inherited_value, PropertyValue::Boolean(true));
    }
}
