//! The patterns file: an `llmkg-filefmt` file (magic `LLMKGPAT`, format version, payload
//! length, CRC-32; nothing after the payload) whose payload is the postcard encoding of the
//! learner's state, written atomically through a unique temporary file.

use std::path::Path;

use llmkg_filefmt::{FileError, FileFormat};
use serde::{Deserialize, Serialize};

use super::{Counters, PatternLearner};
use crate::model::LogisticModel;
use crate::patterns::{Pattern, PatternTable};
use crate::{ExceptionContext, LearnError, LearnerConfig, Result, UserFeedback};

const MAGIC: &[u8; 8] = b"LLMKGPAT";
/// Bump on any change to the payload or to feature hashing (weights are stored by slot).
pub(crate) const FORMAT_VERSION: u32 = 2;
const FORMAT: FileFormat = FileFormat::new("patterns", MAGIC, FORMAT_VERSION);

/// The payload as written: borrowed, so saving copies nothing.
#[derive(Serialize)]
struct PayloadRef<'a> {
    config: &'a LearnerConfig,
    model: &'a LogisticModel,
    patterns: &'a [Pattern],
    patterns_dropped: u64,
    pending_feedback: &'a [(ExceptionContext, UserFeedback)],
    counters: &'a Counters,
}

/// The payload as read; same fields in the same order as [`PayloadRef`].
#[derive(Deserialize)]
struct Payload {
    config: LearnerConfig,
    model: LogisticModel,
    patterns: Vec<Pattern>,
    patterns_dropped: u64,
    pending_feedback: Vec<(ExceptionContext, UserFeedback)>,
    counters: Counters,
}

/// The learner's error for a file-layer error.
fn from_file_error(error: FileError) -> LearnError {
    error.convert(
        |path, source| LearnError::Io { path, source },
        |path, found, expected| LearnError::UnsupportedVersion {
            path,
            found,
            expected,
        },
        |path, reason| LearnError::CorruptPatterns { path, reason },
    )
}

pub(super) fn save(learner: &PatternLearner, path: &Path) -> Result<()> {
    let payload = PayloadRef {
        config: &learner.config,
        model: &learner.model,
        patterns: learner.patterns.patterns(),
        patterns_dropped: learner.patterns.dropped,
        pending_feedback: &learner.pending_feedback,
        counters: &learner.counters,
    };
    FORMAT.save(path, &payload).map_err(from_file_error)
}

pub(super) fn load(path: &Path) -> Result<PatternLearner> {
    let payload: Payload = FORMAT.load(path).map_err(from_file_error)?;
    validate(payload).map_err(|reason| LearnError::CorruptPatterns {
        path: path.to_owned(),
        reason,
    })
}

/// Checks what the checksum cannot: that a well-formed payload describes a usable learner.
fn validate(payload: Payload) -> std::result::Result<PatternLearner, String> {
    payload
        .config
        .validate()
        .map_err(|error| error.to_string())?;
    let model = payload
        .model
        .restore(payload.config.dimension(), payload.config.hyperparameters())
        .ok_or_else(|| {
            format!(
                "model state does not fit {} finite slots",
                payload.config.dimension()
            )
        })?;
    for (context, feedback) in &payload.pending_feedback {
        context
            .validate()
            .and_then(|()| feedback.validate())
            .map_err(|error| format!("queued feedback: {error}"))?;
    }
    let patterns = PatternTable::from_patterns(payload.patterns, payload.patterns_dropped)
        .ok_or("duplicate or inconsistent pattern")?;
    Ok(PatternLearner {
        config: payload.config,
        model,
        patterns,
        pending_feedback: payload.pending_feedback,
        counters: payload.counters,
    })
}
