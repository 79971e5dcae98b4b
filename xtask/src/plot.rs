//! SVG charts next to `report.md`: growth (log-log time per element against size, with 95 %
//! intervals), concurrency scaling (speed-up against threads, with intervals, the unshared
//! ceiling and the peers), and the history of a few key benchmarks (one point per commit).
mod chart;
mod history;
#[cfg(test)]
pub(crate) mod tests;

use std::{fs, path::Path};

use bench_scorecard::suite as ids;

use crate::harness::Evaluation;

pub use self::chart::{Chart, Point, Series, line_chart};
pub use self::history::{HISTORY_BENCHMARKS, history_by_commit};

/// Draws the report's plots into `out`; returns `(title, file name)` of each one written.
pub fn draw_report_plots(evaluation: &Evaluation, out: &Path) -> Vec<(String, String)> {
    let mut plots = Vec::new();
    // A plot with nothing to draw, or whose drawing fails, is left out of the report.
    let mut draw = |title: &str, file: &str, chart: &Chart<'_>, series: &[Series]| {
        if !series.is_empty() && line_chart(&out.join(file), chart, series).is_ok() {
            plots.push((title.to_owned(), file.to_owned()));
        }
    };
    let growth: Vec<Series> = evaluation
        .growth
        .iter()
        .map(|row| Series {
            label: format!("{} (k = {:.2})", row.series, row.exponent),
            points: row
                .sizes
                .iter()
                .zip(&row.per_element_ns)
                .zip(&row.per_element_ci_ns)
                .map(|((&x, &y), &interval)| Point {
                    interval: Some(interval),
                    ..Point::new(x, y)
                })
                .collect(),
            reference: false,
        })
        .collect();
    let growth_chart = Chart {
        title: "Median time per element against data size (log-log, 95% CI)",
        x_label: "size n (elements in the store, properties on the node)",
        y_label: "median time per element",
        log_x: true,
        log_y: true,
        y_in_ns: true,
        ..Chart::default()
    };
    draw(
        "Growth with data size",
        "growth.svg",
        &growth_chart,
        &growth,
    );

    let mut scaling: Vec<Series> = Vec::new();
    for row in &evaluation.scorecard.scaling {
        let point = Point {
            interval: Some(row.speedup_interval),
            hollow: row.trusted_efficiency().is_none(),
            ..Point::new(row.threads as f64, row.speedup)
        };
        match scaling
            .iter_mut()
            .find(|s| s.label.starts_with(&row.function))
        {
            Some(series) => series.points.push(point),
            None => scaling.push(Series {
                label: if row.function == ids::CONCURRENT_UNSHARED {
                    format!("{} (ceiling)", row.function)
                } else {
                    row.function.clone()
                },
                points: vec![point],
                reference: row.function == ids::CONCURRENT_UNSHARED,
            }),
        }
    }
    let scaling_chart = Chart {
        title: "Speed-up against threads (95% CI; hollow: not a figure, noisy or oversubscribed)",
        x_label: "threads",
        y_label: "speed-up over the same series on one thread",
        ideal_diagonal: true,
        integer_x: true,
        ..Chart::default()
    };
    draw(
        "Concurrency scaling",
        "scaling.svg",
        &scaling_chart,
        &scaling,
    );

    if let Ok(text) = fs::read_to_string(out.join("history.jsonl")) {
        let commits = history_by_commit(&text);
        let labels: Vec<String> = commits.iter().map(|(sha, _)| sha.clone()).collect();
        let history: Vec<Series> = HISTORY_BENCHMARKS
            .iter()
            .map(|id| Series {
                label: (*id).to_owned(),
                points: commits
                    .iter()
                    .enumerate()
                    .filter_map(|(index, (_, medians))| {
                        Some(Point::new(index as f64, *medians.get(*id)?))
                    })
                    .collect(),
                reference: false,
            })
            .filter(|series| !series.points.is_empty())
            .collect();
        let history_chart = Chart {
            title: "Key benchmarks over commits (latest median of each at each commit)",
            x_label: "commit",
            y_label: "median time per iteration (log)",
            log_y: true,
            x_tick_labels: Some(&labels),
            integer_x: true,
            y_in_ns: true,
            legend_low: true,
            ..Chart::default()
        };
        draw(
            "History of key benchmarks",
            "history.svg",
            &history_chart,
            &history,
        );
    }
    plots
}
