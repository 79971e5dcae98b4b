//! Verdicts from paired rounds: Hodges–Lehmann change, Walsh interval, and a second,
//! independent set of rounds that must agree before a change counts.
//!
//! A set flags a change when its interval lies wholly beyond the threshold: a one-sided test
//! of "the change is at most the threshold" at level `(1 - confidence) / 2`. The confirmation
//! set uses [`Judging::confirm_confidence`], so a benchmark whose true change sits exactly at
//! the threshold is flagged by both with probability at most `0.025 x 0.005`, and a whole suite
//! of `m` such benchmarks at most `m x 1.25e-4` (0.0135 for 108): the multiplicity control,
//! far below that for an A/A, whose true change is 0. The Wilcoxon p-value (Holm-adjusted over
//! the set's benchmarks) is reported for reading; it is not a gate, since an exact signed-rank
//! test over `n` rounds cannot go below `2 / 2^n`, and Holm over a hundred benchmarks would need
//! 13 rounds before anything could be flagged.
use std::collections::BTreeMap;

use serde::Serialize;

use super::Pair;
use crate::{compare::Verdict, stats};

/// Statistical settings of the paired judgement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Judging {
    /// Familywise level of the reported Holm-adjusted p-values (informative only).
    pub alpha: f64,
    /// Confidence of the first set's Walsh-average interval.
    pub confidence: f64,
    /// Confidence of the confirmation set's interval (higher: the multiplicity control).
    pub confirm_confidence: f64,
    /// Rounds in a first set before anything is judged, and in a confirmation set.
    pub min_rounds: usize,
    /// Rounds added per adaptive step.
    pub batch_rounds: usize,
    /// No set grows past this many rounds.
    pub max_rounds: usize,
}

impl Default for Judging {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            confidence: 0.95,
            confirm_confidence: 0.99,
            min_rounds: 10,
            batch_rounds: 4,
            max_rounds: 40,
        }
    }
}

/// The rounds of one benchmark, split into the first set and the confirmation set.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rounds {
    /// Rounds every benchmark starts with, extended while it is inconclusive.
    pub first: Vec<Pair>,
    /// Rounds run after the first set flagged a change, to confirm it independently.
    pub second: Vec<Pair>,
}

/// Estimate, interval and p-value of one set of rounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SetStats {
    /// Rounds in the set.
    pub rounds: usize,
    /// `exp(Hodges–Lehmann of the log-ratios)`: the change as a ratio.
    pub ratio: f64,
    /// Lower interval bound as a ratio (`None` below 6 rounds at 95 %).
    pub lower: Option<f64>,
    /// Upper interval bound as a ratio.
    pub upper: Option<f64>,
    /// Wilcoxon signed-rank two-sided p-value of the log-ratios.
    pub p_value: f64,
    /// Standard deviation of the per-round log-ratios.
    pub round_sd: f64,
}

/// Summarises a set of rounds; `None` when no round has a usable ratio.
pub fn set_stats(pairs: &[Pair], confidence: f64) -> Option<SetStats> {
    let logs: Vec<f64> = pairs.iter().filter_map(Pair::log_ratio).collect();
    let centre = stats::hodges_lehmann(&logs)?;
    let interval = stats::walsh_interval(&logs, confidence);
    let mean = stats::mean(&logs)?;
    let round_sd = if logs.len() > 1 {
        (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (logs.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    Some(SetStats {
        rounds: logs.len(),
        ratio: centre.exp(),
        lower: interval.map(|(low, _)| low.exp()),
        upper: interval.map(|(_, high)| high.exp()),
        p_value: stats::signed_rank_p(&logs)?,
        round_sd,
    })
}

/// What one set says on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// The lower bound is above `1 + threshold`.
    Slower,
    /// The upper bound is below `1 - threshold`.
    Faster,
    /// The interval lies inside `[1 - threshold, 1 + threshold]`.
    Same,
    /// Neither yet.
    Open,
}

/// Classifies a set by where its interval lies against the threshold.
pub fn classify(set: &SetStats, threshold: f64) -> Class {
    let (Some(lower), Some(upper)) = (set.lower, set.upper) else {
        return Class::Open;
    };
    if lower > 1.0 + threshold {
        Class::Slower
    } else if upper < 1.0 - threshold {
        Class::Faster
    } else if lower >= 1.0 - threshold && upper <= 1.0 + threshold {
        Class::Same
    } else {
        Class::Open
    }
}

/// The smallest change a benchmark's own spread lets the rounds resolve: its first set's
/// interval half-width, shrunk as `1 / sqrt(rounds)` to half the round cap (so the cap leaves
/// room to decide). A shift moves the centre of the rounds, not their spread, so a regression
/// cannot raise its own threshold; noise can, and the report shows the threshold used.
pub fn resolvable_change(set: &SetStats, max_rounds: usize) -> Option<f64> {
    let (lower, upper) = (set.lower?, set.upper?);
    let half = (upper.ln() - lower.ln()) / 2.0;
    let target_rounds = (max_rounds as f64 / 2.0).max(set.rounds as f64);
    Some((half * (set.rounds as f64 / target_rounds).sqrt()).exp() - 1.0)
}

/// More rounds a set would need, at its current spread, for its interval to clear the threshold
/// (or to fit inside it): the half-width shrinks as `1 / sqrt(rounds)`.
pub fn rounds_needed(set: &SetStats, threshold: f64, min_rounds: usize) -> usize {
    let (Some(lower), Some(upper)) = (set.lower, set.upper) else {
        return min_rounds.saturating_sub(set.rounds).max(1);
    };
    let half = (upper.ln() - lower.ln()) / 2.0;
    let centre = set.ratio.ln().abs();
    let bound = if set.ratio >= 1.0 {
        (1.0 + threshold).ln()
    } else {
        -(1.0 - threshold).ln()
    };
    let room = (centre - bound).abs();
    if room < 1e-9 || half <= 0.0 {
        return 1000;
    }
    let total = set.rounds as f64 * (half / room).powi(2);
    ((total - set.rounds as f64).ceil().max(1.0) as usize).min(1000)
}

/// Which set of a benchmark wants more rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// Decided.
    Nothing,
    /// More first-set rounds.
    First,
    /// More confirmation rounds.
    Second,
}

/// The judgement of one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The verdict now.
    pub verdict: Verdict,
    /// The threshold applied.
    pub threshold: f64,
    /// First set.
    pub first: Option<SetStats>,
    /// Holm-adjusted p of the first set.
    pub first_p_adjusted: Option<f64>,
    /// What the first set says.
    pub first_class: Class,
    /// Confirmation set.
    pub second: Option<SetStats>,
    /// Holm-adjusted p of the confirmation set (over the benchmarks being confirmed).
    pub second_p_adjusted: Option<f64>,
    /// What the confirmation set says.
    pub second_class: Option<Class>,
    /// Which set wants rounds.
    pub need: Need,
    /// Estimated further rounds for an inconclusive verdict.
    pub rounds_needed: Option<usize>,
    /// Why.
    pub note: String,
}

fn holm_map(p_values: &[(&String, f64)]) -> BTreeMap<String, f64> {
    let raw: Vec<f64> = p_values.iter().map(|(_, p)| *p).collect();
    p_values
        .iter()
        .zip(stats::holm_adjust(&raw))
        .map(|((id, _), adjusted)| ((*id).clone(), adjusted))
        .collect()
}

fn describe(set: &SetStats) -> String {
    let interval = match (set.lower, set.upper) {
        (Some(lower), Some(upper)) => format!(
            " [{}, {}]",
            crate::report::format_change(lower),
            crate::report::format_change(upper)
        ),
        _ => String::new(),
    };
    format!(
        "{}{interval} over {} rounds",
        crate::report::format_change(set.ratio),
        set.rounds
    )
}

/// Judges every benchmark from its rounds; `thresholds` holds each benchmark's threshold.
pub fn judge(
    rounds: &BTreeMap<String, Rounds>,
    thresholds: &BTreeMap<String, f64>,
    judging: &Judging,
) -> BTreeMap<String, Outcome> {
    let firsts: BTreeMap<&String, SetStats> = rounds
        .iter()
        .filter_map(|(id, r)| Some((id, set_stats(&r.first, judging.confidence)?)))
        .collect();
    let first_p: Vec<(&String, f64)> = firsts.iter().map(|(id, s)| (*id, s.p_value)).collect();
    let first_adjusted = holm_map(&first_p);
    // Each benchmark's threshold: the configured one, raised to what its spread can resolve.
    let thresholds: BTreeMap<&String, f64> = rounds
        .keys()
        .map(|id| {
            let resolvable = firsts
                .get(id)
                .and_then(|set| resolvable_change(set, judging.max_rounds))
                .unwrap_or(0.0);
            (id, thresholds[id].max(resolvable))
        })
        .collect();
    let first_class = |id: &String| -> Class {
        firsts
            .get(id)
            .map_or(Class::Open, |set| classify(set, thresholds[id]))
    };
    let seconds: BTreeMap<&String, SetStats> = rounds
        .iter()
        .filter(|(id, _)| matches!(first_class(id), Class::Slower | Class::Faster))
        .filter_map(|(id, r)| Some((id, set_stats(&r.second, judging.confirm_confidence)?)))
        .collect();
    let second_p: Vec<(&String, f64)> = seconds.iter().map(|(id, s)| (*id, s.p_value)).collect();
    let second_adjusted = holm_map(&second_p);

    rounds
        .iter()
        .map(|(id, r)| {
            let threshold = thresholds[id];
            let first = firsts.get(id).copied();
            let class = first_class(id);
            let second = seconds.get(id).copied();
            let second_p_adjusted = second_adjusted.get(id).copied();
            let second_class = second.map(|set| classify(&set, threshold));
            let first_full = r.first.len() >= judging.max_rounds;
            let second_full = r.second.len() >= judging.max_rounds;
            let (verdict, need, rounds_needed, note) = match class {
                Class::Same => (
                    Verdict::Unchanged,
                    Need::Nothing,
                    None,
                    "interval inside ±threshold".to_owned(),
                ),
                Class::Open => {
                    let needed = first.map_or(judging.min_rounds, |set| {
                        rounds_needed(&set, threshold, judging.min_rounds)
                    });
                    // Futility: rounds that could not fit under max_rounds are not started,
                    // judged after one extra batch (a single wild round skews a first estimate).
                    let futile = r.first.len() >= judging.min_rounds + judging.batch_rounds
                        && r.first.len() + needed > judging.max_rounds;
                    (
                        Verdict::Inconclusive,
                        if first_full || futile {
                            Need::Nothing
                        } else {
                            Need::First
                        },
                        Some(needed),
                        format!("about {needed} more rounds needed"),
                    )
                }
                Class::Slower | Class::Faster => {
                    let flagged = first.map(|set| describe(&set)).unwrap_or_default();
                    match (second, second_class) {
                        (Some(set), Some(c2)) if c2 == class => (
                            if class == Class::Slower {
                                Verdict::Regressed
                            } else {
                                Verdict::Improved
                            },
                            Need::Nothing,
                            None,
                            format!("confirmed by an independent set: {}", describe(&set)),
                        ),
                        _ if r.second.len() < judging.min_rounds => (
                            Verdict::Inconclusive,
                            if second_full {
                                Need::Nothing
                            } else {
                                Need::Second
                            },
                            Some(judging.min_rounds - r.second.len()),
                            format!(
                                "first set {flagged}; not confirmed yet ({} confirmation rounds)",
                                r.second.len()
                            ),
                        ),
                        (Some(set), _) => {
                            let needed = rounds_needed(&set, threshold, judging.min_rounds);
                            (
                                Verdict::Inconclusive,
                                if second_full {
                                    Need::Nothing
                                } else {
                                    Need::Second
                                },
                                Some(needed),
                                format!(
                                    "first set {flagged}; confirmation set {}, not in agreement",
                                    describe(&set)
                                ),
                            )
                        }
                        (None, _) => (
                            Verdict::Inconclusive,
                            Need::Nothing,
                            None,
                            "no usable confirmation rounds".to_owned(),
                        ),
                    }
                }
            };
            (
                id.clone(),
                Outcome {
                    verdict,
                    threshold,
                    first,
                    first_p_adjusted: first_adjusted.get(id).copied(),
                    first_class: class,
                    second,
                    second_p_adjusted,
                    second_class,
                    need,
                    rounds_needed,
                    note,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
