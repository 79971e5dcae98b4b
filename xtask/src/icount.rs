//! `cargo xtask bench --icount`: instructions per benchmark iteration under valgrind's callgrind.
//!
//! Each benchmark runs once in Criterion's test mode (one iteration) under callgrind, with
//! collection switched on only inside Criterion's `Bencher::iter*` methods (all `#[inline(never)]`),
//! so the suite's setup and the process start-up are not counted. Instruction counts barely move
//! between runs, which makes them the lane for changes smaller than wall-clock noise.
use std::{
    collections::BTreeMap,
    fs,
    path::Path,
    process::{Command, ExitCode, Stdio},
};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::{
    report::{self, format_change, short_sha},
    snapshot::{GitInfo, now_unix_s, write_atomically},
    suite::{BuiltSuite, Suite, exact_filter},
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
    require_valgrind()?;
    let out = config.paths.out.join("icount");
    fs::create_dir_all(&out)?;
    let built = config.suite.build(&config.paths.target, true)?;
    let ids = built.list(config.filter.as_deref())?;
    let rows = count(&built, &ids, &out, "bench")?
        .into_iter()
        .map(|row| (row.id, row.instructions))
        .collect();

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

/// Exit-2 error when `valgrind` cannot be started, with the command that installs it.
pub fn require_valgrind() -> anyhow::Result<()> {
    let version = Command::new("valgrind").arg("--version").output();
    if version.is_ok_and(|output| output.status.success()) {
        Ok(())
    } else {
        Err(crate::error::InputError::ValgrindMissing.into())
    }
}

/// One benchmark's count: the total, and each function's own (exclusive) instructions.
#[derive(Debug, Clone, PartialEq)]
pub struct IcountRow {
    /// Benchmark id.
    pub id: String,
    /// Instructions of one iteration; `None` where the benchmark does not run in test mode.
    pub instructions: Option<u64>,
    /// Self instructions per function.
    pub functions: BTreeMap<String, u64>,
}

/// Runs each of `ids` once under callgrind and reads its counts; `label` names the files.
pub fn count(
    built: &BuiltSuite,
    ids: &[String],
    out: &Path,
    label: &str,
) -> anyhow::Result<Vec<IcountRow>> {
    fs::create_dir_all(out)?;
    let mut rows = Vec::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        eprintln!("[{label} {}/{}] {id}", index + 1, ids.len());
        let callgrind_file = out.join(format!("callgrind.{label}.{index}.out"));
        let mut command = Command::new("valgrind");
        command
            .args(["--tool=callgrind", "--quiet"])
            .arg(format!("--toggle-collect={TOGGLE_COLLECT}"))
            .arg(format!("--callgrind-out-file={}", callgrind_file.display()))
            .arg(built.executable())
            .args(["--bench", "--test", &exact_filter([id.as_str()])])
            .current_dir(built.package_dir())
            .env("LLMKG_BENCH_SIDE", label)
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
        let (instructions, functions) = if ran {
            let text = fs::read_to_string(&callgrind_file)
                .with_context(|| format!("reading {}", callgrind_file.display()))?;
            (parse_total(&text), parse_functions(&text))
        } else {
            (None, BTreeMap::new())
        };
        let _ = fs::remove_file(&callgrind_file);
        rows.push(IcountRow {
            id: id.clone(),
            instructions,
            functions,
        });
    }
    Ok(rows)
}

/// Self (exclusive) instructions per function name in a callgrind output file.
///
/// Cost lines (`position count`) add to the current `fn=`; the cost line right after a
/// `calls=` line is the call's inclusive cost and is skipped. Compressed names (`fn=(12) name`,
/// later `fn=(12)`) are resolved, for `cfn=` as well.
pub fn parse_functions(callgrind: &str) -> BTreeMap<String, u64> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut resolve = |spec: &str| -> String {
        let spec = spec.trim();
        if let Some(rest) = spec.strip_prefix('(')
            && let Some((id, name)) = rest.split_once(')')
        {
            let name = name.trim();
            if name.is_empty() {
                return names.get(id).cloned().unwrap_or_else(|| format!("({id})"));
            }
            names.insert(id.to_owned(), name.to_owned());
            return name.to_owned();
        }
        spec.to_owned()
    };
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut skip_next_cost = false;
    for line in callgrind.lines() {
        if let Some(spec) = line.strip_prefix("fn=") {
            current = Some(resolve(spec));
        } else if let Some(spec) = line.strip_prefix("cfn=") {
            resolve(spec);
        } else if line.starts_with("calls=") {
            skip_next_cost = true;
        } else if line
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '*'))
        {
            if std::mem::take(&mut skip_next_cost) {
                continue;
            }
            let cost = line
                .split_whitespace()
                .nth(1)
                .and_then(|count| count.parse::<u64>().ok())
                .unwrap_or(0);
            if let Some(function) = &current {
                *totals.entry(function.clone()).or_default() += cost;
            }
        }
    }
    totals
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
    fn self_costs_skip_inclusive_call_lines_and_resolve_compressed_names() {
        let text = "events: Ir\n\
            fl=(1) src/lib.rs\n\
            fn=(1) llmkg::ExceptionStore::get_exception\n\
            10 100\n\
            +1 50\n\
            cfn=(2) core::hash::hash\n\
            calls=3 20\n\
            11 900\n\
            fn=(2)\n\
            20 300\n\
            fn=(1)\n\
            * 5\n\
            fn=(3) main\n\
            1 7\n";
        let functions = parse_functions(text);
        assert_eq!(functions["llmkg::ExceptionStore::get_exception"], 155);
        assert_eq!(functions["core::hash::hash"], 300);
        assert_eq!(functions["main"], 7);
        assert_eq!(functions.len(), 3);
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
