//! `cargo xtask bench --icount`: instructions per benchmark iteration under valgrind's callgrind.
//!
//! Each benchmark runs once in Criterion's test mode (one iteration) under callgrind, with
//! collection switched on only inside Criterion's `Bencher::iter*` methods (all `#[inline(never)]`),
//! so the suite's setup and the process start-up are not counted. Instruction counts barely move
//! between runs, which makes them the lane for changes smaller than wall-clock noise.
use std::{
    fs,
    process::{Command, ExitCode, Stdio},
};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::{
    report::{self, format_change, short_sha},
    snapshot::{GitInfo, now_unix_s, write_atomically},
    suite::{RunConfig, Suite, Timing, exact_filter},
};

/// What `cargo xtask bench --icount` was asked to do.
#[derive(Debug)]
pub struct Config {
    /// Criterion filter.
    pub filter: Option<String>,
    /// The suite.
    pub suite: Suite,
    /// Output locations.
    pub paths: crate::paths::Paths,
}

/// Instruction counts of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IcountRun {
    /// Commit measured.
    pub sha: String,
    /// Whether the tree was dirty.
    pub dirty: bool,
    /// When the run finished.
    pub created_unix_s: u64,
    /// `(id, instructions)`; `None` where the benchmark does not run in test mode.
    pub rows: Vec<(String, Option<u64>)>,
}

/// Pattern of the functions whose instructions are counted.
const TOGGLE_COLLECT: &str = "*Bencher*::iter*";

/// Runs the lane.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let version = Command::new("valgrind").arg("--version").output();
    if !version.is_ok_and(|output| output.status.success()) {
        bail!(
            "valgrind is not installed; the --icount lane runs the suite under valgrind's callgrind"
        );
    }
    let out = config.paths.out.join("icount");
    fs::create_dir_all(&out)?;
    let run_config = RunConfig {
        filter: config.filter.clone(),
        timing: Timing::Suite,
        baseline: "icount".to_owned(),
        target_dir: config.paths.target.clone(),
        criterion_home: config.paths.criterion_home.clone(),
        html: false,
        progress: false,
        show_build: true,
        log_file: out.join("icount.log"),
    };
    let built = config.suite.build(&run_config)?;
    let ids = built.list(config.filter.as_deref())?;
    let mut rows = Vec::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        eprintln!("[{}/{}] {id}", index + 1, ids.len());
        let callgrind_file = out.join(format!("callgrind.{index}.out"));
        let mut command = Command::new("valgrind");
        command
            .args(["--tool=callgrind", "--quiet"])
            .arg(format!("--toggle-collect={TOGGLE_COLLECT}"))
            .arg(format!("--callgrind-out-file={}", callgrind_file.display()))
            .arg(built.executable())
            .args(["--bench", "--test", &exact_filter([id.as_str()])])
            .current_dir(built.package_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = command.output().context("running valgrind")?;
        if !output.status.success() {
            bail!(
                "callgrind run of `{id}` failed:\n{}",
                crate::suite::tail(&String::from_utf8_lossy(&output.stderr), 20)
            );
        }
        let ran = String::from_utf8_lossy(&output.stdout).contains("Success");
        let instructions = if ran {
            let text = fs::read_to_string(&callgrind_file)
                .with_context(|| format!("reading {}", callgrind_file.display()))?;
            parse_total(&text)
        } else {
            None
        };
        let _ = fs::remove_file(&callgrind_file);
        rows.push((id.clone(), instructions));
    }

    let git = GitInfo::of(&config.paths.root);
    let current = IcountRun {
        sha: git.sha,
        dirty: git.dirty,
        created_unix_s: now_unix_s(),
        rows,
    };
    let previous_path = config.paths.out.join("icount.json");
    let previous: Option<IcountRun> = fs::read_to_string(&previous_path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let markdown = markdown(&current, previous.as_ref());
    write_atomically(
        &previous_path,
        serde_json::to_string_pretty(&current)?.as_bytes(),
    )?;
    fs::write(config.paths.out.join("icount.md"), &markdown)?;
    println!("{markdown}");
    Ok(ExitCode::SUCCESS)
}

/// The instruction total of a callgrind output file (`summary:` or `totals:` line).
pub fn parse_total(callgrind: &str) -> Option<u64> {
    callgrind
        .lines()
        .find_map(|line| {
            line.strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|count| count.parse().ok())
}

fn markdown(current: &IcountRun, previous: Option<&IcountRun>) -> String {
    let rows: Vec<Vec<String>> = current
        .rows
        .iter()
        .map(|(id, count)| {
            let before = previous
                .and_then(|run| run.rows.iter().find(|(other, _)| other == id))
                .and_then(|(_, count)| *count);
            vec![
                id.clone(),
                count.map_or_else(|| "not run in test mode".to_owned(), |n| n.to_string()),
                before.map(|n| n.to_string()).unwrap_or_default(),
                match (count, before) {
                    (Some(now), Some(then)) if then > 0 => format_change(*now as f64 / then as f64),
                    _ => String::new(),
                },
            ]
        })
        .collect();
    let mut text = format!(
        "# Instructions per iteration (callgrind) at `{}`{}\n\n",
        short_sha(&current.sha),
        if current.dirty { " (dirty)" } else { "" }
    );
    if let Some(previous) = previous {
        text.push_str(&format!(
            "Previous run: `{}`.\n\n",
            short_sha(&previous.sha)
        ));
    }
    text.push_str(&report::table(
        &["benchmark", "instructions", "previous", "change"],
        &rows,
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_summary_line() {
        let text = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 123456\nfn=main\n";
        assert_eq!(parse_total(text), Some(123_456));
        assert_eq!(parse_total("events: Ir\ntotals: 42\n"), Some(42));
        assert_eq!(parse_total("events: Ir\n"), None);
    }

    #[test]
    fn the_table_shows_the_change_since_the_previous_run() {
        let before = IcountRun {
            sha: "a".repeat(40),
            dirty: false,
            created_unix_s: 0,
            rows: vec![("g/x".to_owned(), Some(1000))],
        };
        let now = IcountRun {
            rows: vec![("g/x".to_owned(), Some(1100)), ("g/big".to_owned(), None)],
            ..before.clone()
        };
        let text = markdown(&now, Some(&before));
        assert!(text.contains("+10.0%"), "{text}");
        assert!(text.contains("not run in test mode"), "{text}");
    }
}
