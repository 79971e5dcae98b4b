//! The seed's six success criteria and SPEC.md's goals, evaluated from Criterion's results and
//! the benches' memory measurements into a [`Scorecard`].
//!
//! Every row carries the measured value, the seed's bar and SPEC.md's goal with a verdict for
//! each. A bar that needs more cores than the machine has, or a figure that was not measured,
//! is reported as such and never as a pass.

mod results;

use std::fmt;

use serde::Serialize;

use crate::fit::{PowerLawFit, fit_power_law};
use crate::measurements::MemoryMeasurement;
use crate::suite::{self, full_id};

pub use self::results::{BenchmarkResult, CriterionResults};

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
    /// The figure is missing from the results.
    NotMeasured(String),
    /// The figure needs a machine this one is not (more cores).
    NotMeasurableHere(String),
}

impl Verdict {
    fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::NoBar => "-",
            Verdict::NotMeasured(_) => "not measured",
            Verdict::NotMeasurableHere(_) => "not measurable here",
        }
    }
}

/// A numeric bar: the value must stay below or reach a limit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bar {
    /// `value < limit`.
    Below(f64),
    /// `value <= limit`.
    AtMost(f64),
    /// `value > limit`.
    Above(f64),
    /// `value >= limit`.
    AtLeast(f64),
    /// No numeric bar.
    None,
}

impl Bar {
    fn judge(self, value: f64) -> Verdict {
        let pass = match self {
            Bar::Below(limit) => value < limit,
            Bar::AtMost(limit) => value <= limit,
            Bar::Above(limit) => value > limit,
            Bar::AtLeast(limit) => value >= limit,
            Bar::None => return Verdict::NoBar,
        };
        if pass { Verdict::Pass } else { Verdict::Fail }
    }

    fn describe(self, unit: Unit) -> String {
        match self {
            Bar::Below(limit) => format!("< {}", unit.format(limit)),
            Bar::AtMost(limit) => format!("<= {}", unit.format(limit)),
            Bar::Above(limit) => format!("> {}", unit.format(limit)),
            Bar::AtLeast(limit) => format!(">= {}", unit.format(limit)),
            Bar::None => "-".to_owned(),
        }
    }
}

/// How a row's value is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Nanoseconds, printed as ns, µs or ms.
    Nanoseconds,
    /// Items per second.
    PerSecond,
    /// A fraction, printed as a percentage.
    Fraction,
    /// A plain ratio, printed as `1.23x`.
    Ratio,
    /// Bytes.
    Bytes,
    /// A dimensionless number (efficiency, exponent).
    Number,
}

impl Unit {
    /// `value` with its unit.
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Nanoseconds if value >= 1e6 => format!("{:.2} ms", value / 1e6),
            Unit::Nanoseconds if value >= 1e3 => format!("{:.2} µs", value / 1e3),
            Unit::Nanoseconds => format!("{value:.1} ns"),
            Unit::PerSecond => format!("{value:.0}/s"),
            Unit::Fraction => format!("{:.1} %", value * 100.0),
            Unit::Ratio => format!("{value:.2}x"),
            Unit::Bytes => format!("{value:.1} B"),
            Unit::Number => format!("{value:.3}"),
        }
    }
}

/// One row of the scorecard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// What is measured.
    pub name: String,
    /// Where the value comes from (a benchmark id or a measurement file).
    pub source: String,
    /// The measured value, when there is one.
    pub value: Option<f64>,
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
}

impl Check {
    fn measured(name: &str, source: String, value: f64, unit: Unit, seed: Bar, goal: Bar) -> Self {
        Check {
            name: name.to_owned(),
            source,
            value: Some(value),
            unit,
            seed_bar: seed,
            seed_verdict: seed.judge(value),
            goal_bar: goal,
            goal_verdict: goal.judge(value),
        }
    }

    fn unmeasured(
        name: &str,
        source: String,
        unit: Unit,
        seed: Bar,
        goal: Bar,
        why: Verdict,
    ) -> Self {
        let verdict_for = |bar: Bar| {
            if bar == Bar::None {
                Verdict::NoBar
            } else {
                why.clone()
            }
        };
        Check {
            name: name.to_owned(),
            source,
            value: None,
            unit,
            seed_bar: seed,
            seed_verdict: verdict_for(seed),
            goal_bar: goal,
            goal_verdict: verdict_for(goal),
        }
    }

    fn from_option(
        name: &str,
        source: String,
        value: Option<f64>,
        unit: Unit,
        seed: Bar,
        goal: Bar,
    ) -> Self {
        match value {
            Some(value) => Check::measured(name, source, value, unit, seed, goal),
            None => {
                let why = Verdict::NotMeasured(format!("no result for {source}"));
                Check::unmeasured(name, source, unit, seed, goal, why)
            }
        }
    }

    /// The value with its unit, or why there is none.
    pub fn value_text(&self) -> String {
        match self.value {
            Some(value) => self.unit.format(value),
            None => match (&self.goal_verdict, &self.seed_verdict) {
                (Verdict::NotMeasurableHere(why) | Verdict::NotMeasured(why), _)
                | (_, Verdict::NotMeasurableHere(why) | Verdict::NotMeasured(why)) => why.clone(),
                _ => "-".to_owned(),
            },
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

/// What [`evaluate`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scorecard {
    /// The criteria rows.
    pub checks: Vec<Check>,
    /// Every suite-to-anchor ratio found.
    pub anchors: Vec<AnchorRatio>,
    /// Growth exponents of the per-element times.
    pub growth: Vec<Growth>,
    /// Cores the concurrency criterion was judged against.
    pub cores: usize,
}

/// The machine's cores as `std::thread::available_parallelism` reports them (1 if unknown).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A flat per-operation exponent: at most this.
pub const FLAT_EXPONENT: f64 = 0.1;

/// Evaluates the criteria from Criterion's `results`, the benches' `memory` measurements and
/// the machine's `cores` (see [`available_cores`]).
///
/// ```
/// use bench_harness::{CriterionResults, Verdict, evaluate};
///
/// let scorecard = evaluate(&CriterionResults::default(), &[], 2);
/// // Nothing was measured, so nothing passes.
/// assert!(scorecard.checks.iter().all(|c| c.goal_verdict != Verdict::Pass));
/// ```
pub fn evaluate(
    results: &CriterionResults,
    memory: &[MemoryMeasurement],
    cores: usize,
) -> Scorecard {
    let mut checks = Vec::new();
    let median = |id: &str| results.get(id).map(|r| r.median_ns);
    let per_element = |id: &str| results.get(id).map(BenchmarkResult::per_element_ns);

    // 1. Detection.
    let id = full_id(suite::DETECTION_GROUP, suite::DETECT, 1_000);
    checks.push(Check::from_option(
        "detect one node with 1000 properties",
        id.clone(),
        median(&id),
        Unit::Nanoseconds,
        Bar::Below(1e6),
        Bar::Below(1e5),
    ));

    // 2. Store operations, the worst size, and against the plain HashMap.
    for (name, function, anchor, goal) in [
        (
            "store add per exception (worst size)",
            suite::STORE_ADD,
            suite::HASHMAP_ADD,
            300.0,
        ),
        (
            "store get per exception (worst size)",
            suite::STORE_GET,
            suite::HASHMAP_GET,
            150.0,
        ),
    ] {
        let ids: Vec<String> = suite::STORE_SIZES
            .iter()
            .map(|&size| full_id(suite::STORE_GROUP, function, size))
            .collect();
        let worst = worst_of(&ids, |id| per_element(id));
        checks.push(Check::from_option(
            name,
            worst
                .as_ref()
                .map_or_else(|| ids.join(", "), |w| w.0.clone()),
            worst.map(|w| w.1),
            Unit::Nanoseconds,
            Bar::Below(100_000.0),
            Bar::Below(goal),
        ));
        let worst_ratio = worst_of(&ids, |id| {
            let anchor_id = id.replace(&format!("/{function}/"), &format!("/{anchor}/"));
            Some(median(id)? / median(&anchor_id)?)
        });
        checks.push(Check::from_option(
            &format!(
                "{} / std HashMap (worst size)",
                name.trim_end_matches(" (worst size)")
            ),
            worst_ratio
                .as_ref()
                .map_or_else(|| ids.join(", "), |w| w.0.clone()),
            worst_ratio.map(|w| w.1),
            Unit::Ratio,
            Bar::None,
            Bar::AtMost(1.5),
        ));
    }

    // Handler cache hit.
    let id = full_id(suite::HANDLER_GROUP, suite::HANDLER_HIT, "single");
    checks.push(Check::from_option(
        "handler resolve, cache hit",
        id.clone(),
        per_element(&id),
        Unit::Nanoseconds,
        Bar::None,
        Bar::Below(100.0),
    ));

    // 3. Learning throughput.
    let id = full_id(suite::LEARNING_GROUP, suite::LEARN, 1_000);
    checks.push(Check::from_option(
        "pattern learning, examples per second",
        id.clone(),
        results
            .get(&id)
            .and_then(BenchmarkResult::elements_per_second),
        Unit::PerSecond,
        Bar::Above(1_000.0),
        Bar::Above(500_000.0),
    ));

    // 4. Optimizer memory, and the seed's store memory bench.
    checks.push(optimizer_memory_check(memory));
    checks.push(store_memory_check(memory));

    // 5. Concurrency.
    for function in [suite::CONCURRENT_PRESPAWNED, suite::CONCURRENT_SEED] {
        checks.extend(concurrency_checks(results, function, cores));
    }

    // 6. Variance.
    checks.extend(variance_checks(results));

    // Growth.
    let growth = growth_fits(results);
    for (series, name) in [
        (
            full_id(suite::SCALABILITY_GROUP, suite::SCALING_STORE_GET, "*"),
            "growth exponent of store get per operation",
        ),
        (
            full_id(suite::SCALABILITY_GROUP, suite::SCALING_DETECT, "*"),
            "growth exponent of detection per property",
        ),
    ] {
        let series = series.trim_end_matches("/*").to_owned();
        let fit = growth
            .iter()
            .find(|g| g.series == series)
            .and_then(|g| g.fit.as_ref().ok());
        checks.push(Check::from_option(
            name,
            series,
            fit.map(|f| f.exponent),
            Unit::Number,
            Bar::None,
            Bar::AtMost(FLAT_EXPONENT),
        ));
    }

    Scorecard {
        checks,
        anchors: anchor_ratios(results),
        growth,
        cores,
    }
}

/// The id with the largest value among `ids` that have one.
fn worst_of(ids: &[String], value: impl Fn(&str) -> Option<f64>) -> Option<(String, f64)> {
    ids.iter()
        .filter_map(|id| Some((id.clone(), value(id)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn optimizer_memory_check(memory: &[MemoryMeasurement]) -> Check {
    let largest = memory
        .iter()
        .filter_map(|m| match m {
            MemoryMeasurement::OptimizerMemory {
                n_exceptions,
                saved_fraction,
                ..
            } => Some((*n_exceptions, *saved_fraction)),
            _ => None,
        })
        .max_by_key(|m| m.0);
    memory_check(
        "optimizer memory saved vs naive HashMap (allocator-measured)",
        "optimizer_memory",
        largest,
        Unit::Fraction,
        (Bar::Above(0.5), Bar::Above(0.7)),
    )
}

fn store_memory_check(memory: &[MemoryMeasurement]) -> Check {
    let largest = memory
        .iter()
        .filter_map(|m| match m {
            MemoryMeasurement::StoreMemory {
                n_exceptions,
                bytes_per_exception,
                ..
            } => Some((*n_exceptions, *bytes_per_exception)),
            _ => None,
        })
        .max_by_key(|m| m.0);
    memory_check(
        "store memory per exception, seed's memory bench (allocator-measured)",
        "store_memory",
        largest,
        Unit::Bytes,
        (Bar::Below(500.0), Bar::Below(200.0)),
    )
}

/// A row from the largest measurement `(n, value)` written to `<file_stem>_<n>.json`.
fn memory_check(
    name: &str,
    file_stem: &str,
    largest: Option<(u64, f64)>,
    unit: Unit,
    (seed, goal): (Bar, Bar),
) -> Check {
    match largest {
        Some((n, value)) => Check::measured(
            name,
            format!("{file_stem}_{n}.json"),
            value,
            unit,
            seed,
            goal,
        ),
        None => Check::unmeasured(
            name,
            format!("{file_stem}_*.json"),
            unit,
            seed,
            goal,
            Verdict::NotMeasured(format!("no {} measurement", file_stem.replace('_', " "))),
        ),
    }
}

/// The widest relative 95 % interval half-width of a median that a scaling efficiency is
/// computed from before the scorecard judges it.
pub const MAX_SCALING_CI_HALF_WIDTH: f64 = 0.10;

/// Scaling efficiency `throughput(n) / (n x throughput(1))` for every thread count above one;
/// counts above `cores` are not measurable here.
fn concurrency_checks(results: &CriterionResults, function: &str, cores: usize) -> Vec<Check> {
    let throughput = |threads: usize| {
        results
            .get(&full_id(suite::CONCURRENCY_GROUP, function, threads))
            .and_then(BenchmarkResult::elements_per_second)
    };
    let one = throughput(1);
    suite::THREAD_COUNTS
        .iter()
        .filter(|&&threads| threads > 1)
        .map(|&threads| {
            let id = full_id(suite::CONCURRENCY_GROUP, function, threads);
            let name =
                format!("concurrent adds, scaling efficiency at {threads} threads ({function})");
            // The seed gives no number for "linear"; both columns use SPEC.md's 0.85.
            let bar = Bar::AtLeast(0.85);
            if threads > cores {
                let why = format!("{threads} threads on {cores} cores: not measurable here");
                return Check::unmeasured(
                    &name,
                    id,
                    Unit::Number,
                    bar,
                    bar,
                    Verdict::NotMeasurableHere(why),
                );
            }
            // A ratio of two noisy medians is noisier still: judge it only when both medians
            // are tight, or a loaded machine's luck reads as (super)linear scaling.
            let widest = [id.clone(), full_id(suite::CONCURRENCY_GROUP, function, 1)]
                .iter()
                .filter_map(|bench| results.get(bench))
                .map(BenchmarkResult::relative_ci_half_width)
                .fold(0.0_f64, f64::max);
            let efficiency = match (throughput(threads), one) {
                (Some(n), Some(one)) if one > 0.0 => Some(n / (threads as f64 * one)),
                _ => None,
            };
            if let Some(efficiency) = efficiency
                && widest > MAX_SCALING_CI_HALF_WIDTH
            {
                let why = format!(
                    "{efficiency:.3}, too noisy to judge: a median's 95% interval is ±{:.0} % (> {:.0} %)",
                    widest * 100.0,
                    MAX_SCALING_CI_HALF_WIDTH * 100.0
                );
                return Check::unmeasured(
                    &name,
                    id,
                    Unit::Number,
                    bar,
                    bar,
                    Verdict::NotMeasured(why),
                );
            }
            Check::from_option(&name, id, efficiency, Unit::Number, bar, bar)
        })
        .collect()
}

/// Within-run spread: the widest relative confidence interval of a median in the suite, and
/// a row saying where run-to-run variance is measured.
fn variance_checks(results: &CriterionResults) -> Vec<Check> {
    let suite_results: Vec<&BenchmarkResult> = results
        .iter()
        .filter(|r| suite::GROUPS.contains(&r.group_id.as_str()))
        .collect();
    let worst = suite_results
        .iter()
        .map(|r| (r.full_id.clone(), r.relative_ci_half_width()))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let mut half_widths: Vec<f64> = suite_results
        .iter()
        .map(|r| r.relative_ci_half_width())
        .collect();
    half_widths.sort_by(f64::total_cmp);
    let typical = half_widths.get(half_widths.len() / 2).copied();
    vec![
        Check::from_option(
            "within-run spread, widest median 95% CI half-width (worst benchmark)",
            worst
                .as_ref()
                .map_or_else(|| "suite".to_owned(), |w| w.0.clone()),
            worst.map(|w| w.1),
            Unit::Fraction,
            Bar::Below(0.05),
            Bar::Below(0.02),
        ),
        Check::from_option(
            "within-run spread, median benchmark",
            "suite".to_owned(),
            typical,
            Unit::Fraction,
            Bar::Below(0.05),
            Bar::Below(0.02),
        ),
        Check::unmeasured(
            "run-to-run spread",
            "cargo xtask variance".to_owned(),
            Unit::Fraction,
            Bar::Below(0.05),
            Bar::Below(0.02),
            Verdict::NotMeasured("measured across runs by `cargo xtask variance`".to_owned()),
        ),
    ]
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
    for threads in suite::THREAD_COUNTS {
        ratios.extend(ratio(
            results,
            suite::CONCURRENCY_GROUP,
            suite::CONCURRENT_PRESPAWNED,
            suite::CONCURRENT_DASHMAP,
            threads,
        ));
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

fn growth_fits(results: &CriterionResults) -> Vec<Growth> {
    [
        suite::SCALING_STORE_GET,
        suite::SCALING_STORE_ADD,
        suite::SCALING_HASHMAP_GET,
        suite::SCALING_DETECT,
    ]
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
    /// without a goal are left out; a row that was not measured counts as not passed).
    pub fn all_goals_pass(&self) -> bool {
        self.checks.iter().all(|c| {
            matches!(
                c.goal_verdict,
                Verdict::Pass | Verdict::NoBar | Verdict::NotMeasurableHere(_)
            ) || c.source == "cargo xtask variance"
        })
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
        write!(f, "\nConcurrency judged against {} core(s).", self.cores)
    }
}
