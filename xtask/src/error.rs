//! Typed errors for input the user controls (baselines, config, filters): all exit with code 2.
use std::path::PathBuf;

/// Input `cargo xtask` cannot use; `main` turns every one into exit code 2 with its message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The baseline is not a git ref (perhaps a saved snapshot, which is never gated on).
    #[error(
        "no baseline commit named `{name}`: `{name}` is not a git ref (branch, tag or commit); \
         `regress` builds and measures both commits side by side, because a run against numbers \
         stored earlier (such as the snapshot {snapshot}) cannot tell the code from the machine's load"
    )]
    BaselineNotFound {
        /// The requested baseline.
        name: String,
        /// Where a snapshot of that name would be.
        snapshot: PathBuf,
    },
    /// The suite is built against a Criterion whose output format xtask does not parse.
    #[error(
        "the suite uses criterion {found}, but xtask parses the output of criterion {supported}.x only; \
         check the file layout and update CRITERION_SERIES in bench-scorecard/src/results.rs"
    )]
    CriterionVersion {
        /// The version in Cargo.lock.
        found: String,
        /// The series xtask supports.
        supported: &'static str,
    },
    /// `xtask/regress.toml` is malformed.
    #[error("invalid regress configuration {path}: {reason}")]
    RegressConfig {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A `--threshold` (or a threshold in the config) is not a percentage.
    #[error("invalid threshold `{0}`: expected a percentage such as `5%` or `2.5`")]
    Threshold(String),
    /// Too few rounds for a 95 % interval.
    #[error("--rounds {0} is too few: a 95 % signed-rank interval needs at least 6 rounds")]
    Rounds(usize),
    /// The filter selected nothing.
    #[error("no benchmark matches the filter `{0}`; `cargo xtask bench --list` shows every id")]
    NoBenchmarks(String),
    /// The instruction-count lane needs valgrind.
    #[error(
        "valgrind is not installed (or not on PATH); the instruction-count lane runs the suite \
         under valgrind's callgrind: install it with `apt-get install valgrind`"
    )]
    ValgrindMissing,
    /// The baseline commit could not be benchmarked.
    #[error("could not benchmark git ref `{reference}` ({sha}): {reason}")]
    BaselineRun {
        /// The ref as given.
        reference: String,
        /// The commit it resolved to.
        sha: String,
        /// What failed.
        reason: String,
    },
    /// Another `regress` holds this target folder.
    #[error(
        "another `cargo xtask regress` is running in this target folder (it holds {0}); wait \
         for it to finish, or give this one its own CARGO_TARGET_DIR"
    )]
    Busy(PathBuf),
}
