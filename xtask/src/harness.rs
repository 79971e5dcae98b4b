//! The one place xtask calls into the scorecard (`bench-scorecard`, which builds without llmkg):
//! which bench target is the suite, and the criteria, growth fits, scaling and two-mode rows
//! computed from a snapshot.
use std::{fs, path::Path, time::UNIX_EPOCH};

use bench_scorecard::{
    BenchmarkResult, Check, CriterionResults, GROWTH_SERIES, Inputs, MemoryMeasurement,
    PairedRatios, RunToRun, RunToRunRow, Verdict, efficiency_text, suite as ids,
};

use crate::{
    paths::Paths,
    report::{BimodalRow, GrowthRow, ScalingRow, ScoreRow, Status, short_sha},
    snapshot::Snapshot,
    suite::Suite,
    variance::VarianceSummary,
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
    /// Benchmarks whose samples have two modes.
    pub bimodal: Vec<BimodalRow>,
    /// Problems met while reading the harness's measurement files.
    pub warnings: Vec<String>,
}

/// Evaluates the run with `bench_scorecard::evaluate`: this snapshot's benchmarks only, the
/// memory measurements and paired ratios the benches wrote during this run, and the latest
/// `variance` run.
pub fn evaluate(
    snapshot: &Snapshot,
    paths: &Paths,
    variance: Option<&VarianceSummary>,
) -> Evaluation {
    let results = results_of(snapshot);
    let measurements = paths.out.join("measurements");
    let (memory, mut warnings) = memory_measurements(&measurements, snapshot.started_unix_s);
    let paired =
        PairedRatios::load_since(&measurements, snapshot.started_unix_s).unwrap_or_else(|error| {
            warnings.push(format!("skipped the paired ratios: {error}"));
            None
        });
    let run_to_run = variance.map(run_to_run);
    let mut inputs = Inputs::new(&results, &memory, snapshot.host.logical_cores);
    if let Some(run_to_run) = &run_to_run {
        inputs = inputs.with_run_to_run(run_to_run);
    }
    if let Some(paired) = &paired {
        inputs = inputs.with_paired_ratios(paired);
    }
    let scorecard = bench_scorecard::evaluate(&inputs);

    let growth = scorecard
        .growth
        .iter()
        .filter_map(|growth| {
            let fit = growth.fit.as_ref().ok()?;
            let function = GROWTH_SERIES
                .iter()
                .find(|f| growth.series.ends_with(&format!("/{f}")))?;
            let points = results.series_with_interval(ids::SCALABILITY_GROUP, function);
            Some(GrowthRow {
                series: growth.series.clone(),
                sizes: points.iter().map(|p| p.0).collect(),
                per_element_ns: points.iter().map(|p| p.1).collect(),
                per_element_ci_ns: points.iter().map(|p| (p.2, p.3)).collect(),
                exponent: fit.exponent,
                r_squared: fit.r_squared,
            })
        })
        .collect();
    let scaling = scorecard
        .scaling
        .iter()
        .map(|row| ScalingRow {
            id: row.id.clone(),
            function: row.function.clone(),
            threads: row.threads as u32,
            speedup: row.speedup,
            speedup_interval: row.speedup_interval,
            efficiency: row.trusted_efficiency(),
            efficiency_text: efficiency_text(row),
            within_cores: row.within_cores,
        })
        .collect();
    let bimodal = scorecard
        .bimodal
        .iter()
        .map(|row| BimodalRow {
            id: row.id.clone(),
            low_ns: row.modes.low_ns,
            high_ns: row.modes.high_ns,
            low_count: row.modes.low_count,
            high_count: row.modes.high_count,
        })
        .collect();
    Evaluation {
        scorecard: scorecard.checks.iter().map(score_row).collect(),
        growth,
        scaling,
        bimodal,
        warnings,
    }
}

/// The scorecard's typed run-to-run input from `cargo xtask variance`'s summary.
fn run_to_run(summary: &VarianceSummary) -> RunToRun {
    RunToRun {
        source: format!(
            "cargo xtask variance at {}{}{}",
            short_sha(&summary.sha),
            if summary.dirty { " (dirty)" } else { "" },
            if summary.quick { ", quick" } else { "" }
        ),
        rows: summary
            .rows
            .iter()
            .map(|row| RunToRunRow {
                id: row.id.clone(),
                change: row.run_to_run,
            })
            .collect(),
    }
}

/// The scorecard's view of exactly the benchmarks in `snapshot` (stale Criterion folders of
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
        samples_ns: record.samples_ns.clone(),
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

fn score_row(check: &Check) -> ScoreRow {
    ScoreRow {
        criterion: check.name.clone(),
        // Without a value, the two status columns already say why; keep the table narrow.
        measured: if check.value.is_some() {
            check.value_text()
        } else {
            "-".to_owned()
        },
        seed_bar: check.seed_bar.describe(check.unit),
        seed: status(&check.seed_verdict),
        goal_bar: check.goal_bar.describe(check.unit),
        goal: status(&check.goal_verdict),
        source: check.source.clone(),
    }
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
            .find(|row| row.source.starts_with("cargo xtask variance at"))
            .expect("a variance row");
        assert_eq!(
            (row.seed, row.goal),
            (Status::Pass, Status::Fail),
            "{row:?}"
        );
        assert!(row.measured.starts_with("3.0 %"), "{row:?}");
        let without = evaluate(&second, &paths, None);
        assert!(
            without
                .scorecard
                .iter()
                .any(|row| row.source == "cargo xtask variance" && row.goal == Status::NotMeasured)
        );
    }

    fn concurrent(function: &str, threads: usize, ns: f64) -> crate::snapshot::BenchmarkRecord {
        let mut record = record(
            &ids::full_id(ids::CONCURRENCY_GROUP, function, threads),
            vec![ns * 0.995, ns, ns * 1.005],
        );
        record.group = ids::CONCURRENCY_GROUP.to_owned();
        record.function = Some(function.to_owned());
        record.value = Some(threads.to_string());
        record.throughput = Some(crate::criterion::Throughput::Elements(
            1000 * threads as u64,
        ));
        record
    }

    #[test]
    fn scaling_is_relative_to_one_thread_and_superlinear_is_not_shown() {
        let run = snapshot(
            "run",
            vec![
                concurrent(ids::CONCURRENT_PRESPAWNED, 1, 1000.0),
                concurrent(ids::CONCURRENT_PRESPAWNED, 2, 1250.0),
                concurrent(ids::CONCURRENT_PRESPAWNED, 4, 2500.0),
                concurrent(ids::CONCURRENT_DASHMAP, 1, 2000.0),
                concurrent(ids::CONCURRENT_DASHMAP, 2, 500.0),
            ],
        );
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().to_owned(), dir.path().join("target"));
        let rows = evaluate(&run, &paths, None).scaling;
        let store: Vec<&ScalingRow> = rows
            .iter()
            .filter(|r| r.function == ids::CONCURRENT_PRESPAWNED)
            .collect();
        assert_eq!(store.len(), 3);
        assert!((store[1].speedup - 1.6).abs() < 1e-9, "{rows:?}");
        assert_eq!(store[1].efficiency, Some(0.8));
        assert!(store[1].within_cores && !store[2].within_cores);
        let dashmap = rows
            .iter()
            .find(|r| r.function == ids::CONCURRENT_DASHMAP && r.threads == 2)
            .unwrap();
        assert!((dashmap.speedup - 8.0).abs() < 1e-9);
        assert_eq!(dashmap.efficiency, None, "400 % must not be a figure");
        assert!(dashmap.efficiency_text.starts_with("not shown"));
    }
}
