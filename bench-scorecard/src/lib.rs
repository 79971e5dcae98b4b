//! The llmkg benchmark scorecard as data, without the system under test: the suite's benchmark
//! ids ([`suite`]), Criterion's result files ([`CriterionResults`]), the benches' memory
//! figures ([`MemoryMeasurement`]), the paired ratios measured in alternation
//! ([`PairedRatios`]), growth fits, a two-mode check, and the criteria table
//! [`RULES`] that [`evaluate`] turns into a [`Scorecard`].
//!
//! `cargo xtask` depends on this crate and not on `bench-harness`, so building the tool never
//! builds llmkg; `bench-harness` re-exports what its users need.
//!
//! ```
//! use bench_scorecard::{CriterionResults, Inputs, MemoryMeasurement, RunToRun, RunToRunRow, evaluate, fit_power_law};
//!
//! let fit = fit_power_law(&[(100.0, 50.0), (10_000.0, 52.0), (1_000_000.0, 55.0)])?;
//! assert!(fit.exponent < 0.1);
//!
//! let memory = [MemoryMeasurement::store(1_000, 290_000)?];
//! let variance = RunToRun {
//!     source: "cargo xtask variance".to_owned(),
//!     rows: vec![RunToRunRow { id: "g/f/1".to_owned(), change: 0.01 }],
//! };
//! let results = CriterionResults::default();
//! let scorecard = evaluate(&Inputs::new(&results, &memory, 2).with_run_to_run(&variance));
//! println!("{scorecard}");
//! # Ok::<(), bench_scorecard::ScorecardError>(())
//! ```
#![deny(missing_docs)]

mod bimodality;
mod error;
mod fit;
mod memory;
mod paired;
mod results;
mod rules;
mod scorecard;
pub mod suite;

pub use crate::{
    bimodality::{
        MIN_CLUSTER_SHARE, MIN_MEAN_RATIO, MIN_SAMPLES, MIN_SEPARATION, Modes, bimodality,
    },
    error::{Result, ScorecardError},
    fit::{PowerLawFit, fit_power_law},
    memory::MemoryMeasurement,
    paired::{
        MAX_PAIRED_CI_HALF_WIDTH, PAIRED_CONFIDENCE, PAIRED_RATIOS_FILE, PairedRatio, PairedRatios,
        PairedStatistic, median_interval,
    },
    results::{BenchmarkResult, CRITERION_SERIES, CriterionResults, SampleValues, Throughput},
    rules::{
        Bar, Bench, FLAT_EXPONENT, Figure, LINEAR_EFFICIENCY, RULES, Rule, Unit, rules_markdown,
    },
    scorecard::{
        AnchorRatio, Bimodal, Check, GROWTH_SERIES, Growth, Inputs, MAX_SCALING_CI_HALF_WIDTH,
        RunToRun, RunToRunRow, Scaling, Scorecard, Verdict, available_cores, efficiency_text,
        evaluate,
    },
};
