//! Hostile neighbours and misuse: files planted next to a target (FIFOs, links), paths that
//! are not regular files, payloads over the limit, long names, modes.
//!
//! A call that could hang runs on a thread the test waits for with a generous timeout, so a
//! regression fails the test instead of hanging the suite; nothing here measures speed.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use llmkg_filefmt::{FileError, FileFormat, TEMP_SLOTS, temp_files, write_atomically};

const FORMAT: FileFormat = FileFormat::new("hostile test", b"LLMKGHST", 1);
const HANG: Duration = Duration::from_secs(30);

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs `call` on its own thread and returns its result, failing if it does not return.
fn without_hanging<T: Send + 'static>(call: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(call());
    });
    receiver
        .recv_timeout(HANG)
        .expect("the call hung (it did not return within 30 s)")
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_fifo_named_like_a_temp_file_does_not_hang_a_save() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("data.bin");
    // One FIFO at the first slot, one at a name the old cleaner matched.
    let fifos = [
        directory.path().join(".data.bin.0.tmp"),
        directory.path().join(".data.bin.planted.tmp"),
    ];
    for fifo in &fifos {
        mkfifo(fifo);
    }
    let target = path.clone();
    without_hanging(move || FORMAT.save(&target, &vec![1_u32, 2, 3])).unwrap();
    assert_eq!(FORMAT.load::<Vec<u32>>(&path).unwrap(), [1, 2, 3]);
    // Not ours: left where it was.
    for fifo in &fifos {
        assert!(
            fs::symlink_metadata(fifo).is_ok(),
            "{} removed",
            fifo.display()
        );
    }
}

#[test]
fn planted_links_at_every_slot_neither_redirect_nor_block_a_save() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("data.bin");
    let victim = directory.path().join("victim");
    fs::write(&victim, b"precious").unwrap();
    for slot in 0..TEMP_SLOTS {
        let link = directory.path().join(format!(".data.bin.{slot}.tmp"));
        std::os::unix::fs::symlink(&victim, &link).unwrap();
    }
    FORMAT.save(&path, &7_u64).unwrap();
    assert_eq!(FORMAT.load::<u64>(&path).unwrap(), 7);
    assert_eq!(fs::read(&victim).unwrap(), b"precious");
    // The writer fell back to a unique name and left nothing of its own behind.
    assert_eq!(temp_files(&path).unwrap().len(), TEMP_SLOTS as usize);
}

#[test]
fn a_payload_over_the_limit_is_refused_on_save_and_the_old_file_kept() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("small.bin");
    let small = FORMAT.with_max_payload(16);
    small.write(&path, &[7; 16]).unwrap();
    assert_eq!(small.read(&path).unwrap(), [7; 16]);
    let error = small.write(&path, &[8; 17]).unwrap_err();
    assert!(
        matches!(
            error,
            FileError::PayloadTooLarge {
                size: 17,
                limit: 16,
                ..
            }
        ),
        "{error}"
    );
    let error = small.save(&path, &vec![0_u8; 100]).unwrap_err();
    assert!(
        matches!(error, FileError::PayloadTooLarge { .. }),
        "{error}"
    );
    assert_eq!(small.read(&path).unwrap(), [7; 16]);
    assert!(temp_files(&path).unwrap().is_empty());
}

#[test]
fn a_save_keeps_the_mode_of_an_existing_file() {
    let directory = tempfile::tempdir().unwrap();
    for wanted in [0o644, 0o640, 0o600, 0o444] {
        let path = directory.path().join(format!("mode-{wanted:o}.bin"));
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(wanted)).unwrap();
        FORMAT.save(&path, &1_u8).unwrap();
        assert_eq!(mode(&path), wanted, "{}", path.display());
        FORMAT.save(&path, &2_u8).unwrap();
        assert_eq!(mode(&path), wanted, "{}", path.display());
        assert_eq!(FORMAT.load::<u8>(&path).unwrap(), 2);
    }
    // A new file gets the mode any newly created file gets here.
    let reference = directory.path().join("reference");
    fs::File::create(&reference).unwrap();
    let fresh = directory.path().join("fresh.bin");
    FORMAT.save(&fresh, &3_u8).unwrap();
    assert_eq!(mode(&fresh), mode(&reference));
}

#[test]
fn a_symlink_at_the_target_is_refused_by_save_and_load() {
    let directory = tempfile::tempdir().unwrap();
    let real = directory.path().join("real.bin");
    FORMAT.save(&real, &1_u32).unwrap();
    let link = directory.path().join("link.bin");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let error = FORMAT.save(&link, &2_u32).unwrap_err();
    assert!(
        matches!(
            error,
            FileError::NotRegularFile {
                found: "a symbolic link",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("link.bin"), "{error}");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(FORMAT.load::<u32>(&real).unwrap(), 1);
    let error = FORMAT.load::<u32>(&link).unwrap_err();
    assert!(matches!(error, FileError::NotRegularFile { .. }), "{error}");
    // The documented way through a link: its resolved path.
    FORMAT
        .save(&fs::canonicalize(&link).unwrap(), &3_u32)
        .unwrap();
    assert_eq!(FORMAT.load::<u32>(&real).unwrap(), 3);
}

#[test]
fn loads_refuse_fifos_devices_and_directories_without_blocking() {
    let directory = tempfile::tempdir().unwrap();
    let fifo = directory.path().join("fifo.bin");
    mkfifo(&fifo);
    let error = without_hanging(move || FORMAT.load::<u32>(&fifo)).unwrap_err();
    assert!(
        matches!(
            error,
            FileError::NotRegularFile {
                found: "a FIFO",
                ..
            }
        ),
        "{error}"
    );
    let error = without_hanging(|| FORMAT.load::<u32>(Path::new("/dev/zero"))).unwrap_err();
    assert!(
        matches!(
            error,
            FileError::NotRegularFile {
                found: "a device",
                ..
            }
        ),
        "{error}"
    );
    let error = FORMAT.load::<u32>(directory.path()).unwrap_err();
    assert!(matches!(error, FileError::NotRegularFile { .. }), "{error}");
    // And a save never replaces one of them.
    let fifo = directory.path().join("fifo.bin");
    let error = FORMAT.save(&fifo, &1_u32).unwrap_err();
    assert!(matches!(error, FileError::NotRegularFile { .. }), "{error}");
    assert!(!fs::symlink_metadata(&fifo).unwrap().is_file());
}

#[test]
fn the_longest_valid_names_can_be_saved_side_by_side() {
    let directory = tempfile::tempdir().unwrap();
    // 255 bytes is the longest name common file systems take; two names sharing their first
    // 200 bytes get distinct temporary names.
    let first = directory
        .path()
        .join(format!("{}-first.bin", "n".repeat(245)));
    let second = directory
        .path()
        .join(format!("{}-other.bin", "n".repeat(245)));
    let accented = directory.path().join("é".repeat(127));
    for (index, path) in [&first, &second, &accented].into_iter().enumerate() {
        assert!(path.file_name().unwrap().len() >= 254);
        FORMAT.save(path, &(index as u64)).unwrap();
    }
    for (index, path) in [&first, &second, &accented].into_iter().enumerate() {
        assert_eq!(FORMAT.load::<u64>(path).unwrap(), index as u64);
        assert!(temp_files(path).unwrap().is_empty());
    }
    write_atomically(&first, b"raw").unwrap();
    assert_eq!(fs::read(&first).unwrap(), b"raw");
}
