//! The patterns file: a versioned, checksummed header and a postcard payload.
//!
//! Layout (integers little-endian):
//!
//! | bytes  | content                                   |
//! |--------|-------------------------------------------|
//! | 0..8   | magic `LLMKGPAT`                          |
//! | 8..12  | format version (`u32`)                    |
//! | 12..20 | payload length in bytes (`u64`)           |
//! | 20..24 | CRC-32 (IEEE) of the payload (`u32`)      |
//! | 24..   | payload: postcard of the learner's state  |

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Counters, PatternLearner};
use crate::model::LogisticModel;
use crate::patterns::{Pattern, PatternTable};
use crate::{ExceptionContext, LearnError, LearnerConfig, Result, UserFeedback};

const MAGIC: &[u8; 8] = b"LLMKGPAT";
/// Bump on any change to the payload or to feature hashing (weights are stored by slot).
pub(crate) const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: usize = 24;

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

pub(super) fn save(learner: &PatternLearner, path: &Path) -> Result<()> {
    let io_error = |source| LearnError::Io {
        path: path.to_owned(),
        source,
    };
    let payload = postcard::to_stdvec(&PayloadRef {
        config: &learner.config,
        model: &learner.model,
        patterns: learner.patterns.patterns(),
        patterns_dropped: learner.patterns.dropped,
        pending_feedback: &learner.pending_feedback,
        counters: &learner.counters,
    })
    .map_err(|error| io_error(std::io::Error::other(error)))?;
    let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);

    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::NamedTempFile::new_in(directory).map_err(io_error)?;
    temporary.write_all(&bytes).map_err(io_error)?;
    temporary.as_file().sync_all().map_err(io_error)?;
    temporary
        .persist(path)
        .map_err(|error| io_error(error.error))?;
    // Make the rename itself durable; not every platform can open a directory to sync it,
    // and the file is already complete either way, so a failure here is not an error.
    if let Ok(directory) = fs::File::open(directory) {
        let _ = directory.sync_all();
    }
    Ok(())
}

pub(super) fn load(path: &Path) -> Result<PatternLearner> {
    let corrupt = |reason: String| LearnError::CorruptPatterns {
        path: path.to_owned(),
        reason,
    };
    let bytes = fs::read(path).map_err(|source| LearnError::Io {
        path: path.to_owned(),
        source,
    })?;
    let Some((header, payload)) = bytes.split_first_chunk::<HEADER_LEN>() else {
        return Err(corrupt(format!(
            "truncated header: {} bytes, need {HEADER_LEN}",
            bytes.len()
        )));
    };
    let (magic, rest) = header.split_at(8);
    if magic != MAGIC {
        return Err(corrupt("not a patterns file (bad magic)".to_owned()));
    }
    let (version, rest) = rest.split_at(4);
    let (length, checksum) = rest.split_at(8);
    // The splits above have fixed sizes inside a 24-byte array, so these conversions hold.
    let version = u32::from_le_bytes(version.try_into().expect("4-byte slice"));
    let length = u64::from_le_bytes(length.try_into().expect("8-byte slice"));
    let checksum = u32::from_le_bytes(checksum.try_into().expect("4-byte slice"));
    if version != FORMAT_VERSION {
        return Err(LearnError::UnsupportedVersion {
            path: path.to_owned(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    if payload.len() as u64 != length {
        return Err(corrupt(format!(
            "payload is {} bytes, header says {length}",
            payload.len()
        )));
    }
    let actual_checksum = crc32fast::hash(payload);
    if actual_checksum != checksum {
        return Err(corrupt(format!(
            "checksum mismatch: header {checksum:#010x}, payload {actual_checksum:#010x}"
        )));
    }
    let (decoded, trailing): (Payload, _) = postcard::take_from_bytes(payload)
        .map_err(|error| corrupt(format!("undecodable payload: {error}")))?;
    if !trailing.is_empty() {
        return Err(corrupt(format!(
            "{} trailing payload bytes",
            trailing.len()
        )));
    }
    validate(decoded).map_err(corrupt)
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
