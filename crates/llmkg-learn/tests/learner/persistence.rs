//! Saving and loading patterns: exact round trips, typed errors, no partial loads.

use std::path::Path;

use llmkg_core::PropertyValue;
use llmkg_learn::{ExceptionContext, LearnError, PatternLearner, UserFeedback};

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
    assert!(error.to_string().contains("checksum mismatch"), "{error}");

    let mut magic = bytes.clone();
    magic[0] = b'X';
    let error = load_fails(directory.path(), &magic);
    assert!(error.to_string().contains("bad magic"), "{error}");

    let mut version = bytes.clone();
    version[8..12].copy_from_slice(&99_u32.to_le_bytes());
    let error = load_fails(directory.path(), &version);
    assert!(
        matches!(
            error,
            LearnError::UnsupportedVersion {
                found: 99,
                expected: 1,
                ..
            }
        ),
        "{error}"
    );

    let mut longer = bytes.clone();
    longer.push(0);
    let error = load_fails(directory.path(), &longer);
    assert!(error.to_string().contains("header says"), "{error}");
}

#[test]
fn a_well_checksummed_but_meaningless_payload_is_rejected() {
    let directory = tempfile::tempdir().unwrap();
    let payload = [0xff_u8; 40];
    let mut bytes = b"LLMKGPAT".to_vec();
    bytes.extend_from_slice(&1_u32.to_le_bytes());
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
