//! The one place xtask calls into `bench-harness`: which bench target is the suite, and the
//! success criteria, growth fits and scaling efficiencies computed by the harness's functions.
use std::{fs, path::Path, time::UNIX_EPOCH};

use bench_harness::{
    Bar, BenchmarkResult, Check, CriterionResults, MemoryMeasurement, Unit, Verdict, suite as ids,
};

use crate::{
    paths::Paths,
    report::{GrowthRow, ScalingRow, ScoreRow, Status, short_sha},
    snapshot::Snapshot,
    suite::Suite,
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
    /// Problems met while reading the harness's measurement files.
    pub warnings: Vec<String>,
}

/// Evaluates the run with `bench_harness::evaluate`: this snapshot's benchmarks only, the
/// memory measurements the benches wrote during this run, and the latest `variance` run.
pub fn evaluate(
    snapshot: &Snapshot,
    paths: &Paths,
    variance: Option<&VarianceSummary>,
) -> Evaluation {
    let results = results_of(snapshot);
    let (memory, warnings) =
        memory_measurements(&paths.out.join("measurements"), snapshot.started_unix_s);
    let scorecard = bench_harness::evaluate(&results, &memory, snapshot.host.logical_cores);

    let rows = scorecard
        .checks
        .iter()
        .map(|check| match variance {
            Some(summary) if check.source == "cargo xtask variance" => variance_row(check, summary),
            _ => score_row(check),
        })
        .collect();
    let growth = scorecard
        .growth
        .iter()
        .filter_map(|growth| {
            let fit = growth.fit.as_ref().ok()?;
            let (group, function) = growth.series.split_once('/')?;
            let points = results.series(group, function);
            Some(GrowthRow {
                series: growth.series.clone(),
                sizes: points.iter().map(|p| p.0).collect(),
                medians_ns: points.iter().map(|p| p.1).collect(),
                exponent: fit.exponent,
                r_squared: fit.r_squared,
            })
        })
        .collect();
    Evaluation {
        scorecard: rows,
        growth,
        scaling: scaling_rows(&results, snapshot.host.logical_cores),
        warnings,
    }
}

/// The harness's view of exactly the benchmarks in `snapshot` (stale Criterion folders of
/// benchmarks this run did not include are never read).
fn results_of(snapshot: &Snapshot) -> CriterionResults {
    CriterionResults::from_results(snapshot.benchmarks.iter().map(|record| BenchmarkResult {
        full_id: record.id.clone(),
        group_id: record.group.clone(),
        function_id: record.function.clone(),
        value_str: record.value.clone(),
        elements: match record.throughput {
            Some(crate::criterion::Throughput::Elements(n)) => Some(n),
            _ => None,
        },
        median_ns: record.median_ci.point_ns,
        median_ci_ns: (record.median_ci.lower_ns, record.median_ci.upper_ns),
        mean_ns: record.mean.point_ns,
        std_dev_ns: record.std_dev_ns,
        sample_cv: Some(record.cv),
    }))
}

/// Memory figures the benches wrote since `since_unix_s`; older files belong to other runs.
fn memory_measurements(dir: &Path, since_unix_s: u64) -> (Vec<MemoryMeasurement>, Vec<String>) {
    let mut measurements = Vec::new();
    let mut warnings = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return (measurements, warnings);
    };
    let mut paths: Vec<_> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let fresh = fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .is_some_and(|age| age.as_secs() >= since_unix_s);
        if !fresh {
            continue;
        }
        match fs::read_to_string(path)
            .map_err(|error| error.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|error| error.to_string()))
        {
            Ok(measurement) => measurements.push(measurement),
            Err(error) => warnings.push(format!("skipped {}: {error}", path.display())),
        }
    }
    (measurements, warnings)
}

fn status(verdict: &Verdict) -> Status {
    match verdict {
        Verdict::Pass => Status::Pass,
        Verdict::Fail => Status::Fail,
        Verdict::NoBar => Status::NoBar,
        Verdict::NotMeasurableHere(_) => Status::NotMeasurableHere,
        _ => Status::NotMeasured,
    }
}

fn describe(bar: Bar, unit: Unit) -> String {
    match bar {
        Bar::Below(limit) => format!("< {}", unit.format(limit)),
        Bar::AtMost(limit) => format!("<= {}", unit.format(limit)),
        Bar::Above(limit) => format!("> {}", unit.format(limit)),
        Bar::AtLeast(limit) => format!(">= {}", unit.format(limit)),
        _ => "-".to_owned(),
    }
}

fn score_row(check: &Check) -> ScoreRow {
    ScoreRow {
        criterion: check.name.clone(),
        // Without a value, the two status columns already say why; keep the table narrow.
        measured: if check.value.is_some() {
            check.value_text()
        } else {
            "-".to_owned()
        },
        seed_bar: describe(check.seed_bar, check.unit),
        seed: status(&check.seed_verdict),
        goal_bar: describe(check.goal_bar, check.unit),
        goal: status(&check.goal_verdict),
        source: check.source.clone(),
    }
}

/// The harness leaves run-to-run spread to `cargo xtask variance`: fill it in from its latest
/// run, judging the worst benchmark against the same bars.
fn variance_row(check: &Check, summary: &VarianceSummary) -> ScoreRow {
    let Some(worst) = summary.worst() else {
        return score_row(check);
    };
    let judge = |limit: f64| {
        if worst.run_to_run < limit {
            Status::Pass
        } else {
            Status::Fail
        }
    };
    ScoreRow {
        criterion: format!("{} (worst benchmark)", check.name),
        measured: format!(
            "{:.2} % ({}); {} of {} under 5 %, {} under 2 %",
            worst.run_to_run * 100.0,
            worst.id,
            summary.within(SEED_BAR),
            summary.rows.len(),
            summary.within(GOAL_BAR)
        ),
        seed_bar: format!("< {:.0} %", SEED_BAR * 100.0),
        seed: judge(SEED_BAR),
        goal_bar: format!("< {:.0} %", GOAL_BAR * 100.0),
        goal: judge(GOAL_BAR),
        source: format!(
            "cargo xtask variance at {}{}{}",
            short_sha(&summary.sha),
            if summary.dirty { " (dirty)" } else { "" },
            if summary.quick { ", quick" } else { "" }
        ),
    }
}

/// Speed-up and efficiency against one thread for each concurrent series, from the same
/// element throughput the harness's concurrency criterion uses.
fn scaling_rows(results: &CriterionResults, cores: usize) -> Vec<ScalingRow> {
    let mut rows = Vec::new();
    for function in [
        ids::CONCURRENT_PRESPAWNED,
        ids::CONCURRENT_SEED,
        ids::CONCURRENT_DASHMAP,
    ] {
        let throughput = |threads: usize| {
            results
                .get(&ids::full_id(ids::CONCURRENCY_GROUP, function, threads))
                .and_then(BenchmarkResult::elements_per_second)
        };
        let Some(one) = throughput(1).filter(|rate| *rate > 0.0) else {
            continue;
        };
        for threads in ids::THREAD_COUNTS {
            if let Some(rate) = throughput(threads) {
                let speedup = rate / one;
                rows.push(ScalingRow {
                    id: ids::full_id(ids::CONCURRENCY_GROUP, function, threads),
                    threads: threads as u32,
                    speedup,
                    efficiency: speedup / threads as f64,
                    within_cores: threads <= cores,
                });
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::{record, snapshot};

    #[test]
    fn the_harness_judges_exactly_this_runs_benchmarks() {
        let id = ids::full_id(ids::DETECTION_GROUP, ids::DETECT, 1_000);
        let run = snapshot("run", vec![record(&id, vec![50_000.0, 51_000.0, 52_000.0])]);
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().to_owned(), dir.path().join("target"));
        let evaluation = evaluate(&run, &paths, None);
        let detection = evaluation
            .scorecard
            .iter()
            .find(|row| row.source == id)
            .expect("a detection row");
        assert_eq!(detection.seed, Status::Pass, "{detection:?}");
        assert_eq!(detection.goal, Status::Pass, "{detection:?}");
        // Nothing else was run, so nothing else can pass (the within-run spread rows are
        // computed from whatever was run, here the detection benchmark).
        assert!(
            evaluation
                .scorecard
                .iter()
                .filter(|row| row.source != id && row.source != "suite")
                .all(|row| row.goal != Status::Pass),
            "{:#?}",
            evaluation.scorecard
        );
    }

    #[test]
    fn variance_fills_in_the_run_to_run_row() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().to_owned(), dir.path().join("target"));
        let first = snapshot(
            "a",
            vec![record(
                "exception_store/get_exception/100",
                vec![100.0, 100.0],
            )],
        );
        let second = snapshot(
            "b",
            vec![record(
                "exception_store/get_exception/100",
                vec![103.0, 103.0],
            )],
        );
        let summary = VarianceSummary::of(&first, &second);
        let evaluation = evaluate(&second, &paths, Some(&summary));
        let row = evaluation
            .scorecard
            .iter()
            .find(|row| row.source.starts_with("cargo xtask variance"))
            .expect("a variance row");
        assert_eq!(
            (row.seed, row.goal),
            (Status::Pass, Status::Fail),
            "{row:?}"
        );
    }

    #[test]
    fn scaling_is_relative_to_one_thread() {
        let make = |threads: usize, ns: f64| {
            let mut record = record(
                &ids::full_id(ids::CONCURRENCY_GROUP, ids::CONCURRENT_PRESPAWNED, threads),
                vec![ns, ns],
            );
            record.group = ids::CONCURRENCY_GROUP.to_owned();
            record.function = Some(ids::CONCURRENT_PRESPAWNED.to_owned());
            record.value = Some(threads.to_string());
            record.throughput = Some(crate::criterion::Throughput::Elements(
                1000 * threads as u64,
            ));
            record
        };
        let run = snapshot(
            "run",
            vec![make(1, 1000.0), make(2, 1250.0), make(4, 2500.0)],
        );
        let rows = scaling_rows(&results_of(&run), 2);
        assert_eq!(rows.len(), 3);
        assert!((rows[1].speedup - 1.6).abs() < 1e-9, "{rows:?}");
        assert!((rows[1].efficiency - 0.8).abs() < 1e-9);
        assert!(rows[1].within_cores && !rows[2].within_cores);
    }
}
