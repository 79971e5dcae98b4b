//! Processing: detect a node's exceptions, store them, learn from them, apply them.

use std::collections::HashMap;
use std::time::Instant;

use llmkg_core::{CoreError, Hierarchy, InheritanceNode, NodeId, PropertyConflict, PropertyValue};
use llmkg_exception::{Exception, ExceptionParts, ExceptionSource, Reason};
use llmkg_learn::{ExceptionContext, FeatureVector, NodeFeatureCache};

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
        let had_exceptions = self.store.has_node(node.id);
        // The learner is the one pattern source: its patterns lend the detector their
        // reasons, and its likelihood raises the confidence below. The detector's exceptions
        // borrow the learner, which learns from each of them in turn, so what the loop
        // needs is copied out first: the names and reasons back to back into two buffers
        // (no `String` per exception) and the values, which the loop moves into the
        // learner's context and the store encodes from there.
        let scan = self.detector.scan_node_with(node, inherited, &self.learner);
        let unreported: Vec<UnreportedValue> = scan
            .unreported
            .iter()
            .map(|skipped| UnreportedValue::of(node.id, skipped))
            .collect();
        let detected = scan.exceptions;
        let mut names = String::new();
        let mut reasons = String::new();
        let mut found = Vec::with_capacity(detected.len());
        for exception in &detected {
            names.push_str(exception.property);
            exception.write_reason(&mut reasons);
            found.push(Found {
                name_end: names.len(),
                reason_end: reasons.len(),
                confidence: exception.confidence,
                inherited: exception.inherited_value.clone(),
                actual: exception.actual_value.clone(),
            });
        }
        drop(detected);
        // Room for the node's records and patterns up front: a 9-byte number or a short
        // string per value besides each reason is what the store's arena is told to expect.
        self.store
            .reserve_for_node(node.id, found.len(), reasons.len() + 24 * found.len());
        self.learner.reserve_patterns(found.len());
        // One context per node, its property and values refilled per use. Its siblings are
        // the cache's: the learner's node-level features (type and siblings) are hashed once
        // for the node from the node's own map (hashing every sibling on each of the
        // learner's calls made a node of n properties cost n² hashes), and the context keeps
        // no copy of that map.
        let depth = self.hierarchy.depth(node.id).unwrap_or(0);
        let mut context = ExceptionContext::new(
            "",
            PropertyValue::Null,
            PropertyValue::Null,
            node.node_type.as_str(),
            u32::try_from(depth).unwrap_or(u32::MAX),
        );
        let siblings = NodeFeatureCache::new(&node.node_type, &node.local_properties);
        // One feature vector for every property of the node, refilled in place.
        let mut features = FeatureVector::default();
        let created_at = Instant::now();
        let boost = self.config.pattern_boost;
        let mut stored = 0;
        let (mut name_start, mut reason_start) = (0, 0);
        for exception in found {
            let property = &names[name_start..exception.name_end];
            let reason = &reasons[reason_start..exception.reason_end];
            (name_start, reason_start) = (exception.name_end, exception.reason_end);
            context.property_name.clear();
            context.property_name.push_str(property);
            context.inherited_value = exception.inherited;
            context.actual_value = exception.actual;
            // One extraction and one prediction serve the confidence and the learning.
            self.learner
                .features_cached_into(&context, &siblings, &mut features)?;
            let confidence = self.learner.learn_detected_scored(
                exception.confidence,
                &context,
                &features,
                &siblings,
                |confidence, likelihood| {
                    (confidence + (1.0 - confidence) * likelihood * boost).clamp(0.0, 1.0)
                },
            )?;
            let parts = ExceptionParts {
                property,
                inherited_value: &context.inherited_value,
                actual_value: &context.actual_value,
                reason: Reason::Written(reason),
                source: ExceptionSource::Detected,
                created_at,
                confidence,
            };
            self.put_exception_parts(node.id, &parts)?;
            stored += 1;
        }
        let mut conflicts = 0;
        let mut settled = 0;
        if self.hierarchy.contains(node.id) {
            for conflict in self.hierarchy.inherited_conflicts(node.id)? {
                conflicts += 1;
                // A caller-supplied inherited value was the detector's to judge.
                if inherited.contains_key(&conflict.property) {
                    continue;
                }
                if let Some(actual) = node.local_properties.get(&conflict.property) {
                    let exception = settled_conflict(&self.hierarchy, node, &conflict, actual);
                    self.put_exception(node.id, conflict.property, exception)?;
                    settled += 1;
                }
            }
        }
        // One pass over the node's own values finds the non-exceptions and builds the
        // resolved map: the clone of `inherited` (same hasher, same entries) answers what the
        // node inherits, so each name is hashed once here, not once to compare and again to
        // overlay.
        let mut resolved = inherited.clone();
        let mut non_exceptions = 0;
        let mut not_inherited = 0;
        for (property, value) in &node.local_properties {
            match resolved.get_mut(property) {
                // A local value equal to the inherited one: a negative example, and the
                // resolved value is already right.
                Some(slot) if slot == value => {
                    refill(&mut context, property, value, value);
                    self.learner
                        .features_cached_into(&context, &siblings, &mut features)?;
                    self.learner
                        .observe_non_exception_features(&context, &features)?;
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
        if had_exceptions {
            self.handler
                .apply_exceptions_to_node(node.id, &mut resolved);
        }
        Ok(NodeOutcome {
            resolved,
            buckets: NodeBuckets {
                values_stated: node.local_properties.len(),
                exceptions: stored,
                non_exceptions,
                settled_conflicts: settled,
                unreported,
                // A settled conflict is a property the node does not inherit either.
                introduced: not_inherited - settled,
                conflicts,
            },
        })
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

/// A detected exception as the learning loop takes it: where its name and reason end in
/// the loop's two buffers, its confidence and its values.
struct Found {
    name_end: usize,
    reason_end: usize,
    confidence: f32,
    inherited: PropertyValue,
    actual: PropertyValue,
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
