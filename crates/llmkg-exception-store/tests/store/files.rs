//! Snapshot files under hostile conditions: concurrent saves, trailing bytes, values nested
//! past the limit, arbitrary bytes and mutations of valid files.

use std::sync::Arc;
use std::thread;

use llmkg_core::{MAX_VALUE_DEPTH, NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionError, ExceptionSource};
use llmkg_exception_store::{ExceptionStore, SNAPSHOT_VERSION, StoreError};
use llmkg_filefmt::FileFormat;
use proptest::prelude::*;

use super::{assert_rejected_and_untouched, filled_store};

fn nested(depth: usize) -> PropertyValue {
    let mut value = PropertyValue::Null;
    for _ in 0..depth {
        value = PropertyValue::List(vec![value]);
    }
    value
}

fn corrupt_reason(error: &StoreError) -> Option<&str> {
    match error {
        StoreError::CorruptSnapshot { reason, .. } => Some(reason),
        _ => None,
    }
}

/// Issue 11: four threads saving to one path used to fail with ENOENT (the temporary file
/// was named by process id only).
#[test]
fn concurrent_saves_to_one_path_all_succeed_and_the_file_always_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = Arc::new(dir.path().join("shared.snap"));
    let threads: Vec<_> = (0..4_u64)
        .map(|thread| {
            let path = Arc::clone(&path);
            thread::spawn(move || {
                let store = ExceptionStore::new();
                for round in 0..20_u64 {
                    store
                        .add_exception(
                            NodeId(thread),
                            format!("round_{round}"),
                            Exception::new(
                                PropertyValue::Integer(0),
                                PropertyValue::Integer(round as i64),
                                "concurrent",
                                ExceptionSource::Explicit,
                                1.0,
                            ),
                        )
                        .unwrap();
                    store
                        .save(&*path)
                        .unwrap_or_else(|error| panic!("thread {thread} round {round}: {error}"));
                    let loaded = ExceptionStore::load(&*path)
                        .unwrap_or_else(|error| panic!("thread {thread} round {round}: {error}"));
                    assert!(!loaded.is_empty());
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Issue 11: the store's loader accepted bytes after the encoded entries when the header's
/// length and checksum covered them (postcard stops at the end of the value it reads).
#[test]
fn trailing_bytes_inside_a_checksummed_payload_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.snap");
    filled_store().save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut payload = bytes[llmkg_filefmt::HEADER_LEN..].to_vec();
    payload.extend_from_slice(b"extra");
    let file = FileFormat::new("snapshot", b"LLMKGEXS", SNAPSHOT_VERSION).encode(&payload);
    assert_rejected_and_untouched(&file, |error| {
        corrupt_reason(error).is_some_and(|reason| reason.contains("5 trailing bytes"))
    });
}

/// Bytes after the payload the header declares are refused as well.
#[test]
fn trailing_bytes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.snap");
    filled_store().save(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"extra");
    assert_rejected_and_untouched(&bytes, |error| {
        corrupt_reason(error).is_some_and(|reason| reason.contains("5 trailing bytes"))
    });
}

/// The payload of a snapshot holding one entry whose inherited value is `depth` lists deep,
/// written without recursion (postcard: variant 4 = `List`, length 1, ..., variant 5 = `Null`).
fn deep_snapshot(depth: usize) -> Vec<u8> {
    let mut payload = vec![1, 7, 1, b'p']; // one entry, node 7, property "p"
    payload.extend_from_slice(&[4, 1].repeat(depth));
    payload.push(5);
    payload.push(5); // actual value: Null
    payload.extend_from_slice(&[0, 0, 0, 0, 0x80, 0x3f]); // reason "", source, time, 1.0
    FileFormat::new("snapshot", b"LLMKGEXS", SNAPSHOT_VERSION).encode(&payload)
}

/// Issue 11: a checksummed snapshot holding a list 200,000 deep aborted the process with a
/// stack overflow while decoding.
#[test]
fn a_200000_deep_value_is_a_typed_error() {
    assert_rejected_and_untouched(&deep_snapshot(200_000), |error| {
        corrupt_reason(error).is_some_and(|reason| reason.contains("nested deeper than the limit"))
    });
}

/// The same bound on every path in: the store refuses what the optimizer and the files refuse.
#[test]
fn add_exception_refuses_values_deeper_than_the_shared_limit() {
    let store = ExceptionStore::new();
    let deep = Exception::new(
        PropertyValue::Null,
        nested(MAX_VALUE_DEPTH + 1),
        "deep",
        ExceptionSource::Explicit,
        1.0,
    );
    let error = store
        .add_exception(NodeId(1), "p".into(), deep)
        .unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::InvalidException(ExceptionError::ValueTooDeep {
                which: "actual",
                ..
            })
        ),
        "{error}"
    );
    assert!(store.is_empty());
    let deepest = Exception::new(
        nested(MAX_VALUE_DEPTH),
        PropertyValue::Null,
        "deepest allowed",
        ExceptionSource::Explicit,
        1.0,
    );
    store
        .add_exception(NodeId(1), "p".into(), deepest.clone())
        .unwrap();
    // What the store accepts, its snapshot keeps.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deepest.snap");
    store.save(&path).unwrap();
    assert_eq!(
        ExceptionStore::load(&path).unwrap().snapshot(),
        store.snapshot()
    );
}

fn valid_file() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("valid.snap");
    filled_store().save(&path).unwrap();
    std::fs::read(&path).unwrap()
}

fn load_bytes(bytes: &[u8]) -> Result<ExceptionStore, StoreError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candidate.snap");
    std::fs::write(&path, bytes).unwrap();
    ExceptionStore::load(&path)
}

fn is_typed_file_error(error: &StoreError) -> bool {
    match error {
        StoreError::CorruptSnapshot { reason, .. } => !reason.is_empty(),
        StoreError::UnsupportedVersion { .. } => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bytes, with or without a valid header in front: never a panic or an abort,
    /// always a typed error naming the problem.
    #[test]
    fn arbitrary_bytes_are_refused(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        with_header in any::<bool>(),
    ) {
        let bytes = if with_header {
            FileFormat::new("snapshot", b"LLMKGEXS", SNAPSHOT_VERSION).encode(&bytes)
        } else {
            bytes
        };
        match load_bytes(&bytes) {
            Ok(_) => prop_assert!(with_header, "headerless bytes loaded"),
            Err(error) => prop_assert!(is_typed_file_error(&error), "{}", error),
        }
    }

    /// Every bit flip, cut or extension of a valid file is refused with a typed error.
    #[test]
    fn mutations_of_a_valid_file_are_refused(
        position in any::<prop::sample::Index>(),
        bit in 0_u8..8,
        cut in any::<prop::sample::Index>(),
        extra in proptest::collection::vec(any::<u8>(), 1..16),
    ) {
        let good = valid_file();
        let mut flipped = good.clone();
        flipped[position.index(good.len())] ^= 1 << bit;
        let mut longer = good.clone();
        longer.extend_from_slice(&extra);
        for bad in [flipped, good[..cut.index(good.len())].to_vec(), longer] {
            let error = load_bytes(&bad).err();
            prop_assert!(
                error.as_ref().is_some_and(is_typed_file_error),
                "{:?}",
                error.map(|error| error.to_string())
            );
        }
    }
}

/// A valid snapshot of one entry (node 7, property "p", Null -> Null, reason "", Explicit,
/// confidence 1.0) whose `created_at` is `nanos` since the epoch, written by hand so that any
/// i128 can be stored (postcard: zigzag LEB128 for the i128, little-endian f32).
fn snapshot_created_at(nanos: i128) -> Vec<u8> {
    let mut payload = vec![1, 7, 1, b'p', 5, 5, 0, 0];
    let mut zigzag = ((nanos << 1) ^ (nanos >> 127)) as u128;
    loop {
        let byte = (zigzag & 0x7f) as u8;
        zigzag >>= 7;
        if zigzag == 0 {
            payload.push(byte);
            break;
        }
        payload.push(byte | 0x80);
    }
    payload.extend_from_slice(&1.0f32.to_le_bytes());
    FileFormat::new("snapshot", b"LLMKGEXS", SNAPSHOT_VERSION).encode(&payload)
}

/// Review finding 2: a checksummed file with `created_at = i128::MIN` overflowed the
/// conversion back to an `Instant` (a panic in debug builds, a wrapped time in release).
#[test]
fn extreme_creation_times_load_without_overflow() {
    for nanos in [0, i128::MIN, i128::MAX, i128::MIN + 1, i128::MAX - 1] {
        let store = load_bytes(&snapshot_created_at(nanos)).unwrap();
        let exception = store.get_exception(NodeId(7), "p").expect("loaded");
        assert_eq!(exception.source, ExceptionSource::Explicit);
        if nanos < 0 {
            assert!(exception.created_at <= std::time::Instant::now());
        }
    }
}

/// One change to the decoded entries of a valid snapshot.
#[derive(Clone, Debug)]
enum EntryMutation {
    Confidence(prop::sample::Index, f32),
    EmptyName(prop::sample::Index),
    DuplicateOf(prop::sample::Index, prop::sample::Index),
    Node(prop::sample::Index, u64),
    Actual(prop::sample::Index, PropertyValue),
    LongReason(prop::sample::Index, usize),
    Drop(prop::sample::Index),
}

fn leaf_value() -> impl Strategy<Value = PropertyValue> {
    prop_oneof![
        Just(PropertyValue::Null),
        any::<bool>().prop_map(PropertyValue::Boolean),
        any::<i64>().prop_map(PropertyValue::Integer),
        any::<f64>().prop_map(PropertyValue::Number),
        ".{0,12}".prop_map(PropertyValue::String),
    ]
}

fn entry_mutation() -> impl Strategy<Value = EntryMutation> {
    let index = any::<prop::sample::Index>;
    let value = leaf_value().prop_recursive(4, 32, 6, |inner| {
        proptest::collection::vec(inner, 0..6).prop_map(PropertyValue::List)
    });
    prop_oneof![
        (index(), any::<f32>()).prop_map(|(i, c)| EntryMutation::Confidence(i, c)),
        index().prop_map(EntryMutation::EmptyName),
        (index(), index()).prop_map(|(a, b)| EntryMutation::DuplicateOf(a, b)),
        (index(), any::<u64>()).prop_map(|(i, n)| EntryMutation::Node(i, n)),
        (index(), value).prop_map(|(i, v)| EntryMutation::Actual(i, v)),
        (index(), 0_usize..5000).prop_map(|(i, n)| EntryMutation::LongReason(i, n)),
        index().prop_map(EntryMutation::Drop),
    ]
}

type Entries = Vec<(NodeId, String, Exception)>;

fn apply_entry_mutation(entries: &mut Entries, mutation: &EntryMutation) {
    if entries.is_empty() {
        return;
    }
    let at = |i: &prop::sample::Index| i.index(entries.len());
    match mutation {
        EntryMutation::Confidence(i, c) => {
            let i = at(i);
            entries[i].2.confidence = *c;
        }
        EntryMutation::EmptyName(i) => {
            let i = at(i);
            entries[i].1.clear();
        }
        EntryMutation::DuplicateOf(a, b) => {
            let (a, b) = (at(a), at(b));
            entries[a].0 = entries[b].0;
            entries[a].1 = entries[b].1.clone();
        }
        EntryMutation::Node(i, node) => {
            let i = at(i);
            entries[i].0 = NodeId(*node);
        }
        EntryMutation::Actual(i, value) => {
            let i = at(i);
            entries[i].2.actual_value = value.clone();
        }
        EntryMutation::LongReason(i, len) => {
            let i = at(i);
            entries[i].2.reason = "r".repeat(*len);
        }
        EntryMutation::Drop(i) => {
            let i = at(i);
            entries.remove(i);
        }
    }
}

const SNAPSHOT: FileFormat = FileFormat::new("snapshot", b"LLMKGEXS", SNAPSHOT_VERSION);

/// A load that succeeded must hold exactly the file's entries, and save to a file that loads
/// to the same entries.
fn check_loaded(bytes: &[u8], expected: Option<&Entries>) -> Result<(), TestCaseError> {
    match load_bytes(bytes) {
        Ok(store) => {
            let snapshot = store.snapshot();
            if let Some(expected) = expected {
                let mut expected = expected.clone();
                expected.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
                prop_assert_eq!(snapshot.len(), expected.len());
                for (got, want) in snapshot.iter().zip(&expected) {
                    prop_assert_eq!((got.0, &got.1), (want.0, &want.1));
                    prop_assert_eq!(&got.2.reason, &want.2.reason);
                    prop_assert_eq!(got.2.confidence.to_bits(), want.2.confidence.to_bits());
                }
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("again.snapshot");
            store.save(&path).unwrap();
            let again = ExceptionStore::load(&path).unwrap().snapshot();
            prop_assert_eq!(snapshot.len(), again.len());
            for (left, right) in snapshot.iter().zip(&again) {
                // Debug text, so that NaN payloads compare equal to themselves.
                prop_assert_eq!(
                    format!("{:?}", (left.0, &left.1, &left.2.actual_value)),
                    format!("{:?}", (right.0, &right.1, &right.2.actual_value))
                );
            }
        }
        Err(error) => prop_assert!(is_typed_file_error(&error), "{}", error),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(llmkg_filefmt::fuzz_cases(96)))]

    /// Structure-aware fuzzing: decode a valid snapshot, change its entries (confidences,
    /// names, duplicate keys, values, long reasons), re-encode and re-frame it with a valid
    /// header and checksum, so every case reaches the entry checks: it loads exactly what it
    /// holds or is a typed error.
    #[test]
    fn mutated_entries_behind_valid_checksums_load_or_are_typed_errors(
        mutations in proptest::collection::vec(entry_mutation(), 1..4),
    ) {
        let file = valid_file();
        let payload = SNAPSHOT.decode(&file).unwrap();
        let mut entries: Entries = llmkg_filefmt::from_postcard(payload).unwrap();
        for mutation in &mutations {
            apply_entry_mutation(&mut entries, mutation);
        }
        let bytes = SNAPSHOT.encode(&postcard::to_stdvec(&entries).unwrap());
        check_loaded(&bytes, Some(&entries))?;
    }

    /// Byte-level mutations of a valid payload re-framed with a valid checksum, so the
    /// postcard layer and the entry checks both see them.
    #[test]
    fn mutated_payload_bytes_behind_valid_checksums_load_or_are_typed_errors(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0_u8..3), 1..6),
    ) {
        let file = valid_file();
        let mut payload = SNAPSHOT.decode(&file).unwrap().to_vec();
        for (position, byte, kind) in &edits {
            if payload.is_empty() {
                break;
            }
            let at = position.index(payload.len());
            match kind {
                0 => payload[at] ^= byte | 1,
                1 => payload.truncate(at),
                _ => payload.insert(at, *byte),
            }
        }
        check_loaded(&SNAPSHOT.encode(&payload), None)?;
    }
}
