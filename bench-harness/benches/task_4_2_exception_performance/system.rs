//! `system`: the one-stop `ExceptionSystem` end to end. `process_node` on the seed's node of
//! 10, 100 and 1,000 properties (every inherited value `true`), each on a fresh system, next to
//! the detector alone on the same node in the same group (`detect_node_exceptions`), so their
//! ratio comes from one run (and the `paired_ratios` step times the same two bodies,
//! `detect` and `process_node`, in alternation); `process_hierarchy` on the realistic generator's 1,000-node
//! hierarchy (a fresh system per iteration); and, on that processed system, a warm
//! `resolved_properties` and `explain` of a node at the deepest level.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Throughput};

use bench_harness::suite::{
    SYSTEM_DETECT, SYSTEM_EXPLAIN, SYSTEM_GROUP, SYSTEM_HIERARCHY_NODES, SYSTEM_NODE_SIZES,
    SYSTEM_PROCESS_HIERARCHY, SYSTEM_PROCESS_NODE, SYSTEM_RESOLVED,
};
use bench_harness::{RoutineCost, generate_realistic_inheritance_hierarchy, generate_test_nodes};
use llmkg::ExceptionSystem;
use llmkg::core::{Hierarchy, InheritanceNode, NodeId, PropertyValue};
use llmkg::exceptions::Exception;

use crate::Context;
use crate::detection::inherited_true;

/// The realistic generator's levels; the width makes [`SYSTEM_HIERARCHY_NODES`] nodes.
const LEVELS: usize = 5;

pub fn register(c: &mut crate::Suite, context: &Context) {
    if !context.wants(SYSTEM_GROUP) {
        return;
    }
    let mut group = context.group(c, SYSTEM_GROUP, RoutineCost::Light);
    for node_size in SYSTEM_NODE_SIZES {
        let nodes = generate_test_nodes(1, node_size);
        let node = &nodes[0];
        let inherited = inherited_true(node_size);
        let system = ExceptionSystem::new();
        group.throughput(Throughput::Elements(node_size as u64));
        group.bench_with_input(
            BenchmarkId::new(SYSTEM_DETECT, node_size),
            &node_size,
            |b, _| {
                b.iter(|| detect(&system, node, &inherited));
            },
        );
        group.bench_with_input(
            BenchmarkId::new(SYSTEM_PROCESS_NODE, node_size),
            &node_size,
            |b, _| {
                b.iter_batched(
                    ExceptionSystem::new,
                    |system| process_node(system, node, &inherited),
                    BatchSize::SmallInput,
                );
            },
        );
    }

    let hierarchy = Hierarchy::from_nodes(generate_realistic_inheritance_hierarchy(
        LEVELS,
        SYSTEM_HIERARCHY_NODES / LEVELS,
    ))
    .expect("the realistic generator builds a valid hierarchy");
    context.configure(&mut group, RoutineCost::Heavy);
    group.throughput(Throughput::Elements(hierarchy.len() as u64));
    group.bench_with_input(
        BenchmarkId::new(SYSTEM_PROCESS_HIERARCHY, SYSTEM_HIERARCHY_NODES),
        &hierarchy,
        |b, hierarchy| {
            b.iter_batched(
                ExceptionSystem::new,
                |mut system| {
                    let report = system
                        .process_hierarchy(black_box(hierarchy))
                        .expect("the generated hierarchy is valid");
                    (system, report)
                },
                BatchSize::LargeInput,
            );
        },
    );

    let mut system = ExceptionSystem::new();
    system
        .process_hierarchy(&hierarchy)
        .expect("the generated hierarchy is valid");
    // The last node of the deepest level: four ancestors above it.
    let deepest = NodeId(SYSTEM_HIERARCHY_NODES as u64 - 1);
    context.configure(&mut group, RoutineCost::Light);
    group.throughput(Throughput::Elements(1));
    // Warm: the first call builds the views, Criterion's warm-up runs it before timing.
    black_box(system.resolved_properties(deepest).expect("a known node"));
    group.bench_function(
        BenchmarkId::new(SYSTEM_RESOLVED, SYSTEM_HIERARCHY_NODES),
        |b| b.iter(|| black_box(system.resolved_properties(black_box(deepest)))),
    );
    group.bench_function(
        BenchmarkId::new(SYSTEM_EXPLAIN, SYSTEM_HIERARCHY_NODES),
        |b| b.iter(|| black_box(system.explain(black_box(deepest), black_box("prop_0")))),
    );
    group.finish();
}

/// The detector-alone body: the system's own detector on the node.
pub fn detect(
    system: &ExceptionSystem,
    node: &InheritanceNode,
    inherited: &HashMap<String, PropertyValue>,
) -> Vec<(String, Exception)> {
    system
        .detector()
        .detect_node_exceptions(black_box(node), black_box(inherited))
}

/// The `process_node` body, on a fresh system; the system and the resolved map are returned,
/// so dropping them is not timed.
pub fn process_node(
    mut system: ExceptionSystem,
    node: &InheritanceNode,
    inherited: &HashMap<String, PropertyValue>,
) -> (ExceptionSystem, HashMap<String, PropertyValue>) {
    let resolved = system
        .process_node(black_box(node), black_box(inherited))
        .expect("the seed's node is valid");
    (system, resolved)
}
