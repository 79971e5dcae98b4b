//! Resolving properties: one property of one node, all of them, and the conflicts among them.

use std::collections::HashMap;

use super::Hierarchy;
use super::view::ViewEntry;
use crate::{CoreError, NodeId, PropertyValue, Result};

/// How a node's property resolves; see [`Hierarchy`] for the rules.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// The node defines the property itself.
    Own(PropertyValue),
    /// The value comes from one ancestor (or from several equally specific ancestors that
    /// agree; `from` is then the first of them in resolution order).
    Inherited {
        /// The inherited value.
        value: PropertyValue,
        /// The ancestor that supplies it.
        from: NodeId,
    },
    /// Equally specific ancestors disagree (the Nixon diamond). No value wins: the
    /// hierarchy never settles a conflict by itself (see [`Resolution::value`]).
    Conflict {
        /// Every most specific candidate, in resolution order, with its value.
        candidates: Vec<(NodeId, PropertyValue)>,
        /// The first candidate in resolution order (the one whose parent branch is listed
        /// first), for a caller that chooses to settle conflicts by parent order. Nothing in
        /// the library uses it: it depends on the order of `parent_ids`.
        default_pick: (NodeId, PropertyValue),
    },
    /// Neither the node nor any ancestor defines the property.
    Undefined,
}

impl Resolution {
    /// The value to use: the own or inherited value, or `None` when undefined or in
    /// conflict (a conflict's candidates are for the caller to weigh).
    #[must_use]
    pub fn value(&self) -> Option<&PropertyValue> {
        match self {
            Resolution::Own(value) | Resolution::Inherited { value, .. } => Some(value),
            Resolution::Conflict { .. } | Resolution::Undefined => None,
        }
    }

    /// Like [`Resolution::value`], by value.
    #[must_use]
    pub fn into_value(self) -> Option<PropertyValue> {
        match self {
            Resolution::Own(value) | Resolution::Inherited { value, .. } => Some(value),
            Resolution::Conflict { .. } | Resolution::Undefined => None,
        }
    }

    /// Whether this is a [`Resolution::Conflict`].
    #[must_use]
    pub fn is_conflict(&self) -> bool {
        matches!(self, Resolution::Conflict { .. })
    }
}

/// A property whose most specific candidates disagree, as listed by [`Hierarchy::conflicts`].
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyConflict {
    /// The property's name.
    pub property: String,
    /// Every most specific candidate, in resolution order, with its value.
    pub candidates: Vec<(NodeId, PropertyValue)>,
    /// The first candidate in resolution order (parent order; see
    /// [`Resolution::Conflict`]). Nothing in the library uses it.
    pub default_pick: (NodeId, PropertyValue),
}

impl Hierarchy {
    /// Resolves one property of `id` (own value over the most specific inherited one).
    ///
    /// With `id`'s view cached this costs a binary search plus four hash lookups (plus one per
    /// extra equally specific candidate), whatever the depth; see [`Hierarchy`] for the
    /// first call's cost.
    pub fn resolve(&self, id: NodeId, property: &str) -> Result<Resolution> {
        let idx = self.index(id)?;
        if property.is_empty() {
            return Err(CoreError::EmptyPropertyName { node: id });
        }
        // A name no node defines is interned nowhere: undefined everywhere.
        let Some(&property_id) = self.property_ids.get(property) else {
            return Ok(Resolution::Undefined);
        };
        if let Some(value) = self.local_value(idx, property_id) {
            return Ok(Resolution::Own(value.clone()));
        }
        Ok(self.resolve_inherited_id(idx, property_id))
    }

    /// What `idx` inherits for `property_id`, ignoring any value `idx` defines itself.
    fn resolve_inherited_id(&self, idx: u32, property_id: u32) -> Resolution {
        self.with_candidates(idx, property_id, |candidates| {
            self.resolution_of(candidates)
        })
    }

    /// What `id` inherits: every property an ancestor supplies. A property whose equally
    /// specific candidates disagree is left out (it has no inherited value; see
    /// [`Hierarchy::inherited_conflicts`]), so the map never depends on the order of
    /// `parent_ids`. Values `id` defines itself are ignored, so an overridden property shows
    /// the inherited value it overrides (what an exception detector compares against).
    pub fn inherited_properties(&self, id: NodeId) -> Result<HashMap<String, PropertyValue>> {
        let idx = self.index(id)?;
        Ok(self.with_view(idx, |view| {
            let mut inherited = HashMap::with_capacity(view.len());
            for group in view.chunk_by(|left, right| left.property == right.property) {
                let property_id = group[0].property;
                let Some(value) = self.local_value(group[0].candidate, property_id) else {
                    continue;
                };
                // Several candidates only where parents meet: compared in place, no list.
                let agree = group[1..].iter().all(|entry| {
                    self.local_value(entry.candidate, property_id)
                        .is_none_or(|other| same_value(other, value))
                });
                if agree {
                    let name = &self.property_names[property_id as usize];
                    inherited.insert(name.clone(), value.clone());
                }
            }
            inherited
        }))
    }

    /// Every property of `id`: its own values over what it inherits. A conflict `id` does
    /// not settle with a value of its own is left out (see [`Hierarchy::conflicts`]).
    pub fn resolve_properties(&self, id: NodeId) -> Result<HashMap<String, PropertyValue>> {
        let mut resolved = self.inherited_properties(id)?;
        let node = &self.nodes[self.index(id)? as usize];
        for (name, value) in &node.local_properties {
            resolved.insert(name.clone(), value.clone());
        }
        Ok(resolved)
    }

    /// The properties `id` inherits from disagreeing, equally specific ancestors, sorted by
    /// name. A property `id` defines itself is never a conflict: its own value settles it
    /// (see [`Hierarchy::inherited_conflicts`] for those too).
    pub fn conflicts(&self, id: NodeId) -> Result<Vec<PropertyConflict>> {
        let idx = self.index(id)?;
        let mut conflicts = self.inherited_conflicts(id)?;
        conflicts.retain(|conflict| {
            // A conflict's property is one the view names, so it is interned.
            self.property_ids
                .get(conflict.property.as_str())
                .is_none_or(|&property_id| !self.defines(idx, property_id))
        });
        Ok(conflicts)
    }

    /// Like [`Hierarchy::conflicts`], including the conflicts `id` settles with a value of its
    /// own: what its ancestors leave undecided, whatever `id` says. These are the properties
    /// [`Hierarchy::inherited_properties`] leaves out. Sorted by name; costs one pass over
    /// `id`'s view and nothing more when no two candidates meet.
    pub fn inherited_conflicts(&self, id: NodeId) -> Result<Vec<PropertyConflict>> {
        let idx = self.index(id)?;
        let mut conflicts = self.with_view(idx, |view| {
            view.chunk_by(|left, right| left.property == right.property)
                .filter(|group| group.len() > 1)
                .filter_map(|group| {
                    let name = &self.property_names[group[0].property as usize];
                    match self.resolution_of(group) {
                        Resolution::Conflict {
                            candidates,
                            default_pick,
                        } => Some(PropertyConflict {
                            property: name.clone(),
                            candidates,
                            default_pick,
                        }),
                        _ => None,
                    }
                })
                .collect::<Vec<_>>()
        });
        conflicts.sort_by(|left, right| left.property.cmp(&right.property));
        Ok(conflicts)
    }

    /// Turns a view's candidates for one property into a resolution.
    fn resolution_of(&self, candidates: &[ViewEntry]) -> Resolution {
        let valued = |entry: &ViewEntry| {
            self.local_value(entry.candidate, entry.property)
                .map(|value| (self.id_of(entry.candidate), value))
        };
        let mut rest = candidates.iter().filter_map(valued);
        let Some((first_id, first_value)) = rest.next() else {
            return Resolution::Undefined;
        };
        // Usually the only candidate: no list is built unless the candidates disagree.
        if rest.all(|(_, value)| same_value(value, first_value)) {
            return Resolution::Inherited {
                value: first_value.clone(),
                from: first_id,
            };
        }
        let default_pick = (first_id, first_value.clone());
        let all: Vec<(NodeId, PropertyValue)> = candidates
            .iter()
            .filter_map(valued)
            .map(|(id, value)| (id, value.clone()))
            .collect();
        Resolution::Conflict {
            candidates: all,
            default_pick,
        }
    }
}

/// Value equality for conflict detection: structural, except that NaN agrees with NaN (two
/// ancestors both saying "not a number" do not disagree).
pub(super) fn same_value(left: &PropertyValue, right: &PropertyValue) -> bool {
    match (left, right) {
        (PropertyValue::Number(left), PropertyValue::Number(right)) => {
            left == right || (left.is_nan() && right.is_nan())
        }
        (PropertyValue::List(left), PropertyValue::List(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| same_value(left, right))
        }
        _ => left == right,
    }
}
