//! The one-stop `ExceptionSystem`: detection, storage, resolution, learning and packing together.

mod explain;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use llmkg_core::{Hierarchy, InheritanceNode, NodeId, PropertyValue};
use llmkg_detect::ExceptionDetector;
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
use llmkg_exception_store::{ExceptionHandler, ExceptionStore};
use llmkg_learn::{ExceptionContext, PatternLearner, UserFeedback};
use llmkg_optimize::StorageOptimizer;

pub use self::explain::{SystemExplanation, ValueChange};
use crate::{Result, SystemError};

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

/// What [`ExceptionSystem::process_hierarchy`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessReport {
    /// Nodes processed.
    pub nodes: usize,
    /// Exceptions detected and stored.
    pub exceptions: usize,
    /// Local values that matched what the node inherits (negative examples for the learner).
    pub non_exceptions: usize,
}

/// What [`ExceptionSystem::optimize`] moved.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizeReport {
    /// Exceptions moved from the store into the optimizer.
    pub moved: usize,
    /// Heap bytes of the store afterwards.
    pub store_heap_bytes: usize,
    /// Heap bytes of the optimizer afterwards.
    pub optimizer_heap_bytes: usize,
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
}

impl Default for ExceptionSystem {
    fn default() -> Self {
        Self::new()
    }
}

impl ExceptionSystem {
    /// A system with the default [`SystemConfig`].
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

    /// The exception store (shared: clone the `Arc` to use it from other threads).
    pub fn store(&self) -> &Arc<ExceptionStore> {
        &self.store
    }

    /// The handler that applies stored exceptions.
    pub fn handler(&self) -> &ExceptionHandler {
        &self.handler
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

    /// Detects the node's exceptions against `inherited`, stores them, learns from them, and
    /// returns the node's resolved properties (inherited values, overridden by its own).
    ///
    /// A learned pattern raises a detected exception's confidence (see
    /// [`SystemConfig::pattern_boost`]) and, when the learner knows a reason for the pattern,
    /// supplies the reason. Local values equal to the inherited ones teach the learner what is
    /// *not* an exception.
    ///
    /// # Errors
    ///
    /// A store or learner error; exceptions stored before the error stay stored.
    pub fn process_node(
        &mut self,
        node: &InheritanceNode,
        inherited: &HashMap<String, PropertyValue>,
    ) -> Result<HashMap<String, PropertyValue>> {
        self.process_node_counting(node, inherited)
            .map(|(resolved, _, _)| resolved)
    }

    fn process_node_counting(
        &mut self,
        node: &InheritanceNode,
        inherited: &HashMap<String, PropertyValue>,
    ) -> Result<(HashMap<String, PropertyValue>, usize, usize)> {
        let detected = self.detector.detect_node_exceptions(node, inherited);
        // One context per node, its property and values refilled per use: the sibling map
        // (every local property) is cloned once, not once per property.
        let mut context = self.context(node, "", &PropertyValue::Null, &PropertyValue::Null);
        let mut stored = 0;
        for (property, mut exception) in detected {
            refill(
                &mut context,
                &property,
                &exception.inherited_value,
                &exception.actual_value,
            );
            let likelihood = self.learner.predict_exception_likelihood(&context);
            exception.confidence = (exception.confidence
                + (1.0 - exception.confidence) * likelihood * self.config.pattern_boost)
                .clamp(0.0, 1.0);
            if let Some(reason) = self.learner.suggest_exception_reason(&context) {
                exception.reason = reason;
            }
            self.learner.learn_from_exception(&exception, &context)?;
            self.store.add_exception(node.id, property, exception)?;
            stored += 1;
        }
        let mut non_exceptions = 0;
        for (property, value) in &node.local_properties {
            if inherited.get(property) == Some(value) {
                refill(&mut context, property, value, value);
                self.learner.observe_non_exception(&context)?;
                non_exceptions += 1;
            }
        }
        let mut resolved = inherited.clone();
        for (property, value) in &node.local_properties {
            resolved.insert(property.clone(), value.clone());
        }
        self.handler
            .apply_exceptions_to_node(node.id, &mut resolved);
        Ok((resolved, stored, non_exceptions))
    }

    /// Adopts `hierarchy` and processes every node, parents before children.
    ///
    /// # Errors
    ///
    /// A hierarchy, store or learner error.
    pub fn process_hierarchy(&mut self, hierarchy: &Hierarchy) -> Result<ProcessReport> {
        self.hierarchy = hierarchy.clone();
        let mut report = ProcessReport::default();
        for id in self.hierarchy.nodes_topological() {
            let inherited = self.hierarchy.inherited_properties(id)?;
            let node = self
                .hierarchy
                .get(id)
                .cloned()
                .ok_or(llmkg_core::CoreError::UnknownNode(id))?;
            let (_, exceptions, non_exceptions) = self.process_node_counting(&node, &inherited)?;
            report.nodes += 1;
            report.exceptions += exceptions;
            report.non_exceptions += non_exceptions;
        }
        Ok(report)
    }

    /// Inserts one node into the system's hierarchy and processes it.
    ///
    /// # Errors
    ///
    /// A hierarchy error (duplicate id, unknown parent, strict override: nothing changes), or
    /// a store or learner error.
    pub fn insert_node(&mut self, node: InheritanceNode) -> Result<HashMap<String, PropertyValue>> {
        let id = node.id;
        self.hierarchy.insert(node)?;
        let inherited = self.hierarchy.inherited_properties(id)?;
        let node = self
            .hierarchy
            .get(id)
            .cloned()
            .ok_or(llmkg_core::CoreError::UnknownNode(id))?;
        self.process_node(&node, &inherited)
    }

    /// The node's resolved properties: what the hierarchy resolves, with stored exceptions
    /// applied.
    pub fn resolved_properties(&self, node: NodeId) -> Result<HashMap<String, PropertyValue>> {
        let mut resolved = self.hierarchy.resolve_properties(node)?;
        self.handler.apply_exceptions_to_node(node, &mut resolved);
        Ok(resolved)
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

    /// Records an exception by hand: the node's own value becomes `exception.actual_value`
    /// (so descendants inherit it) and the exception is stored. A reason given by hand also
    /// teaches the detector and the learner.
    ///
    /// # Errors
    ///
    /// [`SystemError::Store`] for an invalid exception, [`SystemError::Hierarchy`] for a
    /// strict property or an unknown node; nothing changes.
    pub fn add_exception(
        &mut self,
        node: NodeId,
        property: &str,
        exception: Exception,
    ) -> Result<Option<Exception>> {
        exception
            .validate()
            .map_err(llmkg_exception_store::StoreError::from)?;
        if property.is_empty() {
            return Err(llmkg_exception_store::StoreError::EmptyPropertyName.into());
        }
        let Some(node_data) = self.hierarchy.get(node).cloned() else {
            return Err(llmkg_core::CoreError::UnknownNode(node).into());
        };
        let context = self.context(
            &node_data,
            property,
            &exception.inherited_value,
            &exception.actual_value,
        );
        self.hierarchy
            .set_property(node, property, exception.actual_value.clone())?;
        if exception.source == ExceptionSource::Explicit && !exception.reason.is_empty() {
            // Validated above, so the detector cannot reject it.
            self.detector
                .learn_pattern(&[(property.to_owned(), exception.clone())])?;
        }
        self.learner.learn_from_exception(&exception, &context)?;
        let replaced = self
            .store
            .add_exception(node, property.to_owned(), exception)?;
        Ok(replaced)
    }

    /// Removes the exception of `property` on `node`: the node stops overriding and inherits
    /// again.
    ///
    /// # Errors
    ///
    /// [`SystemError::UnknownException`] when there is none.
    pub fn remove_exception(&mut self, node: NodeId, property: &str) -> Result<Exception> {
        let removed = match self.store.remove_exception(node, property) {
            Some(exception) => exception,
            None => self
                .optimizer
                .remove(&ExceptionKey::new(node, property))?
                .ok_or_else(|| SystemError::UnknownException {
                    node,
                    property: property.to_owned(),
                })?,
        };
        if self.hierarchy.contains(node) {
            self.hierarchy.remove_property(node, property)?;
        }
        Ok(removed)
    }

    /// Takes a user's judgement of an exception: the learner learns from it at once;
    /// `Incorrect` also drops the exception record (the node keeps its own value, which is
    /// no longer called an exception), `BetterReason` replaces the stored reason, and
    /// `PartiallyCorrect(score)` scales the stored confidence by `score`.
    ///
    /// # Errors
    ///
    /// [`SystemError::UnknownException`] when the node has no such exception, or the
    /// learner's error for invalid feedback (nothing changes).
    pub fn feedback(&mut self, node: NodeId, property: &str, feedback: UserFeedback) -> Result<()> {
        let exception =
            self.get_exception(node, property)
                .ok_or_else(|| SystemError::UnknownException {
                    node,
                    property: property.to_owned(),
                })?;
        let node_data = self
            .hierarchy
            .get(node)
            .cloned()
            .unwrap_or_else(|| InheritanceNode::new(node, ""));
        let context = self.context(
            &node_data,
            property,
            &exception.inherited_value,
            &exception.actual_value,
        );
        self.learner.add_user_feedback(context, feedback.clone())?;
        self.learner.process_feedback_batch();
        let in_store = self.store.contains(node, property);
        match feedback {
            UserFeedback::Incorrect => {
                if in_store {
                    self.store.remove_exception(node, property);
                } else {
                    self.optimizer.remove(&ExceptionKey::new(node, property))?;
                }
            }
            UserFeedback::BetterReason(reason) => {
                self.replace_exception(
                    node,
                    property,
                    Exception {
                        reason,
                        ..exception
                    },
                    in_store,
                )?;
            }
            UserFeedback::PartiallyCorrect(score) => {
                let confidence = (exception.confidence * score).clamp(0.0, 1.0);
                self.replace_exception(
                    node,
                    property,
                    Exception {
                        confidence,
                        ..exception
                    },
                    in_store,
                )?;
            }
            UserFeedback::Correct => {}
        }
        Ok(())
    }

    fn replace_exception(
        &mut self,
        node: NodeId,
        property: &str,
        exception: Exception,
        in_store: bool,
    ) -> Result<()> {
        if in_store {
            self.store
                .add_exception(node, property.to_owned(), exception)?;
        } else {
            self.optimizer
                .store_exception(ExceptionKey::new(node, property), exception)?;
        }
        Ok(())
    }

    /// Moves exceptions older than `older_than` from the store into the compact storage
    /// optimizer. Every lookup through [`get_exception`](Self::get_exception) and
    /// [`explain`](Self::explain) still finds them; the handler's fast path serves the
    /// exceptions left in the store.
    ///
    /// # Errors
    ///
    /// An optimizer error; exceptions are removed from the store only once the optimizer
    /// holds them.
    pub fn optimize(&mut self, older_than: Duration) -> Result<OptimizeReport> {
        let cutoff = Instant::now().checked_sub(older_than);
        // One clone per cold exception: the batch owns it, `moved` keeps only the names.
        let mut batch: Vec<(ExceptionKey, Exception)> = Vec::new();
        let mut moved: Vec<(NodeId, String)> = Vec::new();
        self.store.for_each(|node, property, exception| {
            if cutoff.is_none_or(|cutoff| exception.created_at <= cutoff) {
                batch.push((ExceptionKey::new(node, property), exception.clone()));
                moved.push((node, property.to_owned()));
            }
        });
        self.optimizer.bulk_store(batch)?;
        for (node, property) in &moved {
            self.store.remove_exception(*node, property);
        }
        self.optimizer.optimize_storage();
        Ok(OptimizeReport {
            moved: moved.len(),
            store_heap_bytes: self.store.statistics().heap_bytes,
            optimizer_heap_bytes: self.optimizer.heap_bytes(),
        })
    }
}

/// Points a reused context at another property, keeping its node fields and siblings.
fn refill(
    context: &mut ExceptionContext,
    property: &str,
    inherited: &PropertyValue,
    actual: &PropertyValue,
) {
    context.property_name.clear();
    context.property_name.push_str(property);
    context.inherited_value.clone_from(inherited);
    context.actual_value.clone_from(actual);
}
