//! The one place xtask calls into the scorecard (`bench-scorecard`, which builds without llmkg):
//! which bench target is the suite, and the criteria, growth fits, scaling and two-mode rows
//! computed from a snapshot.
use std::{fs, path::Path, time::UNIX_EPOCH};

use bench_scorecard::{
    CriterionResults, GROWTH_SERIES, Inputs, MemoryMeasurement, PairedRatios, RunToRun,
    RunToRunRow, Scorecard, suite as ids,
};

use crate::{
    paths::Paths, report::GrowthRow, report::short_sha, snapshot::Snapshot, suite::Suite,
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
#[derive(Debug)]
pub struct Evaluation {
    /// Success criteria, scaling and two-mode rows, as the scorecard crate judged them.
    pub scorecard: Scorecard,
    /// Growth exponents of sized series, with the points they were fitted to.
    pub growth: Vec<GrowthRow>,
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
    let results = CriterionResults::from_results(snapshot.benchmarks.iter().cloned());
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
    Evaluation {
        scorecard,
        growth,
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

#[cfg(test)]
mod tests {
    use bench_scorecard::{Check, Throughput, Verdict};

    use super::*;
    use crate::snapshot::tests::{record, snapshot};

    fn check(evaluation: &Evaluation, source: impl Fn(&str) -> bool) -> &Check {
        let checks = &evaluation.scorecard.checks;
        checks
            .iter()
            .find(|check| source(&check.source))
            .expect("a row")
    }

    #[test]
    fn the_harness_judges_exactly_this_runs_benchmarks() {
        let id = ids::full_id(ids::DETECTION_GROUP, ids::DETECT, 1_000);
        let run = snapshot("run", vec![record(&id, vec![50_000.0, 51_000.0, 52_000.0])]);
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().to_owned(), dir.path().join("target"));
        let evaluation = evaluate(&run, &paths, None);
        let detection = check(&evaluation, |source| source == id);
        assert_eq!(detection.seed_verdict, Verdict::Pass, "{detection:?}");
        assert_eq!(detection.goal_verdict, Verdict::Pass, "{detection:?}");
        // Nothing else was run, so nothing else can pass (the within-run spread rows are
        // computed from whatever was run, here the detection benchmark).
        assert!(
            evaluation
                .scorecard
                .checks
                .iter()
                .filter(|check| check.source != id && check.source != "suite")
                .all(|check| check.goal_verdict != Verdict::Pass),
            "{:#?}",
            evaluation.scorecard
        );
    }

    #[test]
    fn variance_fills_in_the_run_to_run_row() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().to_owned(), dir.path().join("target"));
        let id = "exception_store/get_exception/100";
        let run = snapshot("b", vec![record(id, vec![103.0, 103.0])]);
        let summary = crate::variance::tests::summary(&[(id, 100.0, 103.0)]);
        let evaluation = evaluate(&run, &paths, Some(&summary));
        let row = check(&evaluation, |source| {
            source.starts_with("cargo xtask variance at")
        });
        assert_eq!(
            (&row.seed_verdict, &row.goal_verdict),
            (&Verdict::Pass, &Verdict::Fail),
            "{row:?}"
        );
        assert!(row.value_text().starts_with("3."), "{row:?}");
        let without = evaluate(&run, &paths, None);
        let row = check(&without, |source| source == "cargo xtask variance");
        assert!(matches!(row.goal_verdict, Verdict::NotMeasured(_)));
    }

    fn concurrent(function: &str, threads: usize, ns: f64) -> bench_scorecard::BenchmarkResult {
        let mut record = record(
            &ids::full_id(ids::CONCURRENCY_GROUP, function, threads),
            vec![ns * 0.995, ns, ns * 1.005],
        );
        record.group_id = ids::CONCURRENCY_GROUP.to_owned();
        record.function_id = Some(function.to_owned());
        record.value_str = Some(threads.to_string());
        record.throughput = Some(Throughput::Elements(1000 * threads as u64));
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
        let rows = evaluate(&run, &paths, None).scorecard.scaling;
        let store: Vec<_> = rows
            .iter()
            .filter(|r| r.function == ids::CONCURRENT_PRESPAWNED)
            .collect();
        assert_eq!(store.len(), 3);
        assert!((store[1].speedup - 1.6).abs() < 1e-9, "{rows:?}");
        assert_eq!(store[1].trusted_efficiency(), Some(0.8));
        assert!(store[1].within_cores && !store[2].within_cores);
        let dashmap = rows
            .iter()
            .find(|r| r.function == ids::CONCURRENT_DASHMAP && r.threads == 2)
            .unwrap();
        assert!((dashmap.speedup - 8.0).abs() < 1e-9);
        assert_eq!(
            dashmap.trusted_efficiency(),
            None,
            "400 % must not be a figure"
        );
        assert!(bench_scorecard::efficiency_text(dashmap).starts_with("not shown"));
    }
}
