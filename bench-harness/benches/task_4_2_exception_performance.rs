//! The seed's exception-performance suite (Micro 2.7) with hash-map anchors, corrected siblings
//! of its misleading benches, and growth series.
//!
//! Groups, and what each varies: `exception_store` (store size, with `std_hashmap_*` and
//! `dashmap_*` anchors), `exception_detection` (properties per node), `exception_handler`
//! (cache-hit rate), `pattern_learning` (batch size), `storage_optimization` (exceptions held),
//! `concurrent_operations` (threads), `end_to_end` (nodes), `memory_usage` (exceptions) and
//! `scalability` (store size and properties, for the growth exponents), `system` (the one-stop
//! `ExceptionSystem`: properties per node, a realistic hierarchy) and `wordnet` (WordNet 3.0's
//! noun hierarchy, real data; skipped with a hint when it is not installed). After them, the
//! `paired_ratios` step measures the scorecard's ratio rows in alternation (see `paired.rs`);
//! a filter turns it off, except the filter `paired_ratios`, which runs only it.
//!
//! The binary installs the counting allocator, so every figure includes its bookkeeping (a few
//! uncontended atomic adds per allocation), anchors included. In Criterion's test mode
//! (`cargo test`) inputs above [`bench_harness::TEST_MODE_MAX_SIZE`] are not registered.

#[path = "task_4_2_exception_performance/concurrency.rs"]
mod concurrency;
#[path = "task_4_2_exception_performance/detection.rs"]
mod detection;
#[path = "task_4_2_exception_performance/end_to_end.rs"]
mod end_to_end;
#[path = "task_4_2_exception_performance/handler.rs"]
mod handler;
#[path = "task_4_2_exception_performance/learning.rs"]
mod learning;
#[path = "task_4_2_exception_performance/memory.rs"]
mod memory;
#[path = "task_4_2_exception_performance/optimization.rs"]
mod optimization;
#[path = "task_4_2_exception_performance/paired.rs"]
mod paired;
#[path = "task_4_2_exception_performance/scalability.rs"]
mod scalability;
#[path = "task_4_2_exception_performance/store.rs"]
mod store;
#[path = "task_4_2_exception_performance/system.rs"]
mod system;
#[path = "task_4_2_exception_performance/wordnet.rs"]
mod wordnet;

use anyhow::Context as _;
use criterion::{BenchmarkGroup, Criterion};

use bench_harness::{
    BenchmarkConfig, CountingAllocator, PAIRED_STEP, PairedConfig, Quantity, RoutineCost, RunMode,
    SuiteMeasurement, criterion_filter,
};

/// The suite's Criterion: wall time, in turns with a paired process under `cargo xtask
/// regress`, or an allocation count per iteration in the gate's memory lane.
pub type Suite = Criterion<SuiteMeasurement>;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

/// What every group needs to configure itself.
#[derive(Debug)]
pub struct Context {
    /// The validated configuration.
    pub config: BenchmarkConfig,
    /// Measuring, testing or listing.
    pub mode: RunMode,
    /// The groups an exact filter selects (`None`: any).
    pub groups: Option<std::collections::BTreeSet<String>>,
    /// How the `paired_ratios` step measures, when it runs at all.
    pub paired: Option<PairedConfig>,
}

impl Context {
    /// Whether the command line can select a benchmark of `group`; a group that cannot skips
    /// its setup.
    pub fn wants(&self, group: &str) -> bool {
        self.groups
            .as_ref()
            .is_none_or(|groups| groups.contains(group))
    }

    /// A group configured for routines of the given cost.
    pub fn group<'a>(
        &self,
        criterion: &'a mut Suite,
        name: &str,
        cost: RoutineCost,
    ) -> BenchmarkGroup<'a, SuiteMeasurement> {
        let mut group = criterion.benchmark_group(name);
        self.configure(&mut group, cost);
        group
    }

    /// Re-applies the configuration for routines of the given cost.
    pub fn configure(&self, group: &mut BenchmarkGroup<'_, SuiteMeasurement>, cost: RoutineCost) {
        self.config
            .configure_group(group, cost)
            .expect("the configuration was validated in main");
    }
}

fn main() -> anyhow::Result<()> {
    bench_harness::register_counting_allocator(&ALLOCATOR)
        .context("installing the counting allocator")?;
    // Plots triple the suite's run time on a 2-core machine; LLMKG_BENCH_PLOTS=1 turns them on.
    let config = BenchmarkConfig {
        plots: std::env::var_os("LLMKG_BENCH_PLOTS").is_some_and(|value| value == "1"),
        ..BenchmarkConfig::default()
    };
    let mut criterion = config
        .criterion_with(SuiteMeasurement)
        .context("configuring Criterion")?
        .configure_from_args();
    let paired_only = criterion_filter(std::env::args()).is_some_and(|f| f == PAIRED_STEP);
    // The gate's processes (in turns with another, or counting allocations) never take the
    // paired step; their exact filters turn it off too.
    let gate = SuiteMeasurement.in_lockstep() || SuiteMeasurement.quantity() != Quantity::Time;
    let paired = PairedConfig::for_args(
        std::env::args(),
        config
            .effective_measurement_time()
            .context("configuring the paired ratios")?,
    )
    .filter(|_| !gate);
    let context = Context {
        config,
        mode: RunMode::current(),
        // The filter `paired_ratios` selects no group: none of them sets up.
        groups: if paired_only {
            Some(std::collections::BTreeSet::new())
        } else {
            bench_harness::exact_filter_groups(std::env::args())
        },
        paired,
    };
    store::register(&mut criterion, &context);
    detection::register(&mut criterion, &context);
    handler::register(&mut criterion, &context);
    learning::register(&mut criterion, &context);
    optimization::register(&mut criterion, &context);
    concurrency::register(&mut criterion, &context);
    end_to_end::register(&mut criterion, &context);
    memory::register(&mut criterion, &context)?;
    scalability::register(&mut criterion, &context);
    system::register(&mut criterion, &context);
    wordnet::register(&mut criterion, &context)?;
    paired::run(&context)?;
    criterion.final_summary();
    Ok(())
}
