//! Feedback: a user's judgement of an exception, learned at once and applied to the record.

use llmkg_core::{InheritanceNode, NodeId};
use llmkg_exception::Exception;
use llmkg_learn::UserFeedback;

use super::ExceptionSystem;
use crate::error::{Result, SystemError};

impl ExceptionSystem {
    /// Takes a user's judgement of an exception: the learner learns from it at once;
    /// `Incorrect` means the override was wrong, so the node should inherit: the exception
    /// is dropped and so is the node's own value, as
    /// [`remove_exception`](Self::remove_exception) does. `BetterReason` replaces the
    /// stored reason, and
    /// `PartiallyCorrect(score)` scales the stored confidence by `score`.
    ///
    /// # Errors
    ///
    /// [`SystemError::UnknownException`] when the node has no such exception, or the
    /// learner's error for invalid feedback (nothing changes).
    pub fn feedback(&mut self, node: NodeId, property: &str, feedback: UserFeedback) -> Result<()> {
        let exception =
            self.get_exception(node, property)
                .ok_or_else(|| SystemError::UnknownException {
                    node,
                    property: property.to_owned(),
                })?;
        let node_data = self
            .hierarchy
            .get(node)
            .cloned()
            .unwrap_or_else(|| InheritanceNode::new(node, ""));
        let context = self.context(
            &node_data,
            property,
            &exception.inherited_value,
            &exception.actual_value,
        );
        self.learner.add_user_feedback(context, feedback.clone())?;
        self.learner.process_feedback_batch();
        match feedback {
            UserFeedback::Incorrect => {
                self.tiers.take(node, property)?;
                if self.hierarchy.contains(node) {
                    self.hierarchy.remove_property(node, property)?;
                }
            }
            UserFeedback::BetterReason(reason) => {
                self.tiers.replace(
                    node,
                    property,
                    Exception {
                        reason,
                        ..exception
                    },
                )?;
            }
            UserFeedback::PartiallyCorrect(score) => {
                let confidence = (exception.confidence * score).clamp(0.0, 1.0);
                self.tiers.replace(
                    node,
                    property,
                    Exception {
                        confidence,
                        ..exception
                    },
                )?;
            }
            UserFeedback::Correct => {}
        }
        Ok(())
    }
}
