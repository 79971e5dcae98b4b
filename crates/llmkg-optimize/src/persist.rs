//! Snapshot files of an optimizer: save and load, atomically and verifiably.
//!
//! The file is an `llmkg-filefmt` file with magic `LLMKGOPT` and version
//! [`OPTIMIZER_SNAPSHOT_VERSION`] (header: magic, version, body length, CRC-32 of the body;
//! nothing may follow the body), written atomically through a unique temporary file, so
//! concurrent saves to one path all succeed. The body is the postcard encoding of the
//! dictionaries and one small record per exception.
//!
//! The body is dictionary-encoded like the columns: each distinct value (in the canonical
//! encoding of the `codec` module) and each distinct reason is written once, and every
//! exception refers to them by index; `created_at` is written as nanoseconds since the Unix
//! epoch (exact within one process, see `llmkg_exception::instant_serde`).
//! Loading checks every byte before it builds anything, so a bad file is a typed error.

use std::path::Path;

use hashbrown::HashSet;
use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource, instant_serde};
use llmkg_filefmt::{FileError, FileFormat};
use serde::{Deserialize, Serialize};

use crate::codec::{decode_value, encode_value};
use crate::dictionary::DictionaryBuilder;
use crate::{MAX_EXCEPTIONS, OptimizeError, Result, StorageOptimizer};

/// The snapshot format version this build writes and reads.
pub const OPTIMIZER_SNAPSHOT_VERSION: u32 = 1;

const MAGIC: &[u8; 8] = b"LLMKGOPT";
const FORMAT: FileFormat = FileFormat::new("optimizer snapshot", MAGIC, OPTIMIZER_SNAPSHOT_VERSION);

#[derive(Serialize, Deserialize)]
struct SnapshotBody {
    /// Canonical value encodings, concatenated.
    values: Vec<u8>,
    /// End offset of each value in `values`.
    value_ends: Vec<u64>,
    reasons: Vec<String>,
    entries: Vec<SnapshotEntry>,
}

#[derive(Serialize, Deserialize)]
struct SnapshotEntry {
    node_id: u64,
    property_hash: u64,
    inherited_value: u32,
    actual_value: u32,
    reason: u32,
    source: u8,
    created_unix_nanos: i128,
    confidence: f32,
}

fn corrupt(path: &Path, reason: impl Into<String>) -> OptimizeError {
    OptimizeError::CorruptSnapshot {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// The optimizer's error for a file-layer error.
fn from_file_error(error: FileError) -> OptimizeError {
    error.convert(
        |path, source| OptimizeError::Io { path, source },
        |path, found, expected| OptimizeError::UnsupportedVersion {
            path,
            found,
            expected,
        },
        |path, reason| corrupt(&path, reason),
    )
}

impl StorageOptimizer {
    /// Writes everything the optimizer holds to `path`, atomically.
    ///
    /// # Errors
    ///
    /// [`OptimizeError::Io`] if the file cannot be written; an existing file is then kept.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut values = DictionaryBuilder::default();
        let mut value_bytes = Vec::new();
        let mut value_ends = Vec::new();
        let mut reasons = DictionaryBuilder::default();
        let mut reason_texts = Vec::new();
        let mut scratch = Vec::new();
        let mut intern_value = |value: &PropertyValue| {
            scratch.clear();
            encode_value(value, &mut scratch);
            let before = values.len();
            let id = values.intern(&scratch);
            if values.len() > before {
                value_bytes.extend_from_slice(&scratch);
                value_ends.push(value_bytes.len() as u64);
            }
            id
        };
        let mut entries = Vec::with_capacity(self.len());
        for (key, exception) in self.all_exceptions()? {
            let before = reasons.len();
            let reason = reasons.intern(exception.reason.as_bytes());
            if reasons.len() > before {
                reason_texts.push(exception.reason);
            }
            entries.push(SnapshotEntry {
                node_id: key.node_id.0,
                property_hash: key.property_hash,
                inherited_value: intern_value(&exception.inherited_value),
                actual_value: intern_value(&exception.actual_value),
                reason,
                source: exception.source.index() as u8,
                created_unix_nanos: instant_serde::to_unix_nanos(exception.created_at),
                confidence: exception.confidence,
            });
        }
        let body = SnapshotBody {
            values: value_bytes,
            value_ends,
            reasons: reason_texts,
            entries,
        };
        FORMAT.save(path, &body).map_err(from_file_error)
    }

    /// Reads an optimizer back from a file written by [`save`](StorageOptimizer::save); the
    /// result is already optimized.
    ///
    /// # Errors
    ///
    /// [`OptimizeError::Io`] if the file cannot be read, [`OptimizeError::UnsupportedVersion`]
    /// for another format version, [`OptimizeError::CorruptSnapshot`] for anything truncated,
    /// corrupted or inconsistent (including invalid confidences and duplicate keys).
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let body: SnapshotBody = FORMAT.load(path).map_err(from_file_error)?;
        let exceptions = decode_body(path, body)?;
        let mut optimizer = StorageOptimizer::new(exceptions.len());
        for (key, exception) in exceptions {
            optimizer.insert_validated(key, exception);
        }
        optimizer.optimize_storage();
        Ok(optimizer)
    }

    /// Replaces what the optimizer holds with the contents of a snapshot file.
    ///
    /// # Errors
    ///
    /// As [`load`](StorageOptimizer::load); on error the optimizer is left unchanged.
    pub fn restore(&mut self, path: impl AsRef<Path>) -> Result<()> {
        *self = StorageOptimizer::load(path)?;
        Ok(())
    }
}

fn decode_body(path: &Path, body: SnapshotBody) -> Result<Vec<(ExceptionKey, Exception)>> {
    let mut values = Vec::with_capacity(body.value_ends.len());
    let mut start = 0_usize;
    for (index, &end) in body.value_ends.iter().enumerate() {
        let end = usize::try_from(end)
            .ok()
            .filter(|&end| start <= end && end <= body.values.len())
            .ok_or_else(|| {
                corrupt(
                    path,
                    format!("value {index} ends at {end}, out of order or past the data"),
                )
            })?;
        let value = decode_value(&body.values[start..end])
            .map_err(|reason| corrupt(path, format!("value {index}: {reason}")))?;
        values.push(value);
        start = end;
    }
    if start != body.values.len() {
        return Err(corrupt(path, "value data continues past the last value"));
    }
    if body.entries.len() > MAX_EXCEPTIONS {
        return Err(corrupt(
            path,
            format!("{} entries exceed the limit", body.entries.len()),
        ));
    }
    let mut seen = HashSet::with_capacity(body.entries.len());
    let mut exceptions = Vec::with_capacity(body.entries.len());
    for (index, entry) in body.entries.into_iter().enumerate() {
        let value = |id: u32| {
            values.get(id as usize).cloned().ok_or_else(|| {
                corrupt(
                    path,
                    format!("entry {index} names value {id}, which does not exist"),
                )
            })
        };
        let key = ExceptionKey {
            node_id: NodeId(entry.node_id),
            property_hash: entry.property_hash,
        };
        if !seen.insert(key) {
            return Err(corrupt(path, format!("entry {index} repeats key {key:?}")));
        }
        let source = *ExceptionSource::ALL
            .get(usize::from(entry.source))
            .ok_or_else(|| {
                corrupt(
                    path,
                    format!("entry {index} has unknown source {}", entry.source),
                )
            })?;
        let reason = body
            .reasons
            .get(entry.reason as usize)
            .cloned()
            .ok_or_else(|| {
                corrupt(
                    path,
                    format!(
                        "entry {index} names reason {}, which does not exist",
                        entry.reason
                    ),
                )
            })?;
        let exception = Exception {
            inherited_value: value(entry.inherited_value)?,
            actual_value: value(entry.actual_value)?,
            reason,
            source,
            created_at: instant_serde::from_unix_nanos(entry.created_unix_nanos),
            confidence: entry.confidence,
        };
        crate::optimizer::validate(&exception)
            .map_err(|error| corrupt(path, format!("entry {index}: {error}")))?;
        exceptions.push((key, exception));
    }
    Ok(exceptions)
}

#[cfg(test)]
mod tests;
