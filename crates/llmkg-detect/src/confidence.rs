//! The confidence formula: how sure the detector is that a difference is a real exception.

use llmkg_exception::{ChangeKind, Comparison};

/// The highest confidence a kind of change can reach, when the two values share nothing.
///
/// A flipped boolean, a negated statement or a changed number is unambiguous (numbers have
/// no synonyms); text can differ by a synonym or a shade (`"red"`/`"crimson"`), and a
/// changed type is as likely a modelling mistake as a deliberate override, so it is lowest.
fn confidence_ceiling(kind: ChangeKind) -> f32 {
    match kind {
        ChangeKind::BooleanFlip { .. } | ChangeKind::TextNegation | ChangeKind::Numeric => 0.95,
        ChangeKind::Text | ChangeKind::Cancelled | ChangeKind::FilledIn => 0.9,
        ChangeKind::List => 0.85,
        ChangeKind::TypeChange => 0.8,
        ChangeKind::Equal => 0.0,
        // A kind this detector does not know yet: as unsure as a change of type.
        _ => 0.8,
    }
}

/// `ceiling(kind) * (1 + (1 - similarity)) / 2`, or 0 for equal values.
///
/// The dissimilarity moves the confidence between half the ceiling (values that are
/// nearly the same) and the full ceiling (values that share nothing).
pub(crate) fn confidence_of(comparison: Comparison) -> f32 {
    let dissimilarity = (1.0 - comparison.similarity).clamp(0.0, 1.0);
    (confidence_ceiling(comparison.kind) * (1.0 + dissimilarity) / 2.0).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use llmkg_core::PropertyValue as V;

    use super::*;
    use llmkg_exception::compare;

    fn confidence(inherited: V, actual: V) -> f32 {
        confidence_of(compare(&inherited, &actual))
    }

    #[test]
    fn boolean_flip_is_near_certain() {
        assert!(confidence(V::Boolean(true), V::Boolean(false)) > 0.9);
    }

    #[test]
    fn near_synonyms_are_less_certain_than_a_flip() {
        let red_crimson = confidence(V::from("red"), V::from("crimson"));
        assert!(red_crimson < 0.8, "red -> crimson scored {red_crimson}");
        assert!(red_crimson < confidence(V::Boolean(true), V::Boolean(false)));
    }

    #[test]
    fn small_changes_score_lower_than_large_ones() {
        let small = confidence(V::Number(100.0), V::Number(99.0));
        let large = confidence(V::Number(100.0), V::Number(10.0));
        assert!(small < large);
        assert!((0.0..=1.0).contains(&small) && (0.0..=1.0).contains(&large));
    }

    #[test]
    fn equal_values_have_no_confidence() {
        assert_eq!(confidence(V::Integer(3), V::Integer(3)), 0.0);
    }

    #[test]
    fn type_change_is_the_lowest_ceiling() {
        let type_change = confidence(V::Boolean(true), V::from("yes"));
        assert!((type_change - 0.8).abs() < 1e-6);
        assert!(type_change < confidence(V::Integer(4), V::Null));
    }
}
