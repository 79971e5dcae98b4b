//! Integration tests of the harness: generators, profiler, configuration, and the scorecard
//! re-exports (the scorecard's own tests live in `bench-scorecard`).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use bench_harness::suite;
use bench_harness::{
    BenchmarkConfig, CountingAllocator, CriterionResults, HarnessError, Inputs, MemorySource,
    PerformanceProfiler, RoutineCost, RunMode, Verdict, evaluate, generate_exception_patterns,
    generate_realistic_inheritance_hierarchy, generate_test_nodes, register_counting_allocator,
    scattered_indices,
};
use llmkg::core::{NodeId, PropertyValue};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

/// A counting allocator that is not the global one: its counters never move.
static IDLE: CountingAllocator = CountingAllocator::new();

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

/// The profiler tests that allocate and free megabytes hold this, so that one's block does
/// not land between the other's readings.
static LARGE_BLOCK_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn profiler_reads_the_registered_allocator() {
    let _serial = LARGE_BLOCK_TESTS
        .lock()
        .unwrap_or_else(|poison| poison.into_inner());
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

/// Issue 18 finding 11: the seed's memory bench computes `(final - baseline) / size` in
/// unsigned integers, which underflowed (a panic in debug builds) when the heap shrank between
/// the readings. Readings never go below the first one; the exact growth stays available.
#[test]
fn a_heap_that_shrinks_never_underflows_the_seeds_arithmetic() {
    let _serial = LARGE_BLOCK_TESTS
        .lock()
        .unwrap_or_else(|poison| poison.into_inner());
    register_counting_allocator(&ALLOCATOR).expect("installed as global allocator");
    let block = black_box(vec![1_u8; 8 << 20]);
    let mut profiler = PerformanceProfiler::new();
    profiler.memory_checkpoint("baseline");
    drop(block);
    profiler.memory_checkpoint("final");
    let report = profiler.finish();
    // The seed's own expression, verbatim apart from the names.
    let final_memory = report.memory_usage.last().unwrap().1;
    let baseline_memory = report.memory_usage.first().unwrap().1;
    let size = 1000_usize;
    let memory_per_exception = (final_memory - baseline_memory) / size;
    assert_eq!(memory_per_exception, 0);
    // The exact figure still shows the shrink.
    let growth = report.growth_per_item(1).expect("measured");
    assert!(growth < -((7 << 20) as f64), "{growth}");
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
    assert_eq!(config.sample_size_for(RoutineCost::Heavy), 30);
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

// The scorecard re-exports.

#[test]
fn scorecard_errors_convert_into_harness_errors() {
    let missing = CriterionResults::load(Path::new("/nonexistent/criterion"));
    let error: HarnessError = missing.expect_err("no such directory").into();
    assert!(matches!(error, HarnessError::Scorecard(_)), "{error}");
    assert!(
        error.to_string().contains("/nonexistent/criterion"),
        "{error}"
    );
    let scorecard = evaluate(&Inputs::new(&CriterionResults::default(), &[], 2));
    assert_eq!(scorecard.checks.len(), bench_harness::RULES.len());
    assert!(
        scorecard
            .checks
            .iter()
            .all(|c| c.goal_verdict != Verdict::Pass)
    );
    assert_eq!(
        suite::full_id(suite::CONCURRENCY_GROUP, suite::CONCURRENT_UNSHARED, 2),
        "concurrent_operations/prespawned_unshared_maps_adds/2"
    );
}
