//! One node's examples learned together: the features every property of a node shares (its
//! type and its common sibling group) take one summed step per node instead of one per
//! property.

use std::collections::HashMap;

use llmkg_core::PropertyValue;

use super::PatternLearner;
use crate::context::ExceptionContext;
use crate::error::{LearnError, Result};
use crate::features::{FeatureVector, NodeFeatureCache};

/// A node's shared features and what its examples taught them so far, for
/// [`PatternLearner::node_batch`] and the `_batched` calls.
///
/// A node of `n` properties repeats its type's and its siblings' features in all `n`
/// examples; stepping each of those coordinates `n` times costs most of learning a large
/// node. A batch treats them as one mini-batch per node: predictions read them as they were
/// when the batch began, each example adds its gradient to one sum, and
/// [`PatternLearner::finish_node`] takes one step with it. The features of each property (its
/// name, its values, the crosses, the depth) still learn example by example. A property
/// whose sibling features are not the node's common group (one of the 32 with the smallest
/// name hashes) learns all of its features example by example, as without a batch, and so
/// does every property of a node of at most 32 (whose batch holds no shared features).
///
/// ```
/// use std::collections::HashMap;
/// use llmkg_core::PropertyValue;
/// use llmkg_learn::{ExceptionContext, FeatureVector, PatternLearner};
///
/// let siblings: HashMap<String, PropertyValue> =
///     (0..100).map(|i| (format!("trait_{i}"), PropertyValue::Boolean(i % 2 == 0))).collect();
/// let mut learner = PatternLearner::new();
/// let mut batch = learner.node_batch("Penguin", &siblings);
/// let mut features = FeatureVector::default();
/// for i in 0..100 {
///     let value = PropertyValue::Boolean(i % 2 == 0);
///     let context = ExceptionContext::new(format!("trait_{i}"), value.clone(), value, "Penguin", 1);
///     learner.features_batched_into(&context, &batch, &mut features)?;
///     learner.observe_non_exception_batched(&context, &features, &mut batch)?;
/// }
/// learner.finish_node(batch);
/// assert_eq!(learner.statistics().non_exceptions_observed, 100);
/// # Ok::<(), llmkg_learn::LearnError>(())
/// ```
#[derive(Clone, Debug)]
pub struct NodeBatch {
    cache: NodeFeatureCache,
    /// The shared features as the model sees them; none for a node whose every property
    /// has a sibling group of its own (at most 32 siblings), which learns unbatched.
    shared: Option<FeatureVector>,
    /// Their dot product with the weights when the batch began.
    shared_logit: f32,
    /// The sum of the loss gradients of the examples that read them.
    gradient: f32,
}

impl NodeBatch {
    /// The node's cache of type and sibling hashes.
    #[must_use]
    pub fn cache(&self) -> &NodeFeatureCache {
        &self.cache
    }
}

impl PatternLearner {
    /// A batch for the examples of one node of type `node_type` whose properties are
    /// `siblings` (see [`NodeBatch`]); [`finish_node`](Self::finish_node) applies it.
    #[must_use]
    pub fn node_batch(
        &self,
        node_type: &str,
        siblings: &HashMap<String, PropertyValue>,
    ) -> NodeBatch {
        let cache = NodeFeatureCache::new(node_type, siblings);
        let shared = cache
            .has_common_group()
            .then(|| FeatureVector::shared_of(&cache, self.config.dimension_bits));
        NodeBatch {
            shared_logit: shared.as_ref().map_or(0.0, |shared| self.model.dot(shared)),
            cache,
            shared,
            gradient: 0.0,
        }
    }

    /// [`features_cached_into`](Self::features_cached_into) for a batched example: the
    /// node's shared features are left to `batch` wherever they apply.
    ///
    /// # Errors
    ///
    /// As [`features_cached_into`](Self::features_cached_into).
    pub fn features_batched_into(
        &self,
        context: &ExceptionContext,
        batch: &NodeBatch,
        features: &mut FeatureVector,
    ) -> Result<()> {
        context.validate_own()?;
        batch.cache.check_siblings()?;
        FeatureVector::cached_into(
            context,
            self.config.dimension_bits,
            &batch.cache,
            features,
            batch.shared.is_some(),
        );
        Ok(())
    }

    /// The likelihood of a batched example, `features` being
    /// [`features_batched_into`](Self::features_batched_into) of it.
    #[must_use]
    pub fn predict_batched(&self, features: &FeatureVector, batch: &NodeBatch) -> f32 {
        if features.is_partial() {
            self.model.predict_with(features, batch.shared_logit)
        } else {
            self.model.predict(features)
        }
    }

    /// [`learn_detected_scored`](Self::learn_detected_scored) of one of `batch`'s examples.
    ///
    /// # Errors
    ///
    /// As [`learn_from_exception`](Self::learn_from_exception), checked after `score`;
    /// nothing changes then.
    pub fn learn_detected_batched(
        &mut self,
        confidence: f32,
        context: &ExceptionContext,
        features: &FeatureVector,
        batch: &mut NodeBatch,
        score: impl FnOnce(f32, f32) -> f32,
    ) -> Result<f32> {
        let likelihood = self.predict_batched(features, batch);
        let confidence = score(confidence, likelihood);
        context.validate_own()?;
        if !(confidence.is_finite() && (0.0..=1.0).contains(&confidence)) {
            return Err(LearnError::InvalidConfidence(confidence));
        }
        self.train_batched(features, likelihood, 1.0, confidence, batch);
        self.patterns.record_positive_hashed(
            context,
            features.change(),
            None,
            self.config.max_patterns,
            batch.cache.pattern_node(context),
        );
        self.counters.exceptions_learned += 1;
        Ok(confidence)
    }

    /// [`observe_non_exception_features`](Self::observe_non_exception_features) of one of
    /// `batch`'s examples.
    ///
    /// # Errors
    ///
    /// As [`observe_non_exception`](Self::observe_non_exception); nothing changes then.
    pub fn observe_non_exception_batched(
        &mut self,
        context: &ExceptionContext,
        features: &FeatureVector,
        batch: &mut NodeBatch,
    ) -> Result<()> {
        context.validate_own()?;
        let prediction = self.predict_batched(features, batch);
        self.train_batched(features, prediction, 0.0, 1.0, batch);
        self.counters.non_exceptions_observed += 1;
        Ok(())
    }

    /// Applies what `batch`'s examples taught the node's shared features: one step of the
    /// summed gradient.
    pub fn finish_node(&mut self, batch: NodeBatch) {
        if let Some(shared) = &batch.shared
            && batch.gradient != 0.0
        {
            self.model
                .update_coordinates(shared, batch.gradient, self.config.hyperparameters());
        }
    }

    fn train_batched(
        &mut self,
        features: &FeatureVector,
        prediction: f32,
        label: f32,
        sample_weight: f32,
        batch: &mut NodeBatch,
    ) {
        self.model.update_from(
            features,
            prediction,
            label,
            sample_weight,
            self.config.hyperparameters(),
        );
        if features.is_partial() {
            batch.gradient += (prediction - label) * sample_weight;
        }
        self.counters.record(prediction, label);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use llmkg_core::PropertyValue;

    use super::*;

    fn node(n_properties: usize) -> HashMap<String, PropertyValue> {
        (0..n_properties)
            .map(|i| (format!("prop_{i}"), PropertyValue::Boolean(i % 3 == 0)))
            .collect()
    }

    fn context(property: &str, changed: bool) -> ExceptionContext {
        let actual = PropertyValue::Boolean(!changed);
        ExceptionContext::new(
            property,
            PropertyValue::Boolean(true),
            actual,
            "King_Penguin",
            2,
        )
    }

    /// A partial vector and the batch's shared features are, together, the full vector.
    #[test]
    fn partial_and_shared_features_make_the_full_vector() {
        let siblings = node(200);
        let learner = PatternLearner::new();
        let batch = learner.node_batch("King_Penguin", &siblings);
        let mut n_partial = 0;
        for i in 0..200 {
            let context = context(&format!("prop_{i}"), i % 2 == 0);
            let mut partial = FeatureVector::default();
            learner
                .features_batched_into(&context, &batch, &mut partial)
                .unwrap();
            let full = learner.features_cached(&context, batch.cache()).unwrap();
            let mut expected: Vec<(usize, u32)> =
                full.iter().map(|(i, v)| (i, v.to_bits())).collect();
            let mut found: Vec<(usize, u32)> =
                partial.iter().map(|(i, v)| (i, v.to_bits())).collect();
            if partial.is_partial() {
                n_partial += 1;
                let shared = batch.shared.as_ref().unwrap();
                found.extend(shared.iter().map(|(i, v)| (i, v.to_bits())));
            }
            expected.sort_unstable();
            found.sort_unstable();
            assert_eq!(found, expected, "prop_{i}");
        }
        // All but the 32 properties with the smallest sibling hashes.
        assert_eq!(n_partial, 200 - 32);
    }

    /// A node of at most 32 properties has no common group: batched learning is the
    /// example-by-example learning, bit for bit.
    #[test]
    fn a_small_node_learns_as_without_a_batch() {
        let siblings = node(20);
        let mut batched = PatternLearner::new();
        let mut sequential = PatternLearner::new();
        for _ in 0..3 {
            let mut batch = batched.node_batch("King_Penguin", &siblings);
            assert!(batch.shared.is_none());
            let cache = NodeFeatureCache::new("King_Penguin", &siblings);
            for i in 0..20 {
                let context = context(&format!("prop_{i}"), i % 2 == 0);
                let mut features = FeatureVector::default();
                batched
                    .features_batched_into(&context, &batch, &mut features)
                    .unwrap();
                assert!(!features.is_partial());
                let full = sequential.features_cached(&context, &cache).unwrap();
                if i % 2 == 0 {
                    let score = |confidence: f32, likelihood: f32| (confidence + likelihood) / 2.0;
                    let a = batched
                        .learn_detected_batched(0.9, &context, &features, &mut batch, score)
                        .unwrap();
                    let b = sequential
                        .learn_detected_scored(0.9, &context, &full, &cache, score)
                        .unwrap();
                    assert_eq!(a.to_bits(), b.to_bits());
                } else {
                    batched
                        .observe_non_exception_batched(&context, &features, &mut batch)
                        .unwrap();
                    sequential
                        .observe_non_exception_features(&context, &full)
                        .unwrap();
                }
            }
            batched.finish_node(batch);
        }
        assert_eq!(batched, sequential);
    }

    /// The shared features learn too: after a node of exceptions, a new property of the
    /// same node scores higher than before.
    #[test]
    fn the_shared_features_learn_once_per_node() {
        let siblings = node(300);
        let mut learner = PatternLearner::new();
        let probe = context("prop_unseen_name", true);
        let probe_before = learner.predict_exception_likelihood(&ExceptionContext {
            sibling_properties: siblings.clone(),
            ..probe.clone()
        });
        let mut batch = learner.node_batch("King_Penguin", &siblings);
        let mut features = FeatureVector::default();
        for i in 0..300 {
            let context = context(&format!("prop_{i}"), true);
            learner
                .features_batched_into(&context, &batch, &mut features)
                .unwrap();
            learner
                .learn_detected_batched(0.9, &context, &features, &mut batch, |c, _| c)
                .unwrap();
        }
        let gradient = batch.gradient;
        assert!(gradient < 0.0, "{gradient}");
        learner.finish_node(batch);
        let probe_after = learner.predict_exception_likelihood(&ExceptionContext {
            sibling_properties: siblings,
            ..probe
        });
        assert!(
            probe_after > probe_before,
            "{probe_before} -> {probe_after}"
        );
    }
}
