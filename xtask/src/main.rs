//! `cargo xtask`: the project's automation entry point; parses the command line and dispatches.
use std::{io::IsTerminal, path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand, ValueEnum};

mod bench;
mod compare;
mod criterion;
mod error;
mod harness;
mod icount;
mod measure;
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
    /// Compare a fresh run against a baseline and fail on a confirmed regression.
    Regress(RegressArgs),
    /// Run the suite twice and report each benchmark's run-to-run change and CV.
    Variance(VarianceArgs),
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// Smoke pass: short warm-up and measurement, about a minute in all.
    #[arg(long)]
    quick: bool,
    /// Only benchmarks whose id matches this regex.
    #[arg(long, value_name = "REGEX")]
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
    /// Saved snapshot name or git ref to compare against.
    #[arg(long, value_name = "NAME")]
    baseline: String,
    /// Change that counts as a regression [default: from xtask/regress.toml, else 5%].
    #[arg(long, value_name = "PERCENT")]
    threshold: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also fail (exit 3) on noisy or missing benchmarks.
    #[arg(long)]
    strict: bool,
    /// Measure with the short `--quick` settings.
    #[arg(long)]
    quick: bool,
    /// Only benchmarks whose id matches this regex.
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
    /// Thresholds and ignore list.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    suite: SuiteArgs,
}

#[derive(Debug, Args)]
struct VarianceArgs {
    /// Measure with the short `--quick` settings.
    #[arg(long)]
    quick: bool,
    /// Only benchmarks whose id matches this regex.
    #[arg(long, value_name = "REGEX")]
    filter: Option<String>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Markdown,
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
            icount::run(&icount::Config {
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
        Command::Regress(args) => {
            let (suite, paths, timing) = args.suite.resolve(args.quick);
            let config_file = args
                .config
                .unwrap_or_else(|| paths.root.join("xtask").join("regress.toml"));
            regress::run(&regress::Config {
                baseline: args.baseline,
                threshold: args.threshold,
                format: match args.format {
                    Format::Table => regress::OutputFormat::Table,
                    Format::Json => regress::OutputFormat::Json,
                    Format::Markdown => regress::OutputFormat::Markdown,
                },
                strict: args.strict,
                timing,
                filter: args.filter,
                config_file,
                suite,
                paths,
                progress,
            })
        }
        Command::Variance(args) => {
            let (suite, paths, timing) = args.suite.resolve(args.quick);
            variance::run(&variance::Config {
                timing,
                filter: args.filter,
                suite,
                paths,
                progress,
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
