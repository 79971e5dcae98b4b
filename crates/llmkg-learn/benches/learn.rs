//! Pattern-learning throughput: `learn_from_exception` and `predict_exception_likelihood`
//! on the seed's `generate_exception_patterns` shape, varying the batch size.
//!
//! A smoke version of what `bench-harness` runs in full; run with
//! `cargo bench -p llmkg-learn --bench learn`.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use llmkg_core::PropertyValue;
use llmkg_exception::{Exception, ExceptionSource};
use llmkg_learn::{ExceptionContext, PatternLearner};

const BATCH_SIZES: [usize; 3] = [10, 100, 1000];

/// The seed's generator, unchanged but for the crate paths.
fn generate_exception_patterns(count: usize) -> Vec<(ExceptionContext, Exception)> {
    (0..count)
        .map(|i| {
            let context = ExceptionContext {
                property_name: format!("prop_{}", i % 10),
                inherited_value: PropertyValue::Boolean(true),
                actual_value: PropertyValue::Boolean(false),
                node_type: format!("Type_{}", i % 5),
                inheritance_depth: (i % 3) as u32 + 1,
                sibling_properties: HashMap::new(),
            };
            let exception = Exception {
                inherited_value: PropertyValue::Boolean(true),
                actual_value: PropertyValue::Boolean(false),
                reason: format!("Pattern exception {i}"),
                source: ExceptionSource::Detected,
                created_at: Instant::now(),
                confidence: 0.8,
            };
            (context, exception)
        })
        .collect()
}

fn bench_pattern_learning(c: &mut Criterion) {
    let mut group = c.benchmark_group("learn_crate");
    for batch_size in BATCH_SIZES {
        let mut learner = PatternLearner::new();
        let patterns = generate_exception_patterns(batch_size);
        group.throughput(Throughput::Elements(batch_size as u64));
        group.bench_with_input(
            BenchmarkId::new("learn_patterns", batch_size),
            &batch_size,
            |b, _| {
                b.iter(|| {
                    for (context, exception) in &patterns {
                        let _ =
                            learner.learn_from_exception(black_box(exception), black_box(context));
                    }
                });
            },
        );
        let test_context = &patterns[0].0;
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(
            BenchmarkId::new("predict_likelihood", batch_size),
            &batch_size,
            |b, _| {
                b.iter(|| black_box(learner.predict_exception_likelihood(black_box(test_context))));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_pattern_learning);
criterion_main!(benches);
