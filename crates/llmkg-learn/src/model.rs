//! An online logistic-regression classifier over hashed features.
//!
//! Written here rather than taken from a crate: it is a few lines, and owning it keeps the
//! patterns file's layout (one `f32` per slot plus a bias) under our control.

use serde::{Deserialize, Serialize};

use crate::FeatureVector;

/// Logits are clamped to this magnitude so a probability is never exactly 0 or 1: in `f32`,
/// `sigmoid(15)` is the largest value below 1 that keeps a margin (about 3e-7).
const MAX_LOGIT: f32 = 15.0;

/// `P(exception | x) = sigmoid(bias + w · x)`, trained by stochastic gradient descent on
/// the log loss with L2 regularisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LogisticModel {
    pub(crate) weights: Vec<f32>,
    pub(crate) bias: f32,
}

impl LogisticModel {
    pub(crate) fn new(dimension: usize) -> Self {
        LogisticModel {
            weights: vec![0.0; dimension],
            bias: 0.0,
        }
    }

    /// The probability the model gives `features`.
    pub(crate) fn predict(&self, features: &FeatureVector) -> f32 {
        let mut logit = self.bias;
        for (index, value) in features.iter() {
            // Indices are masked to the dimension by the sink; `get` keeps a vector hashed
            // for a larger dimension from panicking.
            logit += self.weights.get(index).copied().unwrap_or(0.0) * value;
        }
        sigmoid(logit)
    }

    /// One gradient step towards `label` (a probability), scaled by `sample_weight`, and
    /// returns the prediction made before the step.
    ///
    /// Regularisation is applied to the weights this example touches only (the usual sparse
    /// approximation): shrinking all slots on every step would cost the whole dimension.
    pub(crate) fn update(
        &mut self,
        features: &FeatureVector,
        label: f32,
        sample_weight: f32,
        learning_rate: f32,
        l2_regularisation: f32,
    ) -> f32 {
        let prediction = self.predict(features);
        let gradient = (prediction - label) * sample_weight;
        self.bias -= learning_rate * gradient;
        for (index, value) in features.iter() {
            if let Some(weight) = self.weights.get_mut(index) {
                *weight -= learning_rate * (gradient * value + l2_regularisation * *weight);
            }
        }
        prediction
    }

    /// Whether every parameter is a finite number, as loading requires.
    pub(crate) fn is_finite(&self) -> bool {
        self.bias.is_finite() && self.weights.iter().all(|w| w.is_finite())
    }
}

fn sigmoid(logit: f32) -> f32 {
    1.0 / (1.0 + (-logit.clamp(-MAX_LOGIT, MAX_LOGIT)).exp())
}

#[cfg(test)]
mod tests {
    use llmkg_core::PropertyValue;

    use super::*;
    use crate::ExceptionContext;

    fn features(node_type: &str) -> FeatureVector {
        let context = ExceptionContext::new(
            "can_fly",
            PropertyValue::Boolean(true),
            PropertyValue::Boolean(false),
            node_type,
            1,
        );
        FeatureVector::standard(&context, 10)
    }

    #[test]
    fn untrained_model_says_one_half() {
        assert_eq!(LogisticModel::new(1024).predict(&features("Penguin")), 0.5);
    }

    #[test]
    fn steps_move_towards_the_label() {
        let mut model = LogisticModel::new(1024);
        let x = features("Penguin");
        let before = model.predict(&x);
        model.update(&x, 1.0, 1.0, 0.5, 0.0);
        let raised = model.predict(&x);
        assert!(raised > before);
        model.update(&x, 0.0, 1.0, 0.5, 0.0);
        assert!(model.predict(&x) < raised);
    }

    #[test]
    fn sigmoid_stays_in_the_unit_interval() {
        for logit in [
            f32::NEG_INFINITY,
            -1e30,
            -5.0,
            0.0,
            5.0,
            1e30,
            f32::INFINITY,
        ] {
            let p = sigmoid(logit);
            assert!(
                (0.0..=1.0).contains(&p) && p > 0.0 && p < 1.0,
                "{logit} -> {p}"
            );
        }
    }
}
