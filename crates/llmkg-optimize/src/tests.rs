//! Unit and model tests of the optimizer through its public API.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionError, ExceptionKey, ExceptionSource};
use proptest::prelude::*;

use crate::test_support::{arbitrary_exception, same_exception};
use crate::{OptimizeError, StorageOptimizer};

fn seed_key(i: u64) -> ExceptionKey {
    ExceptionKey {
        node_id: NodeId(i),
        property_hash: i % 100,
    }
}

fn seed_exception(i: u64) -> Exception {
    Exception {
        inherited_value: PropertyValue::String("default".to_string()),
        actual_value: PropertyValue::String(format!("value_{i}")),
        reason: "Test exception".to_string(),
        source: ExceptionSource::Detected,
        created_at: Instant::now(),
        confidence: 0.8,
    }
}

fn seed_data(count: u64) -> Vec<(ExceptionKey, Exception)> {
    (0..count)
        .map(|i| (seed_key(i), seed_exception(i)))
        .collect()
}

fn assert_holds_exactly(optimizer: &StorageOptimizer, model: &HashMap<ExceptionKey, Exception>) {
    assert_eq!(optimizer.len(), model.len());
    for (key, expected) in model {
        let found = optimizer
            .retrieve_exception(key)
            .expect("retrieve")
            .expect("present");
        assert!(
            same_exception(&found, expected),
            "{key:?}: {found:?} != {expected:?}"
        );
    }
    let all = optimizer.all_exceptions().expect("all");
    assert_eq!(all.len(), model.len());
    assert!(
        all.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "sorted by key"
    );
}

#[test]
fn seed_shape_round_trips_through_optimize() {
    let data = seed_data(5000);
    let mut optimizer = StorageOptimizer::new(data.len());
    for (key, exception) in &data {
        optimizer.store_exception(*key, exception.clone()).unwrap();
    }
    let model: HashMap<_, _> = data.iter().cloned().collect();
    assert_holds_exactly(&optimizer, &model);
    let results = optimizer.optimize_storage();
    assert!(results.rebuilt);
    assert_eq!(results.merged_from_tail, 5000);
    assert!(results.savings_ratio > 0.7, "{results:?}");
    assert_holds_exactly(&optimizer, &model);
    let keys: Vec<_> = data.iter().take(1000).map(|(key, _)| *key).collect();
    let found = optimizer.bulk_retrieve(&keys).unwrap();
    for ((_, expected), found) in data.iter().zip(found) {
        assert!(same_exception(&found.unwrap(), expected));
    }
}

#[test]
fn optimizing_optimized_data_changes_nothing() {
    let mut optimizer = StorageOptimizer::new(0);
    optimizer.bulk_store(seed_data(1000)).unwrap();
    let first = optimizer.optimize_storage();
    let second = optimizer.optimize_storage();
    assert!(first.rebuilt);
    assert!(!second.rebuilt);
    assert_eq!(second.bytes_before, second.bytes_after);
    assert_eq!(second.bytes_after, first.bytes_after);
    assert_eq!(second.savings_ratio, 0.0);
}

#[test]
fn replace_and_remove_work_in_tail_and_columns() {
    let mut optimizer = StorageOptimizer::new(0);
    optimizer.bulk_store(seed_data(300)).unwrap();
    optimizer.optimize_storage();
    let mut replacement = seed_exception(5);
    replacement.reason = "Replaced".to_string();
    optimizer
        .store_exception(seed_key(5), replacement.clone())
        .unwrap();
    assert_eq!(optimizer.len(), 300);
    assert_eq!(
        optimizer.retrieve_exception(&seed_key(5)).unwrap(),
        Some(replacement.clone())
    );
    let removed = optimizer.remove(&seed_key(6)).unwrap().unwrap();
    assert_eq!(
        removed.actual_value,
        PropertyValue::String("value_6".into())
    );
    assert_eq!(optimizer.remove(&seed_key(6)).unwrap(), None);
    assert_eq!(optimizer.retrieve_exception(&seed_key(6)).unwrap(), None);
    assert_eq!(optimizer.statistics().removed_rows, 2);
    let results = optimizer.optimize_storage();
    assert_eq!(results.purged_rows, 2);
    assert_eq!(results.merged_from_tail, 1);
    assert_eq!(optimizer.len(), 299);
    assert_eq!(
        optimizer.retrieve_exception(&seed_key(5)).unwrap(),
        Some(replacement)
    );
    assert!(!optimizer.contains_key(&seed_key(6)));
    assert!(optimizer.contains_key(&seed_key(7)));
}

#[test]
fn invalid_confidence_stores_nothing() {
    let mut optimizer = StorageOptimizer::new(0);
    optimizer.bulk_store(seed_data(10)).unwrap();
    optimizer.optimize_storage();
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.1, 1.01] {
        let mut exception = seed_exception(3);
        exception.confidence = bad;
        let error = optimizer
            .store_exception(seed_key(3), exception.clone())
            .unwrap_err();
        assert!(
            matches!(
                error,
                OptimizeError::InvalidException(ExceptionError::InvalidConfidence(_))
            ),
            "{error}"
        );
        assert!(error.to_string().contains(&bad.to_string()), "{error}");
        let mut batch = seed_data(20);
        batch.push((seed_key(3), exception));
        assert!(optimizer.bulk_store(batch).is_err());
    }
    assert_eq!(optimizer.len(), 10);
    assert_eq!(optimizer.statistics().tail_entries, 0);
    assert_eq!(
        optimizer
            .retrieve_exception(&seed_key(3))
            .unwrap()
            .unwrap()
            .confidence,
        0.8
    );
}

#[test]
fn too_deep_values_are_rejected() {
    let mut value = PropertyValue::Null;
    for _ in 0..=crate::MAX_VALUE_DEPTH {
        value = PropertyValue::List(vec![value]);
    }
    let mut exception = seed_exception(1);
    exception.actual_value = value;
    let mut optimizer = StorageOptimizer::new(0);
    let error = optimizer
        .store_exception(seed_key(1), exception)
        .unwrap_err();
    assert!(
        matches!(error, OptimizeError::ValueTooDeep { .. }),
        "{error}"
    );
    assert!(optimizer.is_empty());
}

#[test]
fn unknown_keys_read_as_none() {
    let mut optimizer = StorageOptimizer::new(0);
    assert_eq!(optimizer.retrieve_exception(&seed_key(1)).unwrap(), None);
    optimizer.bulk_store(seed_data(200)).unwrap();
    optimizer.optimize_storage();
    for key in [
        seed_key(200),
        ExceptionKey {
            node_id: NodeId(1),
            property_hash: 2,
        },
        ExceptionKey {
            node_id: NodeId(u64::MAX),
            property_hash: u64::MAX,
        },
    ] {
        assert_eq!(optimizer.retrieve_exception(&key).unwrap(), None);
    }
    assert_eq!(
        optimizer
            .bulk_retrieve(&[seed_key(1), seed_key(999)])
            .unwrap()[1],
        None
    );
}

#[test]
fn queries_match_a_filtered_model() {
    let start = Instant::now();
    let mut data = seed_data(2000);
    for (index, (_, exception)) in data.iter_mut().enumerate() {
        exception.confidence = [0.2, 0.5, 0.8, 1.0][index % 4];
        exception.source = ExceptionSource::ALL[index % 3];
        exception.created_at = start + Duration::from_micros(index as u64);
    }
    let mut optimizer = StorageOptimizer::new(0);
    optimizer.bulk_store(data[..1500].to_vec()).unwrap();
    optimizer.optimize_storage();
    // Part of the data stays in the tail, so queries see both halves.
    optimizer.bulk_store(data[1500..].to_vec()).unwrap();
    let keys_where = |keep: &dyn Fn(&ExceptionKey, &Exception) -> bool| {
        let mut keys: Vec<_> = data
            .iter()
            .filter(|(k, e)| keep(k, e))
            .map(|(k, _)| *k)
            .collect();
        keys.sort();
        keys
    };
    let keys_of = |found: Vec<(ExceptionKey, Exception)>| {
        found.into_iter().map(|(k, _)| k).collect::<Vec<_>>()
    };
    assert_eq!(
        keys_of(optimizer.by_property(7).unwrap()),
        keys_where(&|k, _| k.property_hash == 7)
    );
    assert_eq!(
        keys_of(optimizer.by_confidence_range(0.5, 0.8).unwrap()),
        keys_where(&|_, e| (0.5..=0.8).contains(&e.confidence))
    );
    assert_eq!(
        keys_of(optimizer.by_source(ExceptionSource::Promoted).unwrap()),
        keys_where(&|_, e| e.source == ExceptionSource::Promoted)
    );
    assert!(
        optimizer
            .by_source(ExceptionSource::Conflict)
            .unwrap()
            .is_empty()
    );
    let (from, to) = (
        start + Duration::from_micros(1400),
        start + Duration::from_micros(1600),
    );
    assert_eq!(
        keys_of(optimizer.by_time_range(from, to).unwrap()),
        keys_where(&|_, e| from <= e.created_at && e.created_at <= to)
    );
    assert!(matches!(
        optimizer.by_confidence_range(0.9, 0.1),
        Err(OptimizeError::InvalidConfidenceRange { .. })
    ));
    assert!(optimizer.by_confidence_range(f32::NAN, 1.0).is_err());
    assert!(matches!(
        optimizer.by_time_range(to, from),
        Err(OptimizeError::InvalidTimeRange { .. })
    ));
}

#[test]
fn statistics_count_what_is_held() {
    let mut optimizer = StorageOptimizer::new(0);
    optimizer.bulk_store(seed_data(1000)).unwrap();
    let before = optimizer.statistics();
    assert_eq!(
        (before.entries, before.tail_entries, before.compact_entries),
        (1000, 1000, 0)
    );
    optimizer.optimize_storage();
    let after = optimizer.statistics();
    assert_eq!(
        (after.entries, after.tail_entries, after.compact_entries),
        (1000, 0, 1000)
    );
    assert_eq!(after.distinct_values, 1001);
    assert_eq!(after.distinct_reasons, 1);
    assert_eq!(after.distinct_properties, 100);
    assert_eq!(after.distinct_confidences, 1);
    assert_eq!(
        after.heap_bytes,
        after.compact_heap_bytes + after.tail_heap_bytes
    );
    assert!(
        after.bytes_per_exception < before.bytes_per_exception / 4.0,
        "{after:?} {before:?}"
    );
}

#[derive(Clone, Debug)]
enum Operation {
    Store(u8, Exception),
    Remove(u8),
    Retrieve(u8),
    Optimize,
    Compact,
}

fn model_key(index: u8) -> ExceptionKey {
    // Few nodes and properties, so operations collide on keys often.
    ExceptionKey {
        node_id: NodeId(u64::from(index % 12) * 1_000_003),
        property_hash: u64::from(index / 12).wrapping_mul(0x9e37_79b9_7f4a_7c15),
    }
}

fn operation(anchor: Instant) -> impl Strategy<Value = Operation> {
    prop_oneof![
        5 => (0..48_u8, arbitrary_exception(anchor)).prop_map(|(k, e)| Operation::Store(k, e)),
        2 => (0..48_u8).prop_map(Operation::Remove),
        2 => (0..48_u8).prop_map(Operation::Retrieve),
        1 => Just(Operation::Optimize),
        1 => Just(Operation::Compact),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn optimizer_matches_a_hash_map_model(operations in prop::collection::vec(operation(Instant::now()), 1..80)) {
        let mut optimizer = StorageOptimizer::new(4);
        let mut model: HashMap<ExceptionKey, Exception> = HashMap::new();
        for operation in operations {
            match operation {
                Operation::Store(index, exception) => {
                    optimizer.store_exception(model_key(index), exception.clone()).unwrap();
                    model.insert(model_key(index), exception);
                }
                Operation::Remove(index) => {
                    let removed = optimizer.remove(&model_key(index)).unwrap();
                    let expected = model.remove(&model_key(index));
                    prop_assert_eq!(removed.is_some(), expected.is_some());
                    if let (Some(removed), Some(expected)) = (removed, expected) {
                        prop_assert!(same_exception(&removed, &expected));
                    }
                }
                Operation::Retrieve(index) => {
                    let found = optimizer.retrieve_exception(&model_key(index)).unwrap();
                    let expected = model.get(&model_key(index));
                    prop_assert_eq!(found.is_some(), expected.is_some());
                    if let (Some(found), Some(expected)) = (found, expected) {
                        prop_assert!(same_exception(&found, expected));
                    }
                }
                Operation::Optimize => {
                    let results = optimizer.optimize_storage();
                    prop_assert_eq!(results.entries, model.len());
                }
                Operation::Compact => {
                    optimizer.compact_storage();
                }
            }
            prop_assert_eq!(optimizer.len(), model.len());
        }
        let all = optimizer.all_exceptions().unwrap();
        prop_assert_eq!(all.len(), model.len());
        for (key, exception) in &all {
            prop_assert!(same_exception(exception, &model[key]));
        }
        let reloaded = {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("optimizer.snapshot");
            optimizer.save(&path).unwrap();
            StorageOptimizer::load(&path).unwrap()
        };
        prop_assert_eq!(reloaded.len(), model.len());
        for (key, expected) in &model {
            let found = reloaded.retrieve_exception(key).unwrap().unwrap();
            prop_assert!(same_exception(&found, expected));
        }
        for property in 0..4_u64 {
            let hash = property.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let expected = model.keys().filter(|k| k.property_hash == hash).count();
            prop_assert_eq!(optimizer.by_property(hash).unwrap().len(), expected);
            prop_assert_eq!(reloaded.by_property(hash).unwrap().len(), expected);
        }
        let expected = model.values().filter(|e| (0.25..=0.75).contains(&e.confidence)).count();
        prop_assert_eq!(optimizer.by_confidence_range(0.25, 0.75).unwrap().len(), expected);
        prop_assert_eq!(reloaded.by_confidence_range(0.25, 0.75).unwrap().len(), expected);
    }
}

#[test]
fn optimizer_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<StorageOptimizer>();
}

/// Review finding 3: `new(usize::MAX)` asked the allocator for u32::MAX slots and aborted.
#[test]
fn any_capacity_is_a_hint_that_cannot_abort() {
    for capacity in [0, 1, crate::PREALLOCATED_MAX + 1, usize::MAX] {
        let mut optimizer = StorageOptimizer::new(capacity);
        optimizer
            .store_exception(seed_key(1), seed_exception(1))
            .unwrap();
        assert_eq!(optimizer.len(), 1);
        assert!(optimizer.heap_bytes() < 64 << 20, "{capacity}");
    }
}
