//! Node identifiers and the values a property can hold.

use std::fmt;

use serde::{Deserialize, Serialize};

mod depth;

pub use depth::MAX_VALUE_DEPTH;

/// The identifier of a node (a concept) in the knowledge graph.
///
/// A plain `u64` newtype: cheap to copy, hash and order.
///
/// ```
/// use llmkg_core::NodeId;
/// let penguin = NodeId(3);
/// assert!(penguin > NodeId(2));
/// assert_eq!(penguin.to_string(), "#3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u64);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl From<u64> for NodeId {
    fn from(raw: u64) -> Self {
        NodeId(raw)
    }
}

/// A property's value.
///
/// `Boolean`, `Number` and `String` are what the seed's benchmarks use. The others are what
/// a knowledge graph needs besides: `Integer` for counts and years that must not lose
/// precision through `f64` (above 2^53), `List` for multi-valued properties
/// (`colors = ["black", "white"]`), and `Null` for "explicitly has no value", which is how a
/// node cancels an inherited value without inventing a sentinel.
///
/// Equality is structural; `Number(f64::NAN)` is not equal to itself, as with `f64`.
/// Lists nest at most [`MAX_VALUE_DEPTH`] deep wherever llmkg accepts a value
/// ([`check_depth`](PropertyValue::check_depth)); deserializing refuses deeper values.
///
/// ```
/// use llmkg_core::PropertyValue;
/// let v = PropertyValue::from("black");
/// assert_eq!(v.as_str(), Some("black"));
/// assert_eq!(v.type_name(), "string");
/// assert_eq!(PropertyValue::from(true), PropertyValue::Boolean(true));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
pub enum PropertyValue {
    /// A truth value, e.g. `can_fly = true`.
    Boolean(bool),
    /// A real number, e.g. `wingspan_m = 1.2`.
    Number(f64),
    /// Text, e.g. `color = "black"`.
    String(String),
    /// An exact integer, e.g. `legs = 2`.
    Integer(i64),
    /// Several values, e.g. `diet = ["fish", "krill"]`.
    List(Vec<PropertyValue>),
    /// Explicitly no value: overrides an inherited value with "none".
    #[default]
    Null,
}

impl PropertyValue {
    /// A short, stable name of the variant: `"boolean"`, `"number"`, `"string"`, `"integer"`,
    /// `"list"` or `"null"`.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            PropertyValue::Boolean(_) => "boolean",
            PropertyValue::Number(_) => "number",
            PropertyValue::String(_) => "string",
            PropertyValue::Integer(_) => "integer",
            PropertyValue::List(_) => "list",
            PropertyValue::Null => "null",
        }
    }

    /// The boolean, if this is a `Boolean`.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            PropertyValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The value as `f64`, if this is a `Number` or an `Integer` (integers above 2^53 round).
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            PropertyValue::Number(n) => Some(*n),
            PropertyValue::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The text, if this is a `String`.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropertyValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is `Null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, PropertyValue::Null)
    }

    /// Heap bytes owned by this value (string and list capacities, recursively).
    ///
    /// Used by the stores' memory statistics; it reads real capacities, not lengths.
    pub fn heap_bytes(&self) -> usize {
        match self {
            PropertyValue::String(s) => s.capacity(),
            PropertyValue::List(items) => {
                items.capacity() * std::mem::size_of::<PropertyValue>()
                    + items.iter().map(PropertyValue::heap_bytes).sum::<usize>()
            }
            _ => 0,
        }
    }
}

impl fmt::Display for PropertyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyValue::Boolean(b) => write!(f, "{b}"),
            PropertyValue::Number(n) => write!(f, "{n}"),
            PropertyValue::String(s) => write!(f, "{s:?}"),
            PropertyValue::Integer(i) => write!(f, "{i}"),
            PropertyValue::List(items) => {
                f.write_str("[")?;
                for (idx, item) in items.iter().enumerate() {
                    if idx > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            PropertyValue::Null => f.write_str("null"),
        }
    }
}

impl From<bool> for PropertyValue {
    fn from(value: bool) -> Self {
        PropertyValue::Boolean(value)
    }
}

impl From<f64> for PropertyValue {
    fn from(value: f64) -> Self {
        PropertyValue::Number(value)
    }
}

impl From<i64> for PropertyValue {
    fn from(value: i64) -> Self {
        PropertyValue::Integer(value)
    }
}

impl From<&str> for PropertyValue {
    fn from(value: &str) -> Self {
        PropertyValue::String(value.to_owned())
    }
}

impl From<String> for PropertyValue {
    fn from(value: String) -> Self {
        PropertyValue::String(value)
    }
}

impl<T: Into<PropertyValue>> From<Vec<T>> for PropertyValue {
    fn from(values: Vec<T>) -> Self {
        PropertyValue::List(values.into_iter().map(Into::into).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_readable() {
        assert_eq!(
            PropertyValue::from(vec!["a", "b"]).to_string(),
            r#"["a", "b"]"#
        );
        assert_eq!(PropertyValue::Null.to_string(), "null");
        assert_eq!(PropertyValue::Integer(-3).to_string(), "-3");
    }

    #[test]
    fn heap_bytes_counts_capacity_recursively() {
        let mut s = String::with_capacity(40);
        s.push('x');
        let value = PropertyValue::List(vec![PropertyValue::String(s)]);
        let expected = std::mem::size_of::<PropertyValue>() + 40;
        assert_eq!(value.heap_bytes(), expected);
    }

    #[test]
    fn serde_round_trip() {
        let value = PropertyValue::List(vec![
            PropertyValue::Boolean(true),
            PropertyValue::Number(1.5),
            PropertyValue::Integer(i64::MAX),
            PropertyValue::Null,
            PropertyValue::from("x"),
        ]);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(serde_json::from_str::<PropertyValue>(&json).unwrap(), value);
    }
}
