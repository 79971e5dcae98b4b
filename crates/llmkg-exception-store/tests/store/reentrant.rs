//! Callbacks that call back: every store method that takes user code runs it with no shard
//! lock held, so a callback may add, remove and read on the same store.
//!
//! Each call runs on its own thread and the test waits with a generous timeout, so a
//! deadlock fails the test instead of hanging the suite; nothing here measures speed.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use llmkg_core::NodeId;
use llmkg_exception::ExceptionSource;
use llmkg_exception_store::ExceptionStore;

use super::exception;

const DEADLOCK: Duration = Duration::from_secs(30);

fn without_deadlock<T: Send + 'static>(
    store: &Arc<ExceptionStore>,
    call: impl FnOnce(&ExceptionStore) -> T + Send + 'static,
) -> T {
    let store = Arc::clone(store);
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(call(&store));
    });
    receiver
        .recv_timeout(DEADLOCK)
        .expect("the callback deadlocked on the store (no return within 30 s)")
}

fn filled() -> Arc<ExceptionStore> {
    let store = Arc::new(ExceptionStore::new());
    for node in 0..4 {
        for property in ["a", "b"] {
            store
                .add_exception(
                    NodeId(node),
                    property.into(),
                    exception(node as i64, ExceptionSource::Detected, 0.5),
                )
                .unwrap();
        }
    }
    store
}

#[test]
fn for_each_callbacks_may_write_to_the_store() {
    let store = filled();
    let visited = without_deadlock(&store, |store| {
        let mut visited = 0;
        store.for_each(|node, property, seen| {
            visited += 1;
            // Read, replace, remove and add on the very shard being visited.
            assert_eq!(store.get_exception(node, property).as_ref(), Some(seen));
            store
                .add_exception(node, property.to_owned(), seen.clone())
                .unwrap();
            store.remove_exception(node, property);
            store
                .add_exception(node, format!("{property}-copy"), seen.clone())
                .unwrap();
            let _ = store.len();
            store.for_each_in_node(node, |_, _| {});
        });
        visited
    });
    assert!(visited >= 8, "{visited}");
    assert_eq!(store.len(), 8);
    assert!(store.get_exception(NodeId(0), "a-copy").is_some());
}

#[test]
fn for_each_in_node_callbacks_may_write_to_the_store() {
    let store = filled();
    let visited = without_deadlock(&store, |store| {
        let mut visited = Vec::new();
        store.for_each_in_node(NodeId(2), |property, seen| {
            visited.push(property.to_owned());
            store.remove_exception(NodeId(2), property);
            store
                .add_exception(NodeId(2), format!("{property}-moved"), seen.clone())
                .unwrap();
        });
        visited.sort();
        visited
    });
    // The node as it was when the call began: the moved entries are not visited again.
    assert_eq!(visited, ["a", "b"]);
    assert!(store.get_exception(NodeId(2), "a").is_none());
    assert!(store.get_exception(NodeId(2), "b-moved").is_some());
}

#[test]
fn remove_exception_if_approval_may_read_and_write_the_store() {
    let store = filled();
    // The approval reads the store and writes another property of the same node.
    let removed = without_deadlock(&store, |store| {
        store.remove_exception_if(NodeId(1), "a", |seen| {
            assert_eq!(store.get_exception(NodeId(1), "a").as_ref(), Some(seen));
            store
                .add_exception(NodeId(1), "c".into(), seen.clone())
                .unwrap();
            true
        })
    });
    assert!(removed.is_some());
    assert!(store.get_exception(NodeId(1), "a").is_none());
    assert!(store.get_exception(NodeId(1), "c").is_some());

    // An approval that replaces the very exception it approves: the newer write is kept.
    let kept = without_deadlock(&store, |store| {
        store.remove_exception_if(NodeId(1), "b", |_| {
            store
                .add_exception(
                    NodeId(1),
                    "b".into(),
                    exception(99, ExceptionSource::Explicit, 0.9),
                )
                .unwrap();
            true
        })
    });
    assert!(kept.is_none());
    let now = store.get_exception(NodeId(1), "b").unwrap();
    assert_eq!(now.source, ExceptionSource::Explicit);
}
