//! Reading Criterion's result tree: `<dir>/**/<baseline>/{benchmark,estimates,sample}.json`,
//! the one reader of Criterion's files in the workspace (`cargo xtask` reads through it too).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Result, ScorecardError};

/// The Criterion release series whose file layout this module parses.
pub const CRITERION_SERIES: &str = "0.8";

/// One benchmark's figures, times in nanoseconds per iteration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchmarkResult {
    /// `group/function/value`.
    pub full_id: String,
    /// The group.
    pub group_id: String,
    /// The function, when the id has one.
    pub function_id: Option<String>,
    /// The parameter, when the id has one.
    pub value_str: Option<String>,
    /// Work per iteration, when declared.
    pub throughput: Option<Throughput>,
    /// Median time per iteration.
    pub median_ns: f64,
    /// 95 % (or whatever level Criterion used) confidence interval of the median.
    pub median_ci_ns: (f64, f64),
    /// Mean time per iteration.
    pub mean_ns: f64,
    /// Confidence interval of the mean.
    pub mean_ci_ns: (f64, f64),
    /// Standard deviation of the per-iteration times.
    pub std_dev_ns: f64,
    /// Coefficient of variation of the per-iteration sample times, from `sample.json`.
    pub sample_cv: Option<f64>,
    /// Per-iteration time of each sample (`times[i] / iters[i]` of `sample.json`), empty
    /// when there was no sample file.
    pub samples_ns: Vec<f64>,
}

/// Declared work per iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// What a benchmark's sample values may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleValues {
    /// Durations: never negative.
    Durations,
    /// Counts that may be negative (the memory lane's bytes retained).
    Signed,
}

impl BenchmarkResult {
    /// Elements processed per iteration (`Throughput::Elements`), when declared.
    pub fn elements(&self) -> Option<u64> {
        match self.throughput {
            Some(Throughput::Elements(n)) => Some(n),
            _ => None,
        }
    }

    /// Median time per element (per iteration when no element count was declared).
    pub fn per_element_ns(&self) -> f64 {
        self.median_ns / self.elements().unwrap_or(1).max(1) as f64
    }

    /// Elements per second at the median time; `None` without an element count or for a
    /// zero time.
    pub fn elements_per_second(&self) -> Option<f64> {
        let elements = self.elements()?;
        (self.median_ns > 0.0).then(|| elements as f64 * 1e9 / self.median_ns)
    }

    /// Half the width of the median's confidence interval, relative to the median: the
    /// within-run spread Criterion reports.
    pub fn relative_ci_half_width(&self) -> f64 {
        if self.median_ns <= 0.0 {
            return 0.0;
        }
        (self.median_ci_ns.1 - self.median_ci_ns.0) / 2.0 / self.median_ns
    }

    /// The median's confidence interval per element (per iteration without an element count).
    pub fn per_element_ci_ns(&self) -> (f64, f64) {
        let elements = self.elements().unwrap_or(1).max(1) as f64;
        (
            self.median_ci_ns.0 / elements,
            self.median_ci_ns.1 / elements,
        )
    }

    /// Elements per second at the median's interval bounds, `(slowest, fastest)`.
    pub fn elements_per_second_ci(&self) -> Option<(f64, f64)> {
        let elements = self.elements()? as f64;
        let (low, high) = self.median_ci_ns;
        (low > 0.0 && high > 0.0).then(|| (elements * 1e9 / high, elements * 1e9 / low))
    }

    /// The parameter parsed as a number (`"10000"` gives 10,000).
    pub fn size(&self) -> Option<f64> {
        self.value_str.as_deref()?.trim().parse().ok()
    }
}

/// Every benchmark found under a Criterion output directory, by full id.
///
/// ```no_run
/// let results = bench_scorecard::CriterionResults::load(std::path::Path::new("target/criterion"))?;
/// if let Some(get) = results.get("exception_store/get_exception/1000") {
///     println!("{:.1} ns per get", get.per_element_ns());
/// }
/// # Ok::<(), bench_scorecard::ScorecardError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CriterionResults {
    by_id: BTreeMap<String, BenchmarkResult>,
}

#[derive(Deserialize)]
struct BenchmarkFile {
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

impl From<RawThroughput> for Throughput {
    fn from(raw: RawThroughput) -> Self {
        match raw {
            RawThroughput::Bits(n) => Throughput::Bits(n),
            RawThroughput::Bytes(n) | RawThroughput::BytesDecimal(n) => Throughput::Bytes(n),
            RawThroughput::Elements(n) | RawThroughput::ElementsAndBytes { elements: n } => {
                Throughput::Elements(n)
            }
        }
    }
}

#[derive(Deserialize)]
struct ConfidenceInterval {
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct Estimate {
    confidence_interval: ConfidenceInterval,
    point_estimate: f64,
}

#[derive(Deserialize)]
struct EstimatesFile {
    mean: Estimate,
    median: Estimate,
    std_dev: Estimate,
}

#[derive(Deserialize)]
struct SampleFile {
    iters: Vec<f64>,
    times: Vec<f64>,
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).map_err(|e| ScorecardError::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| ScorecardError::json(path, e))
}

fn invalid(path: &Path, problem: String) -> ScorecardError {
    ScorecardError::InvalidEstimate {
        path: path.to_path_buf(),
        problem,
    }
}

/// `value`, checked to be finite and, for durations, not negative.
fn checked(path: &Path, what: &str, value: f64, values: SampleValues) -> Result<f64> {
    if value.is_finite() && (value >= 0.0 || values == SampleValues::Signed) {
        Ok(value)
    } else {
        Err(invalid(
            path,
            format!("{what} is {value}, not a non-negative finite time"),
        ))
    }
}

fn interval(
    path: &Path,
    what: &str,
    estimate: &Estimate,
    values: SampleValues,
) -> Result<(f64, f64)> {
    let bounds = &estimate.confidence_interval;
    Ok((
        checked(
            path,
            &format!("{what} lower bound"),
            bounds.lower_bound,
            values,
        )?,
        checked(
            path,
            &format!("{what} upper bound"),
            bounds.upper_bound,
            values,
        )?,
    ))
}

/// `times[i] / iters[i]` of every sample; a sample without iterations, a count of times that
/// differs from the count of iterations or a value `values` does not allow is an error.
fn per_iteration(path: &Path, sample: &SampleFile, values: SampleValues) -> Result<Vec<f64>> {
    if sample.iters.len() != sample.times.len() {
        return Err(invalid(
            path,
            format!(
                "{} iteration counts for {} times",
                sample.iters.len(),
                sample.times.len()
            ),
        ));
    }
    sample
        .iters
        .iter()
        .zip(&sample.times)
        .map(|(iters, time)| {
            if iters.is_finite() && *iters > 0.0 {
                checked(path, "a sample", time / iters, values)
            } else {
                Err(invalid(path, format!("a sample of {iters} iterations")))
            }
        })
        .collect()
}

/// The coefficient of variation of per-iteration times; `None` for fewer than two samples.
fn sample_cv(per_iteration: &[f64]) -> Option<f64> {
    if per_iteration.len() < 2 {
        return None;
    }
    let n = per_iteration.len() as f64;
    let mean = per_iteration.iter().sum::<f64>() / n;
    let variance = per_iteration
        .iter()
        .map(|t| (t - mean).powi(2))
        .sum::<f64>()
        / (n - 1.0);
    (mean > 0.0).then(|| variance.sqrt() / mean)
}

fn load_one(dir: &Path, values: SampleValues) -> Result<BenchmarkResult> {
    let benchmark: BenchmarkFile = read_json(&dir.join("benchmark.json"))?;
    let estimates_path = dir.join("estimates.json");
    let estimates: EstimatesFile = read_json(&estimates_path)?;
    let sample_path = dir.join("sample.json");
    let samples_ns = if sample_path.exists() {
        per_iteration(&sample_path, &read_json(&sample_path)?, values)?
    } else {
        Vec::new()
    };
    let path = estimates_path.as_path();
    Ok(BenchmarkResult {
        throughput: benchmark.throughput.map(Throughput::from),
        full_id: benchmark.full_id,
        group_id: benchmark.group_id,
        function_id: benchmark.function_id,
        value_str: benchmark.value_str,
        median_ns: checked(path, "median", estimates.median.point_estimate, values)?,
        median_ci_ns: interval(path, "median", &estimates.median, values)?,
        mean_ns: checked(path, "mean", estimates.mean.point_estimate, values)?,
        mean_ci_ns: interval(path, "mean", &estimates.mean, values)?,
        std_dev_ns: checked(path, "std_dev", estimates.std_dev.point_estimate, values)?,
        sample_cv: sample_cv(&samples_ns),
        samples_ns,
    })
}

/// Collects every `baseline` directory holding a `benchmark.json` below `dir`.
fn find_baseline_dirs(dir: &Path, baseline: &str, found: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| ScorecardError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| ScorecardError::io(dir, e))?;
        let path = entry.path();
        if !entry
            .file_type()
            .map_err(|e| ScorecardError::io(&path, e))?
            .is_dir()
        {
            continue;
        }
        match entry.file_name().to_str() {
            Some(name) if name == baseline && path.join("benchmark.json").is_file() => {
                found.push(path);
            }
            // Criterion's own baselines, its comparison and its HTML: not results of this run.
            Some("new" | "base" | "change" | "report") => {}
            _ => find_baseline_dirs(&path, baseline, found)?,
        }
    }
    Ok(())
}

impl CriterionResults {
    /// Loads every benchmark of Criterion's latest run (its `new` folders) under `dir`
    /// (typically `target/criterion`).
    ///
    /// # Errors
    ///
    /// [`ScorecardError::Io`] for a missing or unreadable directory or a benchmark without its
    /// `estimates.json`, [`ScorecardError::Json`] for a malformed file,
    /// [`ScorecardError::InvalidEstimate`] for a negative or non-finite time or a malformed
    /// sample, [`ScorecardError::NoResults`] when nothing was found.
    pub fn load(dir: &Path) -> Result<Self> {
        fs::metadata(dir).map_err(|e| ScorecardError::io(dir, e))?;
        let results = Self::load_baseline(dir, "new", SampleValues::Durations)?;
        if results.is_empty() {
            return Err(ScorecardError::NoResults(dir.to_path_buf()));
        }
        Ok(results)
    }

    /// Loads every benchmark saved under the Criterion baseline `baseline` below `dir`, its
    /// samples and estimates of the given kind; a missing `dir` holds none.
    ///
    /// # Errors
    ///
    /// As [`load`](Self::load), except that finding nothing is not an error.
    pub fn load_baseline(dir: &Path, baseline: &str, values: SampleValues) -> Result<Self> {
        let mut dirs = Vec::new();
        if dir.exists() {
            find_baseline_dirs(dir, baseline, &mut dirs)?;
        }
        let results = dirs
            .iter()
            .map(|dir| load_one(dir, values))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self::from_results(results))
    }

    /// Results built from already loaded benchmarks (for tests and tools).
    pub fn from_results(results: impl IntoIterator<Item = BenchmarkResult>) -> Self {
        CriterionResults {
            by_id: results
                .into_iter()
                .map(|result| (result.full_id.clone(), result))
                .collect(),
        }
    }

    /// The benchmark with this full id.
    pub fn get(&self, full_id: &str) -> Option<&BenchmarkResult> {
        self.by_id.get(full_id)
    }

    /// Every benchmark, by full id.
    pub fn iter(&self) -> impl Iterator<Item = &BenchmarkResult> {
        self.by_id.values()
    }

    /// Every benchmark, by full id, owned.
    pub fn into_results(self) -> impl Iterator<Item = BenchmarkResult> {
        self.by_id.into_values()
    }

    /// Number of benchmarks.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// `(size, per-element median ns)` of every benchmark of `group/function/*` whose value is
    /// a number, by increasing size: the input of a growth fit.
    pub fn series(&self, group: &str, function: &str) -> Vec<(f64, f64)> {
        self.sized(group, function)
            .map(|(size, r)| (size, r.per_element_ns()))
            .collect()
    }

    /// Like [`series`](Self::series), each point with the median's 95 % interval per element:
    /// `(size, median, lower, upper)`.
    pub fn series_with_interval(&self, group: &str, function: &str) -> Vec<(f64, f64, f64, f64)> {
        self.sized(group, function)
            .map(|(size, r)| {
                let (lower, upper) = r.per_element_ci_ns();
                (size, r.per_element_ns(), lower, upper)
            })
            .collect()
    }

    /// The benchmarks of `group/function/*` with a numeric value, by increasing size.
    fn sized(&self, group: &str, function: &str) -> impl Iterator<Item = (f64, &BenchmarkResult)> {
        let mut sized: Vec<(f64, &BenchmarkResult)> = self
            .by_id
            .values()
            .filter(|r| r.group_id == group && r.function_id.as_deref() == Some(function))
            .filter_map(|r| Some((r.size()?, r)))
            .collect();
        sized.sort_by(|a, b| a.0.total_cmp(&b.0));
        sized.into_iter()
    }
}
