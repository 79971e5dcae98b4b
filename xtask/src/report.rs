//! The bench report (`report.md`): summary table, scorecard, growth and scaling, plus formatting.
use std::fmt::Write as _;

use serde::Serialize;

use crate::snapshot::Snapshot;

/// Outcome of one bar of a success criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The measured value meets the bar.
    Pass,
    /// The measured value misses the bar.
    Fail,
    /// There is no bar on this side (the seed is silent on the figure).
    NoBar,
    /// This run has no value for it (benchmark filtered out, variance not run).
    NotMeasured,
    /// This machine cannot show it (more threads than cores).
    NotMeasurableHere,
}

impl Status {
    /// Label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "FAIL",
            Self::NoBar => "-",
            Self::NotMeasured => "not measured",
            Self::NotMeasurableHere => "not measurable here",
        }
    }
}

/// One row of the scorecard: a figure judged against the seed's bar and SPEC.md's goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    /// What is judged.
    pub criterion: String,
    /// The measured value, formatted (or why there is none).
    pub measured: String,
    /// The seed's bar, formatted.
    pub seed_bar: String,
    /// Outcome against the seed's bar.
    pub seed: Status,
    /// SPEC.md's goal, formatted.
    pub goal_bar: String,
    /// Outcome against the goal.
    pub goal: Status,
    /// The benchmark or file the value comes from.
    pub source: String,
}

/// The fitted growth exponent of one sized benchmark function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrowthRow {
    /// `group/function`.
    pub series: String,
    /// Sizes measured.
    pub sizes: Vec<f64>,
    /// Median time per element at each size, ns.
    pub per_element_ns: Vec<f64>,
    /// The median's 95 % interval per element at each size, ns.
    pub per_element_ci_ns: Vec<(f64, f64)>,
    /// `k` in `time ∝ n^k`.
    pub exponent: f64,
    /// Coefficient of determination of the log-log fit.
    pub r_squared: f64,
}

/// Concurrency scaling at one thread count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalingRow {
    /// Benchmark id.
    pub id: String,
    /// The series (function) within the concurrency group.
    pub function: String,
    /// Threads.
    pub threads: u32,
    /// Throughput relative to one thread.
    pub speedup: f64,
    /// The speed-up at the two medians' interval bounds.
    pub speedup_interval: (f64, f64),
    /// Speed-up per thread, only where it is a figure (both medians tight, one mode, within
    /// the cores, not above 100 %).
    pub efficiency: Option<f64>,
    /// The efficiency as the table shows it, or why it is not shown.
    pub efficiency_text: String,
    /// Whether the machine has at least this many cores.
    pub within_cores: bool,
}

/// A benchmark whose samples fall into two far-apart clusters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BimodalRow {
    /// Benchmark id.
    pub id: String,
    /// Mean of the fast cluster, ns per iteration.
    pub low_ns: f64,
    /// Mean of the slow cluster, ns per iteration.
    pub high_ns: f64,
    /// Samples in the fast cluster.
    pub low_count: usize,
    /// Samples in the slow cluster.
    pub high_count: usize,
}

/// Everything `report.md` shows.
#[derive(Debug)]
pub struct BenchReport<'a> {
    /// The run.
    pub snapshot: &'a Snapshot,
    /// Success criteria.
    pub scorecard: &'a [ScoreRow],
    /// Growth exponents.
    pub growth: &'a [GrowthRow],
    /// Concurrency scaling.
    pub scaling: &'a [ScalingRow],
    /// Benchmarks with two modes.
    pub bimodal: &'a [BimodalRow],
    /// `(title, relative path)` of the SVG plots.
    pub plots: &'a [(String, String)],
    /// Relative path of Criterion's HTML index, when it exists.
    pub criterion_html: Option<String>,
}

/// Renders the whole report as Markdown.
pub fn markdown(report: &BenchReport<'_>) -> String {
    let snapshot = report.snapshot;
    let mut out = String::new();
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

    let _ = writeln!(out, "## Scorecard\n");
    if report.scorecard.is_empty() {
        let _ = writeln!(out, "No criterion could be evaluated from this run.\n");
    } else {
        let rows: Vec<Vec<String>> = report
            .scorecard
            .iter()
            .map(|row| {
                vec![
                    row.criterion.clone(),
                    row.measured.clone(),
                    row.seed_bar.clone(),
                    row.seed.label().to_owned(),
                    row.goal_bar.clone(),
                    row.goal.label().to_owned(),
                    row.source.clone(),
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
        let count = |status| {
            report
                .scorecard
                .iter()
                .filter(|row| row.seed == status || row.goal == status)
                .count()
        };
        let _ = writeln!(
            out,
            "\n{} rows: {} pass every bar they have, {} miss a bar, {} not measured in this run, \
             {} not measurable on this machine.",
            report.scorecard.len(),
            report
                .scorecard
                .iter()
                .filter(|row| {
                    [row.seed, row.goal]
                        .iter()
                        .all(|s| matches!(s, Status::Pass | Status::NoBar))
                })
                .count(),
            count(Status::Fail),
            count(Status::NotMeasured),
            count(Status::NotMeasurableHere),
        );
        out.push('\n');
    }

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

    if !report.scaling.is_empty() {
        let _ = writeln!(out, "## Concurrency scaling\n");
        let _ = writeln!(
            out,
            "Each series against its own one-thread run; `{}` is the machine's ceiling for this \
             workload (every thread its own map). An efficiency is shown only where both medians' \
             95 % intervals are within ±10 %, neither has two modes, and it is at most 100 %.\n",
            bench_scorecard::suite::CONCURRENT_UNSHARED
        );
        let rows: Vec<Vec<String>> = report
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
                    row.efficiency_text.clone(),
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

    if !report.bimodal.is_empty() {
        let _ = writeln!(out, "## Benchmarks with two modes\n");
        let _ = writeln!(
            out,
            "Their samples split into two far-apart clusters: the median depends on which one a \
             run lands in, so treat these rows' figures (and ratios built on them) with care.\n"
        );
        let rows: Vec<Vec<String>> = report
            .bimodal
            .iter()
            .map(|row| {
                vec![
                    row.id.clone(),
                    format!("{} x {}", row.low_count, format_ns(row.low_ns)),
                    format!("{} x {}", row.high_count, format_ns(row.high_ns)),
                    format!("{:.2}x", row.high_ns / row.low_ns),
                ]
            })
            .collect();
        out.push_str(&table(
            &["benchmark", "fast mode", "slow mode", "apart"],
            &rows,
        ));
        out.push('\n');
    }

    if !report.plots.is_empty() {
        let _ = writeln!(out, "## Plots\n");
        for (title, path) in report.plots {
            let _ = writeln!(out, "- [{title}]({path})");
        }
        out.push('\n');
    }

    let _ = writeln!(out, "## Benchmarks\n");
    let rows: Vec<Vec<String>> = snapshot
        .benchmarks
        .iter()
        .map(|record| {
            vec![
                record.id.clone(),
                format_ns(record.median_ns),
                format!(
                    "{} [{} .. {}]",
                    format_ns(record.mean.point_ns),
                    format_ns(record.mean.lower_ns),
                    format_ns(record.mean.upper_ns)
                ),
                format!("{:.1}%", record.cv * 100.0),
                match (record.throughput, record.throughput_per_s) {
                    (Some(throughput), Some(rate)) => {
                        format!("{}/s", format_count(rate, throughput.unit()))
                    }
                    _ => String::new(),
                },
                record.samples_ns.len().to_string(),
                if report.bimodal.iter().any(|row| row.id == record.id) {
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
    out
}

/// A Markdown table whose columns are padded, so it reads well in a terminal too.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| cell.replace('|', "\\|")).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}", width = *width))
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(&mut headers.iter().copied());
    let rules: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    out.push_str(&format!("|-{}-|\n", rules.join("-|-")));
    for row in &rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

/// `1.23 µs`-style durations from nanoseconds.
pub fn format_ns(ns: f64) -> String {
    if !ns.is_finite() {
        return "n/a".to_owned();
    }
    let (value, unit) = match ns.abs() {
        v if v < 1e3 => (ns, "ns"),
        v if v < 1e6 => (ns / 1e3, "µs"),
        v if v < 1e9 => (ns / 1e6, "ms"),
        _ => (ns / 1e9, "s"),
    };
    let digits = if value.abs() >= 100.0 {
        1
    } else if value.abs() >= 10.0 {
        2
    } else {
        3
    };
    format!("{value:.digits$} {unit}")
}

/// `12.3 M elem`-style counts.
pub fn format_count(count: f64, unit: &str) -> String {
    let (value, prefix) = match count.abs() {
        v if v < 1e3 => (count, ""),
        v if v < 1e6 => (count / 1e3, "K"),
        v if v < 1e9 => (count / 1e6, "M"),
        _ => (count / 1e9, "G"),
    };
    format!("{value:.2} {prefix}{unit}")
}

/// A signed percentage change from a ratio (`1.05` -> `+5.0%`).
pub fn format_change(ratio: f64) -> String {
    format!("{:+.1}%", (ratio - 1.0) * 100.0)
}

/// The first 12 characters of a SHA.
pub fn short_sha(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(format_ns(12.345), "12.35 ns");
        assert_eq!(format_ns(1_234.0), "1.234 µs");
        assert_eq!(format_ns(250_000_000.0), "250.0 ms");
        assert_eq!(format_ns(f64::NAN), "n/a");
    }

    #[test]
    fn tables_are_padded_markdown() {
        let text = table(
            &["a", "bb"],
            &[vec!["long cell".to_owned(), "x|y".to_owned()]],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "| a         | bb   |");
        assert_eq!(lines[1], "|-----------|------|");
        assert_eq!(lines[2], "| long cell | x\\|y |");
    }

    #[test]
    fn the_report_marks_two_mode_rows_and_hides_untrusted_efficiencies() {
        use crate::compare::tests::{record, snapshot};
        let id = "concurrent_operations/prespawned_store_adds/1";
        let run = snapshot("run", vec![record(id, vec![1.0, 2.0])]);
        let scaling = [ScalingRow {
            id: "concurrent_operations/prespawned_store_adds/2".to_owned(),
            function: "prespawned_store_adds".to_owned(),
            threads: 2,
            speedup: 5.18,
            speedup_interval: (4.0, 6.0),
            efficiency: None,
            efficiency_text: "not shown: medians ±30 % or two modes".to_owned(),
            within_cores: true,
        }];
        let bimodal = [BimodalRow {
            id: id.to_owned(),
            low_ns: 460_000.0,
            high_ns: 2_200_000.0,
            low_count: 4,
            high_count: 6,
        }];
        let text = markdown(&BenchReport {
            snapshot: &run,
            scorecard: &[],
            growth: &[],
            scaling: &scaling,
            bimodal: &bimodal,
            plots: &[],
            criterion_html: None,
        });
        assert!(text.contains("## Benchmarks with two modes"), "{text}");
        assert!(text.contains("4 x 460.0 µs"), "{text}");
        assert!(text.contains("2 (see above)"), "{text}");
        assert!(text.contains("not shown: medians ±30 %"), "{text}");
        assert!(!text.contains("259"), "{text}");
    }

    /// A small run with a sized series, concurrency rows and two modes, evaluated and rendered
    /// as `cargo xtask bench` does: every section of `report.md`, byte for byte.
    #[test]
    fn a_small_run_renders_the_pinned_report() {
        use crate::compare::tests::{record, snapshot};
        use crate::criterion::Throughput;
        use bench_scorecard::suite::{self as ids, full_id};

        let sized = |group: &str, function: &str, size: usize, elements: u64, ns: f64| {
            let mut record = record(
                &full_id(group, function, size),
                vec![ns * 0.99, ns, ns * 1.01],
            );
            record.group = group.to_owned();
            record.function = Some(function.to_owned());
            record.value = Some(size.to_string());
            record.throughput = Some(Throughput::Elements(elements));
            record.throughput_per_s = Some(elements as f64 / ns * 1e9);
            record
        };
        let mut benchmarks = vec![
            sized(ids::DETECTION_GROUP, ids::DETECT, 1_000, 1_000, 80_000.0),
            sized(ids::STORE_GROUP, ids::STORE_ADD, 1_000, 1_000, 150_000.0),
            sized(ids::STORE_GROUP, ids::HASHMAP_ADD, 1_000, 1_000, 100_000.0),
            sized(
                ids::CONCURRENCY_GROUP,
                ids::CONCURRENT_PRESPAWNED,
                1,
                1_000,
                1_000.0,
            ),
            sized(
                ids::CONCURRENCY_GROUP,
                ids::CONCURRENT_PRESPAWNED,
                2,
                2_000,
                1_100.0,
            ),
            sized(
                ids::CONCURRENCY_GROUP,
                ids::CONCURRENT_UNSHARED,
                1,
                1_000,
                900.0,
            ),
            sized(
                ids::CONCURRENCY_GROUP,
                ids::CONCURRENT_UNSHARED,
                2,
                2_000,
                1_000.0,
            ),
        ];
        for (size, ns) in [(100, 5_000.0), (1_000, 52_000.0), (10_000, 540_000.0)] {
            benchmarks.push(sized(
                ids::SCALABILITY_GROUP,
                ids::SCALING_STORE_GET,
                size,
                size as u64,
                ns,
            ));
        }
        let mut two_modes: Vec<f64> = vec![1_000.0; 12];
        two_modes.extend([3_000.0; 12]);
        benchmarks.push(record(
            "exception_handler/resolve_cache_hit/single",
            two_modes,
        ));
        let mut run = snapshot("pinned", benchmarks);
        run.host.cpu_model = "test cpu".to_owned();
        run.host.logical_cores = 2;
        let dir = tempfile::tempdir().unwrap();
        let paths = crate::paths::Paths::new(dir.path().to_owned(), dir.path().join("target"));
        let evaluation = crate::harness::evaluate(&run, &paths, None);
        let text = markdown(&BenchReport {
            snapshot: &run,
            scorecard: &evaluation.scorecard,
            growth: &evaluation.growth,
            scaling: &evaluation.scaling,
            bimodal: &evaluation.bimodal,
            plots: &[("Growth with data size".to_owned(), "growth.svg".to_owned())],
            criterion_html: Some("../criterion/report/index.html".to_owned()),
        });
        let pinned = include_str!("../tests/fixtures/pinned_report.md");
        assert_eq!(
            text, pinned,
            "report.md changed; review the diff before updating the pin"
        );
    }

    #[test]
    fn changes_are_signed() {
        assert_eq!(format_change(1.05), "+5.0%");
        assert_eq!(format_change(0.9), "-10.0%");
    }
}
