//! Explanations: why a property resolves to what it does.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;

use super::Hierarchy;
use super::resolution::same_value;
use crate::{CoreError, NodeId, PropertyValue, Resolution, Result};

/// Why a candidate's value did not win.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LossReason {
    /// The named node (the explained node itself, or an ancestor of it that descends from the
    /// candidate) redefines the property on every path from the candidate down.
    OverriddenBy(NodeId),
    /// The candidate's value does reach the explained node along some path (a redundant
    /// edge), but the named node descends from the candidate, so it is more specific.
    LessSpecificThan(NodeId),
    /// Equally specific as another candidate with a different value: the property is a
    /// conflict and no candidate wins (the explanation has no winner).
    Conflicting,
    /// Equally specific, same value: the named winner is listed first; nothing was lost.
    SameValueAs(NodeId),
}

/// A candidate that defines the property but did not supply the resolved value.
#[derive(Clone, Debug, PartialEq)]
pub struct LosingCandidate {
    /// The node that defines the losing value.
    pub node: NodeId,
    /// Its value.
    pub value: PropertyValue,
    /// Why it lost.
    pub reason: LossReason,
}

/// Why `node.property` resolves the way it does; its `Display` reads as sentences.
///
/// ```
/// use llmkg_core::{Hierarchy, InheritanceNode, LossReason, NodeId};
///
/// let mut hierarchy = Hierarchy::new();
/// hierarchy.insert(InheritanceNode::new(NodeId(1), "Animal").with_property("can_fly", false))?;
/// hierarchy.insert(InheritanceNode::new(NodeId(2), "Bird").with_parent(NodeId(1)).with_property("can_fly", true))?;
/// hierarchy.insert(InheritanceNode::new(NodeId(3), "Robin").with_parent(NodeId(2)))?;
/// let explanation = hierarchy.explain(NodeId(3), "can_fly")?;
/// assert_eq!(explanation.path, vec![NodeId(2), NodeId(3)]);
/// assert_eq!(explanation.losers[0].reason, LossReason::OverriddenBy(NodeId(2)));
/// assert!(explanation.to_string().starts_with("Robin (#3) inherits can_fly = true from Bird (#2)"));
/// # Ok::<(), llmkg_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The explained node.
    pub node: NodeId,
    /// The explained property.
    pub property: String,
    /// The resolution being explained (as [`Hierarchy::resolve`] returns it).
    pub resolution: Resolution,
    /// The node whose value is used and that value; `None` when undefined or in conflict
    /// (a conflict has no winner: its candidates are in `resolution` and `losers`).
    pub winner: Option<(NodeId, PropertyValue)>,
    /// The path the value came along, from the winner down to `node`, both included: the
    /// shortest one, ties going to earlier parents. Empty without a winner.
    pub path: Vec<NodeId>,
    /// Every other node among `node` and its ancestors that defines the property, in
    /// resolution order, with the reason it lost.
    pub losers: Vec<LosingCandidate>,
    /// The names of every node mentioned above, for display.
    pub node_names: BTreeMap<NodeId, String>,
}

impl Hierarchy {
    /// Explains how `property` resolves on `id`: the winner, the path its value came along,
    /// and why every other candidate lost. Costs O(a·c) for `a` ancestors and `c` candidates.
    pub fn explain(&self, id: NodeId, property: &str) -> Result<Explanation> {
        let idx = self.index(id)?;
        if property.is_empty() {
            return Err(CoreError::EmptyPropertyName { node: id });
        }
        let resolution = self.resolve(id, property)?;
        let mut order = vec![idx];
        order.extend(self.linearize(idx));
        let candidates: Vec<(u32, &PropertyValue)> = order
            .iter()
            .filter_map(|&member| {
                self.nodes[member as usize]
                    .local_properties
                    .get(property)
                    .map(|value| (member, value))
            })
            .collect();
        let most_specific: Vec<u32> = match &resolution {
            Resolution::Own(_) => vec![idx],
            Resolution::Undefined => Vec::new(),
            // An inherited value means some node defines the property, so it is interned.
            Resolution::Inherited { .. } | Resolution::Conflict { .. } => self
                .property_ids
                .get(property)
                .map(|&property_id| {
                    self.with_candidates(idx, property_id, |entries| {
                        entries.iter().map(|entry| entry.candidate).collect()
                    })
                })
                .unwrap_or_default(),
        };
        let winner = match &resolution {
            Resolution::Own(value) => Some((id, value.clone())),
            Resolution::Inherited { value, from } => Some((*from, value.clone())),
            Resolution::Conflict { .. } | Resolution::Undefined => None,
        };
        let candidate_set: HashSet<u32> = candidates.iter().map(|&(member, _)| member).collect();
        let reached_directly = self.reached_without_crossing(idx, &candidate_set);

        let mut losers = Vec::new();
        for (position, &(member, value)) in candidates.iter().enumerate() {
            let reason = if most_specific.contains(&member) {
                match &winner {
                    // Equally specific candidates of an inherited value agree with it.
                    Some((winner_id, winner_value)) if same_value(value, winner_value) => {
                        if self.id_of(member) == *winner_id {
                            continue;
                        }
                        LossReason::SameValueAs(*winner_id)
                    }
                    _ if resolution.is_conflict() => LossReason::Conflicting,
                    // Own or inherited: the winner is the one most specific candidate here.
                    _ => continue,
                }
            } else if winner.is_none() && !resolution.is_conflict() {
                break;
            } else {
                // Descendants precede ancestors in resolution order, so the nearest more
                // specific candidate is the last one before this one that descends from it.
                let nearest = candidates[..position]
                    .iter()
                    .rev()
                    .map(|&(other, _)| other)
                    .find(|&other| self.is_ancestor(member, other))
                    .unwrap_or(idx);
                if reached_directly.contains(&member) {
                    LossReason::LessSpecificThan(self.id_of(nearest))
                } else {
                    LossReason::OverriddenBy(self.id_of(nearest))
                }
            };
            losers.push(LosingCandidate {
                node: self.id_of(member),
                value: value.clone(),
                reason,
            });
        }

        let path = match &winner {
            Some((winner_id, _)) => self.shortest_path_up(idx, self.index(*winner_id)?),
            None => Vec::new(),
        };
        let mut node_names = BTreeMap::new();
        for node in std::iter::once(id)
            .chain(path.iter().copied())
            .chain(losers.iter().map(|loser| loser.node))
        {
            if let Some(found) = self.get(node) {
                node_names.insert(node, found.name.clone());
            }
        }
        Ok(Explanation {
            node: id,
            property: property.to_owned(),
            resolution,
            winner,
            path,
            losers,
            node_names,
        })
    }

    /// The ancestors of `start` reached by walking up without passing through a member of
    /// `stops` (members are reached, not crossed). If `start` is a stop, nothing else is.
    fn reached_without_crossing(&self, start: u32, stops: &HashSet<u32>) -> HashSet<u32> {
        let mut reached = HashSet::new();
        if stops.contains(&start) {
            return reached;
        }
        let mut stack = vec![start];
        while let Some(idx) = stack.pop() {
            for &parent in &self.parents[idx as usize] {
                if reached.insert(parent) && !stops.contains(&parent) {
                    stack.push(parent);
                }
            }
        }
        reached
    }

    /// The shortest path from `top` down to `start` (ids), found breadth-first upwards with
    /// parents tried in declared order.
    fn shortest_path_up(&self, start: u32, top: u32) -> Vec<NodeId> {
        let mut came_from: HashMap<u32, u32> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        while let Some(idx) = queue.pop_front() {
            if idx == top {
                break;
            }
            for &parent in &self.parents[idx as usize] {
                if parent != start && !came_from.contains_key(&parent) {
                    came_from.insert(parent, idx);
                    queue.push_back(parent);
                }
            }
        }
        let mut path = vec![self.id_of(top)];
        let mut current = top;
        while let Some(&below) = came_from.get(&current) {
            path.push(self.id_of(below));
            current = below;
        }
        path
    }
}

impl Explanation {
    fn label(&self, id: NodeId) -> String {
        match self.node_names.get(&id) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_string(),
        }
    }

    fn path_text(&self) -> String {
        let labels: Vec<String> = self.path.iter().map(|&id| self.label(id)).collect();
        labels.join(" -> ")
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.label(self.node);
        let property = &self.property;
        match (&self.resolution, &self.winner) {
            (Resolution::Own(value), _) => {
                write!(f, "{node} defines {property} = {value} itself.")?;
            }
            (Resolution::Inherited { value, from }, _) => {
                let from = self.label(*from);
                let path = self.path_text();
                write!(
                    f,
                    "{node} inherits {property} = {value} from {from}, along {path}."
                )?;
            }
            (Resolution::Conflict { candidates, .. }, _) => {
                write!(
                    f,
                    "{node} inherits conflicting values for {property} from {} equally \
                     specific ancestors, so no value wins; {node} can settle it with a value \
                     of its own.",
                    candidates.len()
                )?;
            }
            _ => {
                write!(
                    f,
                    "{node} has no value for {property}: neither it nor any ancestor defines it."
                )?;
            }
        }
        for loser in &self.losers {
            let candidate = self.label(loser.node);
            let value = &loser.value;
            match loser.reason {
                LossReason::OverriddenBy(by) if by == self.node => write!(
                    f,
                    "\n{candidate} says {value}, but {node} defines its own value."
                )?,
                LossReason::OverriddenBy(by) => write!(
                    f,
                    "\n{candidate} says {value}, but {} redefines it on every path from \
                     {candidate} down to {node}.",
                    self.label(by)
                )?,
                LossReason::LessSpecificThan(by) => write!(
                    f,
                    "\n{candidate} says {value} and that value also reaches {node} directly, \
                     but {} is more specific: it descends from {candidate}.",
                    self.label(by)
                )?,
                LossReason::Conflicting => write!(
                    f,
                    "\n{candidate} says {value}, as specific as another candidate that \
                     disagrees."
                )?,
                LossReason::SameValueAs(winner) => write!(
                    f,
                    "\n{candidate} also says {value}, in agreement with the equally specific {}.",
                    self.label(winner)
                )?,
            }
        }
        Ok(())
    }
}
