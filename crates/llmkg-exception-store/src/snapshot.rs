//! Snapshot files: save and load a whole store, atomically and verifiably.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `LLMKGEXS` |
//! | 4 | format version ([`SNAPSHOT_VERSION`]) |
//! | 8 | number of entries |
//! | 8 | payload length in bytes |
//! | 4 | CRC-32 (IEEE) of the payload |
//! | n | payload: postcard encoding of `Vec<(NodeId, String, Exception)>` |
//!
//! Files are written to a temporary file in the same directory, flushed with `fsync`, then
//! renamed over the target, so a crash leaves either the old or the new file, never a mix.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use llmkg_core::NodeId;
use llmkg_exception::Exception;

use crate::{ExceptionStore, Result, StoreError};

/// The snapshot format version this build writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

const MAGIC: &[u8; 8] = b"LLMKGEXS";
const HEADER_LEN: usize = 8 + 4 + 8 + 8 + 4;

fn io_error(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

fn corrupt(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::CorruptSnapshot {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// Writes `bytes` to `path` atomically: temp file in the same directory, fsync, rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| corrupt(path, "the path names no file"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".tmp{}", std::process::id()));
    let temp_path = dir.join(temp_name);
    let result = (|| {
        let mut file = File::create(&temp_path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp_path, path)?;
        // Make the rename itself durable where the platform allows opening directories.
        if let Ok(dir_handle) = File::open(&dir) {
            let _ = dir_handle.sync_all();
        }
        Ok(())
    })();
    result.map_err(|source| {
        let _ = fs::remove_file(&temp_path);
        io_error(path, source)
    })
}

impl ExceptionStore {
    /// Writes a consistent snapshot of the store to `path`, atomically.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] if the file cannot be written; the previous file, if any, is kept.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let entries = self.snapshot();
        let payload = postcard::to_stdvec(&entries)
            .map_err(|e| corrupt(path, format!("cannot encode snapshot: {e}")))?;
        let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        write_atomically(path, &bytes)
    }

    /// Reads a snapshot into a new store.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`], [`StoreError::CorruptSnapshot`] (bad magic, truncated, checksum
    /// mismatch, undecodable, invalid or duplicate entries) or [`StoreError::UnsupportedVersion`].
    pub fn load(path: impl AsRef<Path>) -> Result<ExceptionStore> {
        let store = ExceptionStore::new();
        store.load_into(path)?;
        Ok(store)
    }

    /// Replaces this store's content with a snapshot's, all at once.
    ///
    /// The file is read and verified completely before anything changes: on any error the
    /// store is exactly as it was.
    pub fn load_into(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let bytes = fs::read(path).map_err(|e| io_error(path, e))?;
        let entries = decode(path, &bytes)?;
        let shards = ExceptionStore::build_shards(entries).map_err(|(node, property)| {
            corrupt(
                path,
                format!("duplicate entry for node {node} property {property:?}"),
            )
        })?;
        self.replace_all(shards);
        Ok(())
    }
}

fn decode(path: &Path, bytes: &[u8]) -> Result<Vec<(NodeId, String, Exception)>> {
    if bytes.len() < HEADER_LEN {
        return Err(corrupt(
            path,
            format!("truncated header: {} of {HEADER_LEN} bytes", bytes.len()),
        ));
    }
    if &bytes[..8] != MAGIC {
        return Err(corrupt(path, "not an exception-store snapshot (bad magic)"));
    }
    let read_u32 = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let read_u64 = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let version = read_u32(8);
    if version != SNAPSHOT_VERSION {
        return Err(StoreError::UnsupportedVersion {
            path: path.to_owned(),
            found: version,
            expected: SNAPSHOT_VERSION,
        });
    }
    let count = read_u64(12);
    let payload_len = read_u64(20);
    let checksum = read_u32(28);
    let payload = &bytes[HEADER_LEN..];
    if payload.len() as u64 != payload_len {
        return Err(corrupt(
            path,
            format!(
                "payload is {} bytes, header says {payload_len}",
                payload.len()
            ),
        ));
    }
    if crc32fast::hash(payload) != checksum {
        return Err(corrupt(path, "checksum mismatch"));
    }
    let entries: Vec<(NodeId, String, Exception)> = postcard::from_bytes(payload)
        .map_err(|e| corrupt(path, format!("undecodable payload: {e}")))?;
    if entries.len() as u64 != count {
        return Err(corrupt(
            path,
            format!("{} entries, header says {count}", entries.len()),
        ));
    }
    for (node, property, exception) in &entries {
        if property.is_empty() {
            return Err(corrupt(path, format!("empty property name on node {node}")));
        }
        if exception.validate().is_err() {
            return Err(corrupt(
                path,
                format!(
                    "invalid confidence {} on node {node} property {property:?}",
                    exception.confidence
                ),
            ));
        }
    }
    Ok(entries)
}
