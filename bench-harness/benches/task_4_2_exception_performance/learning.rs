//! `pattern_learning`: the seed's `learn_from_exception` over batches of 10, 100 and 1,000
//! examples (one learner per size, learning on across iterations) and one
//! `predict_exception_likelihood` after it.

use std::hint::black_box;

use criterion::{BenchmarkId, Throughput};

use bench_harness::suite::{LEARN, LEARNING_GROUP, LEARNING_SIZES, PREDICT};
use bench_harness::{RoutineCost, generate_exception_patterns};
use llmkg::exceptions::PatternLearner;

use crate::Context;

pub fn register(c: &mut crate::Suite, context: &Context) {
    if !context.wants(LEARNING_GROUP) {
        return;
    }
    let mut group = context.group(c, LEARNING_GROUP, RoutineCost::Light);
    for batch_size in LEARNING_SIZES {
        let mut learner = PatternLearner::new();
        let patterns = generate_exception_patterns(batch_size);

        group.throughput(Throughput::Elements(batch_size as u64));
        group.bench_with_input(BenchmarkId::new(LEARN, batch_size), &batch_size, |b, _| {
            b.iter(|| {
                for (context, exception) in &patterns {
                    learner
                        .learn_from_exception(black_box(exception), black_box(context))
                        .expect("valid example");
                }
            });
        });

        // One prediction per iteration: its throughput is one element, not the batch.
        group.throughput(Throughput::Elements(1));
        let test_context = &patterns[0].0;
        group.bench_with_input(
            BenchmarkId::new(PREDICT, batch_size),
            &batch_size,
            |b, _| {
                b.iter(|| {
                    black_box(learner.predict_exception_likelihood(black_box(test_context)));
                });
            },
        );
    }
    group.finish();
}
