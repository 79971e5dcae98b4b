//! Hashing identifier tokens and values without building strings.

use llmkg_core::PropertyValue;
use llmkg_exception::identifier_tokens;

/// A stable 64-bit hash of a namespace and a stream of bytes and words: FNV-1a over bytes,
/// whole words folded in with one MurmurHash3 finaliser each (one step instead of eight),
/// and a finaliser at the end so the low bits are well mixed. Stable across processes and
/// versions, which the patterns file relies on (weights are stored by slot).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenHasher(u64);

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl TokenHasher {
    pub(crate) fn new(namespace: u64) -> Self {
        let mut hasher = TokenHasher(FNV_OFFSET_BASIS);
        hasher.write_u64(namespace);
        hasher
    }

    pub(crate) fn write_u64(&mut self, value: u64) {
        self.0 = mix64(self.0 ^ value);
    }

    fn write_byte(&mut self, byte: u8) {
        self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
    }

    /// Writes `text` lowercased, one character at a time, without allocating.
    pub(crate) fn write_lowercase(&mut self, text: &str) {
        // The same bytes as the loop below writes for ASCII text, without decoding UTF-8.
        if text.is_ascii() {
            for &byte in text.as_bytes() {
                self.write_byte(byte.to_ascii_lowercase());
            }
            self.write_byte(0xff);
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
        self.write_byte(0xff);
    }

    pub(crate) fn finish(self) -> u64 {
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
    let mut state = mix64(FNV_OFFSET_BASIS ^ namespace);
    let bytes = token.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        state = (state ^ bytes[at].to_ascii_lowercase() as u64).wrapping_mul(FNV_PRIME);
        at += 1;
    }
    state = (state ^ 0xff).wrapping_mul(FNV_PRIME);
    mix64(state)
}

/// The hash of one word in a namespace: `TokenHasher::new(namespace)`, `write_u64(word)`,
/// `finish()`, computable at compile time.
pub(crate) const fn word_hash(namespace: u64, word: u64) -> u64 {
    mix64(mix64(mix64(FNV_OFFSET_BASIS ^ namespace) ^ word))
}

/// Calls `visit` with the first `limit` tokens of `identifier`, exactly those of
/// [`identifier_tokens`]: ASCII text (most names) is split byte by byte with the same
/// rules, anything else by `identifier_tokens` itself.
pub(crate) fn for_each_token(identifier: &str, limit: usize, mut visit: impl FnMut(&str)) {
    if !identifier.is_ascii() {
        identifier_tokens(identifier).take(limit).for_each(visit);
        return;
    }
    let bytes = identifier.as_bytes();
    let mut at = 0;
    for _ in 0..limit {
        while at < bytes.len() && !bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
        if at == bytes.len() {
            return;
        }
        let start = at;
        let mut previous = bytes[at];
        at += 1;
        while let Some(&current) = bytes.get(at) {
            let next_is_lowercase = bytes.get(at + 1).is_some_and(u8::is_ascii_lowercase);
            // `identifier_tokens`' boundaries, for ASCII characters.
            let boundary = !current.is_ascii_alphanumeric()
                || (current.is_ascii_uppercase()
                    && (previous.is_ascii_lowercase() || previous.is_ascii_digit()))
                || (current.is_ascii_uppercase()
                    && previous.is_ascii_uppercase()
                    && next_is_lowercase)
                || (current.is_ascii_digit() != previous.is_ascii_digit());
            if boundary {
                break;
            }
            previous = current;
            at += 1;
        }
        visit(&identifier[start..at]);
    }
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
fn value_code(value: &PropertyValue) -> u64 {
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

/// Which kind of change goes from `inherited` to `actual`: equal for, say, every
/// string-to-string override, distinct for `true -> false` and `false -> true`.
pub(crate) fn transition_signature(inherited: &PropertyValue, actual: &PropertyValue) -> u64 {
    value_code(inherited) * 8 + value_code(actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The byte-wise split is `identifier_tokens`, on ASCII and other text alike.
        #[test]
        fn for_each_token_is_identifier_tokens(
            identifier in "[a-zA-Z0-9_ -]{0,24}|.{0,12}",
            limit in 0_usize..10,
        ) {
            let mut tokens = Vec::new();
            for_each_token(&identifier, limit, |token| tokens.push(token.to_owned()));
            let expected: Vec<String> =
                identifier_tokens(&identifier).take(limit).map(str::to_owned).collect();
            proptest::prop_assert_eq!(tokens, expected);
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
    fn transitions_keep_boolean_direction() {
        let t = PropertyValue::Boolean(true);
        let f = PropertyValue::Boolean(false);
        assert_ne!(transition_signature(&t, &f), transition_signature(&f, &t));
        assert_eq!(
            transition_signature(&"a".into(), &"b".into()),
            transition_signature(&"c".into(), &"d".into())
        );
    }
}
