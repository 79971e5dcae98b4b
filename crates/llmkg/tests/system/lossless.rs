//! `optimize` loses nothing: names kept, one live copy per key across store and optimizer,
//! no record blocking the others, no `Instant` underflow; and a model-based property test of
//! the whole system (add, replace, remove, feedback, optimize, reload) against a `HashMap`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use llmkg::core::{Hierarchy, InheritanceNode, MAX_VALUE_DEPTH, NodeId, PropertyValue};
use llmkg::exceptions::{Exception, ExceptionSource, UserFeedback};
use llmkg::{ExceptionSystem, SystemError};
use proptest::prelude::*;

use super::{PENGUIN, ROCKET, birds};

fn explicit(actual: impl Into<PropertyValue>, reason: &str) -> Exception {
    Exception::new(
        true.into(),
        actual.into(),
        reason,
        ExceptionSource::Explicit,
        0.9,
    )
}

/// Issue 11: after `optimize` nothing could list a node's exceptions by name.
#[test]
fn after_optimize_a_query_by_node_lists_names_and_values() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    let before = system.exceptions_for_node(PENGUIN);
    assert!(!before.is_empty());
    assert!(before.iter().any(|(name, _)| name == "can_fly"));
    let report = system.optimize(Duration::ZERO).unwrap();
    assert!(report.moved > 0);
    assert!(system.store().exceptions_for_node(PENGUIN).is_empty());
    assert_eq!(system.exceptions_for_node(PENGUIN), before);
}

/// Issue 11: replacing an optimized exception, then removing it, brought the old one back.
#[test]
fn replace_then_remove_after_optimize_leaves_no_copy_behind() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    let total = system.exception_count();
    system.optimize(Duration::ZERO).unwrap();
    let old = system.get_exception(PENGUIN, "can_fly").unwrap();
    let replaced = system
        .add_exception(PENGUIN, "can_fly", explicit(false, "replaced by hand"))
        .unwrap();
    assert_eq!(
        replaced,
        Some(old),
        "the replaced copy is the optimized one"
    );
    assert_eq!(system.exception_count(), total, "one live copy per key");
    assert_eq!(
        system.get_exception(PENGUIN, "can_fly").unwrap().reason,
        "replaced by hand"
    );
    system.remove_exception(PENGUIN, "can_fly").unwrap();
    assert_eq!(system.get_exception(PENGUIN, "can_fly"), None);
    assert_eq!(system.exception_count(), total - 1);
    assert!(matches!(
        system.remove_exception(PENGUIN, "can_fly"),
        Err(SystemError::UnknownException { .. })
    ));

    // `Incorrect` feedback on a replaced, once-optimized exception drops every copy too.
    system.optimize(Duration::ZERO).unwrap();
    system
        .add_exception(ROCKET, "can_fly", explicit(true, "rockets again"))
        .unwrap();
    system
        .feedback(ROCKET, "can_fly", UserFeedback::Incorrect)
        .unwrap();
    assert_eq!(system.get_exception(ROCKET, "can_fly"), None);
    assert_eq!(system.exception_count(), total - 2);
}

fn nested(depth: usize) -> PropertyValue {
    let mut value = PropertyValue::Null;
    for _ in 0..depth {
        value = PropertyValue::List(vec![value]);
    }
    value
}

/// Issue 11: the store took a value 65 lists deep that the optimizer refuses, and from then on
/// every `optimize` failed for every exception. Now the bound is the same on the way in, and
/// the deepest value allowed moves like any other.
#[test]
fn no_value_is_accepted_by_the_store_and_refused_by_the_optimizer() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    let error = system
        .add_exception(
            PENGUIN,
            "nested",
            explicit(nested(MAX_VALUE_DEPTH + 1), "deep"),
        )
        .unwrap_err();
    assert!(matches!(error, SystemError::Store(_)), "{error}");
    system
        .add_exception(
            PENGUIN,
            "nested",
            explicit(nested(MAX_VALUE_DEPTH), "deepest"),
        )
        .unwrap();
    let total = system.exception_count();
    let report = system.optimize(Duration::ZERO).unwrap();
    assert_eq!((report.moved, report.kept), (total, 0));
    assert!(system.store().is_empty());
    assert_eq!(
        system
            .get_exception(PENGUIN, "nested")
            .unwrap()
            .actual_value,
        nested(MAX_VALUE_DEPTH)
    );
    // A second optimize has nothing to move and fails for nothing.
    let again = system.optimize(Duration::ZERO).unwrap();
    assert_eq!((again.moved, again.kept), (0, 0));
}

/// Issue 11: with `Instant::now().checked_sub(older_than)` = `None` every exception was
/// treated as cold; nothing is old enough then.
#[test]
fn an_older_than_before_the_clock_origin_moves_nothing() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    let before = system.store().len();
    let report = system.optimize(Duration::MAX).unwrap();
    assert_eq!(report.moved, 0);
    assert_eq!(system.store().len(), before);
    assert!(system.optimizer().is_empty());
}

#[test]
fn saved_exceptions_reload_exactly_and_bad_files_change_nothing() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    system.optimize(Duration::ZERO).unwrap();
    system
        .add_exception(PENGUIN, "diet", explicit("fish", "by hand"))
        .unwrap();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("exceptions.bin");
    system.save_exceptions(&path).unwrap();
    let expected: Vec<_> = [PENGUIN, ROCKET]
        .map(|node| system.exceptions_for_node(node))
        .into();
    let (store_len, optimizer_len) = (system.store().len(), system.optimizer().len());

    let mut other = ExceptionSystem::new();
    other.process_hierarchy(&birds()).unwrap();
    other.load_exceptions(&path).unwrap();
    let reloaded: Vec<_> = [PENGUIN, ROCKET]
        .map(|node| other.exceptions_for_node(node))
        .into();
    assert_eq!(reloaded, expected);
    assert_eq!(
        (other.store().len(), other.optimizer().len()),
        (store_len, optimizer_len)
    );

    let mut bytes = std::fs::read(&path).unwrap();
    bytes.push(0);
    std::fs::write(&path, &bytes).unwrap();
    let error = other.load_exceptions(&path).unwrap_err();
    assert!(error.to_string().contains("trailing bytes"), "{error}");
    assert_eq!(
        [PENGUIN, ROCKET]
            .map(|node| other.exceptions_for_node(node))
            .to_vec(),
        expected
    );
}

// The model-based test.

const NODES: [NodeId; 3] = [NodeId(10), NodeId(11), NodeId(12)];
const PROPERTIES: [&str; 3] = ["colour", "legs", "diet"];

#[derive(Clone, Debug)]
enum Operation {
    /// Add, or replace when the key exists.
    Add {
        node: usize,
        property: usize,
        value: i64,
        confidence: u8,
    },
    Remove {
        node: usize,
        property: usize,
    },
    Feedback {
        node: usize,
        property: usize,
        kind: u8,
        score: u8,
    },
    Optimize,
    Reload,
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        4 => (0..3_usize, 0..3_usize, -5..5_i64, 0..=10_u8).prop_map(
            |(node, property, value, confidence)| Operation::Add { node, property, value, confidence }
        ),
        2 => (0..3_usize, 0..3_usize).prop_map(|(node, property)| Operation::Remove { node, property }),
        2 => (0..3_usize, 0..3_usize, 0..4_u8, 0..=10_u8).prop_map(
            |(node, property, kind, score)| Operation::Feedback { node, property, kind, score }
        ),
        2 => Just(Operation::Optimize),
        1 => Just(Operation::Reload),
    ]
}

/// What the model keeps per key: the actual value, the reason and the confidence.
type Model = HashMap<(NodeId, &'static str), (PropertyValue, String, f32)>;

fn model_system() -> ExceptionSystem {
    let mut hierarchy = Hierarchy::new();
    let mut root = InheritanceNode::new(NodeId(1), "Thing");
    for property in PROPERTIES {
        root = root.with_property(property, 0_i64);
    }
    hierarchy.insert(root).unwrap();
    for node in NODES {
        hierarchy
            .insert(InheritanceNode::new(node, "Item").with_parent(NodeId(1)))
            .unwrap();
    }
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&hierarchy).unwrap();
    assert_eq!(system.exception_count(), 0);
    system
}

fn apply(
    system: &mut ExceptionSystem,
    model: &mut Model,
    operation: &Operation,
    file: &std::path::Path,
) {
    match *operation {
        Operation::Add {
            node,
            property,
            value,
            confidence,
        } => {
            let key = (NODES[node], PROPERTIES[property]);
            let reason = format!("set to {value}");
            let confidence = f32::from(confidence) / 10.0;
            let exception = Exception::new(
                PropertyValue::Integer(0),
                PropertyValue::Integer(value),
                reason.clone(),
                ExceptionSource::Explicit,
                confidence,
            );
            let replaced = system.add_exception(key.0, key.1, exception).unwrap();
            let previous = model.insert(key, (PropertyValue::Integer(value), reason, confidence));
            assert_eq!(replaced.map(|e| e.actual_value), previous.map(|p| p.0));
        }
        Operation::Remove { node, property } => {
            let key = (NODES[node], PROPERTIES[property]);
            let removed = system.remove_exception(key.0, key.1);
            match model.remove(&key) {
                Some((value, ..)) => assert_eq!(removed.unwrap().actual_value, value),
                None => assert!(matches!(removed, Err(SystemError::UnknownException { .. }))),
            }
        }
        Operation::Feedback {
            node,
            property,
            kind,
            score,
        } => {
            let key = (NODES[node], PROPERTIES[property]);
            let score = f32::from(score) / 10.0;
            let feedback = match kind {
                0 => UserFeedback::Correct,
                1 => UserFeedback::Incorrect,
                2 => UserFeedback::PartiallyCorrect(score),
                _ => UserFeedback::BetterReason(format!("better {score}")),
            };
            let result = system.feedback(key.0, key.1, feedback.clone());
            let Some(entry) = model.get_mut(&key) else {
                assert!(matches!(result, Err(SystemError::UnknownException { .. })));
                return;
            };
            result.unwrap();
            match feedback {
                UserFeedback::Incorrect => {
                    model.remove(&key);
                }
                UserFeedback::PartiallyCorrect(score) => {
                    entry.2 = (entry.2 * score).clamp(0.0, 1.0)
                }
                UserFeedback::BetterReason(reason) => entry.1 = reason,
                _ => {}
            }
        }
        Operation::Optimize => {
            let report = system.optimize(Duration::ZERO).unwrap();
            assert_eq!(report.kept, 0);
            // Everything was created before now, so everything is cold and moves.
            assert!(system.store().is_empty());
            assert_eq!(system.optimizer().len(), model.len());
        }
        Operation::Reload => {
            system.save_exceptions(file).unwrap();
            system.load_exceptions(file).unwrap();
        }
    }
}

fn check(system: &ExceptionSystem, model: &Model) {
    assert_eq!(
        system.exception_count(),
        model.len(),
        "one live copy per key"
    );
    for node in NODES {
        let listed: BTreeMap<String, (PropertyValue, String, f32)> = system
            .exceptions_for_node(node)
            .into_iter()
            .map(|(name, e)| (name, (e.actual_value, e.reason, e.confidence)))
            .collect();
        let expected: BTreeMap<String, (PropertyValue, String, f32)> = model
            .iter()
            .filter(|((owner, _), _)| *owner == node)
            .map(|((_, name), entry)| ((*name).to_owned(), entry.clone()))
            .collect();
        assert_eq!(listed, expected, "node {node}");
        for property in PROPERTIES {
            let found = system
                .get_exception(node, property)
                .map(|e| (e.actual_value, e.reason, e.confidence));
            assert_eq!(
                found.as_ref(),
                model.get(&(node, property)),
                "{property} on {node}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_system_behaves_like_a_map_through_optimize_and_reload(
        operations in proptest::collection::vec(operation(), 1..40)
    ) {
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("model.bin");
        let mut system = model_system();
        let mut model = Model::new();
        for operation in &operations {
            apply(&mut system, &mut model, operation, &file);
            check(&system, &model);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The system's own loader, fed arbitrary bytes (bare, or behind a valid header): a typed
    /// error and no change, never a panic or an abort.
    #[test]
    fn arbitrary_bytes_never_load_and_change_nothing(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        with_header in any::<bool>(),
    ) {
        let bytes = if with_header {
            llmkg_filefmt::FileFormat::new("system", b"LLMKGSYS", 1).encode(&bytes)
        } else {
            bytes
        };
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("arbitrary.bin");
        std::fs::write(&path, &bytes).unwrap();
        let mut system = ExceptionSystem::new();
        system.process_hierarchy(&birds()).unwrap();
        let before = system.exceptions_for_node(PENGUIN);
        if let Err(error) = system.load_exceptions(&path) {
            prop_assert!(
                matches!(error, SystemError::File(_) | SystemError::CorruptSnapshot { .. }),
                "{}",
                error
            );
            prop_assert_eq!(system.exceptions_for_node(PENGUIN), before);
        }
    }
}
