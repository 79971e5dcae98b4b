//! The bench report (`report.md`): summary table, scorecard, growth and scaling, plus formatting;
//! the one Markdown rendering of the scorecard's rows.
mod format;
mod markdown;
#[cfg(test)]
mod tests;

use bench_scorecard::Scorecard;
use serde::Serialize;

use crate::snapshot::Snapshot;

pub use self::format::{format_change, format_count, format_ns, short_sha, table};
pub use self::markdown::markdown;

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

/// Everything `report.md` shows.
#[derive(Debug)]
pub struct BenchReport<'a> {
    /// The run.
    pub snapshot: &'a Snapshot,
    /// Success criteria, concurrency scaling and benchmarks with two modes.
    pub scorecard: &'a Scorecard,
    /// Growth exponents.
    pub growth: &'a [GrowthRow],
    /// `(title, relative path)` of the SVG plots.
    pub plots: &'a [(String, String)],
    /// Relative path of Criterion's HTML index, when it exists.
    pub criterion_html: Option<String>,
}
