//! Snapshot files: save and load a whole store, atomically and verifiably.
//!
//! The file is an `llmkg-filefmt` file with magic `LLMKGEXS` and version
//! [`SNAPSHOT_VERSION`] (header: magic, version, payload length, CRC-32 of the payload); the
//! payload is the postcard encoding of `Vec<(NodeId, String, Exception)>` and nothing else.
//! Saving replaces the file atomically (a unique temporary file, `fsync`, rename, `fsync` of
//! the directory), so concurrent saves to one path all succeed and a crash leaves the old
//! file or the new one. Loading checks header, length, checksum, trailing bytes and every
//! entry before it changes anything; values nested deeper than `llmkg_core::MAX_VALUE_DEPTH`
//! are refused while decoding, as [`ExceptionStore::add_exception`] refuses them.

use std::path::Path;

use llmkg_core::NodeId;
use llmkg_exception::Exception;
use llmkg_filefmt::{FileError, FileFormat};

use crate::{ExceptionStore, Result, StoreError};

/// The snapshot format version this build writes and reads.
///
/// Version 2 uses the shared `llmkg-filefmt` header (version 1 had an entry count in it).
pub const SNAPSHOT_VERSION: u32 = 2;

const FORMAT: FileFormat =
    FileFormat::new("exception-store snapshot", b"LLMKGEXS", SNAPSHOT_VERSION);

type Entries = Vec<(NodeId, String, Exception)>;

fn corrupt(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::CorruptSnapshot {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// The store's error for a file-layer error.
fn from_file_error(error: FileError) -> StoreError {
    error.convert(
        |path, source| StoreError::Io { path, source },
        |path, found, expected| StoreError::UnsupportedVersion {
            path,
            found,
            expected,
        },
        |path, reason| corrupt(&path, reason),
    )
}

impl ExceptionStore {
    /// Writes a consistent snapshot of the store to `path`, atomically.
    ///
    /// Any number of threads or processes may save to the same path at once; each save
    /// lands whole.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] if the file cannot be written, including a snapshot over the
    /// format's 1 GiB payload limit (kind [`FileTooLarge`](std::io::ErrorKind::FileTooLarge),
    /// refused before anything is written) and a symbolic link or other non-regular file at
    /// `path` (kind [`InvalidInput`](std::io::ErrorKind::InvalidInput)); the previous file, if
    /// any, is kept, unless only the final sync of the directory failed: the new file is then
    /// in place, its durability unconfirmed.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        FORMAT
            .save(path.as_ref(), &self.snapshot())
            .map_err(from_file_error)
    }

    /// Reads a snapshot into a new store.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`], [`StoreError::CorruptSnapshot`] (bad magic, truncated, trailing
    /// bytes, checksum mismatch, undecodable, too deep, invalid or duplicate entries) or
    /// [`StoreError::UnsupportedVersion`].
    pub fn load(path: impl AsRef<Path>) -> Result<ExceptionStore> {
        let store = ExceptionStore::new();
        store.load_into(path)?;
        Ok(store)
    }

    /// Replaces this store's content with a snapshot's, all at once.
    ///
    /// The file is read and verified completely before anything changes: on any error the
    /// store is exactly as it was.
    ///
    /// # Errors
    ///
    /// As [`load`](ExceptionStore::load).
    pub fn load_into(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let entries: Entries = FORMAT.load(path).map_err(from_file_error)?;
        for (node, property, exception) in &entries {
            if property.is_empty() {
                return Err(corrupt(path, format!("empty property name on node {node}")));
            }
            exception.validate().map_err(|error| {
                corrupt(path, format!("node {node} property {property:?}: {error}"))
            })?;
        }
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
