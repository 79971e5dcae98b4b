//! Strict properties: declared on a node, they may not be given a value anywhere below it.

use super::Hierarchy;
use crate::{CoreError, InheritanceNode, NodeId, Result};

impl Hierarchy {
    /// Declares `property` strict on `id`: no descendant of `id` may define its own value for
    /// it. `id` itself may still set it. Declaring twice is a no-op.
    ///
    /// Fails, changing nothing, if a descendant already defines `property`
    /// ([`CoreError::StrictOverride`] names the first such descendant in topological order).
    ///
    /// ```
    /// use llmkg_core::{CoreError, Hierarchy, InheritanceNode, NodeId, PropertyValue};
    ///
    /// let mut hierarchy = Hierarchy::new();
    /// hierarchy.insert(InheritanceNode::new(NodeId(1), "Animal").with_property("alive", true))?;
    /// hierarchy.insert(InheritanceNode::new(NodeId(2), "Bird").with_parent(NodeId(1)))?;
    /// hierarchy.declare_strict(NodeId(1), "alive")?;
    /// assert_eq!(hierarchy.is_strict_for(NodeId(2), "alive"), Some(NodeId(1)));
    /// let error = hierarchy
    ///     .set_property(NodeId(2), "alive", PropertyValue::Boolean(false))
    ///     .unwrap_err();
    /// assert!(matches!(error, CoreError::StrictOverride { .. }));
    /// # Ok::<(), CoreError>(())
    /// ```
    pub fn declare_strict(&mut self, id: NodeId, property: &str) -> Result<()> {
        let idx = self.index(id)?;
        if property.is_empty() {
            return Err(CoreError::EmptyPropertyName { node: id });
        }
        if let Some(&property_id) = self.property_ids.get(property) {
            if self
                .strict_declarations
                .get(&property_id)
                .is_some_and(|declarers| declarers.contains(&idx))
            {
                return Ok(());
            }
            if let Some(offender) = self
                .descendants_topological(idx)
                .into_iter()
                .find(|&descendant| self.defines(descendant, property_id))
            {
                return Err(CoreError::StrictOverride {
                    property: property.to_owned(),
                    declared_on: id,
                    attempted_on: self.id_of(offender),
                });
            }
        }
        let property_id = self.intern(property);
        let declarers = self.strict_declarations.entry(property_id).or_default();
        if let Err(position) = declarers.binary_search(&idx) {
            declarers.insert(position, idx);
        }
        Ok(())
    }

    /// The ancestor of `id` whose strict declaration forbids `id` to define `property`, if any
    /// (the deepest such ancestor, ties by smallest id). `id`'s own declaration does not bind
    /// `id`, and an unknown `id` gives `None`.
    pub fn is_strict_for(&self, id: NodeId, property: &str) -> Option<NodeId> {
        let idx = *self.index_of.get(&id)?;
        self.strict_declarer_above(idx, property)
            .map(|declarer| self.id_of(declarer))
    }

    /// The properties declared strict on `id` itself, sorted.
    pub fn strict_properties(&self, id: NodeId) -> Result<Vec<&str>> {
        let idx = self.index(id)?;
        let mut properties: Vec<&str> = self
            .strict_declarations
            .iter()
            .filter(|(_, declarers)| declarers.contains(&idx))
            .map(|(&property_id, _)| self.property_names[property_id as usize].as_str())
            .collect();
        properties.sort_unstable();
        Ok(properties)
    }

    pub(super) fn strict_declarer_above(&self, idx: u32, property: &str) -> Option<u32> {
        let property_id = self.property_ids.get(property)?;
        let declarers = self.strict_declarations.get(property_id)?;
        declarers
            .iter()
            .copied()
            .filter(|&declarer| self.is_ancestor(declarer, idx))
            .max_by_key(|&declarer| {
                (
                    self.depths[declarer as usize],
                    std::cmp::Reverse(self.id_of(declarer)),
                )
            })
    }

    /// A new node may not define a property declared strict on any of its future ancestors.
    pub(super) fn check_strict_for_new_node(
        &self,
        node: &InheritanceNode,
        parents: &[u32],
    ) -> Result<()> {
        if self.strict_declarations.is_empty() {
            return Ok(());
        }
        let mut names: Vec<&String> = node.local_properties.keys().collect();
        names.sort_unstable();
        // The parents and all their ancestors, found by one walk when first needed: O(ancestors
        // + edges) however many parents and declarations there are.
        let mut ancestry: Option<std::collections::HashSet<u32>> = None;
        for name in names {
            let Some(property_id) = self.property_ids.get(name.as_str()) else {
                continue;
            };
            let Some(declarers) = self.strict_declarations.get(property_id) else {
                continue;
            };
            let ancestry = ancestry.get_or_insert_with(|| self.ancestors_or_self(parents));
            let declarer = declarers
                .iter()
                .copied()
                .filter(|declarer| ancestry.contains(declarer))
                .max_by_key(|&declarer| self.depths[declarer as usize]);
            if let Some(declarer) = declarer {
                return Err(CoreError::StrictOverride {
                    property: name.clone(),
                    declared_on: self.id_of(declarer),
                    attempted_on: node.id,
                });
            }
        }
        Ok(())
    }

    /// `starts` and every ancestor of them, each visited once.
    fn ancestors_or_self(&self, starts: &[u32]) -> std::collections::HashSet<u32> {
        let mut found: std::collections::HashSet<u32> = starts.iter().copied().collect();
        let mut stack = starts.to_vec();
        while let Some(idx) = stack.pop() {
            for &parent in &self.parents[idx as usize] {
                if found.insert(parent) {
                    stack.push(parent);
                }
            }
        }
        found
    }

    /// A new edge `child -> parent` may not put a value below a strict declaration that
    /// `child`'s subtree was not already under.
    pub(super) fn check_strict_for_new_edge(&self, child: u32, parent: u32) -> Result<()> {
        if self.strict_declarations.is_empty() {
            return Ok(());
        }
        let mut subtree: Option<Vec<u32>> = None;
        let mut declarations: Vec<(u32, u32)> = self
            .strict_declarations
            .iter()
            .flat_map(|(&property_id, declarers)| {
                declarers
                    .iter()
                    .map(move |&declarer| (property_id, declarer))
            })
            .filter(|&(_, declarer)| {
                (declarer == parent || self.is_ancestor(declarer, parent))
                    && !self.is_ancestor(declarer, child)
            })
            .collect();
        // Report the same offence whatever the hash map's iteration order.
        declarations.sort_unstable_by_key(|&(property_id, declarer)| {
            (
                self.property_names[property_id as usize].clone(),
                self.id_of(declarer),
            )
        });
        for (property_id, declarer) in declarations {
            let subtree = subtree.get_or_insert_with(|| {
                let mut nodes = vec![child];
                nodes.extend(self.descendants_topological(child));
                nodes
            });
            if let Some(&offender) = subtree
                .iter()
                .find(|&&member| self.defines(member, property_id))
            {
                return Err(CoreError::StrictOverride {
                    property: self.property_names[property_id as usize].clone(),
                    declared_on: self.id_of(declarer),
                    attempted_on: self.id_of(offender),
                });
            }
        }
        Ok(())
    }
}
