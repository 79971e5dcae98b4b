//! How alike two property values are, as a score in `[0, 1]`, and what kind of change
//! separates them: the one similarity of the workspace (the detector's thresholds and the
//! learner's value features both read it).
//!
//! A string metric alone is unsafe for knowledge-graph values: Jaro-Winkler scores
//! `"can fly"`/`"cannot fly"` 0.93 and `"10"`/`"100"` 0.91, which would hide real exceptions.
//! So each kind of value gets its own rule, and the string metric only sees text that is
//! neither numeric nor a negation of the other side.

mod text;

use llmkg_core::PropertyValue;

/// The kind of difference between an inherited and a local value: the one classification of
/// a change in the workspace, made by [`compare`].
///
/// The detector picks a confidence ceiling by it, the reason writer a sentence, and a learner
/// keys its patterns and features by it ([`ChangeKind::code`]).
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{ChangeKind, compare};
///
/// let flip = compare(&PropertyValue::Boolean(true), &PropertyValue::Boolean(false)).kind;
/// assert_eq!(flip, ChangeKind::BooleanFlip { to: false });
/// assert_ne!(flip.code(), ChangeKind::BooleanFlip { to: true }.code());
/// assert_eq!(compare(&"red".into(), &"crimson".into()).kind, ChangeKind::Text);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeKind {
    /// The values are equal, structurally or (for numbers) both NaN.
    Equal,
    /// A boolean that flipped, to the value `to` (`true -> false` is a different change from
    /// `false -> true`).
    BooleanFlip {
        /// The local value.
        to: bool,
    },
    /// Two numbers (`Number` or `Integer`) that differ.
    Numeric,
    /// Two strings that differ.
    Text,
    /// Two strings where one negates the other (`"can fly"` / `"cannot fly"`).
    TextNegation,
    /// Two lists that differ.
    List,
    /// The local value is `Null`: the node cancels what it inherits.
    Cancelled,
    /// The inherited value is `Null` and the node sets one.
    FilledIn,
    /// The two values have different types (other than `Integer` vs `Number`).
    TypeChange,
}

impl ChangeKind {
    /// How many distinct [`code`](Self::code)s there are: codes are `0..COUNT`.
    pub const COUNT: usize = 10;

    /// A small number naming this kind, in `0..`[`COUNT`](Self::COUNT), the same in every
    /// version (a new kind gets a new number): a key for pattern tables, an index into
    /// per-kind tables, a feature hash seed.
    ///
    /// `Equal` 0, `BooleanFlip` to false 1 and to true 2, `Numeric` 3, `Text` 4,
    /// `TextNegation` 5, `List` 6, `Cancelled` 7, `FilledIn` 8, `TypeChange` 9.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            ChangeKind::Equal => 0,
            ChangeKind::BooleanFlip { to: false } => 1,
            ChangeKind::BooleanFlip { to: true } => 2,
            ChangeKind::Numeric => 3,
            ChangeKind::Text => 4,
            ChangeKind::TextNegation => 5,
            ChangeKind::List => 6,
            ChangeKind::Cancelled => 7,
            ChangeKind::FilledIn => 8,
            ChangeKind::TypeChange => 9,
        }
    }
}

/// The outcome of comparing an inherited value with a local one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// How alike the values are, in `[0, 1]`.
    pub similarity: f32,
    /// What kind of change separates them.
    pub kind: ChangeKind,
}

/// Lists nested deeper than this compare by equality only, so hostile input cannot make the
/// comparison recurse without bound.
const MAX_LIST_DEPTH: usize = 16;

/// Above this many pairs of size units (see [`size_units`]), lists compare position by
/// position instead of by best match. The units count every nested element and the length of
/// every string, so the budget covers all levels of a nested list at once: the work of one
/// best-match comparison, nested comparisons included, is at most about this many units.
const MAX_LIST_PAIRS: usize = 4096;

/// Bytes of string that count as one size unit in [`size_units`].
const TEXT_BYTES_PER_UNIT: usize = 16;

/// How alike two property values are, in `[0, 1]`; symmetric.
///
/// The rules, by the values' types:
///
/// - **equal values** score 1 (two `NaN` numbers count as equal).
/// - **booleans** score 1 when equal, 0 otherwise.
/// - **numbers** (`Number` and `Integer`, in any mix) score `1 - |a - b| / max(|a|, |b|)`,
///   clamped to `[0, 1]`: 100 vs 101 scores 0.99, 10 vs 100 scores 0.1, opposite signs 0.
///   Integers are subtracted exactly (in `i128`), not through `f64`.
/// - **strings** are first normalised: lowercased, with runs of whitespace, `_` and `-`
///   (a `-` right before a digit at the start of a word is a minus sign) turned into one
///   space, and digits split from letters (`"10kg"` reads as `"10 kg"`). Then:
///   - if one side contains an odd number of negation words (`not`, `no`, `never`,
///     `cannot`, `without`, `non`, any word ending in `n't`, ...) and the other an even
///     number, the score is 0: `"can fly"` vs `"cannot fly"` is never similar;
///   - if both have the same words in the same places and differ only in their numbers,
///     the numbers compare as above and the score is the lowest of those: `"10"` vs `"100"`
///     scores 0.1, `"10 kg"` vs `"12 kg"` 0.83;
///   - otherwise the score is the Jaro-Winkler similarity of the normalised texts
///     (`strsim::jaro_winkler`): `"color"`/`"colour"` 0.97, `"red"`/`"crimson"` 0.49.
/// - **lists** match as sets: each element's best score against the other list, averaged
///   over the elements of both lists, so order does not matter and `["color"]` vs
///   `["colour"]` stays similar. Two empty lists score 1, an empty and a non-empty one 0.
///   Lists whose sizes multiply to more than 4,096 compare position by position instead
///   (missing positions score 0); a list's size counts every element at every nesting level
///   and one more per 16 bytes of each string in it, so one budget covers all levels and the
///   strings. Lists nested deeper than 16 levels compare by equality.
///
/// # Cost
///
/// Near-linear in the size of the two values, for any values: strings longer than 256
/// characters (after normalisation) are scored by the Dice coefficient of their character
/// bigrams (O(n log n)) instead of Jaro-Winkler (O(n²)); a best-match list comparison runs
/// only within the budget above (at most 4,096 unit pairs, nested levels included), beyond it
/// lists are walked position by position once; at most 16 levels are visited. So the work is
/// O((n + m) · k) for values of n and m units, with k at most 64 · 16.
/// - **`Null`** scores 1 against `Null` and 0 against anything else.
/// - **different types** score 0; `Integer` vs `Number` is not a type change.
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::calculate_similarity;
///
/// let text = |s: &str| PropertyValue::from(s);
/// assert!(calculate_similarity(&text("color"), &text("colour")) > 0.95);
/// assert!(calculate_similarity(&text("red"), &text("crimson")) < 0.6);
/// assert_eq!(calculate_similarity(&text("can fly"), &text("cannot fly")), 0.0);
/// assert!(calculate_similarity(&text("10"), &text("100")) < 0.2);
/// assert_eq!(
///     calculate_similarity(&PropertyValue::Integer(4), &PropertyValue::Number(4.0)),
///     1.0
/// );
/// ```
#[must_use]
pub fn calculate_similarity(a: &PropertyValue, b: &PropertyValue) -> f32 {
    compare(a, b).similarity
}

/// Compares an inherited value with a local one: [`calculate_similarity`]'s score and the
/// kind of change, from one pass.
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{ChangeKind, compare};
///
/// let comparison = compare(&PropertyValue::Boolean(true), &PropertyValue::Boolean(false));
/// assert_eq!(comparison.kind, ChangeKind::BooleanFlip { to: false });
/// assert_eq!(comparison.similarity, 0.0);
/// ```
#[inline]
#[must_use]
pub fn compare(inherited: &PropertyValue, actual: &PropertyValue) -> Comparison {
    compare_at_depth(inherited, actual, 0)
}

#[inline]
fn compare_at_depth(inherited: &PropertyValue, actual: &PropertyValue, depth: usize) -> Comparison {
    use PropertyValue as V;

    count_step(1);
    if inherited == actual {
        return Comparison {
            similarity: 1.0,
            kind: ChangeKind::Equal,
        };
    }
    let (similarity, kind) = match (inherited, actual) {
        (V::Boolean(_), V::Boolean(to)) => (0.0, ChangeKind::BooleanFlip { to: *to }),
        (V::Null, _) => (0.0, ChangeKind::FilledIn),
        (_, V::Null) => (0.0, ChangeKind::Cancelled),
        (V::Integer(a), V::Integer(b)) => (integer_similarity(*a, *b), ChangeKind::Numeric),
        (V::Number(_) | V::Integer(_), V::Number(_) | V::Integer(_)) => {
            // Both arms are numeric, so `as_f64` cannot return `None` here.
            let a = inherited.as_f64().unwrap_or(f64::NAN);
            let b = actual.as_f64().unwrap_or(f64::NAN);
            (number_similarity(a, b), ChangeKind::Numeric)
        }
        (V::String(a), V::String(b)) => text::compare_text(a, b),
        (V::List(a), V::List(b)) => (list_similarity(a, b, depth), ChangeKind::List),
        _ => (0.0, ChangeKind::TypeChange),
    };
    let kind = if similarity >= 1.0 && kind == ChangeKind::Numeric && is_nan_pair(inherited, actual)
    {
        ChangeKind::Equal
    } else {
        kind
    };
    Comparison { similarity, kind }
}

fn is_nan_pair(a: &PropertyValue, b: &PropertyValue) -> bool {
    matches!((a, b), (PropertyValue::Number(x), PropertyValue::Number(y)) if x.is_nan() && y.is_nan())
}

/// `1 - |a - b| / max(|a|, |b|)`, clamped to `[0, 1]`; two NaNs score 1, one NaN or one
/// infinity scores 0.
pub(crate) fn number_similarity(a: f64, b: f64) -> f32 {
    if a == b || (a.is_nan() && b.is_nan()) {
        return 1.0;
    }
    if !a.is_finite() || !b.is_finite() {
        return 0.0;
    }
    // `a != b`, so the larger magnitude is positive; a difference that overflows to
    // infinity clamps to 0 below.
    let largest = a.abs().max(b.abs());
    let relative_difference = (a - b).abs() / largest;
    (1.0 - relative_difference).clamp(0.0, 1.0) as f32
}

/// [`number_similarity`] for two integers, with the difference taken exactly.
fn integer_similarity(a: i64, b: i64) -> f32 {
    if a == b {
        return 1.0;
    }
    let (a, b) = (i128::from(a), i128::from(b));
    let difference = (a - b).unsigned_abs() as f64;
    let largest = a.unsigned_abs().max(b.unsigned_abs()) as f64;
    (1.0 - difference / largest).clamp(0.0, 1.0) as f32
}

fn list_similarity(a: &[PropertyValue], b: &[PropertyValue], depth: usize) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() || depth >= MAX_LIST_DEPTH {
        // Equal lists never reach here, so beyond the depth limit they are dissimilar.
        return 0.0;
    }
    let element_similarity =
        |x: &PropertyValue, y: &PropertyValue| compare_at_depth(x, y, depth + 1).similarity;
    let total_elements = (a.len() + b.len()) as f32;
    // One budget over every level: the sizes count nested elements and string lengths.
    let units_a = list_units(a, MAX_LIST_PAIRS + 1);
    let units_b = list_units(b, MAX_LIST_PAIRS + 1);
    if units_a.saturating_mul(units_b) > MAX_LIST_PAIRS {
        let matched: f32 = a.iter().zip(b).map(|(x, y)| element_similarity(x, y)).sum();
        return (2.0 * matched / total_elements).clamp(0.0, 1.0);
    }
    // Best match of every element of `a` in `b` and of `b` in `a`, from one score matrix.
    let mut best_for_b = vec![0.0_f32; b.len()];
    let mut sum_best_for_a = 0.0_f32;
    for x in a {
        let mut best_for_x = 0.0_f32;
        for (y, best_for_y) in b.iter().zip(best_for_b.iter_mut()) {
            let score = element_similarity(x, y);
            best_for_x = best_for_x.max(score);
            *best_for_y = best_for_y.max(score);
        }
        sum_best_for_a += best_for_x;
    }
    let sum_best_for_b: f32 = best_for_b.iter().sum();
    ((sum_best_for_a + sum_best_for_b) / total_elements).clamp(0.0, 1.0)
}

/// The size units of a list's elements, counted up to `cap` (so counting costs O(cap)).
fn list_units(items: &[PropertyValue], cap: usize) -> usize {
    let mut units = 0_usize;
    for item in items {
        if units >= cap {
            break;
        }
        units += size_units(item, cap - units);
    }
    units.min(cap)
}

/// The size of a value in units: one per value at any nesting level plus one per
/// [`TEXT_BYTES_PER_UNIT`] bytes of each string, counted up to `cap`.
fn size_units(value: &PropertyValue, cap: usize) -> usize {
    count_step(1);
    match value {
        PropertyValue::String(text) => 1 + text.len() / TEXT_BYTES_PER_UNIT,
        PropertyValue::List(items) => 1 + list_units(items, cap.saturating_sub(1)),
        _ => 1,
    }
}

/// Counts comparison work in tests, which hold it against a bound; nothing in other builds.
#[cfg(test)]
pub(crate) fn count_step(steps: usize) {
    tests::count_step(steps);
}

#[cfg(not(test))]
#[inline(always)]
pub(crate) fn count_step(_steps: usize) {}

#[cfg(test)]
mod tests;
