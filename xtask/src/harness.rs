//! The one place xtask calls into `bench-harness`: which bench target is the suite, and the
//! success criteria, growth fits and scaling efficiencies computed by the harness's functions.
use std::path::Path;

use crate::{
    report::{GrowthRow, ScalingRow, ScoreRow, Status, format_ns},
    snapshot::Snapshot,
    suite::{Paths, Suite},
    variance::{GOAL_BAR, SEED_BAR, VarianceSummary},
};

/// The harness's Criterion suite in the workspace at `root`.
pub fn suite(root: &Path) -> Suite {
    Suite {
        manifest_path: root.join("Cargo.toml"),
        package: "bench-harness".to_owned(),
        bench: "task_4_2_exception_performance".to_owned(),
        profile: None,
    }
}

/// What the report shows besides the raw benchmarks.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Success criteria.
    pub scorecard: Vec<ScoreRow>,
    /// Growth exponents of sized series.
    pub growth: Vec<GrowthRow>,
    /// Concurrency scaling.
    pub scaling: Vec<ScalingRow>,
}

/// Evaluates the success criteria, growth and scaling of a run.
pub fn evaluate(
    snapshot: &Snapshot,
    _paths: &Paths,
    variance: Option<&VarianceSummary>,
) -> Evaluation {
    let growth = growth_rows(snapshot);
    let scaling = scaling_rows(snapshot);
    let scorecard = vec![
        time_row(
            snapshot,
            "exception_detection/detect_node_exceptions/1000",
            "detection, one node with 1000 properties",
            1e6,
        ),
        variance_row(variance),
    ];
    Evaluation {
        scorecard,
        growth,
        scaling,
    }
}

fn time_row(snapshot: &Snapshot, id: &str, criterion: &str, bar_ns: f64) -> ScoreRow {
    match snapshot.get(id) {
        Some(record) => ScoreRow {
            criterion: criterion.to_owned(),
            source: "seed".to_owned(),
            measured: format_ns(record.median_ns),
            bar: format!("< {}", format_ns(bar_ns)),
            status: if record.median_ns < bar_ns {
                Status::Pass
            } else {
                Status::Fail
            },
            note: id.to_owned(),
        },
        None => ScoreRow {
            criterion: criterion.to_owned(),
            source: "seed".to_owned(),
            measured: "-".to_owned(),
            bar: format!("< {}", format_ns(bar_ns)),
            status: Status::NotMeasurable,
            note: format!("`{id}` was not run"),
        },
    }
}

fn variance_row(variance: Option<&VarianceSummary>) -> ScoreRow {
    let Some(summary) = variance.filter(|summary| !summary.rows.is_empty()) else {
        return ScoreRow {
            criterion: "run-to-run variance".to_owned(),
            source: "seed".to_owned(),
            measured: "-".to_owned(),
            bar: "< 5 % (goal < 2 %)".to_owned(),
            status: Status::NotMeasurable,
            note: "run `cargo xtask variance` to measure it".to_owned(),
        };
    };
    let worst = summary.worst().map_or(0.0, |row| row.run_to_run);
    ScoreRow {
        criterion: "run-to-run variance".to_owned(),
        source: "seed".to_owned(),
        measured: format!(
            "worst {:.2}%; {} of {} under 5 %, {} under 2 %",
            worst * 100.0,
            summary.within(SEED_BAR),
            summary.rows.len(),
            summary.within(GOAL_BAR)
        ),
        bar: "< 5 % (goal < 2 %)".to_owned(),
        status: if worst < SEED_BAR {
            Status::Pass
        } else {
            Status::Fail
        },
        note: format!(
            "cargo xtask variance at {}",
            crate::report::short_sha(&summary.sha)
        ),
    }
}

fn growth_rows(snapshot: &Snapshot) -> Vec<GrowthRow> {
    let mut rows: Vec<GrowthRow> = Vec::new();
    for record in &snapshot.benchmarks {
        let (Some(function), Some(size)) = (&record.function, record.numeric_value()) else {
            continue;
        };
        if record.group.starts_with("concurrent") || size <= 0.0 {
            continue;
        }
        let series = format!("{}/{function}", record.group);
        match rows.iter_mut().find(|row| row.series == series) {
            Some(row) => {
                row.sizes.push(size);
                row.medians_ns.push(record.median_ns);
            }
            None => rows.push(GrowthRow {
                series,
                sizes: vec![size],
                medians_ns: vec![record.median_ns],
                exponent: f64::NAN,
            }),
        }
    }
    rows.retain(|row| row.sizes.len() >= 2);
    for row in &mut rows {
        let mut points: Vec<(f64, f64)> = row
            .sizes
            .iter()
            .copied()
            .zip(row.medians_ns.iter().copied())
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        row.sizes = points.iter().map(|p| p.0).collect();
        row.medians_ns = points.iter().map(|p| p.1).collect();
        row.exponent = log_log_slope(&points);
    }
    rows
}

fn log_log_slope(points: &[(f64, f64)]) -> f64 {
    let logs: Vec<(f64, f64)> = points.iter().map(|(x, y)| (x.ln(), y.ln())).collect();
    let n = logs.len() as f64;
    let mean_x = logs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = logs.iter().map(|p| p.1).sum::<f64>() / n;
    let covariance: f64 = logs.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let variance: f64 = logs.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    covariance / variance
}

fn scaling_rows(snapshot: &Snapshot) -> Vec<ScalingRow> {
    let cores = snapshot.host.logical_cores;
    let mut rows = Vec::new();
    let records: Vec<_> = snapshot
        .benchmarks
        .iter()
        .filter(|record| record.group.starts_with("concurrent"))
        .filter_map(|record| {
            Some((
                record,
                record.numeric_value()? as u32,
                record.throughput_per_s?,
            ))
        })
        .collect();
    for (record, threads, rate) in &records {
        let single = records
            .iter()
            .find(|(other, t, _)| *t == 1 && other.function == record.function);
        if let Some((_, _, single_rate)) = single {
            let speedup = rate / single_rate;
            rows.push(ScalingRow {
                id: record.id.clone(),
                threads: *threads,
                speedup,
                efficiency: speedup / f64::from(*threads),
                within_cores: *threads as usize <= cores,
            });
        }
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id).then(a.threads.cmp(&b.threads)));
    rows
}
