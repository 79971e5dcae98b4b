//! `cargo xtask gate-evidence`: the regression gate measured on this machine: false verdicts of
//! A/A comparisons, the detection rate of injected slowdowns by size, the minutes each took,
//! written as Markdown (`docs/GATE.md` by default).
//!
//! An A/A compares `HEAD` with this tree (clean, so both are the same code). An injected
//! slowdown makes the candidate's samples of the target benchmarks busy-wait for the given
//! share of their measured time, inside the sample (see `paired::lockstep::Injection`): the
//! same code on both sides, a known change on one, measured by the real lock-step engine.
use std::{
    fmt::Write as _,
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant},
};

use anyhow::Context;
use regex::Regex;

use crate::{
    compare::Verdict,
    paired::lockstep::Injection,
    regress::{self, Lanes, RegressReport},
    snapshot::{GitInfo, Host, write_atomically},
};

/// What to measure.
#[derive(Debug)]
pub struct Config {
    /// The comparison every run makes (its filter, thresholds, budget, suite, paths).
    pub regress: regress::Config,
    /// Benchmarks the injected slowdowns hit.
    pub target: Regex,
    /// Injected slowdowns, as fractions.
    pub sizes: Vec<f64>,
    /// Runs per A/A and per size.
    pub repeats: usize,
    /// Also one A/A of the whole suite (no filter).
    pub whole_suite: bool,
    /// Where the Markdown goes.
    pub output: PathBuf,
    /// Run every comparison beside an emulated noisy neighbour ([`NoisyNeighbour`]).
    pub noise: bool,
}

/// A thread that streams over 64 MiB in bursts of 0.2-1.5 s with pauses as long, seeded: the
/// host cache and memory contention that makes a shared machine's speed swing on a scale of
/// about a second, which lock-step pairing has to cancel. It runs beside the measurements
/// (the coordinator process is otherwise idle) until dropped.
#[derive(Debug)]
pub struct NoisyNeighbour {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<u64>>,
}

impl NoisyNeighbour {
    /// Starts the bursts.
    pub fn start(seed: u64) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut rng = crate::stats::XorShift64::new(seed);
            let mut buffer = vec![1_u64; 8 << 20];
            let mut checksum = 0_u64;
            while !flag.load(Ordering::Relaxed) {
                let burst = Duration::from_millis(200 + rng.index(1300) as u64);
                let until = Instant::now() + burst;
                while Instant::now() < until && !flag.load(Ordering::Relaxed) {
                    for (index, value) in buffer.iter_mut().enumerate().step_by(8) {
                        *value = value.wrapping_add(index as u64);
                        checksum = checksum.wrapping_add(*value);
                    }
                }
                std::thread::sleep(Duration::from_millis(200 + rng.index(1300) as u64));
            }
            std::hint::black_box(checksum)
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for NoisyNeighbour {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One comparison's counts.
struct Run {
    label: String,
    minutes: f64,
    rounds: usize,
    counts: Counts,
    target: Option<Counts>,
    memory_false: usize,
    memory_rows: usize,
    exit_code: u8,
}

#[derive(Default)]
struct Counts {
    total: usize,
    regressed: usize,
    improved: usize,
    unchanged: usize,
    inconclusive: usize,
}

impl Counts {
    fn of(verdicts: impl Iterator<Item = Verdict>) -> Self {
        let mut counts = Counts::default();
        for verdict in verdicts {
            counts.total += 1;
            match verdict {
                Verdict::Regressed => counts.regressed += 1,
                Verdict::Improved => counts.improved += 1,
                Verdict::Unchanged => counts.unchanged += 1,
                _ => counts.inconclusive += 1,
            }
        }
        counts
    }
}

fn summarise(label: String, report: &RegressReport, target: Option<&Regex>, minutes: f64) -> Run {
    let is_target = |id: &str| target.is_some_and(|target| target.is_match(id));
    Run {
        label,
        minutes,
        rounds: report.rounds_run.unwrap_or(0),
        counts: Counts::of(
            report
                .benchmarks
                .iter()
                .filter(|row| !is_target(row.id()))
                .map(|row| row.verdict()),
        ),
        target: target.map(|_| {
            Counts::of(
                report
                    .benchmarks
                    .iter()
                    .filter(|row| is_target(row.id()))
                    .map(|row| row.verdict()),
            )
        }),
        memory_false: report
            .memory
            .iter()
            .filter(|row| matches!(row.verdict, Verdict::Regressed | Verdict::Improved))
            .count(),
        memory_rows: report.memory.len(),
        exit_code: report.exit_code,
    }
}

/// Runs the measurements and writes the Markdown.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let git = GitInfo::of(&config.regress.paths.root);
    if git.dirty {
        eprintln!(
            "warning: the tree has uncommitted changes, so `HEAD` against this tree is not an \
             A/A; commit first for evidence that means what it says"
        );
    }
    let started = Instant::now();
    let _neighbour = config
        .noise
        .then(|| NoisyNeighbour::start(0x006E_6F69_7379));
    let mut runs: Vec<Run> = Vec::new();
    let compare = |label: String,
                   filter: Option<String>,
                   lanes: Lanes,
                   injection: Option<Injection>,
                   target: Option<&Regex>|
     -> anyhow::Result<Run> {
        eprintln!("gate-evidence: {label}");
        let regress = regress::Config {
            baseline: "HEAD".to_owned(),
            lanes,
            filter,
            injection,
            ..config.regress.clone()
        };
        let run_started = Instant::now();
        let report = regress::compare(&regress).with_context(|| label.clone())?;
        let minutes = run_started.elapsed().as_secs_f64() / 60.0;
        let all = Counts::of(report.benchmarks.iter().map(|row| row.verdict()));
        eprintln!(
            "gate-evidence: exit {}, {} regressed, {} improved, {} unchanged, {} inconclusive",
            report.exit_code, all.regressed, all.improved, all.unchanged, all.inconclusive,
        );
        Ok(summarise(label, &report, target, minutes))
    };
    let filter = config.regress.filter.clone();
    for repeat in 0..config.repeats {
        runs.push(compare(
            format!("A/A {}", repeat + 1),
            filter.clone(),
            Lanes::TimeAndMemory,
            None,
            None,
        )?);
    }
    for &size in &config.sizes {
        for repeat in 0..config.repeats {
            runs.push(compare(
                format!("+{:.0} % injected, run {}", size * 100.0, repeat + 1),
                filter.clone(),
                Lanes::Time,
                Some(Injection {
                    filter: config.target.clone(),
                    ppm: (size * 1e6).round() as u32,
                }),
                Some(&config.target),
            )?);
        }
    }
    if config.whole_suite {
        runs.push(compare(
            "whole suite A/A".to_owned(),
            None,
            Lanes::TimeAndMemory,
            None,
            None,
        )?);
    }
    let markdown = render(config, &runs, &git, started.elapsed().as_secs_f64() / 60.0);
    let existing = std::fs::read_to_string(&config.output).unwrap_or_default();
    write_atomically(&config.output, splice(&existing, &markdown).as_bytes())?;
    println!("{markdown}");
    eprintln!("gate-evidence: written to {}", config.output.display());
    Ok(ExitCode::SUCCESS)
}

/// Where the measured section sits in the document, so the text around it is kept.
const BEGIN: &str = "<!-- gate-evidence: begin (written by `cargo xtask gate-evidence`) -->";
const END: &str = "<!-- gate-evidence: end -->";

/// `document` with its measured section replaced by `section` (appended when it has none).
fn splice(document: &str, section: &str) -> String {
    let block = format!("{BEGIN}\n{section}{END}\n");
    match (document.find(BEGIN), document.find(END)) {
        (Some(begin), Some(end)) if begin < end => format!(
            "{}{block}{}",
            &document[..begin],
            document[end + END.len()..].trim_start_matches('\n')
        ),
        _ if document.trim().is_empty() => block,
        _ => format!("{}\n\n{block}", document.trim_end()),
    }
}

fn render(config: &Config, runs: &[Run], git: &GitInfo, total_minutes: f64) -> String {
    let host = Host::current();
    let mut text = String::new();
    let _ = writeln!(text, "## Measured\n");
    let _ = writeln!(
        text,
        "Written by `cargo xtask gate-evidence` at commit `{}`{} on {} ({} logical cores, {} {}), \
         {:.0} minutes in all.",
        crate::report::short_sha(&git.sha),
        if git.dirty { " (dirty)" } else { "" },
        host.cpu_model,
        host.logical_cores,
        host.os,
        host.arch,
        total_minutes
    );
    let _ = writeln!(
        text,
        "Every run is `cargo xtask regress --baseline HEAD` on a clean tree (the same code on both \
         sides), filter `{}`; an injected run slows the candidate's samples of `{}` by busy-waiting \
         inside each sample.{}\n",
        config.regress.filter.as_deref().unwrap_or("(whole suite)"),
        config.target.as_str(),
        if config.noise {
            " Every run had an emulated noisy neighbour beside it (`--noise`: 64 MiB streamed in \
             bursts of 0.2-1.5 s with pauses as long, the host contention of a shared machine)."
        } else {
            ""
        }
    );
    let _ = writeln!(
        text,
        "| run | minutes | rounds | exit | target rows REGRESSED | other rows: regressed / improved / unchanged / inconclusive | memory rows flagged |"
    );
    let _ = writeln!(text, "|---|---|---|---|---|---|---|");
    for run in runs {
        let target = run.target.as_ref().map_or_else(
            || "-".to_owned(),
            |t| format!("{} of {}", t.regressed, t.total),
        );
        let _ = writeln!(
            text,
            "| {} | {:.1} | {} | {} | {} | {} / {} / {} / {} | {} |",
            run.label,
            run.minutes,
            run.rounds,
            run.exit_code,
            target,
            run.counts.regressed,
            run.counts.improved,
            run.counts.unchanged,
            run.counts.inconclusive,
            if run.memory_rows == 0 {
                "-".to_owned()
            } else {
                format!("{} of {}", run.memory_false, run.memory_rows)
            }
        );
    }
    let false_verdicts: usize = runs
        .iter()
        .map(|run| run.counts.regressed + run.counts.improved + run.memory_false)
        .sum();
    let other_rows: usize = runs.iter().map(|run| run.counts.total).sum();
    let _ = writeln!(
        text,
        "\nFalse verdicts (REGRESSED or IMPROVED where nothing changed, time and memory rows): \
         {false_verdicts} of {other_rows} time rows and {} memory rows.",
        runs.iter().map(|run| run.memory_rows).sum::<usize>()
    );
    let _ = writeln!(
        text,
        "\nDetection rate by injected size (runs that exited 1 with every target row REGRESSED):\n"
    );
    let _ = writeln!(text, "| injected | runs caught | target rows REGRESSED |");
    let _ = writeln!(text, "|---|---|---|");
    for &size in &config.sizes {
        let label = format!("+{:.0} % injected", size * 100.0);
        let sized: Vec<&Run> = runs
            .iter()
            .filter(|run| run.label.starts_with(&label))
            .collect();
        let caught = sized
            .iter()
            .filter(|run| {
                run.exit_code == 1
                    && run
                        .target
                        .as_ref()
                        .is_some_and(|t| t.total > 0 && t.regressed == t.total)
            })
            .count();
        let rows: usize = sized
            .iter()
            .filter_map(|run| run.target.as_ref())
            .map(|t| t.regressed)
            .sum();
        let total: usize = sized
            .iter()
            .filter_map(|run| run.target.as_ref())
            .map(|t| t.total)
            .sum();
        let _ = writeln!(
            text,
            "| +{:.0} % | {caught} of {} | {rows} of {total} |",
            size * 100.0,
            sized.len()
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_measured_section_is_replaced_and_the_text_around_it_kept() {
        let first = splice("# Gate\n\nWhy it works.\n", "numbers 1\n");
        assert!(first.starts_with("# Gate\n\nWhy it works.\n\n"), "{first}");
        assert!(first.contains("numbers 1"), "{first}");
        let again = splice(&format!("{first}\n## After\n"), "numbers 2\n");
        assert!(
            again.contains("numbers 2") && !again.contains("numbers 1"),
            "{again}"
        );
        assert!(
            again.contains("Why it works.") && again.contains("## After"),
            "{again}"
        );
        assert_eq!(splice("", "n\n"), format!("{BEGIN}\nn\n{END}\n"));
    }
}
