//! `report.md` as Markdown: the header, scorecard, growth, scaling, two-mode, plot and
//! benchmark sections.
use std::fmt::Write as _;

use bench_scorecard::{Check, Verdict, efficiency_text};

use super::{BenchReport, format_count, format_ns, short_sha, table};

/// Renders the whole report as Markdown.
pub fn markdown(report: &BenchReport<'_>) -> String {
    let mut out = String::new();
    header(&mut out, report);
    scorecard(&mut out, report);
    growth(&mut out, report);
    scaling(&mut out, report);
    bimodal(&mut out, report);
    plots(&mut out, report);
    benchmarks(&mut out, report);
    out
}

/// The title and the line saying what was measured where.
fn header(out: &mut String, report: &BenchReport<'_>) {
    let snapshot = report.snapshot;
    let _ = writeln!(out, "# Benchmark report `{}`\n", snapshot.name);
    let _ = writeln!(
        out,
        "Commit `{}`{}, {}, criterion {}, {} ({} logical cores){}.\n",
        short_sha(&snapshot.git.sha),
        if snapshot.git.dirty { " (dirty)" } else { "" },
        snapshot.rustc,
        snapshot.criterion_version,
        snapshot.host.cpu_model,
        snapshot.host.logical_cores,
        if snapshot.settings.quick {
            ", quick smoke pass"
        } else {
            ""
        },
    );
    if let Some(html) = &report.criterion_html {
        let _ = writeln!(
            out,
            "Criterion's plots and HTML report: [{html}]({html}).\n"
        );
    }
}

/// The criteria table and its count of passes, misses and rows not measured.
fn scorecard(out: &mut String, report: &BenchReport<'_>) {
    let _ = writeln!(out, "## Scorecard\n");
    let checks = &report.scorecard.checks;
    if checks.is_empty() {
        let _ = writeln!(out, "No criterion could be evaluated from this run.\n");
        return;
    }
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|check| {
            vec![
                check.name.clone(),
                // Without a value, the two verdict columns already say why; keep it narrow.
                if check.value.is_some() {
                    check.value_text()
                } else {
                    "-".to_owned()
                },
                check.seed_bar.describe(check.unit),
                check.seed_verdict.label().to_owned(),
                check.goal_bar.describe(check.unit),
                check.goal_verdict.label().to_owned(),
                check.source.clone(),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "criterion",
            "measured",
            "seed bar",
            "seed",
            "goal",
            "goal result",
            "source",
        ],
        &rows,
    ));
    let verdicts = |check: &Check| [check.seed_verdict.clone(), check.goal_verdict.clone()];
    let count = |wanted: fn(&Verdict) -> bool| {
        checks
            .iter()
            .filter(|check| verdicts(check).iter().any(wanted))
            .count()
    };
    let _ = writeln!(
        out,
        "\n{} rows: {} pass every bar they have, {} miss a bar, {} not measured in this run, \
         {} not measurable on this machine.",
        checks.len(),
        checks
            .iter()
            .filter(|check| {
                verdicts(check)
                    .iter()
                    .all(|v| matches!(v, Verdict::Pass | Verdict::NoBar))
            })
            .count(),
        count(|v| *v == Verdict::Fail),
        count(|v| matches!(v, Verdict::NotMeasured(_))),
        count(|v| matches!(v, Verdict::NotMeasurableHere(_))),
    );
    out.push('\n');
}

/// The growth exponents, when a sized series was fitted.
fn growth(out: &mut String, report: &BenchReport<'_>) {
    if !report.growth.is_empty() {
        let _ = writeln!(out, "## Growth with data size (time ∝ n^k)\n");
        let rows: Vec<Vec<String>> = report
            .growth
            .iter()
            .map(|row| {
                let sizes: Vec<String> = row.sizes.iter().map(|n| format!("{n}")).collect();
                vec![
                    row.series.clone(),
                    sizes.join(", "),
                    format!("{:.3}", row.exponent),
                    format!("{:.3}", row.r_squared),
                ]
            })
            .collect();
        out.push_str(&table(&["series (per element)", "sizes", "k", "R²"], &rows));
        out.push('\n');
    }
}

/// Concurrency scaling against each series' own one-thread run.
fn scaling(out: &mut String, report: &BenchReport<'_>) {
    if !report.scorecard.scaling.is_empty() {
        let _ = writeln!(out, "## Concurrency scaling\n");
        let _ = writeln!(
            out,
            "Each series against its own one-thread run; `{}` is the machine's ceiling for this \
             workload (every thread its own map). An efficiency is shown only where both medians' \
             95 % intervals are within ±10 %, neither has two modes, and it is at most 100 %.\n",
            bench_scorecard::suite::CONCURRENT_UNSHARED
        );
        let rows: Vec<Vec<String>> = report
            .scorecard
            .scaling
            .iter()
            .map(|row| {
                vec![
                    row.id.clone(),
                    row.threads.to_string(),
                    format!(
                        "{:.2}x [{:.2} .. {:.2}]",
                        row.speedup, row.speedup_interval.0, row.speedup_interval.1
                    ),
                    efficiency_text(row),
                    if row.within_cores {
                        "yes"
                    } else {
                        "no (oversubscribed)"
                    }
                    .to_owned(),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "benchmark",
                "threads",
                "speed-up [95% CI]",
                "efficiency",
                "cores available",
            ],
            &rows,
        ));
        out.push('\n');
    }
}

/// The benchmarks whose samples have two modes.
fn bimodal(out: &mut String, report: &BenchReport<'_>) {
    if !report.scorecard.bimodal.is_empty() {
        let _ = writeln!(out, "## Benchmarks with two modes\n");
        let _ = writeln!(
            out,
            "Their samples split into two far-apart clusters: the median depends on which one a \
             run lands in, so treat these rows' figures (and ratios built on them) with care.\n"
        );
        let rows: Vec<Vec<String>> = report
            .scorecard
            .bimodal
            .iter()
            .map(|row| {
                let modes = &row.modes;
                vec![
                    row.id.clone(),
                    format!("{} x {}", modes.low_count, format_ns(modes.low_ns)),
                    format!("{} x {}", modes.high_count, format_ns(modes.high_ns)),
                    format!("{:.2}x", modes.high_ns / modes.low_ns),
                ]
            })
            .collect();
        out.push_str(&table(
            &["benchmark", "fast mode", "slow mode", "apart"],
            &rows,
        ));
        out.push('\n');
    }
}

/// Links to the SVG plots.
fn plots(out: &mut String, report: &BenchReport<'_>) {
    if !report.plots.is_empty() {
        let _ = writeln!(out, "## Plots\n");
        for (title, path) in report.plots {
            let _ = writeln!(out, "- [{title}]({path})");
        }
        out.push('\n');
    }
}

/// Every benchmark of the run, one row each.
fn benchmarks(out: &mut String, report: &BenchReport<'_>) {
    let _ = writeln!(out, "## Benchmarks\n");
    let rows: Vec<Vec<String>> = report
        .snapshot
        .benchmarks
        .iter()
        .map(|result| {
            let (lower, upper) = result.mean_ci_ns;
            vec![
                result.full_id.clone(),
                format_ns(result.median_ns),
                format!(
                    "{} [{} .. {}]",
                    format_ns(result.mean_ns),
                    format_ns(lower),
                    format_ns(upper)
                ),
                format!("{:.1}%", result.sample_cv.unwrap_or(0.0) * 100.0),
                match (result.throughput, result.median_ns > 0.0) {
                    (Some(throughput), true) => {
                        let rate = throughput.per_iteration() as f64 * 1e9 / result.median_ns;
                        format!("{}/s", format_count(rate, throughput.unit()))
                    }
                    _ => String::new(),
                },
                result.samples_ns.len().to_string(),
                if report
                    .scorecard
                    .bimodal
                    .iter()
                    .any(|row| row.id == result.full_id)
                {
                    "2 (see above)".to_owned()
                } else {
                    "1".to_owned()
                },
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "benchmark",
            "median",
            "mean [95% CI]",
            "CV",
            "throughput",
            "samples",
            "modes",
        ],
        &rows,
    ));
}
