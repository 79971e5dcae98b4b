//! Explaining a resolved value, and previewing what an exception would change.

use std::fmt;

use llmkg_core::{Explanation, NodeId, PropertyValue};
use llmkg_exception::Exception;

use super::ExceptionSystem;
use crate::error::Result;

/// Why a node's property has its value: the hierarchy's explanation (winner, path, losers)
/// and the exception recorded where the winning value was defined, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct SystemExplanation {
    /// The inheritance chain and every candidate's fate.
    pub hierarchy: Explanation,
    /// The node whose exception decided the value, and that exception.
    pub deciding_exception: Option<(NodeId, Exception)>,
}

impl fmt::Display for SystemExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.hierarchy)?;
        if let Some((node, exception)) = &self.deciding_exception {
            let name = self
                .hierarchy
                .node_names
                .get(node)
                .map(String::as_str)
                .unwrap_or("");
            write!(
                f,
                "\nThe value is an exception recorded on {name} ({node}): {} overrides the inherited {} ({}; {:?}, confidence {:.2}).",
                exception.actual_value,
                exception.inherited_value,
                exception.reason,
                exception.source,
                exception.confidence
            )?;
        }
        Ok(())
    }
}

/// One node whose resolved value a previewed change would alter.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueChange {
    /// The node.
    pub node: NodeId,
    /// Its resolved value now.
    pub before: Option<PropertyValue>,
    /// Its resolved value after the change.
    pub after: Option<PropertyValue>,
}

impl ExceptionSystem {
    /// Explains `property` on `node`: the inheritance chain and the exception that decided
    /// the value.
    ///
    /// # Errors
    ///
    /// [`SystemError::Hierarchy`](crate::SystemError::Hierarchy) for an unknown node.
    pub fn explain(&self, node: NodeId, property: &str) -> Result<SystemExplanation> {
        let hierarchy = self.hierarchy.explain(node, property)?;
        let deciding_exception = hierarchy.winner.as_ref().and_then(|(winner, _)| {
            self.get_exception(*winner, property)
                .map(|exception| (*winner, exception))
        });
        Ok(SystemExplanation {
            hierarchy,
            deciding_exception,
        })
    }

    /// Which resolved values would change if `node` defined `property` as `value` (or, with
    /// `None`, stopped defining it), without changing anything: the node itself and every
    /// descendant whose value differs, in topological order.
    ///
    /// Costs a copy of the hierarchy plus one resolution per descendant.
    ///
    /// # Errors
    ///
    /// The hierarchy's error for an unknown node or a strict property.
    pub fn preview_exception(
        &self,
        node: NodeId,
        property: &str,
        value: Option<PropertyValue>,
    ) -> Result<Vec<ValueChange>> {
        let mut changed = self.hierarchy.clone();
        match value {
            Some(value) => {
                changed.set_property(node, property, value)?;
            }
            None => {
                changed.remove_property(node, property)?;
            }
        }
        let mut affected = vec![node];
        affected.extend(self.hierarchy.descendants(node)?);
        let mut changes = Vec::new();
        for id in affected {
            let before = self.hierarchy.resolve(id, property)?.into_value();
            let after = changed.resolve(id, property)?.into_value();
            if before != after {
                changes.push(ValueChange {
                    node: id,
                    before,
                    after,
                });
            }
        }
        Ok(changes)
    }
}
