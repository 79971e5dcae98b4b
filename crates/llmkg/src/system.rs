//! The one-stop `ExceptionSystem`: its parts, its settings and the lookups every concern
//! shares.
//!
//! Each concern is a file of its own, reading down the data flow
//! (hierarchy -> detection -> store -> learner -> optimizer):
//! [`process`] (detect, store, learn, apply), [`edit`] (exceptions by hand),
//! [`feedback`] (a user's judgement), [`optimize`] (moving cold exceptions into the
//! optimizer), [`explain`] (why a value is what it is, what a change would alter) and
//! [`persist`] (saving and reloading every exception).
//! They use this file's fields and helpers and none of each other; this file uses none of
//! them (the crate root re-exports their report types).
//!
//! Every exception lives in exactly one place, the store (hot) or the optimizer (cold):
//! [`tiers::Tiers`] owns both and keeps that rule, comparing names in each tier; the concern
//! files read and write exceptions through it only.

mod edit;
pub(crate) mod explain;
mod feedback;
pub(crate) mod optimize;
mod persist;
pub(crate) mod process;
pub(crate) mod report;
mod tiers;

use std::collections::HashMap;
use std::sync::Arc;

use llmkg_core::{Hierarchy, InheritanceNode, NodeId, PropertyValue};
use llmkg_detect::ExceptionDetector;
use llmkg_exception::Exception;
use llmkg_exception_store::{ExceptionHandler, ExceptionStore};
use llmkg_learn::{ExceptionContext, PatternLearner};
use llmkg_optimize::StorageOptimizer;

use self::tiers::Tiers;
use crate::error::{Result, SystemError};

/// Settings of an [`ExceptionSystem`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SystemConfig {
    /// Values at least this similar to the inherited one are not exceptions (detector).
    pub similarity_threshold: f32,
    /// Exceptions below this confidence are not reported (detector).
    pub confidence_threshold: f32,
    /// How much a learned pattern raises a detected exception's confidence, in `[0, 1]`:
    /// `confidence + (1 - confidence) * likelihood * pattern_boost`, with `likelihood` the
    /// learner's probability for the exception's context before it learns from it.
    pub pattern_boost: f32,
}

impl Default for SystemConfig {
    fn default() -> Self {
        SystemConfig {
            similarity_threshold: 0.8,
            confidence_threshold: 0.7,
            pattern_boost: 0.5,
        }
    }
}

/// Ties the hierarchy, the detector, the store and its handler, the learner and the storage
/// optimizer together.
///
/// A node's own value beats what it inherits, and an exception is recorded wherever a node's
/// own value deliberately differs from the inherited one. Exceptions are themselves inherited:
/// a node under `Penguin` sees `can_fly = false` without an exception of its own, and a deeper
/// node may restore the original value (which is then its own exception).
///
/// ```
/// use llmkg::{ExceptionSystem, core::{Hierarchy, InheritanceNode, NodeId, PropertyValue}};
///
/// let mut hierarchy = Hierarchy::new();
/// hierarchy.insert(InheritanceNode::new(NodeId(1), "Bird").with_property("can_fly", true))?;
/// hierarchy.insert(
///     InheritanceNode::new(NodeId(2), "Penguin").with_parent(NodeId(1)).with_property("can_fly", false),
/// )?;
/// hierarchy.insert(InheritanceNode::new(NodeId(3), "Emperor_Penguin").with_parent(NodeId(2)))?;
///
/// let mut system = ExceptionSystem::new();
/// let report = system.process_hierarchy(&hierarchy)?;
/// assert_eq!(report.exceptions, 1);
/// assert!(system.get_exception(NodeId(2), "can_fly").is_some());
/// // The exception is inherited: Emperor_Penguin has none of its own and still cannot fly.
/// assert!(system.get_exception(NodeId(3), "can_fly").is_none());
/// assert_eq!(system.resolved_properties(NodeId(3))?["can_fly"], PropertyValue::Boolean(false));
/// println!("{}", system.explain(NodeId(3), "can_fly")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ExceptionSystem {
    config: SystemConfig,
    hierarchy: Hierarchy,
    /// Every exception, hot (the store the handler reads) or cold (the optimizer).
    tiers: Tiers,
    handler: ExceptionHandler,
    detector: ExceptionDetector,
    learner: PatternLearner,
}

impl Default for ExceptionSystem {
    fn default() -> Self {
        Self::new()
    }
}

impl ExceptionSystem {
    /// A system with the default [`SystemConfig`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_config(SystemConfig::default())
            .expect("the default configuration is within every range")
    }

    /// A system with these settings.
    ///
    /// # Errors
    ///
    /// [`SystemError::Detect`] for thresholds outside `[0, 1]`,
    /// [`SystemError::InvalidConfig`] for a `pattern_boost` outside `[0, 1]`.
    pub fn with_config(config: SystemConfig) -> Result<Self> {
        if !(config.pattern_boost.is_finite() && (0.0..=1.0).contains(&config.pattern_boost)) {
            return Err(SystemError::InvalidConfig(format!(
                "pattern_boost {} is not in [0, 1]",
                config.pattern_boost
            )));
        }
        let detector =
            ExceptionDetector::try_new(config.similarity_threshold, config.confidence_threshold)?;
        let tiers = Tiers::new();
        Ok(ExceptionSystem {
            config,
            hierarchy: Hierarchy::new(),
            handler: ExceptionHandler::new(Arc::clone(tiers.store())),
            tiers,
            detector,
            learner: PatternLearner::new(),
        })
    }

    /// The settings.
    pub fn config(&self) -> &SystemConfig {
        &self.config
    }

    /// The hierarchy the system resolves against.
    pub fn hierarchy(&self) -> &Hierarchy {
        &self.hierarchy
    }

    /// The exception store: the hot exceptions (see [`optimize`](Self::optimize) for the
    /// cold ones). Reading it is the point; a write through it bypasses the system, though
    /// nothing breaks: a record written here shadows a cold copy of the same key (the store
    /// wins in every lookup, listing, count and save, and the next `optimize` replaces the
    /// cold copy with it).
    pub fn store(&self) -> &ExceptionStore {
        self.tiers.store()
    }

    /// The handler over the store: it applies the hot exceptions only. Use
    /// [`resolve_property`](Self::resolve_property) or
    /// [`resolved_properties`](Self::resolved_properties) to apply cold ones too.
    pub fn handler(&self) -> &ExceptionHandler {
        &self.handler
    }

    /// [`ExceptionHandler::resolve_property`] over every exception, hot or cold: the
    /// exception of `property` on `node` (its actual value) if there is one, else
    /// `inherited`.
    pub fn resolve_property(
        &self,
        node: NodeId,
        property: &str,
        inherited: Option<PropertyValue>,
    ) -> Option<PropertyValue> {
        if let Some(exception) = self.tiers.cold(node, property) {
            return Some(exception.actual_value);
        }
        self.handler.resolve_property(node, property, inherited)
    }

    /// The detector.
    pub fn detector(&self) -> &ExceptionDetector {
        &self.detector
    }

    /// The learner.
    pub fn learner(&self) -> &PatternLearner {
        &self.learner
    }

    /// The storage optimizer holding cold exceptions (see [`optimize`](Self::optimize)).
    pub fn optimizer(&self) -> &StorageOptimizer {
        self.tiers.optimizer()
    }

    /// The learner's view of `property` on `node`, its siblings being the node's own values.
    fn context(
        &self,
        node: &InheritanceNode,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
    ) -> ExceptionContext {
        let depth = self.hierarchy.depth(node.id).unwrap_or(0);
        ExceptionContext {
            property_name: property.to_owned(),
            inherited_value: inherited.clone(),
            actual_value: actual.clone(),
            node_type: node.node_type.clone(),
            inheritance_depth: u32::try_from(depth).unwrap_or(u32::MAX),
            sibling_properties: node.local_properties.clone(),
        }
    }

    /// The node's resolved properties: what the hierarchy resolves, with its exceptions
    /// applied, hot and cold.
    pub fn resolved_properties(&self, node: NodeId) -> Result<HashMap<String, PropertyValue>> {
        let mut resolved = self.hierarchy.resolve_properties(node)?;
        for (property, exception) in self.tiers.cold_exceptions(node) {
            resolved.insert(property, exception.actual_value);
        }
        self.handler.apply_exceptions_to_node(node, &mut resolved);
        Ok(resolved)
    }

    /// The exception of `property` on `node`, from the store or from the optimizer (whichever
    /// holds it under this very name: a name whose 64-bit hash collides with another's never
    /// sees the other's exception).
    pub fn get_exception(&self, node: NodeId, property: &str) -> Option<Exception> {
        self.tiers.get(node, property)
    }

    /// Every exception of `node` with its property name, from the store and the optimizer
    /// alike, sorted by name.
    pub fn exceptions_for_node(&self, node: NodeId) -> Vec<(String, Exception)> {
        self.tiers.exceptions_for_node(node)
    }

    /// How many exceptions the system holds, in the store and the optimizer together (a
    /// cold copy the store shadows counts once).
    pub fn exception_count(&self) -> usize {
        self.tiers.len()
    }
}
