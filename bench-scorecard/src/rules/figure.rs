//! What a rule's value is computed from: one [`Bench`] or a [`Figure`] over several.

use serde::Serialize;

use crate::suite::{CONCURRENCY_GROUP, SCALABILITY_GROUP};

/// One benchmark: `group/function/value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bench {
    /// Criterion group.
    pub group: &'static str,
    /// Function within the group.
    pub function: &'static str,
    /// Parameter, as Criterion prints it.
    pub value: &'static str,
}

impl Bench {
    /// `group/function/value`.
    pub fn id(self) -> String {
        crate::suite::full_id(self.group, self.function, self.value)
    }
}

/// What a rule's value is computed from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "figure", rename_all = "snake_case")]
pub enum Figure {
    /// Median time per iteration of one benchmark.
    MedianTime(Bench),
    /// Median time per element of one benchmark.
    PerElementTime(Bench),
    /// Elements per second at one benchmark's median.
    ElementsPerSecond(Bench),
    /// The largest median time per element of `group/function/size` over `sizes`.
    WorstPerElement {
        /// Criterion group.
        group: &'static str,
        /// Function within the group.
        function: &'static str,
        /// Sizes compared.
        sizes: &'static [usize],
    },
    /// The largest `median(function/size) / median(anchor/size)` over `sizes`.
    WorstAnchorRatio {
        /// Criterion group.
        group: &'static str,
        /// The measured function.
        function: &'static str,
        /// The anchor doing the same work.
        anchor: &'static str,
        /// Sizes compared.
        sizes: &'static [usize],
    },
    /// Allocator-measured fraction of memory the optimizer saves over a naive map (largest
    /// measurement).
    OptimizerMemorySaved,
    /// Allocator-measured bytes per exception of the seed's store memory bench (largest
    /// measurement).
    StoreBytesPerException,
    /// `throughput(threads) / (threads x throughput(1))` of `concurrent_operations/function`.
    ScalingEfficiency {
        /// Function within the concurrency group.
        function: &'static str,
        /// Thread count.
        threads: usize,
    },
    /// `function`'s scaling efficiency divided by `ceiling`'s at the same thread count, both
    /// from the same run.
    EfficiencyOfCeiling {
        /// The measured function.
        function: &'static str,
        /// The machine's ceiling for this workload (unshared per-thread maps).
        ceiling: &'static str,
        /// Thread count.
        threads: usize,
    },
    /// `function`'s scaling efficiency divided by the best efficiency among `peers`.
    EfficiencyOfBestPeer {
        /// The measured function.
        function: &'static str,
        /// The concurrent maps compared with.
        peers: &'static [&'static str],
        /// Thread count.
        threads: usize,
    },
    /// The widest relative 95 % interval half-width of a median among the suite's benchmarks.
    WithinRunWorst,
    /// The median benchmark's relative 95 % interval half-width.
    WithinRunMedian,
    /// The largest run-to-run change of the latest `cargo xtask variance`, passed in as
    /// [`RunToRun`](crate::RunToRun).
    RunToRunWorst,
    /// Growth exponent `k` of `scalability/function/*` per element.
    GrowthExponent {
        /// Function within the scalability group.
        function: &'static str,
    },
}

impl Figure {
    /// Where the value comes from, as the documentation's table prints it.
    pub fn describe(self) -> String {
        let sizes_text = |sizes: &[usize]| {
            sizes
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Figure::MedianTime(bench) => format!("median of `{}`", bench.id()),
            Figure::PerElementTime(bench) => format!("median per element of `{}`", bench.id()),
            Figure::ElementsPerSecond(bench) => format!("elements/s of `{}`", bench.id()),
            Figure::WorstPerElement {
                group,
                function,
                sizes,
            } => format!(
                "worst median per element of `{group}/{function}/{{{}}}`",
                sizes_text(sizes)
            ),
            Figure::WorstAnchorRatio {
                group,
                function,
                anchor,
                sizes,
            } => format!(
                "worst `{group}/{function}/n` / `{group}/{anchor}/n`, n in {{{}}}",
                sizes_text(sizes)
            ),
            Figure::OptimizerMemorySaved => "`optimizer_memory_<n>.json` (largest n)".to_owned(),
            Figure::StoreBytesPerException => "`store_memory_<n>.json` (largest n)".to_owned(),
            Figure::ScalingEfficiency { function, threads } => {
                format!("efficiency of `{CONCURRENCY_GROUP}/{function}/{threads}` against `/1`")
            }
            Figure::EfficiencyOfCeiling {
                function,
                ceiling,
                threads,
            } => format!(
                "efficiency of `{function}/{threads}` / efficiency of `{ceiling}/{threads}`"
            ),
            Figure::EfficiencyOfBestPeer {
                function,
                peers,
                threads,
            } => format!(
                "efficiency of `{function}/{threads}` / best of {}",
                peers
                    .iter()
                    .map(|peer| format!("`{peer}/{threads}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Figure::WithinRunWorst => "widest median 95% CI half-width in the suite".to_owned(),
            Figure::WithinRunMedian => "median benchmark's 95% CI half-width".to_owned(),
            Figure::RunToRunWorst => "latest `cargo xtask variance` (worst benchmark)".to_owned(),
            Figure::GrowthExponent { function } => {
                format!("power-law fit of `{SCALABILITY_GROUP}/{function}/*` per element")
            }
        }
    }
}
