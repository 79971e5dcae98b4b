//! Learned patterns: counts of one kind of override of one property, with the node types
//! and reasons seen for it, used to explain and to support predictions.

mod frequent;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use llmkg_core::PropertyValue;
use llmkg_exception::{ChangeKind, identifier_tokens, property_hash};
use serde::{Deserialize, Serialize};

use self::frequent::{FrequentItems, MAX_COUNT};
use crate::context::ExceptionContext;
use crate::hash::{change_code, change_code_of, token_hash};

/// How many reasons, node types and node-type tokens a pattern remembers (the most
/// frequent ones, by the Space-Saving algorithm).
const MAX_REASONS: usize = 4;
const MAX_NODE_TYPES: usize = 4;
const MAX_NODE_TOKENS: usize = 8;
/// How many node-type tokens a pattern holds without an allocation (most types have fewer).
const INLINE_NODE_TOKENS: usize = 3;
/// The namespace of node-type tokens in pattern tables (not a feature namespace).
const PATTERN_NODE_TOKEN: u64 = 0x7061_7474;
/// At most this many tokens of a name are compared when matching.
const MAX_MATCH_TOKENS: usize = 8;
/// A pattern seen on at least this many distinct node types is general: it suggests a
/// reason for its exact property and change on any node type, shared tokens or not.
const MIN_NODE_TYPES_OF_A_GENERAL_PATTERN: usize = 3;

/// A learned pattern as it matches a context: one kind of override of one property.
///
/// Returned by [`PatternLearner::best_matching_patterns`](crate::PatternLearner::best_matching_patterns).
#[derive(Clone, Debug, PartialEq)]
pub struct PatternMatch {
    /// The property the pattern is about.
    pub property_name: String,
    /// The inherited value of the first example of the pattern.
    pub inherited_value: PropertyValue,
    /// The overriding value of the first example of the pattern.
    pub actual_value: PropertyValue,
    /// How many exceptions (and positive feedbacks) the pattern was seen in.
    pub support: u64,
    /// How many times feedback called an example of the pattern wrong.
    pub rejections: u64,
    /// How well the pattern fits the context, in `[0, 1]`: half for the property name, a
    /// quarter for the kind of change, a quarter for the shared node-type tokens.
    pub similarity: f32,
    /// The node type seen most often in the pattern's examples.
    pub typical_node_type: Option<String>,
    /// The reason a user gave as better, else the reason of a clear majority of examples.
    pub reason: Option<String>,
}

/// Counts of one kind of override of one property.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Pattern {
    property_name: String,
    inherited_value: PropertyValue,
    actual_value: PropertyValue,
    support: u64,
    rejections: u64,
    reasons: FrequentItems<0>,
    node_types: FrequentItems<1>,
    node_tokens: FrequentItems<INLINE_NODE_TOKENS>,
    preferred_reason: Option<String>,
}

impl Pattern {
    fn key(&self) -> (u64, u64) {
        (
            property_hash(&self.property_name),
            change_code_of(&self.inherited_value, &self.actual_value),
        )
    }

    /// The preferred reason, else the reason at least half of the examples give (counting
    /// only occurrences Space-Saving guarantees).
    pub(crate) fn reason(&self) -> Option<&str> {
        if let Some(reason) = &self.preferred_reason {
            return Some(reason);
        }
        let top = self.reasons.top()?;
        (top.guaranteed_count() * 2 >= self.support.max(1)).then_some(top.text.as_str())
    }

    fn similarity(&self, context: &ExceptionContext, context_change: u64) -> f32 {
        let property_similarity = if self.property_name == context.property_name {
            1.0
        } else {
            token_overlap(&self.property_name, &context.property_name)
        };
        let own_change = change_code_of(&self.inherited_value, &self.actual_value);
        let transition_similarity = if own_change == context_change {
            1.0
        } else if self.inherited_value.type_name() == context.inherited_value.type_name()
            && self.actual_value.type_name() == context.actual_value.type_name()
        {
            0.5
        } else {
            0.0
        };
        let mut n_tokens = 0;
        let mut n_shared = 0;
        for token in identifier_tokens(&context.node_type).take(MAX_MATCH_TOKENS) {
            n_tokens += 1;
            if self
                .node_tokens
                .contains(token_hash(PATTERN_NODE_TOKEN, token))
            {
                n_shared += 1;
            }
        }
        let node_similarity = if n_tokens == 0 {
            0.0
        } else {
            n_shared as f32 / n_tokens as f32
        };
        0.5 * property_similarity + 0.25 * transition_similarity + 0.25 * node_similarity
    }

    fn to_match(&self, similarity: f32) -> PatternMatch {
        PatternMatch {
            property_name: self.property_name.clone(),
            inherited_value: self.inherited_value.clone(),
            actual_value: self.actual_value.clone(),
            support: self.support,
            rejections: self.rejections,
            similarity,
            typical_node_type: self.node_types.top().map(|entry| entry.text.clone()),
            reason: self.reason().map(str::to_owned),
        }
    }
}

/// The share of the longer name's tokens that the other name has too.
fn token_overlap(first: &str, second: &str) -> f32 {
    let mut first_hashes = [0_u64; MAX_MATCH_TOKENS];
    let mut n_first = 0;
    for token in identifier_tokens(first).take(MAX_MATCH_TOKENS) {
        first_hashes[n_first] = token_hash(0, token);
        n_first += 1;
    }
    let mut n_second = 0;
    let mut n_shared = 0;
    for token in identifier_tokens(second).take(MAX_MATCH_TOKENS) {
        n_second += 1;
        if first_hashes[..n_first].contains(&token_hash(0, token)) {
            n_shared += 1;
        }
    }
    let longest = n_first.max(n_second);
    if longest == 0 {
        0.0
    } else {
        n_shared as f32 / longest as f32
    }
}

/// A node type's hashes as [`PatternTable::record_positive`] counts them: the type's own
/// and its first tokens', computed once for all of a node's exceptions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PatternNodeHashes {
    type_hash: u64,
    tokens: [u64; MAX_MATCH_TOKENS],
    len: usize,
}

impl PatternNodeHashes {
    pub(crate) fn new(node_type: &str) -> Self {
        let mut hashes = PatternNodeHashes {
            type_hash: property_hash(node_type),
            tokens: [0; MAX_MATCH_TOKENS],
            len: 0,
        };
        for token in identifier_tokens(node_type).take(MAX_MATCH_TOKENS) {
            hashes.tokens[hashes.len] = token_hash(PATTERN_NODE_TOKEN, token);
            hashes.len += 1;
        }
        hashes
    }

    fn tokens(&self) -> &[u64] {
        &self.tokens[..self.len]
    }
}

/// Hashes a key that is already made of well-mixed hashes (an XXH3 and a small code) with
/// one multiply-rotate per word: SipHash's protection against chosen keys buys nothing
/// here and costs a large share of a learn call.
#[derive(Clone, Copy, Debug, Default)]
struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0 ^ value)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

type PatternIndex = HashMap<(u64, u64), usize, BuildHasherDefault<PrehashedHasher>>;

/// All patterns, indexed by (property hash, change code).
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct PatternTable {
    patterns: Vec<Pattern>,
    index: PatternIndex,
    /// Patterns not created because the table was full.
    pub(crate) dropped: u64,
}

impl PatternTable {
    /// Rebuilds a table from saved patterns; `None` if two patterns share a key or one
    /// has an empty property name, inconsistent counts or more tracked items than learning
    /// keeps.
    pub(crate) fn from_patterns(patterns: Vec<Pattern>, dropped: u64) -> Option<Self> {
        let mut index = PatternIndex::with_capacity_and_hasher(patterns.len(), Default::default());
        for (position, pattern) in patterns.iter().enumerate() {
            let consistent = !pattern.property_name.is_empty()
                && pattern.support <= MAX_COUNT
                && pattern.rejections <= MAX_COUNT
                && pattern.reasons.is_consistent()
                && pattern.node_types.is_consistent()
                && pattern.node_tokens.is_consistent()
                // More entries than an insert ever keeps would make every later insert on
                // the pattern scan them all.
                && pattern.reasons.len() <= MAX_REASONS
                && pattern.node_types.len() <= MAX_NODE_TYPES
                && pattern.node_tokens.len() <= MAX_NODE_TOKENS;
            if !consistent || index.insert(pattern.key(), position).is_some() {
                return None;
            }
        }
        Some(PatternTable {
            patterns,
            index,
            dropped,
        })
    }

    pub(crate) fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    pub(crate) fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Room for `additional` more patterns in the list and the index.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.patterns.reserve(additional);
        self.index.reserve(additional);
    }

    /// The key of `context`'s pattern; `change` is its change code when the caller knows it.
    fn key(context: &ExceptionContext, change: Option<u64>) -> (u64, u64) {
        (
            property_hash(&context.property_name),
            change
                .unwrap_or_else(|| change_code_of(&context.inherited_value, &context.actual_value)),
        )
    }

    /// The pattern of exactly this property and kind of change.
    fn find(&self, context: &ExceptionContext) -> Option<&Pattern> {
        let position = *self.index.get(&Self::key(context, None))?;
        self.patterns.get(position)
    }

    /// The pattern of exactly `property` changing by `kind`, if it is supported more often
    /// than rejected.
    pub(crate) fn find_supported(&self, property: &str, kind: ChangeKind) -> Option<&Pattern> {
        let key = (property_hash(property), change_code(kind));
        let pattern = self.patterns.get(*self.index.get(&key)?)?;
        (pattern.support > pattern.rejections).then_some(pattern)
    }

    /// The exact pattern of `context` as a match, when it is general: seen on at least
    /// [`MIN_NODE_TYPES_OF_A_GENERAL_PATTERN`] distinct node types.
    pub(crate) fn general_match(&self, context: &ExceptionContext) -> Option<PatternMatch> {
        let pattern = self.find(context)?;
        if pattern.node_types.len() < MIN_NODE_TYPES_OF_A_GENERAL_PATTERN {
            return None;
        }
        let change = change_code_of(&context.inherited_value, &context.actual_value);
        Some(pattern.to_match(pattern.similarity(context, change)))
    }

    fn find_or_create(
        &mut self,
        context: &ExceptionContext,
        change: Option<u64>,
        capacity: usize,
    ) -> Option<&mut Pattern> {
        let key = Self::key(context, change);
        let position = match self.index.get(&key) {
            Some(&position) => position,
            None if self.patterns.len() >= capacity => {
                self.dropped = self.dropped.saturating_add(1);
                return None;
            }
            None => {
                self.patterns.push(Pattern {
                    property_name: context.property_name.clone(),
                    inherited_value: context.inherited_value.clone(),
                    actual_value: context.actual_value.clone(),
                    support: 0,
                    rejections: 0,
                    reasons: FrequentItems::default(),
                    node_types: FrequentItems::default(),
                    node_tokens: FrequentItems::default(),
                    preferred_reason: None,
                });
                self.index.insert(key, self.patterns.len() - 1);
                self.patterns.len() - 1
            }
        };
        self.patterns.get_mut(position)
    }

    /// Counts one positive example, with its reason if it has one.
    pub(crate) fn record_positive(
        &mut self,
        context: &ExceptionContext,
        reason: Option<&str>,
        capacity: usize,
    ) {
        self.record_positive_hashed(context, None, reason, capacity, None);
    }

    /// [`record_positive`](Self::record_positive) with the node type's hashes given, when
    /// `node` is [`PatternNodeHashes::new`] of `context.node_type`, and the change code when
    /// `change` is that of `context`.
    pub(crate) fn record_positive_hashed(
        &mut self,
        context: &ExceptionContext,
        change: Option<u64>,
        reason: Option<&str>,
        capacity: usize,
        node: Option<&PatternNodeHashes>,
    ) {
        let computed;
        let node = match node {
            Some(node) => node,
            None => {
                computed = PatternNodeHashes::new(&context.node_type);
                &computed
            }
        };
        let Some(pattern) = self.find_or_create(context, change, capacity) else {
            return;
        };
        pattern.support = pattern.support.saturating_add(1).min(MAX_COUNT);
        if let Some(reason) = reason.filter(|reason| !reason.trim().is_empty()) {
            pattern
                .reasons
                .insert(property_hash(reason), reason, MAX_REASONS);
        }
        pattern
            .node_types
            .insert(node.type_hash, &context.node_type, MAX_NODE_TYPES);
        for &token in node.tokens() {
            pattern.node_tokens.insert(token, "", MAX_NODE_TOKENS);
        }
    }

    /// Counts one rejection of an existing pattern; a rejected override that was never
    /// learned creates nothing.
    pub(crate) fn record_negative(&mut self, context: &ExceptionContext) {
        let key = Self::key(context, None);
        if let Some(pattern) = self.index.get(&key).and_then(|&p| self.patterns.get_mut(p)) {
            pattern.rejections = pattern.rejections.saturating_add(1).min(MAX_COUNT);
        }
    }

    /// Makes `reason` the pattern's preferred reason.
    pub(crate) fn prefer_reason(
        &mut self,
        context: &ExceptionContext,
        reason: &str,
        capacity: usize,
    ) {
        if let Some(pattern) = self.find_or_create(context, None, capacity) {
            pattern.preferred_reason = Some(reason.to_owned());
        }
    }

    /// The support of the pattern of exactly this property and kind of change.
    pub(crate) fn support(&self, context: &ExceptionContext) -> u64 {
        self.find(context).map_or(0, |pattern| pattern.support)
    }

    /// Up to `limit` patterns with a similarity above zero, best first; ties go to the
    /// larger support, then to the property name, so the order is deterministic.
    pub(crate) fn best_matches(
        &self,
        context: &ExceptionContext,
        limit: usize,
    ) -> Vec<PatternMatch> {
        if limit == 0 {
            return Vec::new();
        }
        let change = change_code_of(&context.inherited_value, &context.actual_value);
        let mut scored: Vec<(f32, &Pattern)> = self
            .patterns
            .iter()
            .map(|pattern| (pattern.similarity(context, change), pattern))
            .filter(|(similarity, _)| *similarity > 0.0)
            .collect();
        scored.sort_by(|(a_score, a), (b_score, b)| {
            b_score
                .total_cmp(a_score)
                .then(b.support.cmp(&a.support))
                .then_with(|| a.property_name.cmp(&b.property_name))
                .then_with(|| a.key().cmp(&b.key()))
        });
        scored
            .into_iter()
            .take(limit)
            .map(|(similarity, pattern)| pattern.to_match(similarity))
            .collect()
    }

    /// Heap bytes held, from capacities.
    pub(crate) fn heap_bytes(&self) -> usize {
        let patterns = self.patterns.capacity() * std::mem::size_of::<Pattern>()
            + self
                .patterns
                .iter()
                .map(|p| {
                    p.property_name.capacity()
                        + p.inherited_value.heap_bytes()
                        + p.actual_value.heap_bytes()
                        + p.reasons.heap_bytes()
                        + p.node_types.heap_bytes()
                        + p.node_tokens.heap_bytes()
                        + p.preferred_reason.as_ref().map_or(0, String::capacity)
                })
                .sum::<usize>();
        // A std HashMap stores its entries plus one control byte per bucket.
        let index = self.index.capacity() * (std::mem::size_of::<((u64, u64), usize)>() + 1);
        patterns + index
    }
}

#[cfg(test)]
mod tests {
    use llmkg_core::PropertyValue;

    use super::*;

    fn flightless() -> ExceptionContext {
        ExceptionContext::new(
            "can_fly",
            PropertyValue::Boolean(true),
            PropertyValue::Boolean(false),
            "Penguin",
            2,
        )
    }

    /// Issue 18 finding 8: a patterns file with a count of 2^63 passed the consistency check
    /// and then overflowed when doubled (`reason`); counts past `MAX_COUNT` are refused, and
    /// counting saturates there, so a table that was saved always loads.
    #[test]
    fn crafted_counts_past_the_limit_are_refused_and_counting_saturates() {
        let mut table = PatternTable::from_patterns(Vec::new(), 0).unwrap();
        table.record_positive(&flightless(), Some("penguins cannot fly"), 16);
        let mut crafted = table.patterns.clone();
        crafted[0].support = 1 << 63;
        assert!(PatternTable::from_patterns(crafted, 0).is_none());
        let mut crafted = table.patterns.clone();
        crafted[0].rejections = u64::MAX;
        assert!(PatternTable::from_patterns(crafted, 0).is_none());

        // At the limit, every count saturates and the table still loads and answers.
        table.patterns[0].support = MAX_COUNT;
        table.patterns[0].rejections = MAX_COUNT;
        table.dropped = u64::MAX;
        table.record_positive(&flightless(), Some("penguins cannot fly"), 16);
        table.record_negative(&flightless());
        table.record_positive(&flightless(), None, 0);
        assert_eq!(table.patterns[0].support, MAX_COUNT);
        assert_eq!(table.patterns[0].rejections, MAX_COUNT);
        assert_eq!(table.dropped, u64::MAX);
        let _ = table.patterns[0].reason();
        let reloaded = PatternTable::from_patterns(table.patterns.clone(), table.dropped);
        assert!(reloaded.is_some());
    }

    /// A crafted file could give a pattern far more tracked reasons than learning keeps, and
    /// every later example of the pattern would scan them all: refused on load.
    #[test]
    fn more_tracked_items_than_learning_keeps_are_refused() {
        let mut table = PatternTable::from_patterns(Vec::new(), 0).unwrap();
        for n in 0..20 {
            table.record_positive(&flightless(), Some(&format!("reason {n}")), 16);
        }
        assert!(table.patterns[0].reasons.len() <= MAX_REASONS);
        assert!(PatternTable::from_patterns(table.patterns.clone(), 0).is_some());
        let mut crafted = table.patterns.clone();
        for n in 0..(MAX_REASONS as u64 + 1) {
            crafted[0].reasons.insert(1_000 + n, "extra", usize::MAX);
        }
        assert!(PatternTable::from_patterns(crafted, 0).is_none());
    }
}
