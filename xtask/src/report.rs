//! The bench report (`report.md`): summary table, scorecard, growth and scaling, plus formatting.
mod format;
mod markdown;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::snapshot::Snapshot;

pub use self::format::{format_change, format_count, format_ns, short_sha, table};
pub use self::markdown::markdown;

/// Outcome of one bar of a success criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The measured value meets the bar.
    Pass,
    /// The measured value misses the bar.
    Fail,
    /// There is no bar on this side (the seed is silent on the figure).
    NoBar,
    /// This run has no value for it (benchmark filtered out, variance not run).
    NotMeasured,
    /// This machine cannot show it (more threads than cores).
    NotMeasurableHere,
}

impl Status {
    /// Label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "FAIL",
            Self::NoBar => "-",
            Self::NotMeasured => "not measured",
            Self::NotMeasurableHere => "not measurable here",
        }
    }
}

/// One row of the scorecard: a figure judged against the seed's bar and SPEC.md's goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    /// What is judged.
    pub criterion: String,
    /// The measured value, formatted (or why there is none).
    pub measured: String,
    /// The seed's bar, formatted.
    pub seed_bar: String,
    /// Outcome against the seed's bar.
    pub seed: Status,
    /// SPEC.md's goal, formatted.
    pub goal_bar: String,
    /// Outcome against the goal.
    pub goal: Status,
    /// The benchmark or file the value comes from.
    pub source: String,
}

/// The fitted growth exponent of one sized benchmark function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrowthRow {
    /// `group/function`.
    pub series: String,
    /// Sizes measured.
    pub sizes: Vec<f64>,
    /// Median time per element at each size, ns.
    pub per_element_ns: Vec<f64>,
    /// The median's 95 % interval per element at each size, ns.
    pub per_element_ci_ns: Vec<(f64, f64)>,
    /// `k` in `time ∝ n^k`.
    pub exponent: f64,
    /// Coefficient of determination of the log-log fit.
    pub r_squared: f64,
}

/// Concurrency scaling at one thread count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalingRow {
    /// Benchmark id.
    pub id: String,
    /// The series (function) within the concurrency group.
    pub function: String,
    /// Threads.
    pub threads: u32,
    /// Throughput relative to one thread.
    pub speedup: f64,
    /// The speed-up at the two medians' interval bounds.
    pub speedup_interval: (f64, f64),
    /// Speed-up per thread, only where it is a figure (both medians tight, one mode, within
    /// the cores, not above 100 %).
    pub efficiency: Option<f64>,
    /// The efficiency as the table shows it, or why it is not shown.
    pub efficiency_text: String,
    /// Whether the machine has at least this many cores.
    pub within_cores: bool,
}

/// A benchmark whose samples fall into two far-apart clusters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BimodalRow {
    /// Benchmark id.
    pub id: String,
    /// Mean of the fast cluster, ns per iteration.
    pub low_ns: f64,
    /// Mean of the slow cluster, ns per iteration.
    pub high_ns: f64,
    /// Samples in the fast cluster.
    pub low_count: usize,
    /// Samples in the slow cluster.
    pub high_count: usize,
}

/// Everything `report.md` shows.
#[derive(Debug)]
pub struct BenchReport<'a> {
    /// The run.
    pub snapshot: &'a Snapshot,
    /// Success criteria.
    pub scorecard: &'a [ScoreRow],
    /// Growth exponents.
    pub growth: &'a [GrowthRow],
    /// Concurrency scaling.
    pub scaling: &'a [ScalingRow],
    /// Benchmarks with two modes.
    pub bimodal: &'a [BimodalRow],
    /// `(title, relative path)` of the SVG plots.
    pub plots: &'a [(String, String)],
    /// Relative path of Criterion's HTML index, when it exists.
    pub criterion_html: Option<String>,
}
