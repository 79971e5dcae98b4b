//! Ratios measured paired: an operation and its anchor timed in alternation in one process, a
//! few milliseconds each, so that every round sees one machine state on both sides.
//!
//! On a shared 2-core machine a process's speed moves by up to 1.5x within about a second,
//! so the ratio of two Criterion medians measured one after the other moves by as much between
//! runs. A round of the alternation times each routine for a few milliseconds and gives one
//! value of the figure; the figure is the median over the rounds, with the distribution-free
//! interval of that median ([`median_interval`]). The bench binary writes the figures as one
//! [`PairedRatios`] file, and the scorecard's ratio rows prefer them to the medians' ratio.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::{Result, ScorecardError};

/// The file the paired figures are written to, in [`PairedRatios::dir`] of the measurements
/// folder.
pub const PAIRED_RATIOS_FILE: &str = "paired_ratios.json";

/// The confidence of a paired figure's interval.
pub const PAIRED_CONFIDENCE: f64 = 0.95;

/// The widest relative interval half-width of a paired figure that the scorecard judges;
/// a wider one is reported as too noisy, like a scaling efficiency from wide medians.
pub const MAX_PAIRED_CI_HALF_WIDTH: f64 = 0.10;

/// What one round's value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PairedStatistic {
    /// The benchmark's time per iteration over the anchor's.
    TimeRatio,
    /// The benchmark's scaling efficiency at its thread count (time per iteration on one
    /// thread over that on `n` threads, each thread doing the same work) over the anchor's:
    /// `(t_bench(1) / t_bench(n)) / (t_anchor(1) / t_anchor(n))`.
    EfficiencyRatio,
}

/// One paired figure: the median of its rounds' values and that median's interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairedRatio {
    /// The measured benchmark's id (`group/function/value`).
    pub benchmark: String,
    /// The anchor's id.
    pub anchor: String,
    /// What each round's value is.
    pub statistic: PairedStatistic,
    /// The median over the rounds.
    pub median: f64,
    /// The median's [`PAIRED_CONFIDENCE`] interval, `(low, high)`.
    pub interval: (f64, f64),
    /// Rounds measured.
    pub rounds: usize,
    /// Each routine's median time per iteration over the rounds, in nanoseconds, in the order
    /// the statistic names them (benchmark, anchor; or benchmark on one thread and on `n`,
    /// anchor on one and on `n`); empty when not recorded.
    #[serde(default)]
    pub routine_medians_ns: Vec<f64>,
}

impl PairedRatio {
    /// The figure from its rounds' values.
    ///
    /// ```
    /// use bench_scorecard::{PairedRatio, PairedStatistic};
    /// let values: Vec<f64> = (0..101).map(|i| 1.0 + f64::from(i) / 1000.0).collect();
    /// let ratio = PairedRatio::from_rounds("g/op/1", "g/anchor/1", PairedStatistic::TimeRatio, &values)?;
    /// assert_eq!(ratio.median, 1.05);
    /// assert!(ratio.interval.0 < 1.05 && 1.05 < ratio.interval.1);
    /// # Ok::<(), bench_scorecard::ScorecardError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`median_interval`].
    pub fn from_rounds(
        benchmark: &str,
        anchor: &str,
        statistic: PairedStatistic,
        values: &[f64],
    ) -> Result<Self> {
        let (median, interval) = median_interval(values, PAIRED_CONFIDENCE)?;
        Ok(PairedRatio {
            benchmark: benchmark.to_owned(),
            anchor: anchor.to_owned(),
            statistic,
            median,
            interval,
            rounds: values.len(),
            routine_medians_ns: Vec::new(),
        })
    }

    /// The same figure with each routine's median time per iteration recorded.
    pub fn with_routine_medians(self, routine_medians_ns: Vec<f64>) -> Self {
        PairedRatio {
            routine_medians_ns,
            ..self
        }
    }

    /// The interval's larger distance from the median, relative to it.
    pub fn relative_half_width(&self) -> f64 {
        (self.median - self.interval.0).max(self.interval.1 - self.median) / self.median
    }

    /// Whether the interval is narrow enough to judge ([`MAX_PAIRED_CI_HALF_WIDTH`]).
    pub fn is_tight(&self) -> bool {
        self.relative_half_width() <= MAX_PAIRED_CI_HALF_WIDTH
    }

    /// The figure as a row's note prints it: `1.62 [1.58, 1.66], 171 rounds`.
    pub fn describe(&self) -> String {
        format!(
            "{:.3} [{:.3}, {:.3}], {} rounds",
            self.median, self.interval.0, self.interval.1, self.rounds
        )
    }
}

/// Every paired figure of one run, as the bench binary writes them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PairedRatios {
    /// When the file was written, in seconds since the Unix epoch.
    pub written_unix_s: u64,
    /// The figures.
    pub ratios: Vec<PairedRatio>,
}

impl PairedRatios {
    /// The figures, stamped with the current time.
    pub fn new(ratios: Vec<PairedRatio>) -> Self {
        PairedRatios {
            written_unix_s: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs()),
            ratios,
        }
    }

    /// The folder under a measurements folder that holds the file; a folder of its own, so
    /// readers of the memory measurements, which read every JSON file there, never see it.
    pub fn dir(measurements: &Path) -> PathBuf {
        measurements.join("paired")
    }

    /// The figure of `benchmark` against `anchor`, if measured.
    pub fn find(
        &self,
        benchmark: &str,
        anchor: &str,
        statistic: PairedStatistic,
    ) -> Option<&PairedRatio> {
        self.ratios.iter().find(|ratio| {
            ratio.benchmark == benchmark && ratio.anchor == anchor && ratio.statistic == statistic
        })
    }

    /// Writes the figures into [`dir`](Self::dir) of `measurements` (created if needed),
    /// replacing an earlier file; returns the file's path.
    ///
    /// # Errors
    ///
    /// [`ScorecardError::Io`] when the folder or file cannot be written.
    pub fn write_to(&self, measurements: &Path) -> Result<PathBuf> {
        let path = Self::dir(measurements).join(PAIRED_RATIOS_FILE);
        ScorecardError::write_json(&path, self)?;
        Ok(path)
    }

    /// The figures under `measurements` written at or after `since_unix_s` (an older file
    /// belongs to another run); `None` when there is no such file.
    ///
    /// # Errors
    ///
    /// [`ScorecardError::Io`] for an unreadable file, [`ScorecardError::Json`] for a file that
    /// is not a set of paired figures, [`ScorecardError::InvalidEstimate`] for a figure that is
    /// not positive and finite or lies outside its interval.
    pub fn load_since(measurements: &Path, since_unix_s: u64) -> Result<Option<Self>> {
        let path = Self::dir(measurements).join(PAIRED_RATIOS_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(ScorecardError::io(&path, error)),
        };
        let loaded: PairedRatios =
            serde_json::from_str(&text).map_err(|e| ScorecardError::json(&path, e))?;
        for ratio in &loaded.ratios {
            let (low, high) = ratio.interval;
            let sane = [ratio.median, low, high]
                .iter()
                .all(|value| value.is_finite() && *value > 0.0)
                && low <= ratio.median
                && ratio.median <= high;
            if !sane {
                return Err(ScorecardError::InvalidEstimate {
                    path,
                    problem: format!(
                        "paired figure of {} against {} is {} [{low}, {high}]",
                        ratio.benchmark, ratio.anchor, ratio.median
                    ),
                });
            }
        }
        Ok((loaded.written_unix_s >= since_unix_s).then_some(loaded))
    }
}

/// The median of `values` and its distribution-free `confidence` interval: the order
/// statistics `x(l)` and `x(n + 1 - l)` with the largest `l` whose binomial tail
/// `2 P(Bin(n, 1/2) < l)` is at most `1 - confidence`. It assumes only that the rounds are
/// independent draws of one distribution. With fewer than six values no pair of order
/// statistics reaches 95 %, and the interval is the whole range.
///
/// ```
/// use bench_scorecard::median_interval;
/// let values: Vec<f64> = (1..=100).map(f64::from).collect();
/// // P(Bin(100, 1/2) <= 39) = 0.018, P(<= 40) = 0.028: ranks 40 and 61.
/// assert_eq!(median_interval(&values, 0.95)?, (50.5, (40.0, 61.0)));
/// # Ok::<(), bench_scorecard::ScorecardError>(())
/// ```
///
/// # Errors
///
/// [`ScorecardError::NoRounds`] for no values, [`ScorecardError::InvalidRound`] for a value
/// that is not finite and positive (a ratio of two times), and for a confidence outside (0, 1).
pub fn median_interval(values: &[f64], confidence: f64) -> Result<(f64, (f64, f64))> {
    if values.is_empty() {
        return Err(ScorecardError::NoRounds);
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(ScorecardError::InvalidRound(format!(
            "confidence {confidence} is not between 0 and 1"
        )));
    }
    if let Some(bad) = values.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
        return Err(ScorecardError::InvalidRound(format!(
            "round value {bad} is not a positive finite number"
        )));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let lower = lower_rank(n, 1.0 - confidence);
    Ok((median, (sorted[lower], sorted[n - 1 - lower])))
}

/// The largest 0-based index `j` with `2 P(Bin(n, 1/2) <= j) <= alpha`, or 0 when there is
/// none (the whole range).
fn lower_rank(n: usize, alpha: f64) -> usize {
    let n_f = n as f64;
    let mut log_choose = 0.0_f64; // ln C(n, 0)
    let mut cdf = 0.0_f64;
    let mut lower = 0;
    for j in 0..n.div_ceil(2) {
        cdf += (log_choose - n_f * std::f64::consts::LN_2).exp();
        if 2.0 * cdf > alpha {
            break;
        }
        lower = j;
        log_choose += ((n - j) as f64).ln() - ((j + 1) as f64).ln();
    }
    lower
}

#[cfg(test)]
mod tests;
