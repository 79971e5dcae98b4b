//! The seed's `BenchmarkConfig`, mapped onto Criterion's settings, and how the bench binary
//! was invoked (measuring or Criterion's one-pass test mode).

use std::time::Duration;

use criterion::measurement::Measurement;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};

use crate::error::{HarnessError, Result};

/// Criterion refuses fewer samples than this.
pub const MIN_SAMPLE_SIZE: usize = 10;

/// In test mode, inputs larger than this are not registered (see [`RunMode::includes_size`]).
pub const TEST_MODE_MAX_SIZE: usize = 10_000;

/// How the suite measures; the seed's four fields plus the measurement time.
///
/// Criterion chooses iteration counts from time budgets rather than taking them as numbers,
/// so the seed's fields map onto it like this (see [`criterion`](Self::criterion)):
///
/// | field | Criterion setting |
/// |---|---|
/// | `sample_size` (100) | `sample_size` (at least 10) |
/// | `measurement_time` (2 s, ours) | `measurement_time`, never above `timeout` |
/// | `warm_up_iterations : measurement_iterations` (100 : 1000) | `warm_up_time = measurement_time x 100 / 1000` (200 ms) |
/// | `plots` (false, ours) | `without_plots()` unless set |
/// | `timeout` (30 s) | upper bound of `warm_up_time + measurement_time` |
///
/// The 2 s measurement and no plots keep `cargo bench -p bench-harness` (about 80 benchmarks)
/// well within ten minutes on a 2-core machine: Criterion's SVG plots cost about 6 s per
/// benchmark there, three times the measurement. [`RoutineCost::Heavy`] groups (one iteration takes
/// milliseconds) use 30 % of the samples with flat sampling, since Criterion's linear
/// sampling needs `n (n + 1) / 2` iterations at least (5,050 for 100 samples); 30 rather than
/// the 10 they had, since the median's bootstrap interval over 10 samples was 10-36 % wide
/// for several of them.
///
/// ```
/// use bench_harness::BenchmarkConfig;
/// use std::time::Duration;
///
/// let config = BenchmarkConfig::default();
/// assert_eq!(config.warm_up_time()?, Duration::from_millis(200));
/// let _criterion = config.criterion()?;
/// let broken = BenchmarkConfig { sample_size: 3, ..BenchmarkConfig::default() };
/// assert!(broken.criterion().is_err());
/// # Ok::<(), bench_harness::HarnessError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BenchmarkConfig {
    /// Warm-up length, relative to `measurement_iterations`.
    pub warm_up_iterations: usize,
    /// Measurement length that `warm_up_iterations` is relative to.
    pub measurement_iterations: usize,
    /// Samples per benchmark.
    pub sample_size: usize,
    /// The most one benchmark may spend warming up and measuring.
    pub timeout: Duration,
    /// Time spent measuring one benchmark.
    pub measurement_time: Duration,
    /// Whether Criterion draws its HTML plots.
    pub plots: bool,
}

/// How long one iteration of a group's routines takes, which decides its sampling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutineCost {
    /// Nanoseconds to hundreds of microseconds: the configuration as it is.
    Light,
    /// Milliseconds or more: 30 % of the samples (at least 10), flat sampling.
    Heavy,
}

impl Default for BenchmarkConfig {
    fn default() -> Self {
        BenchmarkConfig {
            warm_up_iterations: 100,
            measurement_iterations: 1000,
            sample_size: 100,
            timeout: Duration::from_secs(30),
            measurement_time: Duration::from_secs(2),
            plots: false,
        }
    }
}

impl BenchmarkConfig {
    /// Checks that Criterion can run with these values.
    ///
    /// # Errors
    ///
    /// [`HarnessError::InvalidConfig`] for fewer than [`MIN_SAMPLE_SIZE`] samples, zero
    /// measurement iterations, or a zero measurement time or timeout.
    pub fn validate(&self) -> Result<()> {
        if self.sample_size < MIN_SAMPLE_SIZE {
            return Err(HarnessError::InvalidConfig(format!(
                "sample_size {} is below Criterion's minimum of {MIN_SAMPLE_SIZE}",
                self.sample_size
            )));
        }
        if self.measurement_iterations == 0 {
            return Err(HarnessError::InvalidConfig(
                "measurement_iterations is 0".to_owned(),
            ));
        }
        if self.measurement_time.is_zero() || self.timeout.is_zero() {
            return Err(HarnessError::InvalidConfig(
                "measurement_time and timeout must be positive".to_owned(),
            ));
        }
        Ok(())
    }

    /// The measurement time Criterion gets: `measurement_time`, shortened so that warm-up
    /// and measurement together fit in `timeout`.
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate).
    pub fn effective_measurement_time(&self) -> Result<Duration> {
        self.validate()?;
        let ratio = self.warm_up_iterations as f64 / self.measurement_iterations as f64;
        let cap = self.timeout.as_secs_f64() / (1.0 + ratio);
        Ok(Duration::from_secs_f64(
            self.measurement_time.as_secs_f64().min(cap),
        ))
    }

    /// The warm-up time Criterion gets: the measurement time scaled by
    /// `warm_up_iterations / measurement_iterations`, at least one millisecond.
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate).
    pub fn warm_up_time(&self) -> Result<Duration> {
        let measurement = self.effective_measurement_time()?;
        let ratio = self.warm_up_iterations as f64 / self.measurement_iterations as f64;
        Ok(Duration::from_secs_f64(
            (measurement.as_secs_f64() * ratio).max(0.001),
        ))
    }

    /// The samples a group of the given cost takes.
    pub fn sample_size_for(&self, cost: RoutineCost) -> usize {
        match cost {
            RoutineCost::Light => self.sample_size,
            RoutineCost::Heavy => (self.sample_size * 3 / 10).max(MIN_SAMPLE_SIZE),
        }
    }

    /// A Criterion configured with these values; call `configure_from_args` on it afterwards
    /// so command-line options still win.
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate).
    pub fn criterion(&self) -> Result<Criterion> {
        self.criterion_with(criterion::measurement::WallTime)
    }

    /// [`criterion`](Self::criterion) with another measurement, such as the suite's
    /// [`SuiteMeasurement`](crate::SuiteMeasurement).
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate).
    pub fn criterion_with<M: Measurement>(&self, measurement: M) -> Result<Criterion<M>> {
        // Validated first: Criterion panics on a sample size below its minimum.
        self.validate()?;
        let criterion = Criterion::default()
            .with_measurement(measurement)
            .sample_size(self.sample_size)
            .warm_up_time(self.warm_up_time()?)
            .measurement_time(self.effective_measurement_time()?);
        Ok(if self.plots {
            criterion
        } else {
            criterion.without_plots()
        })
    }

    /// Applies these values to one group, with the sampling its routines' cost calls for.
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate).
    pub fn configure_group<M: Measurement>(
        &self,
        group: &mut BenchmarkGroup<'_, M>,
        cost: RoutineCost,
    ) -> Result<()> {
        self.validate()?;
        // Criterion lets a group's own settings beat the command line, so a group only sets
        // what the command line left open: `cargo xtask bench --quick` passes short times.
        let overrides = CommandLineTiming::from_args(std::env::args());
        if !overrides.sample_size {
            group.sample_size(self.sample_size_for(cost));
        }
        if !overrides.warm_up_time {
            group.warm_up_time(self.warm_up_time()?);
        }
        if !overrides.measurement_time {
            group.measurement_time(self.effective_measurement_time()?);
        }
        // In the gate's lock-step rounds every sample has the same iteration count (flat), so
        // that sample `i` of one build and sample `i` of the other, which the gate compares, run
        // as many iterations: with `Auto`, two processes whose warm-up estimates differ a
        // little can land one in linear sampling (`i` iterations in sample `i`) and the other in
        // flat, and each sample starts on caches the other build's sample just used, which
        // costs a short sample more per iteration than a long one.
        let lockstep = std::env::var_os(crate::LOCKSTEP_VAR).is_some();
        match cost {
            RoutineCost::Light if !lockstep => group.sampling_mode(SamplingMode::Auto),
            RoutineCost::Light | RoutineCost::Heavy => group.sampling_mode(SamplingMode::Flat),
        };
        Ok(())
    }
}

/// Which timing settings the bench binary's command line gives (and so Criterion already applied).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommandLineTiming {
    /// `--sample-size` was given.
    pub sample_size: bool,
    /// `--warm-up-time` was given.
    pub warm_up_time: bool,
    /// `--measurement-time` was given.
    pub measurement_time: bool,
}

impl CommandLineTiming {
    /// Reads the flags from arguments, in both `--flag value` and `--flag=value` forms.
    ///
    /// ```
    /// use bench_harness::CommandLineTiming;
    /// let timing = CommandLineTiming::from_args(["bin", "--bench", "--warm-up-time", "0.1", "--sample-size=10"]);
    /// assert!(timing.warm_up_time && timing.sample_size && !timing.measurement_time);
    /// ```
    pub fn from_args<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut timing = CommandLineTiming::default();
        for arg in args {
            let flag = arg.as_ref().split('=').next().unwrap_or_default();
            match flag {
                "--sample-size" => timing.sample_size = true,
                "--warm-up-time" => timing.warm_up_time = true,
                "--measurement-time" => timing.measurement_time = true,
                _ => {}
            }
        }
        timing
    }
}

/// The groups an exact filter can select: the one `cargo xtask` passes, `^(?:id|id|...)$`
/// with each id regex-escaped; `None` when the arguments hold no such filter (then every
/// group may be selected). A group whose benchmarks the filter cannot select can skip its
/// setup, which matters for the gate's many short processes and under valgrind.
///
/// ```
/// use bench_harness::exact_filter_groups;
/// let groups = exact_filter_groups(["bin", "--bench", r"^(?:exception_store/get_exception/100|wordnet/build_hierarchy/nouns)$"]).unwrap();
/// assert!(groups.contains("exception_store") && groups.contains("wordnet"));
/// assert!(!groups.contains("system"));
/// assert!(exact_filter_groups(["bin", "--bench", "^exception_store/"]).is_none());
/// ```
pub fn exact_filter_groups<I, S>(args: I) -> Option<std::collections::BTreeSet<String>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut found = None;
    for arg in args {
        let Some(inner) = arg
            .as_ref()
            .strip_prefix("^(?:")
            .and_then(|rest| rest.strip_suffix(")$"))
        else {
            continue;
        };
        let groups = found.get_or_insert_with(std::collections::BTreeSet::new);
        for id in inner.split('|') {
            let id = id.replace('\\', "");
            groups.insert(id.split('/').next().unwrap_or_default().to_owned());
        }
    }
    found
}

/// How the bench binary was started, read from its arguments the way Criterion reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunMode {
    /// `cargo bench`: measure.
    Benchmark,
    /// `cargo test` (no `--bench`) or `--test`: run every benchmark once.
    Test,
    /// `--list`: print the benchmark ids.
    List,
}

impl RunMode {
    /// The mode of this process, from `std::env::args`.
    pub fn current() -> Self {
        Self::from_args(std::env::args())
    }

    /// The mode the given arguments select: `--list` lists; `--test`, or no `--bench`,
    /// tests; otherwise the binary measures.
    ///
    /// ```
    /// use bench_harness::RunMode;
    /// assert_eq!(RunMode::from_args(["bin", "--bench"]), RunMode::Benchmark);
    /// assert_eq!(RunMode::from_args(["bin"]), RunMode::Test);
    /// assert_eq!(RunMode::from_args(["bin", "--bench", "--test"]), RunMode::Test);
    /// ```
    pub fn from_args<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let (mut bench, mut test, mut list) = (false, false, false);
        for arg in args {
            match arg.as_ref() {
                "--bench" => bench = true,
                "--test" => test = true,
                "--list" => list = true,
                _ => {}
            }
        }
        if list {
            RunMode::List
        } else if test || !bench {
            RunMode::Test
        } else {
            RunMode::Benchmark
        }
    }

    /// Whether a benchmark over `size` items is registered in this mode: every size when
    /// measuring or listing, sizes up to [`TEST_MODE_MAX_SIZE`] in test mode, which keeps
    /// `cargo test` fast (the larger sizes run the same code on more data).
    pub fn includes_size(self, size: usize) -> bool {
        self != RunMode::Test || size <= TEST_MODE_MAX_SIZE
    }
}
