//! An online logistic-regression classifier over hashed features, trained by
//! FTRL-Proximal.
//!
//! FTRL-Proximal (McMahan et al., "Ad Click Prediction: a View from the Trenches", 2013) is
//! logistic regression with per-coordinate adaptive step sizes and L1 + L2 regularisation.
//! Per-coordinate steps matter here: a feature seen in every example (the property's
//! name) soon takes small steps, while a rare crossed feature ("`can_fly` on a penguin")
//! still learns quickly from its few examples. It is a few lines, so it is written here
//! rather than taken from a crate, which also keeps the patterns file's layout ours.

use serde::{Deserialize, Serialize};

use crate::features::FeatureVector;

/// Logits are clamped to this magnitude so a probability is never exactly 0 or 1: in `f32`,
/// `sigmoid(15)` is the largest value below 1 that keeps a margin (about 3e-7).
const MAX_LOGIT: f32 = 15.0;
/// FTRL's `beta`: smooths the first steps of a coordinate (1 is the usual choice).
const BETA: f32 = 1.0;

/// The regularisation and step size a model trains with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hyperparameters {
    pub(crate) learning_rate: f32,
    pub(crate) l1: f32,
    pub(crate) l2: f32,
}

/// `P(exception | x) = sigmoid(b + w · x)`. The state is FTRL's `z` and `sqrt(n)` per
/// coordinate; the weights follow from them and are cached, so predicting is a plain dot
/// product.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LogisticModel {
    /// Accumulated adjusted gradients, one per slot.
    z: Vec<f32>,
    /// Square roots of the accumulated squared gradients, one per slot.
    root_n: Vec<f32>,
    bias_z: f32,
    bias_root_n: f32,
    /// The weights `z` and `root_n` imply; rebuilt on load, never saved.
    #[serde(skip)]
    weights: Vec<f32>,
    #[serde(skip)]
    bias: f32,
}

impl LogisticModel {
    pub(crate) fn new(dimension: usize) -> Self {
        LogisticModel {
            z: vec![0.0; dimension],
            root_n: vec![0.0; dimension],
            bias_z: 0.0,
            bias_root_n: 0.0,
            weights: vec![0.0; dimension],
            bias: 0.0,
        }
    }

    /// Rebuilds the cached weights after deserialising; `None` if the state is unusable
    /// (slot counts that differ from `dimension`, non-finite or negative accumulators).
    pub(crate) fn restore(mut self, dimension: usize, parameters: Hyperparameters) -> Option<Self> {
        let finite = self.z.iter().chain(&self.root_n).all(|v| v.is_finite())
            && self.bias_z.is_finite()
            && self.bias_root_n.is_finite();
        let non_negative = self.root_n.iter().all(|v| *v >= 0.0) && self.bias_root_n >= 0.0;
        if self.z.len() != dimension || self.root_n.len() != dimension || !finite || !non_negative {
            return None;
        }
        self.weights = self
            .z
            .iter()
            .zip(&self.root_n)
            .map(|(&z, &root_n)| {
                weight(
                    z,
                    root_n,
                    parameters.learning_rate,
                    parameters.l1,
                    parameters.l2,
                )
            })
            .collect();
        self.bias = weight(
            self.bias_z,
            self.bias_root_n,
            parameters.learning_rate,
            0.0,
            0.0,
        );
        Some(self)
    }

    pub(crate) fn dimension(&self) -> usize {
        self.weights.len()
    }

    pub(crate) fn nonzero_weights(&self) -> usize {
        self.weights.iter().filter(|w| **w != 0.0).count()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        (self.z.capacity() + self.root_n.capacity() + self.weights.capacity())
            * std::mem::size_of::<f32>()
    }

    /// The probability the model gives `features`.
    pub(crate) fn predict(&self, features: &FeatureVector) -> f32 {
        sigmoid(self.bias + self.dot(features))
    }

    /// The probability the model gives `features` plus a part of the logit computed apart
    /// (a node's shared features, see [`NodeBatch`](crate::NodeBatch)).
    pub(crate) fn predict_with(&self, features: &FeatureVector, offset: f32) -> f32 {
        sigmoid(self.bias + self.dot(features) + offset)
    }

    /// The weights' dot product with `features`, without the bias.
    pub(crate) fn dot(&self, features: &FeatureVector) -> f32 {
        let mut logit = 0.0;
        for (index, value) in features.iter() {
            // Indices are masked to the dimension by the sink; `get` keeps a vector hashed
            // for a larger dimension from panicking.
            logit += self.weights.get(index).copied().unwrap_or(0.0) * value;
        }
        logit
    }

    #[cfg(test)]
    /// One FTRL step towards `label` (a probability), with the gradient scaled by
    /// `sample_weight`; returns the prediction made before the step.
    pub(crate) fn update(
        &mut self,
        features: &FeatureVector,
        label: f32,
        sample_weight: f32,
        parameters: Hyperparameters,
    ) -> f32 {
        let prediction = self.predict(features);
        self.update_from(features, prediction, label, sample_weight, parameters);
        prediction
    }

    /// [`update`](Self::update) from `prediction`, which must be
    /// [`predict`](Self::predict) of `features` on the model as it is.
    pub(crate) fn update_from(
        &mut self,
        features: &FeatureVector,
        prediction: f32,
        label: f32,
        sample_weight: f32,
        parameters: Hyperparameters,
    ) {
        let gradient = (prediction - label) * sample_weight;
        let learning_rate = parameters.learning_rate;
        // The bias is not regularised: it carries the base rate.
        step(
            &mut self.bias_z,
            &mut self.bias_root_n,
            &mut self.bias,
            gradient,
            learning_rate,
            0.0,
            0.0,
        );
        self.update_coordinates(features, gradient, parameters);
    }

    /// One FTRL step of every coordinate of `features` (not the bias) for the loss
    /// gradient `gradient` (so coordinate `i` steps with `gradient * x_i`).
    pub(crate) fn update_coordinates(
        &mut self,
        features: &FeatureVector,
        gradient: f32,
        parameters: Hyperparameters,
    ) {
        let Hyperparameters {
            learning_rate,
            l1,
            l2,
        } = parameters;
        // The three slices have one length (new and restore make them so); taking them at
        // it once lets one comparison per feature stand for the three bounds checks.
        let dimension = self.weights.len();
        let (Some(zs), Some(root_ns)) = (
            self.z.get_mut(..dimension),
            self.root_n.get_mut(..dimension),
        ) else {
            return;
        };
        let weights = &mut self.weights[..];
        for (index, value) in features.iter() {
            if index < dimension {
                step(
                    &mut zs[index],
                    &mut root_ns[index],
                    &mut weights[index],
                    gradient * value,
                    learning_rate,
                    l1,
                    l2,
                );
            }
        }
    }
}

/// One coordinate's FTRL-Proximal update for gradient `g`.
fn step(z: &mut f32, root_n: &mut f32, weight: &mut f32, g: f32, alpha: f32, l1: f32, l2: f32) {
    let new_root_n = (*root_n * *root_n + g * g).sqrt();
    let sigma = (new_root_n - *root_n) / alpha;
    *z += g - sigma * *weight;
    *root_n = new_root_n;
    *weight = self::weight(*z, new_root_n, alpha, l1, l2);
}

/// The weight FTRL-Proximal derives from a coordinate's state: zero while `|z| <= l1`
/// (which keeps rarely useful slots sparse), else the closed-form proximal solution.
fn weight(z: f32, root_n: f32, alpha: f32, l1: f32, l2: f32) -> f32 {
    if z.abs() <= l1 {
        0.0
    } else {
        // Without L1 (the default) `z - z.signum() * 0.0` is `z` bit for bit (z is not 0
        // here, and NaN stays NaN), so the sign and the product are skipped.
        let numerator = if l1 == 0.0 { z } else { z - z.signum() * l1 };
        -numerator / ((BETA + root_n) / alpha + l2)
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

    const PARAMETERS: Hyperparameters = Hyperparameters {
        learning_rate: 0.5,
        l1: 0.0,
        l2: 0.0,
    };

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
        model.update(&x, 1.0, 1.0, PARAMETERS);
        let raised = model.predict(&x);
        assert!(raised > before);
        model.update(&x, 0.0, 1.0, PARAMETERS);
        assert!(model.predict(&x) < raised);
    }

    #[test]
    fn l1_keeps_weak_slots_at_zero() {
        let mut model = LogisticModel::new(1024);
        let strong_l1 = Hyperparameters {
            l1: 10.0,
            ..PARAMETERS
        };
        model.update(&features("Penguin"), 1.0, 1.0, strong_l1);
        assert_eq!(model.nonzero_weights(), 0);
    }

    #[test]
    fn restore_rebuilds_the_same_weights_and_rejects_bad_state() {
        let mut model = LogisticModel::new(1024);
        model.update(&features("Penguin"), 1.0, 1.0, PARAMETERS);
        let mut saved = model.clone();
        saved.weights.clear();
        saved.bias = 0.0;
        assert_eq!(saved.clone().restore(1024, PARAMETERS), Some(model));
        assert_eq!(saved.clone().restore(2048, PARAMETERS), None);
        saved.root_n[3] = -1.0;
        assert_eq!(saved.clone().restore(1024, PARAMETERS), None);
        saved.root_n[3] = f32::NAN;
        assert_eq!(saved.restore(1024, PARAMETERS), None);
    }

    proptest::proptest! {
        /// The weight's L1-free shortcut is the general formula with `l1 = 0`, bit for bit.
        #[test]
        fn the_weight_without_l1_is_the_formula_with_l1_zero(
            z in -1e6_f32..1e6,
            root_n in 0_f32..1e6,
            zero_z in proptest::bool::ANY,
            alpha in 0.01_f32..10.0,
            l2 in 0_f32..100.0,
        ) {
            let z = if zero_z { 0.0 } else { z };
            let general = if z.abs() <= 0.0 {
                0.0
            } else {
                -(z - z.signum() * 0.0) / ((BETA + root_n) / alpha + l2)
            };
            proptest::prop_assert_eq!(weight(z, root_n, alpha, 0.0, l2).to_bits(), general.to_bits());
        }
    }

    #[test]
    fn sigmoid_stays_strictly_inside_the_unit_interval() {
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
            assert!(p > 0.0 && p < 1.0, "{logit} -> {p}");
        }
    }
}
