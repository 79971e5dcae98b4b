//! One benchmark's comparison row and its verdict, shared by the time and instruction lanes.
use serde::Serialize;

use crate::stats;

/// What happened to one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Significantly slower, by more than the threshold at the interval's lower bound.
    Regressed,
    /// Significantly faster, by more than the threshold at the interval's upper bound.
    Improved,
    /// Too much noise to tell (unpaired comparison with a snapshot).
    Noisy,
    /// Paired rounds could not decide yet; the note says how many more rounds it would take.
    Inconclusive,
    /// Within the threshold.
    Unchanged,
    /// Only in the candidate run.
    New,
    /// Only in the baseline.
    Missing,
}

impl Verdict {
    /// The upper-case label used in tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Regressed => "REGRESSED",
            Self::Improved => "IMPROVED",
            Self::Noisy => "NOISY",
            Self::Inconclusive => "INCONCLUSIVE",
            Self::Unchanged => "UNCHANGED",
            Self::New => "NEW",
            Self::Missing => "MISSING",
        }
    }
}

/// The comparison of one benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkComparison {
    /// Benchmark id.
    pub id: String,
    /// Verdict.
    pub verdict: Verdict,
    /// The change threshold applied (0.05 = 5 %).
    pub threshold: f64,
    /// Baseline median, ns.
    pub baseline_median_ns: Option<f64>,
    /// Candidate median, ns.
    pub candidate_median_ns: Option<f64>,
    /// `candidate / baseline` medians.
    pub ratio: Option<f64>,
    /// Lower bound of the ratio's bootstrap interval.
    pub ratio_lower: Option<f64>,
    /// Upper bound of the ratio's bootstrap interval.
    pub ratio_upper: Option<f64>,
    /// Raw Mann-Whitney p-value.
    pub p_value: Option<f64>,
    /// Holm-adjusted p-value.
    pub p_adjusted: Option<f64>,
    /// Baseline coefficient of variation.
    pub baseline_cv: Option<f64>,
    /// Candidate coefficient of variation.
    pub candidate_cv: Option<f64>,
    /// Why the verdict, or what the confirmation run found.
    pub note: String,
    /// Paired: rounds in the first set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
    /// Paired: rounds in the confirmation set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_rounds: Option<usize>,
    /// Paired, inconclusive: estimated further rounds to decide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds_needed: Option<usize>,
    /// Paired: standard deviation of the per-round log-ratios.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_sd: Option<f64>,
    /// The benchmark's calibrated noise floor (`cargo xtask variance`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise_floor: Option<f64>,
    /// Instruction-count lane: the baseline's instructions per iteration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_instructions: Option<u64>,
    /// Instruction-count lane: the candidate's instructions per iteration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_instructions: Option<u64>,
    /// Instruction-count lane: the functions whose own instructions changed most.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionDelta>,
}

/// One function's change in self instructions between the two builds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionDelta {
    /// The function, as callgrind names it.
    pub function: String,
    /// Candidate minus baseline, instructions per iteration.
    pub delta: i64,
    /// Share of the benchmark's total change.
    pub share: f64,
}

impl BenchmarkComparison {
    /// A row with only the id, verdict and threshold set.
    pub fn new(id: &str, verdict: Verdict, threshold: f64) -> Self {
        Self {
            id: id.to_owned(),
            verdict,
            threshold,
            baseline_median_ns: None,
            candidate_median_ns: None,
            ratio: None,
            ratio_lower: None,
            ratio_upper: None,
            p_value: None,
            p_adjusted: None,
            baseline_cv: None,
            candidate_cv: None,
            note: String::new(),
            rounds: None,
            confirm_rounds: None,
            rounds_needed: None,
            round_sd: None,
            noise_floor: None,
            baseline_instructions: None,
            candidate_instructions: None,
            functions: Vec::new(),
        }
    }
}

/// Geometric mean of the median ratios of benchmarks present in both runs.
pub fn geometric_mean_ratio(comparisons: &[BenchmarkComparison]) -> Option<f64> {
    let ratios: Vec<f64> = comparisons.iter().filter_map(|c| c.ratio).collect();
    stats::geometric_mean(&ratios)
}

#[cfg(test)]
pub(crate) mod tests;
