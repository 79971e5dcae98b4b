//! The scorecard's `Throughput` under the path the time lane's rows still name; Criterion's
//! files themselves are read only by [`bench_scorecard::CriterionResults`].
pub use bench_scorecard::Throughput;
