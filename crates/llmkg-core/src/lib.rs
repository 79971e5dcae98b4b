//! Ids, values, nodes and the inheritance hierarchy of the llmkg knowledge graph.
//!
//! The main types are [`NodeId`], [`PropertyValue`] and [`InheritanceNode`].
//! `llmkg-exception-store` records the overrides (exceptions) that nodes make to inherited
//! values; the `llmkg` facade ties both together.
//!
//! ```
//! use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
//!
//! let bird = InheritanceNode::new(NodeId(1), "Bird").with_property("can_fly", true);
//! let penguin = InheritanceNode::new(NodeId(2), "Penguin")
//!     .with_parent(bird.id)
//!     .with_property("can_fly", false);
//! assert_eq!(penguin.local_properties["can_fly"], PropertyValue::Boolean(false));
//! ```
#![deny(missing_docs)]

mod node;
mod value;

pub use crate::{
    node::InheritanceNode,
    value::{NodeId, PropertyValue},
};
