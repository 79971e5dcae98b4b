//! Crash safety: a child process that saves in a loop is killed (SIGKILL) at random moments;
//! after every kill the file loads and holds the last save the child reported or the one it
//! was making, never a torn file, and stray temporary files do not accumulate.
//!
//! One binary plays both parts: run with `LLMKG_CRASH_CHILD=<path>` it is the child, which
//! writes save number N, N+1, ... (starting at `LLMKG_CRASH_START`) and prints each number
//! once its save returned; run plainly it is the test.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use llmkg_filefmt::{FileFormat, temp_files};

const FORMAT: FileFormat = FileFormat::new("crash test", b"LLMKGCRS", 1);
const KILLS: u64 = 20;
const NOTHING_YET: u64 = u64::MAX;

/// The payload of save number `sequence`: large enough that a write takes several syscalls.
fn payload(sequence: u64) -> Vec<u64> {
    (0..20_000).map(|index| sequence ^ index).collect()
}

fn child(path: &Path, start: u64) -> ! {
    let mut sequence = start;
    loop {
        FORMAT.save(path, &payload(sequence)).expect("child save");
        println!("{sequence}");
        sequence += 1;
    }
}

/// A small deterministic generator (xorshift) for the kill delays.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn main() {
    if let Ok(path) = std::env::var("LLMKG_CRASH_CHILD") {
        let start = std::env::var("LLMKG_CRASH_START")
            .ok()
            .and_then(|start| start.parse().ok())
            .unwrap_or(0);
        child(Path::new(&path), start);
    }
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("state.bin");
    let executable = std::env::current_exe().expect("own executable");
    let mut random = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next_sequence = 0_u64;
    let mut most_strays = 0;
    for kill in 0..KILLS {
        let mut process = Command::new(&executable)
            .env("LLMKG_CRASH_CHILD", &path)
            .env("LLMKG_CRASH_START", next_sequence.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn the child");
        let stdout = process.stdout.take().expect("piped stdout");
        let last_reported = Arc::new(AtomicU64::new(NOTHING_YET));
        let first_report = Arc::new(std::sync::Barrier::new(2));
        let reader = {
            let last_reported = Arc::clone(&last_reported);
            let first_report = Arc::clone(&first_report);
            std::thread::spawn(move || {
                let mut waiting = true;
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let sequence = line.trim().parse().expect("a save number");
                    last_reported.store(sequence, Ordering::SeqCst);
                    if waiting {
                        first_report.wait();
                        waiting = false;
                    }
                }
                if waiting {
                    first_report.wait();
                }
            })
        };
        // Let the child complete one save, then kill it a random 0-15 ms later.
        first_report.wait();
        std::thread::sleep(Duration::from_micros(next_random(&mut random) % 15_000));
        process.kill().expect("SIGKILL the child");
        let status = process.wait().expect("reap the child");
        reader.join().expect("reader thread");
        assert!(!status.success(), "kill {kill}: the child exited by itself");
        let reported = last_reported.load(Ordering::SeqCst);
        assert_ne!(
            reported, NOTHING_YET,
            "kill {kill}: the child reported no save"
        );

        let loaded: Vec<u64> = FORMAT
            .load(&path)
            .unwrap_or_else(|error| panic!("kill {kill}: the file does not load: {error}"));
        let found = loaded[0];
        assert!(
            found == reported || found == reported + 1,
            "kill {kill}: the file holds save {found}, the child last reported {reported}"
        );
        assert_eq!(loaded, payload(found), "kill {kill}: save {found} is torn");
        // The killed child may leave its own temporary file; the next one removes it.
        let strays = temp_files(&path).expect("list temporary files").len();
        assert!(strays <= 1, "kill {kill}: {strays} stray temporary files");
        most_strays = most_strays.max(strays);
        next_sequence = found + 1;
    }
    // One clean save after the last kill leaves no temporary file at all.
    FORMAT
        .save(&path, &payload(next_sequence))
        .expect("final save");
    assert!(temp_files(&path).expect("list").is_empty());
    println!(
        "crash safety: {KILLS} kills, the file loaded whole after each, at most {most_strays} \
         stray temporary file at a time, none after a clean save"
    );
}
