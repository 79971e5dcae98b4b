//! Generators and bit-exact comparisons shared by the unit and property tests.

use std::time::{Duration, Instant};

use llmkg_core::PropertyValue;
use llmkg_exception::{Exception, ExceptionSource};
use proptest::prelude::*;

/// Equality that compares numbers by their bits, so NaN payloads and `-0.0` count.
pub(crate) fn same_value(left: &PropertyValue, right: &PropertyValue) -> bool {
    match (left, right) {
        (PropertyValue::Number(a), PropertyValue::Number(b)) => a.to_bits() == b.to_bits(),
        (PropertyValue::List(a), PropertyValue::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
        }
        _ => left == right,
    }
}

/// Field-by-field equality with [`same_value`] for values and exact `created_at` and
/// confidence bits.
pub(crate) fn same_exception(left: &Exception, right: &Exception) -> bool {
    same_value(&left.inherited_value, &right.inherited_value)
        && same_value(&left.actual_value, &right.actual_value)
        && left.reason == right.reason
        && left.source == right.source
        && left.created_at == right.created_at
        && left.confidence.to_bits() == right.confidence.to_bits()
}

/// Any property value, numbers drawn from raw bits (NaNs, infinities, `-0.0` included).
pub(crate) fn arbitrary_value() -> impl Strategy<Value = PropertyValue> {
    let leaf = prop_oneof![
        Just(PropertyValue::Null),
        any::<bool>().prop_map(PropertyValue::Boolean),
        any::<i64>().prop_map(PropertyValue::Integer),
        any::<u64>().prop_map(|bits| PropertyValue::Number(f64::from_bits(bits))),
        prop_oneof![Just(-0.0), Just(0.0), Just(1.5)].prop_map(PropertyValue::Number),
        "[a-c]{0,3}".prop_map(PropertyValue::String),
        ".{0,12}".prop_map(PropertyValue::String),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(PropertyValue::List)
    })
}

/// Any valid exception, with `created_at` spread up to a day either side of `anchor`.
pub(crate) fn arbitrary_exception(anchor: Instant) -> impl Strategy<Value = Exception> {
    (
        arbitrary_value(),
        arbitrary_value(),
        prop_oneof![Just("Test exception".to_owned()), ".{0,8}"],
        prop::sample::select(ExceptionSource::ALL.to_vec()),
        -86_400_000_000_000_i64..86_400_000_000_000,
        prop_oneof![Just(0.8_f32), Just(-0.0_f32), 0.0_f32..=1.0],
    )
        .prop_map(
            move |(inherited_value, actual_value, reason, source, offset, confidence)| {
                let magnitude = Duration::from_nanos(offset.unsigned_abs());
                let created_at = if offset >= 0 {
                    anchor + magnitude
                } else {
                    anchor.checked_sub(magnitude).unwrap_or(anchor)
                };
                Exception {
                    inherited_value,
                    actual_value,
                    reason,
                    source,
                    created_at,
                    confidence,
                }
            },
        )
}
