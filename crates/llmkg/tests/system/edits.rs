//! Edits by hand that fail change nothing: hierarchy, store, optimizer and learner alike.

use std::time::Duration;

use llmkg::ExceptionSystem;
use llmkg::SystemError;
use llmkg::core::{CoreError, Hierarchy, InheritanceNode, MAX_VALUE_DEPTH, NodeId, PropertyValue};
use llmkg::exceptions::{Exception, ExceptionSource};

const BIRD: NodeId = NodeId(1);
const PENGUIN: NodeId = NodeId(2);

fn system() -> ExceptionSystem {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(
            InheritanceNode::new(BIRD, "Bird")
                .with_property("can_fly", true)
                .with_property("alive", true),
        )
        .unwrap();
    hierarchy.declare_strict(BIRD, "alive").unwrap();
    hierarchy
        .insert(
            InheritanceNode::new(PENGUIN, "Penguin")
                .with_parent(BIRD)
                .with_property("can_fly", false),
        )
        .unwrap();
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&hierarchy).unwrap();
    system
}

/// Everything observable about the system's data.
fn observe(system: &ExceptionSystem) -> String {
    let mut lines = Vec::new();
    for id in system.hierarchy().nodes_topological() {
        let mut resolved: Vec<_> = system
            .resolved_properties(id)
            .unwrap()
            .into_iter()
            .collect();
        resolved.sort_by(|left, right| left.0.cmp(&right.0));
        lines.push(format!(
            "{id} {resolved:?} {:?}",
            system.exceptions_for_node(id)
        ));
    }
    lines.push(format!(
        "{} {} {:?}",
        system.exception_count(),
        system.hierarchy().len(),
        system.learner().statistics()
    ));
    lines.join("\n")
}

fn deep() -> PropertyValue {
    let mut value = PropertyValue::Null;
    for _ in 0..=MAX_VALUE_DEPTH {
        value = PropertyValue::List(vec![value]);
    }
    value
}

/// Review finding 4: a sibling value nested past the limit made add_exception fail in the
/// learner after the hierarchy and the store had changed. The hierarchy refuses such a
/// value now, and every failing add leaves the system as it was.
#[test]
fn a_failed_add_exception_changes_nothing() {
    for cold in [false, true] {
        let mut system = system();
        if cold {
            system.optimize(Duration::ZERO).unwrap();
        }
        let before = observe(&system);
        let deep_sibling = InheritanceNode::new(NodeId(3), "Odd")
            .with_parent(PENGUIN)
            .with_property("shape", deep());
        assert!(matches!(
            system.insert_node(deep_sibling),
            Err(SystemError::Hierarchy(CoreError::ValueTooDeep { .. }))
        ));
        let attempts = [
            (
                "alive",
                Exception::new(
                    true.into(),
                    false.into(),
                    "strict",
                    ExceptionSource::Explicit,
                    1.0,
                ),
            ),
            (
                "can_fly",
                Exception::new(true.into(), deep(), "deep", ExceptionSource::Explicit, 1.0),
            ),
            (
                "can_fly",
                Exception::new(
                    true.into(),
                    false.into(),
                    "nan",
                    ExceptionSource::Explicit,
                    f32::NAN,
                ),
            ),
            (
                "",
                Exception::new(
                    true.into(),
                    false.into(),
                    "empty",
                    ExceptionSource::Explicit,
                    1.0,
                ),
            ),
        ];
        for (property, exception) in attempts {
            assert!(system.add_exception(PENGUIN, property, exception).is_err());
            assert_eq!(observe(&system), before, "{property} cold={cold}");
        }
        assert!(
            system
                .add_exception(
                    NodeId(99),
                    "can_fly",
                    Exception::new(
                        true.into(),
                        false.into(),
                        "x",
                        ExceptionSource::Explicit,
                        1.0
                    )
                )
                .is_err()
        );
        assert_eq!(observe(&system), before);
    }
}
