//! `cargo xtask regress`: compare this tree with a baseline commit, lane by lane, confirm
//! changes, set the exit code.
//!
//! Lanes: time (both builds in lock-step rounds; see [`crate::paired`]), memory (allocation
//! counts per iteration and bytes per stored exception; [`memory_lane`]) and instructions
//! (`--icount`, callgrind counts of both builds; [`icount_lane`]). A saved snapshot is never gated on: a fresh
//! run against stored samples cannot tell the code from the machine's load.
use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::PathBuf,
    process::ExitCode,
};

use serde::Serialize;

use crate::{
    compare::{BenchmarkComparison, Row, Verdict},
    error::InputError,
    paired::{EngineConfig, verdict::Judging},
    paths::Paths,
    report::short_sha,
    snapshot::{GitInfo, Snapshot, git_output, write_atomically},
    stats,
    suite::Suite,
    variance,
};

pub mod bmf;
pub mod build;
mod config;
pub mod icount_lane;
pub mod memory_lane;
#[allow(
    clippy::needless_update,
    reason = "paired.rs (the lead's, rewritten elsewhere) spreads `BenchmarkComparison::new` \
              over a row it now fills field by field"
)]
pub mod paired;
mod render;

pub use config::{RegressConfig, parse_threshold};
pub use icount_lane::InstructionRow;
pub use render::{render_markdown, render_table};

/// How to print the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned text table.
    Table,
    /// Machine-readable JSON.
    Json,
    /// Markdown (for a pull-request comment).
    Markdown,
    /// Bencher Metric Format JSON.
    Bmf,
}

/// What `cargo xtask regress` was asked to do.
#[derive(Debug, Clone)]
pub struct Config {
    /// The baseline's git ref.
    pub baseline: String,
    /// Which lanes run.
    pub lanes: Lanes,
    /// Threshold of the memory lane.
    pub memory_threshold: f64,
    /// A slowdown injected into the candidate (the gate's own power measurement only).
    pub injection: Option<crate::paired::lockstep::Injection>,
    /// `--threshold`, replacing the configured default.
    pub threshold: Option<f64>,
    /// Output format.
    pub format: OutputFormat,
    /// Exit 3 on inconclusive, noisy or missing benchmarks.
    pub strict: bool,
    /// Criterion filter.
    pub filter: Option<String>,
    /// `regress.toml`.
    pub config_file: PathBuf,
    /// The suite.
    pub suite: Suite,
    /// Output locations.
    pub paths: Paths,
    /// Show a progress bar.
    pub progress: bool,
    /// Threshold of the instruction-count lane.
    pub icount_threshold: f64,
    /// Callgrind processes per side and benchmark in the instruction-count lane.
    pub icount_runs: usize,
    /// Paired engine settings.
    pub engine: EngineConfig,
    /// Paired judgement settings.
    pub judging: Judging,
    /// Wall-time budget of a paired comparison, seconds.
    pub budget_s: f64,
}

/// Exit code: no confirmed regression.
pub const EXIT_OK: u8 = 0;
/// Exit code: a confirmed regression.
pub const EXIT_REGRESSED: u8 = 1;
/// Exit code: inconclusive, noisy or missing benchmarks under `--strict`.
pub const EXIT_STRICT: u8 = 3;
/// Exit code: a lane could not run (its error is in the report).
pub const EXIT_UNUSABLE: u8 = 2;

/// Which lanes a comparison runs: time and memory together, or instruction counts alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Lanes {
    /// Lock-step timing, then the memory counts.
    TimeAndMemory,
    /// Lock-step timing only.
    Time,
    /// Allocation counts and bytes per stored exception only.
    Memory,
    /// Callgrind instruction counts.
    Instructions,
}

impl Lanes {
    fn time(self) -> bool {
        matches!(self, Lanes::TimeAndMemory | Lanes::Time)
    }

    fn memory(self) -> bool {
        matches!(self, Lanes::TimeAndMemory | Lanes::Memory)
    }
}

/// The comparison as printed and saved.
#[derive(Debug, Serialize)]
pub struct RegressReport {
    /// The lanes run.
    pub lanes: Lanes,
    /// The baseline as given.
    pub baseline: String,
    /// How the baseline was resolved.
    pub baseline_source: String,
    /// Baseline commit.
    pub baseline_sha: String,
    /// Candidate commit (with `-dirty` when the tree had changes).
    pub candidate_sha: String,
    /// Host fingerprint warning, if the hosts differ.
    pub host_warning: Option<String>,
    /// One row per benchmark, of the time or the instruction lane.
    pub benchmarks: Rows,
    /// The memory lane's rows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub memory: Vec<memory_lane::MemoryRow>,
    /// Paired: how each process pair alternated its samples.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub turns: Vec<crate::paired::lockstep::TurnReport>,
    /// Geometric mean of the ratios.
    pub geometric_mean_ratio: Option<f64>,
    /// Paired: rounds run in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds_run: Option<usize>,
    /// Paired: Criterion settings and round shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineConfig>,
    /// Paired: judgement settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judging: Option<Judging>,
    /// Paired: the budget, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_s: Option<f64>,
    /// Whether the budget ran out with benchmarks undecided.
    pub budget_exhausted: bool,
    /// Seconds spent measuring (builds excluded).
    pub elapsed_s: f64,
    /// Paired: every benchmark's rounds (baseline and candidate medians per round).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rounds: BTreeMap<String, crate::paired::verdict::Rounds>,
    /// Declared throughput per benchmark (for the BMF export).
    #[serde(skip)]
    pub throughput: BTreeMap<String, crate::criterion::Throughput>,
    /// Lanes that could not run, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lane_errors: Vec<String>,
    /// Exit code this report leads to.
    pub exit_code: u8,
}

/// The rows of the lane that compares every benchmark.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Rows {
    /// Lock-step rounds (and the memory lane's rows beside them, in [`RegressReport::memory`]).
    Time(Vec<BenchmarkComparison>),
    /// Callgrind counts.
    Instructions(Vec<InstructionRow>),
}

impl Rows {
    /// Every row, as the renderer reads it.
    pub fn iter(&self) -> Box<dyn Iterator<Item = &dyn Row> + '_> {
        match self {
            Rows::Time(rows) => Box::new(rows.iter().map(|row| row as &dyn Row)),
            Rows::Instructions(rows) => Box::new(rows.iter().map(|row| row as &dyn Row)),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl RegressReport {
    /// A report of `benchmarks` against commit `baseline_sha`, with the lane's extras empty;
    /// [`finish`](Self::finish) once the lanes are in.
    fn new(config: &Config, baseline_source: String, baseline_sha: &str, benchmarks: Rows) -> Self {
        Self {
            lanes: config.lanes,
            baseline: config.baseline.clone(),
            baseline_source,
            baseline_sha: baseline_sha.to_owned(),
            candidate_sha: candidate_sha(&config.paths.root),
            host_warning: None,
            geometric_mean_ratio: None,
            exit_code: EXIT_OK,
            benchmarks,
            memory: Vec::new(),
            turns: Vec::new(),
            rounds_run: None,
            engine: None,
            judging: None,
            budget_s: None,
            budget_exhausted: false,
            elapsed_s: 0.0,
            rounds: BTreeMap::new(),
            throughput: BTreeMap::new(),
            lane_errors: Vec::new(),
        }
    }

    /// Every lane's verdicts: the benchmarks' rows, then the memory rows.
    pub fn verdicts(&self) -> impl Iterator<Item = Verdict> + '_ {
        (self.benchmarks.iter().map(|row| row.verdict()))
            .chain(self.memory.iter().map(|row| row.verdict))
    }

    /// The geometric mean of the rows' ratios, and the exit code of every lane's verdicts
    /// ([`exit_code_for`]), or [`EXIT_UNUSABLE`] when a lane could not run.
    fn finish(&mut self, strict: bool) {
        let ratios: Vec<f64> = self
            .benchmarks
            .iter()
            .filter_map(|row| row.ratio())
            .collect();
        self.geometric_mean_ratio = stats::geometric_mean(&ratios);
        self.exit_code = if self.lane_errors.is_empty() {
            exit_code_for(&self.verdicts().collect::<Vec<_>>(), strict)
        } else {
            EXIT_UNUSABLE
        };
    }
}

/// Resolves `name` to a commit; a name that is only a saved snapshot is refused with the
/// reason (a snapshot cannot be gated on).
pub fn resolve_commit(
    root: &std::path::Path,
    out: &std::path::Path,
    name: &str,
) -> Result<String, InputError> {
    let sha = (!name.starts_with('-'))
        .then(|| {
            git_output(
                root,
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("{name}^{{commit}}"),
                ],
            )
        })
        .flatten();
    sha.ok_or_else(|| InputError::BaselineNotFound {
        name: name.to_owned(),
        snapshot: Snapshot::path(out, name),
    })
}

/// Runs the command: [`compare`], then the report written and printed.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let report = compare(config)?;
    emit(config, &report)
}

/// Holds `regress.lock` in `out` for as long as it lives: one comparison at a time per target
/// folder, since two would share its builds, worktrees and cores.
#[derive(Debug)]
pub struct RunLock(#[allow(dead_code, reason = "held for its lock")] fs::File);

impl RunLock {
    /// Takes the lock, or says which run holds it.
    pub fn take(out: &std::path::Path) -> anyhow::Result<Self> {
        fs::create_dir_all(out)?;
        let path = out.join("regress.lock");
        let file = fs::File::create(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Self(file)),
            Err(fs::TryLockError::WouldBlock) => Err(InputError::Busy(path).into()),
            Err(fs::TryLockError::Error(error)) => Err(error.into()),
        }
    }
}

/// Builds both sides and runs the lanes; the report, not yet written anywhere.
pub fn compare(config: &Config) -> anyhow::Result<RegressReport> {
    let _lock = RunLock::take(&config.paths.out)?;
    let mut regress_config = RegressConfig::load(&config.config_file)?;
    if let Some(threshold) = config.threshold {
        regress_config.default_threshold = threshold;
    }
    if config.lanes == Lanes::Instructions {
        icount_lane::require_valgrind()?;
    }
    let sha = resolve_commit(&config.paths.root, &config.paths.out, &config.baseline)?;
    let described = format!("git ref `{}` = commit {}", config.baseline, short_sha(&sha));
    eprintln!("baseline: {described}");
    let builds = Builds::of(config, &regress_config, &sha)?;
    let mut report = if config.lanes == Lanes::Instructions {
        let started = std::time::Instant::now();
        let mut rows = icount_lane::compare_builds(
            &builds.baseline,
            &builds.candidate,
            &builds.ids,
            config.icount_runs,
            config.icount_threshold,
            &config.paths.out.join("icount"),
        )?;
        rows.extend(one_sided_rows(&builds, |id, verdict, note| {
            InstructionRow {
                note: note.to_owned(),
                ..InstructionRow::new(id, verdict, 0.0)
            }
        }));
        let mut report = RegressReport::new(config, described, &sha, Rows::Instructions(rows));
        report.elapsed_s = started.elapsed().as_secs_f64();
        report
    } else {
        measured_lanes(config, &regress_config, &builds, &sha, described)?
    };
    report.finish(config.strict);
    Ok(report)
}

/// Writes `regress.json`, `regress.md` and `regress.bmf.json`, prints the chosen format.
fn emit(config: &Config, report: &RegressReport) -> anyhow::Result<ExitCode> {
    fs::create_dir_all(&config.paths.out)?;
    let bmf = bmf::export(report);
    write_atomically(
        &config.paths.out.join("regress.json"),
        serde_json::to_string_pretty(report)?.as_bytes(),
    )?;
    write_atomically(
        &config.paths.out.join("regress.md"),
        render_markdown(report).as_bytes(),
    )?;
    write_atomically(
        &config.paths.out.join("regress.bmf.json"),
        serde_json::to_string_pretty(&bmf)?.as_bytes(),
    )?;
    match config.format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(report)?),
        OutputFormat::Markdown => println!("{}", render_markdown(report)),
        OutputFormat::Table => println!("{}", render_table(report)),
        OutputFormat::Bmf => println!("{}", serde_json::to_string_pretty(&bmf)?),
    }
    eprintln!(
        "report: {} (also regress.md, regress.bmf.json)",
        config.paths.out.join("regress.json").display()
    );
    Ok(ExitCode::from(report.exit_code))
}

fn candidate_sha(root: &std::path::Path) -> String {
    let git = GitInfo::of(root);
    format!("{}{}", git.sha, if git.dirty { "-dirty" } else { "" })
}

/// The ids both builds list for the filter: `(common, only_candidate, only_baseline)`.
fn selected_ids(
    baseline: &crate::suite::BuiltSuite,
    candidate: &crate::suite::BuiltSuite,
    filter: Option<&str>,
    regress_config: &RegressConfig,
) -> anyhow::Result<(Vec<String>, Vec<String>, Vec<String>)> {
    let candidate_ids = candidate.list(filter)?;
    let baseline_ids: BTreeSet<String> = baseline.list(filter)?.into_iter().collect();
    if candidate_ids.is_empty() && baseline_ids.is_empty() {
        return Err(InputError::NoBenchmarks(filter.unwrap_or_default().to_owned()).into());
    }
    let kept = |id: &&String| regress_config.threshold_for(id).is_some();
    let (common, only_candidate) =
        (candidate_ids.iter().filter(kept).cloned()).partition(|id| baseline_ids.contains(id));
    let only_baseline = (baseline_ids.iter().filter(kept))
        .filter(|id| !candidate_ids.contains(id))
        .cloned()
        .collect();
    Ok((common, only_candidate, only_baseline))
}

/// Each id's threshold: the configured one, raised to its calibrated noise floor.
fn thresholds(
    ids: &[String],
    regress_config: &RegressConfig,
    floors: &BTreeMap<String, f64>,
) -> BTreeMap<String, f64> {
    ids.iter()
        .filter_map(|id| {
            let configured = regress_config.threshold_for(id)?;
            let floor = floors.get(id).copied().unwrap_or(0.0);
            Some((id.clone(), configured.max(floor)))
        })
        .collect()
}

/// The rows of the benchmarks only one side has, built by the lane's `row(id, verdict, note)`.
fn one_sided_rows<R>(builds: &Builds, row: impl Fn(&str, Verdict, &str) -> R) -> Vec<R> {
    let only_candidate = builds.only_candidate.iter();
    (only_candidate.map(|id| row(id, Verdict::New, "not in the baseline")))
        .chain(
            (builds.only_baseline.iter()).map(|id| row(id, Verdict::Missing, "not in this tree")),
        )
        .collect()
}

/// Both lanes' builds and the benchmarks they share.
struct Builds {
    baseline: crate::suite::BuiltSuite,
    candidate: crate::suite::BuiltSuite,
    ids: Vec<String>,
    only_candidate: Vec<String>,
    only_baseline: Vec<String>,
}

impl Builds {
    /// Builds this tree and commit `sha` (exit 2 when the commit does not build) and lists the
    /// benchmarks the filter selects in each.
    fn of(config: &Config, regress_config: &RegressConfig, sha: &str) -> anyhow::Result<Self> {
        let candidate = build::candidate(&config.suite, &config.paths, config.progress)?;
        let baseline = build::baseline(
            &config.suite,
            &config.paths,
            sha,
            candidate.package_dir(),
            config.progress,
        )
        .map_err(|error| InputError::BaselineRun {
            reference: config.baseline.clone(),
            sha: sha.to_owned(),
            reason: format!("{error:#}"),
        })?;
        let (ids, only_candidate, only_baseline) = selected_ids(
            &baseline,
            &candidate,
            config.filter.as_deref(),
            regress_config,
        )?;
        Ok(Self {
            baseline,
            candidate,
            ids,
            only_candidate,
            only_baseline,
        })
    }
}

/// The time and memory lanes of `builds` (commit `sha` and this tree), in one report.
fn measured_lanes(
    config: &Config,
    regress_config: &RegressConfig,
    builds: &Builds,
    sha: &str,
    described: String,
) -> anyhow::Result<RegressReport> {
    let (baseline, candidate) = (&builds.baseline, &builds.candidate);
    let ids = builds.ids.clone();
    let mut report = RegressReport::new(config, described, sha, Rows::Time(Vec::new()));
    let mut benchmarks = Vec::new();
    if config.lanes.time() {
        let floors = variance::load_latest(&config.paths.out)
            .map(|summary| summary.floors())
            .unwrap_or_default();
        let plan = paired::PairedPlan {
            thresholds: thresholds(&ids, regress_config, &floors),
            floors,
            ids: ids.clone(),
            engine: config.engine,
            judging: config.judging,
            budget_s: config.budget_s,
            work_dir: config.paths.out.join("paired"),
            verbose: true,
            injection: config.injection.clone(),
        };
        eprintln!(
            "time lane: {} benchmarks in lock-step, {} rounds first, budget {:.0} s",
            plan.ids.len(),
            plan.judging.min_rounds,
            plan.budget_s
        );
        let result = paired::run(baseline, candidate, &plan)?;
        report.elapsed_s += result.elapsed_s;
        benchmarks = result.comparisons;
        report.rounds_run = Some(result.rounds_run);
        report.engine = Some(config.engine);
        report.judging = Some(config.judging);
        report.budget_s = Some(config.budget_s);
        report.budget_exhausted = result.budget_exhausted;
        report.rounds = result.rounds;
        report.throughput = result.throughput;
        report.turns = result.turns;
    }
    benchmarks.extend(one_sided_rows(builds, |id, verdict, note| {
        BenchmarkComparison {
            note: note.to_owned(),
            ..BenchmarkComparison::new(id, verdict, 0.0)
        }
    }));
    report.benchmarks = Rows::Time(benchmarks);
    if config.lanes.memory() {
        let memory_ids: Vec<String> = (ids.iter())
            .filter(|id| regress_config.in_memory_lane(id))
            .cloned()
            .collect();
        eprintln!("memory lane: {} benchmarks, both builds", memory_ids.len());
        match memory_lane::run(
            baseline,
            candidate,
            &memory_ids,
            config.memory_threshold,
            &config.paths.out.join("memory"),
        ) {
            Ok(result) => {
                eprintln!("memory lane: {:.0} s", result.elapsed_s);
                report.elapsed_s += result.elapsed_s;
                report.memory = result.rows;
            }
            // The time lane's verdicts stand; the run still fails as unusable (exit 2).
            Err(error) => {
                eprintln!("error: the memory lane could not run: {error:#}");
                report.lane_errors.push(format!("memory lane: {error:#}"));
            }
        }
    }
    Ok(report)
}

/// 1 for a confirmed regression, else 3 for undecided or missing benchmarks under `--strict`,
/// else 0.
pub fn exit_code_for(verdicts: &[Verdict], strict: bool) -> u8 {
    if verdicts.contains(&Verdict::Regressed) {
        EXIT_REGRESSED
    } else if strict && verdicts.iter().copied().any(Verdict::is_undecided) {
        EXIT_STRICT
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
mod tests;
