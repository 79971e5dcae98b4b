//! What processing did with every value it was handed: the buckets of [`ProcessReport`].

use llmkg_core::{NodeId, PropertyValue};
use llmkg_detect::{SkipReason, UnreportedValue as Skipped};

/// What [`ExceptionSystem::process_hierarchy`](crate::ExceptionSystem::process_hierarchy) did.
///
/// Every local value of every processed node lands in exactly one bucket, so
/// `values_stated == exceptions + non_exceptions + settled_conflicts + unreported.len() +
/// introduced` ([`is_balanced`](Self::is_balanced)):
///
/// | bucket | the node's own value ... |
/// |---|---|
/// | `exceptions` | differs from what it inherits and is stored as a detected exception |
/// | `non_exceptions` | equals what it inherits (a negative example for the learner) |
/// | `settled_conflicts` | settles a conflict among its ancestors, stored as a `Conflict` exception |
/// | `unreported` | differs, but below the detector's thresholds: listed, with its scores |
/// | `introduced` | has nothing to override: no ancestor states the property |
///
/// ```
/// use llmkg::ExceptionSystem;
/// use llmkg::core::{Hierarchy, InheritanceNode, NodeId};
///
/// let hierarchy = Hierarchy::from_nodes([
///     InheritanceNode::new(NodeId(1), "Bird").with_property("can_fly", true).with_property("colour", "brown"),
///     InheritanceNode::new(NodeId(2), "Penguin")
///         .with_parent(NodeId(1))
///         .with_property("can_fly", false)
///         .with_property("colour", "Brown")
///         .with_property("swims", true),
/// ])?;
/// let report = ExceptionSystem::new().process_hierarchy(&hierarchy)?;
/// assert_eq!(report.values_stated, 5);
/// assert_eq!(report.exceptions, 1); // can_fly
/// assert_eq!(report.unreported.len(), 1); // "Brown" respells "brown"
/// assert_eq!(report.introduced, 3); // Bird's two values and swims
/// assert!(report.is_balanced());
/// # Ok::<(), llmkg::SystemError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProcessReport {
    /// Nodes processed.
    pub nodes: usize,
    /// Local values of the processed nodes: the sum of the buckets below.
    pub values_stated: usize,
    /// Local values that differ from what the node inherits, detected and stored.
    pub exceptions: usize,
    /// Local values that matched what the node inherits (negative examples for the learner).
    pub non_exceptions: usize,
    /// Local values that settle a conflict the node inherits (see `conflicts`), stored as
    /// [`ExceptionSource::Conflict`](crate::exceptions::ExceptionSource::Conflict) exceptions.
    pub settled_conflicts: usize,
    /// Local values that differ from what the node inherits but that the detector did not
    /// report (similar at or above its similarity threshold, or below its confidence
    /// threshold), in processing order, with their scores.
    pub unreported: Vec<UnreportedValue>,
    /// Local values of properties the node does not inherit: nothing to override.
    pub introduced: usize,
    /// Properties inherited from disagreeing, equally specific ancestors (the Nixon
    /// diamond; see [`Hierarchy::inherited_conflicts`](crate::core::Hierarchy::inherited_conflicts)),
    /// settled or left open. Not a bucket of stated values: one the node settles is in
    /// `settled_conflicts`, one it leaves open has no resolved value.
    pub conflicts: usize,
}

impl ProcessReport {
    /// The values in the buckets: equal to [`values_stated`](Self::values_stated).
    #[must_use]
    pub fn values_accounted(&self) -> usize {
        self.exceptions
            + self.non_exceptions
            + self.settled_conflicts
            + self.unreported.len()
            + self.introduced
    }

    /// Whether every stated value is in exactly one bucket.
    #[must_use]
    pub fn is_balanced(&self) -> bool {
        self.values_accounted() == self.values_stated
    }

    /// Local values that differ from what the node inherits or settle a conflict:
    /// exceptions, settled conflicts and unreported values.
    #[must_use]
    pub fn overrides(&self) -> usize {
        self.exceptions + self.settled_conflicts + self.unreported.len()
    }

    /// Exceptions stored: detected ones and settled conflicts.
    #[must_use]
    pub fn stored_exceptions(&self) -> usize {
        self.exceptions + self.settled_conflicts
    }

    /// Adds one node's buckets.
    pub(crate) fn add(&mut self, node: NodeBuckets) {
        self.nodes += 1;
        self.values_stated += node.values_stated;
        self.exceptions += node.exceptions;
        self.non_exceptions += node.non_exceptions;
        self.settled_conflicts += node.settled_conflicts;
        self.unreported.extend(node.unreported);
        self.introduced += node.introduced;
        self.conflicts += node.conflicts;
    }
}

/// A local value that differs from what its node inherits but was not reported, owned.
#[derive(Clone, Debug, PartialEq)]
pub struct UnreportedValue {
    /// The node.
    pub node: NodeId,
    /// The property.
    pub property: String,
    /// The inherited value.
    pub inherited_value: PropertyValue,
    /// The node's own value.
    pub actual_value: PropertyValue,
    /// The similarity the detector judged by (0 for a label change).
    pub similarity: f32,
    /// The confidence the exception would have had.
    pub confidence: f32,
    /// Which threshold it missed.
    pub reason: SkipReason,
}

impl UnreportedValue {
    /// The owned form of what the detector skipped on `node`.
    pub(crate) fn of(node: NodeId, skipped: &Skipped<'_>) -> Self {
        UnreportedValue {
            node,
            property: skipped.property.to_owned(),
            inherited_value: skipped.inherited_value.clone(),
            actual_value: skipped.actual_value.clone(),
            similarity: skipped.similarity,
            confidence: skipped.confidence,
            reason: skipped.reason,
        }
    }
}

/// One node's buckets, as [`ProcessReport`] sums them.
#[derive(Debug, Default)]
pub(crate) struct NodeBuckets {
    pub(crate) values_stated: usize,
    pub(crate) exceptions: usize,
    pub(crate) non_exceptions: usize,
    pub(crate) settled_conflicts: usize,
    pub(crate) unreported: Vec<UnreportedValue>,
    pub(crate) introduced: usize,
    pub(crate) conflicts: usize,
}
