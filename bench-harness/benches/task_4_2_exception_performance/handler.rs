//! `exception_handler`: property resolution through the handler's cache.
//!
//! The seed's `resolve_property/{10,50,90}% cache hit` labels the share of lookups on nodes
//! that have an exception; after the first pass its cache answers every lookup, so its real
//! hit rate is ~100 %. The corrected `resolve_property_true_hit_rate/{10,50,90}` sends the
//! given share of lookups to a warm handler (hits) and the rest to a second handler over the
//! same store whose keys cycle through more entries than its cache holds (misses, checked to
//! be misses after the run). `resolve_cache_hit/single` and `resolve_cache_miss/single` time
//! one resolution of each kind.

use std::cell::Cell;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{BenchmarkId, Throughput};

use bench_harness::RoutineCost;
use bench_harness::suite::{
    HANDLER_GROUP, HANDLER_HIT, HANDLER_HIT_PERCENTS, HANDLER_MISS, HANDLER_SEED_MIX,
    HANDLER_TRUE_MIX,
};
use llmkg::core::{NodeId, PropertyValue};
use llmkg::exceptions::{Exception, ExceptionHandler, ExceptionSource, ExceptionStore};

use crate::Context;

/// Distinct keys the miss handler cycles through: twice its default cache capacity, so an
/// entry is always evicted before its key comes round again.
const MISS_KEYS: u64 = 2 * ExceptionHandler::DEFAULT_CACHE_CAPACITY as u64;
/// Keys the hit handler keeps warm.
const HOT_KEYS: u64 = 64;

fn exception(i: u64) -> Exception {
    Exception {
        inherited_value: PropertyValue::Boolean(true),
        actual_value: PropertyValue::Boolean(false),
        reason: format!("Exception {i}"),
        source: ExceptionSource::Detected,
        created_at: Instant::now(),
        confidence: 0.8,
    }
}

pub fn register(c: &mut crate::Suite, context: &Context) {
    if !context.wants(HANDLER_GROUP) {
        return;
    }
    let mut group = context.group(c, HANDLER_GROUP, RoutineCost::Light);
    register_seed_mix(&mut group);
    register_true_mix(&mut group);
    group.finish();
}

fn register_seed_mix(group: &mut criterion::BenchmarkGroup<'_, bench_harness::SuiteMeasurement>) {
    let store = Arc::new(ExceptionStore::new());
    let handler = ExceptionHandler::new(Arc::clone(&store));
    for i in 0..1000 {
        store
            .add_exception(NodeId(i), "test_prop".to_string(), exception(i))
            .expect("valid exception");
    }
    group.throughput(Throughput::Elements(100));
    for cache_hit_rate in [0.1, 0.5, 0.9] {
        let cache_hits = (cache_hit_rate * 1000.0) as usize;
        group.bench_with_input(
            BenchmarkId::new(
                HANDLER_SEED_MIX,
                format!("{}% cache hit", cache_hit_rate * 100.0),
            ),
            &cache_hit_rate,
            |b, _| {
                b.iter(|| {
                    for i in 0..100 {
                        let node_id = if i < cache_hits / 10 {
                            NodeId(i as u64)
                        } else {
                            NodeId(1000 + i as u64)
                        };
                        black_box(handler.resolve_property(
                            node_id,
                            "test_prop",
                            Some(PropertyValue::Boolean(true)),
                        ));
                    }
                });
            },
        );
    }
}

fn register_true_mix(group: &mut criterion::BenchmarkGroup<'_, bench_harness::SuiteMeasurement>) {
    let store = Arc::new(ExceptionStore::new());
    for i in 0..HOT_KEYS {
        store
            .add_exception(NodeId(i), "test_prop".to_string(), exception(i))
            .expect("valid exception");
    }
    for i in 0..MISS_KEYS {
        store
            .add_exception(NodeId(i), "miss_prop".to_string(), exception(i))
            .expect("valid exception");
    }
    let hit_handler = ExceptionHandler::new(Arc::clone(&store));
    let miss_handler = ExceptionHandler::new(Arc::clone(&store));
    for i in 0..HOT_KEYS {
        hit_handler.resolve_property(NodeId(i), "test_prop", None);
    }
    let next_miss = Cell::new(0_u64);
    let miss = || {
        let key = next_miss.get();
        next_miss.set((key + 1) % MISS_KEYS);
        miss_handler.resolve_property(NodeId(key), "miss_prop", Some(PropertyValue::Boolean(true)))
    };
    let hit = |i: u64| {
        hit_handler.resolve_property(
            NodeId(i % HOT_KEYS),
            "test_prop",
            Some(PropertyValue::Boolean(true)),
        )
    };

    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new(HANDLER_HIT, "single"), |b| {
        b.iter(|| black_box(hit(black_box(7))));
    });
    group.bench_function(BenchmarkId::new(HANDLER_MISS, "single"), |b| {
        b.iter(|| black_box(miss()));
    });

    group.throughput(Throughput::Elements(100));
    for percent in HANDLER_HIT_PERCENTS {
        group.bench_with_input(
            BenchmarkId::new(HANDLER_TRUE_MIX, percent),
            &percent,
            |b, &percent| {
                b.iter(|| {
                    for i in 0..100 {
                        if i < percent {
                            black_box(hit(i as u64));
                        } else {
                            black_box(miss());
                        }
                    }
                });
            },
        );
    }

    // The labels are only true if the two handlers behaved as designed.
    let hits = hit_handler.cache_statistics();
    let misses = miss_handler.cache_statistics();
    assert_eq!(
        hits.misses, HOT_KEYS,
        "the hit handler missed after warming: {hits:?}"
    );
    assert_eq!(misses.hits, 0, "the miss handler hit its cache: {misses:?}");
}
