//! `cargo xtask regress`: compare with a baseline, confirm changes, set the exit code.
//!
//! A git ref is measured paired (both builds, interleaved rounds; see [`crate::paired`]); a
//! saved snapshot is compared unpaired (a fresh run against stored samples) and never gates;
//! `--icount` compares callgrind instruction counts of both builds.
use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::PathBuf,
    process::ExitCode,
};

use anyhow::Context;
use regex::Regex;
use serde::Serialize;

use crate::{
    compare::{self, BenchmarkComparison, CompareConfig, Verdict},
    error::InputError,
    measure::{MeasureConfig, measure},
    paired::{EngineConfig, verdict::Judging},
    paths::Paths,
    report::{format_change, short_sha},
    snapshot::{GitInfo, Snapshot, git_output, write_atomically},
    suite::{Suite, Timing, exact_filter},
    variance,
};

pub mod bmf;
pub mod build;
mod config;
mod icount_lane;
pub mod paired;
mod render;

pub use config::{RegressConfig, parse_threshold};
pub use render::{render_markdown, render_table};

/// How to print the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug)]
pub struct Config {
    /// Snapshot name or git ref.
    pub baseline: String,
    /// Treat `baseline` as a saved snapshot even when a git ref has that name.
    pub snapshot: bool,
    /// `--threshold`, replacing the configured default.
    pub threshold: Option<String>,
    /// Output format.
    pub format: OutputFormat,
    /// Exit 3 on inconclusive, noisy or missing benchmarks.
    pub strict: bool,
    /// Measurement settings of an unpaired run.
    pub timing: Timing,
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
    /// Compare instruction counts instead of time.
    pub icount: bool,
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

/// The comparison as printed and saved.
#[derive(Debug, Serialize)]
pub struct RegressReport {
    /// `paired`, `unpaired` or `icount`.
    pub mode: &'static str,
    /// The baseline as given.
    pub baseline: String,
    /// How the baseline was resolved (git ref or snapshot, and what else had that name).
    pub baseline_source: String,
    /// Baseline commit.
    pub baseline_sha: String,
    /// Candidate commit (with `-dirty` when the tree had changes).
    pub candidate_sha: String,
    /// Host fingerprint warning, if the hosts differ.
    pub host_warning: Option<String>,
    /// One entry per benchmark.
    pub benchmarks: Vec<BenchmarkComparison>,
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
    /// Exit code this report leads to.
    pub exit_code: u8,
}

impl RegressReport {
    /// A report of `benchmarks` against commit or snapshot `baseline_sha`, with the lane's
    /// extras empty and the exit code from the verdicts.
    fn new(
        mode: &'static str,
        config: &Config,
        baseline_source: String,
        baseline_sha: String,
        candidate_sha: String,
        benchmarks: Vec<BenchmarkComparison>,
        elapsed_s: f64,
    ) -> Self {
        Self {
            mode,
            baseline: config.baseline.clone(),
            baseline_source,
            baseline_sha,
            candidate_sha,
            host_warning: None,
            geometric_mean_ratio: compare::geometric_mean_ratio(&benchmarks),
            exit_code: exit_code_for(&benchmarks, config.strict),
            benchmarks,
            rounds_run: None,
            engine: None,
            judging: None,
            budget_s: None,
            budget_exhausted: false,
            elapsed_s,
            rounds: BTreeMap::new(),
            throughput: BTreeMap::new(),
        }
    }
}

/// Where a baseline comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineSource {
    /// A git ref resolved to this commit; `shadowed` when a snapshot has the same name.
    Commit {
        /// The commit.
        sha: String,
        /// A snapshot of the same name exists and was not used.
        shadowed: bool,
    },
    /// A saved snapshot file.
    Snapshot(PathBuf),
}

/// A git ref wins over a snapshot of the same name, unless `--snapshot` asks for the snapshot.
pub fn resolve_source(
    root: &std::path::Path,
    out: &std::path::Path,
    name: &str,
    prefer_snapshot: bool,
) -> Result<BaselineSource, InputError> {
    let snapshot_path = Snapshot::path(out, name);
    let is_plain_name = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
    let snapshot_exists = is_plain_name && snapshot_path.is_file();
    if prefer_snapshot {
        return if snapshot_exists {
            Ok(BaselineSource::Snapshot(snapshot_path))
        } else {
            Err(InputError::BaselineNotFound {
                name: name.to_owned(),
                snapshot: snapshot_path,
            })
        };
    }
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
    match sha {
        Some(sha) => Ok(BaselineSource::Commit {
            sha,
            shadowed: snapshot_exists,
        }),
        None if snapshot_exists => Ok(BaselineSource::Snapshot(snapshot_path)),
        None => Err(InputError::BaselineNotFound {
            name: name.to_owned(),
            snapshot: snapshot_path,
        }),
    }
}

/// Runs the command.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let mut regress_config = RegressConfig::load(&config.config_file)?;
    if let Some(threshold) = &config.threshold {
        regress_config.default_threshold = parse_threshold(threshold)?;
    }
    let filter = config
        .filter
        .as_deref()
        .map(|text| Regex::new(text).with_context(|| format!("invalid --filter regex `{text}`")))
        .transpose()?;
    if config.icount {
        crate::icount::require_valgrind()?;
    }
    let source = resolve_source(
        &config.paths.root,
        &config.paths.out,
        &config.baseline,
        config.snapshot,
    )?;
    let report = match source {
        BaselineSource::Commit { sha, shadowed } => {
            let described = format!(
                "git ref `{}` = commit {}{}",
                config.baseline,
                short_sha(&sha),
                if shadowed {
                    format!(
                        "; a saved snapshot `{}` also exists and was not used \
                         (--snapshot compares with it, unpaired)",
                        config.baseline
                    )
                } else {
                    String::new()
                }
            );
            eprintln!("baseline: {described}");
            if config.icount {
                icount_lane::run(config, &regress_config, &sha, described)?
            } else {
                paired_lane(config, &regress_config, &sha, described)?
            }
        }
        BaselineSource::Snapshot(path) => {
            if config.icount {
                anyhow::bail!(
                    "--icount compares two builds and needs a git ref, not the snapshot {}",
                    path.display()
                );
            }
            let described = format!(
                "saved snapshot {} (unpaired: a fresh run against stored samples; \
                 it never fails the gate on its own)",
                path.display()
            );
            eprintln!("baseline: {described}");
            unpaired_lane(config, &regress_config, filter.as_ref(), &path, described)?
        }
    };
    emit(config, &report)
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
    let candidate_set: BTreeSet<&String> = candidate_ids.iter().collect();
    let kept = |id: &String| regress_config.threshold_for(id).is_some();
    let common = candidate_ids
        .iter()
        .filter(|id| baseline_ids.contains(*id) && kept(id))
        .cloned()
        .collect();
    let only_candidate = candidate_ids
        .iter()
        .filter(|id| !baseline_ids.contains(*id) && kept(id))
        .cloned()
        .collect();
    let only_baseline = baseline_ids
        .iter()
        .filter(|id| !candidate_set.contains(id) && kept(id))
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

fn one_sided_rows(only_candidate: &[String], only_baseline: &[String]) -> Vec<BenchmarkComparison> {
    only_candidate
        .iter()
        .map(|id| BenchmarkComparison {
            note: "not in the baseline".to_owned(),
            ..BenchmarkComparison::new(id, Verdict::New, 0.0)
        })
        .chain(only_baseline.iter().map(|id| BenchmarkComparison {
            note: "not in this tree".to_owned(),
            ..BenchmarkComparison::new(id, Verdict::Missing, 0.0)
        }))
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

fn paired_lane(
    config: &Config,
    regress_config: &RegressConfig,
    sha: &str,
    described: String,
) -> anyhow::Result<RegressReport> {
    let builds = Builds::of(config, regress_config, sha)?;
    let (baseline, candidate) = (&builds.baseline, &builds.candidate);
    let (ids, only_candidate, only_baseline) = (
        builds.ids.clone(),
        builds.only_candidate.clone(),
        builds.only_baseline.clone(),
    );
    let floors = variance::load_latest(&config.paths.out)
        .map(|summary| summary.floors())
        .unwrap_or_default();
    let plan = paired::PairedPlan {
        thresholds: thresholds(&ids, regress_config, &floors),
        floors,
        ids,
        engine: config.engine,
        judging: config.judging,
        budget_s: config.budget_s,
        work_dir: config.paths.out.join("paired"),
        verbose: true,
    };
    eprintln!(
        "paired: {} benchmarks, {} rounds first, budget {:.0} s",
        plan.ids.len(),
        plan.judging.min_rounds,
        plan.budget_s
    );
    let result = paired::run(baseline, candidate, &plan)?;
    let mut benchmarks = result.comparisons;
    benchmarks.extend(one_sided_rows(&only_candidate, &only_baseline));
    Ok(RegressReport {
        rounds_run: Some(result.rounds_run),
        engine: Some(config.engine),
        judging: Some(config.judging),
        budget_s: Some(config.budget_s),
        budget_exhausted: result.budget_exhausted,
        rounds: result.rounds,
        throughput: result.throughput,
        ..RegressReport::new(
            "paired",
            config,
            described,
            sha.to_owned(),
            candidate_sha(&config.paths.root),
            benchmarks,
            result.elapsed_s,
        )
    })
}

fn unpaired_lane(
    config: &Config,
    regress_config: &RegressConfig,
    filter: Option<&Regex>,
    snapshot_path: &std::path::Path,
    described: String,
) -> anyhow::Result<RegressReport> {
    let started = std::time::Instant::now();
    let mut baseline = Snapshot::load(snapshot_path)?;
    if let Some(filter) = filter {
        baseline
            .benchmarks
            .retain(|record| filter.is_match(&record.id));
    }
    let candidate = measure(&candidate_measure(
        config,
        "regress-candidate",
        config.filter.clone(),
    ))?;
    // Kept, so the same run can serve as a baseline or be inspected later.
    candidate.save(&Snapshot::path(&config.paths.out, &candidate.name))?;
    candidate.append_history(&config.paths.out.join("history.jsonl"))?;
    let host_warning = (baseline.host != candidate.host).then(|| {
        format!(
            "the baseline ran on another host ({}, {} cores) than this run ({}, {} cores): \
             differences may be the machine, not the code",
            baseline.host.cpu_model,
            baseline.host.logical_cores,
            candidate.host.cpu_model,
            candidate.host.logical_cores
        )
    });
    if let Some(warning) = &host_warning {
        eprintln!("warning: {warning}");
    }
    if baseline.settings.quick != candidate.settings.quick {
        eprintln!(
            "warning: the baseline was measured {} and this run {}: \
             compare runs made with the same settings",
            if baseline.settings.quick {
                "with --quick"
            } else {
                "in full"
            },
            if candidate.settings.quick {
                "with --quick"
            } else {
                "in full"
            },
        );
    }

    let stats = CompareConfig::default();
    let threshold_for = |id: &str| regress_config.threshold_for(id);
    let mut comparisons = compare::compare(&baseline, &candidate, &threshold_for, &stats);

    let regressed: Vec<String> = comparisons
        .iter()
        .filter(|c| c.verdict == Verdict::Regressed)
        .map(|c| c.id.clone())
        .collect();
    if !regressed.is_empty() {
        eprintln!(
            "{} benchmark(s) regressed; re-running them to confirm: {}",
            regressed.len(),
            regressed.join(", ")
        );
        let filter = exact_filter(regressed.iter().map(String::as_str));
        let rerun = measure(&candidate_measure(config, "regress-confirm", Some(filter)))?;
        let wanted: BTreeSet<&str> = regressed.iter().map(String::as_str).collect();
        let confirm_threshold = |id: &str| {
            if wanted.contains(id) {
                regress_config.threshold_for(id)
            } else {
                None
            }
        };
        let mut confirm_baseline = baseline.clone();
        confirm_baseline
            .benchmarks
            .retain(|record| wanted.contains(record.id.as_str()));
        let confirmations = compare::compare(&confirm_baseline, &rerun, &confirm_threshold, &stats);
        apply_confirmations(&mut comparisons, &confirmations);
    }
    let exit_code = if exit_code_for(&comparisons, false) == EXIT_REGRESSED {
        eprintln!(
            "warning: regressions against a saved snapshot are reported but do not fail the \
             gate (exit 0): an unpaired comparison cannot tell the code from the machine's \
             load; compare with a git ref for a paired verdict"
        );
        if config.strict && comparisons.iter().any(|c| is_undecided(c.verdict)) {
            EXIT_STRICT
        } else {
            EXIT_OK
        }
    } else {
        exit_code_for(&comparisons, config.strict)
    };
    let throughput = candidate
        .benchmarks
        .iter()
        .filter_map(|record| Some((record.id.clone(), record.throughput?)))
        .collect();
    Ok(RegressReport {
        host_warning,
        throughput,
        exit_code,
        ..RegressReport::new(
            "unpaired",
            config,
            described,
            baseline.git.sha.clone(),
            format!(
                "{}{}",
                candidate.git.sha,
                if candidate.git.dirty { "-dirty" } else { "" }
            ),
            comparisons,
            started.elapsed().as_secs_f64(),
        )
    })
}

/// Replaces each first-run REGRESSED verdict with what the re-run found.
pub fn apply_confirmations(
    comparisons: &mut [BenchmarkComparison],
    confirmations: &[BenchmarkComparison],
) {
    for comparison in comparisons
        .iter_mut()
        .filter(|c| c.verdict == Verdict::Regressed)
    {
        let second = confirmations.iter().find(|c| c.id == comparison.id);
        match second {
            Some(second) if second.verdict == Verdict::Regressed => {
                comparison.note = format!(
                    "{}; confirmed on re-run ({})",
                    comparison.note,
                    second.ratio.map(format_change).unwrap_or_default()
                );
            }
            _ => {
                comparison.verdict = Verdict::Noisy;
                comparison.note = format!(
                    "regressed at first ({}), not on re-run ({})",
                    comparison.ratio.map(format_change).unwrap_or_default(),
                    second
                        .and_then(|c| c.ratio)
                        .map_or_else(|| "no result".to_owned(), format_change)
                );
            }
        }
    }
}

/// 1 for a confirmed regression, else 3 for undecided or missing benchmarks under `--strict`,
/// else 0.
pub fn exit_code_for(comparisons: &[BenchmarkComparison], strict: bool) -> u8 {
    if comparisons.iter().any(|c| c.verdict == Verdict::Regressed) {
        EXIT_REGRESSED
    } else if strict && comparisons.iter().any(|c| is_undecided(c.verdict)) {
        EXIT_STRICT
    } else {
        EXIT_OK
    }
}

fn is_undecided(verdict: Verdict) -> bool {
    matches!(
        verdict,
        Verdict::Noisy | Verdict::Inconclusive | Verdict::Missing
    )
}

fn candidate_measure(config: &Config, name: &str, filter: Option<String>) -> MeasureConfig {
    MeasureConfig {
        suite: config.suite.clone(),
        filter,
        timing: config.timing,
        name: name.to_owned(),
        target_dir: config.paths.target.clone(),
        criterion_home: config.paths.criterion_home.clone(),
        html: false,
        progress: config.progress,
        show_build: config.progress,
        log_file: config.paths.out.join("logs").join(format!("{name}.log")),
        git_dir: config.paths.root.clone(),
    }
}

#[cfg(test)]
mod tests;
