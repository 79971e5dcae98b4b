//! A profiling driver for the WordNet noun workload (run with `--release`, under callgrind or
//! perf): `cargo run --release -p bench-harness --example wordnet_profile -- resolve 20` loads
//! `data.noun`, warms the hierarchy and resolves every synset's `lexfile` 20 times; `process`
//! runs `ExceptionSystem::process_hierarchy` instead, `naive` the parent walk. Prints the
//! wall time per call (noisy on a shared machine; prefer instruction counts).
//!
//! `buckets` prints where `process_hierarchy` put every stated value, with the topic as a word
//! and as a number, against what the hierarchy says they are (`classify_stated`), and the
//! values it did not report: `cargo run --release -p bench-harness --example wordnet_profile --
//! buckets`.

use std::hint::black_box;
use std::time::Instant;

use anyhow::Context as _;

use bench_harness::{
    LEXFILE_PROPERTY, LexfileForm, NaiveParentWalk, Synset, WORDNET_INSTALL_HINT, classify_stated,
    load_data_noun, to_nodes, to_nodes_as, wordnet_dir,
};
use llmkg::ExceptionSystem;
use llmkg::core::{Hierarchy, NodeId};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "resolve".to_owned());
    let rounds: u32 = args
        .next()
        .map_or(Ok(10), |n| n.parse())
        .context("rounds")?;
    let dir = wordnet_dir().context(WORDNET_INSTALL_HINT)?;
    let synsets = load_data_noun(&dir)?;
    if what == "buckets" {
        return print_buckets(&synsets);
    }
    let (nodes, shape) = to_nodes(&synsets)?;
    let ids: Vec<NodeId> = nodes.iter().map(|node| node.id).collect();
    let started = Instant::now();
    let hierarchy = Hierarchy::from_nodes(nodes.clone())?;
    println!("{shape:?}; built in {:?}", started.elapsed());
    let started = Instant::now();
    for &id in &ids {
        black_box(hierarchy.resolve(id, LEXFILE_PROPERTY)?);
    }
    println!("cold pass {:?}", started.elapsed());
    let calls = f64::from(rounds) * ids.len() as f64;
    let started = Instant::now();
    match what.as_str() {
        "resolve" => {
            for _ in 0..rounds {
                for &id in &ids {
                    black_box(hierarchy.resolve(black_box(id), LEXFILE_PROPERTY)?);
                }
            }
        }
        "naive" => {
            let walk = NaiveParentWalk::new(&nodes);
            let started = Instant::now();
            for _ in 0..rounds {
                for &id in &ids {
                    black_box(walk.resolve(black_box(id.0), LEXFILE_PROPERTY));
                }
            }
            println!(
                "{:.1} ns per call",
                started.elapsed().as_nanos() as f64 / calls
            );
            return Ok(());
        }
        "process" => {
            for _ in 0..rounds {
                let mut system = ExceptionSystem::new();
                black_box(system.process_hierarchy(&hierarchy)?);
            }
            let per_round = started.elapsed() / rounds;
            println!("{per_round:?} per process_hierarchy");
            return Ok(());
        }
        other => anyhow::bail!("unknown workload {other:?}: resolve, naive or process"),
    }
    println!(
        "{:.1} ns per call",
        started.elapsed().as_nanos() as f64 / calls
    );
    Ok(())
}

/// Where `process_hierarchy` (default system) put every stated `lexfile`, for both forms.
fn print_buckets(synsets: &[Synset]) -> anyhow::Result<()> {
    for form in [LexfileForm::Topic, LexfileForm::Number] {
        let (nodes, _) = to_nodes_as(synsets, form)?;
        let hierarchy = Hierarchy::from_nodes(nodes.clone())?;
        let expected = classify_stated(&hierarchy, &nodes)?;
        let report = ExceptionSystem::new().process_hierarchy(&hierarchy)?;
        let stored = report.exceptions as f64 / expected.overrides.max(1) as f64;
        println!(
            "{form:?}: {} stated = {} exceptions + {} non-exceptions + {} settled conflicts + {} \
             unreported + {} introduced (balanced: {}); the hierarchy: {} overrides, {} equal, {} \
             settled conflicts, {} roots; {:.2} % of the overrides stored as exceptions",
            report.values_stated,
            report.exceptions,
            report.non_exceptions,
            report.settled_conflicts,
            report.unreported.len(),
            report.introduced,
            report.is_balanced(),
            expected.overrides,
            expected.equal,
            expected.settled_conflicts,
            expected.introduced,
            100.0 * stored,
        );
        for value in report.unreported.iter().take(10) {
            println!(
                "  unreported: {:?} {} {} -> {} (similarity {:.2}, confidence {:.2}, {:?})",
                value.node,
                value.property,
                value.inherited_value,
                value.actual_value,
                value.similarity,
                value.confidence,
                value.reason
            );
        }
    }
    Ok(())
}
