//! Unit tests of value similarity: one test per rule, with the pairs the rules exist for.

use std::cell::Cell;

use llmkg_core::PropertyValue as V;

use super::*;

thread_local! {
    static STEPS: Cell<usize> = const { Cell::new(0) };
    static STEP_LIMIT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Called by the comparison code (in test builds) for each unit of work it does; panics past
/// the limit a test set, so quadratic work fails fast instead of running for minutes.
pub(super) fn count_step(steps: usize) {
    let total = STEPS.get().saturating_add(steps);
    STEPS.set(total);
    let limit = STEP_LIMIT.get();
    assert!(
        total <= limit,
        "the comparison took more than {limit} steps"
    );
}

/// The steps `compare(a, b)` takes, failing past `limit`.
fn steps_to_compare(a: &V, b: &V, limit: usize) -> (usize, Comparison) {
    STEPS.set(0);
    STEP_LIMIT.set(limit);
    let comparison = compare(a, b);
    let steps = STEPS.get();
    STEP_LIMIT.set(usize::MAX);
    (steps, comparison)
}

/// Lists nested `depth` levels deep with `fan_out` elements per level and integer leaves.
fn nested_list(depth: u32, fan_out: i64, change_leaf: Option<i64>) -> V {
    fn build(depth: u32, fan_out: i64, next_leaf: &mut i64, change_leaf: Option<i64>) -> V {
        if depth == 0 {
            let leaf = *next_leaf;
            *next_leaf += 1;
            return V::Integer(if Some(leaf) == change_leaf {
                -leaf - 1
            } else {
                leaf
            });
        }
        V::List(
            (0..fan_out)
                .map(|_| build(depth - 1, fan_out, next_leaf, change_leaf))
                .collect(),
        )
    }
    build(depth, fan_out, &mut 0, change_leaf)
}

/// Issue 18 finding 2: the per-level pair cap multiplied across levels, so depth-3 lists of
/// 32,768 leaves took about 10 s (about 10^9 element comparisons). One budget over all levels
/// keeps the work linear in the leaves.
#[test]
fn nested_lists_share_one_budget_over_all_levels() {
    let a = nested_list(3, 32, None);
    let b = nested_list(3, 32, Some(12_345));
    let leaves = 32 * 32 * 32;
    let (steps, comparison) = steps_to_compare(&a, &b, 100 * leaves);
    assert!(steps <= 100 * leaves, "{steps} steps");
    assert!(comparison.similarity > 0.99, "{comparison:?}");
    assert_eq!(comparison.kind, ChangeKind::List);
    // Small nested lists still match as sets at every level.
    let small = V::List(vec![V::from(vec!["b", "a"]), V::from(vec!["c"])]);
    let reordered = V::List(vec![V::from(vec!["c"]), V::from(vec!["a", "b"])]);
    assert_eq!(calculate_similarity(&small, &reordered), 1.0);
}

/// Issue 18 finding 3: Jaro-Winkler's cost grows with the product of the lengths (two
/// 100,000-character strings took about 4 s); long texts are scored by bigram Dice instead.
#[test]
fn long_strings_are_compared_in_near_linear_work() {
    let long: String = (0..100_000_u32)
        .map(|i| char::from(b'a' + ((i * 7 + i / 13) % 26) as u8))
        .collect();
    let mut one_changed = long.clone();
    one_changed.replace_range(50_000..50_001, "#");
    let (steps, comparison) = steps_to_compare(&text(&long), &text(&one_changed), 2_000_000);
    assert!(steps <= 2_000_000, "{steps} steps");
    assert!(comparison.similarity > 0.99, "{comparison:?}");
    let unrelated: String = "0123456789".repeat(10_000);
    let (_, comparison) = steps_to_compare(&text(&long), &text(&unrelated), 2_000_000);
    assert!(comparison.similarity < 0.1, "{comparison:?}");
    // Symmetric, 1 for equal long texts after normalisation.
    assert_eq!(
        calculate_similarity(&text(&long.to_uppercase()), &text(&long)),
        1.0
    );
    assert_eq!(
        calculate_similarity(&text(&long), &text(&one_changed)),
        calculate_similarity(&text(&one_changed), &text(&long))
    );
}

/// Long strings inside lists count toward the list budget, so a best-match comparison never
/// multiplies a long text's cost by the other list's length.
#[test]
fn long_strings_inside_lists_stay_within_the_budget() {
    let item = |seed: u32| -> V {
        text(
            &(0..10_000_u32)
                .map(|i| char::from(b'a' + ((i * seed + i / 7) % 26) as u8))
                .collect::<String>(),
        )
    };
    let a = V::List((1..=64).map(item).collect());
    let b = V::List((2..=65).map(item).collect());
    let text_bytes = 2 * 64 * 10_000;
    let (steps, _) = steps_to_compare(&a, &b, 20 * text_bytes);
    assert!(steps <= 20 * text_bytes, "{steps} steps");
    let one = V::List(vec![item(3)]);
    let many = V::List((0..4096).map(V::Integer).collect());
    let (steps, _) = steps_to_compare(&one, &many, 200_000);
    assert!(steps <= 200_000, "{steps} steps");
}

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
