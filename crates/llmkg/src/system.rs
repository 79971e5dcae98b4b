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
//! Every exception lives in exactly one place: the store (hot) or the optimizer (cold, with
//! its property name kept in `cold_names`, as the optimizer keys by hash). Writes go through
//! [`ExceptionSystem::put_exception`] and removals through [`ExceptionSystem::take_exception`],
//! which keep that invariant whichever part holds the key.

mod edit;
pub(crate) mod explain;
mod feedback;
pub(crate) mod optimize;
mod persist;
pub(crate) mod process;
pub(crate) mod report;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use llmkg_core::{Hierarchy, InheritanceNode, NodeId, PropertyValue};
use llmkg_detect::ExceptionDetector;
use llmkg_exception::{Exception, ExceptionKey};
use llmkg_exception_store::{ExceptionHandler, ExceptionParts, ExceptionStore, StoreError};
use llmkg_learn::{ExceptionContext, PatternLearner};
use llmkg_optimize::StorageOptimizer;

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
    store: Arc<ExceptionStore>,
    handler: ExceptionHandler,
    detector: ExceptionDetector,
    learner: PatternLearner,
    optimizer: StorageOptimizer,
    /// The property names of the exceptions the optimizer holds, by node.
    cold_names: HashMap<NodeId, BTreeSet<String>>,
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
        let store = Arc::new(ExceptionStore::new());
        Ok(ExceptionSystem {
            config,
            hierarchy: Hierarchy::new(),
            handler: ExceptionHandler::new(Arc::clone(&store)),
            store,
            detector,
            learner: PatternLearner::new(),
            optimizer: StorageOptimizer::new(0),
            cold_names: HashMap::new(),
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
        &self.store
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
        if self.is_cold(node, property)
            && !self.store.contains(node, property)
            && let Ok(Some(exception)) = self
                .optimizer
                .retrieve_exception(&ExceptionKey::new(node, property))
        {
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
        &self.optimizer
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
        for (property, exception) in self.cold_exceptions(node) {
            resolved.insert(property, exception.actual_value);
        }
        self.handler.apply_exceptions_to_node(node, &mut resolved);
        Ok(resolved)
    }

    /// Whether the optimizer holds `property` on `node` (a copy the store may shadow).
    fn is_cold(&self, node: NodeId, property: &str) -> bool {
        // Before any optimize the map is empty: no hashing on the hot path.
        !self.cold_names.is_empty()
            && self
                .cold_names
                .get(&node)
                .is_some_and(|names| names.contains(property))
    }

    /// The optimizer's exceptions of `node` that the store does not shadow, by name.
    fn cold_exceptions(&self, node: NodeId) -> Vec<(String, Exception)> {
        let mut found = Vec::new();
        if self.cold_names.is_empty() {
            return found;
        }
        for property in self.cold_names.get(&node).into_iter().flatten() {
            if self.store.contains(node, property) {
                continue;
            }
            if let Ok(Some(exception)) = self
                .optimizer
                .retrieve_exception(&ExceptionKey::new(node, property))
            {
                found.push((property.clone(), exception));
            }
        }
        found
    }

    /// The exception of `property` on `node`, from the store or from the optimizer.
    pub fn get_exception(&self, node: NodeId, property: &str) -> Option<Exception> {
        self.store.get_exception(node, property).or_else(|| {
            self.optimizer
                .retrieve_exception(&ExceptionKey::new(node, property))
                .ok()
                .flatten()
        })
    }

    /// Every exception of `node` with its property name, from the store and the optimizer
    /// alike, sorted by name.
    pub fn exceptions_for_node(&self, node: NodeId) -> Vec<(String, Exception)> {
        let mut found = self.store.exceptions_for_node(node);
        found.extend(self.cold_exceptions(node));
        found.sort_by(|(left, _), (right, _)| left.cmp(right));
        found
    }

    /// How many exceptions the system holds, in the store and the optimizer together (a
    /// cold copy the store shadows counts once).
    pub fn exception_count(&self) -> usize {
        let shadowed = self
            .cold_names
            .iter()
            .flat_map(|(node, names)| names.iter().map(move |name| (*node, name)))
            .filter(|(node, name)| self.store.contains(*node, name))
            .count();
        self.store.len() + self.optimizer.len() - shadowed
    }

    /// Stores `exception` for `property` on `node` as the one live copy: into the store, and
    /// out of the optimizer if that held the key. Returns the copy it replaced, wherever it was.
    /// On an error nothing changes: the record is checked and the cold copy taken out before
    /// the store is written.
    fn put_exception(
        &mut self,
        node: NodeId,
        property: String,
        exception: Exception,
    ) -> Result<Option<Exception>> {
        self.put_exception_parts(node, &ExceptionParts::of(&property, &exception))
    }

    /// [`put_exception`](Self::put_exception) from borrowed parts, under `parts.property` (the
    /// store copies the name only if it does not hold it yet).
    fn put_exception_parts(
        &mut self,
        node: NodeId,
        parts: &ExceptionParts<'_>,
    ) -> Result<Option<Exception>> {
        let property = parts.property;
        parts.validate().map_err(StoreError::from)?;
        if property.is_empty() {
            return Err(StoreError::EmptyPropertyName.into());
        }
        let was_cold = self.take_cold(node, property)?;
        match self.store.add_exception_parts(node, parts) {
            Ok(replaced) => Ok(replaced.or(was_cold)),
            Err(error) => {
                // A full shard: the cold copy goes back where it was.
                if let Some(cold) = was_cold {
                    self.optimizer
                        .store_exception(ExceptionKey::new(node, property), cold)?;
                    self.note_cold(node, property.to_owned());
                }
                Err(error.into())
            }
        }
    }

    /// Removes the exception of `property` on `node` from wherever it lives. On an error
    /// (the optimizer cannot read its copy back) nothing changes.
    fn take_exception(&mut self, node: NodeId, property: &str) -> Result<Option<Exception>> {
        let cold = self.take_cold(node, property)?;
        let hot = self.store.remove_exception(node, property);
        Ok(hot.or(cold))
    }

    /// Removes the optimizer's copy of `property` on `node`, and then its name: a copy the
    /// optimizer fails to remove keeps its name, so it stays visible and is saved.
    fn take_cold(&mut self, node: NodeId, property: &str) -> Result<Option<Exception>> {
        if !self.is_cold(node, property) {
            return Ok(None);
        }
        let removed = self.optimizer.remove(&ExceptionKey::new(node, property))?;
        if let Some(names) = self.cold_names.get_mut(&node) {
            names.remove(property);
            if names.is_empty() {
                self.cold_names.remove(&node);
            }
        }
        Ok(removed)
    }

    /// Records that the optimizer now holds `property` on `node`.
    fn note_cold(&mut self, node: NodeId, property: String) {
        self.cold_names.entry(node).or_default().insert(property);
    }
}
