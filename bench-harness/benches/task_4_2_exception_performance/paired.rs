//! `paired_ratios`: the scorecard's ratio rows measured in alternation, each operation and its
//! anchor in turns of a few milliseconds in this one process (`bench_harness::alternate`), so
//! both see the same machine state; written to `paired/paired_ratios.json` in the measurements
//! folder, where the scorecard prefers them to the ratio of two medians.
//!
//! What it varies: store add and get against the `std_hashmap_*` anchor at each store size,
//! `system/process_node/1000` against the detector alone, and `prespawned_store_adds` against
//! the unshared per-thread maps (efficiency at 2 threads, when the machine has 2 cores). Every
//! routine is the body the Criterion benchmark times (`store::add_to_store`, ...), set up the
//! same way. It runs after the groups, only when no filter selects benchmarks (or the filter is
//! `paired_ratios`), in a smoke form of three rounds in Criterion's test mode, which writes no
//! file.

use std::time::Instant;

use anyhow::Context as _;

use bench_harness::suite::{
    CONCURRENCY_GROUP, CONCURRENT_PRESPAWNED, CONCURRENT_UNSHARED, HASHMAP_ADD, HASHMAP_GET,
    STORE_ADD, STORE_GET, STORE_GROUP, STORE_SIZES, SYSTEM_DETECT, SYSTEM_GROUP,
    SYSTEM_PROCESS_NODE, full_id,
};
use bench_harness::{
    EfficiencyRoutines, PairedRatio, PairedRatios, RunMode, available_cores, efficiency_ratio,
    generate_test_nodes, measurements_dir, store_exception, time_ratio, timed_batched, timed_iter,
};
use llmkg::ExceptionSystem;
use llmkg::exceptions::ExceptionStore;

use crate::Context;
use crate::concurrency::{WorkerPool, fresh_store, run_prespawned, unshared};
use crate::detection::inherited_true;
use crate::store::{
    AnchorMap, add_to_hashmap, add_to_store, get_from_hashmap, get_from_store, iteration_records,
};
use crate::system;

/// The node size of the `process_node` / detector row.
const SYSTEM_NODE_SIZE: usize = 1_000;

/// The thread count of the efficiency row.
const THREADS: usize = 2;

/// Measures every paired figure `context` asks for and writes them (not in test mode).
pub fn run(context: &Context) -> anyhow::Result<()> {
    let Some(config) = context.paired else {
        return Ok(());
    };
    let started = Instant::now();
    let mut ratios = Vec::new();
    let mut record = |ratio: PairedRatio| {
        let medians: Vec<String> = ratio
            .routine_medians_ns
            .iter()
            .map(|ns| format!("{ns:.0}"))
            .collect();
        eprintln!(
            "paired_ratios: {} / {}: {} (median ns per iteration: {})",
            ratio.benchmark,
            ratio.anchor,
            ratio.describe(),
            medians.join(", ")
        );
        ratios.push(ratio);
    };

    for size in STORE_SIZES
        .into_iter()
        .filter(|&size| context.mode.includes_size(size))
    {
        let records: Vec<_> = (0..size as u64).map(store_exception).collect();
        let touched = iteration_records(&records, size);
        // As in the group: the adds go to a store and a map that hold only the touched records.
        let store = ExceptionStore::new();
        let mut map = AnchorMap::new();
        record(time_ratio(
            &full_id(STORE_GROUP, STORE_ADD, size),
            &full_id(STORE_GROUP, HASHMAP_ADD, size),
            &config,
            &mut timed_iter(|| add_to_store(&store, touched)),
            &mut timed_iter(|| add_to_hashmap(&mut map, touched)),
        )?);
        add_to_store(&store, &records);
        add_to_hashmap(&mut map, &records);
        record(time_ratio(
            &full_id(STORE_GROUP, STORE_GET, size),
            &full_id(STORE_GROUP, HASHMAP_GET, size),
            &config,
            &mut timed_iter(|| get_from_store(&store, touched)),
            &mut timed_iter(|| get_from_hashmap(&map, touched)),
        )?);
    }

    let nodes = generate_test_nodes(1, SYSTEM_NODE_SIZE);
    let node = &nodes[0];
    let inherited = inherited_true(SYSTEM_NODE_SIZE);
    let detecting = ExceptionSystem::new();
    record(time_ratio(
        &full_id(SYSTEM_GROUP, SYSTEM_PROCESS_NODE, SYSTEM_NODE_SIZE),
        &full_id(SYSTEM_GROUP, SYSTEM_DETECT, SYSTEM_NODE_SIZE),
        &config,
        &mut timed_batched(ExceptionSystem::new, |fresh| {
            system::process_node(fresh, node, &inherited)
        }),
        &mut timed_iter(|| system::detect(&detecting, node, &inherited)),
    )?);

    if available_cores() >= THREADS {
        let (one, many) = (WorkerPool::new(1), WorkerPool::new(THREADS));
        record(efficiency_ratio(
            &full_id(CONCURRENCY_GROUP, CONCURRENT_PRESPAWNED, THREADS),
            &full_id(CONCURRENCY_GROUP, CONCURRENT_UNSHARED, THREADS),
            &config,
            EfficiencyRoutines {
                benchmark_one: &mut |iterations| run_prespawned(&one, fresh_store, iterations),
                benchmark_many: &mut |iterations| run_prespawned(&many, fresh_store, iterations),
                anchor_one: &mut |iterations| run_prespawned(&one, unshared, iterations),
                anchor_many: &mut |iterations| run_prespawned(&many, unshared, iterations),
            },
        )?);
    }

    eprintln!(
        "paired_ratios: {} figures in {:.1} s",
        ratios.len(),
        started.elapsed().as_secs_f64()
    );
    if context.mode == RunMode::Test {
        return Ok(());
    }
    let dir = measurements_dir();
    PairedRatios::new(ratios)
        .write_to(&dir)
        .with_context(|| format!("writing the paired ratios under {}", dir.display()))?;
    Ok(())
}
