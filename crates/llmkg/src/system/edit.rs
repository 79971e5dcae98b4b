//! Editing: exceptions recorded or removed by hand.

use llmkg_core::NodeId;
use llmkg_exception::Exception;
use llmkg_exception::ExceptionParts;
use llmkg_exception_store::StoreError;

use super::ExceptionSystem;
use crate::error::{Result, SystemError};

impl ExceptionSystem {
    /// Records an exception by hand: the node's own value becomes `exception.actual_value`
    /// (so descendants inherit it) and the exception is stored. The learner learns from it;
    /// a reason given by hand (any source but `Detected`) becomes part of its pattern, which
    /// lends the reason to exceptions detected later. The property name is taken as the
    /// store takes it (a `String`; a `&str` converts).
    ///
    /// # Errors
    ///
    /// [`SystemError::Store`] for an invalid exception or an empty property name,
    /// [`SystemError::Learn`] for a context the learner refuses, [`SystemError::Hierarchy`]
    /// for a strict property, a too deep value or an unknown node. Everything is checked
    /// before anything changes: on any error nothing changes.
    pub fn add_exception(
        &mut self,
        node: NodeId,
        property: impl Into<String>,
        exception: Exception,
    ) -> Result<Option<Exception>> {
        let property: String = property.into();
        exception.validate().map_err(StoreError::from)?;
        if property.is_empty() {
            return Err(StoreError::EmptyPropertyName.into());
        }
        let Some(node_data) = self.hierarchy.get(node).cloned() else {
            return Err(llmkg_core::CoreError::UnknownNode(node).into());
        };
        let context = self.context(
            &node_data,
            &property,
            &exception.inherited_value,
            &exception.actual_value,
        );
        // The learner's checks first: after them, learning cannot fail.
        context.validate()?;
        let previous =
            self.hierarchy
                .set_property(node, &property, exception.actual_value.clone())?;
        if let Err(error) = self.learner.learn_from_exception(&exception, &context) {
            // Unreachable after `validate`; undone all the same, so nothing changes.
            match previous {
                Some(value) => self.hierarchy.set_property(node, &property, value)?,
                None => self.hierarchy.remove_property(node, &property)?,
            };
            return Err(error.into());
        }
        self.tiers
            .put(node, &ExceptionParts::of(&property, &exception))
    }

    /// Removes the exception of `property` on `node`: the node stops overriding and inherits
    /// again.
    ///
    /// # Errors
    ///
    /// [`SystemError::UnknownException`] when there is none; nothing changes.
    pub fn remove_exception(&mut self, node: NodeId, property: &str) -> Result<Exception> {
        let removed =
            self.tiers
                .take(node, property)?
                .ok_or_else(|| SystemError::UnknownException {
                    node,
                    property: property.to_owned(),
                })?;
        if self.hierarchy.contains(node) {
            self.hierarchy.remove_property(node, property)?;
        }
        Ok(removed)
    }
}
