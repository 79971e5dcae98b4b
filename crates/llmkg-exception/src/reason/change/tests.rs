//! The change sentences: one per kind, against a model written with `format!`, exactly
//! sized, and the same whether written into a fresh or a caller's buffer.

use llmkg_core::PropertyValue as V;
use proptest::prelude::*;

use super::*;
use crate::similarity::compare;

fn reason_for(property: &str, inherited: V, actual: V) -> String {
    let kind = compare(&inherited, &actual).kind;
    describe_change(property, &inherited, &actual, kind, None)
}

#[test]
fn one_sentence_per_kind() {
    let cases = [
        (
            V::Boolean(true),
            V::Boolean(false),
            "can_fly is false here, overriding the inherited true",
        ),
        (
            V::Number(1.5),
            V::Integer(2),
            "can_fly is 2 here instead of the inherited 1.5",
        ),
        (
            V::from("red"),
            V::from("crimson"),
            r#"can_fly is "crimson" here instead of the inherited "red""#,
        ),
        (
            V::from("can fly"),
            V::from("cannot fly"),
            r#"can_fly is "cannot fly" here, negating the inherited "can fly""#,
        ),
        (
            V::from(vec![1_i64]),
            V::from(vec![1_i64, 2]),
            "can_fly lists 2 values here instead of the inherited 1 value",
        ),
        (
            V::Boolean(true),
            V::Null,
            "can_fly is explicitly unset here, cancelling the inherited boolean value",
        ),
        (
            V::Null,
            V::Integer(3),
            "can_fly is set to an integer here where the inherited value is null",
        ),
        (
            V::Boolean(true),
            V::from("x"),
            "can_fly is a string here, replacing the inherited boolean",
        ),
        (
            V::Integer(3),
            V::Integer(3),
            "can_fly equals the inherited value",
        ),
    ];
    for (inherited, actual, expected) in cases {
        assert_eq!(reason_for("can_fly", inherited, actual), expected);
    }
}

#[test]
fn learned_reason_leads() {
    let reason = describe_change(
        "can_fly",
        &V::Boolean(true),
        &V::Boolean(false),
        ChangeKind::BooleanFlip { to: false },
        Some("Flightless bird"),
    );
    assert_eq!(
        reason,
        "Flightless bird: can_fly is false here, overriding the inherited true"
    );
}

#[test]
fn long_strings_are_shortened() {
    let long = "é".repeat(500);
    let reason = reason_for("motto", V::from("short"), V::from(long.as_str()));
    assert!(reason.chars().count() < 150, "{reason}");
    assert!(reason.contains('\u{2026}'));
}

/// The sentence as a naive writer builds it, one `format!` per piece.
fn model(
    property: &str,
    inherited: &V,
    actual: &V,
    kind: ChangeKind,
    learned_reason: Option<&str>,
) -> String {
    fn count(value: &V) -> String {
        match value {
            V::List(items) if items.len() != 1 => format!("{} values", items.len()),
            _ => "1 value".to_owned(),
        }
    }
    fn plain(value: &V) -> String {
        match value {
            V::Boolean(flag) => flag.to_string(),
            V::Number(number) => format!("{number}"),
            V::Integer(integer) => format!("{integer}"),
            V::String(text) if text.chars().count() > MAX_QUOTED_CHARS => {
                let kept: String = text.chars().take(MAX_QUOTED_CHARS).collect();
                format!("\"{kept}\u{2026}\"")
            }
            V::String(text) => format!("\"{text}\""),
            V::List(_) => count(value),
            V::Null => "null".to_owned(),
        }
    }
    fn with_article(value: &V) -> String {
        let name = value.type_name();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name}")
    }
    let body = match kind {
        ChangeKind::Equal => " equals the inherited value".to_owned(),
        ChangeKind::BooleanFlip { .. } if *actual == V::Boolean(false) => {
            " is false here, overriding the inherited true".to_owned()
        }
        ChangeKind::BooleanFlip { .. } => {
            " is true here, overriding the inherited false".to_owned()
        }
        ChangeKind::Cancelled => format!(
            " is explicitly unset here, cancelling the inherited {} value",
            inherited.type_name()
        ),
        ChangeKind::FilledIn => format!(
            " is set to {} here where the inherited value is null",
            with_article(actual)
        ),
        ChangeKind::TypeChange => format!(
            " is {} here, replacing the inherited {}",
            with_article(actual),
            inherited.type_name()
        ),
        ChangeKind::List => format!(
            " lists {} here instead of the inherited {}",
            count(actual),
            count(inherited)
        ),
        ChangeKind::TextNegation => format!(
            " is {} here, negating the inherited {}",
            plain(actual),
            plain(inherited)
        ),
        ChangeKind::Numeric | ChangeKind::Text => format!(
            " is {} here instead of the inherited {}",
            plain(actual),
            plain(inherited)
        ),
    };
    let learned = learned_reason.map_or_else(String::new, |reason| format!("{reason}: "));
    format!("{learned}{property}{body}")
}

const KINDS: [ChangeKind; 10] = [
    ChangeKind::Equal,
    ChangeKind::BooleanFlip { to: false },
    ChangeKind::BooleanFlip { to: true },
    ChangeKind::Numeric,
    ChangeKind::Text,
    ChangeKind::TextNegation,
    ChangeKind::List,
    ChangeKind::Cancelled,
    ChangeKind::FilledIn,
    ChangeKind::TypeChange,
];

fn value_strategy() -> impl Strategy<Value = V> {
    let number = prop_oneof![
        any::<f64>(),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(f64::MIN_POSITIVE),
        Just(-f64::MIN_POSITIVE),
        Just(5e-324),
        Just(-5e-324),
        Just(-2.225_073_858_507_201e-308),
        Just(f64::NAN),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
    ];
    let leaf = prop_oneof![
        any::<bool>().prop_map(V::Boolean),
        number.prop_map(V::Number),
        any::<i64>().prop_map(V::Integer),
        prop_oneof![Just(i64::MIN), Just(i64::MAX)].prop_map(V::Integer),
        "\\PC{0,70}".prop_map(V::String),
        "[a\u{e9}\u{1F427}]{55,65}".prop_map(V::String),
        Just(V::Null),
    ];
    leaf.prop_recursive(1, 6, 3, |inner| {
        prop::collection::vec(inner, 0..3).prop_map(V::List)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sentences_match_the_model_and_are_exactly_sized(
        property in "\\PC{0,12}",
        inherited in value_strategy(),
        actual in value_strategy(),
        kind in prop::sample::select(&KINDS[..]),
        learned_reason in prop::option::of("\\PC{0,12}"),
    ) {
        let learned_reason = learned_reason.as_deref();
        let expected = model(&property, &inherited, &actual, kind, learned_reason);
        let reason = describe_change(&property, &inherited, &actual, kind, learned_reason);
        prop_assert_eq!(&reason, &expected);
        prop_assert_eq!(reason.capacity(), reason.len());

        let mut out = String::from("before ");
        describe_change_into(&mut out, &property, &inherited, &actual, kind, learned_reason);
        prop_assert_eq!(out, format!("before {expected}"));
    }
}

#[test]
fn type_tables_spell_the_core_type_names() {
    let samples = [
        V::Boolean(false),
        V::Number(0.0),
        V::String(String::new()),
        V::Integer(0),
        V::List(Vec::new()),
        V::Null,
    ];
    for inherited in &samples {
        assert_eq!(
            type_index(inherited),
            samples
                .iter()
                .position(|s| s == inherited)
                .unwrap_or(N_TYPES)
        );
        for actual in &samples {
            for kind in [
                ChangeKind::Cancelled,
                ChangeKind::FilledIn,
                ChangeKind::TypeChange,
            ] {
                assert_eq!(
                    describe_change("p", inherited, actual, kind, None),
                    model("p", inherited, actual, kind, None)
                );
            }
        }
    }
}

#[test]
fn text_longer_than_the_inline_room_spills_to_the_heap() {
    let long = "9".repeat(DIGITS_CAPACITY + 1);
    let mut digits = Digits::new();
    assert_eq!(digits.display(&long), long);
    assert_eq!(digits.spilled, long);
    let mut digits = Digits::new();
    assert_eq!(digits.display(f64::MIN), format!("{}", f64::MIN));
    assert!(digits.spilled.is_empty());
}

#[test]
fn the_longest_numbers_fit_inline() {
    for number in [
        f64::MIN,
        -5e-324,
        -f64::MIN_POSITIVE,
        -2.225_073_858_507_201e-308,
    ] {
        let text = format!("{number}");
        assert!(text.len() <= 327, "{number} takes {} bytes", text.len());
        let mut digits = Digits::new();
        assert_eq!(digits.display(number), text);
        assert!(digits.spilled.is_empty());
    }
}
