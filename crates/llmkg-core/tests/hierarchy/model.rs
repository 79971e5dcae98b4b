//! Property tests: resolution against a naive reference on random DAGs, cache coherence
//! under random edits, and independence from insertion order.

use std::collections::{BTreeSet, HashMap};

use llmkg_core::{Hierarchy, InheritanceNode, NodeId, PropertyValue, Resolution};
use proptest::prelude::*;

const PROPERTIES: [&str; 3] = ["p", "q", "r"];

/// A random DAG: node `i` may only have parents among nodes `0..i`.
#[derive(Clone, Debug)]
struct Spec {
    /// Node `i`'s id; shuffled so that id order differs from insertion order.
    ids: Vec<NodeId>,
    /// Node `i`'s parents as indices below `i`, in declared order.
    parents: Vec<Vec<usize>>,
    /// Node `i`'s value of each property, if it defines one.
    values: Vec<[Option<i64>; 3]>,
}

fn spec_strategy() -> impl Strategy<Value = Spec> {
    (1usize..18)
        .prop_flat_map(|n_nodes| {
            let nodes = proptest::collection::vec(
                (
                    proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
                    proptest::array::uniform3(proptest::option::weighted(0.35, 0i64..3)),
                ),
                n_nodes,
            );
            (nodes, Just(n_nodes).prop_shuffle_ids())
        })
        .prop_map(|(nodes, ids)| {
            let mut parents = Vec::new();
            let mut values = Vec::new();
            for (node_idx, (parent_picks, node_values)) in nodes.into_iter().enumerate() {
                let mut chosen: Vec<usize> = Vec::new();
                if node_idx > 0 {
                    for pick in parent_picks {
                        let parent = pick.index(node_idx);
                        if !chosen.contains(&parent) {
                            chosen.push(parent);
                        }
                    }
                }
                parents.push(chosen);
                values.push(node_values);
            }
            Spec {
                ids,
                parents,
                values,
            }
        })
}

trait ShuffleIds {
    fn prop_shuffle_ids(self) -> BoxedStrategy<Vec<NodeId>>;
}

impl ShuffleIds for Just<usize> {
    fn prop_shuffle_ids(self) -> BoxedStrategy<Vec<NodeId>> {
        let n_nodes = self.0;
        Just(
            (0..n_nodes as u64)
                .map(|raw| NodeId(raw * 3 + 100))
                .collect::<Vec<_>>(),
        )
        .prop_shuffle()
        .boxed()
    }
}

impl Spec {
    fn node(&self, node_idx: usize) -> InheritanceNode {
        let mut node = InheritanceNode::new(self.ids[node_idx], &format!("n{node_idx}"));
        for &parent in &self.parents[node_idx] {
            node = node.with_parent(self.ids[parent]);
        }
        for (property, value) in PROPERTIES.iter().zip(self.values[node_idx]) {
            if let Some(value) = value {
                node = node.with_property(property, value);
            }
        }
        node
    }

    fn build(&self, order: impl IntoIterator<Item = usize>) -> Hierarchy {
        let mut hierarchy = Hierarchy::new();
        for node_idx in order {
            hierarchy
                .insert(self.node(node_idx))
                .expect("parents come first");
        }
        hierarchy
    }

    /// Proper ancestors by plain depth-first search.
    fn ancestors(&self, node_idx: usize) -> BTreeSet<usize> {
        let mut found = BTreeSet::new();
        let mut stack = self.parents[node_idx].clone();
        while let Some(ancestor) = stack.pop() {
            if found.insert(ancestor) {
                stack.extend_from_slice(&self.parents[ancestor]);
            }
        }
        found
    }

    fn longest_depth(&self, node_idx: usize) -> usize {
        self.parents[node_idx]
            .iter()
            .map(|&parent| self.longest_depth(parent) + 1)
            .max()
            .unwrap_or(0)
    }
}

/// The reference: keep the defining ancestors that no other defining ancestor descends from.
fn check_against_model(spec: &Spec, hierarchy: &Hierarchy) -> Result<(), TestCaseError> {
    let index_of: HashMap<NodeId, usize> = spec
        .ids
        .iter()
        .enumerate()
        .map(|(idx, &id)| (id, idx))
        .collect();
    for node_idx in 0..spec.ids.len() {
        let id = spec.ids[node_idx];
        let ancestors = spec.ancestors(node_idx);
        let order = hierarchy.ancestors(id).unwrap();
        let order_idx: Vec<usize> = order.iter().map(|ancestor| index_of[ancestor]).collect();
        prop_assert_eq!(
            order_idx.iter().copied().collect::<BTreeSet<_>>(),
            ancestors.clone()
        );
        prop_assert_eq!(order_idx.len(), ancestors.len());
        for (position, &ancestor) in order_idx.iter().enumerate() {
            let its_ancestors = spec.ancestors(ancestor);
            prop_assert!(
                order_idx[..position]
                    .iter()
                    .all(|earlier| !its_ancestors.contains(earlier)),
                "an ancestor of {} is listed before it",
                ancestor
            );
        }
        prop_assert_eq!(hierarchy.depth(id).unwrap(), spec.longest_depth(node_idx));

        for (property_idx, property) in PROPERTIES.iter().enumerate() {
            let resolution = hierarchy.resolve(id, property).unwrap();
            if let Some(own) = spec.values[node_idx][property_idx] {
                prop_assert_eq!(resolution, Resolution::Own(own.into()));
                continue;
            }
            let candidates: Vec<usize> = ancestors
                .iter()
                .copied()
                .filter(|&ancestor| spec.values[ancestor][property_idx].is_some())
                .collect();
            let most_specific: BTreeSet<usize> = candidates
                .iter()
                .copied()
                .filter(|&candidate| {
                    !candidates
                        .iter()
                        .any(|&other| spec.ancestors(other).contains(&candidate))
                })
                .collect();
            let value_of = |candidate: usize| -> PropertyValue {
                spec.values[candidate][property_idx]
                    .expect("candidates define it")
                    .into()
            };
            let first_in_order = order_idx
                .iter()
                .copied()
                .find(|idx| most_specific.contains(idx));
            let distinct: BTreeSet<i64> = most_specific
                .iter()
                .map(|&candidate| spec.values[candidate][property_idx].expect("defined"))
                .collect();
            match resolution {
                Resolution::Undefined => prop_assert!(most_specific.is_empty()),
                Resolution::Inherited { value, from } => {
                    prop_assert_eq!(distinct.len(), 1);
                    prop_assert_eq!(Some(index_of[&from]), first_in_order);
                    prop_assert_eq!(value, value_of(index_of[&from]));
                }
                Resolution::Conflict {
                    candidates: reported,
                    default_pick,
                } => {
                    prop_assert!(distinct.len() > 1);
                    let reported_idx: Vec<usize> =
                        reported.iter().map(|(id, _)| index_of[id]).collect();
                    prop_assert_eq!(
                        reported_idx.iter().copied().collect::<BTreeSet<_>>(),
                        most_specific.clone()
                    );
                    let expected_order: Vec<usize> = order_idx
                        .iter()
                        .copied()
                        .filter(|idx| most_specific.contains(idx))
                        .collect();
                    prop_assert_eq!(&reported_idx, &expected_order);
                    for (id, value) in &reported {
                        prop_assert_eq!(value, &value_of(index_of[id]));
                    }
                    prop_assert_eq!(&default_pick, &reported[0]);
                }
                Resolution::Own(_) => prop_assert!(false, "no own value expected"),
            }
        }
        let inherited = hierarchy.inherited_properties(id).unwrap();
        for property in PROPERTIES {
            let expected = {
                let mut without_own = spec.clone();
                without_own.values[node_idx] = [None; 3];
                without_own
                    .build(0..spec.ids.len())
                    .resolve(id, property)
                    .unwrap()
                    .into_value()
            };
            prop_assert_eq!(inherited.get(property).cloned(), expected);
        }
    }
    Ok(())
}

#[derive(Clone, Debug)]
enum Edit {
    Set(prop::sample::Index, usize, i64),
    Remove(prop::sample::Index, usize),
    AddParent(prop::sample::Index, prop::sample::Index),
    Resolve(prop::sample::Index),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), 0usize..3, 0i64..3).prop_map(|(n, p, v)| Edit::Set(n, p, v)),
        (any::<prop::sample::Index>(), 0usize..3).prop_map(|(n, p)| Edit::Remove(n, p)),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(c, p)| Edit::AddParent(c, p)),
        any::<prop::sample::Index>().prop_map(Edit::Resolve),
    ]
}

fn all_resolutions(hierarchy: &Hierarchy) -> Vec<(NodeId, &'static str, Resolution)> {
    let mut all = Vec::new();
    for id in hierarchy.nodes_topological() {
        for property in PROPERTIES {
            all.push((id, property, hierarchy.resolve(id, property).unwrap()));
        }
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn resolution_matches_the_naive_reference(spec in spec_strategy()) {
        let hierarchy = spec.build(0..spec.ids.len());
        check_against_model(&spec, &hierarchy)?;
    }

    #[test]
    fn results_do_not_depend_on_insertion_order(spec in spec_strategy()) {
        let forward = spec.build(0..spec.ids.len());
        // Another valid order: repeatedly insert the largest-index node whose parents are in.
        let mut inserted = vec![false; spec.ids.len()];
        let mut order = Vec::new();
        while order.len() < spec.ids.len() {
            let next = (0..spec.ids.len())
                .rev()
                .find(|&idx| !inserted[idx] && spec.parents[idx].iter().all(|&p| inserted[p]))
                .expect("a DAG always has a ready node");
            inserted[next] = true;
            order.push(next);
        }
        let backward = spec.build(order);
        prop_assert_eq!(forward.nodes_topological(), backward.nodes_topological());
        prop_assert_eq!(all_resolutions(&forward), all_resolutions(&backward));
        for id in forward.nodes_topological() {
            prop_assert_eq!(forward.ancestors(id).unwrap(), backward.ancestors(id).unwrap());
            prop_assert_eq!(forward.descendants(id).unwrap(), backward.descendants(id).unwrap());
        }
    }

    #[test]
    fn cached_views_stay_coherent_under_edits(
        spec in spec_strategy(),
        edits in proptest::collection::vec(edit_strategy(), 1..24),
    ) {
        let mut hierarchy = spec.build(0..spec.ids.len());
        let ids = &spec.ids;
        for edit in edits {
            let before = all_resolutions(&hierarchy);
            let outcome = match edit {
                Edit::Set(node, property, value) => hierarchy
                    .set_property(ids[node.index(ids.len())], PROPERTIES[property], value.into())
                    .map(drop),
                Edit::Remove(node, property) => hierarchy
                    .remove_property(ids[node.index(ids.len())], PROPERTIES[property])
                    .map(drop),
                Edit::AddParent(child, parent) => hierarchy
                    .add_parent(ids[child.index(ids.len())], ids[parent.index(ids.len())]),
                Edit::Resolve(node) => hierarchy
                    .resolve(ids[node.index(ids.len())], "p")
                    .map(drop),
            };
            if outcome.is_err() {
                prop_assert_eq!(all_resolutions(&hierarchy), before);
            }
            // A fresh hierarchy built from the same nodes has no cache: it must agree.
            let fresh = Hierarchy::from_nodes(hierarchy.nodes().cloned()).unwrap();
            prop_assert_eq!(all_resolutions(&hierarchy), all_resolutions(&fresh));
            for id in hierarchy.nodes_topological() {
                prop_assert_eq!(hierarchy.depth(id).unwrap(), fresh.depth(id).unwrap());
                prop_assert_eq!(
                    hierarchy.inherited_properties(id).unwrap(),
                    fresh.inherited_properties(id).unwrap()
                );
            }
        }
    }
}
