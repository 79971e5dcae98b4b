//! A small bird hierarchy, processed end to end: run with `cargo run --example birds`.
//!
//! It detects the exceptions (penguins and kiwis do not fly), explains a resolved value,
//! shows what the learner picked up, and previews a change before making it.

use llmkg::ExceptionSystem;
use llmkg::core::{Hierarchy, InheritanceNode, NodeId, PropertyValue};
use llmkg::exceptions::{ExceptionContext, UserFeedback};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut hierarchy = Hierarchy::new();
    hierarchy.insert(
        InheritanceNode::new(NodeId(1), "Animal")
            .with_property("alive", true)
            .with_property("legs", 4i64),
    )?;
    hierarchy.insert(
        InheritanceNode::new(NodeId(2), "Bird")
            .with_parent(NodeId(1))
            .with_property("can_fly", true)
            .with_property("legs", 2i64)
            .with_property("color", "brown"),
    )?;
    let flightless = [(3, "Penguin"), (4, "Ostrich"), (5, "Kiwi"), (6, "Emu")];
    for (id, name) in flightless {
        hierarchy.insert(
            InheritanceNode::new(NodeId(id), name)
                .with_parent(NodeId(2))
                .with_property("can_fly", false),
        )?;
    }
    hierarchy.insert(
        InheritanceNode::new(NodeId(7), "Emperor_Penguin")
            .with_parent(NodeId(3))
            .with_property("colour", "brown"),
    )?;
    hierarchy.insert(
        InheritanceNode::new(NodeId(8), "Robin")
            .with_parent(NodeId(2))
            .with_property("color", "Brown"),
    )?;

    let mut system = ExceptionSystem::new();
    let report = system.process_hierarchy(&hierarchy)?;
    println!(
        "Processed {} nodes: {} exceptions, {} values that matched their inherited one.\n",
        report.nodes, report.exceptions, report.non_exceptions
    );
    for (node, property, exception) in system.store().snapshot() {
        let name = &system
            .hierarchy()
            .get(node)
            .map(|n| n.name.clone())
            .unwrap_or_default();
        println!(
            "  {name}.{property}: {} instead of {} (confidence {:.3}): {}",
            exception.actual_value,
            exception.inherited_value,
            exception.confidence,
            exception.reason
        );
    }

    println!(
        "\nWhy can't an Emperor_Penguin fly?\n{}\n",
        system.explain(NodeId(7), "can_fly")?
    );

    let context = ExceptionContext::new(
        "can_fly",
        PropertyValue::Boolean(true),
        PropertyValue::Boolean(false),
        "Dodo",
        2,
    );
    println!(
        "Learned: a Dodo that does not fly is an exception with probability {:.2}; suggested reason: {}",
        system.learner().predict_exception_likelihood(&context),
        system
            .learner()
            .suggest_exception_reason(&context)
            .unwrap_or_else(|| "none".to_owned())
    );

    system.feedback(
        NodeId(3),
        "can_fly",
        UserFeedback::BetterReason("Penguins trade flight for swimming".into()),
    )?;
    println!(
        "After feedback, Penguin's reason: {}",
        system
            .get_exception(NodeId(3), "can_fly")
            .map(|e| e.reason)
            .unwrap_or_default()
    );

    let changes =
        system.preview_exception(NodeId(2), "can_fly", Some(PropertyValue::Boolean(false)))?;
    println!("\nIf birds in general could not fly, these values would change:");
    for change in changes {
        let name = system
            .hierarchy()
            .get(change.node)
            .map(|n| n.name.clone())
            .unwrap_or_default();
        println!("  {name}: {:?} -> {:?}", change.before, change.after);
    }
    Ok(())
}
