//! Checks that learning and predicting allocate nothing once a learner is warm.
//!
//! No libtest harness: the allocation counters are process-wide, so the checks run one
//! after another on the main thread while no other thread allocates.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use llmkg_core::PropertyValue;
use llmkg_counting_alloc::CountingAllocator;
use llmkg_exception::{Exception, ExceptionSource};
use llmkg_learn::{ExceptionContext, PatternLearner};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

const N_PATTERNS: usize = 1000;

fn main() {
    let checks: [(&str, fn()); 2] = [
        (
            "warm_learning_does_not_allocate",
            warm_learning_does_not_allocate,
        ),
        ("prediction_does_not_allocate", prediction_does_not_allocate),
    ];
    for (name, check) in checks {
        check();
        println!("test {name} ... ok");
    }
    println!("{} allocation checks passed", checks.len());
}

/// The seed's `generate_exception_patterns`, with two siblings added so the sibling
/// extractor runs too.
fn generate_exception_patterns(count: usize) -> Vec<(ExceptionContext, Exception)> {
    (0..count)
        .map(|i| {
            let context = ExceptionContext {
                property_name: format!("prop_{}", i % 10),
                inherited_value: PropertyValue::Boolean(true),
                actual_value: PropertyValue::Boolean(false),
                node_type: format!("Type_{}", i % 5),
                inheritance_depth: (i % 3) as u32 + 1,
                sibling_properties: HashMap::from([
                    ("can_swim".to_owned(), PropertyValue::Boolean(i % 2 == 0)),
                    ("color".to_owned(), PropertyValue::from("black")),
                ]),
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

fn warm_learning_does_not_allocate() {
    let patterns = generate_exception_patterns(N_PATTERNS);
    let mut learner = PatternLearner::new();
    // The first pass creates the patterns and grows every reused reason buffer to the
    // longest reason; after it, learning only updates numbers in place.
    for (context, exception) in &patterns {
        learner.learn_from_exception(exception, context).unwrap();
    }
    let before = ALLOCATOR.snapshot();
    for (context, exception) in &patterns {
        learner
            .learn_from_exception(black_box(exception), black_box(context))
            .unwrap();
    }
    for (context, _) in &patterns[..100] {
        learner.observe_non_exception(black_box(context)).unwrap();
    }
    let delta = ALLOCATOR.snapshot().since(&before);
    assert_eq!(delta.allocations, 0, "{delta:?}");
    assert_eq!(delta.reallocations, 0, "{delta:?}");
    assert_eq!(
        learner.statistics().exceptions_learned,
        2 * N_PATTERNS as u64
    );
}

fn prediction_does_not_allocate() {
    let patterns = generate_exception_patterns(100);
    let mut learner = PatternLearner::new();
    for (context, exception) in &patterns {
        learner.learn_from_exception(exception, context).unwrap();
    }
    let before = ALLOCATOR.snapshot();
    let mut total = 0.0;
    for (context, _) in &patterns {
        total += learner.predict_exception_likelihood(black_box(context));
        total += learner.pattern_support(black_box(context)) as f32;
    }
    let delta = ALLOCATOR.snapshot().since(&before);
    assert!(total > 0.0);
    assert_eq!(delta.allocations, 0, "{delta:?}");
}
