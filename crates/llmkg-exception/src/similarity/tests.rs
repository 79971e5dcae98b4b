//! Unit tests of value similarity: one test per rule, with the pairs the rules exist for.

use llmkg_core::PropertyValue as V;

use super::*;

fn text(s: &str) -> V {
    V::from(s)
}

#[test]
fn spelling_variants_are_similar() {
    let score = calculate_similarity(&text("color"), &text("colour"));
    assert!(score > 0.95 && score < 1.0, "color/colour scored {score}");
}

#[test]
fn case_and_separators_do_not_count() {
    assert_eq!(
        calculate_similarity(&text("Dark_Red"), &text("dark red")),
        1.0
    );
    assert_eq!(
        calculate_similarity(&text("dark-red"), &text("DARK  RED")),
        1.0
    );
}

#[test]
fn unrelated_words_are_dissimilar() {
    let score = calculate_similarity(&text("red"), &text("crimson"));
    assert!((0.45..0.55).contains(&score), "red/crimson scored {score}");
}

#[test]
fn negation_is_never_similar() {
    // Jaro-Winkler alone scores this pair 0.93.
    assert!(strsim::jaro_winkler("can fly", "cannot fly") > 0.9);
    assert_eq!(
        calculate_similarity(&text("can fly"), &text("cannot fly")),
        0.0
    );
    assert_eq!(
        calculate_similarity(&text("is venomous"), &text("isn't venomous")),
        0.0
    );
    assert_eq!(
        compare(&text("can fly"), &text("cannot fly")).kind,
        ChangeKind::TextNegation
    );
}

#[test]
fn numeric_strings_compare_numerically() {
    // Jaro-Winkler alone scores this pair 0.91.
    assert!(strsim::jaro_winkler("10", "100") > 0.9);
    assert!((calculate_similarity(&text("10"), &text("100")) - 0.1).abs() < 1e-6);
    assert!(calculate_similarity(&text("100"), &text("101")) > 0.98);
    assert!((calculate_similarity(&text("10 kg"), &text("12kg")) - 0.8333).abs() < 1e-3);
}

#[test]
fn numbers_compare_by_relative_difference() {
    assert!((calculate_similarity(&V::Number(10.0), &V::Number(100.0)) - 0.1).abs() < 1e-6);
    assert!((calculate_similarity(&V::Number(100.0), &V::Number(99.0)) - 0.99).abs() < 1e-6);
    assert_eq!(calculate_similarity(&V::Number(-1.0), &V::Number(1.0)), 0.0);
    assert_eq!(calculate_similarity(&V::Number(0.0), &V::Number(-0.0)), 1.0);
    assert_eq!(
        calculate_similarity(&V::Number(f64::MAX), &V::Number(-f64::MAX)),
        0.0
    );
}

#[test]
fn non_finite_numbers() {
    assert_eq!(
        calculate_similarity(&V::Number(f64::NAN), &V::Number(f64::NAN)),
        1.0
    );
    assert_eq!(
        compare(&V::Number(f64::NAN), &V::Number(f64::NAN)).kind,
        ChangeKind::Equal
    );
    assert_eq!(
        calculate_similarity(&V::Number(f64::NAN), &V::Number(1.0)),
        0.0
    );
    assert_eq!(
        calculate_similarity(&V::Number(f64::INFINITY), &V::Number(1e300)),
        0.0
    );
    assert_eq!(
        calculate_similarity(&V::Number(f64::INFINITY), &V::Number(f64::INFINITY)),
        1.0
    );
}

#[test]
fn integers_compare_numerically_and_exactly() {
    assert_eq!(calculate_similarity(&V::Integer(4), &V::Number(4.0)), 1.0);
    assert!((calculate_similarity(&V::Integer(10), &V::Number(100.0)) - 0.1).abs() < 1e-6);
    assert_eq!(
        calculate_similarity(&V::Integer(i64::MIN), &V::Integer(i64::MAX)),
        0.0
    );
    assert!(calculate_similarity(&V::Integer(i64::MAX), &V::Integer(i64::MAX - 1)) > 0.999);
    assert_eq!(
        compare(&V::Integer(2), &V::Integer(4)).kind,
        ChangeKind::Numeric
    );
}

#[test]
fn booleans_are_all_or_nothing() {
    assert_eq!(
        calculate_similarity(&V::Boolean(true), &V::Boolean(true)),
        1.0
    );
    assert_eq!(
        calculate_similarity(&V::Boolean(true), &V::Boolean(false)),
        0.0
    );
}

#[test]
fn different_types_are_dissimilar() {
    assert_eq!(calculate_similarity(&V::Boolean(true), &text("true")), 0.0);
    assert_eq!(calculate_similarity(&V::Number(10.0), &text("10")), 0.0);
    assert_eq!(
        compare(&V::Boolean(true), &V::Number(1.0)).kind,
        ChangeKind::TypeChange
    );
}

#[test]
fn null_is_dissimilar_to_everything_but_null() {
    assert_eq!(calculate_similarity(&V::Null, &V::Null), 1.0);
    assert_eq!(calculate_similarity(&V::Null, &V::Boolean(false)), 0.0);
    assert_eq!(calculate_similarity(&text(""), &V::Null), 0.0);
    assert_eq!(compare(&V::Null, &V::Integer(1)).kind, ChangeKind::FilledIn);
    assert_eq!(
        compare(&V::Integer(1), &V::Null).kind,
        ChangeKind::Cancelled
    );
}

#[test]
fn lists_match_as_sets() {
    let fish_krill = V::from(vec!["fish", "krill"]);
    assert_eq!(
        calculate_similarity(&fish_krill, &V::from(vec!["krill", "fish"])),
        1.0
    );
    assert!(calculate_similarity(&V::from(vec!["color"]), &V::from(vec!["colour"])) > 0.95);
    let one_shared = calculate_similarity(&fish_krill, &V::from(vec!["fish", "seeds"]));
    assert!(one_shared > 0.5 && one_shared < 0.9, "scored {one_shared}");
    assert_eq!(
        calculate_similarity(&V::List(vec![]), &V::List(vec![])),
        1.0
    );
    assert_eq!(calculate_similarity(&V::List(vec![]), &fish_krill), 0.0);
}

#[test]
fn long_lists_compare_by_position() {
    let numbers: Vec<i64> = (0..100).collect();
    let mut reversed = numbers.clone();
    reversed.reverse();
    // 100 x 100 pairs is over the limit, so order now matters.
    let score = calculate_similarity(&V::from(numbers.clone()), &V::from(reversed));
    assert!(score < 0.9, "scored {score}");
    let mut one_changed = numbers.clone();
    one_changed[0] = -1;
    let score = calculate_similarity(&V::from(numbers), &V::from(one_changed));
    assert!(score > 0.98, "scored {score}");
}

#[test]
fn deeply_nested_lists_do_not_recurse_without_bound() {
    let mut a = V::Integer(1);
    let mut b = V::Integer(2);
    for _ in 0..200 {
        a = V::List(vec![a]);
        b = V::List(vec![b]);
    }
    assert_eq!(calculate_similarity(&a, &b), 0.0);
}

#[test]
fn similarity_is_symmetric_on_examples() {
    let values = [
        text("color"),
        text("Colour"),
        text("10 kg"),
        text("cannot fly"),
        V::Number(3.0),
        V::Integer(7),
        V::Boolean(false),
        V::Null,
        V::from(vec!["a", "b"]),
    ];
    for a in &values {
        for b in &values {
            assert_eq!(calculate_similarity(a, b), calculate_similarity(b, a));
        }
    }
}

#[test]
fn the_cases_the_learner_relied_on_hold() {
    // The learner's value features used to have a similarity of their own; these are the
    // cases its documentation promised, now answered by the one similarity.
    assert_eq!(
        calculate_similarity(&V::Boolean(true), &V::Boolean(false)),
        0.0
    );
    assert!(calculate_similarity(&text("color"), &text("colour")) > 0.8);
    assert_eq!(calculate_similarity(&V::Integer(2), &V::Number(2.0)), 1.0);
    assert_eq!(
        calculate_similarity(&V::Number(f64::NAN), &V::Number(1.0)),
        0.0
    );
    assert_eq!(
        calculate_similarity(&V::Number(f64::NAN), &V::Number(f64::NAN)),
        1.0
    );
    assert_eq!(
        calculate_similarity(&V::Number(f64::INFINITY), &V::Number(1.0)),
        0.0
    );
    assert_eq!(calculate_similarity(&text(""), &text("")), 1.0);
    assert_eq!(
        calculate_similarity(&V::List(vec![]), &V::List(vec![])),
        1.0
    );
}
