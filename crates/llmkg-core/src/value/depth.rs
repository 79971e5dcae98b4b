//! The one bound on how deeply a [`PropertyValue`]'s lists nest, and a `Deserialize` that
//! enforces it while it decodes, so no file, however crafted, can recurse without bound.

use std::fmt;

use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, SeqAccess, VariantAccess, Visitor,
};

use super::PropertyValue;
use crate::{CoreError, Result};

/// The deepest list nesting a [`PropertyValue`] may have: a list of scalars nests 1 deep,
/// a list of such lists 2 deep, and so on up to this many levels.
///
/// Every part of llmkg that accepts a value applies this same bound, through
/// [`PropertyValue::check_depth`] when a value comes from a caller and through
/// `PropertyValue`'s `Deserialize` when it comes from a file: the store, its snapshots, the
/// optimizer and the learner's patterns file accept exactly the same values.
pub const MAX_VALUE_DEPTH: usize = 64;

impl PropertyValue {
    /// Checks that lists nest at most [`MAX_VALUE_DEPTH`] deep.
    ///
    /// The check looks no deeper than the limit, so it is safe on values of any depth.
    ///
    /// ```
    /// use llmkg_core::{MAX_VALUE_DEPTH, PropertyValue};
    /// let mut value = PropertyValue::Null;
    /// for _ in 0..MAX_VALUE_DEPTH {
    ///     value = PropertyValue::List(vec![value]);
    /// }
    /// assert!(value.check_depth().is_ok());
    /// assert!(PropertyValue::List(vec![value]).check_depth().is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`CoreError::ValueTooDeep`] for a deeper value.
    #[inline]
    pub fn check_depth(&self) -> Result<()> {
        // Scalars, by far the most common values, are answered without a call.
        match self {
            PropertyValue::List(_) => self.check_list_depth(),
            _ => Ok(()),
        }
    }

    fn check_list_depth(&self) -> Result<()> {
        fn within(value: &PropertyValue, lists_above: usize) -> bool {
            match value {
                PropertyValue::List(items) => {
                    lists_above < MAX_VALUE_DEPTH
                        && items.iter().all(|item| within(item, lists_above + 1))
                }
                _ => true,
            }
        }
        if within(self, 0) {
            Ok(())
        } else {
            Err(CoreError::ValueTooDeep {
                limit: MAX_VALUE_DEPTH,
            })
        }
    }
}

const VARIANTS: &[&str] = &["Boolean", "Number", "String", "Integer", "List", "Null"];

/// The same encoding `#[derive(Deserialize)]` reads (an externally tagged enum), with a
/// depth counter: a value nested deeper than [`MAX_VALUE_DEPTH`] is an error, not a stack
/// overflow.
impl<'de> Deserialize<'de> for PropertyValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        ValueSeed { lists_above: 0 }.deserialize(deserializer)
    }
}

#[derive(Clone, Copy)]
struct ValueSeed {
    lists_above: usize,
}

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = PropertyValue;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<PropertyValue, D::Error> {
        deserializer.deserialize_enum("PropertyValue", VARIANTS, self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = PropertyValue;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property value")
    }

    fn visit_enum<A: EnumAccess<'de>>(
        self,
        data: A,
    ) -> std::result::Result<PropertyValue, A::Error> {
        let (variant, access) = data.variant::<Variant>()?;
        Ok(match variant {
            Variant::Boolean => PropertyValue::Boolean(access.newtype_variant()?),
            Variant::Number => PropertyValue::Number(access.newtype_variant()?),
            Variant::String => PropertyValue::String(access.newtype_variant()?),
            Variant::Integer => PropertyValue::Integer(access.newtype_variant()?),
            Variant::List => {
                if self.lists_above >= MAX_VALUE_DEPTH {
                    return Err(de::Error::custom(format_args!(
                        "property value lists nest deeper than the limit of {MAX_VALUE_DEPTH}"
                    )));
                }
                PropertyValue::List(access.newtype_variant_seed(ListSeed {
                    items: ValueSeed {
                        lists_above: self.lists_above + 1,
                    },
                })?)
            }
            Variant::Null => {
                access.unit_variant()?;
                PropertyValue::Null
            }
        })
    }
}

struct ListSeed {
    items: ValueSeed,
}

impl<'de> DeserializeSeed<'de> for ListSeed {
    type Value = Vec<PropertyValue>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed {
    type Value = Vec<PropertyValue>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a list of property values")
    }

    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        // A length prefix is only a claim: reserve no more than a page's worth up front.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
        while let Some(item) = seq.next_element_seed(self.items)? {
            items.push(item);
        }
        Ok(items)
    }
}

/// A variant name, as an index (compact formats) or as text (self-describing formats).
enum Variant {
    Boolean,
    Number,
    String,
    Integer,
    List,
    Null,
}

impl<'de> Deserialize<'de> for Variant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_identifier(VariantVisitor)
    }
}

struct VariantVisitor;

impl Visitor<'_> for VariantVisitor {
    type Value = Variant;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property value variant")
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> std::result::Result<Variant, E> {
        Ok(match index {
            0 => Variant::Boolean,
            1 => Variant::Number,
            2 => Variant::String,
            3 => Variant::Integer,
            4 => Variant::List,
            5 => Variant::Null,
            _ => {
                return Err(de::Error::invalid_value(
                    de::Unexpected::Unsigned(index),
                    &"a variant index 0 <= i < 6",
                ));
            }
        })
    }

    fn visit_str<E: de::Error>(self, name: &str) -> std::result::Result<Variant, E> {
        Ok(match name {
            "Boolean" => Variant::Boolean,
            "Number" => Variant::Number,
            "String" => Variant::String,
            "Integer" => Variant::Integer,
            "List" => Variant::List,
            "Null" => Variant::Null,
            _ => return Err(de::Error::unknown_variant(name, VARIANTS)),
        })
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> std::result::Result<Variant, E> {
        match std::str::from_utf8(name) {
            Ok(name) => self.visit_str(name),
            Err(_) => Err(de::Error::invalid_value(de::Unexpected::Bytes(name), &self)),
        }
    }
}

#[cfg(test)]
mod tests;
