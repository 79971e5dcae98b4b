//! Benchmark-by-benchmark comparison of two snapshots: ratio, bootstrap interval, U test, verdict.
use serde::Serialize;

use crate::{
    snapshot::{BenchmarkRecord, Snapshot},
    stats,
};

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

/// Statistical settings of a comparison.
#[derive(Debug, Clone, Copy)]
pub struct CompareConfig {
    /// Familywise significance level for the Holm-corrected U tests.
    pub alpha: f64,
    /// Confidence level of the bootstrap interval.
    pub confidence: f64,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Seed of the bootstrap generator.
    pub seed: u64,
}

impl Default for CompareConfig {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            confidence: 0.95,
            resamples: 2_000,
            seed: 0x11_6D_6B_67,
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

/// Compares every benchmark of `candidate` with `baseline`. `threshold_for` gives the
/// threshold of an id, or `None` when that id is ignored.
pub fn compare(
    baseline: &Snapshot,
    candidate: &Snapshot,
    threshold_for: &dyn Fn(&str) -> Option<f64>,
    config: &CompareConfig,
) -> Vec<BenchmarkComparison> {
    let mut ids: Vec<&str> = baseline
        .benchmarks
        .iter()
        .chain(&candidate.benchmarks)
        .map(|record| record.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();

    let pairs: Vec<(
        &str,
        f64,
        Option<&BenchmarkRecord>,
        Option<&BenchmarkRecord>,
    )> = ids
        .into_iter()
        .filter_map(|id| Some((id, threshold_for(id)?, baseline.get(id), candidate.get(id))))
        .collect();
    let p_values: Vec<f64> = pairs
        .iter()
        .filter_map(|(_, _, base, cand)| {
            stats::mann_whitney_u(&(*base)?.samples_ns, &(*cand)?.samples_ns)
        })
        .collect();
    let mut adjusted = stats::holm_adjust(&p_values).into_iter();

    pairs
        .into_iter()
        .map(|(id, threshold, base, cand)| match (base, cand) {
            (Some(base), Some(cand)) => {
                let p_value = stats::mann_whitney_u(&base.samples_ns, &cand.samples_ns);
                let p_adjusted = p_value.and_then(|_| adjusted.next());
                judge(id, threshold, base, cand, p_value, p_adjusted, config)
            }
            (base, cand) => BenchmarkComparison {
                id: id.to_owned(),
                verdict: if cand.is_some() {
                    Verdict::New
                } else {
                    Verdict::Missing
                },
                threshold,
                baseline_median_ns: base.map(|r| r.median_ns),
                candidate_median_ns: cand.map(|r| r.median_ns),
                ratio: None,
                ratio_lower: None,
                ratio_upper: None,
                p_value: None,
                p_adjusted: None,
                baseline_cv: base.map(|r| r.cv),
                candidate_cv: cand.map(|r| r.cv),
                note: if cand.is_some() {
                    "not in the baseline".to_owned()
                } else {
                    "not measured in this run".to_owned()
                },
                ..BenchmarkComparison::new(id, Verdict::Missing, threshold)
            },
        })
        .collect()
}

fn judge(
    id: &str,
    threshold: f64,
    base: &BenchmarkRecord,
    cand: &BenchmarkRecord,
    p_value: Option<f64>,
    p_adjusted: Option<f64>,
    config: &CompareConfig,
) -> BenchmarkComparison {
    let interval = stats::bootstrap_median_ratio(
        &base.samples_ns,
        &cand.samples_ns,
        config.resamples,
        config.confidence,
        config.seed,
    );
    let significant = p_adjusted.is_some_and(|p| p < config.alpha);
    let max_cv = base.cv.max(cand.cv);
    let (verdict, note) = match interval {
        None => (
            Verdict::Noisy,
            "no usable interval (zero-time samples)".to_owned(),
        ),
        Some(ci) if significant && ci.lower > 1.0 + threshold => (
            Verdict::Regressed,
            format!("at least {:+.1}% slower", (ci.lower - 1.0) * 100.0),
        ),
        Some(ci) if significant && ci.upper < 1.0 - threshold => (
            Verdict::Improved,
            format!("at least {:.1}% faster", (1.0 - ci.upper) * 100.0),
        ),
        Some(_) if max_cv > threshold => (
            Verdict::Noisy,
            format!(
                "CV {:.1}% above the {:.1}% threshold",
                max_cv * 100.0,
                threshold * 100.0
            ),
        ),
        Some(ci) if ci.upper - ci.lower > 2.0 * threshold => (
            Verdict::Noisy,
            format!(
                "interval {:.1}% wide, over twice the threshold",
                (ci.upper - ci.lower) * 100.0
            ),
        ),
        Some(_) => (Verdict::Unchanged, String::new()),
    };
    BenchmarkComparison {
        id: id.to_owned(),
        verdict,
        threshold,
        baseline_median_ns: Some(base.median_ns),
        candidate_median_ns: Some(cand.median_ns),
        ratio: interval.map(|ci| ci.ratio),
        ratio_lower: interval.map(|ci| ci.lower),
        ratio_upper: interval.map(|ci| ci.upper),
        p_value,
        p_adjusted,
        baseline_cv: Some(base.cv),
        candidate_cv: Some(cand.cv),
        note,
        ..BenchmarkComparison::new(id, verdict, threshold)
    }
}

/// Geometric mean of the median ratios of benchmarks present in both runs.
pub fn geometric_mean_ratio(comparisons: &[BenchmarkComparison]) -> Option<f64> {
    let ratios: Vec<f64> = comparisons.iter().filter_map(|c| c.ratio).collect();
    stats::geometric_mean(&ratios)
}

#[cfg(test)]
pub(crate) mod tests;
