//! Exception detection: finds where a node overrides an inherited property value, scores
//! how sure that is, and says why.
//!
//! The main type is [`ExceptionDetector`]; [`DetectionStatistics`] is what it counts.
//! Values and nodes come from `llmkg-core`; the [`Exception`](llmkg_exception::Exception)
//! records it produces, and the value metric it thresholds
//! ([`calculate_similarity`](llmkg_exception::calculate_similarity)), from `llmkg-exception`.
//!
//! ```
//! use std::collections::HashMap;
//! use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
//! use llmkg_detect::ExceptionDetector;
//! use llmkg_exception::ExceptionSource;
//!
//! let detector = ExceptionDetector::new(0.8, 0.7);
//! let penguin = InheritanceNode::new(NodeId(3), "Penguin")
//!     .with_property("can_fly", false)
//!     .with_property("colour", "black and white");
//! let inherited: HashMap<String, PropertyValue> = HashMap::from([
//!     ("can_fly".to_owned(), PropertyValue::Boolean(true)),
//!     ("colour".to_owned(), PropertyValue::from("Black-and-White")),
//! ]);
//!
//! let exceptions = detector.detect_node_exceptions(&penguin, &inherited);
//! assert_eq!(exceptions.len(), 1, "the colour differs only in case and separators");
//! let (property, exception) = &exceptions[0];
//! assert_eq!(property, "can_fly");
//! assert_eq!(exception.source, ExceptionSource::Detected);
//! assert!(exception.confidence > 0.9);
//! assert_eq!(exception.reason, "can_fly is false here, overriding the inherited true");
//! ```
//!
//! # Bounds
//!
//! A detection costs O(p log p) for the sort of p properties plus one comparison per
//! property, each near-linear in its two values whatever they hold (see
//! `llmkg_exception::calculate_similarity`: long texts and nested lists have one work budget),
//! and one reason of at most the names plus 60 quoted characters per reported exception.
//! The label-change check of two texts is linear in their length: it folds both once, and its
//! edit distance reads at most 64 characters of a word or a joined text (with a band of at
//! most 3 edits).
#![deny(missing_docs)]

mod confidence;
mod detector;
mod error;
mod found;
mod label;
mod statistics;
mod unreported;

pub use crate::{
    detector::ExceptionDetector,
    error::{DetectError, Result},
    found::DetectedException,
    statistics::DetectionStatistics,
    unreported::{NodeScan, SkipReason, UnreportedValue},
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
