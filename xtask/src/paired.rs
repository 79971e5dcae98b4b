//! The paired engine: baseline and candidate binaries measured in lock-step, in rounds of
//! fresh process pairs, one ratio of medians per benchmark per round.
//!
//! A round shuffles the selected benchmarks (seeded), groups them by sample count and cuts
//! them into chunks of about [`EngineConfig::chunk_s`] seconds; for each chunk both binaries
//! start at once, each in a new process with short Criterion settings, and take their samples
//! in turns ([`lockstep`]): sample by sample they see the same machine. Both processes of a
//! pair are pinned to the same CPU (a different one pair by pair), except for benchmarks that
//! run threads of their own: on a KVM guest two vCPUs are two host threads whose speed differs
//! (what shares their physical cores), so two processes that stay on different CPUs see two
//! machines however finely they alternate. A process's layout bias is sampled once per round
//! instead of frozen into a whole run.
use std::{collections::BTreeMap, ffi::OsStr, fs, path::PathBuf, time::Instant};

use anyhow::Context;
use bench_scorecard::{CriterionResults, SampleValues, Throughput};
use serde::Serialize;

use crate::{
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
    /// Sample by sample against the other side: the median over `i` of the log-ratio of the
    /// two sides' `i`-th samples, which lock-step took next to each other in time; the sides'
    /// own figures are their medians.
    Paired,
}

impl Statistic {
    /// Summarises per-iteration sample times.
    pub fn of(self, samples: &[f64]) -> Option<f64> {
        match self {
            Self::Min => samples.iter().copied().reduce(f64::min),
            Self::Median | Self::Paired => stats::median(samples),
        }
    }

    /// One round's `ln(candidate / baseline)` from both sides' per-iteration samples, in the
    /// order they were taken; `None` when a side has no positive sample.
    pub fn log_ratio(self, baseline: &[f64], candidate: &[f64]) -> Option<f64> {
        match self {
            Self::Paired => {
                let logs: Vec<f64> = baseline
                    .iter()
                    .zip(candidate)
                    .filter(|(b, c)| **b > 0.0 && **c > 0.0)
                    .map(|(b, c)| (c / b).ln())
                    .collect();
                stats::median(&logs)
            }
            Self::Min | Self::Median => {
                let (b, c) = (self.of(baseline)?, self.of(candidate)?);
                (b > 0.0 && c > 0.0).then(|| (c / b).ln())
            }
        }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            // Short: in lock-step both sides warm up and measure at once, so one benchmark takes
            // twice this per round; the suite's precision comes from rounds (fresh process
            // pairs), and 108 benchmarks fit about fifteen of them in twelve minutes.
            warm_up_s: 0.03,
            measurement_s: 0.1,
            // Many short samples: with Criterion's linear sampling the first ones last tens of
            // microseconds, short enough to fall between the time slices other processes take.
            sample_size: 100,
            // One process pair per chunk: setting up the suite's data costs a few seconds per
            // process, and lock-step needs no short processes, so chunks are long.
            chunk_s: 40.0,
            seed: 0x6C6C_6D6B_6721,
            // The samples that lock-step took next to each other are compared, not each side's
            // summary: a side's fastest sample depends on when in its process the machine was
            // quiet, which the other side's process does not share. In one A/A of nine
            // benchmarks beside `stress-ng --stream 1` on this 2-core box the per-round spread
            // of the log-ratios was (median over benchmarks) 6.8 % with the fastest samples,
            // 4.0 % with the medians and 1.5 % paired sample by sample.
            statistic: Statistic::Paired,
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

/// One benchmark in one round: both sides' figures and the round's change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pair {
    /// The round it was measured in (0-based, over the whole run).
    pub round: usize,
    /// Time per iteration of the baseline's process ([`Statistic::of`] its samples), ns.
    pub baseline_ns: f64,
    /// Time per iteration of the candidate's process, ns.
    pub candidate_ns: f64,
    /// The round's `ln(candidate / baseline)` when the statistic pairs samples
    /// ([`Statistic::log_ratio`]); `None`: from the two figures above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired_log_ratio: Option<f64>,
}

impl Pair {
    /// `ln(candidate / baseline)`; `None` for a non-positive figure.
    pub fn log_ratio(&self) -> Option<f64> {
        self.paired_log_ratio.or_else(|| {
            (self.baseline_ns > 0.0 && self.candidate_ns > 0.0)
                .then(|| (self.candidate_ns / self.baseline_ns).ln())
        })
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
    /// Measured seconds of a round over its modelled seconds, a running mean over rounds.
    calibration: Option<f64>,
    /// How each process pair alternated, in run order.
    pub turns: Vec<lockstep::TurnReport>,
    /// A slowdown injected into the candidate (the gate's own power measurement only).
    pub injection: Option<lockstep::Injection>,
    /// Per benchmark: time per iteration from the sizing pass, ns.
    sizing_ns: BTreeMap<String, f64>,
    /// The CPUs this process may run on, which process pairs are pinned to in turn.
    cpus: Vec<usize>,
    /// Process pairs run so far (picks the next pair's CPU).
    pairs_run: usize,
}

/// Whether a benchmark runs threads of its own, so its processes must keep every CPU.
pub fn runs_threads(id: &str) -> bool {
    id.strip_prefix(bench_scorecard::suite::CONCURRENCY_GROUP)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The CPUs the current process may run on (empty where that cannot be read).
fn allowed_cpus() -> Vec<usize> {
    match rustix::thread::sched_getaffinity(None) {
        Ok(set) => (0..rustix::thread::CpuSet::MAX_CPU)
            .filter(|cpu| set.is_set(*cpu))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Pins a just-started child (its main thread, and so every thread it starts later) to `cpu`.
fn pin(child: &std::process::Child, cpu: usize) -> anyhow::Result<()> {
    let mut set = rustix::thread::CpuSet::new();
    set.set(cpu);
    rustix::thread::sched_setaffinity(Some(rustix::thread::Pid::from_child(child)), &set)
        .with_context(|| format!("pinning process {} to CPU {cpu}", child.id()))
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
            calibration: None,
            sizing_ns: BTreeMap::new(),
            turns: Vec::new(),
            injection: None,
            cpus: allowed_cpus(),
            pairs_run: 0,
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

    /// Modelled seconds of one benchmark in a round, both sides: warm-up and measurement, or
    /// one iteration per sample where that takes longer (a slow benchmark), plus start-up.
    fn modelled_s(&self, id: &str) -> f64 {
        let samples = self.samples(id) as f64;
        let flat_s = self.sizing_ns.get(id).map_or(0.0, |ns| samples * ns * 1e-9);
        2.0 * (self.config.warm_up_s + self.config.measurement_s.max(flat_s)) + 0.05
    }

    /// Predicted seconds of one round over `ids`: the model, scaled by how the rounds so far
    /// compared with it (process start-up, setup, analysis).
    pub fn predicted_round_s<'i>(&self, ids: impl IntoIterator<Item = &'i String>) -> f64 {
        let modelled: f64 = ids.into_iter().map(|id| self.modelled_s(id)).sum();
        modelled * self.calibration.unwrap_or(1.5)
    }

    /// Runs one round over `ids` and returns each id's pair.
    pub fn round(&mut self, ids: &[String]) -> anyhow::Result<BTreeMap<String, Pair>> {
        let started = Instant::now();
        let round = self.rounds_run;
        let mut order: Vec<&String> = ids.iter().collect();
        shuffle(&mut order, &mut self.rng);
        // Benchmarks of one sample count share a process, those that run threads apart from
        // the others (they are not pinned); the groups keep the shuffled order.
        let mut groups: BTreeMap<(usize, bool), Vec<&String>> = BTreeMap::new();
        for id in order {
            groups
                .entry((self.samples(id), runs_threads(id)))
                .or_default()
                .push(id);
        }
        let mut chunks: Vec<(usize, Vec<&String>)> = Vec::new();
        for ((samples, _), group) in groups {
            for chunk in group.chunks(self.chunk_len(samples)) {
                chunks.push((samples, chunk.to_vec()));
            }
        }
        shuffle(&mut chunks, &mut self.rng);
        let mut pairs = BTreeMap::new();
        for (samples, chunk) in &chunks {
            let samples = self.run_pair(chunk, round, *samples)?;
            let statistic = self.config.statistic;
            for id in chunk {
                let figures = samples[0].get(*id).zip(samples[1].get(*id));
                let Some((baseline_ns, candidate_ns, log_ratio)) =
                    figures.and_then(|(baseline, candidate)| {
                        Some((
                            statistic.of(baseline)?,
                            statistic.of(candidate)?,
                            statistic.log_ratio(baseline, candidate)?,
                        ))
                    })
                else {
                    anyhow::bail!("round {round}: `{id}` gave no result on one side");
                };
                pairs.insert(
                    (*id).clone(),
                    Pair {
                        round,
                        baseline_ns,
                        candidate_ns,
                        paired_log_ratio: (statistic == Statistic::Paired).then_some(log_ratio),
                    },
                );
            }
        }
        self.rounds_run += 1;
        let modelled: f64 = ids.iter().map(|id| self.modelled_s(id)).sum();
        if modelled > 0.0 {
            let measured = started.elapsed().as_secs_f64() / modelled;
            // A running mean over the rounds so far.
            self.calibration = Some(match self.calibration {
                Some(previous) => previous + (measured - previous) / self.rounds_run as f64,
                None => measured,
            });
        }
        Ok(pairs)
    }

    /// Both sides of one chunk at once, in lock-step; each side's per-iteration samples per
    /// benchmark, in the order taken.
    fn run_pair(
        &mut self,
        ids: &[&String],
        round: usize,
        samples: usize,
    ) -> anyhow::Result<[BTreeMap<String, Vec<f64>>; 2]> {
        let socket = self.work_dir.join("turns.sock");
        let _ = fs::remove_file(&socket);
        fs::create_dir_all(&self.work_dir)?;
        let listener = std::os::unix::net::UnixListener::bind(&socket)
            .with_context(|| format!("binding {}", socket.display()))?;
        let mut children = Vec::new();
        let mut logs = Vec::new();
        // Both sides on one CPU, the next one pair by pair (see the module docs).
        let cpu = (!ids.iter().any(|id| runs_threads(id)) && self.cpus.len() > 1)
            .then(|| self.cpus[self.pairs_run % self.cpus.len()]);
        self.pairs_run += 1;
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
            if let (Some(cpu), Some(child)) = (cpu, children.last())
                && let Err(error) = pin(child, cpu)
            {
                // Unpinned, the pair still alternates; its rounds are only noisier.
                eprintln!("warning: round {round}: {error:#}");
            }
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
            self.read_samples(Side::Baseline, ids)?,
            self.read_samples(Side::Candidate, ids)?,
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
        Ok(self
            .read_samples(side, ids)?
            .into_iter()
            .filter_map(|(id, samples)| Some((id, stats::median(&samples)?)))
            .collect())
    }

    /// Each benchmark's per-iteration samples, in the order taken, from the side's Criterion
    /// files.
    fn read_samples(
        &mut self,
        side: Side,
        ids: &[&String],
    ) -> anyhow::Result<BTreeMap<String, Vec<f64>>> {
        let home = self.work_dir.join(side.label());
        let results = CriterionResults::load_baseline(&home, SAVE_AS, SampleValues::Durations)?;
        let mut samples = BTreeMap::new();
        for benchmark in ids.iter().filter_map(|id| results.get(id)) {
            if let Some(throughput) = benchmark.throughput {
                self.throughput
                    .insert(benchmark.full_id.clone(), throughput);
            }
            samples.insert(benchmark.full_id.clone(), benchmark.samples_ns.clone());
        }
        Ok(samples)
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

    /// Both sides see the same machine sample by sample: a slow phase that hits the candidate's
    /// fastest samples but not the baseline's leaves the paired change exact.
    #[test]
    fn the_paired_statistic_cancels_what_both_sides_saw_and_the_minimum_does_not() {
        let machine: Vec<f64> = (0..100)
            .map(|i| if (20..70).contains(&i) { 1.5 } else { 1.0 })
            .collect();
        let baseline: Vec<f64> = machine.iter().map(|m| 100.0 * m).collect();
        // The candidate is 5 % slower; its process missed the quiet phases' first samples.
        let mut candidate: Vec<f64> = machine.iter().map(|m| 105.0 * m).collect();
        for sample in candidate.iter_mut().take(20) {
            *sample *= 1.5;
        }
        let paired = Statistic::Paired.log_ratio(&baseline, &candidate).unwrap();
        assert!((paired - 1.05_f64.ln()).abs() < 1e-12, "{paired}");
        let min = Statistic::Min.log_ratio(&baseline, &candidate).unwrap();
        assert!((min - 1.05_f64.ln()).abs() < 1e-12, "{min}");
        // Paired ignores a minority of disturbed pairs; a median per side does not.
        let median = Statistic::Median.log_ratio(&baseline, &candidate).unwrap();
        assert!(median > 1.2_f64.ln(), "{median}");
        assert_eq!(Statistic::Paired.log_ratio(&[0.0], &[1.0]), None);
    }

    #[test]
    fn only_the_concurrency_group_keeps_every_cpu() {
        assert!(runs_threads(
            "concurrent_operations/prespawned_store_adds/4"
        ));
        assert!(!runs_threads("concurrent_operations_like/x"));
        assert!(!runs_threads("exception_store/get_exception/100"));
    }

    #[test]
    fn a_pinned_child_runs_on_its_cpu_alone() {
        let cpus = allowed_cpus();
        let Some(&cpu) = cpus.last() else { return };
        let child = std::process::Command::new("sleep")
            .arg("1")
            .spawn()
            .unwrap();
        pin(&child, cpu).unwrap();
        let set = rustix::thread::sched_getaffinity(Some(rustix::thread::Pid::from_child(&child)))
            .unwrap();
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        assert!(set.is_set(cpu));
        assert_eq!(set.count(), 1);
    }

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
