//! Detection counters: batched per call so they cost nothing measurable per property.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of what a detector has done since it was built or last reset.
///
/// Every compared value is counted once: `properties_compared == values_equal +
/// exceptions_found + skipped_as_similar + skipped_low_confidence`
/// ([`is_balanced`](Self::is_balanced)).
///
/// ```
/// use std::collections::HashMap;
/// use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
/// use llmkg_detect::ExceptionDetector;
///
/// let detector = ExceptionDetector::new(0.8, 0.7);
/// let penguin = InheritanceNode::new(NodeId(3), "Penguin").with_property("can_fly", false);
/// let inherited = HashMap::from([("can_fly".to_owned(), PropertyValue::Boolean(true))]);
/// detector.detect_node_exceptions(&penguin, &inherited);
/// let statistics = detector.statistics();
/// assert_eq!(statistics.nodes_scanned, 1);
/// assert_eq!(statistics.properties_compared, 1);
/// assert_eq!(statistics.exceptions_found, 1);
/// assert!(statistics.is_balanced());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DetectionStatistics {
    /// Calls to `detect_node_exceptions`.
    pub nodes_scanned: u64,
    /// Local properties that had an inherited value to compare with.
    pub properties_compared: u64,
    /// Compared values equal to the inherited one (two NaN numbers included).
    pub values_equal: u64,
    /// Exceptions reported.
    pub exceptions_found: u64,
    /// Differing values not reported because they were similar at or above the threshold.
    pub skipped_as_similar: u64,
    /// Differing values not reported because their confidence was below the threshold.
    pub skipped_low_confidence: u64,
}

impl DetectionStatistics {
    /// Whether every compared value is in exactly one of the four counts.
    #[must_use]
    pub fn is_balanced(&self) -> bool {
        self.values_equal
            + self.exceptions_found
            + self.skipped_as_similar
            + self.skipped_low_confidence
            == self.properties_compared
    }
}

/// The live counters behind [`DetectionStatistics`].
///
/// A call counts locally and adds its totals here once, so concurrent detections touch
/// these shared cache lines a handful of times per node, not per property.
#[derive(Debug, Default)]
pub(crate) struct DetectionCounters {
    nodes_scanned: AtomicU64,
    properties_compared: AtomicU64,
    values_equal: AtomicU64,
    exceptions_found: AtomicU64,
    skipped_as_similar: AtomicU64,
    skipped_low_confidence: AtomicU64,
}

impl DetectionCounters {
    /// Adds one call's totals; `batch.nodes_scanned` is normally 1.
    pub(crate) fn add(&self, batch: DetectionStatistics) {
        // Relaxed: the counters are independent tallies, read only as a snapshot.
        self.nodes_scanned
            .fetch_add(batch.nodes_scanned, Ordering::Relaxed);
        self.properties_compared
            .fetch_add(batch.properties_compared, Ordering::Relaxed);
        self.values_equal
            .fetch_add(batch.values_equal, Ordering::Relaxed);
        self.exceptions_found
            .fetch_add(batch.exceptions_found, Ordering::Relaxed);
        self.skipped_as_similar
            .fetch_add(batch.skipped_as_similar, Ordering::Relaxed);
        self.skipped_low_confidence
            .fetch_add(batch.skipped_low_confidence, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> DetectionStatistics {
        DetectionStatistics {
            nodes_scanned: self.nodes_scanned.load(Ordering::Relaxed),
            properties_compared: self.properties_compared.load(Ordering::Relaxed),
            values_equal: self.values_equal.load(Ordering::Relaxed),
            exceptions_found: self.exceptions_found.load(Ordering::Relaxed),
            skipped_as_similar: self.skipped_as_similar.load(Ordering::Relaxed),
            skipped_low_confidence: self.skipped_low_confidence.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn reset(&self) {
        for counter in [
            &self.nodes_scanned,
            &self.properties_compared,
            &self.values_equal,
            &self.exceptions_found,
            &self.skipped_as_similar,
            &self.skipped_low_confidence,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }
}
