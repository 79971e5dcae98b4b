//! The detector's own small pattern table, for a detector used alone: reasons and
//! confidences learned from example exceptions, keyed by property and shape. It is one
//! [`PatternSource`]; a learner is another.

use std::collections::HashMap;

use llmkg_core::PropertyValue;
use llmkg_exception::{Exception, ExceptionSource, PatternHint, PatternSource};

use crate::error::{DetectError, Result};

/// The shape of a change: what must match for a learned pattern to apply.
///
/// Booleans match on the direction of the flip (`true -> false` is not `false -> true`);
/// other values match on their types, with `Integer` and `Number` both "number".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChangeShape {
    BooleanTo(bool),
    Types {
        inherited: &'static str,
        actual: &'static str,
    },
}

impl ChangeShape {
    fn of(inherited: &PropertyValue, actual: &PropertyValue) -> Self {
        match (inherited, actual) {
            (PropertyValue::Boolean(_), PropertyValue::Boolean(to)) => ChangeShape::BooleanTo(*to),
            _ => ChangeShape::Types {
                inherited: shape_type_name(inherited),
                actual: shape_type_name(actual),
            },
        }
    }
}

fn shape_type_name(value: &PropertyValue) -> &'static str {
    match value {
        PropertyValue::Integer(_) => "number",
        other => other.type_name(),
    }
}

/// What the examples of one property and shape taught.
#[derive(Clone, Debug)]
pub(crate) struct LearnedPattern {
    shape: ChangeShape,
    n_examples: u64,
    confidence_sum: f64,
    /// Each distinct reason with its number of examples, in first-seen order.
    reason_votes: Vec<(String, u64)>,
    /// Index into `reason_votes` of the most voted reason (the first seen on ties), kept
    /// current on every vote so detection never scans the votes.
    best_reason_index: Option<usize>,
}

impl LearnedPattern {
    /// The reason most examples gave, if any gave one.
    pub(crate) fn reason(&self) -> Option<&str> {
        self.best_reason_index
            .map(|index| self.reason_votes[index].0.as_str())
    }

    /// The mean confidence of the examples.
    pub(crate) fn mean_confidence(&self) -> f32 {
        // A pattern is only created together with its first example, so `n_examples >= 1`.
        (self.confidence_sum / self.n_examples as f64) as f32
    }

    fn learn(&mut self, exception: &Exception) {
        self.n_examples += 1;
        self.confidence_sum += f64::from(exception.confidence);
        // The detector's own reasons are generated sentences: learning them back would only
        // stack templates, so detected examples teach confidence but not reasons.
        let reason = exception.reason.trim();
        if exception.source == ExceptionSource::Detected || reason.is_empty() {
            return;
        }
        let index = match self.reason_votes.iter().position(|(r, _)| r == reason) {
            Some(index) => {
                self.reason_votes[index].1 += 1;
                index
            }
            None => {
                self.reason_votes.push((reason.to_owned(), 1));
                self.reason_votes.len() - 1
            }
        };
        let votes = self.reason_votes[index].1;
        let is_new_best = match self.best_reason_index {
            None => true,
            Some(best) => votes > self.reason_votes[best].1,
        };
        if is_new_best {
            self.best_reason_index = Some(index);
        }
    }
}

/// All learned patterns, by property name.
#[derive(Clone, Debug, Default)]
pub(crate) struct LearnedPatterns {
    by_property: HashMap<String, Vec<LearnedPattern>>,
    n_patterns: usize,
}

impl LearnedPatterns {
    pub(crate) fn len(&self) -> usize {
        self.n_patterns
    }

    /// Learns every example, or none if one is invalid.
    pub(crate) fn learn(&mut self, examples: &[(String, Exception)]) -> Result<()> {
        for (index, (property, exception)) in examples.iter().enumerate() {
            if property.is_empty() {
                return Err(DetectError::EmptyPropertyName { index });
            }
            if exception.validate().is_err() {
                return Err(DetectError::InvalidExampleConfidence {
                    index,
                    property: property.clone(),
                    confidence: exception.confidence,
                });
            }
        }
        for (property, exception) in examples {
            let shape = ChangeShape::of(&exception.inherited_value, &exception.actual_value);
            let patterns = self.by_property.entry(property.clone()).or_default();
            match patterns.iter_mut().find(|pattern| pattern.shape == shape) {
                Some(pattern) => pattern.learn(exception),
                None => {
                    let mut pattern = LearnedPattern {
                        shape,
                        n_examples: 0,
                        confidence_sum: 0.0,
                        reason_votes: Vec::new(),
                        best_reason_index: None,
                    };
                    pattern.learn(exception);
                    patterns.push(pattern);
                    self.n_patterns += 1;
                }
            }
        }
        Ok(())
    }

    /// The pattern for this property and change, if one was learned.
    #[inline]
    pub(crate) fn find(
        &self,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
    ) -> Option<&LearnedPattern> {
        // Skips hashing the name entirely while nothing has been learned.
        if self.by_property.is_empty() {
            return None;
        }
        let shape = ChangeShape::of(inherited, actual);
        self.by_property
            .get(property)?
            .iter()
            .find(|pattern| pattern.shape == shape)
    }
}

impl PatternSource for LearnedPatterns {
    #[inline]
    fn pattern_hint(
        &self,
        property: &str,
        inherited: &PropertyValue,
        actual: &PropertyValue,
    ) -> Option<PatternHint<'_>> {
        let pattern = self.find(property, inherited, actual)?;
        Some(PatternHint {
            reason: pattern.reason(),
            confidence_floor: Some(pattern.mean_confidence()),
        })
    }
}

#[cfg(test)]
mod tests {
    use llmkg_core::PropertyValue as V;

    use super::*;

    fn example(reason: &str, source: ExceptionSource, confidence: f32) -> (String, Exception) {
        let exception = Exception::new(
            V::Boolean(true),
            V::Boolean(false),
            reason,
            source,
            confidence,
        );
        ("can_fly".to_owned(), exception)
    }

    #[test]
    fn most_voted_reason_wins_and_ties_keep_the_first() {
        let mut patterns = LearnedPatterns::default();
        patterns
            .learn(&[
                example("Flightless bird", ExceptionSource::Explicit, 1.0),
                example("Too heavy", ExceptionSource::Explicit, 0.5),
            ])
            .unwrap();
        let found = patterns
            .find("can_fly", &V::Boolean(true), &V::Boolean(false))
            .unwrap();
        assert_eq!(found.reason(), Some("Flightless bird"));
        assert!((found.mean_confidence() - 0.75).abs() < 1e-6);
        patterns
            .learn(&[
                example("Too heavy", ExceptionSource::Explicit, 0.5),
                example("  ", ExceptionSource::Explicit, 0.5),
            ])
            .unwrap();
        let found = patterns
            .find("can_fly", &V::Boolean(true), &V::Boolean(false))
            .unwrap();
        assert_eq!(found.reason(), Some("Too heavy"));
        assert_eq!(patterns.len(), 1);
    }

    #[test]
    fn shapes_must_match() {
        let mut patterns = LearnedPatterns::default();
        patterns
            .learn(&[example("Flightless bird", ExceptionSource::Explicit, 1.0)])
            .unwrap();
        assert!(
            patterns
                .find("can_fly", &V::Boolean(false), &V::Boolean(true))
                .is_none()
        );
        assert!(
            patterns
                .find("can_swim", &V::Boolean(true), &V::Boolean(false))
                .is_none()
        );
        assert!(
            patterns
                .find("can_fly", &V::Boolean(true), &V::Null)
                .is_none()
        );
    }

    #[test]
    fn detected_examples_teach_no_reason() {
        let mut patterns = LearnedPatterns::default();
        patterns
            .learn(&[example(
                "can_fly is false here",
                ExceptionSource::Detected,
                0.9,
            )])
            .unwrap();
        let found = patterns
            .find("can_fly", &V::Boolean(true), &V::Boolean(false))
            .unwrap();
        assert_eq!(found.reason(), None);
    }

    #[test]
    fn invalid_examples_change_nothing() {
        let mut patterns = LearnedPatterns::default();
        let bad_confidence = example("Flightless bird", ExceptionSource::Explicit, f32::NAN);
        let good = example("Flightless bird", ExceptionSource::Explicit, 1.0);
        let error = patterns.learn(&[good.clone(), bad_confidence]).unwrap_err();
        assert!(matches!(
            error,
            DetectError::InvalidExampleConfidence { index: 1, .. }
        ));
        let empty_name = (String::new(), good.1.clone());
        let error = patterns.learn(&[empty_name]).unwrap_err();
        assert!(matches!(error, DetectError::EmptyPropertyName { index: 0 }));
        assert_eq!(patterns.len(), 0);
        assert!(
            patterns
                .find("can_fly", &V::Boolean(true), &V::Boolean(false))
                .is_none()
        );
    }
}
