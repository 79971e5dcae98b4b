//! Issue 18, finding 9: two property names whose 64-bit XXH3 hashes collide stay two
//! properties in both tiers and through a save and a load.
//!
//! The pair was found once by a parallel-collision (distinguished-point) search over
//! 16-character hex names: `xxh3_64` iterated on the hex text of its own output, trails
//! ended at outputs with 22 low zero bits, about 6.4 billion hashes until two trails met.

use std::time::Duration;

use llmkg::core::{InheritanceNode, NodeId};
use llmkg::exceptions::{ExceptionKey, UserFeedback, property_hash};

use super::*;

const FIRST: &str = "6c0624d0afb8c426";
const SECOND: &str = "4b7e6c282061ff45";
const NODE: NodeId = NodeId(7);

#[test]
fn the_pair_really_collides() {
    assert_ne!(FIRST, SECOND);
    assert_eq!(property_hash(FIRST), property_hash(SECOND));
    assert_eq!(property_hash(FIRST), 0x1d8a_4267_4201_f22a);
    assert_eq!(
        ExceptionKey::new(NODE, FIRST),
        ExceptionKey::new(NODE, SECOND)
    );
}

fn system_with_node() -> ExceptionSystem {
    let mut system = ExceptionSystem::new();
    system
        .insert_node(InheritanceNode::new(NODE, "Hex"))
        .unwrap();
    system
}

fn by_hand(reason: &str) -> Exception {
    Exception::new(
        PropertyValue::Boolean(true),
        PropertyValue::Boolean(false),
        reason,
        ExceptionSource::Explicit,
        0.9,
    )
}

#[test]
fn a_cold_exception_is_not_found_under_a_colliding_name() {
    let mut system = system_with_node();
    system.add_exception(NODE, FIRST, by_hand("first")).unwrap();
    assert_eq!(system.optimize(Duration::ZERO).unwrap().moved, 1);
    assert_eq!(system.get_exception(NODE, FIRST).unwrap().reason, "first");
    assert_eq!(system.get_exception(NODE, SECOND), None);
    assert_eq!(system.resolve_property(NODE, SECOND, None), None);
    // Feedback on the other name finds nothing and overwrites nothing.
    let error = system
        .feedback(NODE, SECOND, UserFeedback::BetterReason("second".into()))
        .unwrap_err();
    assert!(
        matches!(error, SystemError::UnknownException { .. }),
        "{error}"
    );
    assert_eq!(system.get_exception(NODE, FIRST).unwrap().reason, "first");
}

#[test]
fn colliding_names_live_side_by_side_hot_and_cold() {
    let mut system = system_with_node();
    system.add_exception(NODE, FIRST, by_hand("first")).unwrap();
    system.optimize(Duration::ZERO).unwrap();
    system
        .add_exception(NODE, SECOND, by_hand("second"))
        .unwrap();
    // The optimizer's key is taken by the first name: the second stays hot.
    let report = system.optimize(Duration::ZERO).unwrap();
    assert_eq!((report.moved, report.kept), (0, 1));
    assert_eq!(system.exception_count(), 2);
    let names: Vec<String> = system
        .exceptions_for_node(NODE)
        .into_iter()
        .map(|(name, exception)| format!("{name}={}", exception.reason))
        .collect();
    assert_eq!(
        names,
        [format!("{SECOND}=second"), format!("{FIRST}=first")]
    );
    system.remove_exception(NODE, SECOND).unwrap();
    assert_eq!(system.get_exception(NODE, FIRST).unwrap().reason, "first");
    assert_eq!(system.get_exception(NODE, SECOND), None);
}

#[test]
fn a_file_with_two_colliding_names_saves_and_loads() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("system.bin");
    for cold_first in [false, true] {
        let mut system = system_with_node();
        system.add_exception(NODE, FIRST, by_hand("first")).unwrap();
        if cold_first {
            system.optimize(Duration::ZERO).unwrap();
        }
        system
            .add_exception(NODE, SECOND, by_hand("second"))
            .unwrap();
        system.save_exceptions(&path).unwrap();
        let mut loaded = system_with_node();
        loaded.load_exceptions(&path).unwrap();
        assert_eq!(loaded.exception_count(), 2);
        assert_eq!(loaded.get_exception(NODE, FIRST).unwrap().reason, "first");
        assert_eq!(loaded.get_exception(NODE, SECOND).unwrap().reason, "second");
    }
}
