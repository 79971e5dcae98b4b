//! Queries over everything the optimizer holds: by property, confidence, source and time.
//!
//! The compact columns answer property and confidence queries from their indexes (a row
//! range per property, a posting list per confidence); source queries skip whole blocks of
//! one source; time queries scan only the packed time columns. The write tail, which holds
//! what was written since the last optimization, is scanned. Every query returns its
//! matches sorted by key.

use std::time::Instant;

use llmkg_exception::{Exception, ExceptionKey, ExceptionSource};

use super::StorageOptimizer;
use crate::{OptimizeError, Result};

impl StorageOptimizer {
    /// Decodes the live `rows` plus the tail entries that `in_tail` accepts, sorted by key.
    fn gather(
        &self,
        rows: impl IntoIterator<Item = usize>,
        in_tail: impl Fn(&ExceptionKey, &Exception) -> bool,
    ) -> Result<Vec<(ExceptionKey, Exception)>> {
        let mut found = Vec::new();
        for row in rows {
            if !self.is_removed(row) {
                found.push((self.compact.key(row), self.compact.exception(row)?));
            }
        }
        found.extend(
            self.tail
                .iter()
                .filter(|(key, exception)| in_tail(key, exception))
                .map(|(key, exception)| (*key, exception.clone())),
        );
        found.sort_unstable_by_key(|(key, _)| *key);
        Ok(found)
    }

    /// Every exception held, sorted by key.
    ///
    /// # Errors
    ///
    /// [`OptimizeError::Internal`] only if the optimizer's own encoding is broken (a bug).
    pub fn all_exceptions(&self) -> Result<Vec<(ExceptionKey, Exception)>> {
        self.gather(0..self.compact.len(), |_, _| true)
    }

    /// The exceptions of one property (by its [`property_hash`](llmkg_exception::property_hash)).
    ///
    /// # Errors
    ///
    /// As [`all_exceptions`](StorageOptimizer::all_exceptions).
    pub fn by_property(&self, property_hash: u64) -> Result<Vec<(ExceptionKey, Exception)>> {
        self.gather(self.compact.property_rows(property_hash), |key, _| {
            key.property_hash == property_hash
        })
    }

    /// The exceptions whose confidence lies in `[min, max]`.
    ///
    /// # Errors
    ///
    /// [`OptimizeError::InvalidConfidenceRange`] when a bound is NaN or `min > max`.
    pub fn by_confidence_range(
        &self,
        min: f32,
        max: f32,
    ) -> Result<Vec<(ExceptionKey, Exception)>> {
        if min.is_nan() || max.is_nan() || min > max {
            return Err(OptimizeError::InvalidConfidenceRange { min, max });
        }
        self.gather(
            self.compact.rows_with_confidence(min, max),
            |_, exception| (min..=max).contains(&exception.confidence),
        )
    }

    /// The exceptions that came from `source`.
    ///
    /// # Errors
    ///
    /// As [`all_exceptions`](StorageOptimizer::all_exceptions).
    pub fn by_source(&self, source: ExceptionSource) -> Result<Vec<(ExceptionKey, Exception)>> {
        self.gather(self.compact.rows_with_source(source), |_, exception| {
            exception.source == source
        })
    }

    /// The exceptions created in `[start, end]`.
    ///
    /// # Errors
    ///
    /// [`OptimizeError::InvalidTimeRange`] when `start` is after `end`.
    pub fn by_time_range(
        &self,
        start: Instant,
        end: Instant,
    ) -> Result<Vec<(ExceptionKey, Exception)>> {
        if start > end {
            return Err(OptimizeError::InvalidTimeRange {
                excess_nanos: start.duration_since(end).as_nanos(),
            });
        }
        let rows = (0..self.compact.len()).filter(|&row| {
            let created_at = self.compact.created_at(row);
            start <= created_at && created_at <= end
        });
        self.gather(rows, |_, exception| {
            start <= exception.created_at && exception.created_at <= end
        })
    }
}
