//! The canonical byte encoding of a [`PropertyValue`], used to intern values by their bytes.
//!
//! Every value has exactly one encoding, so equal encodings mean bit-identical values:
//! numbers are stored as their raw `f64` bits (NaN payloads and `-0.0` survive), integers as
//! zigzag varints, strings and lists with a varint length prefix.
//!
//! | tag | value |
//! |---|---|
//! | 0 | `Null` |
//! | 1, 2 | `Boolean(false)`, `Boolean(true)` |
//! | 3 | `Integer`, zigzag varint |
//! | 4 | `Number`, 8 bytes little-endian bits |
//! | 5 | `String`, varint byte length, UTF-8 bytes |
//! | 6 | `List`, varint item count, items |

use llmkg_core::PropertyValue;

use crate::{OptimizeError, Result};

/// The deepest list nesting the optimizer accepts, the same bound as everywhere else in
/// llmkg: deeper values are rejected on store so encoding, decoding and dropping never
/// recurse without bound.
pub use llmkg_core::MAX_VALUE_DEPTH;

const TAG_NULL: u8 = 0;
const TAG_FALSE: u8 = 1;
const TAG_TRUE: u8 = 2;
const TAG_INTEGER: u8 = 3;
const TAG_NUMBER: u8 = 4;
const TAG_STRING: u8 = 5;
const TAG_LIST: u8 = 6;

/// Checks that `value` nests lists at most [`MAX_VALUE_DEPTH`] deep.
pub(crate) fn check_depth(value: &PropertyValue) -> Result<()> {
    value
        .check_depth()
        .map_err(|_| OptimizeError::ValueTooDeep {
            limit: MAX_VALUE_DEPTH,
        })
}

/// Appends the canonical encoding of `value` to `out`.
pub(crate) fn encode_value(value: &PropertyValue, out: &mut Vec<u8>) {
    match value {
        PropertyValue::Null => out.push(TAG_NULL),
        PropertyValue::Boolean(false) => out.push(TAG_FALSE),
        PropertyValue::Boolean(true) => out.push(TAG_TRUE),
        PropertyValue::Integer(integer) => {
            out.push(TAG_INTEGER);
            write_varint(out, ((integer << 1) ^ (integer >> 63)) as u64);
        }
        PropertyValue::Number(number) => {
            out.push(TAG_NUMBER);
            out.extend_from_slice(&number.to_bits().to_le_bytes());
        }
        PropertyValue::String(text) => encode_text(text, out),
        PropertyValue::List(items) => {
            out.push(TAG_LIST);
            write_varint(out, items.len() as u64);
            for item in items {
                encode_value(item, out);
            }
        }
    }
}

/// Appends the canonical encoding of `PropertyValue::String(text)` to `out`, without
/// building the value.
pub(crate) fn encode_text(text: &str, out: &mut Vec<u8>) {
    out.push(TAG_STRING);
    write_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// Decodes one value that must span all of `bytes`.
pub(crate) fn decode_value(bytes: &[u8]) -> std::result::Result<PropertyValue, String> {
    let mut reader = Reader { bytes, position: 0 };
    let value = reader.value(0)?;
    if reader.position != bytes.len() {
        return Err(format!(
            "{} trailing bytes after a value",
            bytes.len() - reader.position
        ));
    }
    Ok(value)
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> std::result::Result<u8, String> {
        let byte = *self
            .bytes
            .get(self.position)
            .ok_or_else(|| format!("value truncated at byte {}", self.position))?;
        self.position += 1;
        Ok(byte)
    }

    fn take(&mut self, count: usize) -> std::result::Result<&[u8], String> {
        let end = self
            .position
            .checked_add(count)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| format!("value needs {count} bytes at byte {}", self.position))?;
        let slice = &self.bytes[self.position..end];
        self.position = end;
        Ok(slice)
    }

    fn varint(&mut self) -> std::result::Result<u64, String> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let low = u64::from(byte & 0x7f);
            if shift == 63 && low > 1 {
                return Err("varint overflows 64 bits".to_owned());
            }
            value |= low << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("varint longer than 10 bytes".to_owned())
    }

    fn length(&mut self) -> std::result::Result<usize, String> {
        let length = self.varint()?;
        // A length can never exceed the bytes that remain (each item takes at least one).
        usize::try_from(length)
            .ok()
            .filter(|&length| length <= self.bytes.len() - self.position)
            .ok_or_else(|| format!("length {length} exceeds the remaining bytes"))
    }

    fn value(&mut self, depth: usize) -> std::result::Result<PropertyValue, String> {
        let tag = self.byte()?;
        Ok(match tag {
            TAG_NULL => PropertyValue::Null,
            TAG_FALSE => PropertyValue::Boolean(false),
            TAG_TRUE => PropertyValue::Boolean(true),
            TAG_INTEGER => {
                let zigzag = self.varint()?;
                PropertyValue::Integer(((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64))
            }
            TAG_NUMBER => {
                let mut bits = [0_u8; 8];
                bits.copy_from_slice(self.take(8)?);
                PropertyValue::Number(f64::from_bits(u64::from_le_bytes(bits)))
            }
            TAG_STRING => {
                let length = self.length()?;
                let text = std::str::from_utf8(self.take(length)?)
                    .map_err(|error| format!("string is not UTF-8: {error}"))?;
                PropertyValue::String(text.to_owned())
            }
            TAG_LIST => {
                if depth >= MAX_VALUE_DEPTH {
                    return Err(format!("lists nest deeper than {MAX_VALUE_DEPTH}"));
                }
                let count = self.length()?;
                // The count is the file's word: room for a bounded few, the rest as they decode.
                let mut items = Vec::with_capacity(count.min(1024));
                for _ in 0..count {
                    items.push(self.value(depth + 1)?);
                }
                PropertyValue::List(items)
            }
            other => return Err(format!("unknown value tag {other}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::test_support::{arbitrary_value, same_value};

    fn round_trip(value: &PropertyValue) -> PropertyValue {
        let mut bytes = Vec::new();
        encode_value(value, &mut bytes);
        decode_value(&bytes).expect("an encoding we just made decodes")
    }

    #[test]
    fn special_floats_keep_their_bits() {
        for bits in [
            (-0.0_f64).to_bits(),
            0x7ff8_dead_beef_0001,
            f64::NEG_INFINITY.to_bits(),
        ] {
            let value = PropertyValue::Number(f64::from_bits(bits));
            assert!(same_value(&round_trip(&value), &value));
        }
    }

    #[test]
    fn integer_extremes_round_trip() {
        for integer in [i64::MIN, -1, 0, 1, i64::MAX] {
            assert_eq!(
                round_trip(&PropertyValue::Integer(integer)),
                PropertyValue::Integer(integer)
            );
        }
    }

    #[test]
    fn too_deep_values_are_rejected_both_ways() {
        let mut value = PropertyValue::Null;
        for _ in 0..=MAX_VALUE_DEPTH {
            value = PropertyValue::List(vec![value]);
        }
        let error = check_depth(&value).unwrap_err();
        assert!(matches!(error, OptimizeError::ValueTooDeep { limit } if limit == MAX_VALUE_DEPTH));
        assert_eq!(
            error.to_string(),
            format!("property value lists nest deeper than the limit of {MAX_VALUE_DEPTH}")
        );
        let mut bytes = Vec::new();
        encode_value(&value, &mut bytes);
        assert!(decode_value(&bytes).is_err());
        let PropertyValue::List(mut inner) = value else {
            unreachable!("built as a list")
        };
        let shallower = inner.pop().expect("one item");
        assert!(check_depth(&shallower).is_ok());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &[][..],
            &[9],
            &[5, 10, b'a'],
            &[
                6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
            ],
            &[4, 1, 2],
            &[0, 0],
            &[5, 1, 0xff],
        ] {
            assert!(decode_value(bytes).is_err(), "{bytes:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn every_value_round_trips(value in arbitrary_value()) {
            prop_assert!(same_value(&round_trip(&value), &value));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_value(&bytes);
        }
    }
}
