//! Integration tests of the harness: generators, profiler, configuration, measurements files
//! and the criteria evaluation against checked-in Criterion fixtures.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bench_harness::suite;
use bench_harness::{
    BenchmarkConfig, CountingAllocator, CriterionResults, HarnessError, MemoryMeasurement,
    MemorySource, PerformanceProfiler, RoutineCost, RunMode, Verdict, evaluate,
    generate_exception_patterns, generate_realistic_inheritance_hierarchy, generate_test_nodes,
    register_counting_allocator, scattered_indices,
};
use llmkg::core::{NodeId, PropertyValue};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

/// A counting allocator that is not the global one: its counters never move.
static IDLE: CountingAllocator = CountingAllocator::new();

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn fixture_scorecard(cores: usize) -> bench_harness::Scorecard {
    let results = CriterionResults::load(&fixture("criterion")).expect("fixtures load");
    let memory = MemoryMeasurement::load_all(&fixture("measurements")).expect("measurements load");
    evaluate(&results, &memory, cores)
}

fn check<'a>(
    scorecard: &'a bench_harness::Scorecard,
    name_start: &str,
) -> &'a bench_harness::Check {
    scorecard
        .checks
        .iter()
        .find(|c| c.name.starts_with(name_start))
        .unwrap_or_else(|| panic!("no check named {name_start:?}"))
}

// Generators.

#[test]
fn generators_are_deterministic_and_follow_the_seed() {
    let nodes = generate_test_nodes(3, 6);
    let again = generate_test_nodes(3, 6);
    assert_eq!(nodes, again);
    assert_eq!(
        nodes[1].local_properties["prop_0"],
        PropertyValue::Boolean(false)
    );
    assert_eq!(
        nodes[1].local_properties["prop_1"],
        PropertyValue::String("value_1_1".to_owned())
    );
    assert_eq!(
        nodes[1].local_properties["prop_2"],
        PropertyValue::Number(3.0)
    );

    let hierarchy = generate_realistic_inheritance_hierarchy(5, 20);
    assert_eq!(hierarchy.len(), 100);
    assert!(hierarchy[..20].iter().all(|n| n.parent_ids.is_empty()));
    assert_eq!(hierarchy[45].parent_ids, vec![NodeId(25)]);
    let flipped = hierarchy
        .iter()
        .filter(|n| n.local_properties["prop_0"] == PropertyValue::Boolean(false))
        .count();
    assert_eq!(flipped, 34);

    let patterns = generate_exception_patterns(30);
    assert_eq!(patterns[29].0.inheritance_depth, 3);
    assert!(patterns.iter().all(|(_, e)| e.confidence == 0.8));
}

#[test]
fn scattered_indices_cover_the_range_and_depend_on_the_seed() {
    let indices = scattered_indices(100, 10_000, 7);
    assert!(indices.iter().all(|&i| i < 100));
    let distinct: std::collections::HashSet<_> = indices.iter().collect();
    assert_eq!(distinct.len(), 100);
    assert_ne!(
        scattered_indices(1 << 20, 8, 1),
        scattered_indices(1 << 20, 8, 2)
    );
    assert!(scattered_indices(0, 5, 1).is_empty());
}

// Profiler.

#[test]
fn profiler_reads_the_registered_allocator() {
    register_counting_allocator(&ALLOCATOR).expect("installed as global allocator");
    let mut profiler = PerformanceProfiler::new();
    assert!(profiler.measures_memory());
    profiler.memory_checkpoint("baseline");
    let block = black_box(vec![1_u8; 8 << 20]);
    profiler.checkpoint("allocated");
    profiler.memory_checkpoint("after");
    drop(block);
    profiler.memory_checkpoint("freed");
    let report = profiler.finish();

    let samples = report.measured_memory_usage().expect("measured");
    assert_eq!(samples.len(), 3);
    // Other tests allocate and free on their own threads, hence the margin.
    assert!(samples[1].1 >= samples[0].1 + (7 << 20), "{samples:?}");
    assert!(samples[2].1 + (7 << 20) <= samples[1].1, "{samples:?}");
    assert!(report.measured_peak_memory().expect("measured") >= samples[1].1);
    assert_eq!(report.checkpoints[0].0, "allocated");
    assert!(report.total_duration >= report.checkpoints[0].1);
    // The 8 MiB block was freed before the last reading; what other tests hold meanwhile is
    // far smaller.
    let growth = report.growth_per_item(1).expect("measured");
    assert!(growth.abs() < (4 << 20) as f64, "{growth}");
    assert!(matches!(
        report.growth_per_item(0),
        Err(HarnessError::ZeroItems)
    ));
    assert!(report.to_string().contains("peak heap"));
}

#[test]
fn an_allocator_that_is_not_installed_is_refused() {
    assert!(matches!(
        register_counting_allocator(&IDLE),
        Err(HarnessError::AllocatorNotInstalled)
    ));
    assert!(matches!(
        PerformanceProfiler::with_allocator(&IDLE),
        Err(HarnessError::AllocatorNotInstalled)
    ));
    let profiler = PerformanceProfiler::with_allocator(&ALLOCATOR).expect("installed");
    assert_eq!(
        profiler.finish().memory_source,
        MemorySource::CountingAllocator
    );
}

// Configuration.

#[test]
fn config_maps_the_seed_defaults_onto_criterion() {
    let config = BenchmarkConfig::default();
    assert_eq!(config.sample_size, 100);
    assert_eq!(config.timeout, Duration::from_secs(30));
    assert_eq!(
        config.effective_measurement_time().unwrap(),
        Duration::from_secs(2)
    );
    assert_eq!(config.warm_up_time().unwrap(), Duration::from_millis(200));
    assert!(!config.plots);
    assert_eq!(config.sample_size_for(RoutineCost::Heavy), 10);
    assert_eq!(config.sample_size_for(RoutineCost::Light), 100);

    let capped = BenchmarkConfig {
        timeout: Duration::from_millis(1100),
        ..config.clone()
    };
    let measurement = capped.effective_measurement_time().unwrap();
    let total = measurement + capped.warm_up_time().unwrap();
    assert!(total <= Duration::from_millis(1101), "{total:?}");

    for broken in [
        BenchmarkConfig {
            sample_size: 9,
            ..config.clone()
        },
        BenchmarkConfig {
            measurement_iterations: 0,
            ..config.clone()
        },
        BenchmarkConfig {
            timeout: Duration::ZERO,
            ..config.clone()
        },
    ] {
        assert!(matches!(
            broken.criterion(),
            Err(HarnessError::InvalidConfig(_))
        ));
    }
}

#[test]
fn run_mode_follows_criterion_and_caps_sizes_in_test_mode() {
    assert_eq!(
        RunMode::from_args(["b", "--bench", "store"]),
        RunMode::Benchmark
    );
    assert_eq!(RunMode::from_args(["b", "--list"]), RunMode::List);
    assert!(RunMode::Benchmark.includes_size(1_000_000));
    assert!(RunMode::Test.includes_size(10_000));
    assert!(!RunMode::Test.includes_size(10_001));
}

// Measurements.

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
        Err(HarnessError::Json { .. })
    ));
}

// Criterion results and criteria.

#[test]
fn results_load_the_new_estimates_and_ignore_the_base_run() {
    let results = CriterionResults::load(&fixture("criterion")).unwrap();
    assert_eq!(results.len(), 14);
    let get = results.get("exception_store/get_exception/100").unwrap();
    assert_eq!(get.median_ns, 10_000.0);
    assert_eq!(get.elements, Some(100));
    assert_eq!(get.per_element_ns(), 100.0);
    assert!((get.relative_ci_half_width() - 0.01).abs() < 1e-9);
    assert_eq!(get.sample_cv, Some(0.0));
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
        Err(HarnessError::Io { .. })
    ));
    assert!(matches!(
        CriterionResults::load(&fixture("criterion_negative_median")),
        Err(HarnessError::InvalidEstimate { .. })
    ));
    assert!(matches!(
        CriterionResults::load(&fixture("criterion_malformed")),
        Err(HarnessError::Json { .. })
    ));
    assert!(matches!(
        CriterionResults::load(&fixture("measurements")),
        Err(HarnessError::NoResults(_))
    ));
    assert!(matches!(
        CriterionResults::load(&fixture("absent")),
        Err(HarnessError::Io { .. })
    ));
}

#[test]
fn scorecard_judges_the_fixture_against_seed_and_goal() {
    let scorecard = fixture_scorecard(2);

    let detect = check(&scorecard, "detect one node");
    assert_eq!(detect.value, Some(50_000.0));
    assert_eq!(
        (&detect.seed_verdict, &detect.goal_verdict),
        (&Verdict::Pass, &Verdict::Pass)
    );

    let add = check(&scorecard, "store add per exception");
    assert_eq!(add.value, Some(200.0));
    assert_eq!(add.goal_verdict, Verdict::Pass);
    let add_ratio = check(&scorecard, "store add per exception / std HashMap");
    assert_eq!(add_ratio.value, Some(2.0));
    assert_eq!(add_ratio.goal_verdict, Verdict::Fail);
    let get_ratio = check(&scorecard, "store get per exception / std HashMap");
    assert_eq!(get_ratio.value, Some(1.25));
    assert_eq!(get_ratio.goal_verdict, Verdict::Pass);

    assert_eq!(
        check(&scorecard, "handler resolve").goal_verdict,
        Verdict::Pass
    );
    let learning = check(&scorecard, "pattern learning");
    assert_eq!(learning.value, Some(1_000_000.0));
    assert_eq!(learning.goal_verdict, Verdict::Pass);

    let optimizer = check(&scorecard, "optimizer memory");
    assert_eq!(optimizer.value, Some(0.9));
    assert_eq!(optimizer.goal_verdict, Verdict::Pass);
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
    assert_eq!(two.goal_verdict, Verdict::Pass);
    let four = check(
        &scorecard,
        "concurrent adds, scaling efficiency at 4 threads (prespawned",
    );
    assert!(four.value.is_none());
    assert!(matches!(four.goal_verdict, Verdict::NotMeasurableHere(_)));
    let seed_two = check(
        &scorecard,
        "concurrent adds, scaling efficiency at 2 threads (concurrent_store",
    );
    assert!(matches!(seed_two.goal_verdict, Verdict::NotMeasured(_)));

    // The noisy benchmark of another crate is not part of the suite's spread.
    let spread = check(&scorecard, "within-run spread, widest");
    assert_eq!(
        spread.source,
        "concurrent_operations/prespawned_store_adds/4"
    );
    assert!((spread.value.unwrap() - 0.08).abs() < 1e-9);
    assert_eq!(spread.seed_verdict, Verdict::Fail);
    assert!(matches!(
        check(&scorecard, "run-to-run spread").goal_verdict,
        Verdict::NotMeasured(_)
    ));

    let growth = check(&scorecard, "growth exponent of store get");
    let exponent = growth.value.unwrap();
    assert!(exponent > 0.0 && exponent < 0.1, "{exponent}");
    assert_eq!(growth.goal_verdict, Verdict::Pass);
    assert!(matches!(
        check(&scorecard, "growth exponent of detection").goal_verdict,
        Verdict::NotMeasured(_)
    ));

    assert!(!scorecard.all_goals_pass());
    assert!(scorecard.anchors.iter().any(|a| a.ratio == 2.0));
    let text = scorecard.to_string();
    assert!(text.contains("not measurable here"), "{text}");
    assert!(text.contains("| 2.00x |"), "{text}");
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
    assert_eq!(four.goal_verdict, Verdict::Fail);
}

#[test]
fn an_empty_run_passes_nothing() {
    let scorecard = evaluate(&CriterionResults::default(), &[], 2);
    assert!(
        scorecard
            .checks
            .iter()
            .all(|c| c.goal_verdict != Verdict::Pass)
    );
    assert!(!scorecard.all_goals_pass());
    assert!(scorecard.growth.iter().all(|g| g.fit.is_err()));
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
    let memory = MemoryMeasurement::load_all(&fixture("measurements")).unwrap();
    let scorecard = bench_harness::evaluate(&results, &memory, 2);
    let two = check(
        &scorecard,
        "concurrent adds, scaling efficiency at 2 threads (prespawned",
    );
    match &two.goal_verdict {
        Verdict::NotMeasured(why) => assert!(why.contains("too noisy"), "{why}"),
        other => panic!("a ±30 % median was judged: {other:?}"),
    }
}
