//! Criterion's saved benchmarks as the paired engine reads them, through the scorecard's one
//! reader ([`bench_scorecard::CriterionResults`]).
use std::{collections::BTreeSet, path::Path};

pub use bench_scorecard::Throughput;
use bench_scorecard::{BenchmarkResult, CriterionResults, SampleValues};

/// What the paired engine reads of one benchmark (the fields `paired.rs` names).
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionBenchmark {
    /// `group/function/value`.
    pub id: String,
    /// Work per iteration, if declared.
    pub throughput: Option<Throughput>,
    /// Per-iteration time of each sample, ns.
    pub per_iteration_ns: Vec<f64>,
}

/// The benchmarks saved under `baseline` below `criterion_home`, of `ids` when given.
pub fn read_baseline(
    criterion_home: &Path,
    baseline: &str,
    ids: Option<&BTreeSet<String>>,
) -> bench_scorecard::Result<Vec<CriterionBenchmark>> {
    Ok(
        read(criterion_home, baseline, ids, SampleValues::Durations)?
            .map(|result| CriterionBenchmark {
                id: result.full_id,
                throughput: result.throughput,
                per_iteration_ns: result.samples_ns,
            })
            .collect(),
    )
}

/// The results saved under `baseline` below `criterion_home`, of `ids` when given (so stale
/// folders of benchmarks that were not part of a run are skipped), by id.
pub fn read(
    criterion_home: &Path,
    baseline: &str,
    ids: Option<&BTreeSet<String>>,
    values: SampleValues,
) -> bench_scorecard::Result<impl Iterator<Item = BenchmarkResult>> {
    let results = CriterionResults::load_baseline(criterion_home, baseline, values)?;
    Ok(results
        .into_results()
        .filter(move |result| ids.is_none_or(|ids| ids.contains(&result.full_id))))
}
