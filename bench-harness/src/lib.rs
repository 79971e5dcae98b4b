//! The benchmark harness of llmkg: deterministic generators, the counting allocator and the
//! [`PerformanceProfiler`] that reads it, and the [`BenchmarkConfig`] applied to Criterion.
//! The scorecard (criteria table, result loading, growth fits) lives in the light
//! `bench-scorecard` crate, which `cargo xtask` uses without building llmkg; its items are
//! re-exported here.
//!
//! The Criterion suite itself is the bench target `task_4_2_exception_performance`
//! (`cargo bench -p bench-harness`); `cargo xtask bench` loads its results with
//! [`CriterionResults::load`], the memory figures with [`MemoryMeasurement::load_all`] and the
//! ratio rows' paired figures (measured by [`alternate`], operation and anchor in turns) with
//! [`PairedRatios::load_since`], and prints [`evaluate`]'s scorecard. The benchmark ids both sides use live in [`suite`].
//!
//! ```
//! use bench_harness::{CriterionResults, Inputs, MemoryMeasurement, evaluate, fit_power_law, generate_test_nodes};
//!
//! let nodes = generate_test_nodes(1, 10);
//! assert_eq!(nodes[0].local_properties.len(), 10);
//!
//! let fit = fit_power_law(&[(100.0, 50.0), (10_000.0, 52.0), (1_000_000.0, 55.0)])?;
//! assert!(fit.exponent < 0.1);
//!
//! let memory = [MemoryMeasurement::store(1_000, 290_000)?];
//! let results = CriterionResults::default();
//! let scorecard = evaluate(&Inputs::new(&results, &memory, 2));
//! println!("{scorecard}");
//! # Ok::<(), bench_harness::HarnessError>(())
//! ```
#![deny(missing_docs)]

mod config;
mod error;
mod generators;
mod measurement;
mod measurements;
mod paired;
mod profiler;
mod quality;
mod wordnet;

pub use crate::{
    config::{
        BenchmarkConfig, CommandLineTiming, MIN_SAMPLE_SIZE, RoutineCost, RunMode,
        TEST_MODE_MAX_SIZE, exact_filter_groups,
    },
    error::{HarnessError, Result},
    generators::{
        generate_exception_patterns, generate_realistic_inheritance_hierarchy, generate_test_nodes,
        memory_exception, optimizer_exception, scattered_indices, store_exception,
    },
    measurement::{LOCKSTEP_VAR, MEASURE_VAR, Quantity, SIDE_VAR, Start, SuiteMeasurement},
    measurements::{MEASUREMENTS_DIR_VAR, criterion_dir, measurements_dir, target_dir},
    paired::{
        BUDGET_PER_MEASUREMENT_SECOND, BUDGET_RANGE_S, EFFICIENCY_BUDGETS, EfficiencyRoutines,
        PAIRED_STEP, PairedConfig, Rounds, Timed, alternate, criterion_filter, efficiency_ratio,
        time_ratio, timed_batched, timed_iter,
    },
    profiler::{
        MemorySource, PerformanceProfiler, PerformanceReport, register_counting_allocator,
        registered_allocator,
    },
    quality::{
        Quality, synthetic_birds, synthetic_birds_pooled, synthetic_nodes, synthetic_nodes_pooled,
        wordnet_topics,
    },
    wordnet::{
        DEBIAN_WORDNET_DIR, LEXFILE_PROPERTY, LexfileForm, NaiveParentWalk, StatedLexfiles, Synset,
        WORDNET_DIR_VAR, WORDNET_INSTALL_HINT, WordNetError, WordNetShape, classify_stated,
        load_data_noun, parse_data_noun, to_nodes, to_nodes_as, wordnet_dir,
    },
};
/// The scorecard, its inputs and the suite's ids, from `bench-scorecard`.
pub use bench_scorecard::{
    AnchorRatio, Bar, BenchmarkResult, Check, CriterionResults, FLAT_EXPONENT, Growth, Inputs,
    MemoryMeasurement, Modes, PairedRatio, PairedRatios, PairedStatistic, PowerLawFit, RULES, Rule,
    RunToRun, RunToRunRow, Scaling, Scorecard, ScorecardError, Unit, Verdict, available_cores,
    bimodality, evaluate, fit_power_law, rules_markdown, suite,
};
/// The counting global allocator the profiler reads; install it in a bench or test binary
/// with `#[global_allocator]` and pass it to [`register_counting_allocator`].
pub use llmkg_counting_alloc::{CountingAllocator, Snapshot, SnapshotDelta};
