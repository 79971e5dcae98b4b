//! `cargo xtask regress`: compare a fresh run with a baseline, confirm regressions, set the exit code.
use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use anyhow::Context;
use regex::Regex;
use serde::Serialize;

use crate::{
    compare::{self, BenchmarkComparison, CompareConfig, Verdict},
    error::InputError,
    measure::{MeasureConfig, measure},
    paths::Paths,
    report::{format_change, short_sha},
    snapshot::{Snapshot, git_output},
    suite::{Suite, Timing, exact_filter},
};

mod config;
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
}

/// What `cargo xtask regress` was asked to do.
#[derive(Debug)]
pub struct Config {
    /// Snapshot name or git ref.
    pub baseline: String,
    /// `--threshold`, replacing the configured default.
    pub threshold: Option<String>,
    /// Output format.
    pub format: OutputFormat,
    /// Exit 3 on noisy or missing benchmarks.
    pub strict: bool,
    /// Measurement settings.
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
}

/// Exit code: no regression.
pub const EXIT_OK: u8 = 0;
/// Exit code: a regression that repeated on a re-run.
pub const EXIT_REGRESSED: u8 = 1;
/// Exit code: noisy or missing benchmarks under `--strict`.
pub const EXIT_STRICT: u8 = 3;

/// The comparison as printed and saved.
#[derive(Debug, Serialize)]
pub struct RegressReport {
    /// Baseline name and commit.
    pub baseline: String,
    /// Baseline commit.
    pub baseline_sha: String,
    /// Candidate commit (with `-dirty` when the tree had changes).
    pub candidate_sha: String,
    /// Host fingerprint warning, if the hosts differ.
    pub host_warning: Option<String>,
    /// One entry per benchmark.
    pub benchmarks: Vec<BenchmarkComparison>,
    /// Geometric mean of the median ratios.
    pub geometric_mean_ratio: Option<f64>,
    /// Exit code this report leads to.
    pub exit_code: u8,
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

    let (mut baseline, baseline_commit) = resolve_baseline(config)?;
    if let Some(filter) = &filter {
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
        // A baseline commit is measured again too, right before the candidate, so that a
        // change in the machine's load between the first runs cannot confirm itself.
        let baseline_rerun = match &baseline_commit {
            Some(sha) => Some(measure_commit(config, sha, Some(filter.clone())).map_err(
                |error| InputError::BaselineRun {
                    reference: config.baseline.clone(),
                    sha: sha.clone(),
                    reason: format!("{error:#}"),
                },
            )?),
            None => None,
        };
        let rerun = measure(&candidate_measure(config, "regress-confirm", Some(filter)))?;
        let wanted: BTreeSet<&str> = regressed.iter().map(String::as_str).collect();
        let confirm_threshold = |id: &str| {
            if wanted.contains(id) {
                regress_config.threshold_for(id)
            } else {
                None
            }
        };
        let mut confirm_baseline = baseline_rerun.unwrap_or_else(|| baseline.clone());
        confirm_baseline
            .benchmarks
            .retain(|record| wanted.contains(record.id.as_str()));
        let confirmations = compare::compare(&confirm_baseline, &rerun, &confirm_threshold, &stats);
        apply_confirmations(&mut comparisons, &confirmations);
    }

    let exit_code = exit_code_for(&comparisons, config.strict);
    let report = RegressReport {
        baseline: config.baseline.clone(),
        baseline_sha: baseline.git.sha.clone(),
        candidate_sha: format!(
            "{}{}",
            candidate.git.sha,
            if candidate.git.dirty { "-dirty" } else { "" }
        ),
        host_warning,
        geometric_mean_ratio: compare::geometric_mean_ratio(&comparisons),
        benchmarks: comparisons,
        exit_code,
    };
    fs::create_dir_all(&config.paths.out)?;
    fs::write(
        config.paths.out.join("regress.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    fs::write(
        config.paths.out.join("regress.md"),
        render_markdown(&report),
    )?;
    match config.format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        OutputFormat::Markdown => println!("{}", render_markdown(&report)),
        OutputFormat::Table => println!("{}", render_table(&report)),
    }
    Ok(ExitCode::from(exit_code))
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

/// 1 for a confirmed regression, else 3 for noise or missing benchmarks under `--strict`, else 0.
pub fn exit_code_for(comparisons: &[BenchmarkComparison], strict: bool) -> u8 {
    if comparisons.iter().any(|c| c.verdict == Verdict::Regressed) {
        EXIT_REGRESSED
    } else if strict
        && comparisons
            .iter()
            .any(|c| matches!(c.verdict, Verdict::Noisy | Verdict::Missing))
    {
        EXIT_STRICT
    } else {
        EXIT_OK
    }
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

/// A snapshot of that name; else a git ref, measured in a worktree (cached by SHA, returned
/// with the snapshot); else exit 2.
fn resolve_baseline(config: &Config) -> anyhow::Result<(Snapshot, Option<String>)> {
    let name = &config.baseline;
    let snapshot_path = Snapshot::path(&config.paths.out, name);
    let is_plain_name = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
    if is_plain_name && snapshot_path.exists() {
        return Ok((Snapshot::load(&snapshot_path)?, None));
    }
    let Some(sha) = git_output(
        &config.paths.root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{name}^{{commit}}"),
        ],
    ) else {
        return Err(InputError::BaselineNotFound {
            name: name.clone(),
            snapshot: snapshot_path,
        }
        .into());
    };
    let cache = config.paths.out.join("cache").join(format!("{sha}.json"));
    if cache.exists() {
        match Snapshot::load(&cache) {
            Ok(snapshot) => {
                eprintln!("baseline `{name}`: cached run of {}", short_sha(&sha));
                return Ok((snapshot, Some(sha)));
            }
            Err(error) => eprintln!("warning: ignoring the cached baseline: {error}"),
        }
    }
    eprintln!(
        "baseline `{name}`: no snapshot; benchmarking commit {} in a git worktree",
        short_sha(&sha)
    );
    let snapshot = measure_commit(config, &sha, config.filter.clone()).map_err(|error| {
        InputError::BaselineRun {
            reference: name.clone(),
            sha: sha.clone(),
            reason: format!("{error:#}"),
        }
    })?;
    snapshot.save(&cache)?;
    Ok((snapshot, Some(sha)))
}

fn measure_commit(config: &Config, sha: &str, filter: Option<String>) -> anyhow::Result<Snapshot> {
    let worktree = config.paths.out.join("worktrees").join(short_sha(sha));
    if worktree.exists() {
        remove_worktree(&config.paths.root, &worktree);
    }
    let status = Command::new("git")
        .arg("-C")
        .arg(&config.paths.root)
        .args(["worktree", "add", "--detach"])
        .arg(&worktree)
        .arg(sha)
        .output()
        .context("running git worktree add")?;
    if !status.status.success() {
        anyhow::bail!(
            "git worktree add failed: {}",
            String::from_utf8_lossy(&status.stderr).trim()
        );
    }
    let manifest = worktree.join(
        config
            .suite
            .manifest_path
            .strip_prefix(&config.paths.root)
            .unwrap_or(Path::new("Cargo.toml")),
    );
    let name = format!("commit-{}", short_sha(sha));
    let result = measure(&MeasureConfig {
        suite: Suite {
            manifest_path: manifest,
            ..config.suite.clone()
        },
        filter,
        timing: config.timing,
        name: name.clone(),
        // One target folder for every baseline commit keeps rebuilds incremental.
        target_dir: config.paths.out.join("worktree-target"),
        criterion_home: config.paths.out.join("worktree-criterion"),
        html: false,
        progress: config.progress,
        show_build: config.progress,
        log_file: config.paths.out.join("logs").join(format!("{name}.log")),
        git_dir: worktree.clone(),
    });
    remove_worktree(&config.paths.root, &worktree);
    result
}

fn remove_worktree(root: &Path, worktree: &Path) {
    let removed = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["worktree", "remove", "--force"])
        .arg(worktree)
        .status()
        .is_ok_and(|status| status.success());
    if !removed {
        let _ = fs::remove_dir_all(worktree);
        let _ = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["worktree", "prune"])
            .status();
    }
}

#[cfg(test)]
mod tests;
