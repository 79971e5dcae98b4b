//! The sentence for a detected change: measured first, then written in one pass, so a
//! reason costs one allocation of exactly its length.

use std::fmt::{self, Write as _};

use llmkg_core::PropertyValue;

use crate::similarity::ChangeKind;

/// Quoted strings longer than this many characters are cut short with an ellipsis, so a
/// long value does not make a long reason.
const MAX_QUOTED_CHARS: usize = 60;

/// The reason for a change of `kind` (see [`compare`](crate::compare)) from `inherited` to
/// `actual` on `property`, prefixed by a learned reason when there is one.
///
/// The `String` is allocated once, with exactly the sentence's length.
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{ChangeKind, describe_change};
///
/// let (yes, no) = (PropertyValue::Boolean(true), PropertyValue::Boolean(false));
/// assert_eq!(
///     describe_change("can_fly", &yes, &no, ChangeKind::BooleanFlip { to: false }, None),
///     "can_fly is false here, overriding the inherited true"
/// );
/// assert_eq!(
///     describe_change("can_fly", &yes, &no, ChangeKind::BooleanFlip { to: false }, Some("Flightless bird")),
///     "Flightless bird: can_fly is false here, overriding the inherited true"
/// );
/// ```
#[must_use]
#[inline]
pub fn describe_change(
    property: &str,
    inherited: &PropertyValue,
    actual: &PropertyValue,
    kind: ChangeKind,
    learned_reason: Option<&str>,
) -> String {
    let mut reason = String::new();
    write_change(
        &mut reason,
        Reserve::Exact,
        property,
        inherited,
        actual,
        kind,
        learned_reason,
    );
    reason
}

/// Appends [`describe_change`]'s sentence to `out`, reserving room for all of it first so
/// `out` grows at most once; a caller that writes many reasons into one buffer allocates
/// nothing per reason.
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{ChangeKind, describe_change_into};
///
/// let mut out = String::from("reason: ");
/// describe_change_into(
///     &mut out,
///     "legs",
///     &PropertyValue::Integer(4),
///     &PropertyValue::Integer(2),
///     ChangeKind::Numeric,
///     None,
/// );
/// assert_eq!(out, "reason: legs is 2 here instead of the inherited 4");
/// ```
#[inline]
pub fn describe_change_into(
    out: &mut String,
    property: &str,
    inherited: &PropertyValue,
    actual: &PropertyValue,
    kind: ChangeKind,
    learned_reason: Option<&str>,
) {
    write_change(
        out,
        Reserve::Amortized,
        property,
        inherited,
        actual,
        kind,
        learned_reason,
    );
}

/// How to make room in the output before writing into it.
#[derive(Clone, Copy)]
enum Reserve {
    /// The output is empty and becomes a `String` of exactly the sentence's length (the
    /// reason itself), allocated directly rather than grown.
    Exact,
    /// `String::reserve`'s growth: a buffer that may take many sentences.
    Amortized,
}

impl Reserve {
    #[inline]
    fn make_room(self, out: &mut String, additional: usize) {
        match self {
            Reserve::Exact => {
                debug_assert!(out.is_empty(), "an exact reason starts empty");
                *out = String::with_capacity(additional);
            }
            Reserve::Amortized => out.reserve(additional),
        }
    }
}

/// Measures, reserves, then writes: the learned reason and `": "`, the property, the body.
#[inline]
fn write_change(
    out: &mut String,
    reserve: Reserve,
    property: &str,
    inherited: &PropertyValue,
    actual: &PropertyValue,
    kind: ChangeKind,
    learned_reason: Option<&str>,
) {
    let start = Start {
        learned_reason,
        property,
    };
    match shared_suffix(inherited, actual, kind) {
        Some(suffix) => {
            reserve.make_room(out, start.len() + suffix.len());
            start.write(out);
            out.push_str(suffix);
        }
        None => write_with_values(out, reserve, start, inherited, actual, kind),
    }
}

/// The part before the body: the learned reason and `": "` when there is one, the property.
#[derive(Clone, Copy)]
struct Start<'a> {
    learned_reason: Option<&'a str>,
    property: &'a str,
}

impl Start<'_> {
    #[inline]
    fn len(self) -> usize {
        self.learned_reason.map_or(0, |reason| reason.len() + 2) + self.property.len()
    }

    #[inline]
    fn write(self, out: &mut String) {
        if let Some(learned) = self.learned_reason {
            out.push_str(learned);
            out.push_str(": ");
        }
        out.push_str(self.property);
    }
}

const LISTS_START: &str = " lists ";
const LISTS_MIDDLE: &str = " here instead of the inherited ";
const VALUES_START: &str = " is ";

/// The sentences that show the values themselves: `" is {actual}{middle}{inherited}"`, or
/// for lists `" lists {actual} here instead of the inherited {inherited}"` with counts.
#[inline(never)]
fn write_with_values(
    out: &mut String,
    reserve: Reserve,
    start: Start<'_>,
    inherited: &PropertyValue,
    actual: &PropertyValue,
    kind: ChangeKind,
) {
    let mut actual_digits = Digits::new();
    let mut inherited_digits = Digits::new();
    let (opening, actual, middle, inherited) = if kind == ChangeKind::List {
        (
            LISTS_START,
            Plain::count_of_values(actual, &mut actual_digits),
            LISTS_MIDDLE,
            Plain::count_of_values(inherited, &mut inherited_digits),
        )
    } else {
        let middle = match kind {
            ChangeKind::TextNegation => " here, negating the inherited ",
            _ => " here instead of the inherited ",
        };
        (
            VALUES_START,
            Plain::of(actual, &mut actual_digits),
            middle,
            Plain::of(inherited, &mut inherited_digits),
        )
    };
    reserve.make_room(
        out,
        start.len() + opening.len() + actual.len() + middle.len() + inherited.len(),
    );
    start.write(out);
    out.push_str(opening);
    actual.write(out);
    out.push_str(middle);
    inherited.write(out);
}

/// A value as a reason shows it: booleans and numbers as written, strings in double quotes
/// (shortened), lists by count.
enum Plain<'a> {
    Text(&'a str),
    /// `text` between double quotes, followed by an ellipsis inside the quotes when `cut`.
    Quoted {
        text: &'a str,
        cut: bool,
    },
}

const ELLIPSIS: char = '\u{2026}';

impl<'a> Plain<'a> {
    /// `value` as shown; numbers are formatted into `digits`.
    fn of(value: &'a PropertyValue, digits: &'a mut Digits) -> Self {
        match value {
            PropertyValue::Boolean(true) => Plain::Text("true"),
            PropertyValue::Boolean(false) => Plain::Text("false"),
            PropertyValue::Null => Plain::Text("null"),
            PropertyValue::String(text) => match text.char_indices().nth(MAX_QUOTED_CHARS) {
                Some((cut, _)) => Plain::Quoted {
                    text: &text[..cut],
                    cut: true,
                },
                None => Plain::Quoted { text, cut: false },
            },
            PropertyValue::List(_) => Plain::count_of_values(value, digits),
            PropertyValue::Number(number) => Plain::Text(digits.display(number)),
            PropertyValue::Integer(integer) => Plain::Text(digits.display(integer)),
        }
    }

    /// `"1 value"` for a one-element list or a value that is not a list, else `"{n} values"`.
    fn count_of_values(value: &PropertyValue, digits: &'a mut Digits) -> Self {
        match value {
            PropertyValue::List(items) if items.len() != 1 => {
                Plain::Text(digits.display(format_args!("{} values", items.len())))
            }
            _ => Plain::Text("1 value"),
        }
    }

    fn len(&self) -> usize {
        match self {
            Plain::Text(text) => text.len(),
            Plain::Quoted { text, cut } => {
                let ellipsis = if *cut { ELLIPSIS.len_utf8() } else { 0 };
                2 + text.len() + ellipsis
            }
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Plain::Text(text) => out.push_str(text),
            Plain::Quoted { text, cut } => {
                out.push('"');
                out.push_str(text);
                if *cut {
                    out.push(ELLIPSIS);
                }
                out.push('"');
            }
        }
    }
}

/// Room for any number this module formats: an `f64` written by `Display` (never in
/// exponent form) takes at most 327 bytes (`-0.` and 324 more digits for the smallest
/// subnormals), an `i64` 20 and a count of values 27.
const DIGITS_CAPACITY: usize = 384;

/// Text written by `Display` on the stack, so that measuring a reason allocates nothing;
/// on the heap only if the bound above were wrong.
struct Digits {
    bytes: [u8; DIGITS_CAPACITY],
    len: usize,
    spilled: String,
}

impl Digits {
    fn new() -> Self {
        Digits {
            bytes: [0; DIGITS_CAPACITY],
            len: 0,
            spilled: String::new(),
        }
    }

    /// `value` as `Display` writes it.
    fn display(&mut self, value: impl fmt::Display) -> &str {
        self.len = 0;
        if write!(self, "{value}").is_ok() {
            // `write_str` only ever copies whole `&str`s, so the bytes are UTF-8.
            std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
        } else {
            self.spilled = value.to_string();
            &self.spilled
        }
    }
}

impl fmt::Write for Digits {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let end = self.len + text.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The part after the property name, for the kinds whose sentence depends only on the
/// values' types (and a boolean's direction).
#[inline]
fn shared_suffix(
    inherited: &PropertyValue,
    actual: &PropertyValue,
    kind: ChangeKind,
) -> Option<&'static str> {
    let suffix = match kind {
        ChangeKind::Equal => " equals the inherited value",
        // The sentence follows the values, so a kind that disagrees with them cannot make it
        // say the wrong thing.
        ChangeKind::BooleanFlip { .. } => match actual {
            PropertyValue::Boolean(false) => " is false here, overriding the inherited true",
            _ => " is true here, overriding the inherited false",
        },
        ChangeKind::Cancelled => CANCELLED[type_index(inherited)],
        ChangeKind::FilledIn => FILLED_IN[type_index(actual)],
        ChangeKind::TypeChange => TYPE_CHANGE[type_index(inherited)][type_index(actual)],
        ChangeKind::Numeric | ChangeKind::Text | ChangeKind::TextNegation | ChangeKind::List => {
            return None;
        }
    };
    Some(suffix)
}

const N_TYPES: usize = 6;

/// Indexes the tables below; the order of the type names in [`type_tables!`].
#[inline]
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

/// Writes the sentence endings that depend only on value types as string literals, from
/// each type's name (as [`PropertyValue::type_name`] spells it) and its name with an
/// article, so no table is built at run time.
macro_rules! type_tables {
    ($(($name:literal, $with_article:literal)),* $(,)?) => {
        /// [`ChangeKind::Cancelled`], by the inherited type.
        const CANCELLED: [&str; N_TYPES] = [$(
            concat!(" is explicitly unset here, cancelling the inherited ", $name, " value"),
        )*];
        /// [`ChangeKind::FilledIn`], by the local type.
        const FILLED_IN: [&str; N_TYPES] = [$(
            concat!(" is set to ", $with_article, " here where the inherited value is null"),
        )*];
        /// [`ChangeKind::TypeChange`], by `[inherited][actual]`.
        const TYPE_CHANGE: [[&str; N_TYPES]; N_TYPES] =
            type_tables!(@rows [$(($name, $with_article)),*] [$(($name, $with_article)),*]);
    };
    (@rows [$(($inherited:literal, $_ignored:literal)),*] $actuals:tt) => {
        [$(type_tables!(@row $inherited $actuals)),*]
    };
    (@row $inherited:literal [$(($_name:literal, $actual_with_article:literal)),*]) => {
        [$(concat!(" is ", $actual_with_article, " here, replacing the inherited ", $inherited)),*]
    };
}

type_tables![
    ("boolean", "a boolean"),
    ("number", "a number"),
    ("string", "a string"),
    ("integer", "an integer"),
    ("list", "a list"),
    ("null", "a null"),
];

#[cfg(test)]
mod tests;
