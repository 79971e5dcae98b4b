//! Hashing identifier tokens, values and changes without building strings: the stable
//! hashes the feature extractors and the pattern table share (weights and patterns are
//! stored by these hashes, so they never change between versions).

use llmkg_core::PropertyValue;
use llmkg_exception::ChangeKind;

/// A stable 64-bit hash of a namespace and a stream of bytes and words: FNV-1a over bytes,
/// whole words folded in with one MurmurHash3 finaliser each (one step instead of eight),
/// and a finaliser at the end so the low bits are well mixed. Stable across processes and
/// versions, which the patterns file relies on (weights are stored by slot).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenHasher(u64);

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl TokenHasher {
    pub(crate) const fn new(namespace: u64) -> Self {
        let mut hasher = TokenHasher(FNV_OFFSET_BASIS);
        hasher.write_u64(namespace);
        hasher
    }

    pub(crate) const fn write_u64(&mut self, value: u64) {
        self.0 = mix64(self.0 ^ value);
    }

    const fn write_byte(&mut self, byte: u8) {
        self.0 = (self.0 ^ byte as u64).wrapping_mul(FNV_PRIME);
    }

    /// Ends a text with the terminator [`write_lowercase`](Self::write_lowercase) writes.
    const fn end_text(&mut self) {
        self.write_byte(0xff);
    }

    /// Writes `text` lowercased, one character at a time, without allocating.
    pub(crate) fn write_lowercase(&mut self, text: &str) {
        // The same bytes as the loop below writes for ASCII text, without decoding UTF-8.
        if text.is_ascii() {
            for &byte in text.as_bytes() {
                self.write_byte(byte.to_ascii_lowercase());
            }
            self.end_text();
            return;
        }
        for character in text.chars() {
            if character.is_ascii() {
                self.write_byte(character.to_ascii_lowercase() as u8);
            } else {
                let mut buffer = [0_u8; 4];
                for lower in character.to_lowercase() {
                    for &byte in lower.encode_utf8(&mut buffer).as_bytes() {
                        self.write_byte(byte);
                    }
                }
            }
        }
        // A terminator keeps ("ab", "c") and ("a", "bc") apart when tokens are chained.
        self.end_text();
    }

    pub(crate) const fn finish(self) -> u64 {
        mix64(self.0)
    }
}

/// MurmurHash3's 64-bit finaliser.
const fn mix64(mut value: u64) -> u64 {
    value ^= value >> 33;
    value = value.wrapping_mul(0xff51_afd7_ed55_8ccd);
    value ^= value >> 33;
    value = value.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    value ^ (value >> 33)
}

/// [`token_hash`] of an ASCII token, computable at compile time (the same bytes
/// [`TokenHasher::write_lowercase`] writes for ASCII text), for tokens known in advance.
pub(crate) const fn ascii_token_hash(namespace: u64, token: &str) -> u64 {
    let mut hasher = TokenHasher::new(namespace);
    let bytes = token.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        hasher.write_byte(bytes[at].to_ascii_lowercase());
        at += 1;
    }
    hasher.end_text();
    hasher.finish()
}

/// The hash of one word in a namespace: `TokenHasher::new(namespace)`, `write_u64(word)`,
/// `finish()`, computable at compile time.
pub(crate) const fn word_hash(namespace: u64, word: u64) -> u64 {
    let mut hasher = TokenHasher::new(namespace);
    hasher.write_u64(word);
    hasher.finish()
}

/// Classes of ASCII bytes for [`ascii_name_hashes`].
const OTHER: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 3;

fn byte_class(byte: u8) -> u8 {
    match byte {
        b'a'..=b'z' => LOWER,
        b'A'..=b'Z' => UPPER,
        b'0'..=b'9' => DIGIT,
        _ => OTHER,
    }
}

/// For an ASCII `identifier`, in one pass over its bytes: `token_hash(whole, identifier)`,
/// and `token_hash(each, token)` of its first `tokens.len()` tokens (those
/// [`identifier_tokens`](llmkg_exception::identifier_tokens) gives) written to the front of `tokens`, with how many there are.
/// `None` for text that is not ASCII (what it wrote to `tokens` then means nothing).
pub(crate) fn ascii_name_hashes(
    identifier: &str,
    whole: u64,
    each: u64,
    tokens: &mut [u64],
) -> Option<(u64, usize)> {
    let bytes = identifier.as_bytes();
    let token_seed = TokenHasher::new(each);
    let mut whole_hasher = TokenHasher::new(whole);
    let mut count = 0;
    // The hasher of the token being read, if one is.
    let mut current: Option<TokenHasher> = None;
    let mut previous = OTHER;
    for (at, &byte) in bytes.iter().enumerate() {
        // Checked here rather than by a pass of its own.
        if !byte.is_ascii() {
            return None;
        }
        let lower = byte.to_ascii_lowercase();
        whole_hasher.write_byte(lower);
        if count == tokens.len() {
            continue;
        }
        let class = byte_class(byte);
        if let Some(mut token) = current {
            let next_is_lowercase = bytes
                .get(at + 1)
                .is_some_and(|&next| byte_class(next) == LOWER);
            // `identifier_tokens`' boundaries, for ASCII characters.
            let boundary = class == OTHER
                || (class == UPPER && (previous == LOWER || previous == DIGIT))
                || (class == UPPER && previous == UPPER && next_is_lowercase)
                || ((class == DIGIT) != (previous == DIGIT));
            if boundary {
                token.end_text();
                tokens[count] = token.finish();
                count += 1;
                current = None;
                if count == tokens.len() {
                    continue;
                }
            }
        }
        if class == OTHER {
            continue;
        }
        let mut token = current.unwrap_or(token_seed);
        token.write_byte(lower);
        current = Some(token);
        previous = class;
    }
    if let Some(mut token) = current
        && count < tokens.len()
    {
        token.end_text();
        tokens[count] = token.finish();
        count += 1;
    }
    whole_hasher.end_text();
    Some((whole_hasher.finish(), count))
}

/// The hash of one token in one namespace, lowercased.
pub(crate) fn token_hash(namespace: u64, token: &str) -> u64 {
    let mut hasher = TokenHasher::new(namespace);
    hasher.write_lowercase(token);
    hasher.finish()
}

/// The hash of a pair of hashes in a namespace: the slot of a crossed feature.
pub(crate) fn combine_hashes(namespace: u64, first: u64, second: u64) -> u64 {
    let mut hasher = TokenHasher::new(namespace);
    hasher.write_u64(first);
    hasher.write_u64(second);
    hasher.finish()
}

/// A small code for the kind of a value; booleans keep their value because a `true` to
/// `false` override is a different pattern from `false` to `true`.
pub(crate) fn value_code(value: &PropertyValue) -> u64 {
    match value {
        PropertyValue::Boolean(false) => 1,
        PropertyValue::Boolean(true) => 2,
        PropertyValue::Number(_) => 3,
        PropertyValue::String(_) => 4,
        PropertyValue::Integer(_) => 5,
        PropertyValue::List(_) => 6,
        PropertyValue::Null => 7,
    }
}

/// The word a change hashes as: its [`ChangeKind::code`] (the kind from
/// [`compare`](llmkg_exception::compare), the one classification of a change; a boolean
/// flip's kind carries its direction), below [`ChangeKind::COUNT`].
pub(crate) fn change_code(kind: ChangeKind) -> u64 {
    u64::from(kind.code())
}

/// The word the change feature and its crosses hash: the [`change_code`], and for a value
/// that stays as it was, also the value's [`value_code`] (a `true` that stays `true` is not a
/// `false` that stays `false`, and the learner sees many of both). Below 128.
pub(crate) fn change_feature_word(kind: ChangeKind, actual: &PropertyValue) -> u64 {
    let code = change_code(kind);
    if kind == ChangeKind::Equal {
        code + ChangeKind::COUNT as u64 * value_code(actual)
    } else {
        code
    }
}

/// [`change_feature_word`] of the change from `inherited` to `actual`.
pub(crate) fn change_feature_word_of(inherited: &PropertyValue, actual: &PropertyValue) -> u64 {
    change_feature_word(llmkg_exception::compare(inherited, actual).kind, actual)
}

/// [`change_code`] of the change from `inherited` to `actual`.
pub(crate) fn change_code_of(inherited: &PropertyValue, actual: &PropertyValue) -> u64 {
    change_code(llmkg_exception::compare(inherited, actual).kind)
}

#[cfg(test)]
mod tests {
    use llmkg_exception::identifier_tokens;

    use super::*;

    proptest::proptest! {
        /// The one-pass hashes are `token_hash` of the name and of `identifier_tokens`' tokens.
        #[test]
        fn ascii_name_hashes_are_the_token_hashes(
            identifier in "[a-zA-Z0-9_ -]{0,24}|.{0,12}",
            limit in 0_usize..10,
        ) {
            let mut tokens = vec![0; limit];
            let found = ascii_name_hashes(&identifier, 1, 2, &mut tokens);
            if identifier.is_ascii() {
                let expected: Vec<u64> =
                    identifier_tokens(&identifier).take(limit).map(|token| token_hash(2, token)).collect();
                proptest::prop_assert_eq!(found, Some((token_hash(1, &identifier), expected.len())));
                proptest::prop_assert_eq!(&tokens[..expected.len()], &expected[..]);
            } else {
                proptest::prop_assert_eq!(found, None);
            }
        }
    }

    #[test]
    fn compile_time_hashes_match_the_hasher() {
        for (namespace, token) in [(0, ""), (3, "boolean"), (17, "4-7"), (11, "PenGuin")] {
            assert_eq!(
                ascii_token_hash(namespace, token),
                token_hash(namespace, token)
            );
        }
        for (namespace, word) in [(5, 0), (5, 63), (6, u64::MAX)] {
            let mut hasher = TokenHasher::new(namespace);
            hasher.write_u64(word);
            assert_eq!(word_hash(namespace, word), hasher.finish());
        }
    }

    #[test]
    fn token_hash_ignores_case_but_not_namespace() {
        assert_eq!(token_hash(1, "Penguin"), token_hash(1, "penguin"));
        assert_ne!(token_hash(1, "penguin"), token_hash(2, "penguin"));
        assert_ne!(token_hash(1, "penguin"), token_hash(1, "penguins"));
    }

    #[test]
    fn token_hash_is_stable_across_versions() {
        // Pinned: the patterns file stores weights by slot, so these must never change.
        assert_eq!(token_hash(0, ""), 0xef8d_805d_e062_225c);
        assert_eq!(token_hash(11, "penguin"), token_hash(11, "PENGUIN"));
    }

    #[test]
    fn ascii_and_unicode_paths_hash_alike() {
        // "Ä" takes the character path; its ASCII neighbours hash as they would alone.
        let mut mixed = TokenHasher::new(3);
        mixed.write_lowercase("Ab\u{c4}c");
        let mut expected = TokenHasher::new(3);
        for byte in "ab\u{e4}c".bytes() {
            expected.write_byte(byte);
        }
        expected.write_byte(0xff);
        assert_eq!(mixed.finish(), expected.finish());
        let mut ascii = TokenHasher::new(3);
        ascii.write_lowercase("Can_FLY");
        let mut bytes = TokenHasher::new(3);
        for byte in "can_fly".bytes() {
            bytes.write_byte(byte);
        }
        bytes.write_byte(0xff);
        assert_eq!(ascii.finish(), bytes.finish());
    }

    #[test]
    fn change_codes_keep_boolean_direction_and_share_a_kind() {
        let t = PropertyValue::Boolean(true);
        let f = PropertyValue::Boolean(false);
        assert_ne!(change_code_of(&t, &f), change_code_of(&f, &t));
        assert_eq!(
            change_code_of(&"a".into(), &"b".into()),
            change_code_of(&"c".into(), &"d".into())
        );
        assert_ne!(
            change_code_of(&"can fly".into(), &"cannot fly".into()),
            change_code_of(&"red".into(), &"blue".into())
        );
        for (inherited, actual) in [(&t, &f), (&f, &t), (&t, &PropertyValue::Null)] {
            assert!(change_code_of(inherited, actual) < ChangeKind::COUNT as u64);
        }
        // A value that stays is told apart by its value, for the feature only.
        assert_eq!(change_code_of(&t, &t), change_code_of(&f, &f));
        assert_ne!(
            change_feature_word_of(&t, &t),
            change_feature_word_of(&f, &f)
        );
        for value in [&t, &f, &PropertyValue::Null, &PropertyValue::Integer(3)] {
            assert!(change_feature_word_of(value, value) < 128);
        }
    }
}
