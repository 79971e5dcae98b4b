//! Snapshot round trips and every way a snapshot file can be bad.

use std::path::Path;
use std::time::Instant;

use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource, instant_serde};

use llmkg_filefmt::HEADER_LEN;

use super::{MAGIC, OPTIMIZER_SNAPSHOT_VERSION, SnapshotBody, SnapshotEntry};
use crate::test_support::same_exception;
use crate::{OptimizeError, StorageOptimizer};

mod structured;

fn sample_optimizer() -> StorageOptimizer {
    let mut optimizer = StorageOptimizer::new(0);
    for i in 0..500_u64 {
        let key = ExceptionKey {
            node_id: NodeId(i),
            property_hash: i % 7,
        };
        let actual_value = match i % 5 {
            0 => PropertyValue::Number(f64::from_bits(0x7ff8_0000_0000_00ff)),
            1 => PropertyValue::Number(-0.0),
            2 => PropertyValue::List(vec![PropertyValue::Integer(i as i64), PropertyValue::Null]),
            3 => PropertyValue::String(format!("value_{i}")),
            _ => PropertyValue::Integer(i64::MIN),
        };
        let exception = Exception {
            inherited_value: PropertyValue::Boolean(true),
            actual_value,
            reason: format!("reason {}", i % 3),
            source: ExceptionSource::ALL[(i % 4) as usize],
            created_at: Instant::now(),
            confidence: (i % 11) as f32 / 10.0,
        };
        optimizer.store_exception(key, exception).unwrap();
    }
    optimizer.optimize_storage();
    // Leave some state outside the columns: a tail entry and a removed row.
    optimizer
        .store_exception(
            ExceptionKey {
                node_id: NodeId(9999),
                property_hash: 1,
            },
            Exception::new(
                PropertyValue::Null,
                PropertyValue::Boolean(false),
                "late",
                ExceptionSource::Explicit,
                1.0,
            ),
        )
        .unwrap();
    optimizer
        .remove(&ExceptionKey {
            node_id: NodeId(3),
            property_hash: 3,
        })
        .unwrap();
    optimizer
}

fn assert_same_contents(left: &StorageOptimizer, right: &StorageOptimizer) {
    let (left, right) = (
        left.all_exceptions().unwrap(),
        right.all_exceptions().unwrap(),
    );
    assert_eq!(left.len(), right.len());
    for ((left_key, left), (right_key, right)) in left.iter().zip(&right) {
        assert_eq!(left_key, right_key);
        assert!(same_exception(left, right), "{left:?} != {right:?}");
    }
}

#[test]
fn save_then_load_is_lossless() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("optimizer.snapshot");
    let optimizer = sample_optimizer();
    optimizer.save(&path).unwrap();
    let loaded = StorageOptimizer::load(&path).unwrap();
    assert_eq!(loaded.len(), 500);
    assert_eq!(loaded.statistics().tail_entries, 0);
    assert_same_contents(&optimizer, &loaded);
    // Saving over an existing file replaces it and leaves no temporary file behind.
    loaded.save(&path).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn write_raw(path: &Path, version: u32, body: &[u8]) {
    let mut file = Vec::new();
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&version.to_le_bytes());
    file.extend_from_slice(&(body.len() as u64).to_le_bytes());
    file.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    file.extend_from_slice(body);
    std::fs::write(path, file).unwrap();
}

fn body_with(entry: SnapshotEntry) -> Vec<u8> {
    let mut values = Vec::new();
    crate::codec::encode_value(&PropertyValue::Boolean(true), &mut values);
    let body = SnapshotBody {
        value_ends: vec![values.len() as u64],
        values,
        reasons: vec!["why".to_owned()],
        entries: vec![entry],
    };
    postcard::to_stdvec(&body).unwrap()
}

fn good_entry() -> SnapshotEntry {
    SnapshotEntry {
        node_id: 1,
        property_hash: 2,
        inherited_value: 0,
        actual_value: 0,
        reason: 0,
        source: 0,
        created_unix_nanos: instant_serde::to_unix_nanos(Instant::now()),
        confidence: 0.5,
    }
}

#[test]
fn every_kind_of_bad_file_is_a_typed_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good_path = dir.path().join("good.snapshot");
    let mut optimizer = sample_optimizer();
    optimizer.save(&good_path).unwrap();
    let good = std::fs::read(&good_path).unwrap();
    let before = optimizer.all_exceptions().unwrap();

    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("truncated header", good[..HEADER_LEN - 1].to_vec()),
        ("truncated body", good[..good.len() - 10].to_vec()),
        ("wrong magic", [b"NOTASNAP", &good[8..]].concat()),
        ("extra byte", [&good[..], &[0]].concat()),
    ];
    for position in [HEADER_LEN, HEADER_LEN + 40, good.len() - 1] {
        let mut flipped = good.clone();
        flipped[position] ^= 0x10;
        cases.push(("flipped body byte", flipped));
    }
    let bad_entries: Vec<(&str, SnapshotEntry)> = vec![
        (
            "nan confidence",
            SnapshotEntry {
                confidence: f32::NAN,
                ..good_entry()
            },
        ),
        (
            "confidence above one",
            SnapshotEntry {
                confidence: 1.5,
                ..good_entry()
            },
        ),
        (
            "unknown value",
            SnapshotEntry {
                actual_value: 7,
                ..good_entry()
            },
        ),
        (
            "unknown reason",
            SnapshotEntry {
                reason: 3,
                ..good_entry()
            },
        ),
        (
            "unknown source",
            SnapshotEntry {
                source: 4,
                ..good_entry()
            },
        ),
    ];
    let path = dir.path().join("bad.snapshot");
    for (label, bytes) in cases {
        std::fs::write(&path, bytes).unwrap();
        let error = optimizer.restore(&path).unwrap_err();
        assert!(
            matches!(error, OptimizeError::CorruptSnapshot { .. }),
            "{label}: {error}"
        );
        assert!(
            error.to_string().contains("bad.snapshot"),
            "{label}: {error}"
        );
    }
    for (label, entry) in bad_entries {
        write_raw(&path, OPTIMIZER_SNAPSHOT_VERSION, &body_with(entry));
        let error = optimizer.restore(&path).unwrap_err();
        assert!(
            matches!(error, OptimizeError::CorruptSnapshot { .. }),
            "{label}: {error}"
        );
    }
    // A checksummed body whose one value is garbage.
    let garbage = SnapshotBody {
        values: vec![9],
        value_ends: vec![1],
        reasons: vec![],
        entries: vec![],
    };
    write_raw(
        &path,
        OPTIMIZER_SNAPSHOT_VERSION,
        &postcard::to_stdvec(&garbage).unwrap(),
    );
    assert!(matches!(
        optimizer.restore(&path),
        Err(OptimizeError::CorruptSnapshot { .. })
    ));
    // Duplicate keys.
    let mut values = Vec::new();
    crate::codec::encode_value(&PropertyValue::Null, &mut values);
    let duplicate = SnapshotBody {
        value_ends: vec![values.len() as u64],
        values,
        reasons: vec![String::new()],
        entries: vec![good_entry(), good_entry()],
    };
    write_raw(
        &path,
        OPTIMIZER_SNAPSHOT_VERSION,
        &postcard::to_stdvec(&duplicate).unwrap(),
    );
    let error = optimizer.restore(&path).unwrap_err();
    assert!(error.to_string().contains("repeats key"), "{error}");
    // Another version.
    write_raw(
        &path,
        OPTIMIZER_SNAPSHOT_VERSION + 1,
        &body_with(good_entry()),
    );
    assert!(matches!(
        optimizer.restore(&path),
        Err(OptimizeError::UnsupportedVersion { found, .. }) if found == OPTIMIZER_SNAPSHOT_VERSION + 1
    ));
    // A missing file.
    assert!(matches!(
        optimizer.restore(dir.path().join("missing")),
        Err(OptimizeError::Io { .. })
    ));

    let after = optimizer.all_exceptions().unwrap();
    assert_eq!(before.len(), after.len());
    for ((_, left), (_, right)) in before.iter().zip(&after) {
        assert!(same_exception(left, right));
    }
    // And a good file still restores.
    write_raw(&path, OPTIMIZER_SNAPSHOT_VERSION, &body_with(good_entry()));
    optimizer.restore(&path).unwrap();
    assert_eq!(optimizer.len(), 1);
}

#[test]
fn saving_into_a_missing_directory_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = sample_optimizer()
        .save(dir.path().join("no/such/dir/file"))
        .unwrap_err();
    assert!(matches!(error, OptimizeError::Io { .. }), "{error}");
}

/// Issue 11: four threads saving to one path used to fail with ENOENT (the temporary file
/// was named by process id only).
#[test]
fn concurrent_saves_to_one_path_all_succeed_and_the_file_always_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = std::sync::Arc::new(dir.path().join("shared.snapshot"));
    let optimizer = std::sync::Arc::new(sample_optimizer());
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let (path, optimizer) = (path.clone(), optimizer.clone());
            std::thread::spawn(move || {
                for round in 0..20 {
                    optimizer
                        .save(&*path)
                        .unwrap_or_else(|error| panic!("thread {thread} round {round}: {error}"));
                    let loaded = StorageOptimizer::load(&*path)
                        .unwrap_or_else(|error| panic!("thread {thread} round {round}: {error}"));
                    assert_eq!(loaded.len(), optimizer.len());
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn load_bytes(bytes: &[u8]) -> Result<StorageOptimizer, OptimizeError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("candidate.snapshot");
    std::fs::write(&path, bytes).unwrap();
    StorageOptimizer::load(&path)
}

fn is_typed_file_error(error: &OptimizeError) -> bool {
    match error {
        OptimizeError::CorruptSnapshot { reason, .. } => !reason.is_empty(),
        OptimizeError::UnsupportedVersion { .. } => true,
        _ => false,
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Arbitrary bytes, bare or behind a valid header: a typed error, never a panic or abort.
    #[test]
    fn arbitrary_bytes_are_refused(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        with_header in proptest::prelude::any::<bool>(),
    ) {
        let bytes = if with_header { super::FORMAT.encode(&bytes) } else { bytes };
        match load_bytes(&bytes) {
            Ok(loaded) => proptest::prop_assert!(with_header && loaded.len() <= bytes.len()),
            Err(error) => proptest::prop_assert!(is_typed_file_error(&error), "{}", error),
        }
    }

    /// A bit flip, a cut or extra bytes anywhere in a valid file: a typed error.
    #[test]
    fn mutations_of_a_valid_file_are_refused(
        position in proptest::prelude::any::<proptest::sample::Index>(),
        bit in 0_u8..8,
        cut in proptest::prelude::any::<proptest::sample::Index>(),
        extra in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..16),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("valid.snapshot");
        sample_optimizer().save(&path).unwrap();
        let good = std::fs::read(&path).unwrap();
        let mut flipped = good.clone();
        flipped[position.index(good.len())] ^= 1 << bit;
        let mut longer = good.clone();
        longer.extend_from_slice(&extra);
        for bad in [flipped, good[..cut.index(good.len())].to_vec(), longer] {
            let error = load_bytes(&bad).err();
            proptest::prop_assert!(
                error.as_ref().is_some_and(is_typed_file_error),
                "{:?}",
                error.map(|error| error.to_string())
            );
        }
    }
}
