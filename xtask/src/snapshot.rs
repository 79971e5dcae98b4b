//! Our own record of a run (`target/llmkg-bench/<name>.json`) and the run history.
use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::Command,
    time::{SystemTime, UNIX_EPOCH},
};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::{
    criterion::{CriterionBenchmark, Estimate, Throughput},
    stats,
};

/// Version of the snapshot format; bump it when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// A complete, self-describing record of one benchmark run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always [`SCHEMA_VERSION`] when written by this xtask.
    pub schema_version: u32,
    /// The baseline name it was saved under.
    pub name: String,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix_s: u64,
    /// Seconds since the Unix epoch when the run finished.
    pub created_unix_s: u64,
    /// The code that was measured.
    pub git: GitInfo,
    /// `rustc --version` of the toolchain that built the suite.
    pub rustc: String,
    /// The Criterion version the suite was built with.
    pub criterion_version: String,
    /// The machine it ran on.
    pub host: Host,
    /// How Criterion was told to measure.
    pub settings: RunSettings,
    /// One record per benchmark, sorted by id.
    pub benchmarks: Vec<BenchmarkRecord>,
}

/// Git state of the measured tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitInfo {
    /// Commit SHA (`unknown` outside a repository).
    pub sha: String,
    /// Whether tracked files had uncommitted changes.
    pub dirty: bool,
    /// The branch, when on one.
    pub branch: Option<String>,
}

/// A host fingerprint: runs on different hosts are not comparable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// CPU model name from `/proc/cpuinfo` (`unknown` elsewhere).
    pub cpu_model: String,
    /// Logical cores available to the process.
    pub logical_cores: usize,
    /// Operating system.
    pub os: String,
    /// CPU architecture.
    pub arch: String,
}

/// The measurement settings passed to Criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    /// Whether this was a `--quick` smoke pass.
    pub quick: bool,
    /// The benchmark filter, if any.
    pub filter: Option<String>,
    /// Warm-up time per benchmark, when overridden.
    pub warm_up_s: Option<f64>,
    /// Measurement time per benchmark, when overridden.
    pub measurement_s: Option<f64>,
    /// Samples per benchmark, when overridden.
    pub sample_size: Option<usize>,
}

/// One benchmark's samples and summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkRecord {
    /// `group/function/value`.
    pub id: String,
    /// The group id.
    pub group: String,
    /// The function id.
    pub function: Option<String>,
    /// The parameter.
    pub value: Option<String>,
    /// Declared work per iteration.
    pub throughput: Option<Throughput>,
    /// Iterations in each sample.
    pub iters: Vec<f64>,
    /// Per-iteration time of each sample, ns.
    pub samples_ns: Vec<f64>,
    /// Median of `samples_ns`.
    pub median_ns: f64,
    /// Criterion's mean with its bootstrap confidence interval.
    pub mean: Estimate,
    /// Criterion's median with its bootstrap confidence interval.
    pub median_ci: Estimate,
    /// Sample standard deviation of `samples_ns`.
    pub std_dev_ns: f64,
    /// Coefficient of variation of `samples_ns`.
    pub cv: f64,
    /// Work per second at the median time, when a throughput was declared.
    pub throughput_per_s: Option<f64>,
}

impl BenchmarkRecord {
    /// Summarises one Criterion benchmark.
    pub fn from_criterion(benchmark: CriterionBenchmark) -> Self {
        let median_ns = stats::median(&benchmark.per_iteration_ns).unwrap_or(f64::NAN);
        let cv = stats::coefficient_of_variation(&benchmark.per_iteration_ns).unwrap_or(0.0);
        let std_dev_ns = stats::mean(&benchmark.per_iteration_ns).map_or(0.0, |mean| cv * mean);
        let throughput_per_s = benchmark
            .throughput
            .filter(|_| median_ns > 0.0)
            .map(|t| t.per_iteration() as f64 * 1e9 / median_ns);
        Self {
            id: benchmark.id,
            group: benchmark.group,
            function: benchmark.function,
            value: benchmark.value,
            throughput: benchmark.throughput,
            iters: benchmark.iters,
            samples_ns: benchmark.per_iteration_ns,
            median_ns,
            mean: benchmark.mean,
            median_ci: benchmark.median,
            std_dev_ns,
            cv,
            throughput_per_s,
        }
    }
}

impl Snapshot {
    /// The snapshot file of baseline `name` inside `dir`.
    pub fn path(dir: &Path, name: &str) -> PathBuf {
        dir.join(format!("{name}.json"))
    }

    /// Looks a benchmark up by id.
    pub fn get(&self, id: &str) -> Option<&BenchmarkRecord> {
        self.benchmarks
            .binary_search_by(|record| record.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.benchmarks[index])
    }

    /// Writes the snapshot atomically (temporary file, fsync, rename).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        write_atomically(path, text.as_bytes())
    }

    /// Appends a one-line summary of this run to `history.jsonl`.
    pub fn append_history(&self, history: &Path) -> anyhow::Result<()> {
        let medians: serde_json::Map<String, serde_json::Value> = self
            .benchmarks
            .iter()
            .map(|record| (record.id.clone(), serde_json::json!(record.median_ns)))
            .collect();
        let line = serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "created_unix_s": self.created_unix_s,
            "git": self.git,
            "host": self.host,
            "quick": self.settings.quick,
            "median_ns": medians,
        });
        if let Some(parent) = history.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(history)
            .with_context(|| format!("opening {}", history.display()))?;
        writeln!(file, "{line}")?;
        Ok(())
    }
}

/// Writes `bytes` to `path` through the workspace's one file layer (`llmkg-filefmt`): a unique
/// temporary file in the same folder, fsynced, renamed over `path`, then the folder fsynced, so
/// concurrent writers and a killed process never leave a torn or missing file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    llmkg_filefmt::write_atomically(path, bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Seconds since the Unix epoch.
pub fn now_unix_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl GitInfo {
    /// Reads the state of the repository containing `dir`.
    pub fn of(dir: &Path) -> Self {
        let sha = git_output(dir, &["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
        let dirty = git_output(dir, &["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|status| !status.is_empty());
        let branch = git_output(dir, &["rev-parse", "--abbrev-ref", "HEAD"])
            .filter(|branch| branch != "HEAD");
        Self { sha, dirty, branch }
    }
}

/// Runs git in `dir`, returning trimmed stdout on success.
pub fn git_output(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

impl Host {
    /// Fingerprints this machine.
    pub fn current() -> Self {
        let cpu_model = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|line| line.starts_with("model name"))
                    .and_then(|line| line.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        Self {
            cpu_model,
            logical_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
        }
    }
}

/// `rustc --version`, or `unknown`.
pub fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map_or_else(
            || "unknown".to_owned(),
            |output| String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        )
}
