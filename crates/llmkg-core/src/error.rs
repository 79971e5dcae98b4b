//! The error type of every fallible hierarchy operation.

use crate::NodeId;

/// What can go wrong when building or editing a [`Hierarchy`](crate::Hierarchy).
///
/// Every operation that returns this error leaves the hierarchy exactly as it was.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A node with this id is already in the hierarchy.
    #[error("node {0} already exists")]
    DuplicateNode(NodeId),
    /// No node with this id is in the hierarchy.
    #[error("node {0} does not exist")]
    UnknownNode(NodeId),
    /// A node names a parent that is not in the hierarchy (parents must be inserted first).
    #[error("node {node} names parent {parent}, which does not exist")]
    UnknownParent {
        /// The node being inserted or edited.
        node: NodeId,
        /// The missing parent.
        parent: NodeId,
    },
    /// A node lists the same parent twice.
    #[error("node {node} already has parent {parent}")]
    DuplicateParent {
        /// The child.
        node: NodeId,
        /// The repeated parent.
        parent: NodeId,
    },
    /// The edge would make a node its own ancestor.
    #[error("making {parent} a parent of {child} would create a cycle")]
    Cycle {
        /// The would-be child.
        child: NodeId,
        /// The would-be parent, which is the child itself or one of its descendants.
        parent: NodeId,
    },
    /// A node tried to define a property that an ancestor declared strict.
    #[error(
        "property {property:?} is strict on {declared_on}, so {attempted_on} may not override it"
    )]
    StrictOverride {
        /// The strict property.
        property: String,
        /// The node that declared it strict.
        declared_on: NodeId,
        /// The node below it that defines, or tried to define, its own value.
        attempted_on: NodeId,
    },
    /// A property name was empty.
    #[error("empty property name on node {node}")]
    EmptyPropertyName {
        /// The node the property was meant for.
        node: NodeId,
    },
    /// A property value whose lists nest deeper than [`MAX_VALUE_DEPTH`](crate::MAX_VALUE_DEPTH).
    #[error("property value lists nest deeper than the limit of {limit}")]
    ValueTooDeep {
        /// The deepest nesting accepted.
        limit: usize,
    },
    /// The hierarchy already holds as many nodes as its 32-bit internal indices can address.
    #[error("the hierarchy is full: it holds at most {max} nodes")]
    TooManyNodes {
        /// The maximum number of nodes.
        max: usize,
    },
}

/// `Result` with [`CoreError`] as the default error.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
