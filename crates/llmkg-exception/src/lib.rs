//! The vocabulary shared by every llmkg engine: what an exception is, where it came from,
//! the stable key that names it, how alike two values are, how a change is put into words,
//! and what a learned pattern tells a detector.
//!
//! The detector produces [`Exception`]s, the store keeps them, the learner learns from them
//! and the optimizer packs them; none of those needs another engine to name the record,
//! to score a difference ([`calculate_similarity`], the one similarity of the workspace), to
//! write a reason ([`describe_change`], [`describe_change_into`], [`describe_pattern`]) or to
//! exchange patterns ([`PatternSource`]). A change between two values has one classification,
//! [`ChangeKind`]; one exception held borrowed has one view, [`ExceptionParts`]. It depends on
//! `llmkg-core` alone.
//!
//! ```
//! use llmkg_core::{NodeId, PropertyValue};
//! use llmkg_exception::{Exception, ExceptionKey, ExceptionSource, property_hash};
//!
//! let penguin = Exception::new(
//!     PropertyValue::Boolean(true),
//!     PropertyValue::Boolean(false),
//!     "Penguins are flightless",
//!     ExceptionSource::Explicit,
//!     1.0,
//! );
//! assert!(penguin.validate().is_ok());
//! let key = ExceptionKey::new(NodeId(3), "can_fly");
//! assert_eq!(key.property_hash, property_hash("can_fly"));
//! ```
//!
//! # Bounds
//!
//! [`calculate_similarity`] and [`compare`] take time near-linear in the two values for any
//! values: texts over 256 characters (after normalisation) are scored by the Dice coefficient
//! of their character bigrams (O(n log n)) instead of Jaro-Winkler (whose cost is the product
//! of the lengths); a best-match list comparison runs only while the lists' sizes (one unit
//! per element at every level and per 16 bytes of text) multiply to at most 4,096, one budget
//! over all nesting levels, and beyond it lists are walked position by position once; at most
//! 16 levels are compared. Reasons quote at most 60 characters of a value, so
//! [`describe_change`] is linear in the names it writes. [`Exception::validate`] is linear in
//! the values.
#![deny(missing_docs)]

mod error;
mod exception;
mod parts;
mod patterns;
mod reason;
mod similarity;
mod words;

pub use crate::{
    error::ExceptionError,
    exception::{Exception, ExceptionKey, ExceptionSource, instant_serde, property_hash},
    parts::{ExceptionParts, Reason},
    patterns::{NoPatterns, PatternHint, PatternSource},
    reason::{describe_change, describe_change_into, describe_pattern},
    similarity::{ChangeKind, Comparison, calculate_similarity, compare},
    words::{IdentifierTokens, identifier_tokens},
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
