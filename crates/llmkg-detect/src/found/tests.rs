//! The sort keys: a name's key is its padded first 16 bytes, and the order they give is
//! the names' order, for names sharing long prefixes too.

use std::time::Instant;

use llmkg_core::PropertyValue;
use llmkg_exception::{ChangeKind, ExceptionSource, Reason};
use proptest::prelude::*;

use super::*;

fn padded_key(name: &str) -> u128 {
    let mut padded = [0_u8; 16];
    let n_bytes = name.len().min(16);
    padded[..n_bytes].copy_from_slice(&name.as_bytes()[..n_bytes]);
    u128::from_be_bytes(padded)
}

fn detected(property: &str) -> DetectedException<'_> {
    const VALUE: PropertyValue = PropertyValue::Null;
    DetectedException {
        property,
        inherited_value: &VALUE,
        actual_value: &VALUE,
        reason: Reason::Described {
            kind: ChangeKind::Equal,
            learned: None,
        },
        source: ExceptionSource::Detected,
        created_at: Instant::now(),
        confidence: 0.5,
    }
}

/// Names that share long prefixes, differ late or only in length, and include `\0`.
fn names_strategy() -> impl Strategy<Value = Vec<String>> {
    let name = prop_oneof![
        "[a-c]{0,20}",
        "prop_[0-9]{1,4}",
        "shared_prefix_of_sixteen[a\0b]{0,3}",
        "\\PC{0,18}",
    ];
    prop::collection::hash_set(name, 0..120).prop_map(|names| names.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn name_key_is_the_padded_prefix(name in "\\PC{0,24}") {
        prop_assert_eq!(name_key(&name), padded_key(&name));
    }

    #[test]
    fn order_and_sorted_list_the_names_in_order(names in names_strategy()) {
        let mut expected = names.clone();
        expected.sort();
        let found = Found::new(names.iter().map(|name| detected(name)).collect());
        prop_assert_eq!(found.len(), names.len());
        let ordered: Vec<&str> = found.iter().map(|exception| exception.property).collect();
        prop_assert_eq!(&ordered, &expected);
        let sorted: Vec<&str> = found
            .into_sorted()
            .iter()
            .map(|exception| exception.property)
            .collect();
        prop_assert_eq!(&sorted, &expected);
    }
}

#[test]
fn names_of_every_short_length_key_like_their_padding() {
    let long = "abcdefghijklmnopqrstuvwxyz";
    for len in 0..=long.len() {
        assert_eq!(
            name_key(&long[..len]),
            padded_key(&long[..len]),
            "length {len}"
        );
    }
}
