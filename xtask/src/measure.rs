//! One measured run of a suite, turned into a [`Snapshot`]: build, run, read Criterion's files.
use std::path::PathBuf;

use bench_scorecard::{BenchmarkResult, SampleValues};

use crate::{
    criterion,
    snapshot::{GitInfo, Host, SCHEMA_VERSION, Snapshot, now_unix_s, rustc_version},
    suite::{RunConfig, Suite, Timing},
};

/// What to measure and where to put it.
#[derive(Debug, Clone)]
pub struct MeasureConfig {
    /// The bench target.
    pub suite: Suite,
    /// Criterion filter.
    pub filter: Option<String>,
    /// Measurement settings.
    pub timing: Timing,
    /// Baseline name (Criterion's and the snapshot's).
    pub name: String,
    /// Cargo target directory.
    pub target_dir: PathBuf,
    /// Criterion's output folder.
    pub criterion_home: PathBuf,
    /// Keep Criterion's HTML report and plots.
    pub html: bool,
    /// Show a progress bar.
    pub progress: bool,
    /// Show cargo's build output.
    pub show_build: bool,
    /// Where the run's log goes.
    pub log_file: PathBuf,
    /// The git checkout that was measured.
    pub git_dir: PathBuf,
}

/// Builds and runs the suite, then reads back exactly the benchmarks this run selected.
pub fn measure(config: &MeasureConfig) -> anyhow::Result<Snapshot> {
    let run_config = RunConfig {
        filter: config.filter.clone(),
        timing: config.timing,
        baseline: config.name.clone(),
        target_dir: config.target_dir.clone(),
        criterion_home: config.criterion_home.clone(),
        html: config.html,
        progress: config.progress,
        show_build: config.show_build,
        log_file: config.log_file.clone(),
    };
    let built = config.suite.build(&run_config)?;
    let started_unix_s = now_unix_s();
    let (ids, settings) = built.run(&run_config)?;
    let benchmarks: Vec<BenchmarkResult> = criterion::read(
        &config.criterion_home,
        &config.name,
        Some(&ids),
        SampleValues::Durations,
    )?
    .collect();
    let found: std::collections::BTreeSet<&str> = benchmarks
        .iter()
        .map(|result| result.full_id.as_str())
        .collect();
    let absent: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| !found.contains(id))
        .collect();
    if !absent.is_empty() {
        anyhow::bail!(
            "criterion saved no results under `{}` in {} for: {}",
            config.name,
            config.criterion_home.display(),
            absent.join(", ")
        );
    }
    Ok(Snapshot {
        schema_version: SCHEMA_VERSION,
        name: config.name.clone(),
        started_unix_s,
        created_unix_s: now_unix_s(),
        git: GitInfo::of(&config.git_dir),
        rustc: rustc_version(),
        criterion_version: built.criterion_version,
        host: Host::current(),
        settings,
        benchmarks,
    })
}
