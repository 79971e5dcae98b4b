//! The depth bound: the same limit for values from callers and values from bytes, and the
//! decoder compatible with the derived encoding it replaced.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{CoreError, MAX_VALUE_DEPTH, PropertyValue};

fn nested(depth: usize) -> PropertyValue {
    let mut value = PropertyValue::Integer(7);
    for _ in 0..depth {
        value = PropertyValue::List(vec![value]);
    }
    value
}

/// The enum as `#[derive]` would write and read it, to show the formats agree.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Derived {
    Boolean(bool),
    Number(f64),
    String(String),
    Integer(i64),
    List(Vec<Derived>),
    Null,
}

fn to_derived(value: &PropertyValue) -> Derived {
    match value {
        PropertyValue::Boolean(b) => Derived::Boolean(*b),
        PropertyValue::Number(n) => Derived::Number(*n),
        PropertyValue::String(s) => Derived::String(s.clone()),
        PropertyValue::Integer(i) => Derived::Integer(*i),
        PropertyValue::List(items) => Derived::List(items.iter().map(to_derived).collect()),
        PropertyValue::Null => Derived::Null,
    }
}

#[test]
fn the_limit_is_inclusive_for_callers_and_for_bytes() {
    assert!(nested(MAX_VALUE_DEPTH).check_depth().is_ok());
    assert_eq!(
        nested(MAX_VALUE_DEPTH + 1).check_depth(),
        Err(CoreError::ValueTooDeep {
            limit: MAX_VALUE_DEPTH
        })
    );
    let ok = postcard::to_stdvec(&nested(MAX_VALUE_DEPTH)).unwrap();
    assert_eq!(
        postcard::from_bytes::<PropertyValue>(&ok).unwrap(),
        nested(MAX_VALUE_DEPTH)
    );
    let deep = postcard::to_stdvec(&nested(MAX_VALUE_DEPTH + 1)).unwrap();
    let error = postcard::from_bytes::<PropertyValue>(&deep).unwrap_err();
    assert!(matches!(error, postcard::Error::SerdeDeCustom), "{error:?}");
}

#[test]
fn a_200000_deep_list_in_bytes_is_an_error_not_a_stack_overflow() {
    // Postcard bytes of List(List(...(Null))) 200,000 deep, built without recursion:
    // variant 4 (List), length 1, repeated; then variant 5 (Null).
    let mut bytes = [4_u8, 1].repeat(200_000);
    bytes.push(5);
    assert!(postcard::from_bytes::<PropertyValue>(&bytes).is_err());
    let mut json = "{\"List\":[".repeat(200_000);
    json.push_str("\"Null\"");
    assert!(serde_json::from_str::<PropertyValue>(&json).is_err());
}

fn any_value() -> impl Strategy<Value = PropertyValue> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(PropertyValue::Boolean),
        any::<f64>().prop_map(PropertyValue::Number),
        ".{0,8}".prop_map(PropertyValue::String),
        any::<i64>().prop_map(PropertyValue::Integer),
        Just(PropertyValue::Null),
    ];
    leaf.prop_recursive(6, 32, 4, |inner| {
        proptest::collection::vec(inner, 0..4).prop_map(PropertyValue::List)
    })
}

proptest! {
    /// The hand-written decoder reads exactly what the derived one would, in postcard and JSON.
    #[test]
    fn decoding_agrees_with_the_derived_format(value in any_value()) {
        let bytes = postcard::to_stdvec(&value).unwrap();
        prop_assert_eq!(&bytes, &postcard::to_stdvec(&to_derived(&value)).unwrap());
        let decoded: PropertyValue = postcard::from_bytes(&bytes).unwrap();
        prop_assert_eq!(to_derived(&decoded), postcard::from_bytes::<Derived>(&bytes).unwrap());
        if !matches!(value, PropertyValue::Number(n) if !n.is_finite()) {
            let json = serde_json::to_string(&value).unwrap();
            let decoded: PropertyValue = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(to_derived(&decoded), serde_json::from_str::<Derived>(&json).unwrap());
        }
    }

    /// Arbitrary bytes decode or fail; they never panic or overflow the stack.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(value) = postcard::from_bytes::<PropertyValue>(&bytes) {
            prop_assert!(value.check_depth().is_ok());
        }
    }
}
