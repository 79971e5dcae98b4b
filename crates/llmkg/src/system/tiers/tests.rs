//! [`Tiers`] against a `HashMap` model keyed by (node, name): whatever mix of writes,
//! removals, moves, shadowing writes through the shared store and reloads, every name sees
//! its own exception and nothing else, with two names whose 64-bit hashes collide among them.

use std::collections::HashMap;
use std::time::Instant;

use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionKey, ExceptionParts, ExceptionSource};
use proptest::prelude::*;

use super::Tiers;
use crate::error::SystemError;

/// Two names with one XXH3-64 hash (see `tests/system/collisions.rs`), and two plain ones.
const NAMES: [&str; 4] = ["6c0624d0afb8c426", "4b7e6c282061ff45", "can_fly", "colour"];
const NODES: [NodeId; 2] = [NodeId(1), NodeId(300)];

#[derive(Clone, Debug)]
enum Operation {
    Put(usize, usize, u8),
    /// A write through the shared store, behind the tiers' back.
    PutBehind(usize, usize, u8),
    Replace(usize, usize, u8),
    Take(usize, usize),
    MoveCold,
    SaveAndLoad,
}

fn operation() -> impl Strategy<Value = Operation> {
    let slot = (0..NODES.len(), 0..NAMES.len());
    prop_oneof![
        3 => (slot.clone(), any::<u8>()).prop_map(|((n, p), v)| Operation::Put(n, p, v)),
        1 => (slot.clone(), any::<u8>()).prop_map(|((n, p), v)| Operation::PutBehind(n, p, v)),
        1 => (slot.clone(), any::<u8>()).prop_map(|((n, p), v)| Operation::Replace(n, p, v)),
        2 => slot.prop_map(|(n, p)| Operation::Take(n, p)),
        2 => Just(Operation::MoveCold),
        1 => Just(Operation::SaveAndLoad),
    ]
}

fn exception(value: u8) -> Exception {
    Exception::new(
        PropertyValue::Integer(-1),
        PropertyValue::Integer(i64::from(value)),
        format!("value {value}"),
        ExceptionSource::Explicit,
        0.5,
    )
}

#[test]
fn the_first_two_names_collide() {
    assert_eq!(
        ExceptionKey::new(NODES[0], NAMES[0]),
        ExceptionKey::new(NODES[0], NAMES[1])
    );
}

proptest! {
    #[test]
    fn tiers_behave_as_one_map_by_name(operations in proptest::collection::vec(operation(), 1..40)) {
        let mut tiers = Tiers::new();
        let mut model: HashMap<(NodeId, &str), Exception> = HashMap::new();
        for operation in operations {
            match operation {
                Operation::Put(node, name, value) => {
                    let (node, name) = (NODES[node], NAMES[name]);
                    let new = exception(value);
                    let replaced = tiers.put(node, &ExceptionParts::of(name, &new)).unwrap();
                    prop_assert_eq!(replaced, model.insert((node, name), new));
                }
                Operation::PutBehind(node, name, value) => {
                    let (node, name) = (NODES[node], NAMES[name]);
                    let new = exception(value);
                    tiers.store().add_exception(node, name.to_owned(), new.clone()).unwrap();
                    model.insert((node, name), new);
                }
                Operation::Replace(node, name, value) => {
                    let (node, name) = (NODES[node], NAMES[name]);
                    let new = exception(value);
                    tiers.replace(node, name, new.clone()).unwrap();
                    model.insert((node, name), new);
                }
                Operation::Take(node, name) => {
                    let (node, name) = (NODES[node], NAMES[name]);
                    prop_assert_eq!(tiers.take(node, name).unwrap(), model.remove(&(node, name)));
                }
                Operation::MoveCold => {
                    tiers.move_cold(Instant::now());
                }
                Operation::SaveAndLoad => {
                    let saved = tiers.saved().unwrap();
                    let mut loaded = Tiers::new();
                    loaded.load(saved, SystemError::InvalidConfig).unwrap();
                    tiers = loaded;
                }
            }
            prop_assert_eq!(tiers.len(), model.len());
            for node in NODES {
                for name in NAMES {
                    prop_assert_eq!(tiers.get(node, name), model.get(&(node, name)).cloned());
                }
                let mut expected: Vec<(String, Exception)> = model
                    .iter()
                    .filter(|((at, _), _)| *at == node)
                    .map(|((_, name), exception)| ((*name).to_owned(), exception.clone()))
                    .collect();
                expected.sort_by(|(left, _), (right, _)| left.cmp(right));
                prop_assert_eq!(tiers.exceptions_for_node(node), expected);
            }
        }
    }
}

#[test]
fn a_repeated_name_is_refused_and_changes_nothing() {
    let mut tiers = Tiers::new();
    let kept = exception(1);
    tiers
        .put(NODES[0], &ExceptionParts::of("kept", &kept))
        .unwrap();
    let saved = vec![
        (NODES[0], "twice".to_owned(), exception(2), false),
        (NODES[0], "twice".to_owned(), exception(3), true),
    ];
    let error = tiers.load(saved, SystemError::InvalidConfig).unwrap_err();
    assert!(error.to_string().contains("appears twice"), "{error}");
    assert_eq!(tiers.get(NODES[0], "kept"), Some(kept));
    assert_eq!(tiers.len(), 1);
}
