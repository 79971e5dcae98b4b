//! Builds a Criterion bench target with `cargo bench --no-run` and runs it with a progress bar.
use std::{
    collections::BTreeSet,
    ffi::{OsStr, OsString},
    fs,
    io::{self, BufRead, BufReader, BufWriter, Write},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use bench_scorecard::CRITERION_SERIES;
use cargo_metadata::{Message, MetadataCommand, TargetKind};

use crate::{error::InputError, snapshot::RunSettings};

/// Lines of the bench output quoted when a run fails.
const LOG_TAIL_LINES: usize = 30;

/// Which bench target to run: the harness suite by default, another in tests.
#[derive(Debug, Clone)]
pub struct Suite {
    /// `Cargo.toml` of the workspace or package holding the bench.
    pub manifest_path: PathBuf,
    /// The package that owns the bench target.
    pub package: String,
    /// The bench target's name.
    pub bench: String,
    /// Cargo profile to build with (`None`: cargo bench's own, `bench`).
    pub profile: Option<String>,
}

/// How to measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timing {
    /// The suite's own Criterion settings.
    Suite,
    /// A smoke pass: the whole selection in about `budget_s` seconds, 10 samples each.
    Quick {
        /// Target wall time for the measurements.
        budget_s: f64,
    },
}

/// Everything one measured run of the built suite needs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Criterion filter (a regex on the id).
    pub filter: Option<String>,
    /// Measurement settings.
    pub timing: Timing,
    /// Criterion baseline name to save under.
    pub baseline: String,
    /// Cargo target directory for the build.
    pub target_dir: PathBuf,
    /// Where Criterion writes (`CRITERION_HOME`).
    pub criterion_home: PathBuf,
    /// Keep Criterion's plots and HTML report.
    pub html: bool,
    /// Show a progress bar (off in tests and when stderr is not a terminal).
    pub progress: bool,
    /// Where to keep the bench binary's output.
    pub log_file: PathBuf,
}

/// The suite, built and ready to run.
#[derive(Debug)]
pub struct BuiltSuite {
    executable: PathBuf,
    package_dir: PathBuf,
    /// The Criterion version locked for it.
    pub criterion_version: String,
}

impl Suite {
    /// Builds the bench target into `target_dir` and finds its executable; cargo's output is
    /// shown with `show_build`, otherwise only on failure.
    pub fn build(&self, target_dir: &Path, show_build: bool) -> anyhow::Result<BuiltSuite> {
        let mut command = Command::new(cargo());
        command
            .args([
                "bench",
                "--no-run",
                "--message-format",
                "json-render-diagnostics",
            ])
            .arg("--manifest-path")
            .arg(&self.manifest_path)
            .args(["--package", &self.package, "--bench", &self.bench])
            .args(
                self.profile
                    .iter()
                    .flat_map(|profile| ["--profile", profile]),
            )
            .env("CARGO_TARGET_DIR", target_dir)
            .stdout(Stdio::piped());
        command.stderr(if show_build {
            Stdio::inherit()
        } else {
            Stdio::piped()
        });
        let output = command
            .spawn()
            .and_then(|child| child.wait_with_output())
            .context("running cargo bench --no-run")?;
        if !output.status.success() {
            bail!(
                "building bench `{}` of `{}` failed:\n{}",
                self.bench,
                self.package,
                tail(&String::from_utf8_lossy(&output.stderr), 40)
            );
        }
        let (executable, package_dir) = Message::parse_stream(output.stdout.as_slice())
            .filter_map(|message| match message {
                Ok(Message::CompilerArtifact(artifact))
                    if artifact.target.name == self.bench
                        && artifact.target.is_kind(TargetKind::Bench) =>
                {
                    let package_dir = artifact.manifest_path.parent()?.to_owned();
                    Some((artifact.executable?.into(), package_dir.into()))
                }
                _ => None,
            })
            .last()
            .with_context(|| {
                format!(
                    "cargo did not report an executable for bench `{}`",
                    self.bench
                )
            })?;
        Ok(BuiltSuite {
            executable,
            package_dir,
            criterion_version: self.criterion_version()?,
        })
    }

    /// The Criterion version the suite's lock file resolves, checked against the series the
    /// scorecard's reader parses.
    fn criterion_version(&self) -> anyhow::Result<String> {
        let metadata = MetadataCommand::new()
            .cargo_path(cargo())
            .manifest_path(&self.manifest_path)
            .exec()
            .with_context(|| format!("cargo metadata of {}", self.manifest_path.display()))?;
        let version = metadata
            .packages
            .iter()
            .find(|package| package.name == "criterion")
            .map(|package| package.version.to_string())
            .with_context(|| format!("no criterion package in {}", self.manifest_path.display()))?;
        if !version.starts_with(&format!("{CRITERION_SERIES}.")) {
            return Err(InputError::CriterionVersion {
                found: version,
                supported: CRITERION_SERIES,
            }
            .into());
        }
        Ok(version)
    }
}

impl BuiltSuite {
    /// A suite built earlier: its executable, the folder it runs in, its Criterion version.
    pub fn from_parts(
        executable: PathBuf,
        package_dir: PathBuf,
        criterion_version: String,
    ) -> Self {
        Self {
            executable,
            package_dir,
            criterion_version,
        }
    }

    /// Runs the executable once with `args` and `envs`, appending its output to `log_file`;
    /// a failure quotes the output's tail.
    pub fn run_logged(
        &self,
        args: &[String],
        envs: &[(&str, &OsStr)],
        log_file: &Path,
    ) -> anyhow::Result<()> {
        let (mut command, mut log) = self.logged(args, envs, log_file)?;
        let output = command
            .output()
            .with_context(|| format!("starting {}", self.executable.display()))?;
        log.write_all(&output.stdout)?;
        log.write_all(&output.stderr)?;
        if !output.status.success() {
            bail!(
                "{} failed ({}); output in {}:\n{}",
                self.executable.display(),
                output.status,
                log_file.display(),
                tail(&String::from_utf8_lossy(&output.stderr), LOG_TAIL_LINES)
            );
        }
        Ok(())
    }

    /// Starts the executable with `args` and `envs`, its standard output appended to
    /// `log_file` and its standard error piped to the caller.
    pub fn spawn(
        &self,
        args: &[String],
        envs: &[(&str, &OsStr)],
        log_file: &Path,
    ) -> anyhow::Result<std::process::Child> {
        let (mut command, log) = self.logged(args, envs, log_file)?;
        command
            .stdout(log)
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", self.executable.display()))
    }

    /// The command with `args` and `envs` and no input, and `log_file` opened for appending.
    fn logged(
        &self,
        args: &[String],
        envs: &[(&str, &OsStr)],
        log_file: &Path,
    ) -> anyhow::Result<(Command, fs::File)> {
        if let Some(parent) = log_file.parent() {
            fs::create_dir_all(parent)?;
        }
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_file)
            .with_context(|| format!("opening {}", log_file.display()))?;
        let mut command = self.command();
        command
            .args(args)
            .envs(envs.iter().copied())
            .stdin(Stdio::null());
        Ok((command, log))
    }

    /// The bench executable.
    pub fn executable(&self) -> &Path {
        &self.executable
    }

    /// The package folder the executable runs in.
    pub fn package_dir(&self) -> &Path {
        &self.package_dir
    }

    /// The ids of the benchmarks that `filter` selects, in run order.
    pub fn list(&self, filter: Option<&str>) -> anyhow::Result<Vec<String>> {
        let mut command = self.command();
        // After `--`, a filter that starts with `-` is still the filter.
        command.args(["--bench", "--list", "--"]);
        command.args(filter);
        let output = command.output().context("listing benchmarks")?;
        if !output.status.success() {
            bail!(
                "listing benchmarks failed:\n{}",
                tail(&String::from_utf8_lossy(&output.stderr), 20)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| line.strip_suffix(": benchmark"))
            .map(str::to_owned)
            .collect())
    }

    /// Runs the selected benchmarks, saving them under `config.baseline`; returns the ids run
    /// and the settings used.
    pub fn run(&self, config: &RunConfig) -> anyhow::Result<(BTreeSet<String>, RunSettings)> {
        let ids = self.list(config.filter.as_deref())?;
        if ids.is_empty() {
            return Err(InputError::NoBenchmarks(config.filter.clone().unwrap_or_default()).into());
        }
        let mut settings = RunSettings {
            quick: false,
            filter: config.filter.clone(),
            warm_up_s: None,
            measurement_s: None,
            sample_size: None,
        };
        let mut command = self.command();
        command
            .args([
                "--bench",
                "--color",
                "never",
                "--save-baseline",
                &config.baseline,
            ])
            .env("CRITERION_HOME", &config.criterion_home)
            .env("CARGO_TARGET_DIR", &config.target_dir);
        if !config.html {
            command.arg("--noplot");
        }
        if let Timing::Quick { budget_s } = config.timing {
            let per_benchmark = (budget_s / ids.len() as f64).clamp(0.1, 2.0);
            let (warm_up, measurement) = (0.3 * per_benchmark, 0.7 * per_benchmark);
            command
                .arg("--warm-up-time")
                .arg(format!("{warm_up:.3}"))
                .arg("--measurement-time")
                .arg(format!("{measurement:.3}"))
                .args(["--sample-size", "10", "--nresamples", "10000"]);
            settings.quick = true;
            settings.warm_up_s = Some(warm_up);
            settings.measurement_s = Some(measurement);
            settings.sample_size = Some(10);
        }
        command.arg("--").args(config.filter.as_deref());
        let started = std::time::Instant::now();
        self.run_with_progress(command, &ids, config)?;
        let elapsed_s = started.elapsed().as_secs_f64();
        if let Timing::Quick { budget_s } = config.timing
            && elapsed_s > 3.0 * budget_s + 30.0
        {
            eprintln!(
                "warning: --quick aimed at about {budget_s:.0} s of measurement but the run took \
                 {elapsed_s:.0} s: the machine may be loaded, or a suite's groups may set their own \
                 Criterion timing over the command line's"
            );
        }
        Ok((ids.into_iter().collect(), settings))
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.executable);
        command
            .current_dir(&self.package_dir)
            .env("CARGO_MANIFEST_DIR", &self.package_dir);
        command
    }

    fn run_with_progress(
        &self,
        mut command: Command,
        ids: &[String],
        config: &RunConfig,
    ) -> anyhow::Result<()> {
        if let Some(parent) = config.log_file.parent() {
            fs::create_dir_all(parent)?;
        }
        // One pipe for both streams, read here line by line as the run goes.
        let (output, writer) = io::pipe()?;
        let mut child = command
            .stdout(writer.try_clone()?)
            .stderr(writer)
            .spawn()
            .with_context(|| format!("starting {}", self.executable.display()))?;
        // The command holds the pipe's write ends: dropped, the pipe ends with the child.
        drop(command);
        let bar = progress_bar(ids.len() as u64, config.progress);
        // The log is written as the run goes, so `tail -f` shows a long run's progress.
        let mut log = BufWriter::new(
            fs::File::create(&config.log_file)
                .with_context(|| format!("creating {}", config.log_file.display()))?,
        );
        let mut done = 0u64;
        for line in BufReader::new(output).lines().map_while(Result::ok) {
            // Criterion overwrites its status line with `\r` on a terminal; keep the last part.
            let line = line.rsplit('\r').next().unwrap_or_default();
            if let Some(rest) = line.strip_prefix("Benchmarking ") {
                if let Some(id) = rest.strip_suffix(": Analyzing") {
                    done += 1;
                    bar.set_position(done.min(ids.len() as u64));
                    bar.set_message(id.to_owned());
                } else if let Some((id, _)) = rest.split_once(": Warming up") {
                    bar.set_message(id.to_owned());
                }
            }
            writeln!(log, "{line}")?;
            log.flush()?;
        }
        let status = child.wait()?;
        bar.finish_and_clear();
        if !status.success() {
            bail!(
                "the benchmark run failed ({status}); full output in {}:\n{}",
                config.log_file.display(),
                tail(
                    &fs::read_to_string(&config.log_file).unwrap_or_default(),
                    LOG_TAIL_LINES
                )
            );
        }
        Ok(())
    }
}

fn progress_bar(len: u64, visible: bool) -> ProgressBar {
    let target = if visible {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} benchmarks, ETA {eta} {wide_msg}",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The cargo that started us (`$CARGO`), or `cargo` from `PATH`.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Quotes `id` for Criterion's regex filter so that it matches that id only.
pub fn exact_filter<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let alternatives: Vec<String> = ids.into_iter().map(regex::escape).collect();
    format!("^(?:{})$", alternatives.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_filter_escapes_metacharacters() {
        let filter = exact_filter(["a/b(1)", "x.y"]);
        assert_eq!(filter, r"^(?:a/b\(1\)|x\.y)$");
    }
}
