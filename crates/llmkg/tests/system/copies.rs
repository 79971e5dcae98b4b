//! One live copy per key, even when a caller writes through `store()`; cold exceptions apply
//! wherever a value is resolved.

use std::time::Duration;

use llmkg::ExceptionSystem;
use llmkg::core::PropertyValue;
use llmkg::exceptions::{Exception, ExceptionSource};

use super::{PENGUIN, birds};

/// Review finding 5: after `optimize`, a write through `store()` listed two copies, and the
/// saved file could not be loaded ("appears twice").
#[test]
fn a_write_through_the_store_shadows_the_cold_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    let count = system.exception_count();
    system.optimize(Duration::ZERO).unwrap();
    assert!(system.store().is_empty());
    let newer = Exception::new(
        true.into(),
        PropertyValue::String("only underwater".into()),
        "written through the store",
        ExceptionSource::Explicit,
        1.0,
    );
    system
        .store()
        .add_exception(PENGUIN, "can_fly".into(), newer.clone())
        .unwrap();
    let check = |system: &ExceptionSystem| {
        let listed: Vec<_> = system
            .exceptions_for_node(PENGUIN)
            .into_iter()
            .filter(|(name, _)| name == "can_fly")
            .collect();
        assert_eq!(listed, vec![("can_fly".to_string(), newer.clone())]);
        assert_eq!(system.exception_count(), count);
        assert_eq!(
            system.get_exception(PENGUIN, "can_fly"),
            Some(newer.clone())
        );
    };
    check(&system);
    let path = dir.path().join("system.snap");
    system.save_exceptions(&path).unwrap();
    let mut reloaded = ExceptionSystem::new();
    reloaded.process_hierarchy(&birds()).unwrap();
    reloaded.load_exceptions(&path).unwrap();
    check(&reloaded);
    // The next optimize moves the store's copy over the shadowed one.
    let report = system.optimize(Duration::ZERO).unwrap();
    assert_eq!((report.moved, report.kept), (1, 0));
    assert!(system.store().is_empty());
    check(&system);
}

#[test]
fn remove_if_spares_a_newer_write() {
    let store = llmkg::exceptions::ExceptionStore::new();
    let seen = Exception::new(
        true.into(),
        false.into(),
        "old",
        ExceptionSource::Detected,
        0.9,
    );
    let newer = Exception::new(
        true.into(),
        false.into(),
        "new",
        ExceptionSource::Explicit,
        1.0,
    );
    store
        .add_exception(PENGUIN, "can_fly".into(), newer.clone())
        .unwrap();
    assert_eq!(
        store.remove_exception_if(PENGUIN, "can_fly", |now| *now == seen),
        None
    );
    assert_eq!(store.get_exception(PENGUIN, "can_fly"), Some(newer.clone()));
    assert_eq!(
        store.remove_exception_if(PENGUIN, "can_fly", |now| *now == newer),
        Some(newer)
    );
    assert!(store.is_empty());
    assert_eq!(
        store.remove_exception_if(PENGUIN, "can_fly", |_| true),
        None
    );
}

/// Review finding 6: after `optimize`, resolving through the handler lost cold exceptions.
#[test]
fn cold_exceptions_still_resolve() {
    let mut system = ExceptionSystem::new();
    system.process_hierarchy(&birds()).unwrap();
    let inherited = Some(PropertyValue::Boolean(true));
    let hot = system.resolve_property(PENGUIN, "can_fly", inherited.clone());
    assert_eq!(hot, Some(PropertyValue::Boolean(false)));
    let resolved = system.resolved_properties(PENGUIN).unwrap();
    system.optimize(Duration::ZERO).unwrap();
    assert!(system.store().is_empty());
    assert_eq!(
        system.resolve_property(PENGUIN, "can_fly", inherited.clone()),
        hot
    );
    assert_eq!(system.resolved_properties(PENGUIN).unwrap(), resolved);
    // The handler sees the hot exceptions only, as documented.
    assert_eq!(
        system
            .handler()
            .resolve_property(PENGUIN, "can_fly", inherited.clone()),
        inherited
    );
    assert_eq!(system.resolve_property(PENGUIN, "unknown", None), None);
}
