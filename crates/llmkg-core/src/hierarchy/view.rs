//! The lazily built, per-node flattened views that make repeated resolutions cheap.
//!
//! A node's view lists, for every property it can *inherit*, the most specific ancestors
//! that define it (usually one; several only where parents disagree or agree without one
//! being more specific). The node's own values are not in its view, so editing them never
//! invalidates it; its children build theirs from it plus its own values.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use super::Hierarchy;

/// One (property, supplying node) pair; a view is sorted by property, and the candidates
/// of one property appear in the viewing node's resolution order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ViewEntry {
    pub(super) property: u32,
    pub(super) candidate: u32,
}

/// One node's view: a single entry (the common case of one inherited property, as on most of
/// WordNet's nouns) kept inline, which saves a heap block and a cache miss per resolution.
#[derive(Clone, Debug)]
enum View {
    One(ViewEntry),
    Many(Box<[ViewEntry]>),
}

impl View {
    fn from_entries(entries: Vec<ViewEntry>) -> View {
        match entries.as_slice() {
            [entry] => View::One(*entry),
            _ => View::Many(entries.into_boxed_slice()),
        }
    }

    fn entries(&self) -> &[ViewEntry] {
        match self {
            View::One(entry) => std::slice::from_ref(entry),
            View::Many(entries) => entries,
        }
    }
}

/// How full the view cache is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewCacheStatistics {
    /// Nodes whose flattened view is currently cached.
    pub cached_views: usize,
    /// Views built since the hierarchy was created (each cache miss on a node builds one).
    pub views_built: u64,
    /// Bytes of the cached views' entries (inline or on the heap).
    pub view_bytes: usize,
}

/// The views, indexed by node index, each set once so `resolve` can fill them through `&self`.
///
/// A cached view is read with one atomic load and no lock; building takes `building`, so two
/// threads never build the same view twice, and a view, once set, never changes until `&mut`
/// invalidation drops it.
///
/// Invariant: if a node's view is cached, so are the views of all its ancestors (building
/// one builds its uncached ancestors first, and invalidation removes whole descendant sets).
#[derive(Debug, Default)]
pub(super) struct ViewCache {
    views: Vec<OnceLock<View>>,
    building: Mutex<()>,
    views_built: AtomicU64,
}

impl Clone for ViewCache {
    fn clone(&self) -> Self {
        ViewCache {
            views: self.views.clone(),
            building: Mutex::new(()),
            views_built: AtomicU64::new(self.views_built.load(Ordering::Relaxed)),
        }
    }
}

impl ViewCache {
    pub(super) fn push_uncached(&mut self) {
        self.views.push(OnceLock::new());
    }

    pub(super) fn is_cached(&self, idx: u32) -> bool {
        self.views[idx as usize].get().is_some()
    }

    fn get(&self, idx: u32) -> Option<&[ViewEntry]> {
        self.views[idx as usize].get().map(View::entries)
    }

    pub(super) fn stats(&self) -> ViewCacheStatistics {
        let cached = self.views.iter().filter_map(OnceLock::get);
        ViewCacheStatistics {
            cached_views: cached.clone().count(),
            views_built: self.views_built.load(Ordering::Relaxed),
            view_bytes: cached
                .map(|view| std::mem::size_of_val::<[ViewEntry]>(view.entries()))
                .sum(),
        }
    }

    /// Drops the views of `starts` and of all their descendants.
    pub(super) fn invalidate_from(&mut self, starts: &[u32], children: &[Vec<u32>]) {
        let views = &mut self.views;
        let mut stack = starts.to_vec();
        while let Some(idx) = stack.pop() {
            // By the invariant, an uncached node has no cached descendants: stop there.
            if views[idx as usize].take().is_some() {
                stack.extend_from_slice(&children[idx as usize]);
            }
        }
    }
}

impl Hierarchy {
    /// Runs `read` on the candidates `idx` inherits for `property_id`, building views as needed.
    pub(super) fn with_candidates<R>(
        &self,
        idx: u32,
        property_id: u32,
        read: impl FnOnce(&[ViewEntry]) -> R,
    ) -> R {
        self.with_view(idx, |view| read(candidates_in(view, property_id)))
    }

    /// Runs `read` on `idx`'s whole view, building it (and its ancestors' views) if needed.
    pub(super) fn with_view<R>(&self, idx: u32, read: impl FnOnce(&[ViewEntry]) -> R) -> R {
        if let Some(view) = self.views.get(idx) {
            return read(view);
        }
        {
            let _building = self.views.building.lock();
            self.build_views(idx);
        }
        // `build_views` just filled this slot (or another thread did before we locked).
        read(self.views.get(idx).unwrap_or(&[]))
    }

    /// Builds the views of `target` and its uncached ancestors, ancestors first, without
    /// recursion. The caller holds the `building` lock.
    fn build_views(&self, target: u32) {
        let views = &self.views.views;
        let mut stack = vec![(target, false)];
        while let Some((idx, parents_ready)) = stack.pop() {
            if views[idx as usize].get().is_some() {
                continue;
            }
            if parents_ready {
                let view = self.build_view(idx);
                // Only builders set views, and they hold the lock: the slot is still empty.
                let _ = views[idx as usize].set(view);
                self.views.views_built.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            stack.push((idx, true));
            for &parent in &self.parents[idx as usize] {
                if views[parent as usize].get().is_none() {
                    stack.push((parent, false));
                }
            }
        }
    }

    /// Builds one view from the parents' (already built) views and the parents' own values.
    fn build_view(&self, idx: u32) -> View {
        let parents = &self.parents[idx as usize];
        let mut entries = Vec::new();
        for &parent in parents {
            self.contribute(parent, &mut entries);
        }
        if parents.len() <= 1 {
            // A single parent's contribution is already sorted, and its candidate order is
            // the child's resolution order too (the child's order is the parent followed by
            // the parent's order).
            return View::from_entries(entries);
        }
        // Stable, so each parent's candidates keep their relative order before regrouping.
        entries.sort_by_key(|entry| entry.property);
        let mut resolution_rank: Option<HashMap<u32, usize>> = None;
        let mut merged = Vec::with_capacity(entries.len());
        for group in entries.chunk_by(|left, right| left.property == right.property) {
            if group.len() == 1 {
                merged.push(group[0]);
                continue;
            }
            let mut candidates = distinct_candidates(group);
            if candidates.len() > 1 {
                self.keep_most_specific(&mut candidates);
            }
            if candidates.len() > 1 {
                let rank = resolution_rank.get_or_insert_with(|| {
                    self.linearize(idx)
                        .into_iter()
                        .enumerate()
                        .map(|(position, ancestor)| (ancestor, position))
                        .collect()
                });
                candidates.sort_by_key(|candidate| rank.get(candidate).copied());
            }
            let property = group[0].property;
            merged.extend(candidates.into_iter().map(|candidate| ViewEntry {
                property,
                candidate,
            }));
        }
        View::from_entries(merged)
    }

    /// Drops every candidate that is a proper ancestor of another one (a more specific
    /// candidate beats it), keeping the order of the rest.
    ///
    /// One walk up from all candidates at once, each ancestor visited once and none above the
    /// shallowest candidate: O(ancestors + their parent edges) for any number of candidates,
    /// where comparing every pair cost a walk per pair (a node with thousands of disagreeing
    /// parents took seconds).
    fn keep_most_specific(&self, candidates: &mut Vec<u32>) {
        let shallowest = candidates
            .iter()
            .map(|&candidate| self.depths[candidate as usize])
            .min()
            .unwrap_or(0);
        let members: HashSet<u32> = candidates.iter().copied().collect();
        let mut visited: HashSet<u32> = HashSet::new();
        let mut dominated: HashSet<u32> = HashSet::new();
        let mut stack = candidates.clone();
        while let Some(idx) = stack.pop() {
            for &parent in &self.parents[idx as usize] {
                // Ancestors are shallower than their descendants: nothing above a node
                // shallower than every candidate can be a candidate.
                if self.depths[parent as usize] < shallowest || !visited.insert(parent) {
                    continue;
                }
                if members.contains(&parent) {
                    dominated.insert(parent);
                }
                stack.push(parent);
            }
        }
        if !dominated.is_empty() {
            candidates.retain(|candidate| !dominated.contains(candidate));
        }
    }

    /// Appends what `parent` passes down: its own values, then what it inherits and does not
    /// override, sorted by property.
    fn contribute(&self, parent: u32, out: &mut Vec<ViewEntry>) {
        let own = &self.local_property_ids[parent as usize];
        // The parent's view was built before this node's (see `build_views`).
        let inherited: &[ViewEntry] = self.views.get(parent).unwrap_or(&[]);
        let mut own_position = 0;
        let mut inherited_position = 0;
        while own_position < own.len() || inherited_position < inherited.len() {
            let next_own = own.get(own_position).copied();
            let next_inherited = inherited
                .get(inherited_position)
                .map(|entry| entry.property);
            match (next_own, next_inherited) {
                (Some(property), Some(inherited_property)) if property == inherited_property => {
                    out.push(ViewEntry {
                        property,
                        candidate: parent,
                    });
                    own_position += 1;
                    while inherited
                        .get(inherited_position)
                        .is_some_and(|entry| entry.property == property)
                    {
                        inherited_position += 1;
                    }
                }
                (Some(property), next_inherited)
                    if next_inherited
                        .is_none_or(|inherited_property| property < inherited_property) =>
                {
                    out.push(ViewEntry {
                        property,
                        candidate: parent,
                    });
                    own_position += 1;
                }
                _ => {
                    out.push(inherited[inherited_position]);
                    inherited_position += 1;
                }
            }
        }
    }
}

/// The slice of `view` holding `property_id`'s candidates (empty if it has none).
/// The distinct candidates of one property's entries, in order of first appearance
/// (O(entries), hashing only when there are many).
fn distinct_candidates(group: &[ViewEntry]) -> Vec<u32> {
    let mut candidates: Vec<u32> = Vec::with_capacity(group.len());
    if group.len() <= 8 {
        for entry in group {
            if !candidates.contains(&entry.candidate) {
                candidates.push(entry.candidate);
            }
        }
    } else {
        let mut seen: HashSet<u32> = HashSet::with_capacity(group.len());
        candidates.extend(
            group
                .iter()
                .map(|entry| entry.candidate)
                .filter(|&candidate| seen.insert(candidate)),
        );
    }
    candidates
}

pub(super) fn candidates_in(view: &[ViewEntry], property_id: u32) -> &[ViewEntry] {
    let start = view.partition_point(|entry| entry.property < property_id);
    let end = start + view[start..].partition_point(|entry| entry.property == property_id);
    &view[start..end]
}
