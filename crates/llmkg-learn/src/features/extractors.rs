//! The standard feature extractors.

use llmkg_core::PropertyValue;
use llmkg_exception::{calculate_similarity, identifier_tokens};

use super::{FeatureExtractor, FeatureSink, combine_hashes, token_hash, transition_signature};
use crate::context::ExceptionContext;

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
        sink.add_token(PROPERTY_NAME, &context.property_name);
        for token in identifier_tokens(&context.property_name).take(MAX_TOKENS_PER_IDENTIFIER) {
            sink.add_token(PROPERTY_TOKEN, token);
        }
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
        let inherited = &context.inherited_value;
        let actual = &context.actual_value;
        sink.add_token(INHERITED_TYPE, inherited.type_name());
        sink.add_token(ACTUAL_TYPE, actual.type_name());
        let mut transition = super::TokenHasher::new(TRANSITION);
        transition.write_u64(transition_signature(inherited, actual));
        sink.add_hashed(transition.finish(), 1.0);
        let similarity = calculate_similarity(inherited, actual);
        sink.add_numeric(SIMILARITY, similarity);
        sink.add_numeric(DISSIMILARITY, 1.0 - similarity);
        if let (Some(from), Some(to)) = (inherited.as_f64(), actual.as_f64()) {
            let direction = if to > from {
                "increase"
            } else if to < from {
                "decrease"
            } else {
                "same"
            };
            sink.add_token(NUMERIC_DIRECTION, direction);
        }
    }
}

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
        let transition = transition_signature(&context.inherited_value, &context.actual_value);
        sink.add_hashed(
            combine_hashes(PROPERTY_TRANSITION, property, transition),
            1.0,
        );
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
        sink.add_numeric(DEPTH, depth as f32 / MAX_DEPTH as f32);
        let bucket = match depth {
            0 => "0",
            1 => "1",
            2 => "2",
            3 => "3",
            4..=7 => "4-7",
            _ => "8+",
        };
        sink.add_token(DEPTH_BUCKET, bucket);
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
        // Keep the siblings with the smallest name hashes, sorted, in a stack buffer: the
        // result (and so every floating-point sum over it) is the same for equal maps
        // whatever their iteration order.
        let mut chosen = [(0_u64, 0_u64); MAX_SIBLINGS];
        let mut n_chosen = 0;
        for (name, value) in &context.sibling_properties {
            if *name == context.property_name {
                continue;
            }
            let name_hash = token_hash(SIBLING_NAME, name);
            if n_chosen == MAX_SIBLINGS && name_hash >= chosen[MAX_SIBLINGS - 1].0 {
                continue;
            }
            let value_hash = match value {
                PropertyValue::Boolean(flag) => {
                    let mut hasher = super::TokenHasher::new(SIBLING_VALUE);
                    hasher.write_lowercase(name);
                    hasher.write_u64(u64::from(*flag));
                    hasher.finish()
                }
                _ => 0,
            };
            let position = chosen[..n_chosen].partition_point(|&(hash, _)| hash < name_hash);
            if n_chosen < MAX_SIBLINGS {
                n_chosen += 1;
            }
            chosen.copy_within(position..n_chosen - 1, position + 1);
            chosen[position] = (name_hash, value_hash);
        }
        for &(name_hash, value_hash) in &chosen[..n_chosen] {
            sink.add_hashed(name_hash, 1.0);
            if value_hash != 0 {
                sink.add_hashed(value_hash, 1.0);
            }
        }
    }
}
