//! The instruction lane: instructions per benchmark iteration under valgrind's callgrind, for
//! `cargo xtask bench --icount` (this tree, beside its previous run) and for `regress --icount`
//! (both builds, compared exactly, and for each change the functions whose own instructions
//! moved most).
//!
//! Each benchmark runs once in Criterion's test mode (one iteration) under callgrind, with
//! collection switched on only inside Criterion's `Bencher::iter*` methods (all `#[inline(never)]`),
//! so the suite's setup and the process start-up are not counted. Instruction counts barely move
//! between runs, which makes them the lane for changes smaller than wall-clock noise.
use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
    process::{Command, ExitCode, Stdio},
};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::Verdict;
use crate::{
    compare::{Row, interval},
    report::{self, format_change, short_sha},
    snapshot::{GitInfo, now_unix_s, write_atomically},
    suite::{BuiltSuite, Suite, exact_filter, tail},
};

/// What `cargo xtask bench --icount` was asked to do.
#[derive(Debug)]
pub struct BenchConfig {
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

/// Runs `cargo xtask bench --icount`: this tree's counts, beside the previous run's.
pub fn bench(config: &BenchConfig) -> anyhow::Result<ExitCode> {
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
                tail(&String::from_utf8_lossy(&output.stderr), 20)
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

/// The instruction lane's comparison of one benchmark: callgrind counts of both builds.
#[derive(Debug, Clone, Serialize)]
pub struct InstructionRow {
    /// Benchmark id.
    pub id: String,
    /// Verdict.
    pub verdict: Verdict,
    /// The change threshold applied (0.01 = 1 %).
    pub threshold: f64,
    /// The baseline's instructions per iteration (its median process).
    pub baseline_instructions: Option<u64>,
    /// The candidate's instructions per iteration (its median process).
    pub candidate_instructions: Option<u64>,
    /// `candidate / baseline` medians.
    pub ratio: Option<f64>,
    /// The candidate's fewest over the baseline's most.
    pub ratio_lower: Option<f64>,
    /// The candidate's most over the baseline's fewest.
    pub ratio_upper: Option<f64>,
    /// The larger spread of one build's counts between its processes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise_floor: Option<f64>,
    /// Callgrind processes per side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
    /// The functions whose own instructions changed most.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionDelta>,
    /// The change in words, and the functions it lives in.
    pub note: String,
}

impl InstructionRow {
    /// A row with only the id, verdict and threshold set.
    pub fn new(id: &str, verdict: Verdict, threshold: f64) -> Self {
        Self {
            id: id.to_owned(),
            verdict,
            threshold,
            baseline_instructions: None,
            candidate_instructions: None,
            ratio: None,
            ratio_lower: None,
            ratio_upper: None,
            noise_floor: None,
            rounds: None,
            functions: Vec::new(),
            note: String::new(),
        }
    }
}

impl Row for InstructionRow {
    fn id(&self) -> &str {
        &self.id
    }

    fn verdict(&self) -> Verdict {
        self.verdict
    }

    fn ratio(&self) -> Option<f64> {
        self.ratio
    }

    fn cells(&self) -> [String; 5] {
        let count = |count: Option<u64>| count.map(|c| c.to_string()).unwrap_or_default();
        [
            count(self.baseline_instructions),
            count(self.candidate_instructions),
            interval(self.ratio_lower, self.ratio_upper),
            String::new(),
            String::new(),
        ]
    }

    fn threshold_and_note(&self) -> (f64, &str) {
        (self.threshold, &self.note)
    }
}

/// One function's change in self instructions between the two builds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionDelta {
    /// The function, as callgrind names it.
    pub function: String,
    /// Candidate minus baseline, instructions per iteration.
    pub delta: i64,
    /// Share of the benchmark's total change.
    pub share: f64,
}

/// Functions listed per changed benchmark.
const TOP_FUNCTIONS: usize = 5;

/// The lane's rows of the benchmarks both builds have: `runs` callgrind processes a side.
pub fn compare_builds(
    baseline: &BuiltSuite,
    candidate: &BuiltSuite,
    ids: &[String],
    runs: usize,
    threshold: f64,
    out: &Path,
) -> anyhow::Result<Vec<InstructionRow>> {
    // Processes of one build can differ (per-process hash seeds change allocation patterns):
    // each side runs `runs` times, alternating, and the spread is part of the verdict.
    let mut base_runs: Vec<Vec<IcountRow>> = Vec::new();
    let mut cand_runs: Vec<Vec<IcountRow>> = Vec::new();
    for _ in 0..runs.max(1) {
        base_runs.push(count(baseline, ids, out, "baseline")?);
        cand_runs.push(count(candidate, ids, out, "candidate")?);
    }
    Ok((0..ids.len())
        .map(|index| {
            let base: Vec<&IcountRow> = base_runs.iter().map(|run| &run[index]).collect();
            let cand: Vec<&IcountRow> = cand_runs.iter().map(|run| &run[index]).collect();
            compare_counts(&base, &cand, threshold)
        })
        .collect())
}

/// One benchmark's verdict from each side's counts (one per process): REGRESSED when every
/// candidate count is above every baseline count by more than `threshold`, IMPROVED mirrored,
/// UNCHANGED when the medians agree within it and neither side spreads more than it, else
/// INCONCLUSIVE (counts that move between processes of one build). A change lists its top
/// functions (from the median-count processes).
pub fn compare_counts(base: &[&IcountRow], cand: &[&IcountRow], threshold: f64) -> InstructionRow {
    let id = base
        .first()
        .or(cand.first())
        .map_or("", |row| row.id.as_str());
    let mut row = InstructionRow::new(id, Verdict::Unchanged, threshold);
    let counts = |rows: &[&IcountRow]| -> Option<Vec<u64>> {
        let mut counts: Vec<u64> = rows
            .iter()
            .map(|row| row.instructions)
            .collect::<Option<_>>()?;
        counts.sort_unstable();
        (!counts.is_empty()).then_some(counts)
    };
    let (Some(before), Some(after)) = (counts(base), counts(cand)) else {
        row.verdict = Verdict::Inconclusive;
        row.note = "not run in Criterion's test mode (too large for one iteration)".to_owned();
        return row;
    };
    let median = |counts: &[u64]| counts[counts.len() / 2];
    let (b_min, b_med, b_max) = (before[0], median(&before), before[before.len() - 1]);
    let (c_min, c_med, c_max) = (after[0], median(&after), after[after.len() - 1]);
    row.baseline_instructions = Some(b_med);
    row.candidate_instructions = Some(c_med);
    if b_min == 0 || c_min == 0 {
        row.verdict = Verdict::Inconclusive;
        row.note = "no instructions counted".to_owned();
        return row;
    }
    let ratio = c_med as f64 / b_med as f64;
    row.ratio = Some(ratio);
    row.ratio_lower = Some(c_min as f64 / b_max as f64);
    row.ratio_upper = Some(c_max as f64 / b_min as f64);
    let spread = (b_max as f64 / b_min as f64).max(c_max as f64 / c_min as f64) - 1.0;
    row.noise_floor = Some(spread);
    row.rounds = Some(before.len());
    row.verdict = if c_min as f64 > b_max as f64 * (1.0 + threshold) {
        Verdict::Regressed
    } else if (c_max as f64) < b_min as f64 * (1.0 - threshold) {
        Verdict::Improved
    } else if (ratio - 1.0).abs() <= threshold && spread <= threshold {
        Verdict::Unchanged
    } else {
        Verdict::Inconclusive
    };
    let total_delta = c_med as i64 - b_med as i64;
    if matches!(row.verdict, Verdict::Regressed | Verdict::Improved) {
        let pick = |rows: &[&IcountRow], count: u64| {
            rows.iter()
                .find(|row| row.instructions == Some(count))
                .map(|row| row.functions.clone())
                .unwrap_or_default()
        };
        row.functions = top_functions(&pick(base, b_med), &pick(cand, c_med), total_delta);
    }
    row.note = describe(total_delta, &row.functions);
    if spread > 0.0 {
        row.note.push_str(&format!(
            "; counts vary by {:.1}% between processes of one build",
            spread * 100.0
        ));
    }
    row
}

/// The functions whose self counts changed most in the direction of the total change.
pub fn top_functions(
    base: &BTreeMap<String, u64>,
    cand: &BTreeMap<String, u64>,
    total_delta: i64,
) -> Vec<FunctionDelta> {
    let mut deltas: Vec<(String, i64)> = base
        .keys()
        .chain(cand.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|name| {
            let before = base.get(name).copied().unwrap_or(0) as i64;
            let after = cand.get(name).copied().unwrap_or(0) as i64;
            (name.clone(), after - before)
        })
        .filter(|(_, delta)| *delta != 0 && delta.signum() == total_delta.signum())
        .collect();
    deltas.sort_by(|a, b| b.1.abs().cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
    deltas
        .into_iter()
        .take(TOP_FUNCTIONS)
        .map(|(function, delta)| FunctionDelta {
            share: if total_delta == 0 {
                0.0
            } else {
                delta as f64 / total_delta as f64
            },
            function,
            delta,
        })
        .collect()
}

fn describe(total_delta: i64, functions: &[FunctionDelta]) -> String {
    let mut text = format!(
        "{} instructions per iteration",
        signed_thousands(total_delta)
    );
    if let Some(top) = functions.first() {
        text.push_str(&format!(
            ", {:.0} % of it in `{}`",
            top.share * 100.0,
            top.function
        ));
    }
    text
}

/// `+2,400` / `-15` / `+0`.
pub fn signed_thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{}{grouped}", if value < 0 { '-' } else { '+' })
}

#[cfg(test)]
mod tests;
