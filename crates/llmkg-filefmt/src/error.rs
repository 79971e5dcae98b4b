//! The errors of the file layer: what is wrong with a file's bytes, and where.

use std::path::PathBuf;

/// What is wrong with the bytes of a file, independent of where they came from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// Fewer bytes than a header.
    #[error("truncated header: {len} of {need} bytes")]
    TruncatedHeader {
        /// Bytes present.
        len: usize,
        /// Bytes a header takes.
        need: usize,
    },
    /// The first eight bytes are not this format's magic.
    #[error("expected a {expected} file, found magic {found:?}")]
    BadMagic {
        /// The format that was expected.
        expected: &'static str,
        /// The bytes found, lossily as text.
        found: String,
    },
    /// A version this build does not read.
    #[error("format version {found}, this build reads version {expected}")]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// The header declares a payload larger than the reader accepts.
    #[error("payload of {declared} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Payload bytes the header declares (or the file holds).
        declared: u64,
        /// The most the reader accepts.
        limit: u64,
    },
    /// The file ends before the payload the header declares.
    #[error("truncated payload: {actual} of {declared} bytes")]
    TruncatedPayload {
        /// Payload bytes the header declares.
        declared: u64,
        /// Payload bytes present.
        actual: u64,
    },
    /// Bytes after the payload, or after the decoded value inside it.
    #[error("{count} trailing bytes after the payload")]
    TrailingBytes {
        /// How many.
        count: u64,
    },
    /// The payload's CRC-32 does not match the header's.
    #[error("checksum {actual:#010x} does not match the header's {expected:#010x}")]
    ChecksumMismatch {
        /// The checksum in the header.
        expected: u32,
        /// The checksum of the payload as read.
        actual: u32,
    },
    /// A value the decoder's own checks refused: an unknown enum variant, a value out of range
    /// for its type, or lists nested deeper than `llmkg_core::MAX_VALUE_DEPTH`. (Postcard
    /// drops the checks' messages, so this is all it can say.)
    #[error(
        "invalid value in payload: an unknown variant, a value out of range, or lists nested \
         deeper than the limit"
    )]
    InvalidValue,
    /// The payload passed the checksum but does not decode as the expected type.
    #[error("undecodable payload: {0}")]
    Undecodable(String),
}

/// What can go wrong reading or writing a file through this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The operating system refused a read, write, sync or rename.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file was read but its bytes are not a valid file of the format.
    #[error("corrupt file {path}: {source}")]
    Format {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        source: FormatError,
    },
    /// The path names something other than a regular file (a symbolic link, a directory, a
    /// FIFO, a socket or a device): it is neither read nor replaced.
    #[error("{path} is {found}, not a regular file")]
    NotRegularFile {
        /// The path concerned.
        path: PathBuf,
        /// What it is, as a phrase ("a symbolic link", "a FIFO", ...).
        found: &'static str,
    },
    /// A payload larger than the format's limit: saving it would make a file no reader
    /// accepts, so nothing is written.
    #[error("payload of {size} bytes for {path} exceeds the format's limit of {limit} bytes")]
    PayloadTooLarge {
        /// The file that was to be written.
        path: PathBuf,
        /// Bytes in the payload.
        size: u64,
        /// The most the format's readers accept.
        limit: u64,
    },
    /// The new file is in place, but syncing its directory failed, so the rename may not
    /// survive a power cut.
    #[error("{path} was replaced, but syncing its directory failed: {source}")]
    DirectorySync {
        /// The file that was replaced.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl FileError {
    /// The file the error concerns.
    pub fn path(&self) -> &std::path::Path {
        match self {
            FileError::Io { path, .. }
            | FileError::Format { path, .. }
            | FileError::NotRegularFile { path, .. }
            | FileError::PayloadTooLarge { path, .. }
            | FileError::DirectorySync { path, .. } => path,
        }
    }

    /// The file and the one of three cases a format owner's error type tells apart: the
    /// operating system refused, the file has another version, or its bytes are wrong.
    ///
    /// A path that is not a regular file reads as an i/o error of kind
    /// [`InvalidInput`](std::io::ErrorKind::InvalidInput), a payload over the limit as one of
    /// kind [`FileTooLarge`](std::io::ErrorKind::FileTooLarge), a failed directory sync as its
    /// own i/o error; the message names the problem.
    pub fn into_fault(self) -> (PathBuf, FileFault) {
        match self {
            FileError::Io { path, source } | FileError::DirectorySync { path, source } => {
                (path, FileFault::Io(source))
            }
            error @ FileError::NotRegularFile { .. } => {
                let message = error.to_string();
                (
                    error.path().to_owned(),
                    FileFault::Io(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        message,
                    )),
                )
            }
            error @ FileError::PayloadTooLarge { .. } => {
                let message = error.to_string();
                (
                    error.path().to_owned(),
                    FileFault::Io(std::io::Error::new(
                        std::io::ErrorKind::FileTooLarge,
                        message,
                    )),
                )
            }
            FileError::Format {
                path,
                source: FormatError::UnsupportedVersion { found, expected },
            } => (path, FileFault::UnsupportedVersion { found, expected }),
            FileError::Format { path, source } => (path, FileFault::Corrupt(source.to_string())),
        }
    }
}

impl FileError {
    /// This error as a format owner's error type, one constructor per case of
    /// [`FileError::into_fault`]: `io` for an i/o error, `version` for another format version
    /// (`found`, `expected`), `corrupt` for wrong bytes (with a sentence naming the problem).
    /// Every owner converts the same way, with no catch-all case.
    pub fn convert<E>(
        self,
        io: impl FnOnce(PathBuf, std::io::Error) -> E,
        version: impl FnOnce(PathBuf, u32, u32) -> E,
        corrupt: impl FnOnce(PathBuf, String) -> E,
    ) -> E {
        match self.into_fault() {
            (path, FileFault::Io(source)) => io(path, source),
            (path, FileFault::UnsupportedVersion { found, expected }) => {
                version(path, found, expected)
            }
            (path, FileFault::Corrupt(reason)) => corrupt(path, reason),
        }
    }
}

/// A [`FileError`] as the owner of a format reports it (see [`FileError::into_fault`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum FileFault {
    /// The operating system refused a read, write, sync or rename.
    Io(std::io::Error),
    /// The file has a format version this build does not read.
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// The file's bytes are wrong; the text names the problem.
    Corrupt(String),
}

/// The crate's result type.
pub type Result<T, E = FileError> = std::result::Result<T, E>;
