//! Detection speed per node; varies the number of properties (10, 100, 1,000) and the kind
//! of change (the seed's generator: 2/3 of values change type; text: every value is a
//! differing string, so each goes through normalisation and Jaro-Winkler). On the seed's
//! node of 1,000 properties it also splits the cost in two: `seed_find` is the detection
//! alone (`find_node_exceptions`, borrowed results), `seed_owned_output` only builds and
//! drops the owned `Vec<(String, Exception)>` the seed's API returns, copied from a
//! previous detection: the part no detection code can save.
//!
//! The workspace's full suite lives in `bench-harness`; this target is the crate's own
//! quick check. `cargo test -p llmkg-detect --benches` runs it once as a smoke test.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
use llmkg_detect::ExceptionDetector;
use llmkg_exception::Exception;

const PROPERTY_COUNTS: [usize; 3] = [10, 100, 1_000];

/// The seed's `generate_test_nodes(1, n)` node, with every property inherited as `true`.
fn seed_node(n_properties: usize) -> (InheritanceNode, HashMap<String, PropertyValue>) {
    let node_idx = 0_usize;
    let mut node = InheritanceNode::new(NodeId(node_idx as u64), "TestNode_0");
    let mut inherited = HashMap::new();
    for property_idx in 0..n_properties {
        let name = format!("prop_{property_idx}");
        let value = match property_idx % 3 {
            0 => PropertyValue::Boolean(node_idx.is_multiple_of(2)),
            1 => PropertyValue::String(format!("value_{node_idx}_{property_idx}")),
            _ => PropertyValue::Number(node_idx as f64 + property_idx as f64),
        };
        node.local_properties.insert(name.clone(), value);
        inherited.insert(name, PropertyValue::Boolean(true));
    }
    (node, inherited)
}

/// A node whose every property is a string that differs from the inherited string.
fn text_node(n_properties: usize) -> (InheritanceNode, HashMap<String, PropertyValue>) {
    const WORDS: [(&str, &str); 4] = [
        ("red", "crimson"),
        ("can fly", "cannot fly"),
        ("black and white", "grey"),
        ("lives in trees", "lives on ice shelves"),
    ];
    let mut node = InheritanceNode::new(NodeId(1), "TextNode");
    let mut inherited = HashMap::new();
    for property_idx in 0..n_properties {
        let name = format!("prop_{property_idx}");
        let (parent_value, local_value) = WORDS[property_idx % WORDS.len()];
        node.local_properties
            .insert(name.clone(), PropertyValue::from(local_value));
        inherited.insert(name, PropertyValue::from(parent_value));
    }
    (node, inherited)
}

fn bench_detect(c: &mut Criterion) {
    let detector = ExceptionDetector::new(0.8, 0.7);
    let mut group = c.benchmark_group("detect");
    for (variant, generator) in [
        ("seed", seed_node as fn(usize) -> _),
        ("text", text_node as fn(usize) -> _),
    ] {
        for n_properties in PROPERTY_COUNTS {
            let (node, inherited) = generator(n_properties);
            group.throughput(Throughput::Elements(n_properties as u64));
            group.bench_with_input(
                BenchmarkId::new(variant, n_properties),
                &n_properties,
                |b, _| {
                    b.iter(|| {
                        black_box(
                            detector
                                .detect_node_exceptions(black_box(&node), black_box(&inherited)),
                        )
                    });
                },
            );
        }
    }
    let (node, inherited) = seed_node(1_000);
    group.throughput(Throughput::Elements(1_000));
    group.bench_function(BenchmarkId::new("seed_find", 1_000), |b| {
        b.iter(|| {
            black_box(detector.find_node_exceptions(black_box(&node), black_box(&inherited)))
        });
    });
    let detected = detector.detect_node_exceptions(&node, &inherited);
    group.bench_function(BenchmarkId::new("seed_owned_output", 1_000), |b| {
        b.iter(|| {
            let owned: Vec<(String, Exception)> = black_box(&detected)
                .iter()
                .map(|(property, exception)| {
                    let exception = Exception {
                        inherited_value: exception.inherited_value.clone(),
                        actual_value: exception.actual_value.clone(),
                        reason: exception.reason.as_str().to_owned(),
                        source: exception.source,
                        created_at: exception.created_at,
                        confidence: exception.confidence,
                    };
                    (property.as_str().to_owned(), exception)
                })
                .collect();
            black_box(owned)
        });
    });
    group.finish();
}

criterion_group!(benches, bench_detect);
criterion_main!(benches);
