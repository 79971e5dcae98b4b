//! One crash-safe file layer for every file llmkg writes: a checksummed, versioned header,
//! bounded reads, strict decoding and atomic replacement.
//!
//! A [`FileFormat`] names a format (magic, version, payload limit). [`FileFormat::write`]
//! puts a header in front of a payload and replaces the target through
//! [`write_atomically`]: a locked temporary file in the target's directory, `fsync` of the
//! file, a rename and an `fsync` of the directory, so readers and crashes see the old file or
//! the new one, never a torn one, and concurrent writers to one path never collide.
//! Only regular files are read or replaced: a symbolic link, FIFO or device at the path is
//! refused with [`FileError::NotRegularFile`], and files planted next to a target are never
//! opened unless they are regular files (opened `O_NOFOLLOW | O_NONBLOCK`). A save keeps an
//! existing file's mode and refuses a payload its readers would refuse
//! ([`FileError::PayloadTooLarge`]), so every save produces a file that loads.
//!
//! Bounds: a write costs O(payload) time, one copy of the payload and at most
//! [`TEMP_SLOTS`] probes of temporary names (no directory listing); a read costs O(file)
//! time and at most the format's payload limit plus the header in memory.
//! [`FileFormat::read`] reads at most the header plus the limit and checks magic, version,
//! length (truncation and trailing bytes both refused) and CRC-32 before it hands the payload
//! over; [`from_postcard`] decodes a payload that must hold exactly one value. Every problem is
//! a typed [`FileError`] / [`FormatError`] naming it. Each crate keeps its own payload type:
//! the store's snapshots, the optimizer's snapshots and the learner's patterns file use it,
//! and so can `xtask`, as it depends on none of our crates.
//!
//! ```
//! use llmkg_filefmt::{FileError, FileFormat, FormatError};
//!
//! const NOTES: FileFormat = FileFormat::new("notes", b"EXNOTES1", 1);
//!
//! let directory = tempfile::tempdir()?;
//! let path = directory.path().join("notes.bin");
//! NOTES.save(&path, &vec!["first".to_string(), "second".to_string()])?;
//! let notes: Vec<String> = NOTES.load(&path)?;
//! assert_eq!(notes, ["first", "second"]);
//!
//! // One byte more and the file is refused, saying why.
//! let mut bytes = std::fs::read(&path)?;
//! bytes.push(0);
//! std::fs::write(&path, &bytes)?;
//! let error = NOTES.load::<Vec<String>>(&path).unwrap_err();
//! assert!(matches!(
//!     error,
//!     FileError::Format { source: FormatError::TrailingBytes { count: 1 }, .. }
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod atomic;
mod error;
mod format;
mod fuzz;

pub use crate::{
    atomic::{TEMP_SLOTS, TEMP_SUFFIX, read_bounded, temp_files, write_atomically},
    error::{FileError, FileFault, FormatError, Result},
    format::{DEFAULT_MAX_PAYLOAD, FileFormat, HEADER_LEN, from_postcard},
    fuzz::{FUZZ_CASES_VAR, fuzz_cases},
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
