//! The benchmark harness of llmkg: deterministic generators, the counting allocator and the
//! [`PerformanceProfiler`] that reads it, the [`BenchmarkConfig`] applied to Criterion, growth
//! fits, and the success [`criteria`](evaluate) evaluated into a [`Scorecard`].
//!
//! The Criterion suite itself is the bench target `task_4_2_exception_performance`
//! (`cargo bench -p bench-harness`); `cargo xtask bench` loads its results with
//! [`CriterionResults::load`] and the memory figures with [`MemoryMeasurement::load_all`], and
//! prints [`evaluate`]'s scorecard. The benchmark ids both sides use live in [`suite`].
//!
//! ```
//! use bench_harness::{CriterionResults, MemoryMeasurement, evaluate, fit_power_law, generate_test_nodes};
//!
//! let nodes = generate_test_nodes(1, 10);
//! assert_eq!(nodes[0].local_properties.len(), 10);
//!
//! let fit = fit_power_law(&[(100.0, 50.0), (10_000.0, 52.0), (1_000_000.0, 55.0)])?;
//! assert!(fit.exponent < 0.1);
//!
//! let memory = [MemoryMeasurement::store(1_000, 290_000)?];
//! let scorecard = evaluate(&CriterionResults::default(), &memory, 2);
//! println!("{scorecard}");
//! # Ok::<(), bench_harness::HarnessError>(())
//! ```
#![deny(missing_docs)]

mod config;
mod criteria;
mod error;
mod fit;
mod generators;
mod measurements;
mod profiler;
pub mod suite;

pub use crate::{
    config::{
        BenchmarkConfig, CommandLineTiming, MIN_SAMPLE_SIZE, RoutineCost, RunMode,
        TEST_MODE_MAX_SIZE,
    },
    criteria::{
        AnchorRatio, Bar, BenchmarkResult, Check, CriterionResults, FLAT_EXPONENT, Growth,
        Scorecard, Unit, Verdict, available_cores, evaluate,
    },
    error::{HarnessError, Result},
    fit::{PowerLawFit, fit_power_law},
    generators::{
        generate_exception_patterns, generate_realistic_inheritance_hierarchy, generate_test_nodes,
        memory_exception, optimizer_exception, scattered_indices, store_exception,
    },
    measurements::{MemoryMeasurement, criterion_dir, measurements_dir, target_dir},
    profiler::{
        MemorySource, PerformanceProfiler, PerformanceReport, register_counting_allocator,
        registered_allocator,
    },
};
/// The counting global allocator the profiler reads; install it in a bench or test binary
/// with `#[global_allocator]` and pass it to [`register_counting_allocator`].
pub use llmkg_counting_alloc::{CountingAllocator, Snapshot, SnapshotDelta};
