//! Unit tests of the internals: view contents, the cache invariant, and the linearization.

use super::view::{ViewEntry, candidates_in};
use super::*;
use crate::PropertyValue;

fn node(id: u64, name: &str) -> InheritanceNode {
    InheritanceNode::new(NodeId(id), name)
}

/// `D(B, C)`, `B(A)`, `C(A)`, with `E(D)` below.
fn diamond() -> Hierarchy {
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "A").with_property("x", 1i64))
        .unwrap();
    hierarchy
        .insert(node(2, "B").with_parent(NodeId(1)).with_property("y", 2i64))
        .unwrap();
    hierarchy
        .insert(node(3, "C").with_parent(NodeId(1)).with_property("y", 3i64))
        .unwrap();
    hierarchy
        .insert(node(4, "D").with_parent(NodeId(2)).with_parent(NodeId(3)))
        .unwrap();
    hierarchy
        .insert(node(5, "E").with_parent(NodeId(4)))
        .unwrap();
    hierarchy
}

#[test]
fn linearization_matches_c3_on_the_diamond() {
    let hierarchy = diamond();
    assert_eq!(
        hierarchy.ancestors(NodeId(5)).unwrap(),
        vec![NodeId(4), NodeId(2), NodeId(3), NodeId(1)]
    );
}

#[test]
fn linearization_waits_for_every_child_of_a_shared_ancestor() {
    // X(P, Q, R), P(A), Q(B), R(A): A must wait for R, so B comes before A.
    let mut hierarchy = Hierarchy::new();
    for (id, name) in [(1, "A"), (2, "B")] {
        hierarchy.insert(node(id, name)).unwrap();
    }
    hierarchy
        .insert(node(3, "P").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(node(4, "Q").with_parent(NodeId(2)))
        .unwrap();
    hierarchy
        .insert(node(5, "R").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(
            node(6, "X")
                .with_parent(NodeId(3))
                .with_parent(NodeId(4))
                .with_parent(NodeId(5)),
        )
        .unwrap();
    let order: Vec<u64> = hierarchy
        .ancestors(NodeId(6))
        .unwrap()
        .into_iter()
        .map(|id| id.0)
        .collect();
    assert_eq!(order, vec![3, 4, 2, 5, 1]);
}

#[test]
fn views_hold_the_most_specific_candidates_in_resolution_order() {
    let hierarchy = diamond();
    let x = hierarchy.property_ids["x"];
    let y = hierarchy.property_ids["y"];
    // D's view: x from A only (both sides pass the same node), y from B then C.
    let view: Vec<ViewEntry> = hierarchy.with_view(3, <[ViewEntry]>::to_vec);
    assert_eq!(
        candidates_in(&view, x),
        &[ViewEntry {
            property: x,
            candidate: 0
        }]
    );
    let y_candidates: Vec<u32> = candidates_in(&view, y)
        .iter()
        .map(|entry| entry.candidate)
        .collect();
    assert_eq!(y_candidates, vec![1, 2]);
    assert!(candidates_in(&view, 99).is_empty());
    // A node's own values are not part of its own view.
    let b_view: Vec<ViewEntry> = hierarchy.with_view(1, <[ViewEntry]>::to_vec);
    assert!(candidates_in(&b_view, y).is_empty());
}

#[test]
fn a_cached_view_implies_cached_ancestor_views() {
    let mut hierarchy = diamond();
    hierarchy.resolve(NodeId(5), "x").unwrap();
    assert_eq!(hierarchy.view_cache_statistics().cached_views, 5);
    hierarchy.add_parent(NodeId(3), NodeId(2)).unwrap();
    for idx in 0..hierarchy.len() as u32 {
        if hierarchy.views.is_cached(idx) {
            for &parent in &hierarchy.parents[idx as usize] {
                assert!(
                    hierarchy.views.is_cached(parent),
                    "#{idx} cached without parent"
                );
            }
        }
    }
    assert!(hierarchy.views.is_cached(1) && !hierarchy.views.is_cached(2));
    // C now descends from B, so C's own y is more specific than B's for everything below C.
    assert_eq!(
        hierarchy.resolve(NodeId(5), "y").unwrap(),
        Resolution::Inherited {
            value: 3i64.into(),
            from: NodeId(3)
        }
    );
    assert_eq!(hierarchy.depth(NodeId(5)).unwrap(), 4);
}

#[test]
fn reachability_uses_depth_only_to_prune() {
    let hierarchy = diamond();
    assert!(hierarchy.is_ancestor(0, 4));
    assert!(hierarchy.is_ancestor(1, 3));
    assert!(!hierarchy.is_ancestor(1, 2));
    assert!(!hierarchy.is_ancestor(4, 0));
    assert!(!hierarchy.is_ancestor(3, 3));
}

#[test]
fn same_value_treats_nan_as_agreeing() {
    use super::resolution::same_value;
    let nan = PropertyValue::Number(f64::NAN);
    assert!(same_value(&nan, &nan));
    assert!(same_value(
        &PropertyValue::List(vec![nan.clone()]),
        &PropertyValue::List(vec![nan])
    ));
    assert!(!same_value(
        &PropertyValue::Integer(1),
        &PropertyValue::Number(1.0)
    ));
}
