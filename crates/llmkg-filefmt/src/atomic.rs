//! Atomic replacement of a regular file, and bounded reads that open regular files only.
//!
//! A writer writes into a temporary file next to the target, named after one of
//! [`TEMP_SLOTS`] slots (`.NAME.0.tmp`, `.NAME.1.tmp`, ...), holds an exclusive lock on it
//! while it writes and syncs it, renames it over the target and syncs the directory. Readers
//! therefore see the old file or the new one, never a mix, and concurrent writers never touch
//! each other's temporary files: a slot whose file is locked belongs to a live writer and is
//! skipped. A writer that dies before its rename leaves its slot's file behind, unlocked (the
//! kernel drops a dead process's locks); the next writer that meets it removes it, so strays
//! never outnumber the slots, and no write lists the directory.
//!
//! Only regular files are ever opened: a symbolic link, FIFO, socket or device at the target,
//! at a slot or at a path being read is refused (or, at a slot, left alone), with the last
//! component opened `O_NOFOLLOW | O_NONBLOCK` and its type checked on the open handle, so a
//! file planted next to a target can neither hang a write nor redirect it.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{FileError, FormatError, Result};

/// The suffix of every temporary file this crate creates.
pub const TEMP_SUFFIX: &str = ".tmp";

/// How many fixed temporary names (slots) a target has; more concurrent writers than this
/// fall back to unique names, which a writer that dies leaves behind.
pub const TEMP_SLOTS: u32 = 8;

/// Target names up to this many bytes appear whole in temporary names; longer ones are cut
/// and completed with a hash, so a temporary name never exceeds 128 bytes and fits wherever
/// the target's name fits.
const MAX_NAME_IN_TEMP: usize = 96;

/// How often a slot is tried again after a race with another writer changed it.
const MAX_ATTEMPTS: usize = 8;

/// Replaces the regular file at `path` with `bytes`, atomically and durably.
///
/// The bytes go to a temporary file in the target's directory, which is synced and renamed
/// over `path`; then the directory is synced so the rename survives a power cut. Any number
/// of threads and processes may write the same path at once: each write either lands whole
/// or fails, and the file always holds one complete write.
///
/// An existing file keeps its permission bits (the mode; its owner is the writer's, as with
/// any replacement by rename); a new file gets the mode of a newly created file (`0o666` less
/// the umask). A symbolic link at `path` is refused, not followed and not replaced: pass the
/// link's resolved path ([`std::fs::canonicalize`]) to write through it. Links among the
/// directories above `path` are followed as usual.
///
/// Cost: O(`bytes`) time and no memory beyond `bytes`; a bounded number of file-system calls
/// (at most [`TEMP_SLOTS`] slots tried and checked), never a listing of the directory.
///
/// # Errors
///
/// - [`FileError::NotRegularFile`] if `path` is a symbolic link, a directory or any other
///   non-regular file; nothing is written.
/// - [`FileError::Io`] if the file cannot be written, synced or renamed; `path` then still
///   holds what it held before.
/// - [`FileError::DirectorySync`] if everything succeeded but the final sync of the directory:
///   `path` then holds the new bytes, but the rename may not survive a power cut.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io_error = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    let (directory, prefix) = temp_location(path).map_err(io_error)?;
    let permissions = existing_permissions(path)?;
    let temporary = acquire_temp(&directory, &prefix).map_err(io_error)?;
    if let Err(error) = fill_and_rename(&temporary, path, bytes, permissions) {
        // We hold the file's lock and checked that the name is ours: removing it is safe.
        let _ = fs::remove_file(&temporary.path);
        return Err(io_error(error));
    }
    drop(temporary);
    remove_stale_slots(&directory, &prefix);
    sync_directory(&directory).map_err(|source| FileError::DirectorySync {
        path: path.to_owned(),
        source,
    })
}

/// Reads the whole regular file at `path`, refusing files longer than `limit` bytes without
/// reading past the limit.
///
/// The file is opened `O_NOFOLLOW | O_NONBLOCK` and its type checked before a byte is read,
/// so a symbolic link, FIFO or device is refused at once instead of followed, waited on or
/// read without end. Cost: O(length) time, at most `limit + 1` bytes of memory.
///
/// # Errors
///
/// [`FileError::NotRegularFile`] if `path` is not a regular file, [`FileError::Io`] if it
/// cannot be read, [`FileError::Format`] with [`FormatError::TooLarge`] if it is longer than
/// `limit`.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let io_error = |source| FileError::Io {
        path: path.to_owned(),
        source,
    };
    let too_large = |declared| FileError::Format {
        path: path.to_owned(),
        source: FormatError::TooLarge { declared, limit },
    };
    let metadata = fs::symlink_metadata(path).map_err(io_error)?;
    refuse_non_regular(path, &metadata)?;
    let file = open_no_follow(path).map_err(|error| {
        if is_symlink_error(&error) {
            not_regular(path, "a symbolic link")
        } else {
            io_error(error)
        }
    })?;
    let metadata = file.metadata().map_err(io_error)?;
    refuse_non_regular(path, &metadata)?;
    let length = metadata.len();
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

/// The temporary files this crate left next to `path` (for example after a crash): every
/// entry of the directory named `.NAME.<anything>.tmp`. A later [`write_atomically`] to
/// `path` removes the slot files among them that no live writer holds.
///
/// This lists the directory (O(entries)); writes never do.
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

/// A temporary file this writer created and holds locked.
struct Temp {
    file: File,
    path: PathBuf,
}

/// The mode of the regular file at `path`, `None` if there is none; an error for anything
/// else at `path`.
fn existing_permissions(path: &Path) -> Result<Option<Permissions>> {
    match fs::symlink_metadata(path) {
        Ok(metadata) => {
            refuse_non_regular(path, &metadata)?;
            Ok(Some(metadata.permissions()))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(FileError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

fn refuse_non_regular(path: &Path, metadata: &fs::Metadata) -> Result<()> {
    let file_type = metadata.file_type();
    if file_type.is_file() {
        return Ok(());
    }
    let found = if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_dir() {
        "a directory"
    } else {
        special_kind(&file_type)
    };
    Err(not_regular(path, found))
}

#[cfg(unix)]
fn special_kind(file_type: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_file_type: &fs::FileType) -> &'static str {
    "not a regular file"
}

fn not_regular(path: &Path, found: &'static str) -> FileError {
    FileError::NotRegularFile {
        path: path.to_owned(),
        found,
    }
}

/// The directory of `path` and the prefix of its temporary files (`.NAME.`, with a long
/// `NAME` cut to [`MAX_NAME_IN_TEMP`] bytes and completed by a hash of the whole name).
fn temp_location(path: &Path) -> io::Result<(PathBuf, OsString)> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut prefix = OsString::from(".");
    if file_name.len() <= MAX_NAME_IN_TEMP {
        prefix.push(file_name);
    } else {
        let lossy = file_name.to_string_lossy();
        let mut cut = MAX_NAME_IN_TEMP.min(lossy.len());
        while !lossy.is_char_boundary(cut) {
            cut -= 1;
        }
        let hash = crc32fast::hash(file_name.as_encoded_bytes());
        prefix.push(&lossy[..cut]);
        prefix.push(format!("~{hash:08x}"));
    }
    prefix.push(".");
    Ok((directory, prefix))
}

fn slot_path(directory: &Path, prefix: &OsString, slot: u32) -> PathBuf {
    let mut name = prefix.clone();
    name.push(format!("{slot}{TEMP_SUFFIX}"));
    directory.join(name)
}

/// A fresh temporary file, locked: the first slot no live writer holds, else a unique name.
fn acquire_temp(directory: &Path, prefix: &OsString) -> io::Result<Temp> {
    for slot in 0..TEMP_SLOTS {
        let path = slot_path(directory, prefix, slot);
        for _ in 0..MAX_ATTEMPTS {
            match try_slot(&path)? {
                Slot::Acquired(file) => return Ok(Temp { file, path }),
                Slot::Busy => break,
                Slot::Retry => {}
            }
        }
    }
    // Every slot is held by a live writer (or by something that is not ours): a unique name.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let mut name = prefix.clone();
        name.push(format!(
            "{}-{unique}-{nanos:08x}{TEMP_SUFFIX}",
            std::process::id()
        ));
        let path = directory.join(name);
        match create_new(&path) {
            Ok(file) => {
                file.lock()?;
                return Ok(Temp { file, path });
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
    }
}

enum Slot {
    /// A fresh file at the slot, created and locked by us.
    Acquired(File),
    /// A live writer, or something not ours, holds the slot.
    Busy,
    /// Another writer changed the slot while we looked; look again.
    Retry,
}

fn try_slot(path: &Path) -> io::Result<Slot> {
    match create_new(path) {
        Ok(file) => {
            // A cleaner may take a file between its creation and its lock: check that the
            // name still leads to the file we locked.
            if file.try_lock().is_err() || !names_file(path, &file) {
                return Ok(Slot::Retry);
            }
            Ok(Slot::Acquired(file))
        }
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            Ok(if remove_if_stale(path) {
                Slot::Retry
            } else {
                Slot::Busy
            })
        }
        Err(error) => Err(error),
    }
}

/// Removes the file at slot `path` if it is a regular file no live writer holds (a dead
/// writer's); whether it did.
fn remove_if_stale(path: &Path) -> bool {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_file() => {}
        // Gone already: the slot is free.
        Err(error) if error.kind() == io::ErrorKind::NotFound => return true,
        _ => return false,
    }
    let Ok(file) = open_no_follow(path) else {
        return false;
    };
    let regular = file.metadata().is_ok_and(|metadata| metadata.is_file());
    if !regular || file.try_lock().is_err() || !names_file(path, &file) {
        return false;
    }
    // Locked by us and still at `path`: no writer can be using it.
    fs::remove_file(path).is_ok()
}

/// Removes dead writers' files from every slot of `prefix`: one `lstat` per empty slot.
fn remove_stale_slots(directory: &Path, prefix: &OsString) {
    for slot in 0..TEMP_SLOTS {
        let path = slot_path(directory, prefix, slot);
        if fs::symlink_metadata(&path).is_ok() {
            remove_if_stale(&path);
        }
    }
}

fn fill_and_rename(
    temporary: &Temp,
    path: &Path,
    bytes: &[u8],
    permissions: Option<Permissions>,
) -> io::Result<()> {
    let mut file = &temporary.file;
    file.write_all(bytes)?;
    if let Some(permissions) = permissions {
        file.set_permissions(permissions)?;
    }
    file.sync_all()?;
    fs::rename(&temporary.path, path)
}

/// A new file at `path`, never an existing one (`O_CREAT | O_EXCL`, which also refuses a
/// symbolic link at `path`).
fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o666).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// Opens `path` for reading without following a symbolic link in its last component and
/// without waiting (a FIFO opens at once; its type is then refused).
fn open_no_follow(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

fn is_symlink_error(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

/// Whether `path` still names the file `file` has open.
fn names_file(path: &Path, file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::symlink_metadata(path), file.metadata()) {
            (Ok(named), Ok(open)) => named.dev() == open.dev() && named.ino() == open.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
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
