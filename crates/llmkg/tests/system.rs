//! Integration tests of the one-stop ExceptionSystem.

use std::collections::HashMap;
use std::time::Duration;

use llmkg::core::{CoreError, Hierarchy, InheritanceNode, NodeId, PropertyValue};
use llmkg::exceptions::{Exception, ExceptionSource, UserFeedback};
use llmkg::{ExceptionSystem, SystemError};

#[path = "system/accounting.rs"]
mod accounting;
#[path = "system/collisions.rs"]
mod collisions;
#[path = "system/conflicts.rs"]
mod conflicts;
#[path = "system/copies.rs"]
mod copies;
#[path = "system/edits.rs"]
mod edits;
#[path = "system/files.rs"]
mod files;
#[path = "system/lossless.rs"]
mod lossless;

const BIRD: NodeId = NodeId(1);
const PENGUIN: NodeId = NodeId(2);
const EMPEROR: NodeId = NodeId(3);
const ROCKET: NodeId = NodeId(4);
const ROBIN: NodeId = NodeId(5);

/// Bird -> Penguin -> Emperor_Penguin -> Rocket_Penguin, and Bird -> Robin.
fn birds() -> Hierarchy {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(
            InheritanceNode::new(BIRD, "Bird")
                .with_property("can_fly", true)
                .with_property("has_feathers", true),
        )
        .unwrap();
    hierarchy
        .insert(
            InheritanceNode::new(PENGUIN, "Penguin")
                .with_parent(BIRD)
                .with_property("can_fly", false)
                .with_property("has_feathers", true),
        )
        .unwrap();
    hierarchy
        .insert(InheritanceNode::new(EMPEROR, "Emperor_Penguin").with_parent(PENGUIN))
        .unwrap();
    hierarchy
        .insert(
            InheritanceNode::new(ROCKET, "Rocket_Penguin")
                .with_parent(EMPEROR)
                .with_property("can_fly", true),
        )
        .unwrap();
    hierarchy
        .insert(InheritanceNode::new(ROBIN, "Robin").with_parent(BIRD))
        .unwrap();
    hierarchy
}

#[test]
fn exceptions_are_inherited_and_a_deeper_node_may_restore_the_original() {
    let mut system = ExceptionSystem::new();
    let report = system.process_hierarchy(&birds()).unwrap();
    assert_eq!(report.nodes, 5);
    assert_eq!(
        report.exceptions, 2,
        "Penguin and Rocket_Penguin override can_fly"
    );
    assert_eq!(
        report.non_exceptions, 1,
        "Penguin's has_feathers matches Bird's"
    );

    let penguin = system.get_exception(PENGUIN, "can_fly").unwrap();
    assert_eq!(penguin.inherited_value, PropertyValue::Boolean(true));
    assert_eq!(penguin.actual_value, PropertyValue::Boolean(false));
    assert_eq!(penguin.source, ExceptionSource::Detected);

    assert!(system.get_exception(EMPEROR, "can_fly").is_none());
    assert_eq!(
        system.resolved_properties(EMPEROR).unwrap()["can_fly"],
        PropertyValue::Boolean(false)
    );

    let rocket = system.get_exception(ROCKET, "can_fly").unwrap();
    assert_eq!(rocket.inherited_value, PropertyValue::Boolean(false));
    assert_eq!(rocket.actual_value, PropertyValue::Boolean(true));
    assert_eq!(
        system.resolved_properties(ROCKET).unwrap()["can_fly"],
        PropertyValue::Boolean(true)
    );
    assert_eq!(
        system.resolved_properties(ROBIN).unwrap()["can_fly"],
        PropertyValue::Boolean(true)
    );
}

/// A kiwi (it cannot fly and is nocturnal) and an inherited map of `true` values.
fn kiwi_inheriting(properties: &[&str]) -> (InheritanceNode, HashMap<String, PropertyValue>) {
    let node = InheritanceNode::new(NodeId(10), "Kiwi")
        .with_property("can_fly", false)
        .with_property("nocturnal", true);
    let inherited = properties
        .iter()
        .map(|name| ((*name).to_owned(), PropertyValue::Boolean(true)))
        .collect();
    (node, inherited)
}

#[test]
fn process_node_returns_inherited_values_overridden_by_own_ones() {
    let mut system = ExceptionSystem::new();
    let (node, inherited) = kiwi_inheriting(&["can_fly", "has_feathers"]);
    let resolved = system.process_node(&node, &inherited).unwrap();
    assert_eq!(resolved["can_fly"], PropertyValue::Boolean(false));
    assert_eq!(resolved["has_feathers"], PropertyValue::Boolean(true));
    assert_eq!(resolved["nocturnal"], PropertyValue::Boolean(true));
    assert_eq!(system.store().len(), 1);
}

#[test]
fn process_node_applies_the_exceptions_the_node_held_before() {
    let mut system = ExceptionSystem::new();
    let (node, inherited) = kiwi_inheriting(&["can_fly", "nocturnal"]);
    let by_hand = |actual: bool| {
        Exception::new(
            (!actual).into(),
            actual.into(),
            "by hand",
            ExceptionSource::Explicit,
            1.0,
        )
    };
    // Written through the store before the node is processed: one of a property the node
    // does not state, one of a property whose own value the node now inherits.
    system
        .store()
        .add_exception(NodeId(10), "lays_eggs".into(), by_hand(true))
        .unwrap();
    system
        .store()
        .add_exception(NodeId(10), "nocturnal".into(), by_hand(false))
        .unwrap();
    let resolved = system.process_node(&node, &inherited).unwrap();
    assert_eq!(resolved["can_fly"], PropertyValue::Boolean(false));
    assert_eq!(resolved["lays_eggs"], PropertyValue::Boolean(true));
    assert_eq!(resolved["nocturnal"], PropertyValue::Boolean(false));
    // Another node's map shows none of them.
    let other = InheritanceNode::new(NodeId(11), "Emu").with_property("can_fly", false);
    let resolved = system.process_node(&other, &inherited).unwrap();
    assert_eq!(resolved.len(), 2);
    assert_eq!(resolved["nocturnal"], PropertyValue::Boolean(true));
}

#[test]
fn a_learned_pattern_raises_a_new_similar_exceptions_confidence() {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(InheritanceNode::new(BIRD, "Bird").with_property("can_fly", true))
        .unwrap();
    let flightless = ["Penguin", "Ostrich", "Emu", "Kiwi", "Cassowary"];
    for (offset, name) in flightless.iter().enumerate() {
        hierarchy
            .insert(
                InheritanceNode::new(NodeId(10 + offset as u64), name)
                    .with_parent(BIRD)
                    .with_property("can_fly", false),
            )
            .unwrap();
    }
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&hierarchy).unwrap();
    let first = system
        .get_exception(NodeId(10), "can_fly")
        .unwrap()
        .confidence;

    let dodo = InheritanceNode::new(NodeId(99), "Dodo")
        .with_parent(BIRD)
        .with_property("can_fly", false);
    system.insert_node(dodo).unwrap();
    let dodo_confidence = system
        .get_exception(NodeId(99), "can_fly")
        .unwrap()
        .confidence;
    assert!(
        dodo_confidence > first,
        "Dodo {dodo_confidence} should beat the first penguin {first}"
    );
}

#[test]
fn explain_names_the_chain_and_the_deciding_exception() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    let explanation = system.explain(EMPEROR, "can_fly").unwrap();
    assert_eq!(explanation.hierarchy.path, vec![PENGUIN, EMPEROR]);
    let (node, exception) = explanation.deciding_exception.clone().unwrap();
    assert_eq!(node, PENGUIN);
    assert_eq!(exception.actual_value, PropertyValue::Boolean(false));
    let text = explanation.to_string();
    assert!(text.contains("Penguin"), "{text}");
    assert!(text.contains("exception recorded on Penguin"), "{text}");
    // Robin's value is plainly inherited: no exception decides it.
    assert!(
        system
            .explain(ROBIN, "can_fly")
            .unwrap()
            .deciding_exception
            .is_none()
    );
}

#[test]
fn preview_lists_exactly_the_values_that_would_change_and_changes_nothing() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    let before_store = system.store().snapshot();

    // Bird stops flying: Bird and Robin change; the penguins are already flightless except
    // Rocket_Penguin, which keeps its own true.
    let changes = system
        .preview_exception(BIRD, "can_fly", Some(PropertyValue::Boolean(false)))
        .unwrap();
    let nodes: Vec<_> = changes.iter().map(|change| change.node).collect();
    assert_eq!(nodes, vec![BIRD, ROBIN]);
    assert!(
        changes
            .iter()
            .all(|c| c.before == Some(true.into()) && c.after == Some(false.into()))
    );

    // Removing Penguin's exception: Penguin and Emperor_Penguin fly again.
    let changes = system.preview_exception(PENGUIN, "can_fly", None).unwrap();
    let nodes: Vec<_> = changes.iter().map(|change| change.node).collect();
    assert_eq!(nodes, vec![PENGUIN, EMPEROR]);

    assert_eq!(system.store().snapshot(), before_store);
    assert_eq!(
        system.resolved_properties(ROBIN).unwrap()["can_fly"],
        PropertyValue::Boolean(true)
    );
}

#[test]
fn feedback_teaches_the_learner_and_updates_the_record() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();

    system
        .feedback(
            PENGUIN,
            "can_fly",
            UserFeedback::BetterReason("Penguins swim instead of flying".into()),
        )
        .unwrap();
    assert_eq!(
        system.get_exception(PENGUIN, "can_fly").unwrap().reason,
        "Penguins swim instead of flying"
    );

    let before = system.get_exception(ROCKET, "can_fly").unwrap().confidence;
    system
        .feedback(ROCKET, "can_fly", UserFeedback::PartiallyCorrect(0.5))
        .unwrap();
    let after = system.get_exception(ROCKET, "can_fly").unwrap().confidence;
    assert!((after - before * 0.5).abs() < 1e-6);

    system
        .feedback(ROCKET, "can_fly", UserFeedback::Incorrect)
        .unwrap();
    assert!(system.get_exception(ROCKET, "can_fly").is_none());
    assert!(system.learner().statistics().feedback_processed >= 3);
    // The override was wrong: Rocket_Penguin inherits again, as Emperor_Penguin does.
    assert_eq!(
        system.resolved_properties(ROCKET).unwrap()["can_fly"],
        false.into()
    );
    // The same for an exception added by hand (which set the node's own value).
    let hand = Exception::new(
        true.into(),
        false.into(),
        "hand",
        ExceptionSource::Explicit,
        1.0,
    );
    system.add_exception(ROBIN, "can_fly", hand).unwrap();
    assert_eq!(
        system.resolved_properties(ROBIN).unwrap()["can_fly"],
        false.into()
    );
    system
        .feedback(ROBIN, "can_fly", UserFeedback::Incorrect)
        .unwrap();
    assert!(system.get_exception(ROBIN, "can_fly").is_none());
    assert_eq!(
        system.resolved_properties(ROBIN).unwrap()["can_fly"],
        true.into()
    );

    let err = system
        .feedback(ROBIN, "can_fly", UserFeedback::Correct)
        .unwrap_err();
    assert!(matches!(err, SystemError::UnknownException { .. }), "{err}");
    let err = system
        .feedback(PENGUIN, "can_fly", UserFeedback::PartiallyCorrect(f32::NAN))
        .unwrap_err();
    assert!(matches!(err, SystemError::Learn(_)), "{err}");
}

#[test]
fn explicit_exceptions_are_inherited_and_strict_properties_refuse_them() {
    let mut hierarchy = birds();
    hierarchy
        .set_property(BIRD, "is_animal", true.into())
        .unwrap();
    hierarchy.declare_strict(BIRD, "is_animal").unwrap();
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&hierarchy).unwrap();

    let robot = Exception::new(
        true.into(),
        false.into(),
        "a robot",
        ExceptionSource::Explicit,
        1.0,
    );
    let err = system.add_exception(ROBIN, "is_animal", robot).unwrap_err();
    assert!(
        matches!(
            err,
            SystemError::Hierarchy(CoreError::StrictOverride { .. })
        ),
        "{err}"
    );
    assert!(system.get_exception(ROBIN, "is_animal").is_none());
    assert_eq!(
        system.resolved_properties(ROBIN).unwrap()["is_animal"],
        true.into()
    );

    let swims = Exception::new(
        false.into(),
        true.into(),
        "Penguins are strong swimmers",
        ExceptionSource::Explicit,
        1.0,
    );
    system.add_exception(PENGUIN, "can_swim", swims).unwrap();
    assert_eq!(
        system.resolved_properties(EMPEROR).unwrap()["can_swim"],
        true.into()
    );

    let invalid = Exception::new(
        false.into(),
        true.into(),
        "x",
        ExceptionSource::Explicit,
        2.0,
    );
    assert!(matches!(
        system
            .add_exception(ROBIN, "can_swim", invalid)
            .unwrap_err(),
        SystemError::Store(_)
    ));
    assert!(system.get_exception(ROBIN, "can_swim").is_none());

    let removed = system.remove_exception(PENGUIN, "can_swim").unwrap();
    assert_eq!(removed.reason, "Penguins are strong swimmers");
    assert!(
        !system
            .resolved_properties(EMPEROR)
            .unwrap()
            .contains_key("can_swim")
    );
}

#[test]
fn optimize_moves_cold_exceptions_and_every_lookup_still_answers() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    let before = system.store().snapshot();
    let report = system.optimize(Duration::ZERO).unwrap();
    assert_eq!(report.moved, before.len());
    assert!(system.store().is_empty());
    for (node, property, exception) in before {
        assert_eq!(system.get_exception(node, &property), Some(exception));
    }
    let explanation = system.explain(EMPEROR, "can_fly").unwrap();
    assert_eq!(explanation.deciding_exception.unwrap().0, PENGUIN);
    // Exceptions in the optimizer can still be judged and removed.
    system
        .feedback(ROCKET, "can_fly", UserFeedback::Incorrect)
        .unwrap();
    assert!(system.get_exception(ROCKET, "can_fly").is_none());
    system.remove_exception(PENGUIN, "can_fly").unwrap();
    assert_eq!(
        system.resolved_properties(EMPEROR).unwrap()["can_fly"],
        true.into()
    );
}

#[test]
fn a_reason_given_by_hand_leads_the_reasons_detected_later() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    system
        .add_exception(
            ROBIN,
            "can_fly",
            Exception::new(
                true.into(),
                false.into(),
                "Flightless bird",
                ExceptionSource::Explicit,
                1.0,
            ),
        )
        .unwrap();
    // The learner's can_fly true -> false pattern: Penguin (detected, no reason of its own)
    // and Robin ("Flightless bird"), so the hand-given reason is the majority.
    let kiwi = NodeId(10);
    system
        .insert_node(
            InheritanceNode::new(kiwi, "Kiwi")
                .with_parent(BIRD)
                .with_property("can_fly", false),
        )
        .unwrap();
    let reason = system.get_exception(kiwi, "can_fly").unwrap().reason;
    assert_eq!(
        reason,
        "Flightless bird: can_fly is false here, overriding the inherited true"
    );
}
