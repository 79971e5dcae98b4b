//! What the learner sees of an override: the context of one (possible) exception, and the
//! feedback a user gives on a prediction.

use std::collections::HashMap;

use llmkg_core::PropertyValue;
use serde::{Deserialize, Serialize};

use crate::error::{LearnError, Result};

/// The situation around one property value of one node: what it inherits, what it has,
/// what kind of node it is and what else the node says about itself.
///
/// The same type describes real exceptions (passed to
/// [`PatternLearner::learn_from_exception`](crate::PatternLearner::learn_from_exception)),
/// values that matched their inherited one
/// ([`PatternLearner::observe_non_exception`](crate::PatternLearner::observe_non_exception))
/// and candidates to score.
///
/// ```
/// use std::collections::HashMap;
/// use llmkg_core::PropertyValue;
/// use llmkg_learn::ExceptionContext;
///
/// let context = ExceptionContext {
///     property_name: "can_fly".to_string(),
///     inherited_value: PropertyValue::Boolean(true),
///     actual_value: PropertyValue::Boolean(false),
///     node_type: "Emperor_Penguin".to_string(),
///     inheritance_depth: 3,
///     sibling_properties: HashMap::from([("can_swim".to_string(), PropertyValue::Boolean(true))]),
/// };
/// assert!(context.is_override());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExceptionContext {
    /// The property, e.g. `"can_fly"`.
    pub property_name: String,
    /// The value the node inherits from its ancestors.
    pub inherited_value: PropertyValue,
    /// The value the node has.
    pub actual_value: PropertyValue,
    /// The node's type, e.g. `"Emperor_Penguin"`; CamelCase and `_` separate its tokens.
    pub node_type: String,
    /// How many inheritance steps separate the node from the ancestor that defines the
    /// inherited value (1 for a direct parent).
    pub inheritance_depth: u32,
    /// The node's other properties; an entry named like `property_name` itself is ignored.
    pub sibling_properties: HashMap<String, PropertyValue>,
}

impl ExceptionContext {
    /// A context with no sibling properties.
    pub fn new(
        property_name: impl Into<String>,
        inherited_value: PropertyValue,
        actual_value: PropertyValue,
        node_type: impl Into<String>,
        inheritance_depth: u32,
    ) -> Self {
        ExceptionContext {
            property_name: property_name.into(),
            inherited_value,
            actual_value,
            node_type: node_type.into(),
            inheritance_depth,
            sibling_properties: HashMap::new(),
        }
    }

    /// Builder-style: adds a sibling property.
    #[must_use]
    pub fn with_sibling(mut self, name: impl Into<String>, value: PropertyValue) -> Self {
        self.sibling_properties.insert(name.into(), value);
        self
    }

    /// Whether the actual value differs from the inherited one.
    #[must_use]
    pub fn is_override(&self) -> bool {
        self.inherited_value != self.actual_value
    }

    /// Checks what the learner requires of every context: a non-empty property name, and
    /// values nesting lists at most [`llmkg_core::MAX_VALUE_DEPTH`] deep (the bound the
    /// store, the optimizer and the patterns file apply too).
    pub fn validate(&self) -> Result<()> {
        self.validate_own()?;
        check_siblings(&self.sibling_properties)
    }

    /// [`validate`](Self::validate) without the sibling values (a
    /// [`NodeFeatureCache`](crate::NodeFeatureCache) checked those once for the node).
    pub(crate) fn validate_own(&self) -> Result<()> {
        if self.property_name.is_empty() {
            return Err(LearnError::EmptyPropertyName);
        }
        for value in [&self.inherited_value, &self.actual_value] {
            value
                .check_depth()
                .map_err(|_| too_deep(&self.property_name))?;
        }
        Ok(())
    }
}

fn too_deep(property: &str) -> LearnError {
    LearnError::ValueTooDeep {
        property: property.to_owned(),
        limit: llmkg_core::MAX_VALUE_DEPTH,
    }
}

/// Every sibling value nests lists at most [`llmkg_core::MAX_VALUE_DEPTH`] deep.
pub(crate) fn check_siblings(siblings: &HashMap<String, PropertyValue>) -> Result<()> {
    for (sibling, value) in siblings {
        value.check_depth().map_err(|_| too_deep(sibling))?;
    }
    Ok(())
}

/// What a user says about an exception the system made or suggested.
///
/// Feedback is queued by
/// [`PatternLearner::add_user_feedback`](crate::PatternLearner::add_user_feedback) and applied
/// by [`PatternLearner::process_feedback_batch`](crate::PatternLearner::process_feedback_batch).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum UserFeedback {
    /// The exception is right: a positive example.
    Correct,
    /// The exception is wrong (the node should inherit): a negative example.
    Incorrect,
    /// The exception is right to this degree, in `[0, 1]`: a soft label.
    PartiallyCorrect(f32),
    /// The exception is right but for this reason, which later suggestions prefer.
    BetterReason(String),
}

impl UserFeedback {
    /// Checks the feedback's own payload: a finite score in `[0, 1]`, a non-blank reason.
    pub fn validate(&self) -> Result<()> {
        match self {
            UserFeedback::PartiallyCorrect(score)
                if !(score.is_finite() && (0.0..=1.0).contains(score)) =>
            {
                Err(LearnError::InvalidFeedbackScore(*score))
            }
            UserFeedback::BetterReason(reason) if reason.trim().is_empty() => {
                Err(LearnError::EmptyReason)
            }
            _ => Ok(()),
        }
    }

    /// The target probability this feedback teaches: 1 for `Correct` and `BetterReason`,
    /// 0 for `Incorrect`, the score for `PartiallyCorrect`.
    #[must_use]
    pub fn label(&self) -> f32 {
        match self {
            UserFeedback::Correct | UserFeedback::BetterReason(_) => 1.0,
            UserFeedback::Incorrect => 0.0,
            UserFeedback::PartiallyCorrect(score) => *score,
        }
    }
}
