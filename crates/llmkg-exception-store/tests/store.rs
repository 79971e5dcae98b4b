//! Integration tests of the exception store, the handler and snapshots.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionError, ExceptionKey, ExceptionSource};
use llmkg_exception_store::{
    ConflictStrategy, ExceptionHandler, ExceptionParts, ExceptionStore, SNAPSHOT_VERSION,
    StoreError,
};
use proptest::prelude::*;

#[path = "store/files.rs"]
mod files;
#[path = "store/reentrant.rs"]
mod reentrant;

fn exception(actual: i64, source: ExceptionSource, confidence: f32) -> Exception {
    Exception::new(
        PropertyValue::Integer(0),
        PropertyValue::Integer(actual),
        format!("reason {actual}"),
        source,
        confidence,
    )
}

#[test]
fn add_get_replace_remove() {
    let store = ExceptionStore::new();
    assert!(store.is_empty());
    let first = exception(1, ExceptionSource::Detected, 0.5);
    assert_eq!(
        store
            .add_exception(NodeId(1), "a".into(), first.clone())
            .unwrap(),
        None
    );
    let second = exception(2, ExceptionSource::Explicit, 0.9);
    assert_eq!(
        store
            .add_exception(NodeId(1), "a".into(), second.clone())
            .unwrap(),
        Some(first)
    );
    assert_eq!(store.get_exception(NodeId(1), "a"), Some(second.clone()));
    assert_eq!(store.get_exception(NodeId(1), "b"), None);
    assert_eq!(store.get_exception(NodeId(2), "a"), None);
    assert_eq!(store.len(), 1);
    let stats = store.statistics();
    assert_eq!(stats.count(ExceptionSource::Explicit), 1);
    assert_eq!(stats.count(ExceptionSource::Detected), 0);
    assert_eq!(store.remove_exception(NodeId(1), "a"), Some(second));
    assert_eq!(store.remove_exception(NodeId(1), "a"), None);
    assert!(store.is_empty());
    assert_eq!(store.statistics().distinct_nodes, 0);
    assert_eq!(store.statistics().interned_property_names, 0);
}

#[test]
fn invalid_input_is_a_typed_error_and_stores_nothing() {
    let store = ExceptionStore::new();
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.01, 1.5] {
        let err = store
            .add_exception(
                NodeId(1),
                "p".into(),
                exception(1, ExceptionSource::Detected, bad),
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::InvalidException(ExceptionError::InvalidConfidence(_))
            ),
            "{err}"
        );
    }
    let err = store
        .add_exception(
            NodeId(1),
            String::new(),
            exception(1, ExceptionSource::Detected, 0.5),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::EmptyPropertyName));
    assert!(store.is_empty());
    // A valid entry is not disturbed by a rejected replacement.
    let good = exception(7, ExceptionSource::Detected, 0.5);
    store
        .add_exception(NodeId(1), "p".into(), good.clone())
        .unwrap();
    assert!(
        store
            .add_exception(
                NodeId(1),
                "p".into(),
                exception(8, ExceptionSource::Detected, f32::NAN)
            )
            .is_err()
    );
    assert_eq!(store.get_exception(NodeId(1), "p"), Some(good));
}

#[test]
fn listings_by_node_property_and_source() {
    let store = ExceptionStore::new();
    for node in 0..600u64 {
        let source = if node % 3 == 0 {
            ExceptionSource::Explicit
        } else {
            ExceptionSource::Detected
        };
        store
            .add_exception(
                NodeId(node),
                "shared".into(),
                exception(node as i64, source, 0.5),
            )
            .unwrap();
        if node % 2 == 0 {
            store
                .add_exception(
                    NodeId(node),
                    format!("own_{node}"),
                    exception(1, source, 0.5),
                )
                .unwrap();
        }
    }
    let shared = store.exceptions_for_property("shared");
    assert_eq!(shared.len(), 600);
    assert!(shared.windows(2).all(|w| w[0].0 < w[1].0));
    let node_10 = store.exceptions_for_node(NodeId(10));
    let names: Vec<_> = node_10.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["own_10", "shared"]);
    assert_eq!(store.exceptions_for_node(NodeId(11)).len(), 1);
    let explicit = store.exceptions_by_source(ExceptionSource::Explicit);
    assert_eq!(explicit.len(), 200 + 100);
    assert!(
        explicit
            .iter()
            .all(|(_, _, e)| e.source == ExceptionSource::Explicit)
    );
    assert_eq!(store.remove_node(NodeId(10)), 2);
    assert!(store.exceptions_for_node(NodeId(10)).is_empty());
    assert_eq!(store.len(), 900 - 2);
    let stats = store.statistics();
    assert_eq!(stats.total_exceptions, 898);
    assert_eq!(stats.distinct_nodes, 599);
    assert!(stats.heap_bytes > 898 * std::mem::size_of::<Exception>());
}

#[test]
fn get_by_key_uses_the_stable_hash() {
    let store = ExceptionStore::new();
    let e = exception(1, ExceptionSource::Detected, 0.5);
    store
        .add_exception(NodeId(9), "can_fly".into(), e.clone())
        .unwrap();
    let (name, found) = store
        .get_by_key(ExceptionKey::new(NodeId(9), "can_fly"))
        .unwrap();
    assert_eq!((name.as_str(), found), ("can_fly", e));
    assert!(
        store
            .get_by_key(ExceptionKey::new(NodeId(9), "can_swim"))
            .is_none()
    );
}

#[derive(Debug, Clone)]
enum Op {
    Add(u64, u8, i64, u8),
    /// An add through the borrowed path, `add_exception_parts`.
    AddParts(u64, u8, i64, u8),
    /// `reserve_for_node`, which changes no content.
    Reserve(u64, u8),
    Remove(u64, u8),
    Get(u64, u8),
    RemoveNode(u64),
    /// An add with a long reason (hundreds of bytes), so replacements and removals pile up
    /// enough garbage to compact a shard's arena.
    AddLong(u64, u8, u16),
}

fn op_strategy() -> impl Strategy<Value = Op> {
    // Node ids straddle shard blocks (256 ids) and shard wrap-around (64 * 256).
    let node = prop_oneof![0u64..8, 250u64..262, Just(16_384u64), Just(u64::MAX)];
    prop_oneof![
        4 => (node.clone(), 0u8..6, any::<i64>(), 0u8..4).prop_map(|(n, p, v, s)| Op::Add(n, p, v, s)),
        2 => (node.clone(), 0u8..6, any::<i64>(), 0u8..4).prop_map(|(n, p, v, s)| Op::AddParts(n, p, v, s)),
        1 => (node.clone(), 0u8..40).prop_map(|(n, k)| Op::Reserve(n, k)),
        2 => (node.clone(), 0u8..6).prop_map(|(n, p)| Op::Remove(n, p)),
        2 => (node.clone(), 0u8..6).prop_map(|(n, p)| Op::Get(n, p)),
        1 => node.clone().prop_map(Op::RemoveNode),
        3 => (node, 0u8..6, 200u16..2000).prop_map(|(n, p, len)| Op::AddLong(n, p, len)),
    ]
}

/// An exception whose reason is `len` bytes long.
fn long_exception(len: u16) -> Exception {
    let mut e = exception(i64::from(len), ExceptionSource::Detected, 0.5);
    e.reason = "r".repeat(usize::from(len));
    e
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The store behaves like a `BTreeMap<(node, property), Exception>`.
    #[test]
    fn store_matches_a_map_model(ops in proptest::collection::vec(op_strategy(), 1..120)) {
        let store = ExceptionStore::new();
        let mut model: BTreeMap<(u64, String), Exception> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Add(node, prop, value, source) => {
                    let name = format!("p{prop}");
                    let e = exception(value, ExceptionSource::ALL[source as usize], 0.5);
                    let replaced = store.add_exception(NodeId(node), name.clone(), e.clone()).unwrap();
                    prop_assert_eq!(replaced, model.insert((node, name), e));
                }
                Op::AddParts(node, prop, value, source) => {
                    let name = format!("p{prop}");
                    let e = exception(value, ExceptionSource::ALL[source as usize], 0.5);
                    let replaced = store.add_exception_parts(NodeId(node), &ExceptionParts::of(&name, &e)).unwrap();
                    prop_assert_eq!(replaced, model.insert((node, name), e));
                }
                Op::Reserve(node, additional) => store.reserve_for_node(NodeId(node), usize::from(additional), 40 * usize::from(additional)),
                Op::Remove(node, prop) => {
                    let name = format!("p{prop}");
                    prop_assert_eq!(store.remove_exception(NodeId(node), &name), model.remove(&(node, name)));
                }
                Op::Get(node, prop) => {
                    let name = format!("p{prop}");
                    prop_assert_eq!(store.get_exception(NodeId(node), &name), model.get(&(node, name)).cloned());
                }
                Op::RemoveNode(node) => {
                    let before = model.len();
                    model.retain(|(n, _), _| *n != node);
                    prop_assert_eq!(store.remove_node(NodeId(node)), before - model.len());
                }
                Op::AddLong(node, prop, len) => {
                    let name = format!("p{prop}");
                    let e = long_exception(len);
                    let replaced = store.add_exception(NodeId(node), name.clone(), e.clone()).unwrap();
                    prop_assert_eq!(replaced, model.insert((node, name), e));
                }
            }
            prop_assert_eq!(store.len(), model.len());
            for node in [0, 1, 255, 256, 16_384, u64::MAX] {
                prop_assert_eq!(store.has_node(NodeId(node)), model.keys().any(|(n, _)| *n == node));
            }
        }
        let expected: Vec<_> = model.iter().map(|((n, p), e)| (NodeId(*n), p.clone(), e.clone())).collect();
        prop_assert_eq!(store.snapshot(), expected);
        for prop in 0..6u8 {
            let name = format!("p{prop}");
            let expected: Vec<_> = model.iter().filter(|((_, p), _)| *p == name).map(|((n, _), e)| (NodeId(*n), e.clone())).collect();
            prop_assert_eq!(store.exceptions_for_property(&name), expected);
        }
        let stats = store.statistics();
        for source in ExceptionSource::ALL {
            prop_assert_eq!(stats.count(source), model.values().filter(|e| e.source == source).count());
        }
    }

    /// Interleaving writes with cached resolutions never shows a stale value.
    #[test]
    fn handler_cache_is_never_stale(ops in proptest::collection::vec(op_strategy(), 1..150)) {
        let store = Arc::new(ExceptionStore::new());
        let handler = ExceptionHandler::with_config(Arc::clone(&store), 8, ConflictStrategy::default());
        let mut model: HashMap<(u64, String), PropertyValue> = HashMap::new();
        let inherited = Some(PropertyValue::Null);
        for op in ops {
            match op {
                Op::Add(node, prop, value, _) => {
                    let name = format!("p{prop}");
                    store.add_exception(NodeId(node), name.clone(), exception(value, ExceptionSource::Detected, 0.5)).unwrap();
                    model.insert((node, name), PropertyValue::Integer(value));
                }
                Op::AddParts(node, prop, value, _) => {
                    let name = format!("p{prop}");
                    let e = exception(value, ExceptionSource::Detected, 0.5);
                    store.add_exception_parts(NodeId(node), &ExceptionParts::of(&name, &e)).unwrap();
                    model.insert((node, name), PropertyValue::Integer(value));
                }
                Op::Reserve(node, additional) => store.reserve_for_node(NodeId(node), usize::from(additional), 40 * usize::from(additional)),
                Op::Remove(node, prop) => {
                    let name = format!("p{prop}");
                    store.remove_exception(NodeId(node), &name);
                    model.remove(&(node, name));
                }
                Op::RemoveNode(node) => {
                    store.remove_node(NodeId(node));
                    model.retain(|(n, _), _| *n != node);
                }
                Op::AddLong(node, prop, len) => {
                    let name = format!("p{prop}");
                    let e = long_exception(len);
                    model.insert((node, name.clone()), e.actual_value.clone());
                    store.add_exception(NodeId(node), name, e).unwrap();
                }
                Op::Get(node, prop) => {
                    let name = format!("p{prop}");
                    // Resolve twice: the second is a cache hit and must agree.
                    for _ in 0..2 {
                        let expected = model.get(&(node, name.clone())).cloned().or(inherited.clone());
                        prop_assert_eq!(handler.resolve_property(NodeId(node), &name, inherited.clone()), expected);
                    }
                }
            }
        }
    }
}

/// Replacements and removals of long records compact a shard's arena: the compactions are
/// counted, stay within the amortised bound (one per 4 KiB released at most) and lose nothing.
#[test]
fn shard_compactions_are_counted_bounded_and_lossless() {
    let store = ExceptionStore::new();
    assert_eq!(store.statistics().arena_compactions, 0);
    let mut released = 0_usize;
    let mut previous: Vec<Option<Exception>> = vec![None; 4];
    for round in 0..200_u16 {
        let slot = usize::from(round % 4);
        let e = long_exception(500 + round * 7);
        let replaced = store
            .add_exception(NodeId(slot as u64), "p".into(), e.clone())
            .unwrap();
        assert_eq!(replaced, previous[slot].take());
        if let Some(old) = &replaced {
            released += old.reason.len();
        }
        previous[slot] = Some(e);
        if round % 50 == 49 {
            let removed = store.remove_exception(NodeId(slot as u64), "p").unwrap();
            released += removed.reason.len();
            previous[slot] = None;
        }
    }
    let compactions = store.statistics().arena_compactions;
    assert!(compactions >= 5, "{compactions} compactions");
    assert!(
        compactions <= (released / 4096) as u64,
        "{compactions} compactions for {released} released bytes"
    );
    for (slot, expected) in previous.iter().enumerate() {
        assert_eq!(&store.get_exception(NodeId(slot as u64), "p"), expected);
    }
}

#[test]
fn handler_counts_hits_and_misses_and_applies_to_node() {
    let store = Arc::new(ExceptionStore::new());
    let handler = ExceptionHandler::new(Arc::clone(&store));
    store
        .add_exception(
            NodeId(1),
            "can_fly".into(),
            Exception::new(
                true.into(),
                false.into(),
                "flightless",
                ExceptionSource::Explicit,
                1.0,
            ),
        )
        .unwrap();
    store
        .add_exception(
            NodeId(1),
            "habitat".into(),
            Exception::new(
                PropertyValue::Null,
                "antarctic".into(),
                "cold",
                ExceptionSource::Explicit,
                1.0,
            ),
        )
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            handler.resolve_property(NodeId(1), "can_fly", Some(true.into())),
            Some(false.into())
        );
    }
    let stats = handler.cache_statistics();
    assert_eq!((stats.hits, stats.misses), (2, 1));
    let mut properties: HashMap<String, PropertyValue> = HashMap::from([
        ("can_fly".to_owned(), true.into()),
        ("has_feathers".to_owned(), true.into()),
    ]);
    handler.apply_exceptions_to_node(NodeId(1), &mut properties);
    assert_eq!(properties["can_fly"], false.into());
    assert_eq!(properties["has_feathers"], true.into());
    assert_eq!(properties["habitat"], "antarctic".into());
}

#[test]
fn handler_cache_evicts_within_capacity() {
    let store = Arc::new(ExceptionStore::new());
    let handler =
        ExceptionHandler::with_config(Arc::clone(&store), 64, ConflictStrategy::default());
    for node in 0..10_000u64 {
        handler.resolve_property(NodeId(node), "p", None);
    }
    let stats = handler.cache_statistics();
    assert!(stats.entries <= 64, "{stats:?}");
    assert!(stats.evictions > 0);
}

#[test]
fn conflict_precedence() {
    // The strategy a handler is built with decides which of several exceptions wins.
    let resolve = |exceptions: Vec<Exception>, strategy: ConflictStrategy| {
        let handler = ExceptionHandler::with_config(Arc::new(ExceptionStore::new()), 0, strategy);
        assert_eq!(handler.strategy(), strategy);
        handler.handle_exception_conflict(exceptions)
    };
    let base = Instant::now();
    let make = |source, confidence, offset_ms| {
        let mut e = exception(0, source, confidence);
        e.created_at = base + Duration::from_millis(offset_ms);
        e
    };
    let explicit = make(ExceptionSource::Explicit, 0.8, 0);
    let detected = make(ExceptionSource::Detected, 0.8, 5);
    let confident = make(ExceptionSource::Detected, 0.9, 0);
    let newer_explicit = make(ExceptionSource::Explicit, 0.8, 10);
    let all = vec![
        explicit.clone(),
        detected.clone(),
        confident.clone(),
        newer_explicit.clone(),
    ];
    assert_eq!(
        resolve(all.clone(), ConflictStrategy::HighestConfidence),
        Some(confident.clone())
    );
    assert_eq!(
        resolve(all.clone(), ConflictStrategy::SourcePrecedence),
        Some(newer_explicit.clone())
    );
    assert_eq!(
        resolve(all, ConflictStrategy::MostRecent),
        Some(newer_explicit.clone())
    );
    // Same confidence: Explicit beats Detected; then the most recent wins.
    assert_eq!(
        resolve(
            vec![detected, explicit, newer_explicit.clone()],
            ConflictStrategy::HighestConfidence
        ),
        Some(newer_explicit)
    );
    assert_eq!(resolve(Vec::new(), ConflictStrategy::default()), None);
}

/// 8 threads x 10,000 mixed adds and removes on one property name: the final content is exact.
#[test]
fn concurrent_stress_loses_nothing() {
    const THREADS: u64 = 8;
    const OPS: u64 = 10_000;
    let store = Arc::new(ExceptionStore::new());
    let barrier = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|thread_id| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                let mut removed = 0u64;
                for i in 0..OPS {
                    // Interleave ids so threads share shards, and all use one property name.
                    let node = NodeId(i * THREADS + thread_id);
                    store
                        .add_exception(
                            node,
                            "test_prop".into(),
                            exception(node.0 as i64, ExceptionSource::Detected, 0.8),
                        )
                        .unwrap();
                    if i % 4 == 3 {
                        let victim = NodeId((i - 1) * THREADS + thread_id);
                        assert!(store.remove_exception(victim, "test_prop").is_some());
                        removed += 1;
                    }
                }
                removed
            })
        })
        .collect();
    let removed: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(store.len() as u64, THREADS * OPS - removed);
    for thread_id in 0..THREADS {
        for i in 0..OPS {
            let node = NodeId(i * THREADS + thread_id);
            let found = store.get_exception(node, "test_prop");
            if i % 4 == 2 {
                assert!(found.is_none(), "{node} should have been removed");
            } else {
                assert_eq!(
                    found.unwrap().actual_value,
                    PropertyValue::Integer(node.0 as i64)
                );
            }
        }
    }
    assert_eq!(
        store.exceptions_for_property("test_prop").len() as u64,
        THREADS * OPS - removed
    );
}

fn filled_store() -> ExceptionStore {
    let store = ExceptionStore::new();
    for node in 0..300u64 {
        let e = Exception::new(
            PropertyValue::List(vec![PropertyValue::Number(-0.0), PropertyValue::Null]),
            PropertyValue::String(format!("value {node}")),
            "because",
            ExceptionSource::ALL[(node % 4) as usize],
            (node % 11) as f32 / 10.0,
        );
        store
            .add_exception(NodeId(node * 37), format!("prop_{}", node % 7), e)
            .unwrap();
    }
    store
}

#[test]
fn snapshot_round_trip_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.snap");
    let store = filled_store();
    store.save(&path).unwrap();
    let loaded = ExceptionStore::load(&path).unwrap();
    assert_eq!(loaded.snapshot(), store.snapshot());
    assert_eq!(loaded.statistics().by_source, store.statistics().by_source);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn assert_rejected_and_untouched(bytes: &[u8], check: impl Fn(&StoreError) -> bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.snap");
    std::fs::write(&path, bytes).unwrap();
    let store = ExceptionStore::new();
    store
        .add_exception(
            NodeId(1),
            "kept".into(),
            exception(1, ExceptionSource::Explicit, 1.0),
        )
        .unwrap();
    let before = store.snapshot();
    let err = store.load_into(&path).unwrap_err();
    assert!(check(&err), "unexpected error: {err}");
    assert_eq!(store.snapshot(), before);
}

#[test]
fn truncated_snapshots_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.snap");
    filled_store().save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    for len in [0, 7, 20, 31, 32, bytes.len() / 2, bytes.len() - 1] {
        assert_rejected_and_untouched(&bytes[..len], |e| {
            matches!(e, StoreError::CorruptSnapshot { .. })
        });
    }
}

#[test]
fn bit_flips_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.snap");
    filled_store().save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    // Flip one bit in every byte position of the header and a spread of payload positions.
    let positions: Vec<usize> = (0..32).chain((32..bytes.len()).step_by(97)).collect();
    for pos in positions {
        let mut corrupted = bytes.clone();
        corrupted[pos] ^= 0x10;
        assert_rejected_and_untouched(&corrupted, |e| {
            matches!(
                e,
                StoreError::CorruptSnapshot { .. } | StoreError::UnsupportedVersion { .. }
            )
        });
    }
}

#[test]
fn wrong_version_is_rejected_with_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.snap");
    filled_store().save(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8..12].copy_from_slice(&(SNAPSHOT_VERSION + 1).to_le_bytes());
    assert_rejected_and_untouched(
        &bytes,
        |e| matches!(e, StoreError::UnsupportedVersion { found, .. } if *found == SNAPSHOT_VERSION + 1),
    );
}

#[test]
fn missing_file_is_an_io_error() {
    let err = ExceptionStore::load("/nonexistent/dir/x.snap").unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }));
    assert!(err.to_string().contains("/nonexistent/dir/x.snap"));
}
