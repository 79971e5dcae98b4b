//! Processing: detect a node's exceptions, store them, learn from them, apply them.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Instant;

use llmkg_core::{CoreError, Hierarchy, InheritanceNode, NodeId, PropertyConflict, PropertyValue};
use llmkg_exception::{ChangeKind, Exception, ExceptionParts, ExceptionSource, Reason};
use llmkg_learn::{ExceptionContext, FeatureVector, NodeBatch};

use super::ExceptionSystem;
use super::report::{NodeBuckets, ProcessReport, UnreportedValue};
use crate::error::Result;

/// What processing one node did: its resolved properties and its buckets.
struct NodeOutcome {
    resolved: HashMap<String, PropertyValue>,
    buckets: NodeBuckets,
}

impl ExceptionSystem {
    /// Detects the node's exceptions against `inherited`, stores them, learns from them, and
    /// returns the node's resolved properties (inherited values, overridden by its own).
    ///
    /// The learner is the detector's pattern source: when it knows a reason for the exact
    /// property and change, that reason leads the detected exception's reason. Its
    /// likelihood raises the confidence (see [`SystemConfig::pattern_boost`](super::SystemConfig::pattern_boost)).
    /// Local values equal to the inherited ones teach the learner what is *not* an
    /// exception.
    ///
    /// When `node` is in the system's hierarchy, a local value of a property its ancestors
    /// disagree on (absent from `inherited`, as [`Hierarchy::inherited_properties`] leaves
    /// conflicts out) settles that conflict: it is stored as an [`ExceptionSource::Conflict`]
    /// exception with confidence 1, whose `inherited_value` is the value of the candidate
    /// with the smallest node id among those that disagree with the node (a choice
    /// independent of parent and insertion order) and whose reason names every candidate.
    ///
    /// # Errors
    ///
    /// A store or learner error (an empty property name, say). The exceptions stored and
    /// learned before the failing one stay stored and learned; the rest of the node is not
    /// processed.
    pub fn process_node(
        &mut self,
        node: &InheritanceNode,
        inherited: &HashMap<String, PropertyValue>,
    ) -> Result<HashMap<String, PropertyValue>> {
        self.process_node_counting(node, inherited)
            .map(|outcome| outcome.resolved)
    }

    fn process_node_counting(
        &mut self,
        node: &InheritanceNode,
        inherited: &HashMap<String, PropertyValue>,
    ) -> Result<NodeOutcome> {
        // Whether the store held exceptions of this node before: if not, the only ones it
        // holds after are those stored below, whose actual values are the node's own, which
        // the resolved map has already (so applying them would change nothing).
        let had_exceptions = self.tiers.store().has_node(node.id);
        // The node's type and siblings are hashed once for all its properties, and what its
        // examples teach those shared features is one step per node (see `NodeBatch`),
        // applied even when a later example fails, as the examples before it stay learned.
        let mut batch = self
            .learner
            .node_batch(&node.node_type, &node.local_properties);
        let mut learning = NodeLearning::new(node, self.hierarchy.depth(node.id).unwrap_or(0));
        let learned = self
            .store_detected(node, inherited, &mut learning, &mut batch)
            .and_then(|detected| {
                let own = self.resolve_own_values(node, inherited, &mut learning, &mut batch)?;
                Ok((detected, own))
            });
        self.learner.finish_node(batch);
        let ((exceptions, unreported), (mut resolved, non_exceptions, not_inherited)) = learned?;
        let (settled, conflicts) = self.settle_conflicts(node, inherited)?;
        if had_exceptions {
            self.handler
                .apply_exceptions_to_node(node.id, &mut resolved);
        }
        Ok(NodeOutcome {
            resolved,
            buckets: NodeBuckets {
                values_stated: node.local_properties.len(),
                exceptions,
                non_exceptions,
                settled_conflicts: settled,
                unreported,
                // A settled conflict is a property the node does not inherit either.
                introduced: not_inherited - settled,
                conflicts,
            },
        })
    }

    /// Detects the node's exceptions, scores each with the learner (which learns from it)
    /// and stores it; returns how many, and the values the detector did not report.
    fn store_detected(
        &mut self,
        node: &InheritanceNode,
        inherited: &HashMap<String, PropertyValue>,
        learning: &mut NodeLearning,
        batch: &mut NodeBatch,
    ) -> Result<(usize, Vec<UnreportedValue>)> {
        // The learner is the one pattern source: its patterns lend the detector their
        // reasons, and its likelihood raises the confidence below. The detected exceptions
        // borrow it, so what the loop needs is copied out first: each name, and each reason
        // a pattern lent, into one text buffer (no `String` per exception), and the values.
        // A reason without a learned part stays a kind: the store writes its sentence.
        let scan = self.detector.scan_node_with(node, inherited, &self.learner);
        let unreported: Vec<UnreportedValue> = scan
            .unreported
            .iter()
            .map(|skipped| UnreportedValue::of(node.id, skipped))
            .collect();
        let mut text = String::new();
        let found: Vec<Found> = scan
            .exceptions
            .iter()
            .map(|exception| {
                let name_start = text.len();
                text.push_str(exception.property);
                let name = name_start..text.len();
                let reason = match exception.reason {
                    Reason::Described {
                        kind,
                        learned: None,
                    } => FoundReason::Described(kind),
                    _ => {
                        exception.write_reason(&mut text);
                        FoundReason::Written(name.end..text.len())
                    }
                };
                Found {
                    name,
                    reason,
                    confidence: exception.confidence,
                    inherited: exception.inherited_value.clone(),
                    actual: exception.actual_value.clone(),
                }
            })
            .collect();
        // Room for the node's records and patterns up front: about a name's length of
        // sentence around the values (or the learned reason, in the buffer) and a short value
        // each is what the store's arena is told to expect.
        self.tiers
            .store()
            .reserve_for_node(node.id, found.len(), text.len() + 64 * found.len());
        self.learner.reserve_patterns(found.len());
        let created_at = Instant::now();
        let boost = self.config.pattern_boost;
        let stored = found.len();
        for exception in found {
            let property = &text[exception.name];
            let (context, features) =
                learning.point_at_owned(property, exception.inherited, exception.actual);
            // One extraction and one prediction serve the confidence and the learning.
            self.learner
                .features_batched_into(context, batch, features)?;
            let confidence = self.learner.learn_detected_batched(
                exception.confidence,
                context,
                features,
                batch,
                |confidence, likelihood| {
                    (confidence + (1.0 - confidence) * likelihood * boost).clamp(0.0, 1.0)
                },
            )?;
            let parts = ExceptionParts {
                property,
                inherited_value: &context.inherited_value,
                actual_value: &context.actual_value,
                reason: match exception.reason {
                    FoundReason::Written(range) => Reason::Written(&text[range]),
                    FoundReason::Described(kind) => Reason::Described {
                        kind,
                        learned: None,
                    },
                },
                source: ExceptionSource::Detected,
                created_at,
                confidence,
            };
            self.tiers.put(node.id, &parts)?;
        }
        Ok((stored, unreported))
    }

    /// The node's resolved map (`inherited` overlaid with its own values), with each own
    /// value equal to the inherited one learned as a non-exception; returns the map, how
    /// many non-exceptions there were and how many own values the node does not inherit.
    fn resolve_own_values(
        &mut self,
        node: &InheritanceNode,
        inherited: &HashMap<String, PropertyValue>,
        learning: &mut NodeLearning,
        batch: &mut NodeBatch,
    ) -> Result<(HashMap<String, PropertyValue>, usize, usize)> {
        // The clone of `inherited` (same hasher, same entries) answers what the node
        // inherits, so each name is hashed once here, not once to compare and again to
        // overlay.
        let mut resolved = inherited.clone();
        let mut non_exceptions = 0;
        let mut not_inherited = 0;
        for (property, value) in &node.local_properties {
            match resolved.get_mut(property) {
                // A negative example, and the resolved value is already right.
                Some(slot) if slot == value => {
                    let (context, features) = learning.point_at(property, value, value);
                    self.learner
                        .features_batched_into(context, batch, features)?;
                    self.learner
                        .observe_non_exception_batched(context, features, batch)?;
                    non_exceptions += 1;
                }
                // An overridden property keeps its key: `insert` would clone the name only
                // to drop the copy.
                Some(slot) => slot.clone_from(value),
                None => {
                    resolved.insert(property.clone(), value.clone());
                    not_inherited += 1;
                }
            }
        }
        Ok((resolved, non_exceptions, not_inherited))
    }

    /// Records the node's own values that settle conflicts it inherits; returns how many it
    /// settled and how many conflicts it met.
    fn settle_conflicts(
        &mut self,
        node: &InheritanceNode,
        inherited: &HashMap<String, PropertyValue>,
    ) -> Result<(usize, usize)> {
        if !self.hierarchy.contains(node.id) {
            return Ok((0, 0));
        }
        let (mut settled, mut conflicts) = (0, 0);
        for conflict in self.hierarchy.inherited_conflicts(node.id)? {
            conflicts += 1;
            // A caller-supplied inherited value was the detector's to judge.
            if inherited.contains_key(&conflict.property) {
                continue;
            }
            if let Some(actual) = node.local_properties.get(&conflict.property) {
                let exception = settled_conflict(&self.hierarchy, node, &conflict, actual);
                self.tiers
                    .put(node.id, &ExceptionParts::of(&conflict.property, &exception))?;
                settled += 1;
            }
        }
        Ok((settled, conflicts))
    }

    /// [`process_node`](Self::process_node), with where each of the node's own values went:
    /// a [`ProcessReport`] of this one node (its buckets add up to the node's values).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use llmkg::ExceptionSystem;
    /// use llmkg::core::{InheritanceNode, NodeId, PropertyValue};
    ///
    /// let penguin = InheritanceNode::new(NodeId(2), "Penguin")
    ///     .with_property("can_fly", false)
    ///     .with_property("colour", "Black");
    /// let inherited = HashMap::from([
    ///     ("can_fly".to_owned(), PropertyValue::Boolean(true)),
    ///     ("colour".to_owned(), PropertyValue::from("black")),
    /// ]);
    /// let (resolved, report) = ExceptionSystem::new().process_node_report(&penguin, &inherited)?;
    /// assert_eq!(resolved["can_fly"], PropertyValue::Boolean(false));
    /// assert_eq!((report.exceptions, report.unreported.len()), (1, 1));
    /// assert!(report.is_balanced());
    /// # Ok::<(), llmkg::SystemError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`process_node`](Self::process_node).
    pub fn process_node_report(
        &mut self,
        node: &InheritanceNode,
        inherited: &HashMap<String, PropertyValue>,
    ) -> Result<(HashMap<String, PropertyValue>, ProcessReport)> {
        let outcome = self.process_node_counting(node, inherited)?;
        let mut report = ProcessReport::default();
        report.add(outcome.buckets);
        Ok((outcome.resolved, report))
    }

    /// Adopts `hierarchy` and processes every node, parents before children.
    ///
    /// # Errors
    ///
    /// A hierarchy, store or learner error. The hierarchy is adopted first, so after an
    /// error it is the system's hierarchy, the nodes before the failing one are processed
    /// and the failing node is processed as far as [`process_node`](Self::process_node)
    /// got.
    pub fn process_hierarchy(&mut self, hierarchy: &Hierarchy) -> Result<ProcessReport> {
        self.hierarchy = hierarchy.clone();
        let mut report = ProcessReport::default();
        for id in self.hierarchy.nodes_topological() {
            let (node, inherited) = self.node_and_inherited(id)?;
            let outcome = self.process_node_counting(&node, &inherited)?;
            report.add(outcome.buckets);
        }
        Ok(report)
    }

    /// Inserts one node into the system's hierarchy and processes it.
    ///
    /// # Errors
    ///
    /// A hierarchy error (duplicate id, unknown parent, strict override): nothing changes.
    /// A store or learner error: the node stays inserted and is processed as far as
    /// [`process_node`](Self::process_node) got.
    pub fn insert_node(&mut self, node: InheritanceNode) -> Result<HashMap<String, PropertyValue>> {
        let id = node.id;
        self.hierarchy.insert(node)?;
        let (node, inherited) = self.node_and_inherited(id)?;
        self.process_node(&node, &inherited)
    }

    /// A node of the system's hierarchy (cloned, so processing may borrow the system
    /// mutably) and what it inherits.
    fn node_and_inherited(
        &self,
        id: NodeId,
    ) -> Result<(InheritanceNode, HashMap<String, PropertyValue>)> {
        let inherited = self.hierarchy.inherited_properties(id)?;
        let node = self
            .hierarchy
            .get(id)
            .cloned()
            .ok_or(CoreError::UnknownNode(id))?;
        Ok((node, inherited))
    }
}

/// The exception recorded when `node`'s own value `actual` settles `conflict`; see
/// [`ExceptionSystem::process_node`].
fn settled_conflict(
    hierarchy: &Hierarchy,
    node: &InheritanceNode,
    conflict: &PropertyConflict,
    actual: &PropertyValue,
) -> Exception {
    let mut candidates = conflict.candidates.clone();
    candidates.sort_by_key(|(id, _)| *id);
    let inherited = candidates
        .iter()
        .find(|(_, value)| value != actual)
        .or(candidates.first())
        .map_or(PropertyValue::Null, |(_, value)| value.clone());
    let said: Vec<String> = candidates
        .iter()
        .map(|(id, value)| {
            let name = hierarchy.get(*id).map_or("", |found| found.name.as_str());
            format!("{name} ({id}) says {value}")
        })
        .collect();
    let reason = format!(
        "{} settles conflicting inherited values of {}: {}; it says {actual}",
        node.name,
        conflict.property,
        said.join(", ")
    );
    Exception::new(
        inherited,
        actual.clone(),
        reason,
        ExceptionSource::Conflict,
        1.0,
    )
}

/// A detected exception as the learning loop takes it: where its name lies in the loop's
/// text buffer, its reason, its confidence and its values (which the loop moves into the
/// learner's context, and the store encodes from there).
struct Found {
    name: Range<usize>,
    reason: FoundReason,
    confidence: f32,
    inherited: PropertyValue,
    actual: PropertyValue,
}

/// A detected exception's reason: written into the loop's buffer (it has a learned part,
/// borrowed from the learner), or only its kind of change (the store writes the sentence).
enum FoundReason {
    Written(Range<usize>),
    Described(ChangeKind),
}

/// What the learner is shown of one node: one context whose property and values are
/// refilled per use (its siblings are the batch's, so it keeps no copy of the node's map),
/// and one feature vector refilled in place.
struct NodeLearning {
    context: ExceptionContext,
    features: FeatureVector,
}

impl NodeLearning {
    fn new(node: &InheritanceNode, depth: usize) -> Self {
        NodeLearning {
            context: ExceptionContext::new(
                "",
                PropertyValue::Null,
                PropertyValue::Null,
                node.node_type.as_str(),
                u32::try_from(depth).unwrap_or(u32::MAX),
            ),
            features: FeatureVector::default(),
        }
    }

    /// [`point_at`](Self::point_at) with the values moved in.
    fn point_at_owned(
        &mut self,
        property: &str,
        inherited: PropertyValue,
        actual: PropertyValue,
    ) -> (&ExceptionContext, &mut FeatureVector) {
        let context = &mut self.context;
        context.property_name.clear();
        context.property_name.push_str(property);
        context.inherited_value = inherited;
        context.actual_value = actual;
        (context, &mut self.features)
    }

    /// The context pointed at `property` (its node fields kept), and the vector to extract
    /// its features into.
    fn point_at(
        &mut self,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
    ) -> (&ExceptionContext, &mut FeatureVector) {
        let context = &mut self.context;
        context.property_name.clear();
        context.property_name.push_str(property);
        context.inherited_value.clone_from(inherited);
        context.actual_value.clone_from(actual);
        (context, &mut self.features)
    }
}
