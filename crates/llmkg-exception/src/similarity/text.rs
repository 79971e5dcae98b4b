//! String comparison: normalisation, negation words, numbers inside text, Jaro-Winkler.

use super::{ChangeKind, count_step, number_similarity};

/// Normalised texts longer than this many characters (either side) are scored by the Dice
/// coefficient of their character bigrams, O(n log n), instead of Jaro-Winkler, whose cost
/// grows with the product of the lengths.
pub(crate) const MAX_JARO_WINKLER_CHARS: usize = 256;

/// Words that negate a statement; a word ending in `n't` negates too.
///
/// The apostrophe-less contractions are here because free text often drops the apostrophe.
const NEGATION_WORDS: &[&str] = &[
    "not", "no", "never", "cannot", "cant", "without", "non", "none", "nor", "neither", "nothing",
    "nobody", "nowhere", "isnt", "arent", "wasnt", "werent", "dont", "doesnt", "didnt", "wont",
    "wouldnt", "couldnt", "shouldnt", "hasnt", "havent", "hadnt",
];

/// One word or number of a normalised string, as a byte range into it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Token {
    start: usize,
    end: usize,
    /// The value, for a token that is a finite number.
    number: Option<f64>,
}

/// A string in normalised form, with its tokens.
#[derive(Debug)]
struct NormalisedText {
    text: String,
    tokens: Vec<Token>,
}

impl NormalisedText {
    fn word(&self, token: Token) -> &str {
        &self.text[token.start..token.end]
    }

    /// Whether the text holds an odd number of negation words.
    fn is_negated(&self) -> bool {
        let n_negations = self
            .tokens
            .iter()
            .filter(|token| token.number.is_none() && is_negation_word(self.word(**token)))
            .count();
        n_negations % 2 == 1
    }
}

/// Compares two strings; see [`crate::calculate_similarity`] for the rules.
pub(super) fn compare_text(inherited: &str, actual: &str) -> (f32, ChangeKind) {
    let inherited = normalise(inherited);
    let actual = normalise(actual);
    if inherited.is_negated() != actual.is_negated() {
        return (0.0, ChangeKind::TextNegation);
    }
    if let Some(similarity) = numeric_similarity(&inherited, &actual) {
        return (similarity, ChangeKind::Text);
    }
    let similarity = text_similarity(&inherited.text, &actual.text);
    (similarity.clamp(0.0, 1.0), ChangeKind::Text)
}

/// Jaro-Winkler for texts up to [`MAX_JARO_WINKLER_CHARS`], the bigram Dice coefficient for
/// longer ones.
fn text_similarity(a: &str, b: &str) -> f32 {
    let (chars_a, chars_b) = (a.chars().count(), b.chars().count());
    count_step(chars_a + chars_b);
    if chars_a.max(chars_b) <= MAX_JARO_WINKLER_CHARS {
        count_step(chars_a * chars_b);
        return strsim::jaro_winkler(a, b) as f32;
    }
    bigram_dice(a, b)
}

/// `2 |A ∩ B| / (|A| + |B|)` over the multisets of character bigrams of `a` and `b`, by
/// sorting and merging (O(n log n), no hashing); symmetric, 1 for equal texts.
fn bigram_dice(a: &str, b: &str) -> f32 {
    fn bigrams(text: &str) -> Vec<u64> {
        let mut out: Vec<u64> = text
            .chars()
            .zip(text.chars().skip(1))
            .map(|(x, y)| (u64::from(u32::from(x)) << 32) | u64::from(u32::from(y)))
            .collect();
        out.sort_unstable();
        out
    }
    let (left, right) = (bigrams(a), bigrams(b));
    count_step(left.len() + right.len());
    if left.is_empty() && right.is_empty() {
        return if a == b { 1.0 } else { 0.0 };
    }
    let (mut i, mut j, mut shared) = (0, 0, 0_usize);
    while i < left.len() && j < right.len() {
        match left[i].cmp(&right[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (2 * shared) as f32 / (left.len() + right.len()) as f32
}

fn is_negation_word(word: &str) -> bool {
    NEGATION_WORDS.contains(&word) || word.ends_with("n't") || word.ends_with("n\u{2019}t")
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == '_' || c == '-'
}

#[derive(Clone, Copy, PartialEq)]
enum TokenClass {
    Word,
    Number { seen_dot: bool },
}

/// Lowercases, turns separator runs into one space, splits digits from letters and
/// records the tokens.
fn normalise(raw: &str) -> NormalisedText {
    let mut text = String::with_capacity(raw.len());
    let mut tokens = Vec::new();
    let mut current: Option<(TokenClass, usize)> = None;
    let mut chars = raw.chars().peekable();

    while let Some(c) = chars.next() {
        let next_is_digit = chars.peek().is_some_and(char::is_ascii_digit);
        if c == '-' && next_is_digit && current.is_none() {
            start_token(
                &mut text,
                &mut current,
                TokenClass::Number { seen_dot: false },
            );
            text.push('-');
        } else if is_separator(c) {
            finish_token(&text, &mut tokens, &mut current);
        } else if c.is_ascii_digit() {
            if !matches!(current, Some((TokenClass::Number { .. }, _))) {
                finish_token(&text, &mut tokens, &mut current);
                start_token(
                    &mut text,
                    &mut current,
                    TokenClass::Number { seen_dot: false },
                );
            }
            text.push(c);
        } else if c == '.'
            && next_is_digit
            && matches!(current, Some((TokenClass::Number { seen_dot: false }, _)))
        {
            if let Some((class, _)) = current.as_mut() {
                *class = TokenClass::Number { seen_dot: true };
            }
            text.push('.');
        } else {
            if !matches!(current, Some((TokenClass::Word, _))) {
                finish_token(&text, &mut tokens, &mut current);
                start_token(&mut text, &mut current, TokenClass::Word);
            }
            text.extend(c.to_lowercase());
        }
    }
    finish_token(&text, &mut tokens, &mut current);
    NormalisedText { text, tokens }
}

fn start_token(text: &mut String, current: &mut Option<(TokenClass, usize)>, class: TokenClass) {
    if !text.is_empty() {
        text.push(' ');
    }
    *current = Some((class, text.len()));
}

fn finish_token(text: &str, tokens: &mut Vec<Token>, current: &mut Option<(TokenClass, usize)>) {
    if let Some((class, start)) = current.take() {
        let end = text.len();
        let number = match class {
            TokenClass::Number { .. } => text[start..end]
                .parse::<f64>()
                .ok()
                .filter(|value| value.is_finite()),
            TokenClass::Word => None,
        };
        tokens.push(Token { start, end, number });
    }
}

/// When both texts have the same words in the same places and at least one number, the
/// lowest similarity of their paired numbers; `None` when their shapes differ.
fn numeric_similarity(a: &NormalisedText, b: &NormalisedText) -> Option<f32> {
    if a.tokens.len() != b.tokens.len() {
        return None;
    }
    let mut lowest: Option<f32> = None;
    for (token_a, token_b) in a.tokens.iter().zip(&b.tokens) {
        match (token_a.number, token_b.number) {
            (Some(x), Some(y)) => {
                let similarity = number_similarity(x, y);
                lowest = Some(lowest.map_or(similarity, |low| low.min(similarity)));
            }
            (None, None) if a.word(*token_a) == b.word(*token_b) => {}
            _ => return None,
        }
    }
    lowest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(raw: &str) -> Vec<String> {
        let normalised = normalise(raw);
        normalised
            .tokens
            .iter()
            .map(|token| normalised.word(*token).to_owned())
            .collect()
    }

    #[test]
    fn normalise_lowercases_and_merges_separators() {
        assert_eq!(normalise("  Dark__Red - Wine ").text, "dark red wine");
        assert_eq!(normalise("dark-red").text, normalise("DARK red").text);
    }

    #[test]
    fn normalise_splits_numbers_from_words() {
        assert_eq!(words("10kg"), ["10", "kg"]);
        assert_eq!(words("value_0_12"), ["value", "0", "12"]);
        assert_eq!(words("-5 C"), ["-5", "c"]);
        assert_eq!(words("x-5"), ["x", "5"]);
        assert_eq!(words("3.25m"), ["3.25", "m"]);
        assert_eq!(normalise("3.25m").tokens[0].number, Some(3.25));
        assert_eq!(normalise("-5").tokens[0].number, Some(-5.0));
    }

    #[test]
    fn negation_parity() {
        assert!(!normalise("can fly").is_negated());
        assert!(normalise("cannot fly").is_negated());
        assert!(normalise("Can't fly").is_negated());
        assert!(normalise("does NOT fly").is_negated());
        assert!(!normalise("not never flies").is_negated());
        assert!(normalise("non-flying").is_negated());
    }

    #[test]
    fn numbers_inside_text_compare_numerically() {
        let similarity = |a: &str, b: &str| numeric_similarity(&normalise(a), &normalise(b));
        assert_eq!(similarity("10", "100"), Some(0.1));
        assert_eq!(similarity("10.0 kg", "10kg"), Some(1.0));
        assert_eq!(similarity("10 kg", "10 lb"), None);
        assert_eq!(similarity("red", "crimson"), None);
    }
}
