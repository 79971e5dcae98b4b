//! The instruction-count lane of `regress`: callgrind counts of both builds, compared exactly,
//! and for each change the functions whose own instructions moved most.
use std::collections::BTreeMap;

use super::{
    BenchmarkComparison, Config, RegressConfig, RegressReport, Verdict, build, candidate_sha,
    exit_code_for, one_sided_rows, selected_ids,
};
use crate::{
    compare::{self, FunctionDelta},
    icount::{self, IcountRow},
};

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
    let candidate = build::candidate(&config.suite, &config.paths, config.progress)?;
    let baseline = build::baseline(
        &config.suite,
        &config.paths,
        sha,
        candidate.package_dir(),
        config.progress,
    )?;
    let (ids, only_candidate, only_baseline) = selected_ids(
        &baseline,
        &candidate,
        config.filter.as_deref(),
        regress_config,
    )?;
    let out = config.paths.out.join("icount");
    let base_rows = icount::count(&baseline, &ids, &out, "baseline")?;
    let cand_rows = icount::count(&candidate, &ids, &out, "candidate")?;
    let mut benchmarks: Vec<BenchmarkComparison> = base_rows
        .iter()
        .zip(&cand_rows)
        .map(|(base, cand)| compare_counts(base, cand, config.icount_threshold))
        .collect();
    benchmarks.extend(one_sided_rows(&only_candidate, &only_baseline));
    let exit_code = exit_code_for(&benchmarks, config.strict);
    Ok(RegressReport {
        mode: "icount",
        baseline: config.baseline.clone(),
        baseline_source: described,
        baseline_sha: sha.to_owned(),
        candidate_sha: candidate_sha(&config.paths.root),
        host_warning: None,
        geometric_mean_ratio: compare::geometric_mean_ratio(&benchmarks),
        benchmarks,
        rounds_run: None,
        engine: None,
        judging: None,
        budget_s: None,
        budget_exhausted: false,
        elapsed_s: started.elapsed().as_secs_f64(),
        rounds: BTreeMap::new(),
        throughput: BTreeMap::new(),
        exit_code,
    })
}

/// One benchmark's verdict from two exact counts: REGRESSED above `1 + threshold`, IMPROVED
/// below `1 - threshold`, else UNCHANGED; a change lists its top functions.
pub fn compare_counts(base: &IcountRow, cand: &IcountRow, threshold: f64) -> BenchmarkComparison {
    let mut row = BenchmarkComparison::new(&base.id, Verdict::Unchanged, threshold);
    row.baseline_instructions = base.instructions;
    row.candidate_instructions = cand.instructions;
    let (Some(before), Some(after)) = (base.instructions, cand.instructions) else {
        row.verdict = Verdict::Inconclusive;
        row.note = "not run in Criterion's test mode (too large for one iteration)".to_owned();
        return row;
    };
    if before == 0 {
        row.verdict = Verdict::Inconclusive;
        row.note = "no instructions counted in the baseline".to_owned();
        return row;
    }
    let ratio = after as f64 / before as f64;
    row.ratio = Some(ratio);
    row.ratio_lower = Some(ratio);
    row.ratio_upper = Some(ratio);
    row.verdict = if ratio > 1.0 + threshold {
        Verdict::Regressed
    } else if ratio < 1.0 - threshold {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    };
    let total_delta = after as i64 - before as i64;
    if row.verdict != Verdict::Unchanged {
        row.functions = top_functions(&base.functions, &cand.functions, total_delta);
    }
    row.note = describe(total_delta, &row.functions);
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
        let verdict = compare_counts(&base, &base.clone(), 0.01);
        assert_eq!(verdict.verdict, Verdict::Unchanged);
        assert_eq!(verdict.ratio, Some(1.0));
        assert!(verdict.functions.is_empty());
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
        let verdict = compare_counts(&base, &cand, 0.01);
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
            compare_counts(&base, &small, 0.01).verdict,
            Verdict::Unchanged
        );
        let faster = row("g/x", Some(9_000), &[("hash", 5_000)]);
        assert_eq!(
            compare_counts(&base, &faster, 0.01).verdict,
            Verdict::Improved
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
