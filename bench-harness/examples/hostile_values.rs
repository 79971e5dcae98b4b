//! Long and nested values through the system's public entry points, timed once each: a quick
//! look for super-linear paths (run with `cargo run --release -p bench-harness --example
//! hostile_values`). Not a benchmark: no statistics, one run per input; the bounded-work tests
//! live next to the code they bound.

use std::collections::HashMap;
use std::time::Instant;

use llmkg::ExceptionSystem;
use llmkg::core::{InheritanceNode, NodeId, PropertyValue};
use llmkg::exceptions::{
    ExceptionContext, ExceptionDetector, PatternLearner, calculate_similarity,
};

fn text(len: usize, seed: u32) -> PropertyValue {
    PropertyValue::String(
        (0..len as u32)
            .map(|i| char::from(b'a' + ((i * seed + i / 13) % 26) as u8))
            .collect(),
    )
}

fn nested(depth: u32, fan_out: usize, leaf: i64) -> PropertyValue {
    if depth == 0 {
        return PropertyValue::Integer(leaf);
    }
    PropertyValue::List(
        (0..fan_out)
            .map(|i| nested(depth - 1, fan_out, leaf + i as i64))
            .collect(),
    )
}

fn timed<T>(label: &str, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = work();
    println!(
        "{label:<60} {:>10.3} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    out
}

/// A node with `parents` parents that all define `p` differently (a wide Nixon diamond),
/// in a flat layout or as a chain whose every member is also a direct parent.
fn wide_conflict(parents: u64, chain: bool) {
    let mut hierarchy = llmkg::core::Hierarchy::new();
    for id in 1..=parents {
        let mut node = InheritanceNode::new(NodeId(id), "parent")
            .with_property("p", PropertyValue::Integer(id as i64));
        if chain && id > 1 {
            node = node.with_parent(NodeId(id - 1));
        }
        hierarchy.insert(node).expect("parent");
    }
    let mut child = InheritanceNode::new(NodeId(parents + 1), "child");
    for id in (1..=parents).rev() {
        child = child.with_parent(NodeId(id));
    }
    timed(
        &format!("hierarchy insert, {parents} parents, chain {chain}"),
        || hierarchy.insert(child).expect("child"),
    );
    timed(
        &format!("hierarchy resolve, {parents} parents, chain {chain}"),
        || hierarchy.resolve(NodeId(parents + 1), "p").map(|_| ()),
    )
    .expect("resolve");
}

fn main() {
    for parents in [1_000, 4_000] {
        wide_conflict(parents, false);
        wide_conflict(parents, true);
    }
    let cases: Vec<(&str, PropertyValue, PropertyValue)> = vec![
        ("text 100k vs 100k", text(100_000, 7), text(100_000, 11)),
        ("text 1M vs 1M", text(1_000_000, 7), text(1_000_000, 11)),
        ("nested 32^3 vs 32^3", nested(3, 32, 0), nested(3, 32, 1)),
        ("nested 8^5 vs 8^5", nested(5, 8, 0), nested(5, 8, 1)),
        (
            "flat 100k vs 100k",
            nested(1, 100_000, 0),
            nested(1, 100_000, 1),
        ),
        (
            "list of 64 x 10k texts",
            PropertyValue::List((1..=64).map(|s| text(10_000, s)).collect()),
            PropertyValue::List((2..=65).map(|s| text(10_000, s)).collect()),
        ),
    ];
    for (label, inherited, actual) in &cases {
        timed(&format!("similarity: {label}"), || {
            calculate_similarity(inherited, actual)
        });
        let detector = ExceptionDetector::new(0.9, 0.1);
        let mut node = InheritanceNode::new(NodeId(2), "child");
        node.local_properties.insert("p".into(), actual.clone());
        let inherited_map: HashMap<String, PropertyValue> =
            [("p".to_string(), inherited.clone())].into_iter().collect();
        timed(&format!("detector: {label}"), || {
            detector.detect_node_exceptions(&node, &inherited_map)
        });
        let mut learner = PatternLearner::new();
        let context = ExceptionContext::new("p", inherited.clone(), actual.clone(), "Child", 1);
        let exception = llmkg::exceptions::Exception::new(
            inherited.clone(),
            actual.clone(),
            "why",
            llmkg::exceptions::ExceptionSource::Explicit,
            0.9,
        );
        timed(&format!("learner learn: {label}"), || {
            learner.learn_from_exception(&exception, &context)
        })
        .expect("learn");
        timed(&format!("learner predict: {label}"), || {
            learner.predict_exception_likelihood(&context)
        });
        let mut system = ExceptionSystem::new();
        let mut root = InheritanceNode::new(NodeId(1), "root");
        root.local_properties.insert("p".into(), inherited.clone());
        system.insert_node(root).expect("root");
        let mut child = InheritanceNode::new(NodeId(2), "child");
        child.parent_ids.push(NodeId(1));
        child.local_properties.insert("p".into(), actual.clone());
        timed(&format!("system insert_node: {label}"), || {
            system.insert_node(child).map(|_| ())
        })
        .expect("insert");
        timed(&format!("system explain: {label}"), || {
            system.explain(NodeId(2), "p").map(|_| ())
        })
        .ok();
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("system.snapshot");
        timed(&format!("system save: {label}"), || {
            system.save_exceptions(&path)
        })
        .expect("save");
        timed(&format!("system load: {label}"), || {
            system.load_exceptions(&path)
        })
        .expect("load");
    }
}
