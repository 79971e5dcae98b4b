//! Exceptions to inherited properties: the record, its key, the store and the handler.
#![deny(missing_docs)]

mod error;
mod exception;

pub use crate::{
    error::{Result, StoreError},
    exception::{
        Exception, ExceptionKey, ExceptionSource, instant_serde, property_hash, validate_confidence,
    },
};
