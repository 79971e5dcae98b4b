//! Reason sentences, written in this one place: [`describe_change`] (or
//! [`describe_change_into`], into a caller's buffer) for a detected change, one template per
//! kind of change, and [`describe_pattern`] for a learned pattern that has no reason of its
//! own.
//!
//! The detector builds reasons only for exceptions that it reports. A change's sentence is
//! measured before it is written, so it costs one allocation of exactly its length;
//! sentences that depend only on the types (a flipped boolean, a changed type, a cancelled
//! value) are string literals, and only numbers go through the formatter.

use std::fmt::Write as _;

use llmkg_core::PropertyValue;

use crate::words::identifier_tokens;

mod change;

pub use self::change::{describe_change, describe_change_into};

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
