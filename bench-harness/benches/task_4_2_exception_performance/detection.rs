//! `exception_detection`: the seed's `detect_node_exceptions` on one node of 10, 100 and 1,000
//! properties, every inherited value `true`.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{BenchmarkId, Throughput};

use bench_harness::suite::{DETECT, DETECTION_GROUP, DETECTION_SIZES};
use bench_harness::{RoutineCost, generate_test_nodes};
use llmkg::core::PropertyValue;
use llmkg::exceptions::ExceptionDetector;

use crate::Context;

pub fn register(c: &mut crate::Suite, context: &Context) {
    if !context.wants(DETECTION_GROUP) {
        return;
    }
    let mut group = context.group(c, DETECTION_GROUP, RoutineCost::Light);
    let detector = ExceptionDetector::new(0.8, 0.7);
    for node_size in DETECTION_SIZES {
        let nodes = generate_test_nodes(1, node_size);
        let node = &nodes[0];
        let inherited_properties = inherited_true(node_size);
        group.throughput(Throughput::Elements(node_size as u64));
        group.bench_with_input(BenchmarkId::new(DETECT, node_size), &node_size, |b, _| {
            b.iter(|| {
                black_box(
                    detector
                        .detect_node_exceptions(black_box(node), black_box(&inherited_properties)),
                );
            });
        });
    }
    group.finish();
}

/// `prop_0 .. prop_{n-1}`, all inherited as `true`.
pub fn inherited_true(n: usize) -> HashMap<String, PropertyValue> {
    (0..n)
        .map(|i| (format!("prop_{i}"), PropertyValue::Boolean(true)))
        .collect()
}
