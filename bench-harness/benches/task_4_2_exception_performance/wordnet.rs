//! `wordnet`: real data, the 82,115 noun synsets of WordNet 3.0 (`data.noun` from Debian's
//! `wordnet-base`, or `LLMKG_WORDNET_DIR`), hypernyms and instance hypernyms as parents, each
//! synset's lexicographer file as the property `lexfile`, stated where it differs from what the
//! synset inherits.
//!
//! Times building the `Hierarchy`, resolving every synset's `lexfile` cold (no cached view) and
//! warm against a breadth-first parent walk over a `HashMap` (same run), `process_hierarchy`
//! on a fresh system, and adding the exceptions it found to a fresh store; every resolution is
//! checked once against the synset's own file. Where `process_hierarchy` put every stated value
//! (its report's buckets, checked to add up and against what the hierarchy says each value
//! is) and the conflicts found are printed and written to `target/llmkg-bench/wordnet/`. Without the database the group prints how to
//! install it and is skipped; in test mode it runs on the checked-in excerpt.

use std::hint::black_box;

use anyhow::{Context as _, ensure};
use criterion::{BatchSize, BenchmarkId, Throughput};
use serde::Serialize;

use bench_harness::suite::{
    WORDNET_BUILD, WORDNET_EXCERPT, WORDNET_FULL, WORDNET_GROUP, WORDNET_NAIVE, WORDNET_PROCESS,
    WORDNET_RESOLVE_COLD, WORDNET_RESOLVE_WARM, WORDNET_STORE,
};
use bench_harness::{
    LEXFILE_PROPERTY, NaiveParentWalk, RoutineCost, RunMode, WORDNET_INSTALL_HINT, WordNetShape,
    classify_stated, load_data_noun, parse_data_noun, target_dir, to_nodes, wordnet_dir,
};
use llmkg::core::{Hierarchy, NodeId, PropertyValue};
use llmkg::exceptions::{Exception, ExceptionStore};
use llmkg::{ExceptionSystem, ProcessReport};

use crate::Context;

/// What the run found, written next to the measurements.
#[derive(Debug, Serialize)]
struct Findings {
    data_set: &'static str,
    synsets: usize,
    roots: usize,
    multiple_parents: usize,
    disagreeing_parents: usize,
    stated: usize,
    /// What the hierarchy says the stated values are.
    overrides: usize,
    equal: usize,
    /// `process_hierarchy`'s buckets: they sum to `stated`.
    exceptions: usize,
    non_exceptions: usize,
    settled_conflicts: usize,
    unreported: usize,
    introduced: usize,
    conflicts: usize,
}

/// The checked-in excerpt of `data.noun`, for test mode.
const WORDNET_EXCERPT_BYTES: &[u8] = include_bytes!("../../tests/fixtures/wordnet/data.noun");

pub fn register(c: &mut crate::Suite, context: &Context) -> anyhow::Result<()> {
    if !context.wants(WORDNET_GROUP) {
        return Ok(());
    }
    // The excerpt is compiled in: a cached build of another commit (the gate's baseline) runs
    // after the worktree it was built in is gone.
    let (synsets, data_set) = if context.mode == RunMode::Test {
        let excerpt = parse_data_noun(WORDNET_EXCERPT_BYTES).context("parsing the excerpt")?;
        (excerpt, WORDNET_EXCERPT)
    } else if let Some(dir) = wordnet_dir() {
        let synsets = load_data_noun(&dir).with_context(|| format!("reading {}", dir.display()))?;
        (synsets, WORDNET_FULL)
    } else {
        println!("{WORDNET_GROUP}: skipped. {WORDNET_INSTALL_HINT}");
        return Ok(());
    };
    let (nodes, shape) = to_nodes(&synsets)?;
    let ids: Vec<NodeId> = nodes.iter().map(|node| node.id).collect();
    let expected: Vec<PropertyValue> = synsets
        .iter()
        .map(|synset| PropertyValue::String(synset.topic().to_owned()))
        .collect();
    let cold = Hierarchy::from_nodes(nodes.clone()).context("building the noun hierarchy")?;
    let naive = NaiveParentWalk::new(&nodes);

    let warm = cold.clone();
    for (&id, expected) in ids.iter().zip(&expected) {
        let resolution = warm.resolve(id, LEXFILE_PROPERTY)?;
        ensure!(
            resolution.value() == Some(expected),
            "{id:?}: {resolution:?}"
        );
        ensure!(
            naive.resolve(id.0, LEXFILE_PROPERTY) == Some(expected),
            "{id:?} (naive walk)"
        );
    }
    let mut processed = ExceptionSystem::new();
    let report = processed.process_hierarchy(&cold)?;
    let expected = classify_stated(&cold, &nodes)?;
    ensure!(
        report.is_balanced() && report.values_stated == shape.stated,
        "the report's buckets do not add up to the {} stated values: {report:?}",
        shape.stated
    );
    let mut found: Vec<(NodeId, String, Exception)> = Vec::with_capacity(report.exceptions);
    processed.store().for_each(|node, property, exception| {
        found.push((node, property.to_owned(), exception.clone()));
    });
    let mut conflicts = 0;
    for &id in &ids {
        conflicts += warm.conflicts(id)?.len();
    }
    write_findings(&Findings {
        data_set,
        synsets: shape.synsets,
        roots: shape.roots,
        multiple_parents: shape.multiple_parents,
        disagreeing_parents: shape.disagreeing_parents,
        stated: shape.stated,
        overrides: expected.overrides,
        equal: expected.equal,
        exceptions: report.exceptions,
        non_exceptions: report.non_exceptions,
        settled_conflicts: report.settled_conflicts,
        unreported: report.unreported.len(),
        introduced: report.introduced,
        conflicts,
    })?;
    print_shape(data_set, &shape, &report, expected.overrides, conflicts);

    let mut group = context.group(c, WORDNET_GROUP, RoutineCost::Heavy);
    group.throughput(Throughput::Elements(ids.len() as u64));
    group.bench_function(BenchmarkId::new(WORDNET_BUILD, data_set), |b| {
        b.iter_batched(
            || nodes.clone(),
            |nodes| Hierarchy::from_nodes(nodes).expect("built once above"),
            BatchSize::LargeInput,
        );
    });
    group.bench_function(BenchmarkId::new(WORDNET_RESOLVE_COLD, data_set), |b| {
        b.iter_batched(
            || cold.clone(),
            |hierarchy| {
                for &id in &ids {
                    black_box(hierarchy.resolve(id, LEXFILE_PROPERTY).expect("a known id"));
                }
                hierarchy
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function(BenchmarkId::new(WORDNET_RESOLVE_WARM, data_set), |b| {
        b.iter(|| {
            for &id in &ids {
                black_box(
                    warm.resolve(black_box(id), LEXFILE_PROPERTY)
                        .expect("a known id"),
                );
            }
        });
    });
    group.bench_function(BenchmarkId::new(WORDNET_NAIVE, data_set), |b| {
        b.iter(|| {
            for &id in &ids {
                black_box(naive.resolve(black_box(id.0), LEXFILE_PROPERTY));
            }
        });
    });
    group.bench_function(BenchmarkId::new(WORDNET_PROCESS, data_set), |b| {
        b.iter_batched(
            ExceptionSystem::new,
            |mut system| {
                let report = system
                    .process_hierarchy(&cold)
                    .expect("processed once above");
                (system, report)
            },
            BatchSize::LargeInput,
        );
    });
    group.throughput(Throughput::Elements(found.len() as u64));
    group.bench_function(BenchmarkId::new(WORDNET_STORE, data_set), |b| {
        b.iter_batched(
            || found.clone(),
            |found| {
                let store = ExceptionStore::new();
                for (node, property, exception) in found {
                    store
                        .add_exception(node, property, exception)
                        .expect("stored once above");
                }
                store
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
    Ok(())
}

fn print_shape(
    data_set: &str,
    shape: &WordNetShape,
    report: &ProcessReport,
    overrides: usize,
    conflicts: usize,
) {
    println!(
        "{WORDNET_GROUP} ({data_set}): {} synsets, {} roots, {} with several hypernyms ({} of \
         them disagreeing about the lexicographer file), {} state it ({} overriding what they \
         inherit); process_hierarchy: {} exceptions, {} non-exceptions, {} settled conflicts, {} \
         unreported, {} introduced; the hierarchy {} conflicts",
        shape.synsets,
        shape.roots,
        shape.multiple_parents,
        shape.disagreeing_parents,
        shape.stated,
        overrides,
        report.exceptions,
        report.non_exceptions,
        report.settled_conflicts,
        report.unreported.len(),
        report.introduced,
        conflicts
    );
}

fn write_findings(findings: &Findings) -> anyhow::Result<()> {
    let dir = target_dir().join("llmkg-bench").join("wordnet");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("wordnet_{}.json", findings.data_set));
    std::fs::write(&path, serde_json::to_string_pretty(findings)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
