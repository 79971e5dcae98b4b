//! [`RULES`] evaluated from a run's Criterion results, the benches' memory measurements, the
//! paired ratios, the machine's cores and the latest run-to-run comparison into a [`Scorecard`].
//!
//! A ratio row (an operation against its anchor, the store's scaling against the ceiling's)
//! takes the run's paired figure where the bench binary measured one ([`PairedRatios`]:
//! operation and anchor alternated in one process, so both saw the same machine) and the
//! ratio of the two Criterion medians otherwise; its note says which, with the paired
//! figure's interval and the medians' ratio beside it.
//!
//! Every row carries the measured value, the seed's bar and SPEC.md's goal with a verdict for
//! each. A bar that needs more cores than the machine has, a figure that was not measured, or
//! a ratio of medians too noisy to mean anything is reported as such and never as a pass.

mod measure;
mod render;
mod tables;

use serde::Serialize;

use crate::bimodality::Modes;
use crate::fit::PowerLawFit;
use crate::memory::MemoryMeasurement;
use crate::paired::PairedRatios;
use crate::results::CriterionResults;
use crate::rules::{Bar, Figure, RULES, Unit};

pub use self::render::efficiency_text;
pub use self::tables::GROWTH_SERIES;

/// The outcome of one bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "why", rename_all = "snake_case")]
pub enum Verdict {
    /// The value meets the bar.
    Pass,
    /// The value misses the bar.
    Fail,
    /// The bar has no number here (the seed is silent on this figure).
    NoBar,
    /// The figure is missing from the results, or too noisy to judge.
    NotMeasured(String),
    /// The figure needs a machine this one is not (more cores).
    NotMeasurableHere(String),
}

impl Verdict {
    /// Label for tables.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::NoBar => "-",
            Verdict::NotMeasured(_) => "not measured",
            Verdict::NotMeasurableHere(_) => "not measurable here",
        }
    }

    fn of(bar: Bar, value: f64) -> Self {
        match bar.passes(value) {
            Some(true) => Verdict::Pass,
            Some(false) => Verdict::Fail,
            None => Verdict::NoBar,
        }
    }
}

/// One row of the scorecard: a [`Rule`](crate::Rule) judged.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// What is measured.
    pub name: String,
    /// Where the value comes from (a benchmark id or a measurement file).
    pub source: String,
    /// The measured value, when there is one.
    pub value: Option<f64>,
    /// Context for the value (which peer was best, how many benchmarks are under the bar).
    pub note: Option<String>,
    /// How the value and bars print.
    pub unit: Unit,
    /// The seed's bar.
    pub seed_bar: Bar,
    /// The seed's verdict.
    pub seed_verdict: Verdict,
    /// SPEC.md's goal.
    pub goal_bar: Bar,
    /// The goal's verdict.
    pub goal_verdict: Verdict,
    /// What the value was computed from.
    pub figure: Figure,
}

/// One benchmark's run-to-run change in an A/A comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunToRunRow {
    /// Benchmark id.
    pub id: String,
    /// `|second median / first median - 1|`.
    pub change: f64,
}

/// The latest run-to-run comparison (`cargo xtask variance`), the input of the run-to-run row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunToRun {
    /// Where it comes from (command, commit), printed as the row's source.
    pub source: String,
    /// One row per benchmark compared.
    pub rows: Vec<RunToRunRow>,
}

/// What [`evaluate`] reads.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// The run's Criterion results.
    pub results: &'a CriterionResults,
    /// The benches' memory measurements of the same run.
    pub memory: &'a [MemoryMeasurement],
    /// Logical cores of the machine (see [`available_cores`]).
    pub cores: usize,
    /// The latest run-to-run comparison, when there is one.
    pub run_to_run: Option<&'a RunToRun>,
    /// The run's paired ratios, when the bench binary measured them; the ratio rows prefer
    /// them to the ratio of two medians.
    pub paired: Option<&'a PairedRatios>,
}

impl<'a> Inputs<'a> {
    /// Inputs without a run-to-run comparison.
    pub fn new(
        results: &'a CriterionResults,
        memory: &'a [MemoryMeasurement],
        cores: usize,
    ) -> Self {
        Inputs {
            results,
            memory,
            cores,
            run_to_run: None,
            paired: None,
        }
    }

    /// The same inputs with `run_to_run`.
    pub fn with_run_to_run(self, run_to_run: &'a RunToRun) -> Self {
        Inputs {
            run_to_run: Some(run_to_run),
            ..self
        }
    }

    /// The same inputs with the run's paired ratios.
    pub fn with_paired_ratios(self, paired: &'a PairedRatios) -> Self {
        Inputs {
            paired: Some(paired),
            ..self
        }
    }
}

/// A suite figure divided by its hash-map anchor from the same run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnchorRatio {
    /// The measured benchmark.
    pub benchmark: String,
    /// The anchor benchmark.
    pub anchor: String,
    /// The paired figure's median where one was measured, else `benchmark median / anchor
    /// median`.
    pub ratio: f64,
    /// The paired figure's 95 % interval; `None` for a ratio of medians.
    pub paired_interval: Option<(f64, f64)>,
}

/// A growth exponent fitted over one benchmark function's sizes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Growth {
    /// `group/function`.
    pub series: String,
    /// The fit, or why there is none.
    pub fit: Result<PowerLawFit, String>,
}

/// Concurrency scaling of one series at one thread count, against its own one-thread run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scaling {
    /// Benchmark id.
    pub id: String,
    /// The series (function) within the concurrency group.
    pub function: String,
    /// Threads.
    pub threads: usize,
    /// Throughput relative to one thread.
    pub speedup: f64,
    /// The speed-up at the two medians' interval bounds, `(low, high)`.
    pub speedup_interval: (f64, f64),
    /// `speedup / threads` (1.0 = linear).
    pub efficiency: f64,
    /// The wider relative interval half-width of the two medians.
    pub widest_half_width: f64,
    /// Whether both medians are tight enough ([`MAX_SCALING_CI_HALF_WIDTH`]) for the
    /// efficiency to be a figure, and neither has two modes.
    pub tight: bool,
    /// Whether the machine has at least this many cores.
    pub within_cores: bool,
}

impl Scaling {
    /// The efficiency when it can be shown as a figure: tight, within the cores, and not above
    /// 100 % (a super-linear efficiency on this workload is a measurement artefact).
    pub fn trusted_efficiency(&self) -> Option<f64> {
        (self.tight && self.within_cores && self.efficiency <= 1.0).then_some(self.efficiency)
    }
}

/// A benchmark whose samples fall into two clusters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bimodal {
    /// Benchmark id.
    pub id: String,
    /// The two clusters.
    pub modes: Modes,
}

/// What [`evaluate`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scorecard {
    /// One row per rule of [`RULES`], in order.
    pub checks: Vec<Check>,
    /// Every suite-to-anchor ratio found.
    pub anchors: Vec<AnchorRatio>,
    /// Growth exponents of the per-element times.
    pub growth: Vec<Growth>,
    /// Concurrency scaling of every concurrent series.
    pub scaling: Vec<Scaling>,
    /// Benchmarks whose samples have two modes.
    pub bimodal: Vec<Bimodal>,
    /// Cores the concurrency criteria were judged against.
    pub cores: usize,
}

/// The machine's cores as `std::thread::available_parallelism` reports them (1 if unknown).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The widest relative 95 % interval half-width of a median that a scaling efficiency is
/// computed from before it is judged or shown as a figure.
pub const MAX_SCALING_CI_HALF_WIDTH: f64 = 0.10;

/// Evaluates every rule of [`RULES`].
///
/// ```
/// use bench_scorecard::{CriterionResults, Inputs, Verdict, evaluate};
///
/// let results = CriterionResults::default();
/// let scorecard = evaluate(&Inputs::new(&results, &[], 2));
/// // Nothing was measured, so nothing passes.
/// assert!(scorecard.checks.iter().all(|c| c.goal_verdict != Verdict::Pass));
/// assert_eq!(scorecard.checks.len(), bench_scorecard::RULES.len());
/// ```
pub fn evaluate(inputs: &Inputs<'_>) -> Scorecard {
    let growth = tables::growth_fits(inputs.results);
    let checks = RULES
        .iter()
        .map(|rule| measure::check(rule, inputs, &growth))
        .collect();
    Scorecard {
        checks,
        anchors: tables::anchor_ratios(inputs.results, inputs.paired),
        growth,
        scaling: tables::scaling(inputs.results, inputs.cores),
        bimodal: tables::bimodal(inputs.results),
        cores: inputs.cores,
    }
}

impl Scorecard {
    /// Whether every goal that could be judged here passed (rows not measurable here and rows
    /// without a goal are left out, and so is a run-to-run row when no variance run exists; a
    /// row that was not measured counts as not passed).
    pub fn all_goals_pass(&self) -> bool {
        self.checks.iter().all(|c| {
            matches!(
                c.goal_verdict,
                Verdict::Pass | Verdict::NoBar | Verdict::NotMeasurableHere(_)
            ) || (c.figure == Figure::RunToRunWorst && c.value.is_none())
        })
    }

    /// The scaling row of `function` at `threads`.
    pub fn scaling_of(&self, function: &str, threads: usize) -> Option<&Scaling> {
        self.scaling
            .iter()
            .find(|s| s.function == function && s.threads == threads)
    }
}
