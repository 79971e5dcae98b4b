//! Ids, values, nodes and the inheritance hierarchy of the llmkg knowledge graph, with
//! deterministic property resolution.
//!
//! The main types are [`NodeId`], [`PropertyValue`], [`InheritanceNode`] and [`Hierarchy`],
//! which owns nodes (several parents allowed, cycles rejected) and resolves what each node
//! inherits: own values beat inherited ones, a more specific ancestor (one that descends
//! from another candidate) beats a less specific one, and equally specific ancestors that
//! disagree are reported as a [`Resolution::Conflict`] with every candidate, never settled
//! by the order of a node's parents ([`Hierarchy::inherited_properties`] leaves conflicts
//! out; [`Hierarchy::conflicts`] lists them).
//! [`Hierarchy::explain`] says why a value is what it is. Once a node's flattened view is
//! cached, a resolution costs a binary search and a few hash lookups at any depth (see
//! [`Hierarchy`] for the first call and for invalidation).
//! `llmkg-exception-store` records the overrides (exceptions) that nodes make to inherited
//! values; the `llmkg` facade ties both together.
//!
//! ```
//! use llmkg_core::{Hierarchy, InheritanceNode, NodeId, PropertyValue, Resolution};
//!
//! let mut hierarchy = Hierarchy::new();
//! hierarchy.insert(InheritanceNode::new(NodeId(1), "Animal").with_property("alive", true))?;
//! hierarchy.insert(
//!     InheritanceNode::new(NodeId(2), "Bird")
//!         .with_parent(NodeId(1))
//!         .with_property("can_fly", true),
//! )?;
//! hierarchy.insert(
//!     InheritanceNode::new(NodeId(3), "Penguin")
//!         .with_parent(NodeId(2))
//!         .with_property("can_fly", false),
//! )?;
//!
//! assert_eq!(hierarchy.resolve(NodeId(3), "can_fly")?, Resolution::Own(false.into()));
//! assert_eq!(
//!     hierarchy.resolve(NodeId(3), "alive")?,
//!     Resolution::Inherited { value: true.into(), from: NodeId(1) },
//! );
//! // What Penguin inherits, its own override excluded: what an exception detector compares to.
//! let inherited = hierarchy.inherited_properties(NodeId(3))?;
//! assert_eq!(inherited["can_fly"], PropertyValue::Boolean(true));
//! assert_eq!(hierarchy.ancestors(NodeId(3))?, vec![NodeId(2), NodeId(1)]);
//! assert_eq!(hierarchy.depth(NodeId(3))?, 2);
//! println!("{}", hierarchy.explain(NodeId(3), "can_fly")?);
//! # Ok::<(), llmkg_core::CoreError>(())
//! ```
//!
//! # Bounds
//!
//! Every call that takes caller values costs time near-linear in them and memory a small
//! constant times them; values nesting lists deeper than [`MAX_VALUE_DEPTH`] are refused on
//! the way in and while decoding, so nothing recurses without bound.
//! [`Hierarchy::insert`] costs O(parents + local properties) plus dropping the cached views of
//! the node's descendants; [`Hierarchy::add_parent`] checks for a cycle in O(ancestors).
//! A resolution on a cached view is a binary search; building a node's view is linear in the
//! properties it can see (sorted when it has several parents). The cached views hold one entry
//! per (node, visible property) pair, so a chain of d nodes that each define a new property
//! holds about d²/2 entries once every node was resolved: that is the size of what those
//! nodes inherit, not a cost per call.
#![deny(missing_docs)]

mod error;
mod hierarchy;
mod node;
mod value;

pub use crate::{
    error::{CoreError, Result},
    hierarchy::{
        Explanation, Hierarchy, LosingCandidate, LossReason, PropertyConflict, Resolution,
        ViewCacheStatistics,
    },
    node::InheritanceNode,
    value::{MAX_VALUE_DEPTH, NodeId, PropertyValue},
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
