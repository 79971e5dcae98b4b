//! Lock-step pairing: the baseline's and the candidate's bench processes run at the same time
//! and take their samples in turns, handed out by this coordinator over a Unix socket.
//!
//! The noise of a shared 2-core machine (host cache and memory contention) moves on a scale
//! of about a second, while one sample lasts milliseconds: alternating sample by sample shows
//! both builds the same machine, which two processes run one after the other cannot. Only one
//! side measures at a time, so the two never compete for the cores either.
//!
//! The bench side of the protocol is `bench_harness::SuiteMeasurement`: greet with the side's
//! name, then per sample `R` (request), wait for `G` + `u32` (injected slowdown in parts per
//! million), measure, `D` (done). A process that never connects (a baseline older than the
//! protocol) simply runs unpaired; the pair's report says so.
use std::{
    io::{BufRead, BufReader, Read, Write},
    os::unix::net::{UnixListener, UnixStream},
    path::Path,
    process::Child,
    sync::{
        Arc, Mutex,
        mpsc::{self, RecvTimeoutError},
    },
    thread,
    time::{Duration, Instant},
};

use anyhow::Context;
use regex::Regex;
use serde::Serialize;

/// How long a side that just measured waits for the other side's request before it may
/// measure again: long enough for the other to finish the bookkeeping between two samples,
/// short enough that a side alone (the other in its analysis) barely slows down.
const GRACE: Duration = Duration::from_millis(2);

/// How long a side that is collecting a benchmark's samples waits for the other side to
/// collect the same benchmark's (the other is building that benchmark's data, warming up, or
/// still on the previous one) before it measures anyway: samples taken while the other side
/// sets up would see a busier machine, and the engine compares the two sides' samples index by
/// index. Only the side ahead waits; a side on a benchmark the other has already passed never
/// does, and warm-up turns never wait: Criterion sizes a benchmark's samples from the wall time
/// of its warm-up calls, turn waits included, so a warm-up that waited would leave the side
/// with one iteration per sample.
const CATCH_UP: Duration = Duration::from_secs(5);

/// Where a side is in a benchmark, from Criterion's "Benchmarking <id>: <phase>" lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Phase {
    /// Started (or between phases); its turns, if any, are not compared.
    #[default]
    Starting,
    /// Warming up: turns are granted without waiting for the other side.
    WarmingUp,
    /// Taking the samples that are compared.
    Collecting,
    /// Done with the benchmark's samples.
    Analyzing,
}

impl Phase {
    fn of(line_rest: &str) -> Self {
        if line_rest.starts_with("Warming up") {
            Self::WarmingUp
        } else if line_rest.starts_with("Collecting") {
            Self::Collecting
        } else if line_rest.starts_with("Analyzing") {
            Self::Analyzing
        } else {
            Self::Starting
        }
    }
}

/// A slowdown injected into the candidate's samples of the benchmarks a regex selects: the
/// gate's own power measurement (`cargo xtask gate-evidence`), never a normal run.
#[derive(Debug, Clone)]
pub struct Injection {
    /// Benchmarks whose candidate samples are slowed.
    pub filter: Regex,
    /// The slowdown, parts per million of each sample's measured time.
    pub ppm: u32,
}

/// How well one pair of processes alternated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TurnReport {
    /// Samples (turns) granted to the baseline and to the candidate.
    pub turns: [u64; 2],
    /// Turns that went to the other side than the turn before: the alternation itself.
    pub alternations: u64,
    /// Whether each side connected (a baseline older than the protocol does not).
    pub connected: [bool; 2],
    /// Warm-up turns granted at once to each side, outside the alternation (not in `turns`).
    pub warm_up_turns: [u64; 2],
}

impl TurnReport {
    /// Share of turns that alternated with the other side, in `[0, 1]`.
    pub fn alternation(&self) -> f64 {
        let total = self.turns[0] + self.turns[1];
        if total == 0 {
            0.0
        } else {
            self.alternations as f64 / total as f64
        }
    }
}

enum Event {
    Connected(usize, UnixStream),
    Request(usize),
    Done(usize),
    Closed(usize),
}

/// Runs two child processes (index 0 = baseline, 1 = candidate) that were started with
/// `LLMKG_LOCKSTEP_SOCKET` = `socket`, serving turns until both exit; each child's standard
/// error is copied to `logs[side]`. Returns the turn report and both exit statuses.
pub fn serve(
    listener: UnixListener,
    mut children: [Child; 2],
    logs: [&Path; 2],
    injection: Option<&Injection>,
) -> anyhow::Result<(TurnReport, [std::process::ExitStatus; 2])> {
    let (events, receiver) = mpsc::channel::<Event>();
    // Which benchmark each side is on and in which phase, from Criterion's
    // "Benchmarking <id>: ..." lines, and every benchmark it has been on.
    let current: Arc<Mutex<[(String, Phase); 2]>> = Arc::default();
    let passed: Arc<Mutex<[std::collections::BTreeSet<String>; 2]>> = Arc::default();
    let mut copiers = Vec::new();
    for (side, child) in children.iter_mut().enumerate() {
        let stderr = child.stderr.take().context("child stderr not piped")?;
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logs[side])
            .with_context(|| format!("opening {}", logs[side].display()))?;
        let current = Arc::clone(&current);
        let passed = Arc::clone(&passed);
        copiers.push(thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Benchmarking ") {
                    let (id, phase) = rest
                        .split_once(": ")
                        .map_or((rest, Phase::Starting), |(id, what)| (id, Phase::of(what)));
                    if let Ok(mut current) = current.lock() {
                        if current[side].0 != id {
                            let previous = std::mem::replace(&mut current[side].0, id.to_owned());
                            if let Ok(mut passed) = passed.lock() {
                                passed[side].insert(previous);
                            }
                        }
                        current[side].1 = phase;
                    }
                }
                let _ = writeln!(log, "{line}");
            }
        }));
    }
    {
        let events = events.clone();
        thread::spawn(move || accept(listener, events));
    }
    let mut writers: [Option<UnixStream>; 2] = [None, None];
    let mut report = TurnReport::default();
    let mut waiting = [false; 2];
    let mut holder: Option<usize> = None;
    let mut last: Option<usize> = None;
    let mut grace_until: Option<Instant> = None;
    let mut requested_at: [Option<Instant>; 2] = [None, None];
    // The benchmark a side has waited CATCH_UP on and may now measure alone.
    let mut alone_on: [Option<String>; 2] = [None, None];
    let started = Instant::now();
    let mut exited: [Option<std::process::ExitStatus>; 2] = [None, None];
    loop {
        for (side, child) in children.iter_mut().enumerate() {
            if exited[side].is_none() {
                exited[side] = child.try_wait()?;
            }
        }
        if let [Some(baseline), Some(candidate)] = exited {
            for copier in copiers {
                let _ = copier.join();
            }
            return Ok((report, [baseline, candidate]));
        }
        let timeout = grace_until.map_or(Duration::from_millis(20), |until| {
            until.saturating_duration_since(Instant::now())
        });
        match receiver.recv_timeout(timeout) {
            Ok(Event::Connected(side, stream)) => {
                report.connected[side] = true;
                let reader = stream.try_clone()?;
                writers[side] = Some(stream);
                let events = events.clone();
                thread::spawn(move || read_turns(side, reader, events));
            }
            Ok(Event::Request(side)) => {
                waiting[side] = true;
                requested_at[side] = Some(Instant::now());
            }
            Ok(Event::Done(side)) => {
                if holder == Some(side) {
                    holder = None;
                }
            }
            Ok(Event::Closed(side)) => {
                waiting[side] = false;
                writers[side] = None;
                if holder == Some(side) {
                    holder = None;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {}
        }
        if waiting == [false, false] {
            continue;
        }
        let now_on = current
            .lock()
            .map(|current| current.clone())
            .unwrap_or_default();
        // Turns outside a benchmark's compared samples (its warm-up; a side whose
        // "Collecting" line has not arrived yet) are granted at once, even beside the other
        // side's turn: Criterion sizes the samples from the warm-up's wall time, so a warm-up
        // that waited for turns would get fewer iterations per sample than the other side's.
        // Both sides warm up while neither collects (a side ready to collect waits for the
        // other), except when one went ahead alone, whose samples are unpaired anyway.
        for side in 0..2 {
            if waiting[side] && now_on[side].1 != Phase::Collecting {
                waiting[side] = false;
                if send_grant(&mut writers[side], injection, side, &now_on[side].0) {
                    report.warm_up_turns[side] += 1;
                }
            }
        }
        if holder.is_some() {
            continue;
        }
        // A side collects samples only while the other collects the same benchmark's (or once
        // the other is gone or past it, or after waiting CATCH_UP for it), so neither samples
        // while the other builds a benchmark's data, and sample `i` of one side is next to
        // sample `i` of the other. Warm-up turns never wait (see CATCH_UP).
        let now_on = current
            .lock()
            .map(|current| current.clone())
            .unwrap_or_default();
        let mut eligible = waiting;
        for side in 0..2 {
            let other = 1 - side;
            let ((id, phase), (other_id, other_phase)) = (&now_on[side], &now_on[other]);
            // Exited, or never connected (a baseline older than the protocol).
            let other_absent = exited[other].is_some()
                || (writers[other].is_none() && started.elapsed() >= CATCH_UP);
            if waiting[side] && requested_at[side].is_some_and(|at| at.elapsed() >= CATCH_UP) {
                alone_on[side] = Some(id.clone());
            }
            let alone = alone_on[side].as_deref() == Some(id.as_str());
            let together = id == other_id && *other_phase == Phase::Collecting;
            // The other side is already past this benchmark's samples: waiting is pointless.
            let behind = (id == other_id && *other_phase == Phase::Analyzing)
                || passed
                    .lock()
                    .map(|passed| passed[other].contains(id))
                    .unwrap_or(true);
            let compared = *phase == Phase::Collecting;
            if compared && !(together || other_absent || alone || behind) {
                eligible[side] = false;
            }
        }
        let next = match eligible {
            [true, true] => Some(usize::from(last == Some(1)) ^ 1),
            [false, false] => None,
            _ => {
                let side = usize::from(eligible[1]);
                let other_alive = writers[1 - side].is_some();
                if last == Some(side) && other_alive {
                    // The other side may be a moment away from its next request.
                    let until = *grace_until.get_or_insert_with(|| Instant::now() + GRACE);
                    (Instant::now() >= until).then_some(side)
                } else {
                    Some(side)
                }
            }
        };
        let Some(side) = next else { continue };
        grace_until = None;
        let id = now_on[side].0.clone();
        if !send_grant(&mut writers[side], injection, side, &id) {
            waiting[side] = false;
            continue;
        }
        waiting[side] = false;
        holder = Some(side);
        report.turns[side] += 1;
        if last.is_some_and(|previous| previous != side) {
            report.alternations += 1;
        }
        last = Some(side);
    }
}

/// Sends a grant to `side`, with the injected slowdown when the candidate is on a benchmark
/// the injection selects; `false` (and the writer dropped) when the side is gone.
fn send_grant(
    writer: &mut Option<UnixStream>,
    injection: Option<&Injection>,
    side: usize,
    benchmark: &str,
) -> bool {
    let ppm = match injection {
        Some(injection) if side == 1 && injection.filter.is_match(benchmark) => injection.ppm,
        _ => 0,
    };
    let mut grant = [b'G', 0, 0, 0, 0];
    grant[1..].copy_from_slice(&ppm.to_le_bytes());
    let Some(stream) = writer.as_mut() else {
        return false;
    };
    if stream.write_all(&grant).is_err() {
        *writer = None;
        return false;
    }
    true
}

/// Accepts the two connections; each names its side on its first line.
fn accept(listener: UnixListener, events: mpsc::Sender<Event>) {
    for stream in listener.incoming().take(2) {
        let Ok(mut stream) = stream else { continue };
        // Byte by byte: a buffered reader would swallow the first request behind the line.
        let mut greeting = Vec::new();
        let mut byte = [0_u8; 1];
        while greeting.len() < 64 && matches!(stream.read(&mut byte), Ok(1)) && byte[0] != b'\n' {
            greeting.push(byte[0]);
        }
        let side = usize::from(greeting == b"candidate");
        if events.send(Event::Connected(side, stream)).is_err() {
            return;
        }
    }
}

fn read_turns(side: usize, mut stream: UnixStream, events: mpsc::Sender<Event>) {
    let mut byte = [0_u8; 1];
    loop {
        let event = match stream.read(&mut byte) {
            Ok(1) if byte[0] == b'R' => Event::Request(side),
            Ok(1) if byte[0] == b'D' => Event::Done(side),
            Ok(1) => continue,
            _ => {
                let _ = events.send(Event::Closed(side));
                return;
            }
        };
        if events.send(event).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternation_is_the_share_of_turns_that_changed_side() {
        let report = TurnReport {
            turns: [50, 50],
            alternations: 99,
            connected: [true, true],
            warm_up_turns: [7, 7],
        };
        assert!((report.alternation() - 0.99).abs() < 1e-12);
        assert_eq!(TurnReport::default().alternation(), 0.0);
    }

    /// Runs two fake bench processes: children that print `phase_line` the way Criterion
    /// does and then sleep, and two client threads that take 20 turns each after a pause,
    /// recording when they measure.
    fn run_fake_pair(phase_line: &str) -> (TurnReport, Vec<(usize, bool)>) {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("turns.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        // The shell stands in for the bench processes, so serve() has children to wait for
        // and reads their phase from their standard error.
        let spawn = || {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "echo 'Benchmarking tiny/one: {phase_line}' >&2; sleep 0.8"
                ))
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let log = dir.path().join("log");
        let timeline = Arc::new(Mutex::new(Vec::new()));
        let clients: Vec<_> = ["baseline", "candidate"]
            .into_iter()
            .enumerate()
            .map(|(side, name)| {
                let socket = socket.clone();
                let timeline = Arc::clone(&timeline);
                let log = log.clone();
                thread::spawn(move || {
                    let mut stream = UnixStream::connect(&socket).unwrap();
                    // The coordinator copies a child's line to the log after reading its
                    // phase: once both lines are there, both phases are known.
                    let started = Instant::now();
                    while std::fs::read_to_string(&log)
                        .map_or(0, |text| text.matches("Benchmarking").count())
                        < 2
                    {
                        assert!(
                            started.elapsed() < Duration::from_secs(30),
                            "no phase lines"
                        );
                        thread::sleep(Duration::from_millis(5));
                    }
                    // The first request in the same write as the greeting: it must not be
                    // lost behind the line.
                    for turn in 0..20 {
                        if turn == 0 {
                            stream.write_all(format!("{name}\nR").as_bytes()).unwrap();
                        } else {
                            stream.write_all(b"R").unwrap();
                        }
                        let mut grant = [0_u8; 5];
                        stream.read_exact(&mut grant).unwrap();
                        timeline.lock().unwrap().push((side, true));
                        thread::sleep(Duration::from_micros(300));
                        timeline.lock().unwrap().push((side, false));
                        stream.write_all(b"D").unwrap();
                    }
                })
            })
            .collect();
        let (report, statuses) = serve(listener, [spawn(), spawn()], [&log, &log], None).unwrap();
        for client in clients {
            client.join().unwrap();
        }
        assert!(statuses.iter().all(|status| status.success()));
        assert_eq!(report.connected, [true, true]);
        let timeline = timeline.lock().unwrap().clone();
        (report, timeline)
    }

    /// Collecting the same benchmark, the coordinator never lets the two overlap and makes
    /// them alternate.
    #[test]
    fn two_clients_collecting_alternate_and_never_overlap() {
        let (report, timeline) = run_fake_pair("Collecting 20 samples in estimated 6 ms");
        assert_eq!(report.turns, [20, 20]);
        assert_eq!(report.warm_up_turns, [0, 0]);
        // Never two sides inside a sample at once: starts and ends strictly nest.
        for pair in timeline.chunks(2) {
            assert_eq!(pair[0].0, pair[1].0, "{timeline:?}");
            assert!(pair[0].1 && !pair[1].1, "{timeline:?}");
        }
        // Mostly alternating: on a loaded 2-core machine a client thread may miss the 2 ms
        // grace now and then, and the other side then measures twice in a row.
        assert!(report.alternation() > 0.6, "{report:?}");
    }

    /// Warm-up turns are granted outside the alternation (counted apart, never held).
    #[test]
    fn warm_up_turns_are_granted_outside_the_alternation() {
        let (report, timeline) = run_fake_pair("Warming up for 30.000 ms");
        assert_eq!(report.turns, [0, 0]);
        assert_eq!(report.warm_up_turns, [20, 20]);
        assert_eq!(timeline.len(), 80);
    }
}
