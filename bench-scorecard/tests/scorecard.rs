//! The scorecard against checked-in Criterion fixtures and against synthetic runs whose
//! verdicts are known (one table of expected rows).

use std::path::{Path, PathBuf};

use bench_scorecard::suite::{self, full_id};
use bench_scorecard::{
    BenchmarkResult, Check, CriterionResults, Figure, Inputs, MemoryMeasurement, PairedRatio,
    PairedRatios, PairedStatistic, RULES, RunToRun, RunToRunRow, SampleValues, Scorecard,
    ScorecardError, Throughput, Verdict, efficiency_text, evaluate, rules_markdown,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn fixture_scorecard(cores: usize) -> Scorecard {
    let results = CriterionResults::load(&fixture("criterion")).expect("fixtures load");
    let memory = MemoryMeasurement::load_all(&fixture("measurements")).expect("measurements load");
    evaluate(&Inputs::new(&results, &memory, cores))
}

fn check<'a>(scorecard: &'a Scorecard, name_start: &str) -> &'a Check {
    scorecard
        .checks
        .iter()
        .find(|c| c.name.starts_with(name_start))
        .unwrap_or_else(|| panic!("no check named {name_start:?}"))
}

/// The goal verdict of the store's 2-thread efficiency relative to the ceiling.
fn ceiling_goal(scorecard: &Scorecard) -> &Verdict {
    &check(
        scorecard,
        "concurrent adds at 2 threads, efficiency / unshared",
    )
    .goal_verdict
}

// Loading.

/// Real Criterion 0.8.2 output saved under the baseline name `fixture`.
fn baseline_fixture() -> PathBuf {
    fixture("criterion_baseline")
}

#[test]
fn a_named_baseline_loads_every_benchmark_with_its_samples_and_throughput() {
    let results =
        CriterionResults::load_baseline(&baseline_fixture(), "fixture", SampleValues::Durations)
            .unwrap();
    let ids: Vec<&str> = results.iter().map(|r| r.full_id.as_str()).collect();
    assert_eq!(
        ids,
        ["tiny_other/xor", "tiny_sum/sum/256", "tiny_sum/sum/64"]
    );
    let other = results.get("tiny_other/xor").unwrap();
    assert_eq!(
        (other.function_id.as_deref(), other.throughput),
        (None, None)
    );
    let sum = results.get("tiny_sum/sum/64").unwrap();
    assert_eq!(sum.group_id, "tiny_sum");
    assert_eq!(sum.function_id.as_deref(), Some("sum"));
    assert_eq!(sum.value_str.as_deref(), Some("64"));
    assert_eq!(sum.throughput, Some(Throughput::Elements(64)));
    assert_eq!(sum.samples_ns.len(), 10);
    // First sample: 1656977 ns over 1547 iterations.
    assert!((sum.samples_ns[0] - 1_656_977.0 / 1547.0).abs() < 1e-9);
    assert!((sum.mean_ns - 1_498.397_742_148_141_3).abs() < 1e-6);
    assert!(sum.median_ci_ns.0 <= sum.median_ns && sum.median_ns <= sum.median_ci_ns.1);
    for missing in [Path::new("no-such-baseline"), Path::new("/no/such/dir")] {
        let found = CriterionResults::load_baseline(
            &baseline_fixture().join(missing),
            "fixture",
            SampleValues::Durations,
        );
        assert!(found.unwrap().is_empty());
    }
}

#[test]
fn a_malformed_sample_is_an_error_naming_the_file_and_signed_values_load_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let source = baseline_fixture().join("tiny_sum/sum/64/fixture");
    let copy = dir.path().join("g/fixture");
    std::fs::create_dir_all(&copy).unwrap();
    for name in ["benchmark.json", "sample.json", "estimates.json"] {
        std::fs::copy(source.join(name), copy.join(name)).unwrap();
    }
    let load = |values| CriterionResults::load_baseline(dir.path(), "fixture", values);
    std::fs::write(
        copy.join("sample.json"),
        r#"{"iters":[1.0,2.0],"times":[-5.0,-4.0]}"#,
    )
    .unwrap();
    let error = load(SampleValues::Durations).unwrap_err();
    assert!(error.to_string().contains("sample.json"), "{error}");
    let signed = load(SampleValues::Signed).unwrap();
    assert_eq!(
        signed.get("tiny_sum/sum/64").unwrap().samples_ns,
        [-5.0, -2.0]
    );

    std::fs::write(copy.join("sample.json"), r#"{"iters":[1.0],"times":[]}"#).unwrap();
    let error = load(SampleValues::Signed).unwrap_err();
    assert!(
        matches!(error, ScorecardError::InvalidEstimate { .. }),
        "{error}"
    );
    std::fs::write(copy.join("estimates.json"), "{ truncated").unwrap();
    let error = load(SampleValues::Signed).unwrap_err();
    assert!(error.to_string().contains("estimates.json"), "{error}");
}

#[test]
fn results_load_the_new_estimates_and_ignore_the_base_run() {
    let results = CriterionResults::load(&fixture("criterion")).unwrap();
    assert_eq!(results.len(), 14);
    let get = results.get("exception_store/get_exception/100").unwrap();
    assert_eq!(get.median_ns, 10_000.0);
    assert_eq!(get.elements(), Some(100));
    assert_eq!(get.per_element_ns(), 100.0);
    assert!((get.relative_ci_half_width() - 0.01).abs() < 1e-9);
    assert_eq!(get.sample_cv, Some(0.0));
    assert!(!get.samples_ns.is_empty());
    assert_eq!(
        results
            .series(suite::SCALABILITY_GROUP, suite::SCALING_STORE_GET)
            .len(),
        3
    );
}

#[test]
fn broken_result_trees_are_typed_errors() {
    assert!(matches!(
        CriterionResults::load(&fixture("criterion_missing_estimates")),
        Err(ScorecardError::Io { .. })
    ));
    assert!(matches!(
        CriterionResults::load(&fixture("criterion_negative_median")),
        Err(ScorecardError::InvalidEstimate { .. })
    ));
    assert!(matches!(
        CriterionResults::load(&fixture("criterion_malformed")),
        Err(ScorecardError::Json { .. })
    ));
    assert!(matches!(
        CriterionResults::load(&fixture("measurements")),
        Err(ScorecardError::NoResults(_))
    ));
    assert!(matches!(
        CriterionResults::load(&fixture("absent")),
        Err(ScorecardError::Io { .. })
    ));
}

#[test]
fn measurements_round_trip_and_reject_garbage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = MemoryMeasurement::store(1_000, 300_000).unwrap();
    let optimizer = MemoryMeasurement::optimizer(10, 1_000, 250).unwrap();
    store.write_to(dir.path()).unwrap();
    optimizer.write_to(dir.path()).unwrap();
    let loaded = MemoryMeasurement::load_all(dir.path()).unwrap();
    assert_eq!(loaded, vec![optimizer, store]);
    assert!(
        MemoryMeasurement::load_all(&dir.path().join("absent"))
            .unwrap()
            .is_empty()
    );
    assert!(MemoryMeasurement::store(0, 1).is_err());
    assert!(MemoryMeasurement::optimizer(1, 0, 1).is_err());

    std::fs::write(
        dir.path().join("broken.json"),
        "{\"kind\": \"store_memory\"",
    )
    .unwrap();
    assert!(matches!(
        MemoryMeasurement::load_all(dir.path()),
        Err(ScorecardError::Json { .. })
    ));
}

// The fixture run.

#[test]
fn scorecard_judges_the_fixture_against_seed_and_goal() {
    let scorecard = fixture_scorecard(2);
    assert_eq!(scorecard.checks.len(), RULES.len());

    let detect = check(&scorecard, "detect one node");
    assert_eq!(detect.value, Some(50_000.0));
    assert_eq!(
        (&detect.seed_verdict, &detect.goal_verdict),
        (&Verdict::Pass, &Verdict::Pass)
    );
    let add_ratio = check(&scorecard, "store add per exception / std HashMap");
    assert_eq!(add_ratio.value, Some(2.0));
    assert_eq!(add_ratio.goal_verdict, Verdict::Fail);
    let store_memory = check(&scorecard, "store memory");
    assert_eq!(store_memory.seed_verdict, Verdict::Pass);
    assert_eq!(store_memory.goal_verdict, Verdict::Fail);

    let two = check(
        &scorecard,
        "concurrent adds, scaling efficiency at 2 threads (prespawned",
    );
    let efficiency = two.value.unwrap();
    assert!(
        (efficiency - 100_000.0 / 110_000.0).abs() < 1e-9,
        "{efficiency}"
    );
    assert_eq!(two.seed_verdict, Verdict::Pass);
    let four = check(
        &scorecard,
        "concurrent adds, scaling efficiency at 4 threads (prespawned",
    );
    assert!(matches!(four.seed_verdict, Verdict::NotMeasurableHere(_)));
    // The fixture has no ceiling row: the relative goal is not measured, never passed.
    assert!(matches!(ceiling_goal(&scorecard), Verdict::NotMeasured(_)));

    // The noisy benchmark of another crate is not part of the suite's spread.
    let spread = check(&scorecard, "within-run spread, widest");
    assert_eq!(
        spread.source,
        "concurrent_operations/prespawned_store_adds/4"
    );
    assert!((spread.value.unwrap() - 0.08).abs() < 1e-9);
    assert_eq!(spread.seed_verdict, Verdict::Fail);

    assert!(!scorecard.all_goals_pass());
    let text = scorecard.to_string();
    assert!(text.contains("not measurable here"), "{text}");
    assert!(text.contains("| 2.00x |"), "{text}");
}

#[test]
fn a_scaling_efficiency_from_noisy_medians_is_not_judged() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("criterion"), dir.path());
    // Widen the 2-thread median's interval to ±30 % around the same point estimate.
    let estimates = dir
        .path()
        .join("concurrent_operations/prespawned_store_adds/2/new/estimates.json");
    let text = std::fs::read_to_string(&estimates).unwrap();
    let widened = text
        .replacen("\"lower_bound\": 108900.0", "\"lower_bound\": 77000.0", 2)
        .replacen("\"upper_bound\": 111100.0", "\"upper_bound\": 143000.0", 2);
    assert_ne!(widened, text, "the fixture's interval changed shape");
    std::fs::write(&estimates, widened).unwrap();

    let results = CriterionResults::load(dir.path()).unwrap();
    let scorecard = evaluate(&Inputs::new(&results, &[], 2));
    let two = check(
        &scorecard,
        "concurrent adds, scaling efficiency at 2 threads (prespawned",
    );
    match &two.seed_verdict {
        Verdict::NotMeasured(why) => assert!(why.contains("too noisy"), "{why}"),
        other => panic!("a ±30 % median was judged: {other:?}"),
    }
    let row = scorecard
        .scaling_of(suite::CONCURRENT_PRESPAWNED, 2)
        .unwrap();
    assert!(!row.tight && row.trusted_efficiency().is_none());
    assert!(efficiency_text(row).starts_with("not shown"));
}

/// Copies a directory tree (the fixtures are a few small files).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

// Synthetic runs with known verdicts.

/// A benchmark with `elements` per iteration, a median of `median_ns` and a ±`half_width`
/// relative interval, and samples spread ±1 % around the median.
fn bench(id: &str, elements: Option<u64>, median_ns: f64, half_width: f64) -> BenchmarkResult {
    let mut parts = id.splitn(3, '/');
    let group = parts.next().unwrap().to_owned();
    let function = parts.next().map(str::to_owned);
    let value = parts.next().map(str::to_owned);
    BenchmarkResult {
        full_id: id.to_owned(),
        group_id: group,
        function_id: function,
        value_str: value,
        throughput: elements.map(Throughput::Elements),
        median_ns,
        median_ci_ns: (
            median_ns * (1.0 - half_width),
            median_ns * (1.0 + half_width),
        ),
        mean_ns: median_ns,
        mean_ci_ns: (median_ns, median_ns),
        std_dev_ns: median_ns * 0.01,
        sample_cv: Some(0.01),
        samples_ns: (0..20)
            .map(|i| median_ns * (0.99 + 0.001 * f64::from(i)))
            .collect(),
    }
}

/// A concurrency series: per-thread work of 10,000 adds taking `ns(threads)`.
fn concurrent(function: &str, ns: [f64; 2]) -> Vec<BenchmarkResult> {
    [1_usize, 2]
        .iter()
        .zip(ns)
        .map(|(&threads, ns)| {
            bench(
                &full_id(suite::CONCURRENCY_GROUP, function, threads),
                Some(10_000 * threads as u64),
                ns,
                0.01,
            )
        })
        .collect()
}

/// A run where every figure is known.
fn known_run() -> CriterionResults {
    let mut results = vec![
        bench(
            "exception_detection/detect_node_exceptions/1000",
            None,
            80_000.0,
            0.01,
        ),
        bench(
            "exception_store/add_exception/100",
            Some(100),
            25_000.0,
            0.01,
        ),
        bench(
            "exception_store/add_exception/1000",
            Some(100),
            35_000.0,
            0.01,
        ),
        bench(
            "exception_store/std_hashmap_add/100",
            Some(100),
            20_000.0,
            0.01,
        ),
        bench(
            "exception_store/std_hashmap_add/1000",
            Some(100),
            20_000.0,
            0.01,
        ),
        bench(
            "exception_store/get_exception/100",
            Some(100),
            9_000.0,
            0.01,
        ),
        bench(
            "exception_store/std_hashmap_get/100",
            Some(100),
            6_000.0,
            0.01,
        ),
        bench(
            "exception_handler/resolve_cache_hit/single",
            Some(1),
            150.0,
            0.01,
        ),
        bench(
            "pattern_learning/learn_patterns/1000",
            Some(1_000),
            1_000_000.0,
            0.03,
        ),
        bench("scalability/store_get/100", Some(100), 5_000.0, 0.01),
        bench("scalability/store_get/10000", Some(100), 5_100.0, 0.01),
        bench("scalability/store_get/1000000", Some(100), 5_200.0, 0.01),
    ];
    // Ceiling 0.8 at 2 threads (1 ms alone, 1.25 ms for twice the work on 2 threads); the store
    // 0.75 (0.9375 of the ceiling); dashmap 0.5, scc 0.625, papaya 0.6 (best peer: scc).
    results.extend(concurrent(suite::CONCURRENT_UNSHARED, [1e6, 1.25e6]));
    results.extend(concurrent(suite::CONCURRENT_PRESPAWNED, [2e6, 2e6 / 0.75]));
    results.extend(concurrent(suite::CONCURRENT_DASHMAP, [2e6, 4e6]));
    results.extend(concurrent(suite::CONCURRENT_SCC, [2e6, 3.2e6]));
    results.extend(concurrent(suite::CONCURRENT_PAPAYA, [2e6, 2e6 / 0.6]));
    CriterionResults::from_results(results)
}

#[test]
fn a_known_run_gives_known_verdicts() {
    let results = known_run();
    let memory = [
        MemoryMeasurement::store(10_000, 1_500_000).unwrap(),
        MemoryMeasurement::optimizer(100_000, 1_000, 400).unwrap(),
    ];
    let variance = RunToRun {
        source: "cargo xtask variance at abc".to_owned(),
        rows: vec![
            RunToRunRow {
                id: "a/b/1".to_owned(),
                change: 0.01,
            },
            RunToRunRow {
                id: "a/b/2".to_owned(),
                change: 0.03,
            },
        ],
    };
    let scorecard = evaluate(&Inputs::new(&results, &memory, 2).with_run_to_run(&variance));

    use Verdict::{Fail, NoBar, Pass};
    // (rule name start, value, seed verdict, goal verdict)
    let expected: &[(&str, f64, Verdict, Verdict)] = &[
        ("detect one node", 80_000.0, Pass, Pass),
        ("store add per exception (worst", 350.0, Pass, Fail),
        ("store add per exception / std", 1.75, NoBar, Fail),
        ("store get per exception (worst", 90.0, Pass, Pass),
        ("store get per exception / std", 1.5, NoBar, Pass),
        ("handler resolve", 150.0, NoBar, Fail),
        ("pattern learning", 1_000_000.0, Pass, Pass),
        ("optimizer memory", 0.6, Pass, Fail),
        ("store memory", 150.0, Pass, Pass),
        (
            "concurrent adds, scaling efficiency at 2 threads (prespawned",
            0.75,
            Fail,
            NoBar,
        ),
        (
            "concurrent adds at 2 threads, efficiency / unshared",
            0.9375,
            NoBar,
            Pass,
        ),
        (
            "concurrent adds at 2 threads, efficiency / best peer",
            1.2,
            NoBar,
            Pass,
        ),
        ("within-run spread, widest", 0.03, Pass, Pass),
        ("within-run spread, median", 0.01, Pass, Pass),
        ("run-to-run spread", 0.03, Pass, Fail),
        ("growth exponent of store get", f64::NAN, NoBar, Pass),
    ];
    for (name, value, seed, goal) in expected {
        let row = check(&scorecard, name);
        if !value.is_nan() {
            let got = row
                .value
                .unwrap_or_else(|| panic!("{name}: no value: {row:?}"));
            assert!(
                (got - value).abs() < 1e-9 * value.abs().max(1.0),
                "{name}: {got} != {value}"
            );
        }
        assert_eq!(
            (&row.seed_verdict, &row.goal_verdict),
            (seed, goal),
            "{name}: {row:?}"
        );
    }
    let peer = check(
        &scorecard,
        "concurrent adds at 2 threads, efficiency / best peer",
    );
    assert!(
        peer.source.ends_with("prespawned_scc_adds/2"),
        "{}",
        peer.source
    );
    let run_to_run = check(&scorecard, "run-to-run spread");
    assert_eq!(run_to_run.source, "cargo xtask variance at abc");
    assert!(
        run_to_run
            .value_text()
            .contains("2 of 2 under 5 %, 1 under 2 %"),
        "{}",
        run_to_run.value_text()
    );

    let ceiling = scorecard.scaling_of(suite::CONCURRENT_UNSHARED, 2).unwrap();
    assert!((ceiling.efficiency - 0.8).abs() < 1e-9);
    assert_eq!(ceiling.trusted_efficiency(), Some(ceiling.efficiency));
    assert!(scorecard.bimodal.is_empty());
    // Without a variance run that row is left out of the overall verdict, not failed.
    let without = evaluate(&Inputs::new(&results, &memory, 2));
    let row = check(&without, "run-to-run spread");
    assert!(matches!(row.goal_verdict, Verdict::NotMeasured(_)));
    assert_eq!(row.figure, Figure::RunToRunWorst);
}

#[test]
fn a_store_slower_than_the_ceiling_fails_the_relative_goal() {
    let mut results: Vec<BenchmarkResult> = known_run().iter().cloned().collect();
    // The store now scales at 0.6: 0.75 of the ceiling, behind scc's 0.625.
    results.retain(|r| r.function_id.as_deref() != Some(suite::CONCURRENT_PRESPAWNED));
    results.extend(concurrent(suite::CONCURRENT_PRESPAWNED, [2e6, 2e6 / 0.6]));
    let results = CriterionResults::from_results(results);
    let scorecard = evaluate(&Inputs::new(&results, &[], 2));
    let ceiling = check(
        &scorecard,
        "concurrent adds at 2 threads, efficiency / unshared",
    );
    assert!((ceiling.value.unwrap() - 0.75).abs() < 1e-9);
    assert_eq!(ceiling.goal_verdict, Verdict::Fail);
    let peer = check(
        &scorecard,
        "concurrent adds at 2 threads, efficiency / best peer",
    );
    assert!((peer.value.unwrap() - 0.96).abs() < 1e-9);
    assert_eq!(peer.goal_verdict, Verdict::Fail);
}

#[test]
fn a_superlinear_or_bimodal_row_is_never_a_figure() {
    let mut results: Vec<BenchmarkResult> = known_run().iter().cloned().collect();
    results.retain(|r| r.function_id.as_deref() != Some(suite::CONCURRENT_PRESPAWNED));
    // The issue's run: 2.27 ms for 10,000 adds on one thread, 0.88 ms for 20,000 on two.
    let mut slow_one = concurrent(suite::CONCURRENT_PRESPAWNED, [2.27e6, 0.88e6]);
    // One thread's samples in two modes: 0.46 ms and 2.2 ms.
    slow_one[0].samples_ns = (0..20)
        .map(|i| if i % 3 == 0 { 0.46e6 } else { 2.2e6 } + f64::from(i) * 10.0)
        .collect();
    results.extend(slow_one);
    let results = CriterionResults::from_results(results);
    let scorecard = evaluate(&Inputs::new(&results, &[], 2));
    let row = scorecard
        .scaling_of(suite::CONCURRENT_PRESPAWNED, 2)
        .unwrap();
    assert!(row.efficiency > 2.5, "{row:?}");
    assert_eq!(row.trusted_efficiency(), None);
    assert!(efficiency_text(row).starts_with("not shown"));
    assert_eq!(scorecard.bimodal.len(), 1, "{:?}", scorecard.bimodal);
    assert_eq!(
        scorecard.bimodal[0].id,
        "concurrent_operations/prespawned_store_adds/1"
    );
    assert!(matches!(ceiling_goal(&scorecard), Verdict::NotMeasured(_)));
    assert!(
        scorecard
            .to_string()
            .contains("Two modes: `concurrent_operations/prespawned_store_adds/1`")
    );
}

#[test]
fn more_cores_make_more_thread_counts_measurable() {
    let scorecard = fixture_scorecard(16);
    let four = check(
        &scorecard,
        "concurrent adds, scaling efficiency at 4 threads (prespawned",
    );
    let efficiency = four.value.unwrap();
    assert!((efficiency - 0.25).abs() < 1e-9, "{efficiency}");
    assert_eq!(four.seed_verdict, Verdict::Fail);
}

#[test]
fn an_empty_run_passes_nothing() {
    let results = CriterionResults::default();
    let scorecard = evaluate(&Inputs::new(&results, &[], 2));
    assert!(
        scorecard
            .checks
            .iter()
            .all(|c| c.goal_verdict != Verdict::Pass)
    );
    assert!(!scorecard.all_goals_pass());
    assert!(scorecard.growth.iter().all(|g| g.fit.is_err()));
}

#[test]
fn the_rules_table_lists_every_rule_once() {
    let table = rules_markdown();
    for rule in RULES {
        assert_eq!(
            table.matches(&format!("| {} |", rule.name)).count(),
            1,
            "{}",
            rule.name
        );
    }
    assert!(table.contains("prespawned_unshared_maps_adds/2"), "{table}");
    // Four cells a row: no cell may hold a `|` of its own.
    assert!(
        table.lines().all(|line| line.matches('|').count() == 5),
        "{table}"
    );
}

/// The fixture run as `Scorecard`'s Markdown, byte for byte: every table the `Display` writes
/// (criteria, anchors, scaling, growth) and the core count.
#[test]
fn the_fixture_scorecard_renders_as_pinned() {
    let results = CriterionResults::load(&fixture("criterion")).expect("fixtures load");
    let memory = MemoryMeasurement::load_all(&fixture("measurements")).expect("measurements load");
    let run_to_run = RunToRun {
        source: "cargo xtask variance at pinned".to_owned(),
        rows: vec![
            RunToRunRow {
                id: "exception_store/get_exception/100".to_owned(),
                change: 0.031,
            },
            RunToRunRow {
                id: "exception_store/add_exception/100".to_owned(),
                change: 0.004,
            },
        ],
    };
    let text =
        evaluate(&Inputs::new(&results, &memory, 2).with_run_to_run(&run_to_run)).to_string();
    let pinned = include_str!("fixtures/pinned_scorecard.md");
    assert_eq!(
        text, pinned,
        "the scorecard changed; review the diff before updating the pin"
    );
}

// Paired ratios.

fn paired(benchmark: &str, anchor: &str, statistic: PairedStatistic, median: f64) -> PairedRatio {
    PairedRatio {
        benchmark: benchmark.to_owned(),
        anchor: anchor.to_owned(),
        statistic,
        median,
        interval: (median * 0.98, median * 1.02),
        rounds: 150,
        routine_medians_ns: Vec::new(),
    }
}

#[test]
fn the_ratio_rows_prefer_the_paired_figure_to_the_medians_ratio() {
    let results = CriterionResults::load(&fixture("criterion")).expect("fixtures load");
    let add = full_id(suite::STORE_GROUP, suite::STORE_ADD, 100);
    let add_anchor = full_id(suite::STORE_GROUP, suite::HASHMAP_ADD, 100);
    let name = "store add per exception / std HashMap";

    // The fixture's medians give 2.00x, over the 1.5x goal.
    let medians = evaluate(&Inputs::new(&results, &[], 2));
    assert_eq!(check(&medians, name).value, Some(2.0));
    assert_eq!(check(&medians, name).goal_verdict, Verdict::Fail);

    let ratios = PairedRatios::new(vec![paired(
        &add,
        &add_anchor,
        PairedStatistic::TimeRatio,
        1.2,
    )]);
    let scorecard = evaluate(&Inputs::new(&results, &[], 2).with_paired_ratios(&ratios));
    let row = check(&scorecard, name);
    assert_eq!(row.value, Some(1.2));
    assert_eq!(row.goal_verdict, Verdict::Pass);
    assert_eq!(row.source, add);
    let note = row.note.as_deref().unwrap_or_default();
    assert!(
        note.contains("paired") && note.contains("[1.176, 1.224]") && note.contains("2.000"),
        "{note}"
    );
    let anchor = scorecard
        .anchors
        .iter()
        .find(|a| a.benchmark == add && a.anchor == add_anchor)
        .expect("an anchor row");
    assert_eq!(
        (anchor.ratio, anchor.paired_interval),
        (1.2, Some((1.2 * 0.98, 1.2 * 1.02)))
    );

    // A figure of another statistic, or against another anchor, is not this row's.
    let wrong = PairedRatios::new(vec![
        paired(&add, &add_anchor, PairedStatistic::EfficiencyRatio, 1.2),
        paired(
            &add,
            &full_id(suite::STORE_GROUP, suite::DASHMAP_ADD, 100),
            PairedStatistic::TimeRatio,
            1.2,
        ),
    ]);
    let scorecard = evaluate(&Inputs::new(&results, &[], 2).with_paired_ratios(&wrong));
    assert_eq!(check(&scorecard, name).value, Some(2.0));
}

#[test]
fn the_ceiling_row_takes_the_paired_efficiency_ratio_within_the_cores() {
    let results = CriterionResults::default();
    let store = full_id(suite::CONCURRENCY_GROUP, suite::CONCURRENT_PRESPAWNED, 2);
    let ceiling = full_id(suite::CONCURRENCY_GROUP, suite::CONCURRENT_UNSHARED, 2);
    let ratios = PairedRatios::new(vec![paired(
        &store,
        &ceiling,
        PairedStatistic::EfficiencyRatio,
        0.93,
    )]);
    let scorecard = evaluate(&Inputs::new(&results, &[], 2).with_paired_ratios(&ratios));
    assert_eq!(ceiling_goal(&scorecard), &Verdict::Pass);
    let row = check(
        &scorecard,
        "concurrent adds at 2 threads, efficiency / unshared",
    );
    assert_eq!(row.value, Some(0.93));
    assert!(
        row.note.as_deref().unwrap_or_default().contains("paired"),
        "{row:?}"
    );
    // On one core the 2-thread row stays not measurable here, whatever the file says.
    let one_core = evaluate(&Inputs::new(&results, &[], 1).with_paired_ratios(&ratios));
    assert!(matches!(
        ceiling_goal(&one_core),
        Verdict::NotMeasurableHere(_)
    ));
}

#[test]
fn a_paired_figure_with_a_wide_interval_is_not_judged() {
    let results = CriterionResults::load(&fixture("criterion")).expect("fixtures load");
    let mut wide = paired(
        &full_id(suite::STORE_GROUP, suite::STORE_GET, 100),
        &full_id(suite::STORE_GROUP, suite::HASHMAP_GET, 100),
        PairedStatistic::TimeRatio,
        1.2,
    );
    wide.interval = (1.0, 1.4);
    let ratios = PairedRatios::new(vec![wide]);
    let scorecard = evaluate(&Inputs::new(&results, &[], 2).with_paired_ratios(&ratios));
    let row = check(&scorecard, "store get per exception / std HashMap");
    assert_eq!(row.value, None);
    assert!(
        matches!(&row.goal_verdict, Verdict::NotMeasured(why) if why.contains("too noisy")),
        "{row:?}"
    );
}
