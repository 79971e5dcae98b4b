//! A reading of the allocator's counters and the difference between two readings.

/// The allocator's counters at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// Heap bytes currently allocated (the sum of the requested `layout.size()` of live blocks).
    pub current_bytes: usize,
    /// The highest `current_bytes` seen since start or the last
    /// [`reset_peak`](crate::CountingAllocator::reset_peak), exact at the moments of readings and
    /// otherwise low by at most `min(threads, SHARD_COUNT) x PEAK_GRANULARITY_BYTES`.
    pub peak_bytes: usize,
    /// Successful `alloc` and `alloc_zeroed` calls.
    pub allocations: u64,
    /// `dealloc` calls.
    pub deallocations: u64,
    /// Successful `realloc` calls (a reallocation is neither an allocation nor a deallocation,
    /// so `allocations - deallocations` is the number of live blocks).
    pub reallocations: u64,
    /// Bytes handed out since start: every allocation's size plus every reallocation's
    /// growth; it never decreases, so the difference of two readings is the bytes allocated
    /// in between.
    pub allocated_bytes: u64,
}

/// What changed between two [`Snapshot`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SnapshotDelta {
    /// Net change of the current heap bytes (negative when memory was released).
    pub current_bytes: isize,
    /// How far the later peak rose above the earlier current bytes; this is the peak growth of
    /// the interval when the peak was reset when the earlier snapshot was taken.
    pub peak_bytes_above_start: usize,
    /// Allocations made in between.
    pub allocations: u64,
    /// Deallocations made in between.
    pub deallocations: u64,
    /// Reallocations made in between.
    pub reallocations: u64,
    /// Bytes allocated in between (allocations plus reallocation growth).
    pub allocated_bytes: u64,
}

impl Snapshot {
    /// The difference from an `earlier` snapshot to this one.
    ///
    /// ```
    /// use llmkg_counting_alloc::Snapshot;
    ///
    /// let earlier = Snapshot { current_bytes: 100, peak_bytes: 100, allocations: 1, ..Snapshot::default() };
    /// let later = Snapshot { current_bytes: 60, peak_bytes: 400, allocations: 3, deallocations: 1, reallocations: 0, allocated_bytes: 500 };
    /// let delta = later.since(&earlier);
    /// assert_eq!(delta.current_bytes, -40);
    /// assert_eq!(delta.peak_bytes_above_start, 300);
    /// assert_eq!(delta.allocations, 2);
    /// ```
    #[must_use]
    pub fn since(&self, earlier: &Snapshot) -> SnapshotDelta {
        SnapshotDelta {
            current_bytes: signed_difference(self.current_bytes, earlier.current_bytes),
            peak_bytes_above_start: self.peak_bytes.saturating_sub(earlier.current_bytes),
            allocations: self.allocations.wrapping_sub(earlier.allocations),
            deallocations: self.deallocations.wrapping_sub(earlier.deallocations),
            reallocations: self.reallocations.wrapping_sub(earlier.reallocations),
            allocated_bytes: self.allocated_bytes.wrapping_sub(earlier.allocated_bytes),
        }
    }
}

/// `later - earlier` as a signed number, saturating at the ends of `isize`.
fn signed_difference(later: usize, earlier: usize) -> isize {
    if later >= earlier {
        isize::try_from(later - earlier).unwrap_or(isize::MAX)
    } else {
        isize::try_from(earlier - later).map_or(isize::MIN, |d| -d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_subtracts_each_counter() {
        let earlier = Snapshot {
            current_bytes: 10,
            peak_bytes: 50,
            allocations: 5,
            deallocations: 2,
            reallocations: 1,
            allocated_bytes: 100,
        };
        let later = Snapshot {
            current_bytes: 30,
            peak_bytes: 70,
            allocations: 9,
            deallocations: 3,
            reallocations: 4,
            allocated_bytes: 164,
        };
        assert_eq!(
            later.since(&earlier),
            SnapshotDelta {
                current_bytes: 20,
                peak_bytes_above_start: 60,
                allocations: 4,
                deallocations: 1,
                reallocations: 3,
                allocated_bytes: 64,
            }
        );
    }

    #[test]
    fn signed_difference_saturates() {
        assert_eq!(signed_difference(usize::MAX, 0), isize::MAX);
        assert_eq!(signed_difference(0, usize::MAX), isize::MIN);
        assert_eq!(signed_difference(3, 5), -2);
    }
}
