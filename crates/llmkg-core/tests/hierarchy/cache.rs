//! The view cache: invalidation of descendants only, and sharing across threads.

use llmkg_core::{Hierarchy, NodeId};

use super::{nixon, node};

#[test]
fn editing_a_property_high_up_invalidates_only_descendants() {
    // Root -> Left -> LeftLeaf, Root -> Right -> RightLeaf.
    let mut hierarchy = Hierarchy::new();
    hierarchy
        .insert(node(1, "Root").with_property("colour", "grey"))
        .unwrap();
    hierarchy
        .insert(node(2, "Left").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(node(3, "LeftLeaf").with_parent(NodeId(2)))
        .unwrap();
    hierarchy
        .insert(node(4, "Right").with_parent(NodeId(1)))
        .unwrap();
    hierarchy
        .insert(node(5, "RightLeaf").with_parent(NodeId(4)))
        .unwrap();
    for id in 1..=5 {
        hierarchy.resolve(NodeId(id), "colour").unwrap();
    }
    assert_eq!(hierarchy.view_cache_statistics().cached_views, 5);
    assert_eq!(hierarchy.view_cache_statistics().views_built, 5);
    // Repeated resolutions build nothing.
    hierarchy.resolve(NodeId(3), "colour").unwrap();
    assert_eq!(hierarchy.view_cache_statistics().views_built, 5);

    // A new property on Left: Left's descendants are rebuilt, everything else is kept.
    hierarchy
        .set_property(NodeId(2), "colour", "green".into())
        .unwrap();
    assert!(!hierarchy.is_view_cached(NodeId(3)));
    for kept in [1, 2, 4, 5] {
        assert!(
            hierarchy.is_view_cached(NodeId(kept)),
            "view of #{kept} was dropped"
        );
    }
    assert_eq!(
        hierarchy.resolve(NodeId(3), "colour").unwrap().value(),
        Some(&"green".into())
    );
    assert_eq!(hierarchy.view_cache_statistics().views_built, 6);

    // Changing an existing value high up invalidates nothing, and everyone sees it.
    hierarchy
        .set_property(NodeId(1), "colour", "blue".into())
        .unwrap();
    assert_eq!(hierarchy.view_cache_statistics().cached_views, 5);
    assert_eq!(
        hierarchy.resolve(NodeId(5), "colour").unwrap().value(),
        Some(&"blue".into())
    );
    assert_eq!(
        hierarchy.resolve(NodeId(3), "colour").unwrap().value(),
        Some(&"green".into())
    );

    // A brand-new property at the root reaches every descendant.
    hierarchy
        .set_property(NodeId(1), "size", 3i64.into())
        .unwrap();
    assert_eq!(hierarchy.view_cache_statistics().cached_views, 1);
    for id in 2..=5 {
        assert_eq!(
            hierarchy.resolve(NodeId(id), "size").unwrap().value(),
            Some(&3i64.into())
        );
    }
    // Removing Left's override lets the root's value through again.
    hierarchy.remove_property(NodeId(2), "colour").unwrap();
    assert!(hierarchy.is_view_cached(NodeId(5)));
    assert_eq!(
        hierarchy.resolve(NodeId(3), "colour").unwrap().value(),
        Some(&"blue".into())
    );
    assert!(hierarchy.view_cache_statistics().view_bytes > 0);
}

#[test]
fn hierarchy_is_send_sync_clone_and_resolves_from_many_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Hierarchy>();
    let hierarchy = nixon(true);
    let copy = hierarchy.clone();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| hierarchy.resolve(NodeId(3), "pacifist").unwrap()))
            .collect();
        for handle in handles {
            assert!(handle.join().unwrap().is_conflict());
        }
    });
    let mut edited = copy;
    edited
        .set_property(NodeId(3), "pacifist", false.into())
        .unwrap();
    assert!(
        hierarchy
            .resolve(NodeId(3), "pacifist")
            .unwrap()
            .is_conflict()
    );
    assert!(format!("{hierarchy:?}").contains("len: 3"));
}
