//! Exceptions to inherited properties: the record, its key, the store and the handler.
#![deny(missing_docs)]

mod error;
mod exception;
mod handler;
mod snapshot;
mod store;

pub use crate::{
    error::{Result, StoreError},
    exception::{
        Exception, ExceptionKey, ExceptionSource, instant_serde, property_hash, validate_confidence,
    },
    handler::{CacheStatistics, ConflictStrategy, ExceptionHandler, resolve_conflict},
    snapshot::SNAPSHOT_VERSION,
    store::{ExceptionStore, StoreStatistics},
};
