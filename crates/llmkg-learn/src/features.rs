//! Feature extraction: contexts become short, sparse, hashed vectors of values in `[0, 1]`.
//!
//! Every extractor writes into a [`FeatureSink`], which hashes tokens straight from `&str`
//! slices into an index of a fixed-size weight vector (the hashing trick) and stores the
//! result in a [`FeatureVector`] that lives on the stack: extracting never allocates.

mod extractors;

use crate::context::ExceptionContext;
use crate::hash::{token_hash, word_hash};

pub use self::extractors::{
    DepthFeatures, InteractionFeatures, NodeFeatureCache, NodeTypeFeatures, PropertyNameFeatures,
    SiblingFeatures, ValueFeatures,
};

/// The slot hash of [`FeatureSink::add_numeric`] in `namespace`.
pub(crate) const fn numeric_hash(namespace: u64) -> u64 {
    word_hash(namespace, u64::MAX)
}

/// The most features one context can produce; extractors cap their output so the standard
/// set stays below it, and a custom set that goes over is truncated (see
/// [`FeatureVector::is_truncated`]).
pub const MAX_FEATURES: usize = 160;

/// The longest one extractor's features may be (Euclidean length): up to four full-valued
/// features pass unchanged, more are scaled down together, so an extractor that emits many
/// features (siblings) cannot drown out the others. Binary features otherwise stay 1, which
/// lets the per-coordinate steps of the model work on an unscaled signal.
pub const MAX_GROUP_NORM: f32 = 2.0;

/// One aspect of a context turned into features.
///
/// Implementations emit features through the sink's methods; the sink scales each
/// extractor's output to at most [`MAX_GROUP_NORM`] long.
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_learn::{ExceptionContext, FeatureExtractor, FeatureVector, NodeTypeFeatures};
///
/// let context = ExceptionContext::new(
///     "can_fly", PropertyValue::Boolean(true), PropertyValue::Boolean(false), "Emperor_Penguin", 2,
/// );
/// let vector = FeatureVector::extract(&context, 12, &[&NodeTypeFeatures]);
/// // "emperor_penguin", "emperor" and "penguin".
/// assert_eq!(vector.len(), 3);
/// assert!(vector.iter().all(|(index, value)| index < 4096 && (0.0..=1.0).contains(&value)));
/// ```
pub trait FeatureExtractor: Send + Sync + std::fmt::Debug {
    /// A short, stable name, e.g. `"node_type"`.
    fn name(&self) -> &'static str;

    /// Emits this extractor's features of `context` into `sink`.
    fn extract(&self, context: &ExceptionContext, sink: &mut FeatureSink<'_>);
}

/// The extractors [`PatternLearner`](crate::PatternLearner) uses, in the order it runs them.
pub static STANDARD_EXTRACTORS: [&dyn FeatureExtractor; 6] = [
    &PropertyNameFeatures,
    &ValueFeatures,
    &NodeTypeFeatures,
    &InteractionFeatures,
    &DepthFeatures,
    &SiblingFeatures,
];

/// A sparse feature vector: up to [`MAX_FEATURES`] `(index, value)` pairs with indices
/// below `2^dimension_bits` and values in `[0, 1]`; each extractor's part is at most
/// [`MAX_GROUP_NORM`] long.
#[derive(Clone, Debug)]
pub struct FeatureVector {
    indices: [u32; MAX_FEATURES],
    values: [f32; MAX_FEATURES],
    len: usize,
    truncated: bool,
    /// The change code of the context extracted, when the extraction knows it (the
    /// pattern table keys by it; not a feature, so not compared).
    change: Option<u64>,
    /// Whether the node's shared groups were left out (see `cached_into`).
    partial: bool,
}

impl FeatureVector {
    /// Runs `extractors` over `context`, hashing into `2^dimension_bits` slots
    /// (`dimension_bits` is clamped to `1..=31`).
    pub fn extract(
        context: &ExceptionContext,
        dimension_bits: u32,
        extractors: &[&dyn FeatureExtractor],
    ) -> FeatureVector {
        let mut vector = FeatureVector::empty();
        let mask = (1_u32 << dimension_bits.clamp(1, 31)) - 1;
        for extractor in extractors {
            vector.group(mask, |sink| extractor.extract(context, sink));
        }
        vector
    }

    fn empty() -> FeatureVector {
        FeatureVector {
            indices: [0; MAX_FEATURES],
            values: [0.0; MAX_FEATURES],
            len: 0,
            truncated: false,
            change: None,
            partial: false,
        }
    }

    /// Appends one normalised group of features.
    fn group(&mut self, mask: u32, fill: impl FnOnce(&mut FeatureSink<'_>)) {
        self.group_checked(mask, |sink| {
            fill(sink);
            false
        });
    }

    /// Appends one group of features; `fill` returns whether it wrote the group already
    /// normalised.
    fn group_checked(&mut self, mask: u32, fill: impl FnOnce(&mut FeatureSink<'_>) -> bool) {
        let mut sink = FeatureSink {
            start: self.len,
            vector: self,
            mask,
        };
        if !fill(&mut sink) {
            sink.normalise_group();
        }
    }

    /// The vector of the standard extractors, as the learner sees `context`.
    #[must_use]
    pub fn standard(context: &ExceptionContext, dimension_bits: u32) -> FeatureVector {
        FeatureVector::extract(context, dimension_bits, &STANDARD_EXTRACTORS)
    }

    /// [`standard`](Self::standard) with the node-level groups read from `cache`, a
    /// [`NodeFeatureCache`] of `context`'s node type and `context.sibling_properties`: the same
    /// vector, without hashing the node type and every sibling again.
    #[must_use]
    pub fn standard_cached(
        context: &ExceptionContext,
        dimension_bits: u32,
        cache: &NodeFeatureCache,
    ) -> FeatureVector {
        let mut vector = FeatureVector::empty();
        FeatureVector::standard_cached_into(context, dimension_bits, cache, &mut vector);
        vector
    }

    /// [`standard_cached`](Self::standard_cached) written into `vector`, whose features it
    /// replaces: a vector reused across a node's properties is neither zeroed nor moved.
    pub fn standard_cached_into(
        context: &ExceptionContext,
        dimension_bits: u32,
        cache: &NodeFeatureCache,
        vector: &mut FeatureVector,
    ) {
        FeatureVector::cached_into(context, dimension_bits, cache, vector, false);
    }

    /// [`standard_cached_into`](Self::standard_cached_into), without the node's shared
    /// groups (its type and its common siblings) when `leave_shared` is set and they apply
    /// to `context`: then [`is_partial`](Self::is_partial) says so, and
    /// [`shared_of`](Self::shared_of) gives the rest.
    pub(crate) fn cached_into(
        context: &ExceptionContext,
        dimension_bits: u32,
        cache: &NodeFeatureCache,
        vector: &mut FeatureVector,
        leave_shared: bool,
    ) {
        let partial = leave_shared
            && cache.has_node_type(context)
            && cache.has_common_siblings(&context.property_name);
        vector.len = 0;
        vector.truncated = false;
        vector.change = None;
        vector.partial = partial;
        // The standard extractors, in order, the node-level ones read from the cache.
        let mask = (1_u32 << dimension_bits.clamp(1, 31)) - 1;
        let (mut property, mut change, mut word) = (0, 0, 0);
        vector.group(mask, |sink| {
            property = PropertyNameFeatures::emit(context, sink);
        });
        vector.group(mask, |sink| {
            (change, word) = ValueFeatures::emit(context, sink)
        });
        vector.change = Some(change);
        if cache.has_node_type(context) {
            if !partial {
                vector.group(mask, |sink| cache.extract_node_type(sink));
            }
            vector.group(mask, |sink| {
                cache.extract_interactions(property, word, sink);
            });
        } else {
            vector.group(mask, |sink| NodeTypeFeatures.extract(context, sink));
            vector.group(mask, |sink| InteractionFeatures.extract(context, sink));
        }
        vector.group(mask, |sink| DepthFeatures.extract(context, sink));
        if !partial {
            vector.group_checked(mask, |sink| cache.extract(&context.property_name, sink));
        }
        debug_assert_eq!(
            STANDARD_EXTRACTORS.map(FeatureExtractor::name),
            [
                PropertyNameFeatures.name(),
                ValueFeatures.name(),
                NodeTypeFeatures.name(),
                InteractionFeatures.name(),
                DepthFeatures.name(),
                SiblingFeatures.name(),
            ]
        );
    }

    /// The node's shared groups that [`cached_into`](Self::cached_into) leaves out of a
    /// partial vector: the node type's features and the common sibling group, in
    /// `2^dimension_bits` slots.
    pub(crate) fn shared_of(cache: &NodeFeatureCache, dimension_bits: u32) -> FeatureVector {
        let mut vector = FeatureVector::empty();
        let mask = (1_u32 << dimension_bits.clamp(1, 31)) - 1;
        vector.group(mask, |sink| cache.extract_node_type(sink));
        vector.group_checked(mask, |sink| cache.extract_common(sink));
        vector
    }

    /// Whether the node's shared groups were left out (they live in a
    /// [`NodeBatch`](crate::NodeBatch)).
    pub(crate) fn is_partial(&self) -> bool {
        self.partial
    }

    /// The number of features.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no features.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether an extractor emitted more than [`MAX_FEATURES`] in total and some were dropped.
    #[must_use]
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The change code of the extracted context, if the extraction computed it.
    pub(crate) fn change(&self) -> Option<u64> {
        self.change
    }

    /// The `(index, value)` pairs, in emission order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, f32)> + '_ {
        self.indices[..self.len]
            .iter()
            .zip(&self.values[..self.len])
            .map(|(&index, &value)| (index as usize, value))
    }
}

/// Vectors are equal when their features and truncation are: what lies past the length
/// (left by an earlier use of a reused vector) is not part of the vector.
impl PartialEq for FeatureVector {
    fn eq(&self, other: &Self) -> bool {
        self.truncated == other.truncated
            && self.partial == other.partial
            && self.indices[..self.len] == other.indices[..other.len]
            && self.values[..self.len] == other.values[..other.len]
    }
}

impl Default for FeatureVector {
    /// No features.
    fn default() -> Self {
        FeatureVector::empty()
    }
}

/// Where a [`FeatureExtractor`] writes its features.
///
/// Namespaces keep equal tokens of different aspects apart: the token `"fly"` of a property
/// name and of a sibling's name land in different slots.
#[derive(Debug)]
pub struct FeatureSink<'a> {
    vector: &'a mut FeatureVector,
    mask: u32,
    start: usize,
}

impl FeatureSink<'_> {
    /// Adds the token `token` (compared case-insensitively) of `namespace` with value 1.
    pub fn add_token(&mut self, namespace: u64, token: &str) {
        self.add_hashed(token_hash(namespace, token), 1.0);
    }

    /// Adds a numeric feature of `namespace`; `value` is clamped to `[0, 1]`, NaN counts as 0.
    pub fn add_numeric(&mut self, namespace: u64, value: f32) {
        self.add_hashed(numeric_hash(namespace), value);
    }

    /// Adds a feature whose slot is chosen by an already mixed 64-bit `hash`; `value` is
    /// clamped to `[0, 1]`, NaN counts as 0.
    pub fn add_hashed(&mut self, hash: u64, value: f32) {
        let value = if value.is_nan() {
            0.0
        } else {
            value.clamp(0.0, 1.0)
        };
        if value == 0.0 {
            return;
        }
        let vector = &mut *self.vector;
        if vector.len == MAX_FEATURES {
            vector.truncated = true;
            return;
        }
        // The high bits of a mixed hash are as good as the low ones; use the low ones.
        vector.indices[vector.len] = (hash as u32) & self.mask;
        vector.values[vector.len] = value;
        vector.len += 1;
    }

    /// Adds one feature of value `value` (in `(0, 1]`, the group's value after
    /// normalisation) per hash, given by its low 32 bits (all a slot uses), if they all fit
    /// and the group is empty so far; returns whether it did (otherwise it added nothing).
    pub(crate) fn add_hashed_normalised(&mut self, low_hashes: &[u32], value: f32) -> bool {
        let vector = &mut *self.vector;
        let end = vector.len + low_hashes.len();
        if vector.len != self.start || end > MAX_FEATURES || !(value > 0.0 && value <= 1.0) {
            return false;
        }
        // Two plain passes (a mask, a fill), which vectorise.
        let mask = self.mask;
        for (slot, &low) in vector.indices[vector.len..end].iter_mut().zip(low_hashes) {
            *slot = low & mask;
        }
        vector.values[vector.len..end].fill(value);
        vector.len = end;
        true
    }

    /// Scales what the current extractor emitted to at most [`MAX_GROUP_NORM`] long.
    fn normalise_group(&mut self) {
        let group = &mut self.vector.values[self.start..self.vector.len];
        // Values are in [0, 1]: four or fewer are at most `MAX_GROUP_NORM` (2) long, which
        // needs no scaling (so skipping the sum and the square root changes no bit).
        const NEVER_SCALED: usize = 4;
        const _: () = assert!(NEVER_SCALED as f32 <= MAX_GROUP_NORM * MAX_GROUP_NORM);
        if group.len() <= NEVER_SCALED {
            return;
        }
        let norm = group.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > MAX_GROUP_NORM {
            group.iter_mut().for_each(|v| *v *= MAX_GROUP_NORM / norm);
        }
    }
}
