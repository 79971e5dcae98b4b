//! The lazily built, per-node flattened views that make repeated resolutions cheap.
//!
//! A node's view lists, for every property it can *inherit*, the most specific ancestors
//! that define it (usually one; several only where parents disagree or agree without one
//! being more specific). The node's own values are not in its view, so editing them never
//! invalidates it; its children build theirs from it plus its own values.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::RwLock;

use super::Hierarchy;

/// One (property, supplying node) pair; a view is sorted by property, and the candidates
/// of one property appear in the viewing node's resolution order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ViewEntry {
    pub(super) property: u32,
    pub(super) candidate: u32,
}

type View = Box<[ViewEntry]>;

/// How full the view cache is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewCacheStatistics {
    /// Nodes whose flattened view is currently cached.
    pub cached_views: usize,
    /// Views built since the hierarchy was created (each cache miss on a node builds one).
    pub views_built: u64,
    /// Heap bytes held by the cached views' entries.
    pub view_bytes: usize,
}

/// The views, indexed by node index, behind a lock so `resolve` can fill them through `&self`.
///
/// Invariant: if a node's view is cached, so are the views of all its ancestors (building
/// one builds its uncached ancestors first, and invalidation removes whole descendant sets).
#[derive(Debug, Default)]
pub(super) struct ViewCache {
    views: RwLock<Vec<Option<View>>>,
    views_built: AtomicU64,
}

impl Clone for ViewCache {
    fn clone(&self) -> Self {
        ViewCache {
            views: RwLock::new(self.views.read().clone()),
            views_built: AtomicU64::new(self.views_built.load(Ordering::Relaxed)),
        }
    }
}

impl ViewCache {
    pub(super) fn push_uncached(&mut self) {
        self.views.get_mut().push(None);
    }

    pub(super) fn is_cached(&self, idx: u32) -> bool {
        self.views.read()[idx as usize].is_some()
    }

    pub(super) fn stats(&self) -> ViewCacheStatistics {
        let views = self.views.read();
        let cached = views.iter().flatten();
        ViewCacheStatistics {
            cached_views: cached.clone().count(),
            views_built: self.views_built.load(Ordering::Relaxed),
            view_bytes: cached
                .map(|view| std::mem::size_of_val::<[ViewEntry]>(view))
                .sum(),
        }
    }

    /// Drops the views of `starts` and of all their descendants.
    pub(super) fn invalidate_from(&mut self, starts: &[u32], children: &[Vec<u32>]) {
        let views = self.views.get_mut();
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
        {
            let views = self.views.views.read();
            if let Some(view) = &views[idx as usize] {
                return read(view);
            }
        }
        let mut views = self.views.views.write();
        self.build_views(&mut views, idx);
        // `build_views` just filled this slot (or another thread did before we locked).
        let view = views[idx as usize].as_deref().unwrap_or(&[]);
        read(view)
    }

    /// Builds the views of `target` and its uncached ancestors, ancestors first, without recursion.
    fn build_views(&self, views: &mut [Option<View>], target: u32) {
        let mut stack = vec![(target, false)];
        while let Some((idx, parents_ready)) = stack.pop() {
            if views[idx as usize].is_some() {
                continue;
            }
            if parents_ready {
                let view = self.build_view(views, idx);
                views[idx as usize] = Some(view);
                self.views.views_built.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            stack.push((idx, true));
            for &parent in &self.parents[idx as usize] {
                if views[parent as usize].is_none() {
                    stack.push((parent, false));
                }
            }
        }
    }

    /// Builds one view from the parents' (already built) views and the parents' own values.
    fn build_view(&self, views: &[Option<View>], idx: u32) -> View {
        let parents = &self.parents[idx as usize];
        let mut entries = Vec::new();
        for &parent in parents {
            self.contribute(views, parent, &mut entries);
        }
        if parents.len() <= 1 {
            // A single parent's contribution is already sorted, and its candidate order is
            // the child's resolution order too (the child's order is the parent followed by
            // the parent's order).
            return entries.into_boxed_slice();
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
            let mut candidates: Vec<u32> = Vec::with_capacity(group.len());
            for entry in group {
                if !candidates.contains(&entry.candidate) {
                    candidates.push(entry.candidate);
                }
            }
            if candidates.len() > 1 {
                let dominated: Vec<bool> = candidates
                    .iter()
                    .map(|&candidate| {
                        candidates
                            .iter()
                            .any(|&other| self.is_ancestor(candidate, other))
                    })
                    .collect();
                let mut keep = dominated.iter().map(|is_dominated| !is_dominated);
                candidates.retain(|_| keep.next().unwrap_or(true));
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
        merged.into_boxed_slice()
    }

    /// Appends what `parent` passes down: its own values, then what it inherits and does not
    /// override, sorted by property.
    fn contribute(&self, views: &[Option<View>], parent: u32, out: &mut Vec<ViewEntry>) {
        let own = &self.local_property_ids[parent as usize];
        // The parent's view was built before this node's (see `build_views`).
        let inherited: &[ViewEntry] = views[parent as usize].as_deref().unwrap_or(&[]);
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
pub(super) fn candidates_in(view: &[ViewEntry], property_id: u32) -> &[ViewEntry] {
    let start = view.partition_point(|entry| entry.property < property_id);
    let end = start + view[start..].partition_point(|entry| entry.property == property_id);
    &view[start..end]
}
