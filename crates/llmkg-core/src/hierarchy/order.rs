//! Orders and reachability: topological orders, the resolution order of ancestors, and
//! "is this node an ancestor of that one".

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use super::Hierarchy;
use crate::{CoreError, InheritanceNode, NodeId, Result};

/// Orders not-yet-inserted nodes parents first, ties by smallest id (for `from_nodes`).
pub(super) fn topological_ids(pending: &HashMap<NodeId, InheritanceNode>) -> Result<Vec<NodeId>> {
    let mut waiting_on: HashMap<NodeId, usize> = HashMap::with_capacity(pending.len());
    let mut children_of: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    for node in pending.values() {
        for &parent in &node.parent_ids {
            if parent == node.id {
                return Err(CoreError::Cycle {
                    child: node.id,
                    parent,
                });
            }
            if !pending.contains_key(&parent) {
                return Err(CoreError::UnknownParent {
                    node: node.id,
                    parent,
                });
            }
            children_of.entry(parent).or_default().push(node.id);
        }
        waiting_on.insert(node.id, node.parent_ids.len());
    }
    let mut ready: BinaryHeap<Reverse<NodeId>> = waiting_on
        .iter()
        .filter(|&(_, &count)| count == 0)
        .map(|(&id, _)| Reverse(id))
        .collect();
    let mut order = Vec::with_capacity(pending.len());
    while let Some(Reverse(id)) = ready.pop() {
        order.push(id);
        for child in children_of.get(&id).into_iter().flatten() {
            // Every child was counted in `waiting_on` above.
            if let Some(count) = waiting_on.get_mut(child) {
                *count -= 1;
                if *count == 0 {
                    ready.push(Reverse(*child));
                }
            }
        }
    }
    if order.len() < pending.len() {
        // Whatever is left waits on itself through a loop; name the smallest such edge.
        let stuck = waiting_on
            .iter()
            .filter(|&(_, &count)| count > 0)
            .map(|(&id, _)| id)
            .min();
        if let Some(child) = stuck {
            let parent = pending[&child]
                .parent_ids
                .iter()
                .copied()
                .filter(|parent| waiting_on.get(parent).is_some_and(|&count| count > 0))
                .min()
                .unwrap_or(child);
            return Err(CoreError::Cycle { child, parent });
        }
    }
    Ok(order)
}

impl Hierarchy {
    /// All node indices, parents before children, ties by smallest id.
    pub(super) fn topological_indices(&self) -> Vec<u32> {
        let mut waiting_on: Vec<usize> = self.parents.iter().map(Vec::len).collect();
        let ready: Vec<u32> = (0..self.nodes.len() as u32)
            .filter(|&idx| waiting_on[idx as usize] == 0)
            .collect();
        self.kahn(ready, &mut waiting_on, self.nodes.len())
    }

    /// The proper descendants of `start`, parents before children, ties by smallest id.
    pub(super) fn descendants_topological(&self, start: u32) -> Vec<u32> {
        let mut members: HashSet<u32> = HashSet::new();
        let mut stack = self.children[start as usize].clone();
        while let Some(idx) = stack.pop() {
            if members.insert(idx) {
                stack.extend_from_slice(&self.children[idx as usize]);
            }
        }
        // Count only the parents inside the descendant set (plus `start`, already emitted).
        let mut waiting_on = vec![0usize; self.nodes.len()];
        for &idx in &members {
            waiting_on[idx as usize] = self.parents[idx as usize]
                .iter()
                .filter(|parent| members.contains(parent))
                .count();
        }
        let ready: Vec<u32> = members
            .iter()
            .copied()
            .filter(|&idx| waiting_on[idx as usize] == 0)
            .collect();
        self.kahn(ready, &mut waiting_on, members.len())
    }

    fn kahn(&self, ready: Vec<u32>, waiting_on: &mut [usize], expected: usize) -> Vec<u32> {
        let mut heap: BinaryHeap<Reverse<(NodeId, u32)>> = ready
            .into_iter()
            .map(|idx| Reverse((self.id_of(idx), idx)))
            .collect();
        let mut order = Vec::with_capacity(expected);
        while let Some(Reverse((_, idx))) = heap.pop() {
            order.push(idx);
            for &child in &self.children[idx as usize] {
                let count = &mut waiting_on[child as usize];
                if *count > 0 {
                    *count -= 1;
                    if *count == 0 {
                        heap.push(Reverse((self.id_of(child), child)));
                    }
                }
            }
        }
        order
    }

    /// The proper ancestors of `start` in resolution order (see [`Hierarchy::ancestors`]).
    ///
    /// A left-to-right depth-first walk ranks the ancestors; then a Kahn pass emits, among
    /// the ancestors whose in-set children are all emitted, the one with the smallest rank.
    pub(super) fn linearize(&self, start: u32) -> Vec<u32> {
        let walk = self.depth_first_walk(start);
        let rank: HashMap<u32, usize> = walk
            .iter()
            .enumerate()
            .map(|(position, &idx)| (idx, position))
            .collect();
        let mut waiting_on = vec![0usize; walk.len()];
        for &idx in &walk {
            for parent in &self.parents[idx as usize] {
                waiting_on[rank[parent]] += 1;
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> = BinaryHeap::from([Reverse(0)]);
        let mut order = Vec::with_capacity(walk.len().saturating_sub(1));
        while let Some(Reverse(position)) = ready.pop() {
            let idx = walk[position];
            if idx != start {
                order.push(idx);
            }
            for parent in &self.parents[idx as usize] {
                let parent_rank = rank[parent];
                waiting_on[parent_rank] -= 1;
                if waiting_on[parent_rank] == 0 {
                    ready.push(Reverse(parent_rank));
                }
            }
        }
        order
    }

    /// `start` and its ancestors in left-to-right depth-first preorder over parent lists.
    pub(super) fn depth_first_walk(&self, start: u32) -> Vec<u32> {
        let mut visited: HashSet<u32> = HashSet::new();
        let mut walk = Vec::new();
        let mut stack = vec![start];
        // Marking on pop (not push) and pushing parents reversed gives recursive preorder.
        while let Some(idx) = stack.pop() {
            if !visited.insert(idx) {
                continue;
            }
            walk.push(idx);
            stack.extend(self.parents[idx as usize].iter().rev());
        }
        walk
    }

    /// Whether `ancestor` is a proper ancestor of `descendant`.
    ///
    /// Walks up from `descendant`, skipping any node not deeper than `ancestor`: an
    /// ancestor's longest-path depth is always smaller than its descendants'.
    pub(super) fn is_ancestor(&self, ancestor: u32, descendant: u32) -> bool {
        let target_depth = self.depths[ancestor as usize];
        if target_depth >= self.depths[descendant as usize] {
            return false;
        }
        let mut visited: HashSet<u32> = HashSet::new();
        let mut stack = vec![descendant];
        while let Some(idx) = stack.pop() {
            for &parent in &self.parents[idx as usize] {
                if parent == ancestor {
                    return true;
                }
                if self.depths[parent as usize] > target_depth && visited.insert(parent) {
                    stack.push(parent);
                }
            }
        }
        false
    }
}
