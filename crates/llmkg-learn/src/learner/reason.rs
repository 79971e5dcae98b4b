//! Sentences that describe an override when no learned reason fits.

use std::fmt::Write;

use llmkg_core::PropertyValue;

use crate::{ExceptionContext, identifier_tokens};

/// A sentence for `context`: boolean `can_*`, `is_*` and `has_*` properties read as
/// English ("Emperor_Penguin cannot fly"), anything else names the change; then the
/// pattern it follows.
pub(super) fn describe_override(
    context: &ExceptionContext,
    typical_node_type: Option<&str>,
    support: u64,
) -> String {
    let node_type = if context.node_type.is_empty() {
        "this node"
    } else {
        context.node_type.as_str()
    };
    let mut sentence = match boolean_phrase(&context.property_name, &context.actual_value) {
        Some(phrase) => format!("{node_type} {phrase}"),
        None => format!(
            "{node_type} overrides the inherited {} ({} -> {})",
            context.property_name, context.inherited_value, context.actual_value
        ),
    };
    // Writing to a String cannot fail.
    let _ = match typical_node_type {
        Some(typical) if typical != context.node_type => {
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
    use super::*;

    fn context(property: &str, actual: PropertyValue) -> ExceptionContext {
        ExceptionContext::new(
            property,
            PropertyValue::Boolean(true),
            actual,
            "Emperor_Penguin",
            2,
        )
    }

    #[test]
    fn boolean_properties_read_as_english() {
        let sentence = describe_override(&context("can_fly", false.into()), Some("Penguin"), 20);
        assert_eq!(
            sentence,
            "Emperor_Penguin cannot fly, like Penguin (20 similar exceptions)"
        );
        let sentence = describe_override(&context("hasFeathers", false.into()), None, 1);
        assert_eq!(
            sentence,
            "Emperor_Penguin has no feathers (1 similar exceptions)"
        );
    }

    #[test]
    fn other_properties_name_the_change() {
        let sentence = describe_override(
            &context("color", "black".into()),
            Some("Emperor_Penguin"),
            3,
        );
        assert_eq!(
            sentence,
            "Emperor_Penguin overrides the inherited color (true -> \"black\") (3 similar exceptions)"
        );
    }
}
