//! Structure-aware fuzzing of the system's exceptions file: a valid file (hot and cold
//! exceptions) is decoded, its records changed field by field or its payload byte by byte,
//! and re-framed with a valid header and checksum, so every case reaches the record checks.
//! A case loads exactly its records (and saves and loads again to the same ones) or is a
//! typed error that changes nothing; it never panics.

use std::time::Duration;

use llmkg::core::{NodeId, PropertyValue};
use llmkg::exceptions::Exception;
use llmkg::{ExceptionSystem, SystemError};
use llmkg_filefmt::FileFormat;
use proptest::prelude::*;

use super::{PENGUIN, birds};

const FORMAT: FileFormat = FileFormat::new("exception-system snapshot", b"LLMKGSYS", 1);

type Saved = Vec<(NodeId, String, Exception, bool)>;

#[derive(Clone, Debug)]
enum RecordMutation {
    Confidence(prop::sample::Index, f32),
    EmptyName(prop::sample::Index),
    DuplicateOf(prop::sample::Index, prop::sample::Index),
    Node(prop::sample::Index, u64),
    Name(prop::sample::Index, String),
    Cold(prop::sample::Index, bool),
    LongText(prop::sample::Index, usize),
    Drop(prop::sample::Index),
}

fn record_mutation() -> impl Strategy<Value = RecordMutation> {
    let index = any::<prop::sample::Index>;
    prop_oneof![
        (index(), any::<f32>()).prop_map(|(i, c)| RecordMutation::Confidence(i, c)),
        index().prop_map(RecordMutation::EmptyName),
        (index(), index()).prop_map(|(a, b)| RecordMutation::DuplicateOf(a, b)),
        (index(), any::<u64>()).prop_map(|(i, n)| RecordMutation::Node(i, n)),
        (index(), "[a-z_]{1,12}").prop_map(|(i, name)| RecordMutation::Name(i, name)),
        (index(), any::<bool>()).prop_map(|(i, cold)| RecordMutation::Cold(i, cold)),
        (index(), 0_usize..20_000).prop_map(|(i, n)| RecordMutation::LongText(i, n)),
        index().prop_map(RecordMutation::Drop),
    ]
}

fn apply(saved: &mut Saved, mutation: &RecordMutation) {
    if saved.is_empty() {
        return;
    }
    let len = saved.len();
    let at = |i: &prop::sample::Index| i.index(len);
    match mutation {
        RecordMutation::Confidence(i, c) => saved[at(i)].2.confidence = *c,
        RecordMutation::EmptyName(i) => saved[at(i)].1.clear(),
        RecordMutation::DuplicateOf(a, b) => {
            let (a, b) = (at(a), at(b));
            saved[a].0 = saved[b].0;
            saved[a].1 = saved[b].1.clone();
        }
        RecordMutation::Node(i, node) => saved[at(i)].0 = NodeId(*node),
        RecordMutation::Name(i, name) => saved[at(i)].1 = name.clone(),
        RecordMutation::Cold(i, cold) => saved[at(i)].3 = *cold,
        RecordMutation::LongText(i, n) => {
            let record = &mut saved[at(i)];
            record.2.actual_value = PropertyValue::String("x".repeat(*n));
            record.2.reason = "r".repeat(*n);
        }
        RecordMutation::Drop(i) => {
            saved.remove(at(i));
        }
    }
}

fn valid_file(directory: &std::path::Path) -> std::path::PathBuf {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    system.optimize(Duration::ZERO).unwrap();
    system
        .add_exception(
            PENGUIN,
            "diet",
            Exception::new(
                true.into(),
                "fish".into(),
                "by hand",
                llmkg::exceptions::ExceptionSource::Explicit,
                0.9,
            ),
        )
        .unwrap();
    let path = directory.join("valid.bin");
    system.save_exceptions(&path).unwrap();
    path
}

fn is_typed_file_error(error: &SystemError) -> bool {
    matches!(
        error,
        SystemError::File(_) | SystemError::CorruptSnapshot { .. }
    )
}

/// Loads `path` into a fresh system: a typed error that leaves it empty, or exactly
/// `expected` records (when known) that survive a save and a load.
fn check(
    directory: &std::path::Path,
    path: &std::path::Path,
    expected: Option<usize>,
) -> Result<(), TestCaseError> {
    let mut system = ExceptionSystem::new();
    match system.load_exceptions(path) {
        Ok(()) => {
            if let Some(expected) = expected {
                prop_assert_eq!(system.exception_count(), expected);
            }
            let again_path = directory.join("again.bin");
            system.save_exceptions(&again_path).unwrap();
            let mut again = ExceptionSystem::new();
            again.load_exceptions(&again_path).unwrap();
            prop_assert_eq!(again.exception_count(), system.exception_count());
        }
        Err(error) => {
            prop_assert!(is_typed_file_error(&error), "{}", error);
            prop_assert_eq!(system.exception_count(), 0);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(llmkg_filefmt::fuzz_cases(64)))]

    #[test]
    fn mutated_records_behind_valid_checksums_load_or_are_typed_errors(
        mutations in proptest::collection::vec(record_mutation(), 1..4),
    ) {
        let directory = tempfile::tempdir().unwrap();
        let valid = valid_file(directory.path());
        let mut saved: Saved = FORMAT.load(&valid).unwrap();
        for mutation in &mutations {
            apply(&mut saved, mutation);
        }
        let path = directory.path().join("candidate.bin");
        FORMAT.save(&path, &saved).unwrap();
        check(directory.path(), &path, Some(saved.len()))?;
    }

    #[test]
    fn mutated_payload_bytes_behind_valid_checksums_load_or_are_typed_errors(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0_u8..3), 1..6),
    ) {
        let directory = tempfile::tempdir().unwrap();
        let valid = valid_file(directory.path());
        let mut payload = FORMAT.read(&valid).unwrap();
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
        let path = directory.path().join("candidate.bin");
        FORMAT.write(&path, &payload).unwrap();
        check(directory.path(), &path, None)?;
    }
}
