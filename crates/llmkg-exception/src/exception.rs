//! The exception record, where it came from, and the stable key that names it.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use llmkg_core::{NodeId, PropertyValue};
use serde::{Deserialize, Serialize};

use crate::error::ExceptionError;

/// Where an exception came from.
///
/// The order of the variants is not their precedence; see
/// [`ExceptionSource::precedence`] for the order the handler uses on conflicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ExceptionSource {
    /// Stated by a user or an import: the most authoritative source.
    Explicit,
    /// Found by the detector comparing local and inherited values.
    Detected,
    /// Promoted from a learned pattern.
    Promoted,
    /// Recorded to settle a multiple-inheritance conflict.
    Conflict,
}

impl ExceptionSource {
    /// Every source, in a fixed order (the order of [`ExceptionSource::index`]).
    pub const ALL: [ExceptionSource; 4] = [
        ExceptionSource::Explicit,
        ExceptionSource::Detected,
        ExceptionSource::Promoted,
        ExceptionSource::Conflict,
    ];

    /// A dense index in `0..4`, the position in [`ExceptionSource::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        match self {
            ExceptionSource::Explicit => 0,
            ExceptionSource::Detected => 1,
            ExceptionSource::Promoted => 2,
            ExceptionSource::Conflict => 3,
        }
    }

    /// Rank used to break confidence ties: Explicit (3) > Conflict (2) > Promoted (1) >
    /// Detected (0).
    #[must_use]
    pub fn precedence(self) -> u8 {
        match self {
            ExceptionSource::Explicit => 3,
            ExceptionSource::Conflict => 2,
            ExceptionSource::Promoted => 1,
            ExceptionSource::Detected => 0,
        }
    }
}

/// A deliberate override of an inherited property value.
///
/// `created_at` is a monotonic [`Instant`]; serde writes it as nanoseconds since the Unix
/// epoch (converted through the wall clock at serialisation time) and reads it back the same
/// way, so a value survives a save/load within one process exactly and across processes to
/// within clock adjustments.
///
/// ```
/// use std::time::Instant;
/// use llmkg_core::PropertyValue;
/// use llmkg_exception::{Exception, ExceptionSource};
///
/// let e = Exception::new(
///     PropertyValue::Boolean(true),
///     PropertyValue::Boolean(false),
///     "Penguins are flightless",
///     ExceptionSource::Explicit,
///     1.0,
/// );
/// assert!(e.validate().is_ok());
/// assert!(e.created_at <= Instant::now());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exception {
    /// The value the node would inherit without the exception.
    pub inherited_value: PropertyValue,
    /// The value the node has instead.
    pub actual_value: PropertyValue,
    /// Why the node differs, as a readable sentence.
    pub reason: String,
    /// Where the exception came from.
    pub source: ExceptionSource,
    /// When the exception was made.
    #[serde(with = "instant_serde")]
    pub created_at: Instant,
    /// How sure we are, in `[0, 1]`.
    pub confidence: f32,
}

impl Exception {
    /// An exception created now.
    pub fn new(
        inherited_value: PropertyValue,
        actual_value: PropertyValue,
        reason: impl Into<String>,
        source: ExceptionSource,
        confidence: f32,
    ) -> Self {
        Exception {
            inherited_value,
            actual_value,
            reason: reason.into(),
            source,
            created_at: Instant::now(),
            confidence,
        }
    }

    /// Checks what every engine requires of a record: a finite confidence in `[0, 1]` and
    /// values whose lists nest at most [`llmkg_core::MAX_VALUE_DEPTH`] deep, the bound every
    /// path in (store, snapshots, optimizer, learner) applies.
    ///
    /// # Errors
    ///
    /// [`ExceptionError::InvalidConfidence`] naming the confidence, or
    /// [`ExceptionError::ValueTooDeep`] naming the value.
    #[inline]
    pub fn validate(&self) -> Result<(), ExceptionError> {
        Exception::validate_fields(self.confidence, &self.inherited_value, &self.actual_value)
    }

    /// [`validate`](Self::validate) of an exception's confidence and values given apart (a
    /// caller that holds them borrowed, without building the `Exception`).
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate).
    #[inline]
    pub fn validate_fields(
        confidence: f32,
        inherited: &PropertyValue,
        actual: &PropertyValue,
    ) -> Result<(), ExceptionError> {
        validate_confidence(confidence)?;
        for (which, value) in [("inherited", inherited), ("actual", actual)] {
            value
                .check_depth()
                .map_err(|_| ExceptionError::ValueTooDeep {
                    which,
                    limit: llmkg_core::MAX_VALUE_DEPTH,
                })?;
        }
        Ok(())
    }

    /// Heap bytes owned by this exception (string and list capacities).
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.inherited_value.heap_bytes() + self.actual_value.heap_bytes() + self.reason.capacity()
    }
}

/// Checks that a confidence is finite and within `[0, 1]`.
#[inline]
fn validate_confidence(confidence: f32) -> Result<(), ExceptionError> {
    if confidence.is_finite() && (0.0..=1.0).contains(&confidence) {
        Ok(())
    } else {
        Err(ExceptionError::InvalidConfidence(confidence))
    }
}

/// The stable 64-bit hash of a property name.
///
/// It is XXH3-64 with seed 0 over the name's UTF-8 bytes, a published algorithm, so it is
/// the same in every process, on every platform and in every version of this crate:
/// it can be written to files and compared across runs.
///
/// ```
/// use llmkg_exception::property_hash;
/// assert_eq!(property_hash("can_fly"), 0x722e14053054b08f);
/// assert_ne!(property_hash("can_fly"), property_hash("can_swim"));
/// ```
#[inline]
#[must_use]
pub fn property_hash(property: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(property.as_bytes())
}

/// Names one exception: a node and the hash of a property name.
///
/// ```
/// use llmkg_core::NodeId;
/// use llmkg_exception::{property_hash, ExceptionKey};
/// let key = ExceptionKey::new(NodeId(7), "can_fly");
/// assert_eq!(key.property_hash, property_hash("can_fly"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExceptionKey {
    /// The node that has the exception.
    pub node_id: NodeId,
    /// [`property_hash`] of the property name.
    pub property_hash: u64,
}

impl ExceptionKey {
    /// The key of `property` on `node_id`, using [`property_hash`].
    #[must_use]
    pub fn new(node_id: NodeId, property: &str) -> Self {
        ExceptionKey {
            node_id,
            property_hash: property_hash(property),
        }
    }
}

/// Converts an `Instant` to and from nanoseconds since the Unix epoch.
///
/// [`Exception`]'s serde form uses it; file formats that keep `created_at` in their own
/// columns (the optimizer's snapshot) call [`to_unix_nanos`](instant_serde::to_unix_nanos)
/// and [`from_unix_nanos`](instant_serde::from_unix_nanos) directly.
///
/// The conversion anchors on one `(Instant, SystemTime)` pair taken once per process, so
/// within a process the round trip is exact to the nanosecond.
pub mod instant_serde {
    use std::sync::OnceLock;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::*;

    fn anchor() -> (Instant, SystemTime) {
        static ANCHOR: OnceLock<(Instant, SystemTime)> = OnceLock::new();
        *ANCHOR.get_or_init(|| (Instant::now(), SystemTime::now()))
    }

    /// Nanoseconds since the Unix epoch (negative before it) of an `Instant`.
    #[must_use]
    pub fn to_unix_nanos(instant: Instant) -> i128 {
        let (anchor_instant, anchor_wall) = anchor();
        let anchor_nanos = match anchor_wall.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        };
        if instant >= anchor_instant {
            anchor_nanos + instant.duration_since(anchor_instant).as_nanos() as i128
        } else {
            anchor_nanos - anchor_instant.duration_since(instant).as_nanos() as i128
        }
    }

    /// The `Instant` of a count of nanoseconds since the Unix epoch.
    ///
    /// Times that an `Instant` cannot represent on this platform (before the monotonic
    /// clock's origin) saturate to the earliest representable time we can reach.
    #[must_use]
    pub fn from_unix_nanos(nanos: i128) -> Instant {
        let (anchor_instant, _) = anchor();
        let anchor_nanos = to_unix_nanos(anchor_instant);
        // Saturating: a file may hold any i128 (i128::MIN included), and a time that far off
        // saturates below like any other unrepresentable one.
        let delta = nanos.saturating_sub(anchor_nanos);
        let magnitude = Duration::from_nanos(delta.unsigned_abs().min(u64::MAX as u128) as u64);
        if delta >= 0 {
            anchor_instant
                .checked_add(magnitude)
                .unwrap_or(anchor_instant)
        } else {
            let mut back = magnitude;
            // Halve until representable: a far-past time saturates instead of panicking.
            loop {
                if let Some(t) = anchor_instant.checked_sub(back) {
                    return t;
                }
                back /= 2;
            }
        }
    }

    /// Serde `serialize_with`.
    pub fn serialize<S: Serializer>(instant: &Instant, serializer: S) -> Result<S::Ok, S::Error> {
        to_unix_nanos(*instant).serialize(serializer)
    }

    /// Serde `deserialize_with`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Instant, D::Error> {
        let nanos = i128::deserialize(deserializer)?;
        Ok(from_unix_nanos(nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_hash_is_stable_across_versions() {
        // Pinned values: if these change, every saved snapshot and key breaks.
        assert_eq!(property_hash(""), 0x2d06800538d394c2);
        assert_eq!(property_hash("can_fly"), 0x722e14053054b08f);
        assert_eq!(property_hash("größe"), 0xa6d7bbea01d4872c);
    }

    #[test]
    fn any_nanos_give_an_instant_without_overflow() {
        let now = Instant::now();
        for nanos in [i128::MIN, i128::MIN + 1, -1, 0, i128::MAX - 1, i128::MAX] {
            let instant = instant_serde::from_unix_nanos(nanos);
            if nanos < 0 {
                assert!(instant <= now, "{nanos}");
            } else if nanos == i128::MAX {
                assert!(instant >= instant_serde::from_unix_nanos(0), "{nanos}");
            }
        }
    }

    #[test]
    fn instant_round_trips_exactly_in_process() {
        let now = Instant::now();
        let past = now - Duration::from_secs(3600);
        for t in [now, past, now + Duration::from_nanos(123_456_789)] {
            assert_eq!(
                instant_serde::from_unix_nanos(instant_serde::to_unix_nanos(t)),
                t
            );
        }
    }

    #[test]
    fn confidence_validation() {
        assert!(validate_confidence(0.0).is_ok());
        assert!(validate_confidence(1.0).is_ok());
        for bad in [f32::NAN, f32::INFINITY, -0.1, 1.01, f32::NEG_INFINITY] {
            assert!(matches!(
                validate_confidence(bad),
                Err(ExceptionError::InvalidConfidence(_))
            ));
        }
    }
}
