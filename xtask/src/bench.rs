//! `cargo xtask bench`: build and run the suite, save it (Criterion baseline + snapshot),
//! report, score.
use std::{fs, path::Path, process::ExitCode};

use anyhow::Context;
use bench_scorecard::{CriterionResults, SampleValues};

use crate::{
    harness,
    paths::Paths,
    plot,
    report::{self, BenchReport},
    snapshot::{GitInfo, Host, SCHEMA_VERSION, Snapshot, git_output, now_unix_s, rustc_version},
    suite::{BuiltSuite, RunConfig, Suite, Timing},
    variance,
};

/// What `cargo xtask bench` was asked to do.
#[derive(Debug)]
pub struct Config {
    /// Measurement settings (`--quick` or the suite's own).
    pub timing: Timing,
    /// Criterion filter.
    pub filter: Option<String>,
    /// Baseline name; the git branch when `None`.
    pub save: Option<String>,
    /// Only list the selected benchmarks.
    pub list_only: bool,
    /// The suite.
    pub suite: Suite,
    /// Output locations.
    pub paths: Paths,
    /// Show a progress bar.
    pub progress: bool,
}

/// Wall-time budget of a `--quick` run's measurements.
pub const QUICK_BUDGET_S: f64 = 45.0;

/// The timing that `--quick` (with an optional budget override) selects.
pub fn timing(quick: bool, budget_s: Option<f64>) -> Timing {
    if quick {
        Timing::Quick {
            budget_s: budget_s.unwrap_or(QUICK_BUDGET_S),
        }
    } else {
        Timing::Suite
    }
}

/// Runs the command.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let name = match &config.save {
        Some(name) => name.clone(),
        None => default_baseline_name(&config.paths.root),
    };
    validate_name(&name)?;
    let built = config.suite.build(&config.paths.target, true)?;
    if config.list_only {
        for id in built.list(config.filter.as_deref())? {
            println!("{id}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let run_config = RunConfig {
        filter: config.filter.clone(),
        timing: config.timing,
        baseline: name.clone(),
        target_dir: config.paths.target.clone(),
        criterion_home: config.paths.criterion_home.clone(),
        html: true,
        progress: config.progress,
        log_file: (config.paths.out.join("logs")).join(format!("bench-{name}.log")),
    };
    let snapshot = measure(&built, &run_config, &config.paths.root)?;
    let snapshot_path = Snapshot::path(&config.paths.out, &name);
    snapshot.save(&snapshot_path)?;
    snapshot.append_history(&config.paths.out.join("history.jsonl"))?;

    let markdown = write_report(&snapshot, &config.paths)?;
    println!("{markdown}");
    eprintln!(
        "saved baseline `{name}`: {} and Criterion's `{name}` folders under {}",
        snapshot_path.display(),
        config.paths.criterion_home.display()
    );
    eprintln!("report: {}", config.paths.out.join("report.md").display());
    Ok(ExitCode::SUCCESS)
}

/// Runs the built suite, then reads back exactly the benchmarks this run selected.
fn measure(built: &BuiltSuite, config: &RunConfig, git_dir: &Path) -> anyhow::Result<Snapshot> {
    let started_unix_s = now_unix_s();
    let (ids, settings) = built.run(config)?;
    let results = CriterionResults::load_baseline(
        &config.criterion_home,
        &config.baseline,
        SampleValues::Durations,
    )?;
    let absent: Vec<&str> = (ids.iter().map(String::as_str))
        .filter(|id| results.get(id).is_none())
        .collect();
    if !absent.is_empty() {
        anyhow::bail!(
            "criterion saved no results under `{}` in {} for: {}",
            config.baseline,
            config.criterion_home.display(),
            absent.join(", ")
        );
    }
    Ok(Snapshot {
        schema_version: SCHEMA_VERSION,
        name: config.baseline.clone(),
        started_unix_s,
        created_unix_s: now_unix_s(),
        git: GitInfo::of(git_dir),
        rustc: rustc_version(),
        criterion_version: built.criterion_version.clone(),
        host: Host::current(),
        settings,
        benchmarks: results
            .into_results()
            .filter(|result| ids.contains(&result.full_id))
            .collect(),
    })
}

/// Evaluates the criteria, draws the plots and writes `report.md`; returns the Markdown.
pub fn write_report(snapshot: &Snapshot, paths: &Paths) -> anyhow::Result<String> {
    let variance = variance::load_latest(&paths.out);
    let evaluation = harness::evaluate(snapshot, paths, variance.as_ref());
    for warning in &evaluation.warnings {
        eprintln!("warning: {warning}");
    }
    let plots = plot::draw_report_plots(&evaluation, &paths.out);
    let criterion_html = paths.criterion_home.join("report").join("index.html");
    let criterion_html = criterion_html
        .is_file()
        .then(|| relative_to(&criterion_html, &paths.out));
    let markdown = report::markdown(&BenchReport {
        snapshot,
        scorecard: &evaluation.scorecard,
        growth: &evaluation.growth,
        plots: &plots,
        criterion_html,
    });
    fs::create_dir_all(&paths.out)?;
    let report_path = paths.out.join("report.md");
    fs::write(&report_path, &markdown)
        .with_context(|| format!("writing {}", report_path.display()))?;
    let json = serde_json::json!({
        "name": snapshot.name,
        "git": snapshot.git,
        "scorecard": evaluation.scorecard,
        "growth": evaluation.growth,
    });
    fs::write(
        paths.out.join("scorecard.json"),
        serde_json::to_string_pretty(&json)?,
    )?;
    Ok(markdown)
}

/// The current branch, or `HEAD-<sha>` when detached, or `local` outside git.
pub fn default_baseline_name(root: &Path) -> String {
    let git = GitInfo::of(root);
    match git.branch {
        Some(branch) => branch.replace('/', "-"),
        None => git_output(root, &["rev-parse", "--short=12", "HEAD"])
            .map_or_else(|| "local".to_owned(), |sha| format!("HEAD-{sha}")),
    }
}

/// Baseline names become folder and file names: keep them simple.
pub fn validate_name(name: &str) -> anyhow::Result<()> {
    let reserved = ["new", "base", "change", "report"];
    let valid = !name.is_empty()
        && !reserved.contains(&name)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if valid {
        Ok(())
    } else {
        anyhow::bail!(
            "invalid baseline name `{name}`: use letters, digits, `-`, `_` or `.`, \
             and none of Criterion's own folder names ({})",
            reserved.join(", ")
        )
    }
}

fn relative_to(path: &Path, base: &Path) -> String {
    let path_parts: Vec<_> = path.components().collect();
    let base_parts: Vec<_> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut relative: Vec<String> = vec!["..".to_owned(); base_parts.len() - common];
    relative.extend(
        path_parts[common..]
            .iter()
            .map(|part| part.as_os_str().to_string_lossy().into_owned()),
    );
    relative.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_names_are_checked() {
        assert!(validate_name("main").is_ok());
        assert!(validate_name("feature-x_1.2").is_ok());
        assert!(validate_name("new").is_err());
        assert!(validate_name("a/b").is_err());
        assert!(validate_name("").is_err());
        assert!(validate_name("..").is_err());
    }

    #[test]
    fn relative_paths_climb_out_of_the_report_folder() {
        assert_eq!(
            relative_to(
                Path::new("/w/target/criterion/report/index.html"),
                Path::new("/w/target/llmkg-bench")
            ),
            "../criterion/report/index.html"
        );
    }
}
