//! The header every file starts with, and the checks a reader makes before it trusts a payload.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::atomic::{read_bounded, write_atomically};
use crate::{FileError, FormatError, Result};

/// Bytes in the header: magic (8), format version (4), payload length (8), CRC-32 (4).
pub const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// The payload limit of a format unless it sets its own: 1 GiB.
pub const DEFAULT_MAX_PAYLOAD: u64 = 1 << 30;

/// One file format: its magic, its version and the largest payload a reader accepts.
///
/// Layout of every file (integers little-endian):
///
/// | bytes | content |
/// |---|---|
/// | 0..8 | magic, eight bytes naming the format |
/// | 8..12 | format version (`u32`) |
/// | 12..20 | payload length in bytes (`u64`) |
/// | 20..24 | CRC-32 (IEEE) of the payload (`u32`) |
/// | 24.. | the payload, exactly as long as the header says: nothing may follow it |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileFormat {
    name: &'static str,
    magic: [u8; 8],
    version: u32,
    max_payload: u64,
}

impl FileFormat {
    /// A format called `name` (used in error messages) with this magic and version.
    pub const fn new(name: &'static str, magic: &[u8; 8], version: u32) -> Self {
        FileFormat {
            name,
            magic: *magic,
            version,
            max_payload: DEFAULT_MAX_PAYLOAD,
        }
    }

    /// The same format, reading payloads of at most `limit` bytes.
    pub const fn with_max_payload(self, limit: u64) -> Self {
        FileFormat {
            max_payload: limit,
            ..self
        }
    }

    /// The name used in error messages.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The version this format writes and reads.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The largest payload a reader accepts.
    pub fn max_payload(&self) -> u64 {
        self.max_payload
    }

    /// The complete file for `payload`: header, then payload.
    pub fn encode(&self, payload: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len());
        bytes.extend_from_slice(&self.magic);
        bytes.extend_from_slice(&self.version.to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    /// Checks a complete file's bytes and returns its payload.
    ///
    /// # Errors
    ///
    /// A [`FormatError`] naming the first problem found, in this order: header truncated,
    /// wrong magic, unsupported version, declared length over the limit, payload truncated,
    /// trailing bytes, checksum mismatch.
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Result<&'a [u8], FormatError> {
        let Some((header, payload)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(FormatError::TruncatedHeader {
                len: bytes.len(),
                need: HEADER_LEN,
            });
        };
        let (magic, rest) = header.split_at(8);
        if magic != self.magic.as_slice() {
            return Err(FormatError::BadMagic {
                expected: self.name,
                found: String::from_utf8_lossy(magic).into_owned(),
            });
        }
        let field = |range: std::ops::Range<usize>| &rest[range];
        let version = u32::from_le_bytes(fixed(field(0..4)));
        if version != self.version {
            return Err(FormatError::UnsupportedVersion {
                found: version,
                expected: self.version,
            });
        }
        let declared = u64::from_le_bytes(fixed(field(4..12)));
        let expected_crc = u32::from_le_bytes(fixed(field(12..16)));
        if declared > self.max_payload {
            return Err(FormatError::TooLarge {
                declared,
                limit: self.max_payload,
            });
        }
        let actual = payload.len() as u64;
        if actual < declared {
            return Err(FormatError::TruncatedPayload { declared, actual });
        }
        if actual > declared {
            return Err(FormatError::TrailingBytes {
                count: actual - declared,
            });
        }
        let actual_crc = crc32fast::hash(payload);
        if actual_crc != expected_crc {
            return Err(FormatError::ChecksumMismatch {
                expected: expected_crc,
                actual: actual_crc,
            });
        }
        Ok(payload)
    }

    /// Writes `payload` to `path` with its header, atomically (see [`write_atomically`]).
    ///
    /// A payload over [`max_payload`](FileFormat::max_payload) is refused before anything is
    /// written, so every file this writes is one [`read`](FileFormat::read) accepts.
    /// Cost: O(`payload`) time and one copy of it.
    ///
    /// # Errors
    ///
    /// [`FileError::PayloadTooLarge`], [`FileError::NotRegularFile`] or [`FileError::Io`]; an
    /// existing file at `path` is then kept as it was. [`FileError::DirectorySync`]: the new
    /// file is in place, its durability unconfirmed.
    pub fn write(&self, path: &Path, payload: &[u8]) -> Result<()> {
        let size = payload.len() as u64;
        if size > self.max_payload {
            return Err(FileError::PayloadTooLarge {
                path: path.to_owned(),
                size,
                limit: self.max_payload,
            });
        }
        write_atomically(path, &self.encode(payload))
    }

    /// Reads the regular file at `path` (never more than the header and the payload limit)
    /// and returns its checked payload.
    ///
    /// Cost: O(file length) time, at most the limit plus the header in memory; a symbolic
    /// link, FIFO or device is refused without being followed or read (see [`read_bounded`]).
    ///
    /// # Errors
    ///
    /// [`FileError::NotRegularFile`], [`FileError::Io`] if it cannot be read,
    /// [`FileError::Format`] if its bytes are wrong.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>> {
        let limit = self.max_payload.saturating_add(HEADER_LEN as u64);
        let mut bytes = read_bounded(path, limit).map_err(|error| match error {
            FileError::Format {
                path,
                source: FormatError::TooLarge { declared, .. },
            } => FileError::Format {
                path,
                source: FormatError::TooLarge {
                    declared: declared.saturating_sub(HEADER_LEN as u64),
                    limit: self.max_payload,
                },
            },
            other => other,
        })?;
        let payload_len = self
            .decode(&bytes)
            .map_err(|source| FileError::Format {
                path: path.to_owned(),
                source,
            })?
            .len();
        bytes.drain(..bytes.len() - payload_len);
        Ok(bytes)
    }

    /// Encodes `value` with postcard and writes it as this format's payload, atomically.
    ///
    /// # Errors
    ///
    /// As [`write`](FileFormat::write), or [`FileError::Format`] with
    /// [`FormatError::Undecodable`] if `value` cannot be encoded at all (a `Serialize` impl
    /// that fails).
    pub fn save<T: Serialize + ?Sized>(&self, path: &Path, value: &T) -> Result<()> {
        let payload = postcard::to_stdvec(value).map_err(|error| FileError::Format {
            path: path.to_owned(),
            source: FormatError::Undecodable(format!("cannot encode: {error}")),
        })?;
        self.write(path, &payload)
    }

    /// Reads a file written by [`save`](FileFormat::save) and decodes its payload strictly
    /// (see [`from_postcard`]).
    ///
    /// # Errors
    ///
    /// As [`read`](FileFormat::read) and [`from_postcard`].
    pub fn load<T: DeserializeOwned>(&self, path: &Path) -> Result<T> {
        let payload = self.read(path)?;
        from_postcard(&payload).map_err(|source| FileError::Format {
            path: path.to_owned(),
            source,
        })
    }
}

/// Decodes a postcard payload that must hold exactly one `T` and nothing after it.
///
/// Size is bounded by the payload itself (postcard never allocates more than a length prefix
/// the remaining bytes can back, beyond serde's cautious size hints); nesting is bounded by
/// the types decoded: the only recursive type in our payloads, `llmkg_core::PropertyValue`,
/// refuses lists nested deeper than `llmkg_core::MAX_VALUE_DEPTH` while it decodes.
///
/// # Errors
///
/// [`FormatError::Undecodable`], [`FormatError::InvalidValue`] or
/// [`FormatError::TrailingBytes`].
pub fn from_postcard<T: DeserializeOwned>(payload: &[u8]) -> Result<T, FormatError> {
    let (value, rest) = postcard::take_from_bytes::<T>(payload).map_err(|error| match error {
        postcard::Error::SerdeDeCustom => FormatError::InvalidValue,
        other => FormatError::Undecodable(other.to_string()),
    })?;
    if !rest.is_empty() {
        return Err(FormatError::TrailingBytes {
            count: rest.len() as u64,
        });
    }
    Ok(value)
}

/// The header's fields have fixed sizes, so every slice passed here is exactly `N` long.
fn fixed<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(slice);
    out
}
