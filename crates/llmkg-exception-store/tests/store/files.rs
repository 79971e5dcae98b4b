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
