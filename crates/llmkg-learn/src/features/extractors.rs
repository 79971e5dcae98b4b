//! The standard feature extractors.

use llmkg_core::PropertyValue;
use llmkg_exception::{compare, identifier_tokens};

use super::{FeatureExtractor, FeatureSink, MAX_GROUP_NORM, numeric_hash};
use crate::context::ExceptionContext;
use crate::hash::{
    TokenHasher, ascii_name_hashes, ascii_token_hash, change_code, change_feature_word,
    change_feature_word_of, combine_hashes, token_hash, value_code, word_hash,
};
use crate::patterns::PatternNodeHashes;

// Namespaces of the standard extractors. They are part of the patterns file format:
// weights are stored by slot, so changing one invalidates saved files.
const PROPERTY_NAME: u64 = 1;
const PROPERTY_TOKEN: u64 = 2;
const INHERITED_TYPE: u64 = 3;
const ACTUAL_TYPE: u64 = 4;
const TRANSITION: u64 = 5;
const SIMILARITY: u64 = 6;
const DISSIMILARITY: u64 = 7;
const NUMERIC_DIRECTION: u64 = 8;
const NODE_TYPE: u64 = 10;
const NODE_TOKEN: u64 = 11;
const PROPERTY_TRANSITION: u64 = 12;
const PROPERTY_NODE_TOKEN: u64 = 13;
const DEPTH: u64 = 16;
const DEPTH_BUCKET: u64 = 17;
const SIBLING_NAME: u64 = 18;
const SIBLING_VALUE: u64 = 19;

/// At most this many tokens of one identifier become features; long names add little.
pub(crate) const MAX_TOKENS_PER_IDENTIFIER: usize = 8;
/// At most this many siblings become features: the ones with the smallest name hashes,
/// which is the same choice whatever order the sibling map iterates in.
const MAX_SIBLINGS: usize = 32;
/// Depths at or beyond this count as "very deep".
const MAX_DEPTH: u32 = 16;

/// The property's name and its tokens: `can_fly`, `can`, `fly`.
#[derive(Clone, Copy, Debug, Default)]
pub struct PropertyNameFeatures;

impl FeatureExtractor for PropertyNameFeatures {
    fn name(&self) -> &'static str {
        "property_name"
    }

    fn extract(&self, context: &ExceptionContext, sink: &mut FeatureSink<'_>) {
        PropertyNameFeatures::emit(context, sink);
    }
}

impl PropertyNameFeatures {
    /// Writes the features and returns the name's hash, which [`InteractionFeatures`] crosses.
    pub(crate) fn emit(context: &ExceptionContext, sink: &mut FeatureSink<'_>) -> u64 {
        let mut tokens = [0; MAX_TOKENS_PER_IDENTIFIER];
        if let Some((property, count)) = ascii_name_hashes(
            &context.property_name,
            PROPERTY_NAME,
            PROPERTY_TOKEN,
            &mut tokens,
        ) {
            // The same features as below, the name read once.
            sink.add_hashed(property, 1.0);
            for &token in &tokens[..count] {
                sink.add_hashed(token, 1.0);
            }
            return property;
        }
        let property = token_hash(PROPERTY_NAME, &context.property_name);
        sink.add_hashed(property, 1.0);
        for token in identifier_tokens(&context.property_name).take(MAX_TOKENS_PER_IDENTIFIER) {
            sink.add_token(PROPERTY_TOKEN, token);
        }
        property
    }
}

/// The two values: their types, the kind of change, how similar they are (by
/// [`calculate_similarity`], the detector's measure) and, for numbers, the direction of
/// the change.
#[derive(Clone, Copy, Debug, Default)]
pub struct ValueFeatures;

impl FeatureExtractor for ValueFeatures {
    fn name(&self) -> &'static str {
        "values"
    }

    fn extract(&self, context: &ExceptionContext, sink: &mut FeatureSink<'_>) {
        ValueFeatures::emit(context, sink);
    }
}

impl ValueFeatures {
    /// Writes the features and returns the change's [`change_code`] (the pattern key's) and
    /// its [`change_feature_word`], which [`InteractionFeatures`] crosses.
    pub(crate) fn emit(context: &ExceptionContext, sink: &mut FeatureSink<'_>) -> (u64, u64) {
        // Every token here is one of a few known in advance, so its hash is a constant:
        // `add_token` and `add_numeric` of these names, without hashing them per context.
        let inherited = &context.inherited_value;
        let actual = &context.actual_value;
        sink.add_hashed(INHERITED_TYPE_HASHES[value_code(inherited) as usize], 1.0);
        sink.add_hashed(ACTUAL_TYPE_HASHES[value_code(actual) as usize], 1.0);
        let comparison = compare(inherited, actual);
        let change = change_code(comparison.kind);
        let word = change_feature_word(comparison.kind, actual);
        sink.add_hashed(CHANGE_HASHES[(word & 127) as usize], 1.0);
        sink.add_hashed(numeric_hash(SIMILARITY), comparison.similarity);
        sink.add_hashed(numeric_hash(DISSIMILARITY), 1.0 - comparison.similarity);
        if let (Some(from), Some(to)) = (inherited.as_f64(), actual.as_f64()) {
            let direction = if to > from {
                0
            } else if to < from {
                1
            } else {
                2
            };
            sink.add_hashed(DIRECTION_HASHES[direction], 1.0);
        }
        (change, word)
    }
}

/// [`PropertyValue::type_name`] of each variant, by `value_code` (0 is no value's code;
/// both booleans are "boolean").
const TYPE_NAMES: [&str; 8] = [
    "", "boolean", "boolean", "number", "string", "integer", "list", "null",
];

/// The token hashes of `tokens` in `namespace`, at compile time.
const fn token_hashes<const N: usize>(namespace: u64, tokens: [&str; N]) -> [u64; N] {
    let mut hashes = [0; N];
    let mut at = 0;
    while at < N {
        hashes[at] = ascii_token_hash(namespace, tokens[at]);
        at += 1;
    }
    hashes
}

const INHERITED_TYPE_HASHES: [u64; 8] = token_hashes(INHERITED_TYPE, TYPE_NAMES);
const ACTUAL_TYPE_HASHES: [u64; 8] = token_hashes(ACTUAL_TYPE, TYPE_NAMES);
/// "increase", "decrease", "same".
const DIRECTION_HASHES: [u64; 3] =
    token_hashes(NUMERIC_DIRECTION, ["increase", "decrease", "same"]);
/// The depth buckets' names, in [`DepthFeatures`]' order.
const DEPTH_BUCKETS: [&str; 6] = ["0", "1", "2", "3", "4-7", "8+"];
const DEPTH_BUCKET_HASHES: [u64; 6] = token_hashes(DEPTH_BUCKET, DEPTH_BUCKETS);
/// The change feature of every change feature word (`change_feature_word` is below 128).
const CHANGE_HASHES: [u64; 128] = {
    let mut hashes = [0; 128];
    let mut code = 0;
    while code < 128 {
        hashes[code] = word_hash(TRANSITION, code as u64);
        code += 1;
    }
    hashes
};

/// The node type and its tokens, so `Emperor_Penguin` shares `penguin` with `Penguin`.
#[derive(Clone, Copy, Debug, Default)]
pub struct NodeTypeFeatures;

impl FeatureExtractor for NodeTypeFeatures {
    fn name(&self) -> &'static str {
        "node_type"
    }

    fn extract(&self, context: &ExceptionContext, sink: &mut FeatureSink<'_>) {
        sink.add_token(NODE_TYPE, &context.node_type);
        for token in identifier_tokens(&context.node_type).take(MAX_TOKENS_PER_IDENTIFIER) {
            sink.add_token(NODE_TOKEN, token);
        }
    }
}

/// Crossed features a linear model cannot build itself: this property with this kind of
/// change, and this property on this kind of node ("`can_fly` on a `penguin`").
#[derive(Clone, Copy, Debug, Default)]
pub struct InteractionFeatures;

impl FeatureExtractor for InteractionFeatures {
    fn name(&self) -> &'static str {
        "interactions"
    }

    fn extract(&self, context: &ExceptionContext, sink: &mut FeatureSink<'_>) {
        let property = token_hash(PROPERTY_NAME, &context.property_name);
        let word = change_feature_word_of(&context.inherited_value, &context.actual_value);
        sink.add_hashed(combine_hashes(PROPERTY_TRANSITION, property, word), 1.0);
        for token in identifier_tokens(&context.node_type).take(MAX_TOKENS_PER_IDENTIFIER) {
            let node_token = token_hash(NODE_TOKEN, token);
            sink.add_hashed(
                combine_hashes(PROPERTY_NODE_TOKEN, property, node_token),
                1.0,
            );
        }
    }
}

/// How far away the inherited value is defined, as a fraction and as a bucket.
#[derive(Clone, Copy, Debug, Default)]
pub struct DepthFeatures;

impl FeatureExtractor for DepthFeatures {
    fn name(&self) -> &'static str {
        "depth"
    }

    fn extract(&self, context: &ExceptionContext, sink: &mut FeatureSink<'_>) {
        let depth = context.inheritance_depth.min(MAX_DEPTH);
        sink.add_hashed(numeric_hash(DEPTH), depth as f32 / MAX_DEPTH as f32);
        // Indices into `DEPTH_BUCKETS`: "0", "1", "2", "3", "4-7", "8+".
        let bucket = match depth {
            0..=3 => depth as usize,
            4..=7 => 4,
            _ => 5,
        };
        sink.add_hashed(DEPTH_BUCKET_HASHES[bucket], 1.0);
    }
}

/// The node's other properties: each name, and for booleans the name with its value
/// (`can_swim=true`), from at most 32 siblings chosen independently of map order.
#[derive(Clone, Copy, Debug, Default)]
pub struct SiblingFeatures;

impl FeatureExtractor for SiblingFeatures {
    fn name(&self) -> &'static str {
        "siblings"
    }

    fn extract(&self, context: &ExceptionContext, sink: &mut FeatureSink<'_>) {
        let chosen = smallest_siblings::<MAX_SIBLINGS>(
            &context.sibling_properties,
            Some(&context.property_name),
        );
        emit_siblings(chosen.iter().map(|sibling| (sibling.0, sibling.1)), sink);
    }
}

/// One sibling as a feature: its name hash, its name-and-value hash (0 for non-booleans).
type SiblingHashes = (u64, u64);

/// The `N` siblings with the smallest name hashes, sorted by that hash, skipping `skip`: the
/// result (and so every floating-point sum over it) is the same for equal maps whatever their
/// iteration order. Kept in a stack buffer; the names are borrowed.
fn smallest_siblings<'a, const N: usize>(
    siblings: &'a std::collections::HashMap<String, PropertyValue>,
    skip: Option<&str>,
) -> SmallestSiblings<'a, N> {
    let mut chosen = SmallestSiblings {
        entries: [(0, 0, ""); N],
        len: 0,
    };
    for (name, value) in siblings {
        if skip == Some(name.as_str()) {
            continue;
        }
        let name_hash = token_hash(SIBLING_NAME, name);
        if chosen.len == N && name_hash >= chosen.entries[N - 1].0 {
            continue;
        }
        let value_hash = match value {
            PropertyValue::Boolean(flag) => {
                let mut hasher = TokenHasher::new(SIBLING_VALUE);
                hasher.write_lowercase(name);
                hasher.write_u64(u64::from(*flag));
                hasher.finish()
            }
            _ => 0,
        };
        let position = chosen.entries[..chosen.len].partition_point(|entry| entry.0 < name_hash);
        if chosen.len < N {
            chosen.len += 1;
        }
        chosen
            .entries
            .copy_within(position..chosen.len - 1, position + 1);
        chosen.entries[position] = (name_hash, value_hash, name.as_str());
    }
    chosen
}

#[derive(Clone, Copy, Debug)]
struct SmallestSiblings<'a, const N: usize> {
    entries: [(u64, u64, &'a str); N],
    len: usize,
}

impl<'a, const N: usize> SmallestSiblings<'a, N> {
    fn iter(&self) -> impl Iterator<Item = &(u64, u64, &'a str)> {
        self.entries[..self.len].iter()
    }
}

fn emit_siblings(chosen: impl Iterator<Item = SiblingHashes>, sink: &mut FeatureSink<'_>) {
    for (name_hash, value_hash) in chosen {
        sink.add_hashed(name_hash, 1.0);
        if value_hash != 0 {
            sink.add_hashed(value_hash, 1.0);
        }
    }
}

/// The features of one node that do not depend on the property: its type's hashes and its
/// siblings', computed once for all of its properties.
///
/// [`SiblingFeatures`] hashes every sibling for every context; a node with `n` properties
/// processed property by property pays `n²` hashes. This keeps the `MAX_SIBLINGS + 1`
/// siblings with the smallest name hashes of the map once, and each property's sibling
/// features are the first `MAX_SIBLINGS` of them that are not the property itself: exactly
/// what [`SiblingFeatures`] extracts from the same map. The node type's token hashes
/// ([`NodeTypeFeatures`], [`InteractionFeatures`]) are kept the same way; a context of
/// another node type is extracted afresh.
///
/// ```
/// use std::collections::HashMap;
/// use llmkg_core::PropertyValue;
/// use llmkg_learn::{ExceptionContext, FeatureVector, NodeFeatureCache};
///
/// let siblings: HashMap<String, PropertyValue> =
///     (0..100).map(|i| (format!("p{i}"), PropertyValue::Boolean(i % 2 == 0))).collect();
/// let cache = NodeFeatureCache::new("Bird", &siblings);
/// let mut context = ExceptionContext::new("p7", true.into(), false.into(), "Bird", 2);
/// context.sibling_properties = siblings;
/// assert_eq!(
///     FeatureVector::standard_cached(&context, 18, &cache),
///     FeatureVector::standard(&context, 18),
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeFeatureCache {
    /// `(name hash, value hash, name)`, sorted by name hash.
    entries: Vec<(u64, u64, String)>,
    siblings: usize,
    node_type: String,
    node_type_hash: u64,
    /// `token_hash(NODE_TOKEN, token)` of the node type's first tokens.
    node_tokens: Vec<u64>,
    /// The first sibling (in map order) whose value nests too deep, checked once for the node.
    too_deep_sibling: Option<String>,
    /// The sibling features of a property that is not among the first `MAX_SIBLINGS`
    /// entries (most of a large node's properties): the hashes [`emit_siblings`] writes for
    /// those entries, in order (their low 32 bits), and the value each has after the group
    /// is normalised.
    common_hashes: Vec<u32>,
    /// That value's bits (kept as bits so the cache stays `Eq`).
    common_value_bits: u32,
    /// The node type's hashes as the pattern table counts them.
    pattern_node: PatternNodeHashes,
}

impl NodeFeatureCache {
    /// Hashes the type and the siblings of one node.
    pub fn new(
        node_type: &str,
        siblings: &std::collections::HashMap<String, PropertyValue>,
    ) -> Self {
        let chosen = smallest_siblings::<{ MAX_SIBLINGS + 1 }>(siblings, None);
        let mut common_hashes = Vec::with_capacity(2 * MAX_SIBLINGS);
        for &(name_hash, value_hash, _) in chosen.iter().take(MAX_SIBLINGS) {
            // The low bits are all a slot uses (`FeatureSink::add_hashed`).
            common_hashes.push(name_hash as u32);
            if value_hash != 0 {
                common_hashes.push(value_hash as u32);
            }
        }
        // What `FeatureSink::normalise_group` makes of that many features of value 1 (the
        // sum of the squares of ones is exact in `f32`, so this is the same number).
        let norm = (common_hashes.len() as f32).sqrt();
        let common_value = if norm > MAX_GROUP_NORM {
            1.0 * (MAX_GROUP_NORM / norm)
        } else {
            1.0
        };
        NodeFeatureCache {
            common_hashes,
            common_value_bits: common_value.to_bits(),
            pattern_node: PatternNodeHashes::new(node_type),
            entries: chosen
                .iter()
                .map(|&(name_hash, value_hash, name)| (name_hash, value_hash, name.to_owned()))
                .collect(),
            siblings: siblings.len(),
            node_type: node_type.to_owned(),
            node_type_hash: token_hash(NODE_TYPE, node_type),
            node_tokens: identifier_tokens(node_type)
                .take(MAX_TOKENS_PER_IDENTIFIER)
                .map(|token| token_hash(NODE_TOKEN, token))
                .collect(),
            too_deep_sibling: siblings
                .iter()
                .find(|(_, value)| value.check_depth().is_err())
                .map(|(name, _)| name.clone()),
        }
    }

    /// What [`ExceptionContext::validate`] says of the cached siblings.
    pub(crate) fn check_siblings(&self) -> crate::error::Result<()> {
        match &self.too_deep_sibling {
            Some(name) => Err(crate::error::LearnError::ValueTooDeep {
                property: name.clone(),
                limit: llmkg_core::MAX_VALUE_DEPTH,
            }),
            None => Ok(()),
        }
    }

    /// How many siblings the cached map held.
    pub fn sibling_count(&self) -> usize {
        self.siblings
    }

    /// Whether the node-type features apply to `context`.
    pub(crate) fn has_node_type(&self, context: &ExceptionContext) -> bool {
        self.node_type == context.node_type
    }

    /// [`NodeTypeFeatures`] from the cache.
    pub(crate) fn extract_node_type(&self, sink: &mut FeatureSink<'_>) {
        sink.add_hashed(self.node_type_hash, 1.0);
        for &token in &self.node_tokens {
            sink.add_hashed(token, 1.0);
        }
    }

    /// [`InteractionFeatures`] with the node tokens from the cache: `property` is the
    /// context's property name hash ([`PropertyNameFeatures::emit`]), `change` its change
    /// feature word ([`ValueFeatures::emit`]).
    pub(crate) fn extract_interactions(
        &self,
        property: u64,
        change: u64,
        sink: &mut FeatureSink<'_>,
    ) {
        sink.add_hashed(combine_hashes(PROPERTY_TRANSITION, property, change), 1.0);
        for &node_token in &self.node_tokens {
            sink.add_hashed(
                combine_hashes(PROPERTY_NODE_TOKEN, property, node_token),
                1.0,
            );
        }
    }

    /// The node type's hashes for the pattern table, if `context` is of this node's type.
    pub(crate) fn pattern_node(&self, context: &ExceptionContext) -> Option<&PatternNodeHashes> {
        self.has_node_type(context).then_some(&self.pattern_node)
    }

    /// Whether any property of the node has the common sibling group: the node has more
    /// siblings than one property's group holds.
    pub(crate) fn has_common_group(&self) -> bool {
        self.siblings > MAX_SIBLINGS
    }

    /// Whether `property`'s sibling features are the node's common group: it is not among
    /// the first `MAX_SIBLINGS` entries (a hash compared before the name).
    pub(crate) fn has_common_siblings(&self, property: &str) -> bool {
        let property_hash = token_hash(SIBLING_NAME, property);
        let first = &self.entries[..self.entries.len().min(MAX_SIBLINGS)];
        first.last().is_none_or(|last| property_hash > last.0)
            || !first
                .iter()
                .any(|entry| entry.0 == property_hash && entry.2 == property)
    }

    /// Writes the node's common sibling group, already normalised; returns whether it did
    /// (only into an empty group with room for it).
    pub(crate) fn extract_common(&self, sink: &mut FeatureSink<'_>) -> bool {
        sink.add_hashed_normalised(&self.common_hashes, f32::from_bits(self.common_value_bits))
    }

    /// Writes the sibling features of `property`: the precomputed common group when the
    /// property is not among the first `MAX_SIBLINGS` entries (a hash compared before the
    /// name), else the entries without it, normalised by the sink.
    ///
    /// Returns whether it wrote a complete, already normalised group.
    pub(crate) fn extract(&self, property: &str, sink: &mut FeatureSink<'_>) -> bool {
        let property_hash = token_hash(SIBLING_NAME, property);
        let is_entry = |entry: &(u64, u64, String)| entry.0 == property_hash && entry.2 == property;
        // The entries are sorted by hash: a hash above the last of the first `MAX_SIBLINGS`
        // is none of them, which most of a large node's properties learn without a scan.
        let first = &self.entries[..self.entries.len().min(MAX_SIBLINGS)];
        let beyond = first.last().is_none_or(|last| property_hash > last.0);
        if (beyond || !first.iter().any(is_entry))
            && sink
                .add_hashed_normalised(&self.common_hashes, f32::from_bits(self.common_value_bits))
        {
            return true;
        }
        let chosen = self
            .entries
            .iter()
            .filter(|entry| !is_entry(entry))
            .take(MAX_SIBLINGS)
            .map(|entry| (entry.0, entry.1));
        emit_siblings(chosen, sink);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_hashes_are_the_tokens_hashes() {
        let values = [
            PropertyValue::Boolean(false),
            PropertyValue::Boolean(true),
            PropertyValue::Number(1.5),
            PropertyValue::String("x".into()),
            PropertyValue::Integer(3),
            PropertyValue::List(Vec::new()),
            PropertyValue::Null,
        ];
        for value in &values {
            let index = value_code(value) as usize;
            assert_eq!(TYPE_NAMES[index], value.type_name());
            assert_eq!(
                INHERITED_TYPE_HASHES[index],
                token_hash(INHERITED_TYPE, value.type_name())
            );
            assert_eq!(
                ACTUAL_TYPE_HASHES[index],
                token_hash(ACTUAL_TYPE, value.type_name())
            );
        }
        for (index, direction) in ["increase", "decrease", "same"].iter().enumerate() {
            assert_eq!(
                DIRECTION_HASHES[index],
                token_hash(NUMERIC_DIRECTION, direction)
            );
        }
        for (index, bucket) in DEPTH_BUCKETS.iter().enumerate() {
            assert_eq!(DEPTH_BUCKET_HASHES[index], token_hash(DEPTH_BUCKET, bucket));
        }
        for code in 0..128 {
            let mut hasher = TokenHasher::new(TRANSITION);
            hasher.write_u64(code);
            assert_eq!(CHANGE_HASHES[code as usize], hasher.finish());
        }
    }
}
