//! The learner's settings.

use serde::{Deserialize, Serialize};

use crate::error::{LearnError, Result};

/// How a [`PatternLearner`](crate::PatternLearner) learns.
///
/// ```
/// use llmkg_learn::{LearnerConfig, PatternLearner};
/// let config = LearnerConfig { dimension_bits: 12, ..LearnerConfig::default() };
/// let learner = PatternLearner::with_config(config)?;
/// assert_eq!(learner.statistics().dimension, 4096);
/// # Ok::<(), llmkg_learn::LearnError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnerConfig {
    /// The model has `2^dimension_bits` weights (4 bytes each); in `8..=24`, default 14.
    pub dimension_bits: u32,
    /// FTRL-Proximal's `alpha`, the scale of each coordinate's steps; in `(0, 10]`,
    /// default 0.3 (chosen on the synthetic accuracy test: 0.2 learns slower, 0.5 starts to
    /// overfit 100 examples).
    pub learning_rate: f32,
    /// L1 penalty: a slot's weight stays zero until its evidence exceeds it, which keeps
    /// rarely useful slots empty; in `[0, 10]`, default 0.
    pub l1_regularisation: f32,
    /// L2 penalty on the weights; in `[0, 100]`, default 1.
    pub l2_regularisation: f32,
    /// How many ordinary examples one piece of user feedback counts as; in `(0, 100]`,
    /// default 2.
    pub feedback_weight: f32,
    /// The pattern similarity a suggestion needs; in `[0, 1]`, default 0.8.
    pub suggestion_threshold: f32,
    /// The most patterns kept; further kinds of override still train the model but are not
    /// counted. At least 1, default 65,536.
    pub max_patterns: usize,
}

impl Default for LearnerConfig {
    fn default() -> Self {
        LearnerConfig {
            dimension_bits: 14,
            learning_rate: 0.3,
            l1_regularisation: 0.0,
            l2_regularisation: 1.0,
            feedback_weight: 2.0,
            suggestion_threshold: 0.8,
            max_patterns: 1 << 16,
        }
    }
}

impl LearnerConfig {
    /// Checks every field against its documented range.
    pub fn validate(&self) -> Result<()> {
        fn check(
            ok: bool,
            field: &'static str,
            value: String,
            expected: &'static str,
        ) -> Result<()> {
            if ok {
                Ok(())
            } else {
                Err(LearnError::InvalidConfig {
                    field,
                    value,
                    expected,
                })
            }
        }
        check(
            (8..=24).contains(&self.dimension_bits),
            "dimension_bits",
            self.dimension_bits.to_string(),
            "an integer in 8..=24",
        )?;
        check(
            self.learning_rate > 0.0 && self.learning_rate <= 10.0,
            "learning_rate",
            self.learning_rate.to_string(),
            "a number in (0, 10]",
        )?;
        check(
            (0.0..=10.0).contains(&self.l1_regularisation),
            "l1_regularisation",
            self.l1_regularisation.to_string(),
            "a number in [0, 10]",
        )?;
        check(
            (0.0..=100.0).contains(&self.l2_regularisation),
            "l2_regularisation",
            self.l2_regularisation.to_string(),
            "a number in [0, 100]",
        )?;
        check(
            self.feedback_weight > 0.0 && self.feedback_weight <= 100.0,
            "feedback_weight",
            self.feedback_weight.to_string(),
            "a number in (0, 100]",
        )?;
        check(
            (0.0..=1.0).contains(&self.suggestion_threshold),
            "suggestion_threshold",
            self.suggestion_threshold.to_string(),
            "a number in [0, 1]",
        )?;
        check(
            self.max_patterns >= 1,
            "max_patterns",
            self.max_patterns.to_string(),
            "at least 1",
        )
    }

    /// The number of weights, `2^dimension_bits`.
    #[must_use]
    pub fn dimension(&self) -> usize {
        1 << self.dimension_bits
    }

    pub(crate) fn hyperparameters(&self) -> crate::model::Hyperparameters {
        crate::model::Hyperparameters {
            learning_rate: self.learning_rate,
            l1: self.l1_regularisation,
            l2: self.l2_regularisation,
        }
    }
}
