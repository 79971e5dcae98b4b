//! The pattern learner: trains the model, keeps the patterns, takes feedback.

mod batch;
mod persist;

use std::path::Path;

use llmkg_core::PropertyValue;
use llmkg_exception::{
    ChangeKind, Exception, ExceptionSource, PatternHint, PatternSource, compare, describe_pattern,
};
use serde::{Deserialize, Serialize};

use crate::config::LearnerConfig;
use crate::context::{ExceptionContext, UserFeedback};
use crate::error::{LearnError, Result};
use crate::features::{FeatureVector, NodeFeatureCache};
use crate::model::LogisticModel;
use crate::patterns::{PatternMatch, PatternNodeHashes, PatternTable};

pub use self::batch::NodeBatch;

/// Learns which overrides of inherited values are typical, from exceptions (positive
/// examples), values that matched what they inherit (negative examples) and user feedback.
///
/// Two parts learn side by side. An online logistic-regression model over hashed features
/// of the context ([`FeatureVector`]) gives calibrated probabilities
/// ([`predict_exception_likelihood`](Self::predict_exception_likelihood)). A table of
/// patterns, one per property and kind of change, counts support and keeps the frequent
/// node types and reasons, which explain and name exceptions
/// ([`suggest_exception_reason`](Self::suggest_exception_reason),
/// [`best_matching_patterns`](Self::best_matching_patterns)).
///
/// ```
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{Exception, ExceptionSource};
/// use llmkg_learn::{ExceptionContext, PatternLearner};
///
/// let mut learner = PatternLearner::new();
/// let flightless = Exception::new(
///     PropertyValue::Boolean(true), PropertyValue::Boolean(false),
///     "penguins are flightless", ExceptionSource::Explicit, 1.0,
/// );
/// let penguin = ExceptionContext::new(
///     "can_fly", PropertyValue::Boolean(true), PropertyValue::Boolean(false), "Penguin", 2,
/// );
/// let sparrow = ExceptionContext::new(
///     "can_fly", PropertyValue::Boolean(true), PropertyValue::Boolean(true), "Sparrow", 2,
/// );
/// for _ in 0..20 {
///     learner.learn_from_exception(&flightless, &penguin)?;
///     learner.observe_non_exception(&sparrow)?;
/// }
/// let emperor = ExceptionContext { node_type: "Emperor_Penguin".into(), ..penguin };
/// assert!(learner.predict_exception_likelihood(&emperor) > 0.8);
/// assert!(learner.suggest_exception_reason(&emperor).unwrap().contains("flightless"));
/// # Ok::<(), llmkg_learn::LearnError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PatternLearner {
    config: LearnerConfig,
    model: LogisticModel,
    patterns: PatternTable,
    pending_feedback: Vec<(ExceptionContext, UserFeedback)>,
    counters: Counters,
}

/// What a learner has seen and how well it predicts, from [`PatternLearner::statistics`].
#[derive(Clone, Debug, PartialEq)]
pub struct LearnerStatistics {
    /// Exceptions learned from.
    pub exceptions_learned: u64,
    /// Non-exceptions observed.
    pub non_exceptions_observed: u64,
    /// Feedback items applied.
    pub feedback_processed: u64,
    /// Feedback items waiting for [`PatternLearner::process_feedback_batch`].
    pub feedback_pending: usize,
    /// Patterns held.
    pub pattern_count: usize,
    /// New patterns not kept because `max_patterns` was reached.
    pub patterns_dropped: u64,
    /// Mean log loss of each prediction made just before training on its example
    /// (progressive validation); `None` before the first example.
    pub progressive_log_loss: Option<f64>,
    /// Share of those predictions on the right side of 0.5; `None` before the first example.
    pub progressive_accuracy: Option<f64>,
    /// The number of weights.
    pub dimension: usize,
    /// Weights that are not zero.
    pub nonzero_weights: usize,
    /// Heap bytes held by the model, the patterns and the feedback queue, from capacities.
    pub heap_bytes: usize,
}

/// Running totals, saved with the patterns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Counters {
    exceptions_learned: u64,
    non_exceptions_observed: u64,
    feedback_processed: u64,
    predictions: u64,
    correct_predictions: u64,
    log_loss_sum: f64,
}

impl Counters {
    fn record(&mut self, prediction: f32, label: f32) {
        // Probabilities never reach 0 or 1 (see the model), but a clamp keeps the loss
        // finite whatever the model becomes.
        let p = f64::from(prediction).clamp(1e-12, 1.0 - 1e-12);
        let y = f64::from(label);
        // A term whose weight is zero adds a zero (`0 * ln q` is -0.0, which leaves a sum
        // unchanged), so its logarithm is skipped: hard labels take one `ln`, not two.
        let term = |weight: f64, q: f64| if weight == 0.0 { 0.0 } else { weight * q.ln() };
        self.log_loss_sum -= term(y, p) + term(1.0 - y, 1.0 - p);
        self.predictions += 1;
        if (prediction >= 0.5) == (label >= 0.5) {
            self.correct_predictions += 1;
        }
    }
}

impl Default for PatternLearner {
    fn default() -> Self {
        PatternLearner::new()
    }
}

impl PatternLearner {
    /// A learner with the default [`LearnerConfig`] that has learned nothing: every
    /// likelihood is 0.5.
    #[must_use]
    pub fn new() -> Self {
        let config = LearnerConfig::default();
        PatternLearner::from_valid_config(config)
    }

    /// A learner with `config`, checked by [`LearnerConfig::validate`].
    pub fn with_config(config: LearnerConfig) -> Result<Self> {
        config.validate()?;
        Ok(PatternLearner::from_valid_config(config))
    }

    fn from_valid_config(config: LearnerConfig) -> Self {
        PatternLearner {
            model: LogisticModel::new(config.dimension()),
            config,
            patterns: PatternTable::default(),
            pending_feedback: Vec::new(),
            counters: Counters::default(),
        }
    }

    /// The settings this learner runs with.
    #[must_use]
    pub fn config(&self) -> &LearnerConfig {
        &self.config
    }

    /// Learns from one exception in its context: a positive example weighted by the
    /// exception's confidence, counted in the pattern of its property and kind of change
    /// with its reason. The features come from `context`; `exception` gives the reason and
    /// the confidence. A [`Detected`](ExceptionSource::Detected) exception's reason is the
    /// detector's own sentence, so it counts as support but is not learned as a reason
    /// (learning it back would only stack templates).
    ///
    /// Fails, changing nothing, on an empty property name or an invalid confidence.
    pub fn learn_from_exception(
        &mut self,
        exception: &Exception,
        context: &ExceptionContext,
    ) -> Result<()> {
        self.learn_from_exception_with(exception, context, None, None)
    }

    /// [`learn_from_exception`](Self::learn_from_exception) with `context`'s features given:
    /// `features` must be [`features_cached`](Self::features_cached) of `context` (so one
    /// extraction serves a prediction and the learning that follows it).
    ///
    /// # Errors
    ///
    /// As [`learn_from_exception`](Self::learn_from_exception).
    pub fn learn_from_exception_features(
        &mut self,
        exception: &Exception,
        context: &ExceptionContext,
        features: &FeatureVector,
    ) -> Result<()> {
        self.learn_from_exception_with(exception, context, Some((features, None)), None)
    }

    /// Scores and learns one exception of a node in one pass: `score` sees the likelihood
    /// [`predict_features`](Self::predict_features) gives `features` and may change the
    /// exception (its confidence, say) before it is learned as by
    /// [`learn_from_exception_features`](Self::learn_from_exception_features). The same
    /// steps as those two calls, with the prediction made once and `cache`'s node-type
    /// hashes counted in the pattern; `features` must be
    /// [`features_cached`](Self::features_cached) of `context` and `cache`.
    ///
    /// Returns the likelihood.
    ///
    /// # Errors
    ///
    /// As [`learn_from_exception`](Self::learn_from_exception), checked after `score`.
    pub fn learn_from_exception_scored(
        &mut self,
        exception: &mut Exception,
        context: &ExceptionContext,
        features: &FeatureVector,
        cache: &NodeFeatureCache,
        score: impl FnOnce(&mut Exception, f32),
    ) -> Result<f32> {
        let likelihood = self.predict_features(features);
        score(exception, likelihood);
        self.learn_from_exception_with(
            exception,
            context,
            Some((features, Some(likelihood))),
            cache.pattern_node(context),
        )?;
        Ok(likelihood)
    }

    /// [`learn_from_exception_scored`](Self::learn_from_exception_scored) of a
    /// [`Detected`](ExceptionSource::Detected) exception given by its confidence alone (a
    /// detected exception's reason is not learned, so no `Exception` is needed): `score`
    /// maps the confidence and the likelihood to the confidence learned from, which is
    /// returned.
    ///
    /// # Errors
    ///
    /// As [`learn_from_exception`](Self::learn_from_exception), checked after `score`.
    pub fn learn_detected_scored(
        &mut self,
        confidence: f32,
        context: &ExceptionContext,
        features: &FeatureVector,
        cache: &NodeFeatureCache,
        score: impl FnOnce(f32, f32) -> f32,
    ) -> Result<f32> {
        let likelihood = self.predict_features(features);
        let confidence = score(confidence, likelihood);
        self.learn_positive(
            confidence,
            None,
            context,
            Some((features, Some(likelihood))),
            cache.pattern_node(context),
        )?;
        Ok(confidence)
    }

    fn learn_from_exception_with(
        &mut self,
        exception: &Exception,
        context: &ExceptionContext,
        features: Option<(&FeatureVector, Option<f32>)>,
        node: Option<&PatternNodeHashes>,
    ) -> Result<()> {
        let reason =
            (exception.source != ExceptionSource::Detected).then_some(exception.reason.as_str());
        self.learn_positive(exception.confidence, reason, context, features, node)
    }

    /// One positive example of `confidence`, counted in its pattern with `reason`.
    fn learn_positive(
        &mut self,
        confidence: f32,
        reason: Option<&str>,
        context: &ExceptionContext,
        features: Option<(&FeatureVector, Option<f32>)>,
        node: Option<&PatternNodeHashes>,
    ) -> Result<()> {
        validate(context, features.map(|(features, _)| features))?;
        if !(confidence.is_finite() && (0.0..=1.0).contains(&confidence)) {
            return Err(LearnError::InvalidConfidence(confidence));
        }
        self.train(context, features, 1.0, confidence);
        let change = features.and_then(|(features, _)| features.change());
        self.patterns.record_positive_hashed(
            context,
            change,
            reason,
            self.config.max_patterns,
            node,
        );
        self.counters.exceptions_learned += 1;
        Ok(())
    }

    /// Learns from a value that was not an exception (typically one equal to its inherited
    /// value): a negative example.
    ///
    /// Fails, changing nothing, on an empty property name.
    pub fn observe_non_exception(&mut self, context: &ExceptionContext) -> Result<()> {
        self.observe_non_exception_with(context, None)
    }

    /// [`observe_non_exception`](Self::observe_non_exception) with `context`'s features
    /// given (see [`learn_from_exception_features`](Self::learn_from_exception_features)).
    ///
    /// # Errors
    ///
    /// As [`observe_non_exception`](Self::observe_non_exception).
    pub fn observe_non_exception_features(
        &mut self,
        context: &ExceptionContext,
        features: &FeatureVector,
    ) -> Result<()> {
        self.observe_non_exception_with(context, Some(features))
    }

    fn observe_non_exception_with(
        &mut self,
        context: &ExceptionContext,
        features: Option<&FeatureVector>,
    ) -> Result<()> {
        validate(context, features)?;
        self.train(context, features.map(|features| (features, None)), 0.0, 1.0);
        self.counters.non_exceptions_observed += 1;
        Ok(())
    }

    /// The learner's features of `context`, the node-level groups read from `siblings`, a
    /// [`NodeFeatureCache`] of `context`'s node type and its node's properties (for many
    /// properties of one node: the type and the siblings are hashed once per node, not once
    /// per call). Equal to what every other call extracts from `context` itself when
    /// `context.sibling_properties` is that map; the cached calls never read it, so a
    /// context may leave it empty and the cache stand for it.
    ///
    /// # Errors
    ///
    /// What [`ExceptionContext::validate`] finds (the siblings' depth as the cache checked
    /// it once): the `_features` calls then trust the vector and check only the context's
    /// name and values.
    pub fn features_cached(
        &self,
        context: &ExceptionContext,
        siblings: &NodeFeatureCache,
    ) -> Result<FeatureVector> {
        let mut features = FeatureVector::default();
        self.features_cached_into(context, siblings, &mut features)?;
        Ok(features)
    }

    /// [`features_cached`](Self::features_cached) written into `features` (replacing what it
    /// held), so one vector serves all of a node's properties.
    ///
    /// # Errors
    ///
    /// As [`features_cached`](Self::features_cached); `features` is unchanged then.
    pub fn features_cached_into(
        &self,
        context: &ExceptionContext,
        siblings: &NodeFeatureCache,
        features: &mut FeatureVector,
    ) -> Result<()> {
        context.validate_own()?;
        siblings.check_siblings()?;
        FeatureVector::standard_cached_into(
            context,
            self.config.dimension_bits,
            siblings,
            features,
        );
        Ok(())
    }

    /// One training step on `context`'s features (extracted here when not given), from
    /// the model's prediction of them when the caller made it since the last change.
    fn train(
        &mut self,
        context: &ExceptionContext,
        features: Option<(&FeatureVector, Option<f32>)>,
        label: f32,
        sample_weight: f32,
    ) {
        let extracted;
        let (features, predicted) = match features {
            Some(given) => given,
            None => {
                extracted = FeatureVector::standard(context, self.config.dimension_bits);
                (&extracted, None)
            }
        };
        let prediction = predicted.unwrap_or_else(|| self.model.predict(features));
        self.model.update_from(
            features,
            prediction,
            label,
            sample_weight,
            self.config.hyperparameters(),
        );
        self.counters.record(prediction, label);
    }

    /// The probability, in `[0, 1]`, that `context` is a genuine exception; 0.5 before any
    /// learning for a value that changes, and 0 for one that does not (by
    /// [`compare`](llmkg_exception::compare): a value equal to the inherited one overrides
    /// nothing). Never fails: an empty property name simply shares fewer features.
    ///
    /// A change in the opposite direction of every example (a `can_fly` false -> true flip
    /// after true -> false ones) shares the property's and the values' features with them,
    /// so it scores below the learned direction but can stay above 0.5 until the learner
    /// sees negative examples of it (non-exceptions or `Incorrect` feedback).
    #[must_use]
    pub fn predict_exception_likelihood(&self, context: &ExceptionContext) -> f32 {
        if compare(&context.inherited_value, &context.actual_value).kind == ChangeKind::Equal {
            return 0.0;
        }
        let features = FeatureVector::standard(context, self.config.dimension_bits);
        self.model.predict(&features)
    }

    /// [`predict_exception_likelihood`](Self::predict_exception_likelihood) from features
    /// already extracted ([`features_cached`](Self::features_cached)).
    #[must_use]
    pub fn predict_features(&self, features: &FeatureVector) -> f32 {
        self.model.predict(features)
    }

    /// A readable reason for `context`, from the best matching pattern if it is similar
    /// enough (`suggestion_threshold`), or else from the pattern of exactly this property
    /// and change if it is general (seen on three or more node types), and in either case
    /// not rejected more often than supported: the reason a user preferred, else the reason
    /// most of its examples gave, else a sentence describing the override
    /// ([`describe_pattern`]: "Emperor_Penguin cannot fly, like Penguin ...").
    #[must_use]
    pub fn suggest_exception_reason(&self, context: &ExceptionContext) -> Option<String> {
        let best = self
            .patterns
            .best_matches(context, 1)
            .into_iter()
            .next()
            .filter(|best| best.similarity >= self.config.suggestion_threshold)
            .or_else(|| self.patterns.general_match(context))?;
        if best.support <= best.rejections {
            return None;
        }
        Some(match best.reason {
            Some(reason) => reason,
            None => describe_pattern(
                &context.node_type,
                &context.property_name,
                &context.inherited_value,
                &context.actual_value,
                best.typical_node_type.as_deref(),
                best.support,
            ),
        })
    }

    /// Up to `limit` patterns that resemble `context`, best first (see
    /// [`PatternMatch::similarity`]).
    #[must_use]
    pub fn best_matching_patterns(
        &self,
        context: &ExceptionContext,
        limit: usize,
    ) -> Vec<PatternMatch> {
        self.patterns.best_matches(context, limit)
    }

    /// How many exceptions of exactly this property and kind of change were learned (0 if
    /// none): a cheap count to weigh a likelihood by.
    #[must_use]
    pub fn pattern_support(&self, context: &ExceptionContext) -> usize {
        usize::try_from(self.patterns.support(context)).unwrap_or(usize::MAX)
    }

    /// Queues feedback on `context`; [`process_feedback_batch`](Self::process_feedback_batch)
    /// applies it. Fails, queueing nothing, on an empty property name, a score outside
    /// `[0, 1]` or a blank reason.
    pub fn add_user_feedback(
        &mut self,
        context: ExceptionContext,
        feedback: UserFeedback,
    ) -> Result<()> {
        context.validate()?;
        feedback.validate()?;
        self.pending_feedback.push((context, feedback));
        Ok(())
    }

    /// Makes room for up to `additional` new patterns (a node's worth of exceptions about to
    /// be learned, say), so the table does not regrow one pattern at a time. Only a hint: it
    /// changes nothing learned, and never reserves past `max_patterns`.
    pub fn reserve_patterns(&mut self, additional: usize) {
        let room = self.config.max_patterns.saturating_sub(self.patterns.len());
        self.patterns.reserve(additional.min(room));
    }

    /// Feedback items waiting to be applied.
    #[must_use]
    pub fn pending_feedback(&self) -> usize {
        self.pending_feedback.len()
    }

    /// Applies every queued feedback item in the order given and returns how many.
    ///
    /// Each item is one training step towards its label, weighted by `feedback_weight`;
    /// `Correct` and `BetterReason` also count as support of the pattern (the latter
    /// becoming its preferred reason), `Incorrect` as a rejection, and `PartiallyCorrect`
    /// as either depending on which side of 0.5 its score is.
    pub fn process_feedback_batch(&mut self) -> usize {
        let batch = std::mem::take(&mut self.pending_feedback);
        let capacity = self.config.max_patterns;
        for (context, feedback) in &batch {
            let label = feedback.label();
            self.train(context, None, label, self.config.feedback_weight);
            match feedback {
                UserFeedback::BetterReason(reason) => {
                    self.patterns.record_positive(context, None, capacity);
                    self.patterns
                        .prefer_reason(context, reason.trim(), capacity);
                }
                _ if label >= 0.5 => self.patterns.record_positive(context, None, capacity),
                _ => self.patterns.record_negative(context),
            }
        }
        self.counters.feedback_processed += batch.len() as u64;
        batch.len()
    }

    /// What the learner has seen and how well it predicts.
    #[must_use]
    pub fn statistics(&self) -> LearnerStatistics {
        let counters = &self.counters;
        let per_prediction =
            |total: f64| (counters.predictions > 0).then(|| total / counters.predictions as f64);
        let feedback_bytes = self.pending_feedback.capacity()
            * std::mem::size_of::<(ExceptionContext, UserFeedback)>()
            + self
                .pending_feedback
                .iter()
                .map(|(context, feedback)| {
                    context_heap_bytes(context)
                        + match feedback {
                            UserFeedback::BetterReason(reason) => reason.capacity(),
                            _ => 0,
                        }
                })
                .sum::<usize>();
        LearnerStatistics {
            exceptions_learned: counters.exceptions_learned,
            non_exceptions_observed: counters.non_exceptions_observed,
            feedback_processed: counters.feedback_processed,
            feedback_pending: self.pending_feedback.len(),
            pattern_count: self.patterns.len(),
            patterns_dropped: self.patterns.dropped,
            progressive_log_loss: per_prediction(counters.log_loss_sum),
            progressive_accuracy: per_prediction(counters.correct_predictions as f64),
            dimension: self.model.dimension(),
            nonzero_weights: self.model.nonzero_weights(),
            heap_bytes: self.model.heap_bytes() + self.patterns.heap_bytes() + feedback_bytes,
        }
    }

    /// Writes everything learned (model, patterns, queued feedback, counters) to `path`
    /// atomically: a temporary file in the same directory, written, synced, then renamed.
    pub fn save_patterns(&self, path: impl AsRef<Path>) -> Result<()> {
        persist::save(self, path.as_ref())
    }

    /// Replaces this learner's state with the one saved at `path`. A missing, truncated,
    /// corrupted or foreign file is a typed error and leaves the learner unchanged.
    pub fn load_patterns(&mut self, path: impl AsRef<Path>) -> Result<()> {
        *self = persist::load(path.as_ref())?;
        Ok(())
    }

    /// A learner read from a file written by [`save_patterns`](Self::save_patterns).
    pub fn from_patterns_file(path: impl AsRef<Path>) -> Result<Self> {
        persist::load(path.as_ref())
    }
}

/// The learner as the detector's pattern source: the pattern of exactly this property and
/// change, if supported more often than rejected, lends its reason (the one a user
/// preferred, else the one most examples gave). The learner's likelihood, not a floor,
/// is what raises a confidence, so it gives no confidence floor.
impl PatternSource for PatternLearner {
    fn pattern_hint(
        &self,
        property: &str,
        _inherited: &PropertyValue,
        _actual: &PropertyValue,
        kind: ChangeKind,
    ) -> Option<PatternHint<'_>> {
        let pattern = self.patterns.find_supported(property, kind)?;
        Some(PatternHint {
            reason: pattern.reason(),
            confidence_floor: None,
        })
    }
}

fn context_heap_bytes(context: &ExceptionContext) -> usize {
    context.property_name.capacity()
        + context.node_type.capacity()
        + context.inherited_value.heap_bytes()
        + context.actual_value.heap_bytes()
        + context.sibling_properties.capacity()
            * (std::mem::size_of::<(String, PropertyValue)>() + 1)
        + context
            .sibling_properties
            .iter()
            .map(|(name, value)| name.capacity() + value.heap_bytes())
            .sum::<usize>()
}

/// The whole context, or, with features from [`PatternLearner::features_cached`] (which
/// checked the siblings once per node), only its name and values.
fn validate(context: &ExceptionContext, features: Option<&FeatureVector>) -> Result<()> {
    match features {
        Some(_) => context.validate_own(),
        None => context.validate(),
    }
}
