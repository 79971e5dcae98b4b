//! Editing: exceptions recorded or removed by hand.

use llmkg_core::NodeId;
use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};
use llmkg_exception_store::StoreError;

use super::ExceptionSystem;
use crate::error::{Result, SystemError};

impl ExceptionSystem {
    /// Records an exception by hand: the node's own value becomes `exception.actual_value`
    /// (so descendants inherit it) and the exception is stored. A reason given by hand also
    /// teaches the detector and the learner.
    ///
    /// # Errors
    ///
    /// [`SystemError::Store`] for an invalid exception, [`SystemError::Hierarchy`] for a
    /// strict property or an unknown node; nothing changes.
    pub fn add_exception(
        &mut self,
        node: NodeId,
        property: &str,
        exception: Exception,
    ) -> Result<Option<Exception>> {
        exception.validate().map_err(StoreError::from)?;
        if property.is_empty() {
            return Err(StoreError::EmptyPropertyName.into());
        }
        let Some(node_data) = self.hierarchy.get(node).cloned() else {
            return Err(llmkg_core::CoreError::UnknownNode(node).into());
        };
        let context = self.context(
            &node_data,
            property,
            &exception.inherited_value,
            &exception.actual_value,
        );
        self.hierarchy
            .set_property(node, property, exception.actual_value.clone())?;
        if exception.source == ExceptionSource::Explicit && !exception.reason.is_empty() {
            // Validated above, so the detector cannot reject it.
            self.detector
                .learn_pattern(&[(property.to_owned(), exception.clone())])?;
        }
        self.learner.learn_from_exception(&exception, &context)?;
        let replaced = self
            .store
            .add_exception(node, property.to_owned(), exception)?;
        Ok(replaced)
    }

    /// Removes the exception of `property` on `node`: the node stops overriding and inherits
    /// again.
    ///
    /// # Errors
    ///
    /// [`SystemError::UnknownException`] when there is none.
    pub fn remove_exception(&mut self, node: NodeId, property: &str) -> Result<Exception> {
        let removed = match self.store.remove_exception(node, property) {
            Some(exception) => exception,
            None => self
                .optimizer
                .remove(&ExceptionKey::new(node, property))?
                .ok_or_else(|| SystemError::UnknownException {
                    node,
                    property: property.to_owned(),
                })?,
        };
        if self.hierarchy.contains(node) {
            self.hierarchy.remove_property(node, property)?;
        }
        Ok(removed)
    }
}
