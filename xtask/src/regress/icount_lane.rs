//! The instruction-count lane of `regress`: callgrind counts of both builds, compared exactly,
//! and for each change the functions whose own instructions moved most.
use std::collections::BTreeMap;

use serde::Serialize;

use super::{Builds, Config, RegressConfig, RegressReport, Rows, Verdict, one_sided_rows};
use crate::{
    compare::{Row, interval},
    icount::{self, IcountRow},
};

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

/// Runs the lane against commit `sha`.
pub fn run(
    config: &Config,
    regress_config: &RegressConfig,
    sha: &str,
    described: String,
) -> anyhow::Result<RegressReport> {
    let started = std::time::Instant::now();
    let builds = Builds::of(config, regress_config, sha)?;
    let (baseline, candidate, ids) = (&builds.baseline, &builds.candidate, &builds.ids);
    let out = config.paths.out.join("icount");
    // Processes of one build can differ (per-process hash seeds change allocation patterns):
    // each side runs `icount_runs` times, alternating, and the spread is part of the verdict.
    let mut base_runs: Vec<Vec<IcountRow>> = Vec::new();
    let mut cand_runs: Vec<Vec<IcountRow>> = Vec::new();
    for _ in 0..config.icount_runs.max(1) {
        base_runs.push(icount::count(baseline, ids, &out, "baseline")?);
        cand_runs.push(icount::count(candidate, ids, &out, "candidate")?);
    }
    let mut rows: Vec<InstructionRow> = (0..ids.len())
        .map(|index| {
            let base: Vec<&IcountRow> = base_runs.iter().map(|run| &run[index]).collect();
            let cand: Vec<&IcountRow> = cand_runs.iter().map(|run| &run[index]).collect();
            compare_counts(&base, &cand, config.icount_threshold)
        })
        .collect();
    rows.extend(one_sided_rows(&builds, |id, verdict, note| {
        InstructionRow {
            note: note.to_owned(),
            ..InstructionRow::new(id, verdict, 0.0)
        }
    }));
    let mut report = RegressReport::new(config, described, sha, Rows::Instructions(rows));
    report.elapsed_s = started.elapsed().as_secs_f64();
    report.set_exit_code(config.strict);
    Ok(report)
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
        .collect::<std::collections::BTreeSet<_>>()
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
mod tests {
    use super::*;

    fn row(id: &str, instructions: Option<u64>, functions: &[(&str, u64)]) -> IcountRow {
        IcountRow {
            id: id.to_owned(),
            instructions,
            functions: functions
                .iter()
                .map(|(name, count)| ((*name).to_owned(), *count))
                .collect(),
        }
    }

    #[test]
    fn equal_counts_are_unchanged_at_zero_percent() {
        let base = row("g/x", Some(10_000), &[("f", 10_000)]);
        let verdict = compare_counts(&[&base, &base], &[&base, &base], 0.01);
        assert_eq!(verdict.verdict, Verdict::Unchanged);
        assert_eq!(verdict.ratio, Some(1.0));
        assert!(verdict.functions.is_empty());
        assert!(!verdict.note.contains("vary"), "{}", verdict.note);
    }

    #[test]
    fn a_regression_names_the_function_that_grew() {
        let base = row(
            "g/x",
            Some(10_000),
            &[("llmkg::Store::get", 4_000), ("hash", 6_000)],
        );
        let cand = row(
            "g/x",
            Some(12_500),
            &[("llmkg::Store::get", 6_400), ("hash", 6_100)],
        );
        let verdict = compare_counts(&[&base], &[&cand], 0.01);
        assert_eq!(verdict.verdict, Verdict::Regressed);
        assert_eq!(verdict.functions[0].function, "llmkg::Store::get");
        assert_eq!(verdict.functions[0].delta, 2_400);
        assert!((verdict.functions[0].share - 0.96).abs() < 1e-12);
        assert!(
            verdict
                .note
                .contains("+2,500 instructions per iteration, 96 % of it in `llmkg::Store::get`"),
            "{}",
            verdict.note
        );
        // Half a percent is under the 1 % threshold.
        let small = row("g/x", Some(10_050), &[("hash", 6_050)]);
        assert_eq!(
            compare_counts(&[&base], &[&small], 0.01).verdict,
            Verdict::Unchanged
        );
        let faster = row("g/x", Some(9_000), &[("hash", 5_000)]);
        assert_eq!(
            compare_counts(&[&base], &[&faster], 0.01).verdict,
            Verdict::Improved
        );
    }

    #[test]
    fn counts_that_move_between_processes_are_inconclusive_not_regressed() {
        // One build's processes give 175k and 190k (allocation patterns differ): the candidate's
        // 189k is inside that range, so nothing is claimed.
        let low = row("g/x", Some(175_000), &[]);
        let high = row("g/x", Some(190_000), &[]);
        let cand = row("g/x", Some(189_000), &[]);
        let verdict = compare_counts(&[&low, &high, &low], &[&cand, &low, &high], 0.01);
        assert_eq!(verdict.verdict, Verdict::Inconclusive, "{verdict:?}");
        assert!(verdict.note.contains("vary by 8.6%"), "{}", verdict.note);
        // Missing counts (a benchmark too large for test mode) are inconclusive too.
        let absent = row("g/x", None, &[]);
        assert_eq!(
            compare_counts(&[&absent], &[&absent], 0.01).verdict,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(signed_thousands(2_400), "+2,400");
        assert_eq!(signed_thousands(-1_234_567), "-1,234,567");
        assert_eq!(signed_thousands(15), "+15");
        assert_eq!(signed_thousands(0), "+0");
    }
}
