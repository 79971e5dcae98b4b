//! `bulk_retrieve` answers exactly what one `retrieve_exception` per key answers, and what a
//! `HashMap` model holds, whatever values and reasons the rows share and whether the rows are
//! packed, replaced, removed or still in the tail.

use std::collections::HashMap;

use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
use llmkg_optimize::StorageOptimizer;
use proptest::prelude::*;

fn value(choice: u8) -> PropertyValue {
    match choice % 5 {
        0 => PropertyValue::Boolean(choice.is_multiple_of(2)),
        1 => PropertyValue::String(format!("text {}", choice % 7)),
        2 => PropertyValue::Integer(i64::from(choice)),
        3 => PropertyValue::List(vec![PropertyValue::Null, PropertyValue::from("x")]),
        _ => PropertyValue::Null,
    }
}

proptest! {
    #[test]
    fn bulk_retrieve_equals_one_retrieve_per_key(
        rows in prop::collection::vec((0_u64..300, 0_u64..8, any::<u8>(), any::<u8>(), 0_u8..6), 1..200),
        probes in prop::collection::vec((0_u64..300, 0_u64..8), 0..300),
        optimize in any::<bool>(),
    ) {
        let mut optimizer = StorageOptimizer::new(rows.len());
        for &(node, property, inherited, actual, reason) in &rows {
            let exception = Exception::new(
                value(inherited),
                value(actual),
                format!("reason {reason}"),
                ExceptionSource::Detected,
                0.5,
            );
            let key = ExceptionKey { node_id: NodeId(node), property_hash: property };
            optimizer.store_exception(key, exception).expect("valid");
        }
        if optimize {
            optimizer.optimize_storage();
        }
        let keys: Vec<ExceptionKey> = probes
            .iter()
            .map(|&(node, property)| ExceptionKey { node_id: NodeId(node), property_hash: property })
            .chain(rows.iter().map(|&(node, property, ..)| ExceptionKey {
                node_id: NodeId(node),
                property_hash: property,
            }))
            .collect();
        let bulk = optimizer.bulk_retrieve(&keys).expect("bulk");
        prop_assert_eq!(bulk.len(), keys.len());
        for (key, found) in keys.iter().zip(&bulk) {
            let one = optimizer.retrieve_exception(key).expect("one");
            prop_assert_eq!(found, &one);
        }
    }
}

fn key(node: u64, property: u64) -> ExceptionKey {
    // Spread property hashes over the whole `u64` range, as real hashes are.
    ExceptionKey {
        node_id: NodeId(node),
        property_hash: property.wrapping_mul(0x9e37_79b9_7f4a_7c15),
    }
}

fn exception(inherited: u8, actual: u8, reason: u8) -> Exception {
    Exception::new(
        value(inherited),
        value(actual),
        format!("reason {reason}"),
        ExceptionSource::ALL[usize::from(reason % 4)],
        f32::from(reason % 5) / 4.0,
    )
}

type Row = (u64, u64, u8, u8, u8);

fn rows(max: usize) -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (0_u64..400, 0_u64..6, any::<u8>(), any::<u8>(), any::<u8>()),
        0..max,
    )
}

fn check(
    optimizer: &StorageOptimizer,
    model: &HashMap<ExceptionKey, Exception>,
    probes: &[(u64, u64)],
) -> Result<(), TestCaseError> {
    let keys: Vec<ExceptionKey> = probes
        .iter()
        .map(|&(node, property)| key(node, property))
        .chain(model.keys().copied())
        .collect();
    let found = optimizer.bulk_retrieve(&keys).expect("bulk");
    prop_assert_eq!(found.len(), keys.len());
    for (key, found) in keys.iter().zip(&found) {
        prop_assert_eq!(found.as_ref(), model.get(key), "key {:?}", key);
    }
    Ok(())
}

fn store(
    optimizer: &mut StorageOptimizer,
    model: &mut HashMap<ExceptionKey, Exception>,
    batch: &[Row],
) {
    for &(node, property, inherited, actual, reason) in batch {
        let exception = exception(inherited, actual, reason);
        optimizer
            .store_exception(key(node, property), exception.clone())
            .expect("valid");
        model.insert(key(node, property), exception);
    }
}

proptest! {
    #[test]
    fn bulk_retrieve_after_optimize_matches_a_hash_map(
        first in rows(300),
        second in rows(120),
        removed in prop::collection::vec((0_u64..400, 0_u64..6), 0..60),
        probes in prop::collection::vec((0_u64..450, 0_u64..8), 0..200),
    ) {
        let mut optimizer = StorageOptimizer::new(first.len());
        let mut model = HashMap::new();
        store(&mut optimizer, &mut model, &first);
        optimizer.optimize_storage();
        // Every row packed: the columns answer alone.
        check(&optimizer, &model, &probes)?;
        // Replacing and removing packed rows, and new rows in the tail.
        store(&mut optimizer, &mut model, &second);
        for &(node, property) in &removed {
            optimizer.remove(&key(node, property)).expect("remove");
            model.remove(&key(node, property));
        }
        check(&optimizer, &model, &probes)?;
        optimizer.optimize_storage();
        check(&optimizer, &model, &probes)?;
    }
}
