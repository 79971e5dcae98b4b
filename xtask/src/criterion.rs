//! Reads Criterion 0.8's on-disk output (`<id>/<baseline>/{benchmark,sample,estimates}.json`).
use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use crate::error::InputError;

/// The Criterion release series whose file layout this module parses.
pub const CRITERION_SERIES: &str = "0.8";

/// One benchmark as Criterion saved it under a baseline name.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionBenchmark {
    /// `group/function/value`, as Criterion prints it.
    pub id: String,
    /// The group id.
    pub group: String,
    /// The function id, if any.
    pub function: Option<String>,
    /// The parameter, if any.
    pub value: Option<String>,
    /// Work per iteration, if the benchmark declared it.
    pub throughput: Option<Throughput>,
    /// Iterations per sample.
    pub iters: Vec<f64>,
    /// Per-iteration time of each sample, in nanoseconds (`times / iters`).
    pub per_iteration_ns: Vec<f64>,
    /// Criterion's own mean estimate with its bootstrap interval.
    pub mean: Estimate,
    /// Criterion's own median estimate with its bootstrap interval.
    pub median: Estimate,
}

/// A point estimate with a confidence interval, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate.
    pub point_ns: f64,
    /// Lower bound of the interval.
    pub lower_ns: f64,
    /// Upper bound of the interval.
    pub upper_ns: f64,
    /// Confidence level of the interval (0.95 by default).
    pub confidence_level: f64,
}

/// Declared work per iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Throughput {
    /// Elements (items, nodes, exceptions) per iteration.
    Elements(u64),
    /// Bytes per iteration.
    Bytes(u64),
    /// Bits per iteration.
    Bits(u64),
}

impl Throughput {
    /// The amount of work per iteration.
    pub fn per_iteration(self) -> u64 {
        match self {
            Self::Elements(n) | Self::Bytes(n) | Self::Bits(n) => n,
        }
    }

    /// Unit name, for tables.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Elements(_) => "elem",
            Self::Bytes(_) => "B",
            Self::Bits(_) => "bit",
        }
    }
}

#[derive(Deserialize)]
struct RawBenchmark {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
    throughput: Option<RawThroughput>,
    full_id: String,
}

#[derive(Deserialize)]
enum RawThroughput {
    Bits(u64),
    Bytes(u64),
    BytesDecimal(u64),
    Elements(u64),
    ElementsAndBytes { elements: u64 },
}

#[derive(Deserialize)]
struct RawSample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

#[derive(Deserialize)]
struct RawEstimates {
    mean: RawEstimate,
    median: RawEstimate,
}

#[derive(Deserialize)]
struct RawEstimate {
    confidence_interval: RawInterval,
    point_estimate: f64,
}

#[derive(Deserialize)]
struct RawInterval {
    confidence_level: f64,
    lower_bound: f64,
    upper_bound: f64,
}

impl From<RawEstimate> for Estimate {
    fn from(raw: RawEstimate) -> Self {
        Self {
            point_ns: raw.point_estimate,
            lower_ns: raw.confidence_interval.lower_bound,
            upper_ns: raw.confidence_interval.upper_bound,
            confidence_level: raw.confidence_interval.confidence_level,
        }
    }
}

/// What a sample's values may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleValues {
    /// Durations: never negative.
    Durations,
    /// Counts that may be negative (the memory lane's bytes retained).
    Signed,
}

/// Reads one benchmark from the folder `dir` (`<criterion>/<id dirs>/<baseline>`), its samples
/// of the given kind.
pub fn read_benchmark_dir_with(
    dir: &Path,
    values: SampleValues,
) -> Result<CriterionBenchmark, InputError> {
    let raw: RawBenchmark = read_json(&dir.join("benchmark.json"))?;
    let sample_path = dir.join("sample.json");
    let sample: RawSample = read_json(&sample_path)?;
    let estimates: RawEstimates = read_json(&dir.join("estimates.json"))?;

    let corrupt = |reason: String| InputError::CorruptCriterion {
        path: sample_path.clone(),
        reason,
    };
    if sample.iters.is_empty() || sample.iters.len() != sample.times.len() {
        return Err(corrupt(format!(
            "{} iteration counts for {} times",
            sample.iters.len(),
            sample.times.len()
        )));
    }
    let mut per_iteration_ns = Vec::with_capacity(sample.iters.len());
    for (iters, time) in sample.iters.iter().zip(&sample.times) {
        let sign_ok = values == SampleValues::Signed || *time >= 0.0;
        if !(iters.is_finite() && *iters > 0.0 && time.is_finite() && sign_ok) {
            return Err(corrupt(format!(
                "invalid sample ({iters} iterations, {time} ns)"
            )));
        }
        per_iteration_ns.push(time / iters);
    }

    let throughput = raw.throughput.map(|raw| match raw {
        RawThroughput::Bits(n) => Throughput::Bits(n),
        RawThroughput::Bytes(n) | RawThroughput::BytesDecimal(n) => Throughput::Bytes(n),
        RawThroughput::Elements(n) | RawThroughput::ElementsAndBytes { elements: n } => {
            Throughput::Elements(n)
        }
    });
    Ok(CriterionBenchmark {
        id: raw.full_id,
        group: raw.group_id,
        function: raw.function_id,
        value: raw.value_str,
        throughput,
        iters: sample.iters,
        per_iteration_ns,
        mean: estimates.mean.into(),
        median: estimates.median.into(),
    })
}

/// Reads every benchmark saved under `baseline` below `criterion_home`, keeping only `ids`
/// when given (so stale folders of benchmarks that were not part of this run are skipped).
pub fn read_baseline(
    criterion_home: &Path,
    baseline: &str,
    ids: Option<&BTreeSet<String>>,
) -> Result<Vec<CriterionBenchmark>, InputError> {
    read_baseline_with(criterion_home, baseline, ids, SampleValues::Durations)
}

/// [`read_baseline`] for samples of the given kind.
pub fn read_baseline_with(
    criterion_home: &Path,
    baseline: &str,
    ids: Option<&BTreeSet<String>>,
    values: SampleValues,
) -> Result<Vec<CriterionBenchmark>, InputError> {
    let mut dirs = Vec::new();
    find_baseline_dirs(criterion_home, baseline, &mut dirs);
    dirs.sort();
    let mut benchmarks = Vec::new();
    for dir in dirs {
        let benchmark = read_benchmark_dir_with(&dir, values)?;
        if ids.is_none_or(|ids| ids.contains(&benchmark.id)) {
            benchmarks.push(benchmark);
        }
    }
    benchmarks.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(benchmarks)
}

fn find_baseline_dirs(dir: &Path, baseline: &str, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if entry.file_name() == baseline && path.join("benchmark.json").is_file() {
            found.push(path);
        } else if entry.file_name() != "report" {
            find_baseline_dirs(&path, baseline, found);
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, InputError> {
    let text = fs::read_to_string(path).map_err(|error| InputError::CorruptCriterion {
        path: path.to_owned(),
        reason: error.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|error| InputError::CorruptCriterion {
        path: path.to_owned(),
        reason: error.to_string(),
    })
}

/// The Criterion version locked in `lock_file`, checked against [`CRITERION_SERIES`].
pub fn locked_version(lock_file: &Path) -> Result<String, InputError> {
    let text = fs::read_to_string(lock_file).map_err(|error| InputError::CorruptCriterion {
        path: lock_file.to_owned(),
        reason: error.to_string(),
    })?;
    let version = locked_version_in(&text).ok_or_else(|| InputError::CorruptCriterion {
        path: lock_file.to_owned(),
        reason: "no criterion package in the lock file".to_owned(),
    })?;
    if !version.starts_with(&format!("{CRITERION_SERIES}.")) {
        return Err(InputError::CriterionVersion {
            found: version,
            supported: CRITERION_SERIES,
        });
    }
    Ok(version)
}

fn locked_version_in(lock_text: &str) -> Option<String> {
    let mut lines = lock_text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"criterion\"" {
            let version_line = lines.next()?;
            let version = version_line.trim().strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests;
