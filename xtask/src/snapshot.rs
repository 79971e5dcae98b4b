//! What `cargo xtask bench` saves of a run (`target/llmkg-bench/<name>.json`, the run
//! history), and the git, host and toolchain facts every report names.
use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::Command,
    time::{SystemTime, UNIX_EPOCH},
};

use anyhow::Context;
use bench_scorecard::BenchmarkResult;
use serde::{Deserialize, Serialize};

/// Version of the snapshot format; bump it when a field changes meaning (2: a benchmark is the
/// scorecard's `BenchmarkResult`).
pub const SCHEMA_VERSION: u32 = 2;

/// A complete, self-describing record of one benchmark run.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// One result per benchmark, sorted by id.
    pub benchmarks: Vec<BenchmarkResult>,
}

/// Git state of the measured tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitInfo {
    /// Commit SHA (`unknown` outside a repository).
    pub sha: String,
    /// Whether the tree had uncommitted changes or untracked files (ignored ones aside).
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

impl Snapshot {
    /// The snapshot file of baseline `name` inside `dir`.
    pub fn path(dir: &Path, name: &str) -> PathBuf {
        dir.join(format!("{name}.json"))
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
            .map(|result| (result.full_id.clone(), serde_json::json!(result.median_ns)))
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
        // Untracked files count: a new source file changes what is built.
        let dirty =
            git_output(dir, &["status", "--porcelain"]).is_some_and(|status| !status.is_empty());
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

#[cfg(test)]
pub(crate) mod tests;
