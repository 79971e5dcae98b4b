//! The paired engine: baseline and candidate binaries measured in lock-step, in rounds of
//! fresh process pairs, one ratio of medians per benchmark per round.
//!
//! A round shuffles the selected benchmarks (seeded), groups them by sample count and cuts
//! them into chunks of about [`EngineConfig::chunk_s`] seconds; for each chunk both binaries
//! start at once, each in a new process with short Criterion settings, and take their samples
//! in turns ([`lockstep`]): sample by sample they see the same machine. A process's placement
//! and layout bias is sampled once per round instead of frozen into a whole run.
use std::{
    collections::{BTreeMap, BTreeSet},
    ffi::OsStr,
    fs,
    path::PathBuf,
    time::Instant,
};

use anyhow::Context;
use serde::Serialize;

use crate::{
    criterion::{self, Throughput},
    stats::{self, XorShift64},
    suite::{BuiltSuite, exact_filter},
};

pub mod lockstep;
pub mod verdict;

/// Criterion baseline name each process saves under (in its own, emptied, `CRITERION_HOME`).
const SAVE_AS: &str = "paired";

/// Short Criterion settings and the shape of a round.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EngineConfig {
    /// `--warm-up-time` per benchmark and process, seconds.
    pub warm_up_s: f64,
    /// `--measurement-time` per benchmark and process, seconds.
    pub measurement_s: f64,
    /// Largest `--sample-size` per benchmark and process; slow benchmarks get fewer samples
    /// (down to 10) so that one process stays near `measurement_s`, see [`samples_for`].
    pub sample_size: usize,
    /// Target wall time of one process (a chunk of benchmarks).
    pub chunk_s: f64,
    /// Seed of the order of benchmarks and sides.
    pub seed: u64,
    /// What one process's samples are summarised by.
    pub statistic: Statistic,
}

/// The per-process summary of Criterion's per-iteration sample times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// The fastest sample: load from other processes only ever adds time, so the minimum is
    /// the sample least disturbed by it.
    Min,
    /// The median sample.
    Median,
}

impl Statistic {
    /// Summarises per-iteration sample times.
    pub fn of(self, samples: &[f64]) -> Option<f64> {
        match self {
            Self::Min => samples.iter().copied().reduce(f64::min),
            Self::Median => stats::median(samples),
        }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            // Short: in lock-step both sides warm up and measure at once, so one benchmark takes
            // twice this per round; 108 benchmarks then fit ten rounds in about ten minutes.
            warm_up_s: 0.05,
            measurement_s: 0.15,
            // Many short samples: with Criterion's linear sampling the first ones last tens of
            // microseconds, short enough to fall between the time slices other processes take.
            sample_size: 100,
            // One process pair per chunk: setting up the suite's data costs a few seconds per
            // process, and lock-step needs no short processes, so chunks are long.
            chunk_s: 40.0,
            seed: 0x6C6C_6D6B_6721,
            // Load only ever adds time to a sample: in an A/A of six benchmarks on this 2-core
            // box under a load of 6 to 8, the medians' rounds gave intervals of +-10-20 %, the
            // fastest samples' +-3-5 % (both sides see the same machine, in lock-step).
            statistic: Statistic::Min,
        }
    }
}

/// Which binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The baseline's build.
    Baseline,
    /// The candidate's build.
    Candidate,
}

impl Side {
    fn label(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Candidate => "candidate",
        }
    }
}

/// One benchmark in one round: both sides' medians.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pair {
    /// The round it was measured in (0-based, over the whole run).
    pub round: usize,
    /// Median time per iteration of the baseline's process, ns.
    pub baseline_ns: f64,
    /// Median time per iteration of the candidate's process, ns.
    pub candidate_ns: f64,
}

impl Pair {
    /// `ln(candidate / baseline)`; `None` for a non-positive median.
    pub fn log_ratio(&self) -> Option<f64> {
        (self.baseline_ns > 0.0 && self.candidate_ns > 0.0)
            .then(|| (self.candidate_ns / self.baseline_ns).ln())
    }
}

/// Runs rounds of both binaries.
#[derive(Debug)]
pub struct Engine<'a> {
    baseline: &'a BuiltSuite,
    candidate: &'a BuiltSuite,
    config: EngineConfig,
    work_dir: PathBuf,
    rng: XorShift64,
    rounds_run: usize,
    /// Declared throughput per benchmark, as Criterion saved it.
    pub throughput: BTreeMap<String, Throughput>,
    /// Seconds spent per benchmark and round, measured (both sides).
    seconds_per_benchmark_round: Option<f64>,
    /// How each process pair alternated, in run order.
    pub turns: Vec<lockstep::TurnReport>,
    /// A slowdown injected into the candidate (the gate's own power measurement only).
    pub injection: Option<lockstep::Injection>,
    /// Per benchmark: time per iteration from the sizing pass, ns.
    sizing_ns: BTreeMap<String, f64>,
}

/// Sample counts a process may use: fewer for slower benchmarks.
const SAMPLE_BUCKETS: [usize; 4] = [100, 50, 20, 10];

/// The sample count for a benchmark of `per_iteration_ns`: the largest bucket (up to `max`)
/// whose linear sampling, `samples (samples + 1) / 2` iterations at least, fits `measurement_s`.
pub fn samples_for(per_iteration_ns: f64, measurement_s: f64, max: usize) -> usize {
    SAMPLE_BUCKETS
        .into_iter()
        .filter(|bucket| *bucket <= max)
        .find(|bucket| {
            let iterations = (bucket * (bucket + 1) / 2) as f64;
            iterations * per_iteration_ns * 1e-9 <= measurement_s
        })
        .unwrap_or(10)
}

impl<'a> Engine<'a> {
    /// An engine over two built suites, writing Criterion's files and logs under `work_dir`.
    pub fn new(
        baseline: &'a BuiltSuite,
        candidate: &'a BuiltSuite,
        config: EngineConfig,
        work_dir: PathBuf,
    ) -> Self {
        Self {
            baseline,
            candidate,
            config,
            work_dir,
            rng: XorShift64::new(config.seed),
            rounds_run: 0,
            throughput: BTreeMap::new(),
            seconds_per_benchmark_round: None,
            sizing_ns: BTreeMap::new(),
            turns: Vec::new(),
            injection: None,
        }
    }

    /// One short candidate-only pass (10 samples) that measures each benchmark's time per
    /// iteration, to size the samples of the rounds; it is not part of any comparison.
    pub fn size(&mut self, ids: &[String]) -> anyhow::Result<()> {
        let refs: Vec<&String> = ids.iter().collect();
        for chunk in refs.chunks(self.chunk_len(10)) {
            let times = self.run_chunk(Side::Candidate, chunk, None, 10)?;
            self.sizing_ns.extend(times);
        }
        Ok(())
    }

    fn samples(&self, id: &str) -> usize {
        self.sizing_ns
            .get(id)
            .map_or(self.config.sample_size, |ns| {
                samples_for(*ns, self.config.measurement_s, self.config.sample_size)
            })
    }

    fn chunk_len(&self, _samples: usize) -> usize {
        let per_benchmark_s = self.config.warm_up_s + self.config.measurement_s + 0.2;
        ((self.config.chunk_s / per_benchmark_s).floor() as usize).max(1)
    }

    /// Rounds run so far.
    pub fn rounds_run(&self) -> usize {
        self.rounds_run
    }

    /// Predicted seconds of one round over `benchmarks` benchmarks (measured once a round ran).
    pub fn predicted_round_s(&self, benchmarks: usize) -> f64 {
        let per = self
            .seconds_per_benchmark_round
            .unwrap_or(2.0 * (self.config.warm_up_s + self.config.measurement_s + 0.3));
        per * benchmarks as f64
    }

    /// Runs one round over `ids` and returns each id's pair.
    pub fn round(&mut self, ids: &[String]) -> anyhow::Result<BTreeMap<String, Pair>> {
        let started = Instant::now();
        let round = self.rounds_run;
        let mut order: Vec<&String> = ids.iter().collect();
        shuffle(&mut order, &mut self.rng);
        // Benchmarks of one sample count share a process; the groups keep the shuffled order.
        let mut groups: BTreeMap<usize, Vec<&String>> = BTreeMap::new();
        for id in order {
            groups.entry(self.samples(id)).or_default().push(id);
        }
        let mut chunks: Vec<(usize, Vec<&String>)> = Vec::new();
        for (samples, group) in groups {
            for chunk in group.chunks(self.chunk_len(samples)) {
                chunks.push((samples, chunk.to_vec()));
            }
        }
        shuffle(&mut chunks, &mut self.rng);
        let mut pairs = BTreeMap::new();
        for (samples, chunk) in &chunks {
            let medians = self.run_pair(chunk, round, *samples)?;
            for id in chunk {
                let (Some(&baseline_ns), Some(&candidate_ns)) =
                    (medians[0].get(*id), medians[1].get(*id))
                else {
                    anyhow::bail!("round {round}: `{id}` gave no result on one side");
                };
                pairs.insert(
                    (*id).clone(),
                    Pair {
                        round,
                        baseline_ns,
                        candidate_ns,
                    },
                );
            }
        }
        self.rounds_run += 1;
        if !ids.is_empty() {
            let measured = started.elapsed().as_secs_f64() / ids.len() as f64;
            // A running mean over the rounds so far.
            self.seconds_per_benchmark_round = Some(match self.seconds_per_benchmark_round {
                Some(previous) => previous + (measured - previous) / self.rounds_run as f64,
                None => measured,
            });
        }
        Ok(pairs)
    }

    /// Both sides of one chunk at once, in lock-step; each side's statistic per benchmark.
    fn run_pair(
        &mut self,
        ids: &[&String],
        round: usize,
        samples: usize,
    ) -> anyhow::Result<[BTreeMap<String, f64>; 2]> {
        let socket = self.work_dir.join("turns.sock");
        let _ = fs::remove_file(&socket);
        fs::create_dir_all(&self.work_dir)?;
        let listener = std::os::unix::net::UnixListener::bind(&socket)
            .with_context(|| format!("binding {}", socket.display()))?;
        let mut children = Vec::new();
        let mut logs = Vec::new();
        for side in [Side::Baseline, Side::Candidate] {
            let (home, measurements) = self.fresh_dirs(side)?;
            let log = self.log_path(Some(round), side);
            let args = self.criterion_args(ids, samples);
            let built = self.built(side);
            children.push(
                built
                    .spawn(
                        &args,
                        &[
                            ("CRITERION_HOME", home.as_os_str()),
                            ("LLMKG_BENCH_SIDE", OsStr::new(side.label())),
                            ("LLMKG_LOCKSTEP_SOCKET", socket.as_os_str()),
                            ("LLMKG_MEASUREMENTS_DIR", measurements.as_os_str()),
                        ],
                        &log,
                    )
                    .with_context(|| format!("round {round}, {} side", side.label()))?,
            );
            logs.push(log);
        }
        let children: [std::process::Child; 2] = children
            .try_into()
            .map_err(|_| anyhow::anyhow!("two children"))?;
        let (turns, statuses) = lockstep::serve(
            listener,
            children,
            [&logs[0], &logs[1]],
            self.injection.as_ref(),
        )?;
        let _ = fs::remove_file(&socket);
        for (index, side) in [Side::Baseline, Side::Candidate].into_iter().enumerate() {
            if !statuses[index].success() {
                anyhow::bail!(
                    "round {round}, {} side: {} failed ({}); output in {}:\n{}",
                    side.label(),
                    self.built(side).executable().display(),
                    statuses[index],
                    logs[index].display(),
                    crate::suite::tail(&fs::read_to_string(&logs[index]).unwrap_or_default(), 20)
                );
            }
        }
        if !turns.connected[0] {
            eprintln!(
                "warning: round {round}: the baseline build does not take turns (it predates \
                 lock-step pairing), so its samples were not alternated with the candidate's"
            );
        }
        self.turns.push(turns);
        Ok([
            self.read_side(Side::Baseline, ids, Some(round))?,
            self.read_side(Side::Candidate, ids, Some(round))?,
        ])
    }

    fn built(&self, side: Side) -> &'a BuiltSuite {
        match side {
            Side::Baseline => self.baseline,
            Side::Candidate => self.candidate,
        }
    }

    /// Empties and returns the side's Criterion home and memory-measurement folder.
    fn fresh_dirs(&self, side: Side) -> anyhow::Result<(PathBuf, PathBuf)> {
        let home = self.work_dir.join(side.label());
        if home.exists() {
            fs::remove_dir_all(&home).with_context(|| format!("emptying {}", home.display()))?;
        }
        fs::create_dir_all(&home)?;
        let measurements = home.join("measurements");
        fs::create_dir_all(&measurements)?;
        Ok((home, measurements))
    }

    fn log_path(&self, round: Option<usize>, side: Side) -> PathBuf {
        self.work_dir.join("logs").join(format!(
            "{}-{}.log",
            round.map_or_else(|| "sizing".to_owned(), |r| format!("round-{r:03}")),
            side.label()
        ))
    }

    fn criterion_args(&self, ids: &[&String], samples: usize) -> Vec<String> {
        [
            "--bench",
            "--color",
            "never",
            "--noplot",
            "--save-baseline",
            SAVE_AS,
            "--warm-up-time",
            &format!("{:.3}", self.config.warm_up_s),
            "--measurement-time",
            &format!("{:.3}", self.config.measurement_s),
            "--sample-size",
            &samples.to_string(),
            "--nresamples",
            "1000",
            &exact_filter(ids.iter().map(|id| id.as_str())),
        ]
        .into_iter()
        .map(str::to_owned)
        .collect()
    }

    /// One side alone (the sizing pass): each benchmark's median.
    fn run_chunk(
        &mut self,
        side: Side,
        ids: &[&String],
        round: Option<usize>,
        samples: usize,
    ) -> anyhow::Result<BTreeMap<String, f64>> {
        let (home, measurements) = self.fresh_dirs(side)?;
        let args = self.criterion_args(ids, samples);
        let log = self.log_path(round, side);
        self.built(side).run_logged(
            &args,
            &[
                ("CRITERION_HOME", home.as_os_str()),
                ("LLMKG_BENCH_SIDE", OsStr::new(side.label())),
                ("LLMKG_MEASUREMENTS_DIR", measurements.as_os_str()),
            ],
            &log,
        )?;
        self.read_side(side, ids, round)
    }

    /// The statistic of each benchmark from the side's Criterion files.
    fn read_side(
        &mut self,
        side: Side,
        ids: &[&String],
        round: Option<usize>,
    ) -> anyhow::Result<BTreeMap<String, f64>> {
        let home = self.work_dir.join(side.label());
        let wanted: BTreeSet<String> = ids.iter().map(|id| (*id).clone()).collect();
        let mut medians = BTreeMap::new();
        for benchmark in criterion::read_baseline(&home, SAVE_AS, Some(&wanted))? {
            if let Some(throughput) = benchmark.throughput {
                self.throughput.insert(benchmark.id.clone(), throughput);
            }
            let statistic = if round.is_some() {
                self.config.statistic
            } else {
                Statistic::Median
            };
            if let Some(value) = statistic.of(&benchmark.per_iteration_ns) {
                medians.insert(benchmark.id, value);
            }
        }
        Ok(medians)
    }
}

/// Fisher–Yates with the seeded generator.
pub fn shuffle<T>(items: &mut [T], rng: &mut XorShift64) {
    for i in (1..items.len()).rev() {
        let j = rng.index(i + 1);
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_benchmarks_get_fewer_samples() {
        // 7 µs: 5050 iterations take 35 ms, inside 0.3 s.
        assert_eq!(samples_for(7_000.0, 0.3, 100), 100);
        assert_eq!(samples_for(7_000.0, 0.3, 20), 20);
        // 1 ms: 100 samples need 5 s; 20 samples (210 iterations) need 0.21 s.
        assert_eq!(samples_for(1e6, 0.3, 100), 20);
        // 300 ms: never under 10.
        assert_eq!(samples_for(3e8, 0.3, 100), 10);
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<u32> = (0..20).collect();
        let mut b = a.clone();
        shuffle(&mut a, &mut XorShift64::new(5));
        shuffle(&mut b, &mut XorShift64::new(5));
        assert_eq!(a, b);
        assert_ne!(a, (0..20).collect::<Vec<_>>());
        a.sort_unstable();
        assert_eq!(a, (0..20).collect::<Vec<_>>());
    }
}
