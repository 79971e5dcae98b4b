//! Label changes: telling a replaced label (`"animal"` -> `"plant"`, topic 5 -> 7) from a
//! spelling variant (`"color"` -> `"colour"`), before character similarity is consulted.
//!
//! Character similarity measures how alike two spellings are, which is the right question
//! for variants of one word and the wrong one for two category labels: Jaro-Winkler scores
//! `"location"`/`"relation"` 0.83 and `"process"`/`"possession"` 0.80, so a similarity
//! threshold would hide those overrides. So the detector asks first whether the two values
//! are different words (or different whole numbers); only near-identical spellings go on
//! to be judged by similarity.

use llmkg_core::PropertyValue;

/// Whether `actual` replaces `inherited` as a different label rather than respelling it.
///
/// - Two numbers are different labels when both are whole (an `Integer`, or a finite
///   `Number` without a fraction) and differ: a count, a code or a category number has no
///   spelling variants. Numbers with a fraction may differ by rounding, so their numeric
///   similarity decides.
/// - Two strings are folded (lowercased; whitespace, `_` and `-` separate words; digits
///   separate from letters) and compared word by word. They are the same label when the
///   words are equal, when each pair of words is a spelling variant, or when the texts with
///   their separators removed are a spelling variant of each other (`"e-mail"`/`"email"`).
///   A spelling variant keeps the first letter and is at most one edit away per four
///   characters of the longer word (at most three), where an edit is one of the changes
///   spellings differ by: a swap of neighbours (`"centre"`/`"center"`), a vowel for a
///   vowel or `s`/`z`, `c`/`s`, `c`/`k`, `i`/`y` (`"gray"`/`"grey"`,
///   `"organisation"`/`"organization"`), or a vowel or a doubled letter added or dropped
///   (`"color"`/`"colour"`, `"catalog"`/`"catalogue"`, `"program"`/`"programme"`). So
///   `"cat"`/`"car"`, `"state"`/`"shape"`, `"red"`/`"crimson"`, `"Iran"`/`"Iraq"`,
///   `"Slovakia"`/`"Slovenia"` and `"Austria"`/`"Australia"` are different labels. Whole
///   numbers inside text follow the number rule (`"10 kg"`/`"12 kg"` differ).
/// - Any other pair of values is not a label change here (the change's kind decides).
pub(crate) fn is_label_change(inherited: &PropertyValue, actual: &PropertyValue) -> bool {
    match (inherited, actual) {
        (PropertyValue::String(a), PropertyValue::String(b)) => texts_are_different_labels(a, b),
        _ => match (whole_number(inherited), whole_number(actual)) {
            (Some(a), Some(b)) => a != b,
            _ => false,
        },
    }
}

/// The value of a whole number: an `Integer`, or a finite `Number` without a fraction.
fn whole_number(value: &PropertyValue) -> Option<i128> {
    match value {
        PropertyValue::Integer(integer) => Some(i128::from(*integer)),
        PropertyValue::Number(number) if number.is_finite() && number.fract() == 0.0 => {
            // Whole floats beyond i128 compare as their saturated value: still exact for
            // every float that distinguishes whole numbers one apart (below 2^53).
            Some(*number as i128)
        }
        _ => None,
    }
}

/// The most characters of folded text the edit check reads; longer texts are compared by
/// their words only (each word capped the same way), which keeps the check linear.
const MAX_EDIT_CHARS: usize = 64;

/// One word or number of a folded text.
#[derive(Debug, PartialEq)]
enum Token {
    Word(Vec<char>),
    /// A number: its text and, when it is a whole number, its value.
    Number(Vec<char>, Option<i128>),
}

impl Token {
    fn chars(&self) -> &[char] {
        match self {
            Token::Word(chars) | Token::Number(chars, _) => chars,
        }
    }
}

fn texts_are_different_labels(a: &str, b: &str) -> bool {
    let a = fold(a);
    let b = fold(b);
    if a == b {
        return false;
    }
    if numbers_differ(&a, &b) {
        return true;
    }
    if a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| tokens_are_variants(x, y)) {
        return false;
    }
    // Words joined or split differently ("e-mail" / "email", "black bird" / "blackbird").
    let joined_a: Vec<char> = a.iter().flat_map(Token::chars).copied().collect();
    let joined_b: Vec<char> = b.iter().flat_map(Token::chars).copied().collect();
    !is_spelling_variant(&joined_a, &joined_b)
}

/// Whether some whole number of one text is not among the whole numbers of the other, or
/// they hold different counts of them.
fn numbers_differ(a: &[Token], b: &[Token]) -> bool {
    let whole = |tokens: &[Token]| -> Vec<i128> {
        let mut numbers: Vec<i128> = tokens
            .iter()
            .filter_map(|token| match token {
                Token::Number(_, value) => *value,
                Token::Word(_) => None,
            })
            .collect();
        numbers.sort_unstable();
        numbers
    };
    whole(a) != whole(b)
}

fn tokens_are_variants(a: &Token, b: &Token) -> bool {
    match (a, b) {
        (Token::Word(x), Token::Word(y)) => is_spelling_variant(x, y),
        // Whole numbers were compared as numbers already; a fraction may differ by rounding,
        // which similarity judges.
        (Token::Number(..), Token::Number(..)) => true,
        _ => false,
    }
}

/// Lowercases and splits into words and numbers at whitespace, `_`, `-` and where letters
/// meet digits; a `.` between digits stays inside the number.
fn fold(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut current: Vec<char> = Vec::new();
    let mut in_number = false;
    let finish = |current: &mut Vec<char>, in_number: bool, tokens: &mut Vec<Token>| {
        if current.is_empty() {
            return;
        }
        let chars = std::mem::take(current);
        tokens.push(if in_number {
            let value = chars
                .iter()
                .collect::<String>()
                .parse::<f64>()
                .ok()
                .and_then(|number| whole_number(&PropertyValue::Number(number)));
            Token::Number(chars, value)
        } else {
            Token::Word(chars)
        });
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() || c == '_' || c == '-' {
            finish(&mut current, in_number, &mut tokens);
        } else if c.is_ascii_digit() {
            if !in_number {
                finish(&mut current, in_number, &mut tokens);
                in_number = true;
            }
            current.push(c);
        } else if c == '.' && in_number && chars.peek().is_some_and(char::is_ascii_digit) {
            current.push(c);
        } else {
            if in_number {
                finish(&mut current, in_number, &mut tokens);
                in_number = false;
            }
            current.extend(c.to_lowercase());
        }
    }
    finish(&mut current, in_number, &mut tokens);
    tokens
}

/// Same first letter and at most one spelling edit per four characters of the longer text
/// (at most three), by an optimal string alignment distance that counts only the edits
/// spellings differ by (see [`is_label_change`]).
fn is_spelling_variant(a: &[char], b: &[char]) -> bool {
    if a == b {
        return true;
    }
    if a.first() != b.first() {
        return false;
    }
    let (a, b) = (
        &a[..a.len().min(MAX_EDIT_CHARS)],
        &b[..b.len().min(MAX_EDIT_CHARS)],
    );
    let allowed = (a.len().max(b.len()) / 4).min(3);
    allowed > 0 && a.len().abs_diff(b.len()) <= allowed && edits_within(a, b, allowed)
}

/// Whether `a` and `b` are at most `limit` spelling edits apart (optimal string alignment:
/// substitutions, insertions, deletions and swaps of neighbours, each counting 1 where
/// spellings differ by it and ruling the pair out otherwise); both are at most
/// [`MAX_EDIT_CHARS`] long, so the table stays small.
fn edits_within(a: &[char], b: &[char], limit: usize) -> bool {
    // Past the limit: an edit that is not a spelling edit.
    let never = limit + 1;
    let width = b.len() + 1;
    let insert_cost = |word: &[char], at: usize| {
        if is_droppable(word, at) { 1 } else { never }
    };
    // Three rows of the distance table: two back (for swaps), one back, current.
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = vec![0; width];
    for j in 1..width {
        previous[j] = (previous[j - 1] + insert_cost(b, j - 1)).min(never);
    }
    let mut current: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        current[0] = (previous[0] + insert_cost(a, i - 1)).min(never);
        let mut row_minimum = current[0];
        for j in 1..width {
            let substitution = if a[i - 1] == b[j - 1] {
                0
            } else if is_spelling_substitution(a[i - 1], b[j - 1]) {
                1
            } else {
                never
            };
            let mut distance = (previous[j] + insert_cost(a, i - 1))
                .min(current[j - 1] + insert_cost(b, j - 1))
                .min(previous[j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                distance = distance.min(before[j - 2] + 1);
            }
            current[j] = distance.min(never);
            row_minimum = row_minimum.min(current[j]);
        }
        if row_minimum > limit {
            return false;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()] <= limit
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Whether dropping `word[at]` is a spelling edit: a vowel, or one of a doubled letter.
fn is_droppable(word: &[char], at: usize) -> bool {
    let c = word[at];
    is_vowel(c) || (at > 0 && word[at - 1] == c) || word.get(at + 1) == Some(&c)
}

/// Whether one letter for another is a spelling edit: vowel for vowel, or a pair of letters
/// spellings trade (`s`/`z`, `c`/`s`, `c`/`k`; `i`/`y` are both vowels here).
fn is_spelling_substitution(a: char, b: char) -> bool {
    (is_vowel(a) && is_vowel(b))
        || matches!((a.min(b), a.max(b)), ('s', 'z') | ('c', 's') | ('c', 'k'))
}

#[cfg(test)]
mod tests;
