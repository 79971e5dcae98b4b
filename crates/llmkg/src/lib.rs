//! The llmkg exception-handling subsystem in one crate: core types, exceptions, and the
//! one-stop [`ExceptionSystem`].
//!
//! Concepts inherit properties (`Bird.can_fly = true` flows to `Penguin`); an *exception*
//! records a deliberate override (`Penguin.can_fly = false`). This facade re-exports the
//! focused crates: [`core`] (ids, values, nodes, the hierarchy) from `llmkg-core`, and
//! [`exceptions`] (the record, store, handler, detector, learner, optimizer) from
//! `llmkg-exception`, `llmkg-exception-store`,
//! `llmkg-detect`, `llmkg-learn` and `llmkg-optimize`.
//!
//! ```
//! use std::sync::Arc;
//! use llmkg::core::{Hierarchy, InheritanceNode, NodeId, PropertyValue};
//! use llmkg::exceptions::{Exception, ExceptionHandler, ExceptionSource, ExceptionStore};
//!
//! // Animal -> Bird -> Penguin.
//! let mut hierarchy = Hierarchy::new();
//! hierarchy.insert(InheritanceNode::new(NodeId(1), "Animal").with_property("alive", true))?;
//! hierarchy.insert(
//!     InheritanceNode::new(NodeId(2), "Bird").with_parent(NodeId(1)).with_property("can_fly", true),
//! )?;
//! hierarchy.insert(InheritanceNode::new(NodeId(3), "Penguin").with_parent(NodeId(2)))?;
//!
//! // Penguin inherits can_fly = true ...
//! let inherited = hierarchy.inherited_properties(NodeId(3))?;
//! assert_eq!(inherited["can_fly"], PropertyValue::Boolean(true));
//!
//! // ... until an exception overrides it.
//! let store = Arc::new(ExceptionStore::new());
//! let handler = ExceptionHandler::new(Arc::clone(&store));
//! store.add_exception(
//!     NodeId(3),
//!     "can_fly".to_string(),
//!     Exception::new(true.into(), false.into(), "Penguins are flightless", ExceptionSource::Explicit, 1.0),
//! )?;
//! let mut resolved = inherited.clone();
//! handler.apply_exceptions_to_node(NodeId(3), &mut resolved);
//! assert_eq!(resolved["can_fly"], PropertyValue::Boolean(false));
//! assert_eq!(resolved["alive"], PropertyValue::Boolean(true));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Bounds
//!
//! Every `ExceptionSystem` call that takes caller values costs time near-linear in them: a
//! node's processing is one comparison per property (each near-linear in its values, see
//! `llmkg_exception::calculate_similarity`), a sort of its properties, the store's O(1) writes
//! and the learner's per-context work; files go through `llmkg-filefmt` (regular files only,
//! payload limit applied on save and load). The per-crate docs state each part's bound.
#![deny(missing_docs)]

/// Ids, values, nodes and the inheritance hierarchy (`llmkg-core`).
pub mod core {
    pub use llmkg_core::*;
}

/// Exceptions: the record and its key, the store and handler, the detector, the learner and
/// the storage optimizer.
pub mod exceptions {
    pub use llmkg_detect::{
        DetectError, DetectedException, DetectionStatistics, ExceptionDetector, NodeScan,
        SkipReason,
    };
    pub use llmkg_exception::{
        ChangeKind, Exception, ExceptionError, ExceptionKey, ExceptionParts, ExceptionSource,
        NoPatterns, PatternHint, PatternSource, Reason, calculate_similarity, compare,
        property_hash,
    };
    pub use llmkg_exception_store::{
        CacheStatistics, ConflictStrategy, ExceptionHandler, ExceptionStore, SNAPSHOT_VERSION,
        StoreError, StoreStatistics,
    };
    pub use llmkg_learn::{
        ExceptionContext, FeatureExtractor, FeatureSink, FeatureVector, LearnError, LearnerConfig,
        LearnerStatistics, PatternLearner, PatternMatch, UserFeedback,
    };
    pub use llmkg_optimize::{
        OPTIMIZER_SNAPSHOT_VERSION, OptimizationResults, OptimizeError, StorageOptimizer,
        StorageStatistics,
    };
}

mod error;
mod system;

pub use crate::{
    error::{Result, SystemError},
    system::{
        ExceptionSystem, SystemConfig,
        explain::{SystemExplanation, ValueChange},
        optimize::OptimizeReport,
        report::{ProcessReport, UnreportedValue},
    },
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
