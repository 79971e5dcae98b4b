//! `cargo xtask`: the project's automation entry point; parses the command line and dispatches.
use std::{io::IsTerminal, path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand, ValueEnum};
use regex::Regex;

mod bench;
mod compare;
mod criterion;
mod error;
mod evidence;
mod harness;
mod paired;
mod paths;
mod plot;
mod regress;
mod report;
mod snapshot;
mod stats;
mod suite;
mod variance;

/// Project automation for llmkg.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the benchmark suite, save it as a baseline and print the scorecard.
    Bench(BenchArgs),
    /// Compare with a baseline (a git ref: paired rounds of both builds) and fail on a
    /// confirmed regression.
    Regress(RegressArgs),
    /// Paired A/A of one build against itself: each benchmark's noise floor for `regress`.
    Variance(VarianceArgs),
    /// Measure the gate itself: A/A false verdicts and injected slowdowns caught, by size
    /// (writes docs/GATE.md).
    GateEvidence(EvidenceArgs),
}

#[derive(Debug, Args)]
struct EvidenceArgs {
    /// Benchmarks every comparison selects.
    #[arg(
        long,
        value_name = "REGEX",
        value_parser = parse_filter,
        allow_hyphen_values = true,
        default_value = "^exception_store/(get|add)_exception/|^exception_detection/"
    )]
    filter: String,
    /// Benchmarks the injected slowdowns hit (inside the filter).
    #[arg(
        long,
        value_name = "REGEX",
        value_parser = Regex::new,
        allow_hyphen_values = true,
        default_value = "^exception_store/get_exception/"
    )]
    target: Regex,
    /// Injected slowdowns.
    #[arg(
        long,
        value_name = "PERCENT",
        value_parser = regress::parse_threshold,
        value_delimiter = ',',
        default_value = "2%,5%,10%"
    )]
    sizes: Vec<f64>,
    /// Comparisons per A/A and per size.
    #[arg(long, value_name = "N", default_value_t = 2)]
    repeats: usize,
    /// Also one A/A of the whole suite.
    #[arg(long)]
    whole_suite: bool,
    /// Beside an emulated noisy neighbour: memory streamed in bursts of 0.2-1.5 s.
    #[arg(long)]
    noise: bool,
    /// Where the Markdown goes [default: docs/GATE.md].
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    suite: SuiteArgs,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// Smoke pass: short warm-up and measurement, about a minute in all.
    #[arg(long)]
    quick: bool,
    /// Only benchmarks whose id matches this regex.
    #[arg(long, value_name = "REGEX", value_parser = parse_filter, allow_hyphen_values = true)]
    filter: Option<String>,
    /// Baseline name to save under [default: the current git branch].
    #[arg(long, value_name = "NAME")]
    save: Option<String>,
    /// List the selected benchmark ids and exit.
    #[arg(long)]
    list: bool,
    /// Count instructions per iteration under valgrind's callgrind instead of timing.
    #[arg(long, conflicts_with_all = ["quick", "save", "list"])]
    icount: bool,
    #[command(flatten)]
    suite: SuiteArgs,
}

#[derive(Debug, Args)]
struct RegressArgs {
    /// Git ref (branch, tag, SHA) of the baseline: both builds are measured here, in
    /// lock-step (a saved snapshot is never gated on).
    #[arg(long, value_name = "REF")]
    baseline: String,
    /// Which lanes run.
    #[arg(long, value_enum, default_value_t = regress::Lanes::TimeAndMemory)]
    lanes: regress::Lanes,
    /// Threshold of the memory lane.
    #[arg(long, value_name = "PERCENT", value_parser = regress::parse_threshold, default_value = "1%")]
    memory_threshold: f64,
    /// Slow the candidate's samples of the benchmarks REGEX selects by PERCENT (a busy wait
    /// inside the sample): the gate's own power measurement.
    #[arg(long, value_name = "REGEX=PERCENT", value_parser = parse_injection, hide = true)]
    inject: Option<paired::lockstep::Injection>,
    /// Change that counts as a regression [default: from xtask/regress.toml, else 5%]; never
    /// below a benchmark's noise floor from `cargo xtask variance`.
    #[arg(long, value_name = "PERCENT", value_parser = regress::parse_threshold)]
    threshold: Option<f64>,
    /// Output format (JSON, Markdown and BMF files are written in any case).
    #[arg(long, value_enum, default_value_t = regress::OutputFormat::Table)]
    format: regress::OutputFormat,
    /// Also fail (exit 3) on inconclusive, noisy or missing benchmarks.
    #[arg(long)]
    strict: bool,
    /// Shorter measurements (paired: 0.15 s per benchmark and process).
    #[arg(long)]
    quick: bool,
    /// Only benchmarks whose id matches this regex.
    #[arg(long, value_name = "REGEX", value_parser = parse_filter, allow_hyphen_values = true)]
    filter: Option<String>,
    /// Thresholds and ignore list.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Compare callgrind instruction counts of both builds (the same as `--lanes instructions`).
    #[arg(long, conflicts_with = "lanes")]
    icount: bool,
    /// Threshold of the instruction-count lane.
    #[arg(long, value_name = "PERCENT", value_parser = regress::parse_threshold, default_value = "1%")]
    icount_threshold: f64,
    /// Callgrind processes per side and benchmark (counts can move between processes).
    #[arg(long, value_name = "N", default_value_t = 3)]
    icount_runs: usize,
    /// Wall-time budget of the time lane's rounds: `30m`, `600s`, `1h` or seconds; the first
    /// set of rounds always completes, extra rounds for undecided benchmarks stop at the
    /// budget. The default leaves the memory lane (about a minute for the whole suite) inside
    /// twelve minutes of measuring.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_s, default_value = "11m")]
    budget: f64,
    /// Rounds in the first set and in a confirmation set (at least 6).
    #[arg(long, value_name = "N", value_parser = parse_rounds, default_value_t = paired::verdict::Judging::default().min_rounds)]
    rounds: usize,
    /// Seed of the order of benchmarks and sides.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// A round's change: the median log-ratio of the two sides' samples taken next to each
    /// other (paired), or the ratio of each side's fastest sample or median.
    #[arg(long, value_enum, default_value_t = StatisticArg::Paired)]
    statistic: StatisticArg,
    /// Samples per benchmark and process.
    #[arg(long, value_name = "N", default_value_t = paired::EngineConfig::default().sample_size)]
    sample_size: usize,
    #[command(flatten)]
    suite: SuiteArgs,
}

#[derive(Debug, Args)]
struct VarianceArgs {
    /// Fewer rounds (6) and shorter measurements.
    #[arg(long)]
    quick: bool,
    /// Only benchmarks whose id matches this regex.
    #[arg(long, value_name = "REGEX", value_parser = parse_filter, allow_hyphen_values = true)]
    filter: Option<String>,
    /// Rounds of the build against itself.
    #[arg(long, value_name = "N", default_value_t = paired::verdict::Judging::default().min_rounds)]
    rounds: usize,
    #[command(flatten)]
    suite: SuiteArgs,
}

/// Which bench target to drive; hidden, for tests that use a fixture suite.
#[derive(Debug, Args)]
struct SuiteArgs {
    /// Manifest of the workspace holding the suite.
    #[arg(long, hide = true)]
    suite_manifest: Option<PathBuf>,
    /// Package owning the bench target.
    #[arg(long, hide = true)]
    suite_package: Option<String>,
    /// Bench target name.
    #[arg(long, hide = true)]
    suite_bench: Option<String>,
    /// Cargo profile to build the suite with (default: bench).
    #[arg(long, hide = true)]
    suite_profile: Option<String>,
    /// Where snapshots and reports go (default: target/llmkg-bench).
    #[arg(long, hide = true)]
    out_dir: Option<PathBuf>,
    /// Criterion's output folder (default: target/criterion).
    #[arg(long, hide = true)]
    criterion_home: Option<PathBuf>,
    /// Seconds a `--quick` run spends measuring, in all.
    #[arg(long, hide = true)]
    quick_budget_s: Option<f64>,
}

/// Parses `--inject REGEX=PERCENT`.
fn parse_injection(text: &str) -> anyhow::Result<paired::lockstep::Injection> {
    let (pattern, percent) = text
        .rsplit_once('=')
        .ok_or_else(|| anyhow::anyhow!("--inject takes REGEX=PERCENT, got `{text}`"))?;
    let fraction = regress::parse_threshold(percent)?;
    Ok(paired::lockstep::Injection {
        filter: Regex::new(pattern)?,
        ppm: (fraction * 1e6).round() as u32,
    })
}

/// A benchmark filter: checked to be a regex, passed on to Criterion as text.
fn parse_filter(text: &str) -> Result<String, regex::Error> {
    Regex::new(text).map(|_| text.to_owned())
}

/// `--rounds`: at least 6, the fewest a 95 % signed-rank interval needs.
fn parse_rounds(text: &str) -> anyhow::Result<usize> {
    match text.parse()? {
        rounds if rounds < 6 => Err(error::InputError::Rounds(rounds).into()),
        rounds => Ok(rounds),
    }
}

/// Parses `30m`, `600s`, `1h`, `1h 30m` (humantime) or plain seconds.
fn parse_duration_s(text: &str) -> anyhow::Result<f64> {
    let seconds = match text.trim().parse::<f64>() {
        Ok(seconds) => seconds,
        Err(_) => humantime::parse_duration(text.trim())?.as_secs_f64(),
    };
    anyhow::ensure!(
        seconds.is_finite() && seconds > 0.0,
        "`{text}` is not a positive duration"
    );
    Ok(seconds)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatisticArg {
    Min,
    Median,
    Paired,
}

/// `regress`'s arguments alone, to build a default `regress::Config` from.
#[derive(Debug, Parser)]
struct RegressDefaults {
    #[command(flatten)]
    args: RegressArgs,
}

fn regress_config(args: RegressArgs, progress: bool) -> regress::Config {
    let (suite, paths, _) = args.suite.resolve(args.quick);
    regress::Config {
        baseline: args.baseline,
        lanes: if args.icount {
            regress::Lanes::Instructions
        } else {
            args.lanes
        },
        memory_threshold: args.memory_threshold,
        injection: args.inject,
        threshold: args.threshold,
        format: args.format,
        strict: args.strict,
        filter: args.filter,
        config_file: (args.config).unwrap_or_else(|| paths.root.join("xtask").join("regress.toml")),
        suite,
        paths,
        progress,
        icount_threshold: args.icount_threshold,
        icount_runs: args.icount_runs,
        engine: paired::EngineConfig {
            statistic: match args.statistic {
                StatisticArg::Min => paired::Statistic::Min,
                StatisticArg::Median => paired::Statistic::Median,
                StatisticArg::Paired => paired::Statistic::Paired,
            },
            sample_size: args.sample_size.max(10),
            ..engine_config(args.quick, args.seed)
        },
        judging: paired::verdict::Judging {
            min_rounds: args.rounds,
            ..paired::verdict::Judging::default()
        },
        budget_s: args.budget,
    }
}

fn engine_config(quick: bool, seed: Option<u64>) -> paired::EngineConfig {
    let defaults = paired::EngineConfig::default();
    paired::EngineConfig {
        warm_up_s: if quick { 0.05 } else { defaults.warm_up_s },
        measurement_s: if quick { 0.15 } else { defaults.measurement_s },
        seed: seed.unwrap_or(defaults.seed),
        ..defaults
    }
}

impl SuiteArgs {
    fn resolve(self, quick: bool) -> (suite::Suite, paths::Paths, suite::Timing) {
        let timing = bench::timing(quick, self.quick_budget_s);
        let mut paths = paths::Paths::workspace();
        let mut suite = harness::suite(&paths.root);
        if let Some(manifest) = self.suite_manifest {
            suite.manifest_path = manifest;
        }
        if let Some(package) = self.suite_package {
            suite.package = package;
        }
        if let Some(bench) = self.suite_bench {
            suite.bench = bench;
        }
        suite.profile = self.suite_profile;
        if let Some(out) = self.out_dir {
            paths.out = out;
        }
        if let Some(home) = self.criterion_home {
            paths.criterion_home = home;
        }
        (suite, paths, timing)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let progress = std::io::stderr().is_terminal();
    let result = match cli.command {
        Command::Bench(args) if args.icount => {
            let (suite, paths, _) = args.suite.resolve(false);
            regress::icount_lane::bench(&regress::icount_lane::BenchConfig {
                filter: args.filter,
                suite,
                paths,
            })
        }
        Command::Bench(args) => {
            let (suite, paths, timing) = args.suite.resolve(args.quick);
            bench::run(&bench::Config {
                timing,
                filter: args.filter,
                save: args.save,
                list_only: args.list,
                suite,
                paths,
                progress,
            })
        }
        Command::Regress(args) => regress::run(&regress_config(args, progress)),
        Command::GateEvidence(args) => {
            // Every comparison runs with `regress`'s defaults, on the evidence's filter and suite.
            let mut regress = RegressDefaults::parse_from(["regress", "--baseline", "HEAD"]).args;
            (regress.filter, regress.suite) = (Some(args.filter), args.suite);
            let regress = regress_config(regress, progress);
            let output =
                (args.output).unwrap_or_else(|| regress.paths.root.join("docs").join("GATE.md"));
            evidence::run(&evidence::Config {
                regress,
                target: args.target,
                sizes: args.sizes,
                repeats: args.repeats.max(1),
                whole_suite: args.whole_suite,
                output,
                noise: args.noise,
            })
        }
        Command::Variance(args) => {
            let (suite, paths, _) = args.suite.resolve(args.quick);
            variance::run(&variance::Config {
                rounds: if args.quick { 6 } else { args.rounds.max(2) },
                engine: engine_config(args.quick, None),
                confidence: paired::verdict::Judging::default().confidence,
                filter: args.filter,
                suite,
                paths,
                progress,
                quick: args.quick,
            })
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
