//! `end_to_end`: the seed's whole workflow over a five-level hierarchy of 100 and 1,000
//! nodes: detect, store, apply through the handler, learn, then optimize. Creating the
//! components is part of the timed work, as in the seed; the hierarchy is built outside, and
//! the components are dropped after the clock (`iter_with_large_drop`): freeing a thousand
//! nodes' records inside the timing made the 1,000-node row's interval ±36 % wide.
//!
//! As in the seed, nothing is stored in the optimizer, so its `optimize_storage` is the cost
//! of optimizing an empty optimizer.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Throughput};

use bench_harness::suite::{END_TO_END_GROUP, END_TO_END_SIZES, WORKFLOW};
use bench_harness::{RoutineCost, generate_realistic_inheritance_hierarchy};
use llmkg::core::PropertyValue;
use llmkg::exceptions::{
    ExceptionContext, ExceptionDetector, ExceptionHandler, ExceptionStore, PatternLearner,
    StorageOptimizer,
};

use crate::Context;

pub fn register(c: &mut crate::Suite, context: &Context) {
    if !context.wants(END_TO_END_GROUP) {
        return;
    }
    let mut group = context.group(c, END_TO_END_GROUP, RoutineCost::Heavy);
    for scenario_size in END_TO_END_SIZES {
        let hierarchy = generate_realistic_inheritance_hierarchy(5, scenario_size / 5);
        group.throughput(Throughput::Elements(scenario_size as u64));
        group.bench_with_input(
            BenchmarkId::new(WORKFLOW, scenario_size),
            &scenario_size,
            |b, _| {
                b.iter_with_large_drop(|| {
                    let store = Arc::new(ExceptionStore::new());
                    let detector = ExceptionDetector::new(0.8, 0.7);
                    let handler = ExceptionHandler::new(Arc::clone(&store));
                    let mut learner = PatternLearner::new();
                    let mut optimizer = StorageOptimizer::new(scenario_size);

                    for node in &hierarchy {
                        let inherited_properties: HashMap<String, PropertyValue> = node
                            .local_properties
                            .keys()
                            .map(|k| (k.clone(), PropertyValue::Boolean(true)))
                            .collect();

                        let exceptions =
                            detector.detect_node_exceptions(node, &inherited_properties);

                        for (prop, exception) in &exceptions {
                            store
                                .add_exception(node.id, prop.clone(), exception.clone())
                                .expect("valid exception");
                        }

                        let mut resolved_props = inherited_properties.clone();
                        handler.apply_exceptions_to_node(node.id, &mut resolved_props);

                        for (prop, exception) in &exceptions {
                            let context = ExceptionContext {
                                property_name: prop.clone(),
                                inherited_value: exception.inherited_value.clone(),
                                actual_value: exception.actual_value.clone(),
                                node_type: node.node_type.clone(),
                                inheritance_depth: 2,
                                sibling_properties: node.local_properties.clone(),
                            };
                            learner
                                .learn_from_exception(exception, &context)
                                .expect("valid example");
                        }
                    }

                    black_box(optimizer.optimize_storage());
                    (store, handler, learner, optimizer)
                });
            },
        );
    }
    group.finish();
}
