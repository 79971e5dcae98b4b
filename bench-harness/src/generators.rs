//! Deterministic input generators: the seed's three, the seed's exception shapes and a seeded
//! index sequence for scattered lookups.
//!
//! Nothing here reads a clock for anything but `created_at` or draws from an unseeded random
//! source: the same arguments give the same nodes, names and values in every run.

use std::collections::HashMap;
use std::time::Instant;

use llmkg::core::{InheritanceNode, NodeId, PropertyValue};
use llmkg::exceptions::{Exception, ExceptionContext, ExceptionKey, ExceptionSource};

/// `count` nodes `TestNode_i`, each with `properties_per_node` local properties `prop_j` whose
/// value cycles through boolean (`i` even), string (`value_i_j`) and number (`i + j`).
///
/// ```
/// let nodes = bench_harness::generate_test_nodes(2, 3);
/// assert_eq!(nodes.len(), 2);
/// assert_eq!(nodes[1].local_properties.len(), 3);
/// assert_eq!(nodes, bench_harness::generate_test_nodes(2, 3));
/// ```
pub fn generate_test_nodes(count: usize, properties_per_node: usize) -> Vec<InheritanceNode> {
    (0..count)
        .map(|i| {
            let mut node = InheritanceNode::new(NodeId(i as u64), &format!("TestNode_{i}"));
            for j in 0..properties_per_node {
                let prop_name = format!("prop_{j}");
                let value = match j % 3 {
                    0 => PropertyValue::Boolean(i % 2 == 0),
                    1 => PropertyValue::String(format!("value_{i}_{j}")),
                    _ => PropertyValue::Number(i as f64 + j as f64),
                };
                node.local_properties.insert(prop_name, value);
            }
            node
        })
        .collect()
}

/// `count` learning examples: `prop_{i % 10}` flipped from `true` to `false` on `Type_{i % 5}`
/// at depth `i % 3 + 1`, each with a confidence-0.8 detected exception.
///
/// ```
/// let patterns = bench_harness::generate_exception_patterns(12);
/// assert_eq!(patterns[11].0.property_name, "prop_1");
/// assert_eq!(patterns[11].0.node_type, "Type_1");
/// ```
pub fn generate_exception_patterns(count: usize) -> Vec<(ExceptionContext, Exception)> {
    let created_at = Instant::now();
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
                created_at,
                confidence: 0.8,
            };
            (context, exception)
        })
        .collect()
}

/// `depth` levels of `width` nodes `Level{l}_Node{k}`; every node below the first level has
/// the node at the same position one level up as its parent, and five boolean properties
/// `prop_0..prop_4` that are `false` on every third node (by id) and `true` elsewhere.
///
/// ```
/// let nodes = bench_harness::generate_realistic_inheritance_hierarchy(3, 4);
/// assert_eq!(nodes.len(), 12);
/// assert_eq!(nodes[5].parent_ids, vec![llmkg::core::NodeId(1)]);
/// ```
pub fn generate_realistic_inheritance_hierarchy(
    depth: usize,
    width: usize,
) -> Vec<InheritanceNode> {
    let mut nodes = Vec::with_capacity(depth * width);
    let mut node_id = 0_u64;
    for level in 0..depth {
        for node_in_level in 0..width {
            let mut node = InheritanceNode::new(
                NodeId(node_id),
                &format!("Level{level}_Node{node_in_level}"),
            );
            if level > 0 {
                let parent_level_start = (level - 1) * width;
                let parent_id = parent_level_start + (node_in_level % width);
                node.parent_ids.push(NodeId(parent_id as u64));
            }
            for prop_idx in 0..5 {
                let value = PropertyValue::Boolean(!node_id.is_multiple_of(3));
                node.local_properties
                    .insert(format!("prop_{prop_idx}"), value);
            }
            nodes.push(node);
            node_id += 1;
        }
    }
    nodes
}

/// The seed's store-bench record: exception `i` on `NodeId(i)`, property `prop_{i % 100}`,
/// `true` overridden by `false` with reason `Exception i`.
///
/// ```
/// let (node, property, exception) = bench_harness::store_exception(7);
/// assert_eq!((node.0, property.as_str()), (7, "prop_7"));
/// assert_eq!(exception.reason, "Exception 7");
/// ```
pub fn store_exception(i: u64) -> (NodeId, String, Exception) {
    (
        NodeId(i),
        format!("prop_{}", i % 100),
        Exception {
            inherited_value: PropertyValue::Boolean(true),
            actual_value: PropertyValue::Boolean(false),
            reason: format!("Exception {i}"),
            source: ExceptionSource::Detected,
            created_at: Instant::now(),
            confidence: 0.8,
        },
    )
}

/// The seed's memory-bench record: property `prop_i` with string values `inherited_i`,
/// `actual_i` and reason `Reason i`.
///
/// ```
/// let (node, property, exception) = bench_harness::memory_exception(3);
/// assert_eq!((node.0, property.as_str(), exception.reason.as_str()), (3, "prop_3", "Reason 3"));
/// ```
pub fn memory_exception(i: u64) -> (NodeId, String, Exception) {
    (
        NodeId(i),
        format!("prop_{i}"),
        Exception {
            inherited_value: PropertyValue::String(format!("inherited_{i}")),
            actual_value: PropertyValue::String(format!("actual_{i}")),
            reason: format!("Reason {i}"),
            source: ExceptionSource::Detected,
            created_at: Instant::now(),
            confidence: 0.8,
        },
    )
}

/// The seed's optimizer-bench record: key `(NodeId(i), i % 100)`, `"default"` overridden by
/// `value_i`, reason `Test exception`.
///
/// ```
/// let (key, exception) = bench_harness::optimizer_exception(205);
/// assert_eq!(key.property_hash, 5);
/// assert_eq!(exception.reason, "Test exception");
/// ```
pub fn optimizer_exception(i: u64) -> (ExceptionKey, Exception) {
    (
        ExceptionKey {
            node_id: NodeId(i),
            property_hash: i % 100,
        },
        Exception {
            inherited_value: PropertyValue::String("default".to_string()),
            actual_value: PropertyValue::String(format!("value_{i}")),
            reason: "Test exception".to_string(),
            source: ExceptionSource::Detected,
            created_at: Instant::now(),
            confidence: 0.8,
        },
    )
}

/// `count` indices in `0..n`, scattered by a SplitMix64 sequence started at `seed`: the same
/// arguments give the same indices in every run. Empty when `n` is zero.
///
/// ```
/// let a = bench_harness::scattered_indices(1000, 5, 42);
/// assert_eq!(a, bench_harness::scattered_indices(1000, 5, 42));
/// assert!(a.iter().all(|&i| i < 1000));
/// ```
pub fn scattered_indices(n: usize, count: usize, seed: u64) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let mut state = seed;
    (0..count)
        .map(|_| {
            // SplitMix64 (Steele, Lea and Flood): a full-period 64-bit sequence.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z % n as u64) as usize
        })
        .collect()
}
