//! `bulk_retrieve` answers exactly what one `retrieve_exception` per key answers, whatever
//! values and reasons the rows share and whether the rows are packed or still in the tail.

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
