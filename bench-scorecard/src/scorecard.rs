//! [`RULES`] evaluated from a run's Criterion results, the benches' memory measurements, the
//! machine's cores and the latest run-to-run comparison into a [`Scorecard`].
//!
//! Every row carries the measured value, the seed's bar and SPEC.md's goal with a verdict for
//! each. A bar that needs more cores than the machine has, a figure that was not measured, or
//! a ratio of medians too noisy to mean anything is reported as such and never as a pass.

use std::fmt;

use serde::Serialize;

use crate::bimodality::{Modes, bimodality};
use crate::fit::{PowerLawFit, fit_power_law};
use crate::memory::MemoryMeasurement;
use crate::results::{BenchmarkResult, CriterionResults};
use crate::rules::{Bar, Bench, Figure, RULES, Rule, Unit};
use crate::suite::{self, full_id};

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

/// One row of the scorecard: a [`Rule`] judged.
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

/// A figure computed for a rule, or why there is none.
enum Measured {
    Value {
        value: f64,
        source: String,
        note: Option<String>,
    },
    Missing {
        source: String,
        why: Verdict,
    },
}

impl Measured {
    fn value(value: f64, source: String) -> Self {
        Measured::Value {
            value,
            source,
            note: None,
        }
    }

    fn or_missing(value: Option<f64>, source: String) -> Self {
        match value {
            Some(value) => Measured::value(value, source),
            None => Measured::not_measured(format!("no result for {source}"), source),
        }
    }

    fn not_measured(why: String, source: String) -> Self {
        Measured::Missing {
            source,
            why: Verdict::NotMeasured(why),
        }
    }
}

impl Check {
    fn new(rule: &Rule, measured: Measured) -> Self {
        let (source, value, note, seed_verdict, goal_verdict) = match measured {
            Measured::Value {
                value,
                source,
                note,
            } => (
                source,
                Some(value),
                note,
                Verdict::of(rule.seed, value),
                Verdict::of(rule.goal, value),
            ),
            Measured::Missing { source, why } => {
                let verdict_for = |bar: Bar| {
                    if bar == Bar::None {
                        Verdict::NoBar
                    } else {
                        why.clone()
                    }
                };
                (
                    source,
                    None,
                    None,
                    verdict_for(rule.seed),
                    verdict_for(rule.goal),
                )
            }
        };
        Check {
            name: rule.name.to_owned(),
            source,
            value,
            note,
            unit: rule.unit,
            seed_bar: rule.seed,
            seed_verdict,
            goal_bar: rule.goal,
            goal_verdict,
            figure: rule.figure,
        }
    }

    /// The value with its unit (and note), or why there is none.
    pub fn value_text(&self) -> String {
        match self.value {
            Some(value) => match &self.note {
                Some(note) => format!("{} ({note})", self.unit.format(value)),
                None => self.unit.format(value),
            },
            None => match (&self.goal_verdict, &self.seed_verdict) {
                (Verdict::NotMeasurableHere(why) | Verdict::NotMeasured(why), _)
                | (_, Verdict::NotMeasurableHere(why) | Verdict::NotMeasured(why)) => why.clone(),
                _ => "-".to_owned(),
            },
        }
    }
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
        }
    }

    /// The same inputs with `run_to_run`.
    pub fn with_run_to_run(self, run_to_run: &'a RunToRun) -> Self {
        Inputs {
            run_to_run: Some(run_to_run),
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
    /// `benchmark median / anchor median`.
    pub ratio: f64,
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
    let growth = growth_fits(inputs.results);
    let checks = RULES
        .iter()
        .map(|rule| Check::new(rule, measure(rule.figure, inputs, &growth)))
        .collect();
    Scorecard {
        checks,
        anchors: anchor_ratios(inputs.results),
        growth,
        scaling: scaling(inputs.results, inputs.cores),
        bimodal: bimodal(inputs.results),
        cores: inputs.cores,
    }
}

fn measure(figure: Figure, inputs: &Inputs<'_>, growth: &[Growth]) -> Measured {
    let results = inputs.results;
    let bench_value = |bench: Bench, value: fn(&BenchmarkResult) -> Option<f64>| {
        let id = bench.id();
        Measured::or_missing(results.get(&id).and_then(value), id)
    };
    match figure {
        Figure::MedianTime(bench) => bench_value(bench, |r| Some(r.median_ns)),
        Figure::PerElementTime(bench) => bench_value(bench, |r| Some(r.per_element_ns())),
        Figure::ElementsPerSecond(bench) => {
            bench_value(bench, BenchmarkResult::elements_per_second)
        }
        Figure::WorstPerElement {
            group,
            function,
            sizes,
        } => worst_of(group, function, sizes, |id| {
            results.get(id).map(BenchmarkResult::per_element_ns)
        }),
        Figure::WorstAnchorRatio {
            group,
            function,
            anchor,
            sizes,
        } => worst_of(group, function, sizes, |id| {
            let anchor_id = id.replace(&format!("/{function}/"), &format!("/{anchor}/"));
            Some(results.get(id)?.median_ns / results.get(&anchor_id)?.median_ns)
        }),
        Figure::OptimizerMemorySaved => {
            memory_figure(inputs.memory, "optimizer_memory", |m| match m {
                MemoryMeasurement::OptimizerMemory {
                    n_exceptions,
                    saved_fraction,
                    ..
                } => Some((*n_exceptions, *saved_fraction)),
                _ => None,
            })
        }
        Figure::StoreBytesPerException => {
            memory_figure(inputs.memory, "store_memory", |m| match m {
                MemoryMeasurement::StoreMemory {
                    n_exceptions,
                    bytes_per_exception,
                    ..
                } => Some((*n_exceptions, *bytes_per_exception)),
                _ => None,
            })
        }
        Figure::ScalingEfficiency { function, threads } => {
            let id = full_id(suite::CONCURRENCY_GROUP, function, threads);
            match efficiency_of(results, function, threads, inputs.cores) {
                Ok(efficiency) => Measured::value(efficiency, id),
                Err(why) => Measured::Missing { source: id, why },
            }
        }
        Figure::EfficiencyOfCeiling {
            function,
            ceiling,
            threads,
        } => {
            let source = format!(
                "{} / {}",
                full_id(suite::CONCURRENCY_GROUP, function, threads),
                full_id(suite::CONCURRENCY_GROUP, ceiling, threads)
            );
            match efficiency_of(results, function, threads, inputs.cores)
                .and_then(|own| Ok((own, efficiency_of(results, ceiling, threads, inputs.cores)?)))
            {
                Ok((own, ceiling_efficiency)) => Measured::Value {
                    value: own / ceiling_efficiency,
                    source,
                    note: Some(format!(
                        "{own:.3} against the ceiling's {ceiling_efficiency:.3}"
                    )),
                },
                Err(why) => Measured::Missing { source, why },
            }
        }
        Figure::EfficiencyOfBestPeer {
            function,
            peers,
            threads,
        } => best_peer(results, function, peers, threads, inputs.cores),
        Figure::WithinRunWorst => {
            let worst = suite_results(results)
                .map(|r| (r.full_id.clone(), r.relative_ci_half_width()))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            match worst {
                Some((id, value)) => Measured::value(value, id),
                None => Measured::not_measured("no suite benchmark".to_owned(), "suite".to_owned()),
            }
        }
        Figure::WithinRunMedian => {
            let mut half_widths: Vec<f64> = suite_results(results)
                .map(BenchmarkResult::relative_ci_half_width)
                .collect();
            half_widths.sort_by(f64::total_cmp);
            Measured::or_missing(
                half_widths.get(half_widths.len() / 2).copied(),
                "suite".to_owned(),
            )
        }
        Figure::RunToRunWorst => run_to_run(inputs.run_to_run),
        Figure::GrowthExponent { function } => {
            let series = format!("{}/{function}", suite::SCALABILITY_GROUP);
            let fit = growth
                .iter()
                .find(|g| g.series == series)
                .and_then(|g| g.fit.as_ref().ok());
            Measured::or_missing(fit.map(|f| f.exponent), series)
        }
    }
}

/// The largest value over `group/function/size`.
fn worst_of(
    group: &str,
    function: &str,
    sizes: &[usize],
    value: impl Fn(&str) -> Option<f64>,
) -> Measured {
    let ids: Vec<String> = sizes
        .iter()
        .map(|&size| full_id(group, function, size))
        .collect();
    let worst = ids
        .iter()
        .filter_map(|id| Some((id.clone(), value(id)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match worst {
        Some((id, value)) => Measured::value(value, id),
        None => Measured::or_missing(None, ids.join(", ")),
    }
}

/// The value of the largest measurement `(n, value)` written to `<file_stem>_<n>.json`.
fn memory_figure(
    memory: &[MemoryMeasurement],
    file_stem: &str,
    pick: impl Fn(&MemoryMeasurement) -> Option<(u64, f64)>,
) -> Measured {
    match memory.iter().filter_map(pick).max_by_key(|m| m.0) {
        Some((n, value)) => Measured::value(value, format!("{file_stem}_{n}.json")),
        None => Measured::not_measured(
            format!("no {} measurement", file_stem.replace('_', " ")),
            format!("{file_stem}_*.json"),
        ),
    }
}

fn suite_results(results: &CriterionResults) -> impl Iterator<Item = &BenchmarkResult> {
    results
        .iter()
        .filter(|r| suite::GROUPS.contains(&r.group_id.as_str()))
}

/// The scaling efficiency of `function` at `threads`, when it can be judged.
fn efficiency_of(
    results: &CriterionResults,
    function: &str,
    threads: usize,
    cores: usize,
) -> Result<f64, Verdict> {
    if threads > cores {
        return Err(Verdict::NotMeasurableHere(format!(
            "{threads} threads on {cores} cores: not measurable here"
        )));
    }
    let id = full_id(suite::CONCURRENCY_GROUP, function, threads);
    let row = scaling_at(results, function, threads, cores)
        .ok_or_else(|| Verdict::NotMeasured(format!("no result for {id}")))?;
    if !row.tight {
        return Err(Verdict::NotMeasured(format!(
            "{:.3}, too noisy to judge: a median's 95% interval is ±{:.0} % (> {:.0} %) or has two modes",
            row.efficiency,
            row.widest_half_width * 100.0,
            MAX_SCALING_CI_HALF_WIDTH * 100.0
        )));
    }
    Ok(row.efficiency)
}

fn best_peer(
    results: &CriterionResults,
    function: &str,
    peers: &[&str],
    threads: usize,
    cores: usize,
) -> Measured {
    let source = full_id(suite::CONCURRENCY_GROUP, function, threads);
    let own = match efficiency_of(results, function, threads, cores) {
        Ok(own) => own,
        Err(why) => return Measured::Missing { source, why },
    };
    let best = peers
        .iter()
        .filter_map(|peer| Some((*peer, efficiency_of(results, peer, threads, cores).ok()?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match best {
        Some((peer, peer_efficiency)) => Measured::Value {
            value: own / peer_efficiency,
            source: format!(
                "{source} / {}",
                full_id(suite::CONCURRENCY_GROUP, peer, threads)
            ),
            note: Some(format!("{own:.3} against {peer}'s {peer_efficiency:.3}")),
        },
        None => Measured::not_measured(
            format!("no peer with a tight efficiency at {threads} threads"),
            source,
        ),
    }
}

fn run_to_run(run_to_run: Option<&RunToRun>) -> Measured {
    let source = "cargo xtask variance".to_owned();
    let Some(run_to_run) = run_to_run else {
        return Measured::not_measured(
            "measured across runs by `cargo xtask variance`, not run yet".to_owned(),
            source,
        );
    };
    let Some(worst) = run_to_run
        .rows
        .iter()
        .max_by(|a, b| a.change.total_cmp(&b.change))
    else {
        return Measured::not_measured(
            "the variance run compared no benchmark".to_owned(),
            run_to_run.source.clone(),
        );
    };
    let under = |bar: f64| run_to_run.rows.iter().filter(|r| r.change < bar).count();
    Measured::Value {
        value: worst.change,
        source: run_to_run.source.clone(),
        note: Some(format!(
            "{}; {} of {} under 5 %, {} under 2 %",
            worst.id,
            under(0.05),
            run_to_run.rows.len(),
            under(0.02)
        )),
    }
}

/// The scaling of `function` at `threads` against its one-thread run.
fn scaling_at(
    results: &CriterionResults,
    function: &str,
    threads: usize,
    cores: usize,
) -> Option<Scaling> {
    let one = results.get(&full_id(suite::CONCURRENCY_GROUP, function, 1))?;
    let id = full_id(suite::CONCURRENCY_GROUP, function, threads);
    let many = results.get(&id)?;
    let rate_one = one.elements_per_second().filter(|rate| *rate > 0.0)?;
    let rate_many = many.elements_per_second()?;
    let (one_low, one_high) = one.elements_per_second_ci()?;
    let (many_low, many_high) = many.elements_per_second_ci()?;
    let speedup = rate_many / rate_one;
    let widest_half_width = one
        .relative_ci_half_width()
        .max(many.relative_ci_half_width());
    let two_modes = [one, many]
        .iter()
        .any(|r| bimodality(&r.samples_ns).is_some());
    Some(Scaling {
        id,
        function: function.to_owned(),
        threads,
        speedup,
        // One thread against itself is exactly 1; the baseline's own spread shows in the others.
        speedup_interval: if threads == 1 {
            (1.0, 1.0)
        } else {
            (many_low / one_high, many_high / one_low)
        },
        efficiency: speedup / threads as f64,
        widest_half_width,
        tight: widest_half_width <= MAX_SCALING_CI_HALF_WIDTH && !two_modes,
        within_cores: threads <= cores,
    })
}

fn scaling(results: &CriterionResults, cores: usize) -> Vec<Scaling> {
    suite::CONCURRENT_SERIES
        .iter()
        .flat_map(|function| {
            suite::THREAD_COUNTS
                .iter()
                .filter_map(move |&threads| scaling_at(results, function, threads, cores))
        })
        .collect()
}

fn bimodal(results: &CriterionResults) -> Vec<Bimodal> {
    results
        .iter()
        .filter_map(|r| {
            Some(Bimodal {
                id: r.full_id.clone(),
                modes: bimodality(&r.samples_ns)?,
            })
        })
        .collect()
}

fn anchor_ratios(results: &CriterionResults) -> Vec<AnchorRatio> {
    let pairs = [
        (suite::STORE_ADD, suite::HASHMAP_ADD),
        (suite::STORE_GET, suite::HASHMAP_GET),
        (suite::STORE_ADD, suite::DASHMAP_ADD),
        (suite::STORE_GET, suite::DASHMAP_GET),
    ];
    let mut ratios = Vec::new();
    for (function, anchor) in pairs {
        for size in suite::STORE_SIZES {
            ratios.extend(ratio(results, suite::STORE_GROUP, function, anchor, size));
        }
    }
    for size in suite::SCALING_STORE_SIZES {
        ratios.extend(ratio(
            results,
            suite::SCALABILITY_GROUP,
            suite::SCALING_STORE_GET,
            suite::SCALING_HASHMAP_GET,
            size,
        ));
    }
    for peer in suite::CONCURRENT_PEERS
        .iter()
        .chain([&suite::CONCURRENT_UNSHARED])
    {
        for threads in suite::THREAD_COUNTS {
            ratios.extend(ratio(
                results,
                suite::CONCURRENCY_GROUP,
                suite::CONCURRENT_PRESPAWNED,
                peer,
                threads,
            ));
        }
    }
    ratios
}

fn ratio(
    results: &CriterionResults,
    group: &str,
    function: &str,
    anchor: &str,
    size: usize,
) -> Option<AnchorRatio> {
    let benchmark = full_id(group, function, size);
    let anchor = full_id(group, anchor, size);
    let value = results.get(&benchmark)?.median_ns / results.get(&anchor)?.median_ns;
    value.is_finite().then_some(AnchorRatio {
        benchmark,
        anchor,
        ratio: value,
    })
}

/// The growth series the scorecard fits.
pub const GROWTH_SERIES: [&str; 4] = [
    suite::SCALING_STORE_GET,
    suite::SCALING_STORE_ADD,
    suite::SCALING_HASHMAP_GET,
    suite::SCALING_DETECT,
];

fn growth_fits(results: &CriterionResults) -> Vec<Growth> {
    GROWTH_SERIES
        .iter()
        .map(|function| {
            let points = results.series(suite::SCALABILITY_GROUP, function);
            Growth {
                series: format!("{}/{function}", suite::SCALABILITY_GROUP),
                fit: fit_power_law(&points).map_err(|e| e.to_string()),
            }
        })
        .collect()
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

/// How a scaling row's efficiency is shown: the figure only where [`Scaling::trusted_efficiency`]
/// allows it, otherwise the reason in words.
///
/// ```
/// use bench_scorecard::{Scaling, efficiency_text};
/// let row = Scaling {
///     id: "g/f/2".into(), function: "f".into(), threads: 2, speedup: 5.18,
///     speedup_interval: (4.0, 6.0), efficiency: 2.59, widest_half_width: 0.3,
///     tight: false, within_cores: true,
/// };
/// assert!(efficiency_text(&row).starts_with("not shown"));
/// ```
pub fn efficiency_text(row: &Scaling) -> String {
    if !row.tight {
        format!(
            "not shown: medians ±{:.0} % or two modes",
            row.widest_half_width * 100.0
        )
    } else if row.efficiency > 1.0 {
        format!(
            "not shown: {:.0} % is above linear (measurement artefact)",
            row.efficiency * 100.0
        )
    } else if !row.within_cores {
        format!("{:.0} % (oversubscribed)", row.efficiency * 100.0)
    } else {
        format!("{:.0} %", row.efficiency * 100.0)
    }
}

impl fmt::Display for Scorecard {
    /// The scorecard as Markdown tables.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| criterion | value | seed bar | seed | goal | goal verdict | source |"
        )?;
        writeln!(f, "|---|---|---|---|---|---|---|")?;
        for check in &self.checks {
            writeln!(
                f,
                "| {} | {} | {} | {} | {} | {} | `{}` |",
                check.name,
                check.value_text(),
                check.seed_bar.describe(check.unit),
                check.seed_verdict.label(),
                check.goal_bar.describe(check.unit),
                check.goal_verdict.label(),
                check.source,
            )?;
        }
        if !self.anchors.is_empty() {
            writeln!(f, "\n| benchmark | anchor | ratio |")?;
            writeln!(f, "|---|---|---|")?;
            for anchor in &self.anchors {
                writeln!(
                    f,
                    "| `{}` | `{}` | {:.2}x |",
                    anchor.benchmark, anchor.anchor, anchor.ratio
                )?;
            }
        }
        if !self.scaling.is_empty() {
            writeln!(
                f,
                "\n| benchmark | threads | speed-up [95% CI] | efficiency |"
            )?;
            writeln!(f, "|---|---|---|---|")?;
            for row in &self.scaling {
                writeln!(
                    f,
                    "| `{}` | {} | {:.2}x [{:.2} .. {:.2}] | {} |",
                    row.id,
                    row.threads,
                    row.speedup,
                    row.speedup_interval.0,
                    row.speedup_interval.1,
                    efficiency_text(row)
                )?;
            }
        }
        writeln!(f, "\n| series (per element) | exponent k | R^2 | points |")?;
        writeln!(f, "|---|---|---|---|")?;
        for growth in &self.growth {
            match &growth.fit {
                Ok(fit) => writeln!(
                    f,
                    "| `{}` | {:.3} | {:.3} | {} |",
                    growth.series, fit.exponent, fit.r_squared, fit.points
                )?,
                Err(why) => writeln!(f, "| `{}` | - | - | {why} |", growth.series)?,
            }
        }
        for row in &self.bimodal {
            writeln!(
                f,
                "\nTwo modes: `{}`: {} samples near {:.0} ns, {} near {:.0} ns ({:.2}x apart).",
                row.id,
                row.modes.low_count,
                row.modes.low_ns,
                row.modes.high_count,
                row.modes.high_ns,
                row.modes.ratio()
            )?;
        }
        write!(f, "\nConcurrency judged against {} core(s).", self.cores)
    }
}
