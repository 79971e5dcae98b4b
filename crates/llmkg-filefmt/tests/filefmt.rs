//! The file layer against its promises: round trips, every kind of bad file refused with a
//! typed error, concurrent writers to one path, stray temporary files cleaned up.

use std::fs;
use std::sync::Arc;

use llmkg_filefmt::{
    FileError, FileFormat, FormatError, HEADER_LEN, from_postcard, temp_files, write_atomically,
};
use proptest::prelude::*;

#[path = "filefmt/hostile.rs"]
mod hostile;

const FORMAT: FileFormat = FileFormat::new("test", b"LLMKGTST", 3);

fn sample() -> Vec<(u64, String)> {
    (0..50).map(|i| (i, format!("entry {i} ✓"))).collect()
}

fn format_error(error: FileError) -> FormatError {
    match error {
        FileError::Format { source, .. } => source,
        other => panic!("expected a format error, got {other}"),
    }
}

#[test]
fn round_trip_and_layout() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("data.bin");
    FORMAT.save(&path, &sample()).unwrap();
    assert_eq!(FORMAT.load::<Vec<(u64, String)>>(&path).unwrap(), sample());
    let bytes = fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"LLMKGTST");
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 3);
    let length = u64::from_le_bytes(bytes[12..20].try_into().unwrap());
    assert_eq!(length as usize, bytes.len() - HEADER_LEN);
    assert!(temp_files(&path).unwrap().is_empty());
}

#[test]
fn each_problem_has_its_own_error() {
    let good = FORMAT.encode(&postcard::to_stdvec(&sample()).unwrap());
    let decode = |bytes: &[u8]| FORMAT.decode(bytes).map(<[u8]>::len);
    assert!(matches!(
        decode(&good[..10]),
        Err(FormatError::TruncatedHeader { len: 10, .. })
    ));
    let mut bad = good.clone();
    bad[0] = b'X';
    assert!(matches!(decode(&bad), Err(FormatError::BadMagic { .. })));
    let mut bad = good.clone();
    bad[8] = 4;
    assert!(matches!(
        decode(&bad),
        Err(FormatError::UnsupportedVersion {
            found: 4,
            expected: 3
        })
    ));
    assert!(matches!(
        decode(&good[..good.len() - 1]),
        Err(FormatError::TruncatedPayload { .. })
    ));
    let mut bad = good.clone();
    bad.extend_from_slice(b"xy");
    assert!(matches!(
        decode(&bad),
        Err(FormatError::TrailingBytes { count: 2 })
    ));
    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert!(matches!(
        decode(&bad),
        Err(FormatError::ChecksumMismatch { .. })
    ));
    let small = FORMAT.with_max_payload(16);
    assert!(matches!(
        small.decode(&good),
        Err(FormatError::TooLarge { limit: 16, .. })
    ));
    // A payload with a valid header but bytes after its value, and one that does not decode.
    let mut payload = postcard::to_stdvec(&7_u32).unwrap();
    payload.push(0);
    assert_eq!(
        from_postcard::<u32>(&payload),
        Err(FormatError::TrailingBytes { count: 1 })
    );
    assert!(matches!(
        from_postcard::<String>(&[5, 0xff, 0xfe, 0, 0, 0]),
        Err(FormatError::Undecodable(_))
    ));
}

#[test]
fn oversized_files_are_refused_before_they_are_read() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("big.bin");
    fs::write(&path, vec![0_u8; 4096]).unwrap();
    let small = FORMAT.with_max_payload(100);
    let error = format_error(small.read(&path).unwrap_err());
    assert_eq!(
        error,
        FormatError::TooLarge {
            declared: 4096 - HEADER_LEN as u64,
            limit: 100
        }
    );
    // A missing file is an i/o error naming the path.
    let missing = directory.path().join("missing.bin");
    let error = FORMAT.read(&missing).unwrap_err();
    assert!(matches!(error, FileError::Io { .. }));
    assert!(error.to_string().contains("missing.bin"), "{error}");
}

#[test]
fn concurrent_writers_to_one_path_all_succeed() {
    let directory = tempfile::tempdir().unwrap();
    let path = Arc::new(directory.path().join("shared.bin"));
    let threads: Vec<_> = (0..4_u64)
        .map(|thread| {
            let path = Arc::clone(&path);
            std::thread::spawn(move || {
                for round in 0..20_u64 {
                    let value = vec![thread * 1000 + round; 64];
                    FORMAT.save(&path, &value).unwrap();
                    let read: Vec<u64> = FORMAT.load(&path).unwrap();
                    assert_eq!(read.len(), 64);
                    assert!(read.iter().all(|&item| item == read[0]));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert!(temp_files(&path).unwrap().is_empty());
}

#[test]
fn stray_temp_files_of_dead_writers_are_removed_by_the_next_write() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("data.bin");
    // What writers killed before their rename leave: unlocked files in their slots.
    for slot in [0, 2, 5] {
        fs::write(directory.path().join(format!(".data.bin.{slot}.tmp")), b"x").unwrap();
    }
    // Someone else's file with a similar name is not ours to remove.
    fs::write(directory.path().join("data.bin.tmp"), b"keep").unwrap();
    assert_eq!(temp_files(&path).unwrap().len(), 3);
    write_atomically(&path, b"payload").unwrap();
    assert!(temp_files(&path).unwrap().is_empty());
    assert_eq!(
        fs::read(directory.path().join("data.bin.tmp")).unwrap(),
        b"keep"
    );
    assert_eq!(fs::read(&path).unwrap(), b"payload");
}

#[test]
fn a_path_without_a_file_name_is_an_io_error() {
    let error = write_atomically(std::path::Path::new("/"), b"x").unwrap_err();
    assert!(matches!(error, FileError::Io { .. }), "{error}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes never panic and are either a valid file or a typed error.
    #[test]
    fn arbitrary_bytes_are_refused_or_decoded(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(payload) = FORMAT.decode(&bytes) {
            prop_assert_eq!(payload.len() + HEADER_LEN, bytes.len());
            let _ = from_postcard::<Vec<(u64, String)>>(payload);
        }
    }

    /// Any single change to a valid file (a flipped bit, a cut, extra bytes) is detected.
    #[test]
    fn mutations_of_a_valid_file_are_detected(
        position in any::<prop::sample::Index>(),
        bit in 0_u8..8,
        cut in any::<prop::sample::Index>(),
        extra in proptest::collection::vec(any::<u8>(), 1..8),
    ) {
        let good = FORMAT.encode(&postcard::to_stdvec(&sample()).unwrap());
        let mut flipped = good.clone();
        flipped[position.index(good.len())] ^= 1 << bit;
        prop_assert!(FORMAT.decode(&flipped).is_err());
        prop_assert!(FORMAT.decode(&good[..cut.index(good.len())]).is_err());
        let mut longer = good.clone();
        longer.extend_from_slice(&extra);
        prop_assert_eq!(
            FORMAT.decode(&longer),
            Err(FormatError::TrailingBytes { count: extra.len() as u64 })
        );
    }
}

/// One conversion serves every format owner: each case reaches its own constructor, and a
/// bad magic reads as what was expected and what was found.
#[test]
fn convert_reaches_one_constructor_per_case() {
    #[derive(Debug, PartialEq)]
    enum Owner {
        Io,
        Version(u32, u32),
        Corrupt(String),
    }
    let convert = |error: FileError| {
        error.convert(
            |_, _| Owner::Io,
            |_, found, expected| Owner::Version(found, expected),
            |_, reason| Owner::Corrupt(reason),
        )
    };
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("data.bin");
    assert_eq!(convert(FORMAT.load::<u8>(&path).unwrap_err()), Owner::Io);
    let mut bytes = FORMAT.encode(&postcard::to_stdvec(&sample()).unwrap());
    bytes[8] = 4;
    fs::write(&path, &bytes).unwrap();
    assert_eq!(
        convert(FORMAT.load::<Vec<(u64, String)>>(&path).unwrap_err()),
        Owner::Version(4, 3)
    );
    bytes[..8].copy_from_slice(b"XXXXXXXX");
    fs::write(&path, &bytes).unwrap();
    assert_eq!(
        convert(FORMAT.load::<Vec<(u64, String)>>(&path).unwrap_err()),
        Owner::Corrupt("expected a test file, found magic \"XXXXXXXX\"".to_owned())
    );
}
