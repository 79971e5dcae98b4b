//! Integration tests of `llmkg-learn`: learning, feedback, suggestions, persistence and
//! accuracy on a synthetic labelled set.

mod learner {
    mod behaviour;
    mod persistence;
    mod properties;
    mod synthetic;
}

use llmkg_core::PropertyValue;
use llmkg_exception::{Exception, ExceptionSource};
use llmkg_learn::{ExceptionContext, PatternLearner};

/// A `can_fly` true -> false context on `node_type`.
pub fn flightless(node_type: &str) -> ExceptionContext {
    ExceptionContext::new(
        "can_fly",
        PropertyValue::Boolean(true),
        PropertyValue::Boolean(false),
        node_type,
        2,
    )
}

/// A `can_fly` true -> true context on `node_type`: not an exception.
pub fn flying(node_type: &str) -> ExceptionContext {
    ExceptionContext::new(
        "can_fly",
        PropertyValue::Boolean(true),
        PropertyValue::Boolean(true),
        node_type,
        2,
    )
}

/// An exception matching `flightless`.
pub fn flightless_exception(reason: &str) -> Exception {
    Exception::new(
        PropertyValue::Boolean(true),
        PropertyValue::Boolean(false),
        reason,
        ExceptionSource::Explicit,
        1.0,
    )
}

/// 20 `can_fly` true -> false examples on "Penguin", interleaved with non-exceptions on
/// flying birds.
pub fn penguin_learner(reason: impl Fn(usize) -> String) -> PatternLearner {
    let mut learner = PatternLearner::new();
    for example in 0..20 {
        learner
            .learn_from_exception(
                &flightless_exception(&reason(example)),
                &flightless("Penguin"),
            )
            .expect("valid example");
        let bird = ["Sparrow", "Eagle", "Robin", "Swallow"][example % 4];
        learner
            .observe_non_exception(&flying(bird))
            .expect("valid example");
    }
    learner
}
