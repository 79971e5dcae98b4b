//! Measures what a resolution costs on 100,000 nodes over 25 levels (run with `--release`).
//!
//! `cargo run --release -p llmkg-core --example resolution_cost` prints: insertion time,
//! the cold pass that builds every view, warm per-call times of `resolve`,
//! `inherited_properties` and `explain`, and the bytes the cached views hold.

use std::hint::black_box;
use std::time::{Duration, Instant};

use llmkg_core::{Hierarchy, InheritanceNode, NodeId};

const LEVELS: u64 = 25;
const WIDTH: u64 = 4_000;
const WARM_ROUNDS: u64 = 20;

fn id(level: u64, position: u64) -> NodeId {
    NodeId(level * WIDTH + position)
}

fn per_call(elapsed: Duration, calls: u64) -> String {
    format!("{:.0} ns/call", elapsed.as_nanos() as f64 / calls as f64)
}

fn main() -> Result<(), llmkg_core::CoreError> {
    let started = Instant::now();
    let mut hierarchy = Hierarchy::new();
    for level in 0..LEVELS {
        for position in 0..WIDTH {
            let mut node = InheritanceNode::new(id(level, position), "n")
                .with_property(&format!("p{}", level % 5), level as i64);
            if level > 0 {
                let first = (position * 7 + level) % WIDTH;
                node = node.with_parent(id(level - 1, first));
                if position % 10 == 0 {
                    node = node.with_parent(id(level - 1, (first + 1 + position % 97) % WIDTH));
                }
            }
            hierarchy.insert(node)?;
        }
    }
    println!("insert {} nodes: {:?}", hierarchy.len(), started.elapsed());

    let leaves: Vec<NodeId> = (0..WIDTH)
        .map(|position| id(LEVELS - 1, position))
        .collect();
    let cold = Instant::now();
    for &leaf in &leaves {
        black_box(hierarchy.resolve(leaf, "p0")?);
    }
    let stats = hierarchy.view_cache_statistics();
    println!(
        "cold pass over {} leaves (builds {} views): {:?}; views hold {} bytes ({:.1} B/node)",
        leaves.len(),
        stats.views_built,
        cold.elapsed(),
        stats.view_bytes,
        stats.view_bytes as f64 / hierarchy.len() as f64
    );

    let warm = Instant::now();
    for _ in 0..WARM_ROUNDS {
        for &leaf in &leaves {
            black_box(hierarchy.resolve(leaf, "p3")?);
        }
    }
    println!(
        "warm resolve at depth 24: {}",
        per_call(warm.elapsed(), WARM_ROUNDS * WIDTH)
    );
    let shallow = Instant::now();
    for _ in 0..WARM_ROUNDS {
        for position in 0..WIDTH {
            black_box(hierarchy.resolve(id(1, position), "p0")?);
        }
    }
    println!(
        "warm resolve at depth 1: {}",
        per_call(shallow.elapsed(), WARM_ROUNDS * WIDTH)
    );
    let inherited = Instant::now();
    for &leaf in &leaves {
        black_box(hierarchy.inherited_properties(leaf)?);
    }
    println!(
        "warm inherited_properties (5 properties): {}",
        per_call(inherited.elapsed(), WIDTH)
    );
    let explain = Instant::now();
    for &leaf in leaves.iter().take(1_000) {
        black_box(hierarchy.explain(leaf, "p0")?);
    }
    println!(
        "explain at depth 24: {}",
        per_call(explain.elapsed(), 1_000)
    );

    let edit = Instant::now();
    hierarchy.set_property(id(0, 0), "kingdom", "animalia".into())?;
    let dropped = stats.views_built as usize - hierarchy.view_cache_statistics().cached_views;
    println!(
        "new property at a root: drops {} views in {:?}",
        dropped,
        edit.elapsed()
    );
    Ok(())
}
