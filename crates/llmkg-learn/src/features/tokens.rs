//! Hashing identifier tokens and values without building strings.

use llmkg_core::PropertyValue;

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
fn mix64(mut value: u64) -> u64 {
    value ^= value >> 33;
    value = value.wrapping_mul(0xff51_afd7_ed55_8ccd);
    value ^= value >> 33;
    value = value.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    value ^ (value >> 33)
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
