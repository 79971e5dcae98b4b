//! The inheritance node: one concept with its parents and its own property values.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{NodeId, PropertyValue};

/// One concept in the inheritance hierarchy.
///
/// `local_properties` holds only the values defined on this node; inherited values are
/// computed by the hierarchy. The map is a plain
/// `std::collections::HashMap` so callers can build it with the default hasher.
///
/// ```
/// use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
/// let mut penguin = InheritanceNode::new(NodeId(3), "Penguin");
/// penguin.parent_ids.push(NodeId(2));
/// penguin.local_properties.insert("can_fly".into(), PropertyValue::Boolean(false));
/// assert_eq!(penguin.node_type, "Penguin");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InheritanceNode {
    /// The node's identifier, unique within a hierarchy.
    pub id: NodeId,
    /// A human-readable name, e.g. `"Penguin"`.
    pub name: String,
    /// The node's type; [`InheritanceNode::new`] sets it to the name.
    pub node_type: String,
    /// Direct parents, most important first: this order is the tie-break of last resort.
    pub parent_ids: Vec<NodeId>,
    /// Values defined on this node itself.
    pub local_properties: HashMap<String, PropertyValue>,
}

impl InheritanceNode {
    /// A node with no parents and no properties; `node_type` defaults to `name`.
    #[must_use]
    pub fn new(id: NodeId, name: &str) -> Self {
        InheritanceNode {
            id,
            name: name.to_owned(),
            node_type: name.to_owned(),
            parent_ids: Vec::new(),
            local_properties: HashMap::new(),
        }
    }

    /// Builder-style: adds a parent.
    #[must_use]
    pub fn with_parent(mut self, parent: NodeId) -> Self {
        self.parent_ids.push(parent);
        self
    }

    /// Builder-style: sets a local property.
    #[must_use]
    pub fn with_property(mut self, name: &str, value: impl Into<PropertyValue>) -> Self {
        self.local_properties.insert(name.to_owned(), value.into());
        self
    }

    /// Builder-style: sets the node type (the learner's view of what kind of node this is;
    /// [`InheritanceNode::new`] starts it as the name).
    ///
    /// ```
    /// use llmkg_core::{InheritanceNode, NodeId};
    /// let node = InheritanceNode::new(NodeId(1), "Emperor_Penguin").with_type("bird");
    /// assert_eq!(node.node_type, "bird");
    /// assert_eq!(node.name, "Emperor_Penguin");
    /// ```
    #[must_use]
    pub fn with_type(mut self, node_type: &str) -> Self {
        self.node_type = node_type.to_owned();
        self
    }
}
