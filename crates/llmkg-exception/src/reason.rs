//! Reason sentences, written in this one place: [`describe_change`] for a detected change
//! (one template per kind of change, filled with cheap string pushes) and
//! [`describe_pattern`] for a learned pattern that has no reason of its own.
//!
//! The detector builds reasons only for exceptions that it reports, into a `String` sized up
//! front. Sentences that depend only on the types (a flipped boolean, a changed type, a
//! cancelled value) share a suffix built once, so they cost one allocation and two copies;
//! only numbers go through the formatter.

use std::fmt::Write as _;
use std::sync::LazyLock;

use llmkg_core::PropertyValue;

use crate::similarity::ChangeKind;
use crate::words::identifier_tokens;

/// Quoted strings longer than this many characters are cut short with an ellipsis, so a
/// long value does not make a long reason.
const MAX_QUOTED_CHARS: usize = 60;

/// The reason for a change of `kind` (see [`compare`](crate::compare)) from `inherited` to
/// `actual` on `property`, prefixed by a learned reason when there is one.
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{ChangeKind, describe_change};
///
/// let (yes, no) = (PropertyValue::Boolean(true), PropertyValue::Boolean(false));
/// assert_eq!(
///     describe_change("can_fly", &yes, &no, ChangeKind::BooleanFlip, None),
///     "can_fly is false here, overriding the inherited true"
/// );
/// assert_eq!(
///     describe_change("can_fly", &yes, &no, ChangeKind::BooleanFlip, Some("Flightless bird")),
///     "Flightless bird: can_fly is false here, overriding the inherited true"
/// );
/// ```
#[must_use]
pub fn describe_change(
    property: &str,
    inherited: &PropertyValue,
    actual: &PropertyValue,
    kind: ChangeKind,
    learned_reason: Option<&str>,
) -> String {
    let learned_length = learned_reason.map_or(0, |reason| reason.len() + 2);
    let push_learned = |reason: &mut String| {
        if let Some(learned) = learned_reason {
            reason.push_str(learned);
            reason.push_str(": ");
        }
    };
    if let Some(suffix) = shared_suffix(inherited, actual, kind) {
        let mut reason = String::with_capacity(learned_length + property.len() + suffix.len());
        push_learned(&mut reason);
        reason.push_str(property);
        reason.push_str(suffix);
        return reason;
    }
    let quoted_length = |value: &PropertyValue| {
        value
            .as_str()
            .map_or(0, |text| text.len().min(4 * MAX_QUOTED_CHARS))
    };
    let capacity =
        learned_length + property.len() + quoted_length(inherited) + quoted_length(actual) + 56;
    let mut reason = String::with_capacity(capacity);
    push_learned(&mut reason);
    reason.push_str(property);
    let middle = match kind {
        ChangeKind::TextNegation => " here, negating the inherited ",
        _ => " here instead of the inherited ",
    };
    if kind == ChangeKind::List {
        // Writing into a `String` cannot fail.
        let _ = write!(
            reason,
            " lists {} here instead of the inherited {}",
            count_of_values(actual),
            count_of_values(inherited)
        );
    } else {
        reason.push_str(" is ");
        push_plain(&mut reason, actual);
        reason.push_str(middle);
        push_plain(&mut reason, inherited);
    }
    reason
}

/// The part after the property name, for the kinds whose sentence depends only on the
/// values' types (and a boolean's direction): shared, built once, so such a reason costs
/// one allocation and two copies.
fn shared_suffix(
    inherited: &PropertyValue,
    actual: &PropertyValue,
    kind: ChangeKind,
) -> Option<&'static str> {
    static TEMPLATES: LazyLock<SharedTemplates> = LazyLock::new(SharedTemplates::new);
    let suffix = match kind {
        ChangeKind::Equal => " equals the inherited value",
        ChangeKind::BooleanFlip => match actual {
            PropertyValue::Boolean(false) => " is false here, overriding the inherited true",
            _ => " is true here, overriding the inherited false",
        },
        ChangeKind::Cancelled => &TEMPLATES.cancelled[type_index(inherited)],
        ChangeKind::FilledIn => &TEMPLATES.filled_in[type_index(actual)],
        ChangeKind::TypeChange => &TEMPLATES.type_change[type_index(inherited)][type_index(actual)],
        ChangeKind::Numeric | ChangeKind::Text | ChangeKind::TextNegation | ChangeKind::List => {
            return None;
        }
    };
    Some(suffix)
}

/// Sentence endings that depend only on value types, indexed by [`type_index`].
struct SharedTemplates {
    cancelled: [String; N_TYPES],
    filled_in: [String; N_TYPES],
    /// Indexed `[inherited][actual]`.
    type_change: [[String; N_TYPES]; N_TYPES],
}

const N_TYPES: usize = 6;

/// A sample of each variant, in [`type_index`] order, to read type names from.
const TYPE_SAMPLES: [PropertyValue; N_TYPES] = [
    PropertyValue::Boolean(false),
    PropertyValue::Number(0.0),
    PropertyValue::String(String::new()),
    PropertyValue::Integer(0),
    PropertyValue::List(Vec::new()),
    PropertyValue::Null,
];

fn type_index(value: &PropertyValue) -> usize {
    match value {
        PropertyValue::Boolean(_) => 0,
        PropertyValue::Number(_) => 1,
        PropertyValue::String(_) => 2,
        PropertyValue::Integer(_) => 3,
        PropertyValue::List(_) => 4,
        PropertyValue::Null => 5,
    }
}

impl SharedTemplates {
    fn new() -> Self {
        let name = |index: usize| TYPE_SAMPLES[index].type_name();
        SharedTemplates {
            cancelled: std::array::from_fn(|inherited| {
                format!(
                    " is explicitly unset here, cancelling the inherited {} value",
                    name(inherited)
                )
            }),
            filled_in: std::array::from_fn(|actual| {
                format!(
                    " is set to {} here where the inherited value is null",
                    with_article(name(actual))
                )
            }),
            type_change: std::array::from_fn(|inherited| {
                std::array::from_fn(|actual| {
                    format!(
                        " is {} here, replacing the inherited {}",
                        with_article(name(actual)),
                        name(inherited)
                    )
                })
            }),
        }
    }
}

/// Booleans and numbers as written, strings in double quotes (shortened), lists by count.
fn push_plain(out: &mut String, value: &PropertyValue) {
    match value {
        PropertyValue::Boolean(true) => out.push_str("true"),
        PropertyValue::Boolean(false) => out.push_str("false"),
        PropertyValue::String(text) => {
            out.push('"');
            match text.char_indices().nth(MAX_QUOTED_CHARS) {
                Some((cut, _)) => {
                    out.push_str(&text[..cut]);
                    out.push('\u{2026}');
                }
                None => out.push_str(text),
            }
            out.push('"');
        }
        PropertyValue::Null => out.push_str("null"),
        PropertyValue::List(_) => out.push_str(&count_of_values(value)),
        // Writing into a `String` cannot fail.
        PropertyValue::Number(number) => {
            let _ = write!(out, "{number}");
        }
        PropertyValue::Integer(integer) => {
            let _ = write!(out, "{integer}");
        }
    }
}

fn count_of_values(value: &PropertyValue) -> String {
    match value {
        PropertyValue::List(items) if items.len() == 1 => "1 value".to_owned(),
        PropertyValue::List(items) => format!("{} values", items.len()),
        _ => "1 value".to_owned(),
    }
}

fn with_article(type_name: &str) -> String {
    let starts_with_vowel = type_name.starts_with(['a', 'e', 'i', 'o', 'u']);
    let article = if starts_with_vowel { "an" } else { "a" };
    format!("{article} {type_name}")
}

/// A sentence for a learned pattern that has no reason of its own, seen on a node of
/// `node_type`: boolean `can_*`, `is_*` and `has_*` properties read as English
/// ("Emperor_Penguin cannot fly"), anything else names the change; then the pattern it
/// follows (its most frequent node type and how many exceptions support it).
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::describe_pattern;
///
/// let sentence = describe_pattern(
///     "Dodo", "can_fly", &PropertyValue::Boolean(true), &PropertyValue::Boolean(false),
///     Some("Penguin"), 4,
/// );
/// assert_eq!(sentence, "Dodo cannot fly, like Penguin (4 similar exceptions)");
/// ```
#[must_use]
pub fn describe_pattern(
    node_type: &str,
    property: &str,
    inherited: &PropertyValue,
    actual: &PropertyValue,
    typical_node_type: Option<&str>,
    support: u64,
) -> String {
    let subject = if node_type.is_empty() {
        "this node"
    } else {
        node_type
    };
    let mut sentence = match boolean_phrase(property, actual) {
        Some(phrase) => format!("{subject} {phrase}"),
        None => format!("{subject} overrides the inherited {property} ({inherited} -> {actual})"),
    };
    // Writing to a String cannot fail.
    let _ = match typical_node_type {
        Some(typical) if typical != node_type => {
            write!(sentence, ", like {typical} ({support} similar exceptions)")
        }
        _ => write!(sentence, " ({support} similar exceptions)"),
    };
    sentence
}

fn boolean_phrase(property_name: &str, value: &PropertyValue) -> Option<String> {
    let value = value.as_bool()?;
    let mut tokens = identifier_tokens(property_name);
    let verb = tokens.next()?.to_ascii_lowercase();
    let mut rest = String::new();
    for token in tokens {
        if !rest.is_empty() {
            rest.push(' ');
        }
        rest.push_str(&token.to_lowercase());
    }
    if rest.is_empty() {
        return None;
    }
    let phrase = match (verb.as_str(), value) {
        ("can", true) => format!("can {rest}"),
        ("can", false) => format!("cannot {rest}"),
        ("is", true) => format!("is {rest}"),
        ("is", false) => format!("is not {rest}"),
        ("has", true) => format!("has {rest}"),
        ("has", false) => format!("has no {rest}"),
        _ => return None,
    };
    Some(phrase)
}

#[cfg(test)]
mod tests {
    use llmkg_core::PropertyValue as V;

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
            ChangeKind::BooleanFlip,
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

    fn pattern_sentence(property: &str, actual: V, typical: Option<&str>, support: u64) -> String {
        describe_pattern(
            "Emperor_Penguin",
            property,
            &V::Boolean(true),
            &actual,
            typical,
            support,
        )
    }

    #[test]
    fn boolean_properties_read_as_english() {
        let sentence = pattern_sentence("can_fly", false.into(), Some("Penguin"), 20);
        assert_eq!(
            sentence,
            "Emperor_Penguin cannot fly, like Penguin (20 similar exceptions)"
        );
        let sentence = pattern_sentence("hasFeathers", false.into(), None, 1);
        assert_eq!(
            sentence,
            "Emperor_Penguin has no feathers (1 similar exceptions)"
        );
    }

    #[test]
    fn other_properties_name_the_change() {
        let sentence = pattern_sentence("color", "black".into(), Some("Emperor_Penguin"), 3);
        assert_eq!(
            sentence,
            "Emperor_Penguin overrides the inherited color (true -> \"black\") (3 similar exceptions)"
        );
    }
}
