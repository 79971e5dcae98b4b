//! The seed's bench code exactly as the user wrote it, compiled against our crates and run
//! in Criterion's test mode: `tests/seed/exception_performance_validation.rs` is the "Test
//! Requirements" block of `exception-performance-validation.md` verbatim, except for four
//! integer casts (`size.min(100) as usize` twice in the store bench, `NodeId(i as u64)` in the
//! optimization bench, `/ size as usize` in the memory bench); it is `include!`d, so rustfmt
//! leaves it as written.
//!
//! The seed's own imports are repeated below, with what its code names but never imports
//! (`HashMap`, `Exception`, `ExceptionSource`, `ExceptionKey`, `ExceptionContext`, and the
//! profiler it declares without a body, which is `bench_harness::PerformanceProfiler`). It
//! installs no counting allocator, as the seed does not, so its memory bench reads the system
//! allocator's statistics.
#![allow(
    // The seed ignores the `Result` of `add_exception` and the `Option` of `resolve_property`.
    unused_must_use,
    // The seed uses `criterion::black_box`.
    deprecated,
    clippy::all
)]

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use llmkg::core::{InheritanceNode, NodeId, PropertyValue};
use llmkg::exceptions::{
    ExceptionDetector, ExceptionHandler, ExceptionStore, PatternLearner, StorageOptimizer,
};

use bench_harness::PerformanceProfiler;
use llmkg::exceptions::{Exception, ExceptionContext, ExceptionKey, ExceptionSource};
use std::collections::HashMap;

include!("seed/exception_performance_validation.rs");
