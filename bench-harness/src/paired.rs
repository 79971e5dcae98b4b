//! The alternation that measures the scorecard's ratio rows: an operation and its anchor timed
//! in turns in one process, a few milliseconds each, so each round sees one machine state.
//!
//! A routine is a [`Timed`]: it runs a number of iterations of a benchmark body and returns
//! the time they took, setup excluded. [`timed_iter`] and [`timed_batched`] make one from the
//! same body a Criterion benchmark times with `Bencher::iter` or `Bencher::iter_batched`, so
//! no benchmark is written twice. [`alternate`] calibrates each routine's iterations to one
//! chunk ([`PairedConfig::chunk`]) and then runs rounds until the budget is spent, each round
//! every routine once, in mirrored order on odd rounds (`A B`, `B A`, ...) so that a drift
//! within a round favours neither side. [`time_ratio`] and [`efficiency_ratio`] turn the
//! rounds into a [`PairedRatio`] (median over the rounds, distribution-free interval).
//!
//! ```
//! use std::time::Duration;
//! use bench_harness::{PairedConfig, time_ratio, timed_iter};
//!
//! let config = PairedConfig::smoke();
//! let mut short = timed_iter(|| (0..100_u64).sum::<u64>());
//! let mut long = timed_iter(|| (0..400_u64).sum::<u64>());
//! let ratio = time_ratio("g/long/1", "g/short/1", &config, &mut long, &mut short)?;
//! assert_eq!(ratio.rounds, config.min_rounds);
//! # Ok::<(), bench_harness::HarnessError>(())
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use bench_scorecard::{PairedRatio, PairedStatistic};

use crate::config::RunMode;
use crate::error::Result;

/// The name the paired step answers to: the bench binary's filter `paired_ratios` runs only it.
pub const PAIRED_STEP: &str = "paired_ratios";

/// One benchmark body as the alternation drives it.
pub trait Timed {
    /// Runs `iterations` iterations and returns the time they took, setup excluded.
    fn time(&mut self, iterations: u64) -> Duration;
}

impl<F: FnMut(u64) -> Duration> Timed for F {
    fn time(&mut self, iterations: u64) -> Duration {
        self(iterations)
    }
}

/// A routine timing `body` as `Bencher::iter` does: the output is dropped inside the timing.
pub fn timed_iter<O>(mut body: impl FnMut() -> O) -> impl FnMut(u64) -> Duration {
    move |iterations| {
        let start = Instant::now();
        for _ in 0..iterations {
            black_box(body());
        }
        start.elapsed()
    }
}

/// A routine timing `routine` on fresh inputs from `setup`, as `Bencher::iter_batched` does:
/// the inputs are made before the clock starts and the outputs dropped after it stops.
pub fn timed_batched<I, O>(
    mut setup: impl FnMut() -> I,
    mut routine: impl FnMut(I) -> O,
) -> impl FnMut(u64) -> Duration {
    move |iterations| {
        let inputs: Vec<I> = (0..iterations).map(|_| setup()).collect();
        let mut outputs = Vec::with_capacity(inputs.len());
        let start = Instant::now();
        for input in inputs {
            outputs.push(black_box(routine(black_box(input))));
        }
        let elapsed = start.elapsed();
        drop(outputs);
        elapsed
    }
}

/// How long the alternation measures one figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairedConfig {
    /// The time one routine runs per round (at least one iteration).
    pub chunk: Duration,
    /// The time rounds are started for, per figure of two routines (calibration not
    /// included). An efficiency ratio of four routines gets [`EFFICIENCY_BUDGETS`] of them:
    /// its rounds take twice as long and combine four times, two of which run on every core,
    /// where the load of any other process on the machine lands.
    pub budget: Duration,
    /// Rounds at least, whatever the budget.
    pub min_rounds: usize,
    /// Rounds at most.
    pub max_rounds: usize,
    /// Whether the iterations per chunk are calibrated; without it every chunk is one
    /// iteration (the smoke form).
    pub calibrate: bool,
}

/// A figure's budget per second of Criterion measurement time.
pub const BUDGET_PER_MEASUREMENT_SECOND: f64 = 4.0;

/// The budgets a figure of more than two routines (an efficiency ratio) gets: on the shared
/// 2-core box its interval was ±12 % at two budgets, ±5-6 % at three and ±4-5 % at six, and two
/// quick runs in a row differed by 6.6 % at three and 0.7 % at six.
pub const EFFICIENCY_BUDGETS: f64 = 6.0;

/// The shortest and the longest budget per figure.
pub const BUDGET_RANGE_S: (f64, f64) = (0.5, 3.0);

impl PairedConfig {
    /// The configuration for a Criterion measurement time: a budget of
    /// [`BUDGET_PER_MEASUREMENT_SECOND`] times it, within [`BUDGET_RANGE_S`] (1.2 s under
    /// `cargo xtask bench --quick`, 3 s under the suite's 2 s), chunks of 3 ms.
    ///
    /// ```
    /// use std::time::Duration;
    /// use bench_harness::PairedConfig;
    /// assert_eq!(PairedConfig::for_measurement_time(Duration::from_secs(2)).budget, Duration::from_secs(3));
    /// assert_eq!(PairedConfig::for_measurement_time(Duration::from_millis(300)).budget, Duration::from_millis(1200));
    /// ```
    pub fn for_measurement_time(measurement_time: Duration) -> Self {
        let (shortest, longest) = BUDGET_RANGE_S;
        let budget_s = (measurement_time.as_secs_f64() * BUDGET_PER_MEASUREMENT_SECOND)
            .clamp(shortest, longest);
        PairedConfig {
            chunk: Duration::from_millis(3),
            budget: Duration::from_secs_f64(budget_s),
            min_rounds: 10,
            max_rounds: 100_000,
            calibrate: true,
        }
    }

    /// Criterion's test mode (`cargo test`): three rounds of one iteration each, enough to
    /// run every routine and the statistic once.
    pub fn smoke() -> Self {
        PairedConfig {
            chunk: Duration::ZERO,
            budget: Duration::ZERO,
            min_rounds: 3,
            max_rounds: 3,
            calibrate: false,
        }
    }

    /// Whether, and how, a bench process with these arguments measures the paired figures:
    /// not when listing, not when a filter selects benchmarks (the gate's exact filters, any
    /// other) unless the filter is [`PAIRED_STEP`] itself, in smoke form in test mode.
    /// `measurement_time` is the suite's own, which a `--measurement-time` argument overrides.
    ///
    /// ```
    /// use std::time::Duration;
    /// use bench_harness::PairedConfig;
    /// let two = Duration::from_secs(2);
    /// assert!(PairedConfig::for_args(["bin", "--bench"], two).is_some());
    /// assert_eq!(PairedConfig::for_args(["bin"], two), Some(PairedConfig::smoke()));
    /// assert!(PairedConfig::for_args(["bin", "--bench", "^exception_store/"], two).is_none());
    /// assert!(PairedConfig::for_args(["bin", "--bench", "--list"], two).is_none());
    /// let quick = PairedConfig::for_args(["bin", "--bench", "--measurement-time", "0.3"], two);
    /// assert_eq!(quick.map(|c| c.budget), Some(Duration::from_millis(1200)));
    /// ```
    pub fn for_args<I, S>(args: I, measurement_time: Duration) -> Option<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let args: Vec<String> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let filter = criterion_filter(&args);
        if filter
            .as_deref()
            .is_some_and(|filter| filter != PAIRED_STEP)
        {
            return None;
        }
        match RunMode::from_args(&args) {
            RunMode::List => None,
            RunMode::Test => Some(PairedConfig::smoke()),
            RunMode::Benchmark => Some(PairedConfig::for_measurement_time(
                option_value(&args, "--measurement-time")
                    .and_then(|text| text.parse::<f64>().ok())
                    .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
                    .map_or(measurement_time, Duration::from_secs_f64),
            )),
        }
    }
}

/// Criterion's options that take a value (criterion 0.8), so their values are not taken for
/// the positional filter.
const VALUE_OPTIONS: [&str; 19] = [
    "-c",
    "--color",
    "-s",
    "--save-baseline",
    "-b",
    "--baseline",
    "--baseline-lenient",
    "--format",
    "--profile-time",
    "--load-baseline",
    "--sample-size",
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--plotting-backend",
    "--output-format",
];

/// The positional filter of a Criterion command line, if any (the first argument is the
/// program).
///
/// ```
/// use bench_harness::criterion_filter;
/// assert_eq!(criterion_filter(["bin", "--bench", "--save-baseline", "main", "^system/"]), Some("^system/".to_owned()));
/// assert_eq!(criterion_filter(["bin", "--bench", "--color=never", "--noplot"]), None);
/// ```
pub fn criterion_filter<I, S>(args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let arg = arg.as_ref();
        if arg == "--" {
            continue;
        }
        if arg.starts_with('-') {
            if VALUE_OPTIONS.contains(&arg) {
                args.next();
            }
            continue;
        }
        return Some(arg.to_owned());
    }
    None
}

/// The value after `option` (`--option value` or `--option=value`).
fn option_value(args: &[String], option: &str) -> Option<String> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == option {
            return iter.next().cloned();
        }
        if let Some(value) = arg.strip_prefix(option).and_then(|r| r.strip_prefix('=')) {
            return Some(value.to_owned());
        }
    }
    None
}

/// Every round's time per iteration of each routine, in nanoseconds: `rounds[r][i]` is
/// routine `i` in round `r`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rounds {
    /// Time per iteration, one row per round, one column per routine.
    pub ns_per_iteration: Vec<Vec<f64>>,
    /// The iterations each routine runs per chunk.
    pub iterations: Vec<u64>,
}

impl Rounds {
    /// Each routine's median time per iteration over the rounds.
    ///
    /// # Errors
    ///
    /// As [`median_interval`](bench_scorecard::median_interval): no rounds, or a time that
    /// is not positive.
    pub fn routine_medians(&self) -> Result<Vec<f64>> {
        (0..self.iterations.len())
            .map(|routine| {
                let times: Vec<f64> = self
                    .ns_per_iteration
                    .iter()
                    .map(|round| round[routine])
                    .collect();
                Ok(bench_scorecard::median_interval(&times, bench_scorecard::PAIRED_CONFIDENCE)?.0)
            })
            .collect()
    }
}

/// Runs `routines` in alternation as `config` says (see the module docs).
pub fn alternate(config: &PairedConfig, routines: &mut [&mut dyn Timed]) -> Rounds {
    let iterations: Vec<u64> = routines
        .iter_mut()
        .map(|routine| {
            if config.calibrate {
                calibrate(&mut **routine, config.chunk)
            } else {
                1
            }
        })
        .collect();
    let mut rounds = Vec::new();
    let budget = if routines.len() > 2 {
        config.budget.mul_f64(EFFICIENCY_BUDGETS)
    } else {
        config.budget
    };
    let started = Instant::now();
    while rounds.len() < config.max_rounds
        && (rounds.len() < config.min_rounds || started.elapsed() < budget)
    {
        let mut times = vec![0.0; routines.len()];
        let mut order: Vec<usize> = (0..routines.len()).collect();
        if rounds.len() % 2 == 1 {
            order.reverse();
        }
        for index in order {
            let elapsed = routines[index].time(iterations[index]);
            // A clock that did not move still gives a positive time, so a ratio stays defined.
            times[index] = (elapsed.as_nanos() as f64).max(1.0) / iterations[index] as f64;
        }
        rounds.push(times);
    }
    Rounds {
        ns_per_iteration: rounds,
        iterations,
    }
}

/// The iterations that take about `chunk`: doubled from one until a run takes a quarter of
/// it, then scaled; at least one. It warms the routine up on the way.
fn calibrate(routine: &mut dyn Timed, chunk: Duration) -> u64 {
    let target = chunk.as_secs_f64();
    let mut iterations = 1_u64;
    loop {
        let took = routine.time(iterations).as_secs_f64();
        if took >= target / 4.0 || iterations >= 1 << 30 {
            let per_iteration = took / iterations as f64;
            if per_iteration <= 0.0 {
                return iterations;
            }
            return ((target / per_iteration).round() as u64).max(1);
        }
        iterations *= 2;
    }
}

/// `benchmark`'s time per iteration over `anchor`'s, paired round by round.
///
/// # Errors
///
/// [`HarnessError::Scorecard`](crate::HarnessError::Scorecard) when no round was measured
/// (a `max_rounds` of zero).
pub fn time_ratio(
    benchmark: &str,
    anchor: &str,
    config: &PairedConfig,
    operation: &mut dyn Timed,
    anchor_routine: &mut dyn Timed,
) -> Result<PairedRatio> {
    let rounds = alternate(config, &mut [operation, anchor_routine]);
    let values: Vec<f64> = rounds
        .ns_per_iteration
        .iter()
        .map(|round| round[0] / round[1])
        .collect();
    Ok(
        PairedRatio::from_rounds(benchmark, anchor, PairedStatistic::TimeRatio, &values)?
            .with_routine_medians(rounds.routine_medians()?),
    )
}

/// The four routines of an efficiency ratio: each side on one thread and on `n`, every
/// thread doing the same work.
pub struct EfficiencyRoutines<'a> {
    /// The measured benchmark on one thread.
    pub benchmark_one: &'a mut dyn Timed,
    /// The measured benchmark on `n` threads.
    pub benchmark_many: &'a mut dyn Timed,
    /// The anchor on one thread.
    pub anchor_one: &'a mut dyn Timed,
    /// The anchor on `n` threads.
    pub anchor_many: &'a mut dyn Timed,
}

impl std::fmt::Debug for EfficiencyRoutines<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EfficiencyRoutines").finish_non_exhaustive()
    }
}

/// `benchmark`'s scaling efficiency over `anchor`'s, the four routines alternated round by
/// round (see [`PairedStatistic::EfficiencyRatio`]).
///
/// # Errors
///
/// As [`time_ratio`].
pub fn efficiency_ratio(
    benchmark: &str,
    anchor: &str,
    config: &PairedConfig,
    routines: EfficiencyRoutines<'_>,
) -> Result<PairedRatio> {
    let rounds = alternate(
        config,
        &mut [
            routines.benchmark_one,
            routines.benchmark_many,
            routines.anchor_one,
            routines.anchor_many,
        ],
    );
    let values: Vec<f64> = rounds
        .ns_per_iteration
        .iter()
        .map(|round| (round[0] / round[1]) / (round[2] / round[3]))
        .collect();
    Ok(
        PairedRatio::from_rounds(benchmark, anchor, PairedStatistic::EfficiencyRatio, &values)?
            .with_routine_medians(rounds.routine_medians()?),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A routine whose time is `ns_per_iteration` times the iterations, and which counts them.
    fn fake(ns_per_iteration: u64, ran: &std::cell::Cell<u64>) -> impl FnMut(u64) -> Duration {
        move |iterations| {
            ran.set(ran.get() + iterations);
            Duration::from_nanos(ns_per_iteration * iterations)
        }
    }

    #[test]
    fn a_ratio_of_two_known_routines_is_their_ratio() {
        let (a_ran, b_ran) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        let config = PairedConfig {
            chunk: Duration::from_micros(100),
            budget: Duration::ZERO,
            min_rounds: 25,
            max_rounds: 25,
            calibrate: true,
        };
        let ratio = time_ratio(
            "g/a/1",
            "g/b/1",
            &config,
            &mut fake(300, &a_ran),
            &mut fake(200, &b_ran),
        )
        .unwrap();
        assert_eq!(ratio.rounds, 25);
        assert!((ratio.median - 1.5).abs() < 1e-12, "{ratio:?}");
        assert!((ratio.interval.0 - 1.5).abs() < 1e-12);
        // Calibrated to 100 µs chunks: 333 and 500 iterations a round, plus calibration.
        assert!(a_ran.get() >= 25 * 333 && b_ran.get() >= 25 * 500);
    }

    #[test]
    fn odd_rounds_run_in_mirrored_order() {
        let log = std::cell::RefCell::new(Vec::new());
        let mut a = |_| {
            log.borrow_mut().push('a');
            Duration::from_nanos(1)
        };
        let mut b = |_| {
            log.borrow_mut().push('b');
            Duration::from_nanos(1)
        };
        let rounds = alternate(&PairedConfig::smoke(), &mut [&mut a, &mut b]);
        assert_eq!(rounds.ns_per_iteration.len(), 3);
        assert_eq!(log.borrow().iter().collect::<String>(), "abbaab");
    }

    #[test]
    fn an_efficiency_ratio_divides_the_two_speed_ups() {
        let unused = std::cell::Cell::new(0);
        // Benchmark: 1,000 ns on one thread, 1,250 on two (efficiency 0.8);
        // anchor: 1,000 and 1,000 (efficiency 1.0).
        let ratio = efficiency_ratio(
            "c/store/2",
            "c/ceiling/2",
            &PairedConfig::smoke(),
            EfficiencyRoutines {
                benchmark_one: &mut fake(1_000, &unused),
                benchmark_many: &mut fake(1_250, &unused),
                anchor_one: &mut fake(1_000, &unused),
                anchor_many: &mut fake(1_000, &unused),
            },
        )
        .unwrap();
        assert!((ratio.median - 0.8).abs() < 1e-12, "{ratio:?}");
        assert_eq!(ratio.statistic, PairedStatistic::EfficiencyRatio);
    }

    #[test]
    fn filters_other_than_the_step_turn_it_off() {
        let two = Duration::from_secs(2);
        let exact = r"^(?:exception_store/get_exception/100)$";
        assert!(PairedConfig::for_args(["bin", "--bench", exact], two).is_none());
        assert!(PairedConfig::for_args(["bin", exact], two).is_none());
        assert!(PairedConfig::for_args(["bin", "--bench", PAIRED_STEP], two).is_some());
        assert!(
            PairedConfig::for_args(
                ["bin", "--bench", "--save-baseline", "x", "--color", "never"],
                two
            )
            .is_some(),
            "option values are not filters"
        );
        assert_eq!(
            PairedConfig::for_args(["bin", "--bench", "--measurement-time=0.5"], two)
                .map(|config| config.budget),
            Some(Duration::from_secs(2))
        );
    }
}
