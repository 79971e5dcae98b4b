//! Learns which overrides of inherited properties are typical, to score, explain and
//! confirm new exceptions.
//!
//! The main types are [`PatternLearner`], which learns from exceptions
//! ([`Exception`](llmkg_exception::Exception) of `llmkg-exception`) seen in their
//! [`ExceptionContext`], from non-exceptions and from [`UserFeedback`], and the
//! [`FeatureExtractor`]s that turn a context into a hashed [`FeatureVector`]. Likelihoods
//! come from an online logistic-regression model, so they are probabilities; explanations
//! come from counted patterns. The `llmkg` facade uses both to raise the confidence of
//! detected exceptions and to word their reasons.
//!
//! ```
//! use llmkg_core::PropertyValue;
//! use llmkg_exception::{Exception, ExceptionSource};
//! use llmkg_learn::{ExceptionContext, PatternLearner, UserFeedback};
//!
//! let mut learner = PatternLearner::new();
//! let context = ExceptionContext::new(
//!     "can_fly", PropertyValue::Boolean(true), PropertyValue::Boolean(false), "Penguin", 2,
//! );
//! let exception = Exception::new(
//!     PropertyValue::Boolean(true), PropertyValue::Boolean(false),
//!     "penguins are flightless", ExceptionSource::Explicit, 1.0,
//! );
//! learner.learn_from_exception(&exception, &context)?;
//! let before = learner.predict_exception_likelihood(&context);
//! assert!(before > 0.5);
//!
//! learner.add_user_feedback(context.clone(), UserFeedback::Incorrect)?;
//! assert_eq!(learner.process_feedback_batch(), 1);
//! assert!(learner.predict_exception_likelihood(&context) < before);
//! # Ok::<(), llmkg_learn::LearnError>(())
//! ```
//!
//! # Bounds
//!
//! Learning from or predicting on one context costs time linear in the context (its names,
//! values and sibling properties) times the small, fixed number of hashed features; the
//! model and the patterns are bounded by the configuration (the model's dimension, the
//! pattern table's capacity, the Space-Saving capacities), not by the stream's length, while
//! queued feedback is kept until it is applied (linear in what was queued). Counts saturate at 2^62 and a patterns
//! file with a larger one is refused, so no count can overflow and every saved file loads.
//! Loading reads only regular files, at most the format's payload limit, and checks every part
//! before the learner changes.
#![deny(missing_docs)]

mod config;
mod context;
mod error;
mod features;
mod hash;
mod learner;
mod model;
mod patterns;

pub use crate::{
    config::LearnerConfig,
    context::{ExceptionContext, UserFeedback},
    error::{LearnError, Result},
    features::{
        DepthFeatures, FeatureExtractor, FeatureSink, FeatureVector, InteractionFeatures,
        MAX_FEATURES, MAX_GROUP_NORM, NodeFeatureCache, NodeTypeFeatures, PropertyNameFeatures,
        STANDARD_EXTRACTORS, SiblingFeatures, ValueFeatures,
    },
    learner::{LearnerStatistics, NodeBatch, PatternLearner},
    patterns::PatternMatch,
};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
