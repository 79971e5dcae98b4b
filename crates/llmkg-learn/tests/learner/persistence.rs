//! Saving and loading patterns: exact round trips, typed errors, no partial loads.

use std::path::Path;

use llmkg_core::{MAX_VALUE_DEPTH, PropertyValue};
use llmkg_filefmt::FileFormat;
use llmkg_learn::{ExceptionContext, LearnError, PatternLearner, UserFeedback};
use proptest::prelude::*;

use crate::{flightless, flying, penguin_learner};

fn trained_learner() -> PatternLearner {
    let mut learner = penguin_learner(|example| format!("reason {}", example % 3));
    let colourful = ExceptionContext::new(
        "color",
        PropertyValue::from("brown"),
        PropertyValue::from("black and white"),
        "Penguin",
        3,
    )
    .with_sibling("can_swim", PropertyValue::Boolean(true))
    .with_sibling("weight_kg", PropertyValue::Number(23.5));
    learner
        .add_user_feedback(
            colourful.clone(),
            UserFeedback::BetterReason("tuxedo".into()),
        )
        .unwrap();
    learner.process_feedback_batch();
    // Left queued on purpose: the file keeps pending feedback too.
    learner
        .add_user_feedback(flightless("Dodo"), UserFeedback::PartiallyCorrect(0.25))
        .unwrap();
    learner
}

fn probe_contexts() -> Vec<ExceptionContext> {
    let mut contexts = Vec::new();
    for node_type in [
        "Penguin",
        "Emperor_Penguin",
        "Sparrow",
        "KingPenguin",
        "",
        "Ω",
    ] {
        contexts.push(flightless(node_type));
        contexts.push(flying(node_type));
        contexts.push(
            ExceptionContext::new(
                "color",
                PropertyValue::from("brown"),
                PropertyValue::Integer(3),
                node_type,
                7,
            )
            .with_sibling("can_swim", PropertyValue::Boolean(false)),
        );
    }
    contexts
}

fn assert_same_predictions(first: &PatternLearner, second: &PatternLearner) {
    for context in probe_contexts() {
        assert_eq!(
            first.predict_exception_likelihood(&context).to_bits(),
            second.predict_exception_likelihood(&context).to_bits(),
            "{context:?}"
        );
        assert_eq!(
            first.suggest_exception_reason(&context),
            second.suggest_exception_reason(&context)
        );
        assert_eq!(
            first.best_matching_patterns(&context, 5),
            second.best_matching_patterns(&context, 5)
        );
    }
}

#[test]
fn save_then_load_reproduces_every_prediction_bit_for_bit() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("patterns.bin");
    let mut learner = trained_learner();
    learner.save_patterns(&path).unwrap();

    let mut loaded = PatternLearner::new();
    loaded.load_patterns(&path).unwrap();
    assert_eq!(loaded, learner);
    assert_same_predictions(&learner, &loaded);
    // Heap bytes are measured from capacities, which a load need not reproduce.
    let (mut loaded_statistics, saved_statistics) = (loaded.statistics(), learner.statistics());
    loaded_statistics.heap_bytes = saved_statistics.heap_bytes;
    assert_eq!(loaded_statistics, saved_statistics);

    // Both keep learning identically, queued feedback included.
    assert_eq!(learner.process_feedback_batch(), 1);
    assert_eq!(loaded.process_feedback_batch(), 1);
    assert_same_predictions(&learner, &loaded);

    let reopened = PatternLearner::from_patterns_file(&path).unwrap();
    assert_eq!(reopened.pending_feedback(), 1);
}

#[test]
fn saving_replaces_the_file_and_leaves_no_temporary_files() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("patterns.bin");
    PatternLearner::new().save_patterns(&path).unwrap();
    let learner = trained_learner();
    learner.save_patterns(&path).unwrap();
    assert_eq!(PatternLearner::from_patterns_file(&path).unwrap(), learner);
    let entries = std::fs::read_dir(directory.path()).unwrap().count();
    assert_eq!(entries, 1);
}

/// Loads `bytes` written to a file into a trained learner and checks that the load fails
/// and changes nothing; returns the error.
fn load_fails(directory: &Path, bytes: &[u8]) -> LearnError {
    let path = directory.join("broken.bin");
    std::fs::write(&path, bytes).unwrap();
    let mut learner = trained_learner();
    let before = learner.clone();
    let error = learner.load_patterns(&path).expect_err("a broken file");
    assert_eq!(learner, before);
    error
}

#[test]
fn truncated_files_are_typed_errors_at_every_length() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("patterns.bin");
    trained_learner().save_patterns(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut lengths: Vec<usize> = (0..64).collect();
    lengths.extend((64..bytes.len()).step_by(997));
    lengths.push(bytes.len() - 1);
    for length in lengths {
        let error = load_fails(directory.path(), &bytes[..length]);
        assert!(
            matches!(error, LearnError::CorruptPatterns { .. }),
            "length {length}: {error}"
        );
        let message = error.to_string();
        assert!(message.contains("broken.bin"), "{message}");
    }
}

#[test]
fn corrupted_files_are_typed_errors() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("patterns.bin");
    trained_learner().save_patterns(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    let mut flipped = bytes.clone();
    let middle = 24 + (bytes.len() - 24) / 2;
    flipped[middle] ^= 0x40;
    let error = load_fails(directory.path(), &flipped);
    assert!(
        error.to_string().contains("does not match the header"),
        "{error}"
    );

    let mut magic = bytes.clone();
    magic[0] = b'X';
    let error = load_fails(directory.path(), &magic);
    assert!(
        error
            .to_string()
            .contains("expected a patterns file, found magic"),
        "{error}"
    );

    let mut version = bytes.clone();
    version[8..12].copy_from_slice(&99_u32.to_le_bytes());
    let error = load_fails(directory.path(), &version);
    assert!(
        matches!(
            error,
            LearnError::UnsupportedVersion {
                found: 99,
                expected: 2,
                ..
            }
        ),
        "{error}"
    );

    let mut longer = bytes.clone();
    longer.push(0);
    let error = load_fails(directory.path(), &longer);
    assert!(error.to_string().contains("1 trailing bytes"), "{error}");
}

#[test]
fn a_well_checksummed_but_meaningless_payload_is_rejected() {
    let directory = tempfile::tempdir().unwrap();
    let payload = [0xff_u8; 40];
    let mut bytes = b"LLMKGPAT".to_vec();
    bytes.extend_from_slice(&2_u32.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    let error = load_fails(directory.path(), &bytes);
    assert!(
        matches!(error, LearnError::CorruptPatterns { .. }),
        "{error}"
    );
}

#[test]
fn a_missing_file_is_an_io_error() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("absent.bin");
    let mut learner = trained_learner();
    let before = learner.clone();
    let error = learner.load_patterns(&path).expect_err("no file");
    assert!(matches!(error, LearnError::Io { .. }), "{error}");
    assert!(error.to_string().contains("absent.bin"));
    assert_eq!(learner, before);
}

/// A saved learner whose queued feedback carries `marker` as a value, and the file's payload.
fn saved_with_marker(directory: &Path, marker: &str) -> Vec<u8> {
    let mut learner = trained_learner();
    let context = ExceptionContext::new(
        "marked",
        PropertyValue::from(marker),
        PropertyValue::Boolean(false),
        "Marker",
        1,
    );
    learner
        .add_user_feedback(context, UserFeedback::Correct)
        .unwrap();
    let path = directory.join("marked.bin");
    learner.save_patterns(&path).unwrap();
    std::fs::read(&path).unwrap()[llmkg_filefmt::HEADER_LEN..].to_vec()
}

const PATTERNS: FileFormat = FileFormat::new("patterns", b"LLMKGPAT", 2);

/// Issue 11: a patterns file holding a list nested 200,000 deep aborted the process with a
/// stack overflow while decoding; it is a typed error now, and the learner is untouched.
#[test]
fn a_200000_deep_value_is_a_typed_error() {
    let directory = tempfile::tempdir().unwrap();
    let marker = "MARKER-0123456789";
    let payload = saved_with_marker(directory.path(), marker);
    // Postcard: `String` is variant 2, then the length and the bytes; `List` is variant 4.
    let mut encoded_marker = vec![2, marker.len() as u8];
    encoded_marker.extend_from_slice(marker.as_bytes());
    let at = payload
        .windows(encoded_marker.len())
        .position(|window| window == encoded_marker)
        .expect("the marker is in the payload");
    let mut deep = payload[..at].to_vec();
    deep.extend_from_slice(&[4, 1].repeat(200_000));
    deep.push(5); // `Null` at the bottom
    deep.extend_from_slice(&payload[at + encoded_marker.len()..]);
    let error = load_fails(directory.path(), &PATTERNS.encode(&deep));
    assert!(
        matches!(error, LearnError::CorruptPatterns { ref reason, .. } if reason.contains("nested deeper")),
        "{error}"
    );
}

/// The same depth bound as the store and the optimizer: the learner refuses a context whose
/// value nests past it, and keeps one at the limit through a save and a load.
#[test]
fn contexts_deeper_than_the_shared_limit_are_refused() {
    let nested = |depth: usize| {
        let mut value = PropertyValue::Null;
        for _ in 0..depth {
            value = PropertyValue::List(vec![value]);
        }
        value
    };
    let mut learner = trained_learner();
    let before = learner.clone();
    let too_deep = ExceptionContext::new(
        "p",
        nested(MAX_VALUE_DEPTH + 1),
        PropertyValue::Null,
        "T",
        1,
    );
    let error = learner
        .add_user_feedback(too_deep, UserFeedback::Correct)
        .unwrap_err();
    assert!(matches!(error, LearnError::ValueTooDeep { .. }), "{error}");
    assert_eq!(learner, before);
    let deepest = ExceptionContext::new("p", PropertyValue::Null, PropertyValue::Null, "T", 1)
        .with_sibling("nested", nested(MAX_VALUE_DEPTH));
    learner
        .add_user_feedback(deepest, UserFeedback::Correct)
        .unwrap();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("deepest.bin");
    learner.save_patterns(&path).unwrap();
    let mut loaded = trained_learner();
    loaded.load_patterns(&path).unwrap();
    assert_eq!(loaded, learner);
}

#[test]
fn concurrent_saves_to_one_path_all_succeed() {
    let directory = tempfile::tempdir().unwrap();
    let path = std::sync::Arc::new(directory.path().join("shared.bin"));
    let learner = std::sync::Arc::new(trained_learner());
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (path, learner) = (path.clone(), learner.clone());
            std::thread::spawn(move || {
                for _ in 0..20 {
                    learner.save_patterns(&*path).unwrap();
                    let mut loaded = trained_learner();
                    loaded.load_patterns(&*path).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(std::fs::read_dir(directory.path()).unwrap().count(), 1);
}

fn is_typed_file_error(error: &LearnError) -> bool {
    match error {
        LearnError::CorruptPatterns { reason, .. } => !reason.is_empty(),
        LearnError::UnsupportedVersion { .. } => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bytes, bare or behind a valid header: a typed error, never a panic or abort.
    #[test]
    fn arbitrary_bytes_are_refused(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        with_header in any::<bool>(),
    ) {
        let directory = tempfile::tempdir().unwrap();
        let bytes = if with_header { PATTERNS.encode(&bytes) } else { bytes };
        let error = load_fails(directory.path(), &bytes);
        prop_assert!(is_typed_file_error(&error), "{}", error);
    }

    /// A bit flip, a cut or extra bytes anywhere in a valid file: a typed error.
    #[test]
    fn mutations_of_a_valid_file_are_refused(
        position in any::<prop::sample::Index>(),
        bit in 0_u8..8,
        cut in any::<prop::sample::Index>(),
        extra in proptest::collection::vec(any::<u8>(), 1..16),
    ) {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("valid.bin");
        trained_learner().save_patterns(&path).unwrap();
        let good = std::fs::read(&path).unwrap();
        let mut flipped = good.clone();
        flipped[position.index(good.len())] ^= 1 << bit;
        let mut longer = good.clone();
        longer.extend_from_slice(&extra);
        for bad in [flipped, good[..cut.index(good.len())].to_vec(), longer] {
            let error = load_fails(directory.path(), &bad);
            prop_assert!(is_typed_file_error(&error), "{}", error);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(llmkg_filefmt::fuzz_cases(64)))]

    /// Structure-aware fuzzing: byte-level changes to a valid payload (flips, overwrites, cuts,
    /// insertions), re-framed with a valid header and checksum so that every case reaches the
    /// payload decoder and `validate`: a typed error, or a learner that saves and loads again
    /// to the same predictions; never a panic.
    #[test]
    fn mutated_payloads_behind_valid_checksums_load_or_are_typed_errors(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0_u8..3), 1..6),
    ) {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("valid.bin");
        trained_learner().save_patterns(&path).unwrap();
        let good = std::fs::read(&path).unwrap();
        let mut payload = PATTERNS.decode(&good).unwrap().to_vec();
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
        let candidate = directory.path().join("candidate.bin");
        std::fs::write(&candidate, PATTERNS.encode(&payload)).unwrap();
        match PatternLearner::from_patterns_file(&candidate) {
            Ok(loaded) => {
                let again_path = directory.path().join("again.bin");
                loaded.save_patterns(&again_path).unwrap();
                let again = PatternLearner::from_patterns_file(&again_path).unwrap();
                for context in probe_contexts() {
                    prop_assert_eq!(
                        loaded.predict_exception_likelihood(&context).to_bits(),
                        again.predict_exception_likelihood(&context).to_bits()
                    );
                }
            }
            Err(error) => prop_assert!(is_typed_file_error(&error), "{}", error),
        }
    }
}
