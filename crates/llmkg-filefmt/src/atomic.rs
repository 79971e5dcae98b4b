//! Atomic replacement of a file, and reads that stop at a size limit.
//!
//! A writer creates a uniquely named temporary file next to the target (`.NAME.XXXXXX.tmp`),
//! holds an exclusive lock on it while it writes and syncs it, renames it over the target and
//! syncs the directory. Readers therefore see the old file or the new one, never a mix, and
//! concurrent writers never touch each other's temporary files. A writer that dies before its
//! rename leaves its temporary file behind; the next writer to the same target removes every
//! such file whose lock it can take (the kernel drops a dead process's locks), so strays do
//! not accumulate. A live writer's file can be taken only in the instant between its creation
//! and its lock; the rename then fails with "not found" and the writer simply starts over.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::{FileError, FormatError, Result};

/// The suffix of every temporary file this crate creates.
pub const TEMP_SUFFIX: &str = ".tmp";

/// How often a write starts over after its temporary file was taken by a cleaner.
const MAX_ATTEMPTS: usize = 8;

/// Replaces the file at `path` with `bytes`, atomically and durably.
///
/// The bytes go to a fresh temporary file in the target's directory, which is synced and
/// renamed over `path`; then the directory is synced so the rename survives a power cut.
/// Any number of threads and processes may write the same path at once: each write either
/// lands whole or fails, and the file always holds one complete write.
///
/// # Errors
///
/// [`FileError::Io`] if the file cannot be written, synced or renamed; `path` then still
/// holds what it held before.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io_error = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    let (directory, prefix) = temp_location(path).map_err(io_error)?;
    remove_stale_temps(&directory, &prefix);
    let mut attempt = 0;
    loop {
        attempt += 1;
        match write_once(&directory, &prefix, path, bytes) {
            Ok(()) => break,
            Err(error) if error.kind() == io::ErrorKind::NotFound && attempt < MAX_ATTEMPTS => {}
            Err(error) => return Err(io_error(error)),
        }
    }
    sync_directory(&directory).map_err(io_error)
}

/// Reads the whole file at `path`, refusing files longer than `limit` bytes without reading
/// past the limit.
///
/// # Errors
///
/// [`FileError::Io`] if it cannot be read, [`FileError::Format`] with
/// [`FormatError::TooLarge`] if it is longer than `limit`.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let io_error = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    let too_large = |declared| FileError::Format {
        path: path.to_owned(),
        source: FormatError::TooLarge { declared, limit },
    };
    let file = File::open(path).map_err(io_error)?;
    let length = file.metadata().map_err(io_error)?.len();
    if length > limit {
        return Err(too_large(length));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    // The file may grow after the metadata call; never read more than one byte past the limit.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The directory of `path` and the prefix of its temporary files (`.NAME.`).
fn temp_location(path: &Path) -> io::Result<(PathBuf, OsString)> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut prefix = OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    Ok((directory, prefix))
}

fn write_once(directory: &Path, prefix: &OsString, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temporary = tempfile::Builder::new()
        .prefix(prefix)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(directory)?;
    // Held until the file is renamed and closed: it tells cleaners that a writer is alive.
    temporary.as_file().lock()?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    // On failure the returned error owns the temporary file and removes it when dropped.
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Removes temporary files of `prefix` in `directory` that no live writer holds.
///
/// Best effort: a file that cannot be listed, opened, locked or removed is left for later.
fn remove_stale_temps(directory: &Path, prefix: &OsString) {
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        if !is_temp_of(&entry.file_name(), prefix) {
            continue;
        }
        let temp_path = entry.path();
        let Ok(file) = File::open(&temp_path) else {
            continue;
        };
        if file.try_lock().is_ok() {
            let _ = fs::remove_file(&temp_path);
        }
    }
}

/// Whether `name` is a temporary file this crate created for a target whose prefix is `prefix`.
pub(crate) fn is_temp_of(name: &std::ffi::OsStr, prefix: &OsString) -> bool {
    let name = name.as_encoded_bytes();
    name.len() > prefix.len() + TEMP_SUFFIX.len()
        && name.starts_with(prefix.as_encoded_bytes())
        && name.ends_with(TEMP_SUFFIX.as_bytes())
}

/// Makes a rename in `directory` durable.
fn sync_directory(directory: &Path) -> io::Result<()> {
    if cfg!(unix) {
        File::open(directory)?.sync_all()
    } else {
        // Other platforms cannot open a directory as a file; their renames are as durable as
        // the platform makes them.
        Ok(())
    }
}

/// The temporary files this crate left next to `path` (for example after a crash): the
/// files a later [`write_atomically`] to `path` removes.
///
/// # Errors
///
/// [`FileError::Io`] if the directory cannot be listed.
pub fn temp_files(path: &Path) -> Result<Vec<PathBuf>> {
    let io_error = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    let (directory, prefix) = temp_location(path).map_err(io_error)?;
    let mut found = Vec::new();
    for entry in fs::read_dir(&directory).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        if is_temp_of(&entry.file_name(), &prefix) {
            found.push(entry.path());
        }
    }
    found.sort();
    Ok(found)
}
