//! Label changes against spelling variants: SPEC's cases, WordNet's topics, numbers.

use llmkg_core::PropertyValue as V;
use proptest::prelude::*;

use super::*;

fn text(a: &str, b: &str) -> bool {
    is_label_change(&V::from(a), &V::from(b))
}

#[test]
fn spelling_variants_are_not_label_changes() {
    for (a, b) in [
        ("color", "colour"),
        ("Black", "black"),
        ("gray", "grey"),
        ("catalog", "catalogue"),
        ("center", "centre"),
        ("organisation", "organization"),
        ("e-mail", "email"),
        ("black and white", "Black-and-White"),
        ("10.0 kg", "10kg"),
        ("dark  red", "dark_red"),
        ("program", "programme"),
        ("theater", "theatre"),
        ("aluminum", "aluminium"),
        ("defence", "defense"),
        ("jewelry", "jewellery"),
        ("mold", "mould"),
        ("tire", "tyre"),
    ] {
        assert!(!text(a, b), "{a:?} / {b:?}");
        assert!(!text(b, a), "{b:?} / {a:?}");
    }
}

#[test]
fn different_words_are_label_changes() {
    for (a, b) in [
        ("animal", "plant"),
        ("red", "crimson"),
        ("cat", "car"),
        ("state", "shape"),
        ("location", "relation"),
        ("process", "possession"),
        ("artifact", "act"),
        ("10 kg", "12 kg"),
        ("value_0_1", "value_0_2"),
        ("dark red", "red"),
        ("mood", "food"),
        ("Iran", "Iraq"),
        ("Slovakia", "Slovenia"),
        ("Austria", "Australia"),
        ("Niger", "Nigeria"),
        ("genus", "species"),
        ("order", "other"),
        ("noun", "nous"),
    ] {
        assert!(text(a, b), "{a:?} / {b:?}");
        assert!(text(b, a), "{b:?} / {a:?}");
    }
}

/// WordNet 3.0's noun topics (lexicographer files without `noun.`).
const TOPICS: [&str; 26] = [
    "Tops",
    "act",
    "animal",
    "artifact",
    "attribute",
    "body",
    "cognition",
    "communication",
    "event",
    "feeling",
    "food",
    "group",
    "location",
    "motive",
    "object",
    "person",
    "phenomenon",
    "plant",
    "possession",
    "process",
    "quantity",
    "relation",
    "shape",
    "state",
    "substance",
    "time",
];

#[test]
fn every_pair_of_wordnet_topics_is_a_label_change() {
    for a in TOPICS {
        for b in TOPICS {
            assert_eq!(text(a, b), a != b, "{a:?} / {b:?}");
        }
    }
}

#[test]
fn whole_numbers_are_labels_and_fractions_are_measurements() {
    assert!(is_label_change(&V::Integer(5), &V::Integer(6)));
    assert!(is_label_change(&V::Number(5.0), &V::Integer(7)));
    assert!(is_label_change(&V::Number(100.0), &V::Number(99.0)));
    assert!(!is_label_change(&V::Integer(4), &V::Number(4.0)));
    assert!(!is_label_change(&V::Number(100.5), &V::Number(100.0)));
    assert!(!is_label_change(&V::Number(f64::NAN), &V::Number(1.0)));
    assert!(!is_label_change(&V::Number(f64::INFINITY), &V::Integer(1)));
    assert!(text("5", "7"));
    assert!(!text("3.25", "3.5"));
}

#[test]
fn other_kinds_are_not_label_changes() {
    assert!(!is_label_change(&V::Boolean(true), &V::Boolean(false)));
    assert!(!is_label_change(&V::from("5"), &V::Integer(5)));
    assert!(!is_label_change(&V::Null, &V::from("animal")));
}

#[test]
fn only_spelling_edits_count() {
    let chars = |s: &str| s.chars().collect::<Vec<_>>();
    assert!(edits_within(&chars("centre"), &chars("center"), 1));
    assert!(edits_within(&chars("colour"), &chars("color"), 1));
    assert!(
        !edits_within(&chars("iran"), &chars("iraq"), 3),
        "n/q is no spelling edit"
    );
    assert!(edits_within(&chars("programme"), &chars("program"), 2));
    assert!(edits_within(&chars(""), &chars("ae"), 2));
    assert!(
        !edits_within(&chars(""), &chars("ab"), 2),
        "b is neither a vowel nor doubled"
    );
}

proptest! {
    /// Symmetric, false for a value and itself, and linear in the input: long texts are
    /// answered (the check reads at most 64 characters of a joined text).
    #[test]
    fn symmetric_and_reflexive(a in "\\PC{0,80}", b in "\\PC{0,80}") {
        prop_assert_eq!(text(&a, &b), text(&b, &a));
        prop_assert!(!text(&a, &a));
    }

    /// Case and separators never make a label change.
    #[test]
    fn folding_is_not_a_change(words in prop::collection::vec("[a-z]{1,8}", 1..5)) {
        let spaced = words.join(" ");
        let shouted = words.join("_").to_uppercase();
        prop_assert!(!text(&spaced, &shouted));
    }
}

/// WordNet 3.0's verb topics (`verb.body` to `verb.weather`), another real label set.
#[test]
fn every_pair_of_wordnet_verb_topics_is_a_label_change() {
    const VERB_TOPICS: [&str; 15] = [
        "body",
        "change",
        "cognition",
        "communication",
        "competition",
        "consumption",
        "contact",
        "creation",
        "emotion",
        "motion",
        "perception",
        "possession",
        "social",
        "stative",
        "weather",
    ];
    for a in VERB_TOPICS {
        for b in VERB_TOPICS {
            assert_eq!(text(a, b), a != b, "{a:?} / {b:?}");
        }
    }
}
