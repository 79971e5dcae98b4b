//! What every lane of `regress` says of a benchmark ([`Verdict`]), the time lane's row
//! ([`BenchmarkComparison`], built by the paired rounds) and the [`Row`] view that the one
//! report and its renderer read of every lane's rows.
use serde::Serialize;

/// What happened to one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Significantly slower, by more than the threshold at the interval's lower bound.
    Regressed,
    /// Significantly faster, by more than the threshold at the interval's upper bound.
    Improved,
    /// Could not decide yet; the note says how many more rounds it would take.
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
            Self::Inconclusive => "INCONCLUSIVE",
            Self::Unchanged => "UNCHANGED",
            Self::New => "NEW",
            Self::Missing => "MISSING",
        }
    }

    /// Whether `--strict` fails on it: undecided, or missing from this tree.
    pub fn is_undecided(self) -> bool {
        matches!(self, Self::Inconclusive | Self::Missing)
    }
}

/// The time lane's comparison of one benchmark: lock-step rounds of both builds.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkComparison {
    /// Benchmark id.
    pub id: String,
    /// Verdict.
    pub verdict: Verdict,
    /// The change threshold applied (0.05 = 5 %).
    pub threshold: f64,
    /// Baseline median over the rounds, ns.
    pub baseline_median_ns: Option<f64>,
    /// Candidate median over the rounds, ns.
    pub candidate_median_ns: Option<f64>,
    /// The first set's change, as a ratio (Hodges–Lehmann of the rounds' log-ratios).
    pub ratio: Option<f64>,
    /// Lower bound of the first set's 95 % interval.
    pub ratio_lower: Option<f64>,
    /// Upper bound of the first set's 95 % interval.
    pub ratio_upper: Option<f64>,
    /// Signed-rank p-value of the first set.
    pub p_value: Option<f64>,
    /// Holm-adjusted p-value (for reading, not gated on).
    pub p_adjusted: Option<f64>,
    /// Why the verdict, or what the confirmation run found.
    pub note: String,
    /// Rounds in the first set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
    /// Rounds in the confirmation set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_rounds: Option<usize>,
    /// Inconclusive: estimated further rounds to decide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds_needed: Option<usize>,
    /// Standard deviation of the per-round log-ratios.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round_sd: Option<f64>,
    /// The benchmark's calibrated noise floor (`cargo xtask variance`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise_floor: Option<f64>,
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
            note: String::new(),
            rounds: None,
            confirm_rounds: None,
            rounds_needed: None,
            round_sd: None,
            noise_floor: None,
        }
    }
}

/// What the shared report and renderer read of a lane's row.
pub trait Row {
    /// Benchmark id.
    fn id(&self) -> &str;
    /// The verdict.
    fn verdict(&self) -> Verdict;
    /// The change as a ratio, when both sides were measured.
    fn ratio(&self) -> Option<f64>;
    /// The table's lane-specific cells: baseline, current, 95 % CI, p (Holm), rounds.
    fn cells(&self) -> [String; 5];
    /// The threshold applied and the note.
    fn threshold_and_note(&self) -> (f64, &str);
}

impl Row for BenchmarkComparison {
    fn id(&self) -> &str {
        &self.id
    }

    fn verdict(&self) -> Verdict {
        self.verdict
    }

    fn ratio(&self) -> Option<f64> {
        self.ratio
    }

    fn cells(&self) -> [String; 5] {
        use crate::report::format_ns;
        [
            self.baseline_median_ns.map(format_ns).unwrap_or_default(),
            self.candidate_median_ns.map(format_ns).unwrap_or_default(),
            interval(self.ratio_lower, self.ratio_upper),
            self.p_adjusted
                .map(|p| format!("{p:.3}"))
                .unwrap_or_default(),
            match (self.rounds, self.confirm_rounds) {
                (Some(first), Some(0)) => first.to_string(),
                (Some(first), Some(second)) => format!("{first}+{second}"),
                _ => String::new(),
            },
        ]
    }

    fn threshold_and_note(&self) -> (f64, &str) {
        (self.threshold, &self.note)
    }
}

/// `[-1.0%, +2.0%]`, or nothing without both bounds.
pub fn interval(lower: Option<f64>, upper: Option<f64>) -> String {
    use crate::report::format_change;
    match (lower, upper) {
        (Some(lower), Some(upper)) => {
            format!("[{}, {}]", format_change(lower), format_change(upper))
        }
        _ => String::new(),
    }
}
