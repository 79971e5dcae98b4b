//! The comparison as a padded text table or as Markdown, with a geometric-mean row.
use super::{Lanes, RegressReport};
use crate::{
    compare::Verdict,
    report::{self, format_change, short_sha},
};

fn rows(report: &RegressReport) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = report
        .benchmarks
        .iter()
        .map(|row| {
            let [baseline, current, interval, p, rounds] = row.cells();
            let (threshold, note) = row.threshold_and_note();
            vec![
                row.id().to_owned(),
                baseline,
                current,
                row.ratio().map(format_change).unwrap_or_default(),
                interval,
                p,
                format!("{:.0}%", threshold * 100.0),
                rounds,
                row.verdict().label().to_owned(),
                note.to_owned(),
            ]
        })
        .collect();
    rows.push(vec![
        "geometric mean".to_owned(),
        String::new(),
        String::new(),
        report
            .geometric_mean_ratio
            .map(format_change)
            .unwrap_or_default(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!(
            "{} benchmarks compared",
            report
                .benchmarks
                .iter()
                .filter(|row| row.ratio().is_some())
                .count()
        ),
    ]);
    rows
}

const HEADERS: [&str; 10] = [
    "benchmark",
    "baseline",
    "current",
    "change",
    "95% CI",
    "p (Holm)",
    "threshold",
    "rounds",
    "verdict",
    "note",
];

fn lane_line(report: &RegressReport) -> String {
    if report.lanes == Lanes::Instructions {
        return format!(
            "instruction counts (callgrind) of both builds in {:.0} s",
            report.elapsed_s
        );
    }
    let mut line = format!("measured in {:.0} s", report.elapsed_s);
    if let Some(rounds) = report.rounds_run {
        let turns: u64 = report.turns.iter().map(|t| t.turns[0] + t.turns[1]).sum();
        let alternations: u64 = report.turns.iter().map(|t| t.alternations).sum();
        line = format!(
            "time: {rounds} lock-step rounds of both builds, {:.1} % of {turns} samples \
             alternated with the other build{}; {line}",
            if turns == 0 {
                0.0
            } else {
                alternations as f64 * 100.0 / turns as f64
            },
            if report.budget_exhausted {
                " (budget spent with benchmarks undecided)"
            } else {
                ""
            }
        );
    }
    line
}

/// The memory lane's rows that are not unchanged, and a count of those that are.
fn memory_lines(report: &RegressReport) -> Vec<String> {
    if report.memory.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![String::new()];
    let unchanged = report
        .memory
        .iter()
        .filter(|row| row.verdict == Verdict::Unchanged)
        .count();
    for row in report
        .memory
        .iter()
        .filter(|row| row.verdict != Verdict::Unchanged)
    {
        let median = |values: &[f64]| {
            crate::stats::median(values).map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
        };
        lines.push(format!(
            "memory {:<12} {:<16} {} {} -> {}: {}",
            row.verdict.label(),
            row.quantity,
            row.id,
            median(&row.baseline),
            median(&row.candidate),
            row.note
        ));
    }
    lines.push(format!(
        "memory: {} rows compared (allocations, bytes allocated, bytes retained per iteration; \
         bytes per stored exception), {unchanged} unchanged, {} regressed",
        report.memory.len(),
        report
            .memory
            .iter()
            .filter(|row| row.verdict == Verdict::Regressed)
            .count()
    ));
    lines
}

fn summary_line(report: &RegressReport) -> String {
    let count = |verdict| {
        report
            .benchmarks
            .iter()
            .filter(|row| row.verdict() == verdict)
            .count()
    };
    format!(
        "{} regressed, {} improved, {} unchanged, {} inconclusive, {} new, {} missing; exit code {}",
        count(Verdict::Regressed),
        count(Verdict::Improved),
        count(Verdict::Unchanged),
        count(Verdict::Inconclusive),
        count(Verdict::New),
        count(Verdict::Missing),
        report.exit_code
    )
}

/// The comparison as a padded text table.
pub fn render_table(report: &RegressReport) -> String {
    let time_table = if report.benchmarks.is_empty() && !report.memory.is_empty() {
        String::new()
    } else {
        format!(
            "\n{}\n{}",
            report::table(&HEADERS, &rows(report)),
            summary_line(report)
        )
    };
    format!(
        "baseline `{}` ({}) vs current ({})\nbaseline: {}\n{}\n{time_table}{}\nexit code {}",
        report.baseline,
        short_sha(&report.baseline_sha),
        short_sha(&report.candidate_sha),
        report.baseline_source,
        lane_line(report),
        memory_lines(report).join("\n"),
        report.exit_code
    )
}

/// The comparison as Markdown.
pub fn render_markdown(report: &RegressReport) -> String {
    let mut text = format!(
        "## Benchmarks against `{}` (`{}`)\n\n",
        report.baseline,
        short_sha(&report.baseline_sha)
    );
    text.push_str(&format!(
        "Baseline: {}. Current: `{}`. {}.\n\n",
        report.baseline_source,
        short_sha(&report.candidate_sha),
        lane_line(report)
    ));
    if let Some(warning) = &report.host_warning {
        text.push_str(&format!("> **Warning:** {warning}\n\n"));
    }
    text.push_str(&report::table(&HEADERS, &rows(report)));
    text.push_str(&format!("\n{}\n", summary_line(report)));
    for line in memory_lines(report) {
        text.push_str(&format!("{line}\n"));
    }
    text
}
