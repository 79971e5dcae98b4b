//! The exception record shared by every llmkg engine: what an exception is, where it came
//! from, and the stable key that names it.
//!
//! This is the vocabulary below the engines: the detector produces [`Exception`]s, the store
//! keeps them, the learner learns from them and the optimizer packs them, and none of those
//! needs another engine to name the record. It depends on `llmkg-core` alone.
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
#![deny(missing_docs)]

mod error;
mod exception;

pub use crate::{
    error::ExceptionError,
    exception::{Exception, ExceptionKey, ExceptionSource, instant_serde, property_hash},
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
