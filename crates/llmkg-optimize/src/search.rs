//! Searching an ascending run of distinct `u64`s by interpolation, bounded by bisection.
//!
//! Property hashes are uniform 64-bit hashes and node ids of one property are usually spread
//! evenly, so one interpolation probe usually lands on the key (an arithmetic sequence is
//! found in one probe). Whenever a probe fails to halve the range, the next step bisects,
//! so adversarial data takes at most two steps per halving of the range (an interpolation
//! step reads three values, a bisection one: at most about four reads per halving, where a
//! binary search makes one).

/// The index in `start..end` whose value is `target`, where `value(i)` ascends strictly over
/// that range; `None` when no value equals `target`.
#[inline(always)]
pub(crate) fn find_ascending(
    start: usize,
    end: usize,
    target: u64,
    value: impl Fn(usize) -> u64,
) -> Option<usize> {
    let (mut low, mut high) = (start, end);
    let mut bisect = false;
    while low < high {
        let width = high - low;
        let probe = if bisect {
            low + width / 2
        } else {
            let first = value(low);
            let last = value(high - 1);
            if target <= first || target >= last {
                return (target == first)
                    .then_some(low)
                    .or_else(|| (target == last).then_some(high - 1));
            }
            // `first < target < last`, so the quotient is below `width - 1`.
            let (distance, span, steps) = (target - first, last - first, width as u64 - 1);
            let offset = match distance.checked_mul(steps) {
                Some(product) => product / span,
                None => (u128::from(distance) * u128::from(steps) / u128::from(span)) as u64,
            };
            low + offset as usize
        };
        let found = value(probe);
        let (new_low, new_high) = match found.cmp(&target) {
            std::cmp::Ordering::Equal => return Some(probe),
            std::cmp::Ordering::Less => (probe + 1, high),
            std::cmp::Ordering::Greater => (low, probe),
        };
        bisect = !bisect && (new_high - new_low) * 2 > width;
        (low, high) = (new_low, new_high);
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn arithmetic_sequences_and_edges() {
        let values: Vec<u64> = (0..1000).map(|i| 7 + 100 * i).collect();
        for (index, &value) in values.iter().enumerate() {
            assert_eq!(
                find_ascending(0, values.len(), value, |i| values[i]),
                Some(index)
            );
            assert_eq!(
                find_ascending(0, values.len(), value + 1, |i| values[i]),
                None
            );
        }
        assert_eq!(find_ascending(0, values.len(), 0, |i| values[i]), None);
        assert_eq!(find_ascending(0, 0, 7, |i| values[i]), None);
        assert_eq!(find_ascending(3, 4, 307, |i| values[i]), Some(3));
        let extremes = [0, 1, u64::MAX - 1, u64::MAX];
        for (index, &value) in extremes.iter().enumerate() {
            assert_eq!(find_ascending(0, 4, value, |i| extremes[i]), Some(index));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn agrees_with_binary_search(
            mut values in prop::collection::vec(any::<u64>().prop_map(|v| v >> (v % 64)), 0..300),
            probes in prop::collection::vec(any::<u64>(), 0..50),
            skew in 0_usize..4,
        ) {
            values.sort_unstable();
            values.dedup();
            // Skewed data: squash the low part so interpolation guesses badly.
            let values: Vec<u64> = values.iter().map(|&v| if skew > 0 { v >> (skew * 8) } else { v }).collect();
            let mut values = values;
            values.dedup();
            let start = values.len().min(skew);
            let in_range = &values[start..];
            let targets = probes.iter().copied().chain(values.iter().copied());
            for target in targets {
                let expected = in_range.binary_search(&target).ok().map(|i| i + start);
                prop_assert_eq!(find_ascending(start, values.len(), target, |i| values[i]), expected);
            }
        }
    }
}
