//! Editing a node's own property values, with strictness checks and view invalidation.

use super::Hierarchy;
use crate::{CoreError, NodeId, PropertyValue, Result};

impl Hierarchy {
    /// Sets `id`'s own value of `name`, returning the value it replaces.
    ///
    /// Fails, changing nothing, if the node is unknown, the name is empty, the value nests
    /// lists deeper than [`MAX_VALUE_DEPTH`](crate::MAX_VALUE_DEPTH)
    /// ([`CoreError::ValueTooDeep`], the bound every llmkg crate applies), or an ancestor
    /// declared `name` strict ([`CoreError::StrictOverride`]).
    pub fn set_property(
        &mut self,
        id: NodeId,
        name: &str,
        value: PropertyValue,
    ) -> Result<Option<PropertyValue>> {
        let idx = self.index(id)?;
        if name.is_empty() {
            return Err(CoreError::EmptyPropertyName { node: id });
        }
        value.check_depth()?;
        if let Some(declarer) = self.strict_declarer_above(idx, name) {
            return Err(CoreError::StrictOverride {
                property: name.to_owned(),
                declared_on: self.id_of(declarer),
                attempted_on: id,
            });
        }
        let property_id = self.intern(name);
        let local_ids = &mut self.local_property_ids[idx as usize];
        let local_values = &mut self.local_values[idx as usize];
        let node = &mut self.nodes[idx as usize];
        if let Some(slot) = node.local_properties.get_mut(name) {
            // The set of defining nodes is unchanged, so every cached view stays valid.
            if let Ok(position) = local_ids.binary_search(&property_id) {
                local_values[position].1.clone_from(&value);
            }
            return Ok(Some(std::mem::replace(slot, value)));
        }
        if let Err(position) = local_ids.binary_search(&property_id) {
            local_ids.insert(position, property_id);
            local_values.insert(position, (property_id, value.clone()));
        }
        node.local_properties.insert(name.to_owned(), value);
        self.views
            .invalidate_from(&self.children[idx as usize], &self.children);
        Ok(None)
    }

    /// Removes `id`'s own value of `name`, returning it; its inherited value shows through again.
    pub fn remove_property(&mut self, id: NodeId, name: &str) -> Result<Option<PropertyValue>> {
        let idx = self.index(id)?;
        if name.is_empty() {
            return Err(CoreError::EmptyPropertyName { node: id });
        }
        let Some(removed) = self.nodes[idx as usize].local_properties.remove(name) else {
            return Ok(None);
        };
        if let Some(&property_id) = self.property_ids.get(name)
            && let Ok(position) = self.local_property_ids[idx as usize].binary_search(&property_id)
        {
            self.local_property_ids[idx as usize].remove(position);
            self.local_values[idx as usize].remove(position);
        }
        self.views
            .invalidate_from(&self.children[idx as usize], &self.children);
        Ok(Some(removed))
    }
}
