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
//! Loading checks every byte before it builds anything, so a bad file is a typed error, and
//! builds the compact columns straight from the file's dictionaries: a value that many
//! entries share is decoded once and shared, so memory stays a small constant times the
//! file's size however the file is crafted.

use std::path::Path;

use llmkg_core::{NodeId, PropertyValue};
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource, instant_serde};
use llmkg_filefmt::{FileError, FileFormat};
use serde::{Deserialize, Serialize};

use crate::codec::{check_depth, decode_value, encode_text, encode_value};
use crate::compact::{CompactColumns, RowInput, SharedDictionaries, SharedRow};
use crate::dictionary::{
    DictionaryBuilder, TextDictionaryBuilder, ValueDictionaryBuilder, ValueEntry,
};
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
    /// Cost: O(n log n) for n exceptions, memory about the file's size: each distinct value
    /// and reason is encoded once, however many exceptions share it (the compact columns are
    /// read by dictionary id, not decoded per row).
    ///
    /// # Errors
    ///
    /// [`OptimizeError::Io`] if the file cannot be written (including a body over the format's
    /// 1 GiB limit, refused before anything is written, and a symbolic link or other
    /// non-regular file at `path`); an existing file is then kept, unless only the final sync
    /// of the directory failed: the new file is then in place, its durability unconfirmed.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let (compact, live_rows, tail) = self.parts();
        let mut body = BodyWriter::default();
        let mut value_ids = vec![UNMAPPED; compact.value_id_bound()];
        let mut reason_ids = vec![UNMAPPED; compact.reason_count()];
        let mut entries = Vec::with_capacity(self.len());
        for row in live_rows {
            let key = compact.key(row);
            let mut value = |id: u32| -> Result<u32> {
                let slot = id as usize;
                if value_ids[slot] == UNMAPPED {
                    value_ids[slot] = body.intern_entry(compact.value_entry(id)?);
                }
                Ok(value_ids[slot])
            };
            let inherited_value = value(compact.inherited_id(row))?;
            let actual_value = value(compact.actual_id(row))?;
            let reason_id = compact.reason_id(row);
            let slot = reason_id as usize;
            if reason_ids[slot] == UNMAPPED {
                reason_ids[slot] = body.intern_reason(compact.reason_text(reason_id)?);
            }
            entries.push(SnapshotEntry {
                node_id: key.node_id.0,
                property_hash: key.property_hash,
                inherited_value,
                actual_value,
                reason: reason_ids[slot],
                source: compact.source(row).index() as u8,
                created_unix_nanos: instant_serde::to_unix_nanos(compact.created_at(row)),
                confidence: compact.confidence(row),
            });
        }
        let mut tail_rows: Vec<_> = tail.iter().collect();
        tail_rows.sort_unstable_by_key(|(key, _)| (key.property_hash, key.node_id));
        for (key, exception) in tail_rows {
            entries.push(SnapshotEntry {
                node_id: key.node_id.0,
                property_hash: key.property_hash,
                inherited_value: body.intern_value(&exception.inherited_value),
                actual_value: body.intern_value(&exception.actual_value),
                reason: body.intern_reason(&exception.reason),
                source: exception.source.index() as u8,
                created_unix_nanos: instant_serde::to_unix_nanos(exception.created_at),
                confidence: exception.confidence,
            });
        }
        let body = SnapshotBody {
            values: body.value_bytes,
            value_ends: body.value_ends,
            reasons: body.reason_texts,
            entries,
        };
        FORMAT.save(path, &body).map_err(from_file_error)
    }

    /// Reads an optimizer back from a file written by [`save`](StorageOptimizer::save); the
    /// result is already optimized.
    ///
    /// Cost: O(n log n) time for n entries and memory a small constant times the file's size:
    /// each distinct value and reason in the file is decoded and checked once and then shared
    /// by every entry that names it, so a value referenced by many entries is never copied
    /// per entry (the columns are built straight from the file's dictionaries).
    ///
    /// # Errors
    ///
    /// [`OptimizeError::Io`] if the file cannot be read, [`OptimizeError::UnsupportedVersion`]
    /// for another format version, [`OptimizeError::CorruptSnapshot`] for anything truncated,
    /// corrupted or inconsistent (including invalid confidences and duplicate keys).
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let body: SnapshotBody = FORMAT.load(path).map_err(from_file_error)?;
        decode_body(path, body)
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

const UNMAPPED: u32 = u32::MAX;

/// The dictionaries of a body being written: each distinct value and reason once.
#[derive(Default)]
struct BodyWriter {
    values: DictionaryBuilder,
    value_bytes: Vec<u8>,
    value_ends: Vec<u64>,
    reasons: DictionaryBuilder,
    reason_texts: Vec<String>,
    scratch: Vec<u8>,
}

impl BodyWriter {
    fn intern_encoded(&mut self, encoded: &[u8]) -> u32 {
        let before = self.values.len();
        let id = self.values.intern(encoded);
        if self.values.len() > before {
            self.value_bytes.extend_from_slice(encoded);
            self.value_ends.push(self.value_bytes.len() as u64);
        }
        id
    }

    fn intern_value(&mut self, value: &PropertyValue) -> u32 {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        encode_value(value, &mut scratch);
        let id = self.intern_encoded(&scratch);
        self.scratch = scratch;
        id
    }

    fn intern_entry(&mut self, entry: ValueEntry<'_>) -> u32 {
        match entry {
            ValueEntry::Encoded(bytes) => self.intern_encoded(bytes),
            ValueEntry::Text(text) => {
                let mut scratch = std::mem::take(&mut self.scratch);
                scratch.clear();
                encode_text(text, &mut scratch);
                let id = self.intern_encoded(&scratch);
                self.scratch = scratch;
                id
            }
        }
    }

    fn intern_reason(&mut self, reason: &str) -> u32 {
        let before = self.reasons.len();
        let id = self.reasons.intern(reason.as_bytes());
        if self.reasons.len() > before {
            self.reason_texts.push(reason.to_owned());
        }
        id
    }
}

/// Checks a body completely and builds the optimizer from it, sharing every value and reason.
fn decode_body(path: &Path, body: SnapshotBody) -> Result<StorageOptimizer> {
    let SnapshotBody {
        values: value_bytes,
        value_ends,
        reasons,
        entries,
    } = body;
    if entries.len() > MAX_EXCEPTIONS {
        return Err(corrupt(
            path,
            format!("{} entries exceed the limit", entries.len()),
        ));
    }
    // Each value is decoded and checked on its own (one at a time, so a decoded value's
    // memory is never held for all of them) and interned in its canonical form.
    let mut values = ValueDictionaryBuilder::default();
    let mut value_ids = Vec::with_capacity(value_ends.len());
    let mut start = 0_usize;
    for (index, &end) in value_ends.iter().enumerate() {
        let end = usize::try_from(end)
            .ok()
            .filter(|&end| start <= end && end <= value_bytes.len())
            .ok_or_else(|| {
                corrupt(
                    path,
                    format!("value {index} ends at {end}, out of order or past the data"),
                )
            })?;
        let value = decode_value(&value_bytes[start..end])
            .map_err(|reason| corrupt(path, format!("value {index}: {reason}")))?;
        check_depth(&value).map_err(|error| corrupt(path, format!("value {index}: {error}")))?;
        value_ids.push(values.intern_value(&value));
        start = end;
    }
    if start != value_bytes.len() {
        return Err(corrupt(path, "value data continues past the last value"));
    }
    drop(value_bytes);
    drop(value_ends);
    let mut reason_dictionary = TextDictionaryBuilder::default();
    let reason_ids: Vec<u32> = reasons
        .into_iter()
        .map(|reason| reason_dictionary.intern(&reason))
        .collect();

    let mut rows = Vec::with_capacity(entries.len());
    for (index, entry) in entries.into_iter().enumerate() {
        let value = |id: u32| {
            value_ids.get(id as usize).copied().ok_or_else(|| {
                corrupt(
                    path,
                    format!("entry {index} names value {id}, which does not exist"),
                )
            })
        };
        let source = *ExceptionSource::ALL
            .get(usize::from(entry.source))
            .ok_or_else(|| {
                corrupt(
                    path,
                    format!("entry {index} has unknown source {}", entry.source),
                )
            })?;
        let reason = reason_ids
            .get(entry.reason as usize)
            .copied()
            .ok_or_else(|| {
                corrupt(
                    path,
                    format!(
                        "entry {index} names reason {}, which does not exist",
                        entry.reason
                    ),
                )
            })?;
        Exception::validate_fields(entry.confidence, &PropertyValue::Null, &PropertyValue::Null)
            .map_err(|error| corrupt(path, format!("entry {index}: {error}")))?;
        let key = ExceptionKey {
            node_id: NodeId(entry.node_id),
            property_hash: entry.property_hash,
        };
        let row = SharedRow {
            inherited: value(entry.inherited_value)?,
            actual: value(entry.actual_value)?,
            reason,
            source,
            created_at: instant_serde::from_unix_nanos(entry.created_unix_nanos),
            confidence: entry.confidence,
        };
        rows.push((key, index, row));
    }
    rows.sort_unstable_by_key(|(key, index, _)| (key.property_hash, key.node_id, *index));
    if let Some(pair) = rows.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        let (key, index, _) = &pair[1];
        return Err(corrupt(path, format!("entry {index} repeats key {key:?}")));
    }
    let shared = SharedDictionaries {
        values: values.finish(),
        reasons: reason_dictionary.finish(),
    };
    let inputs: Vec<_> = rows
        .iter()
        .map(|(key, _, row)| (*key, RowInput::Shared(row)))
        .collect();
    let compact = CompactColumns::build(&inputs, &CompactColumns::default(), &shared);
    Ok(StorageOptimizer::from_compact(compact))
}

#[cfg(test)]
mod tests;
