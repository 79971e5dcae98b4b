//! The seed's `PerformanceProfiler`: named time checkpoints and heap readings, summed up in a
//! `PerformanceReport` with the seed's public fields.
//!
//! Which allocator it reads, in order of preference ([`MemorySource`]):
//! 1. the counting allocator, when a bench or test binary installs
//!    `#[global_allocator] static ALLOCATOR: CountingAllocator = CountingAllocator::new();` and
//!    hands it to [`register_counting_allocator`] once. Registration checks that the allocator
//!    really is the global one (its counters must move when the harness allocates), so a
//!    profiler never presents an idle allocator's zeros as measurements. Exact requested
//!    bytes and a true peak.
//! 2. the system allocator's own statistics (glibc's `mallinfo2`) when no counting allocator
//!    is registered, so the seed's benches measure memory as the user wrote them. These
//!    include malloc's chunk overhead, and the peak is the highest checkpoint reading.
//! 3. nothing ([`MemorySource::NotMeasured`]) on platforms without either.

#[allow(unsafe_code)] // One FFI call to glibc's `mallinfo2`; see the module's documentation.
mod system_memory;

use std::fmt;
use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use llmkg_counting_alloc::CountingAllocator;

use crate::error::{HarnessError, Result};

static REGISTERED: OnceLock<&'static CountingAllocator> = OnceLock::new();

/// Registers the binary's global counting allocator for [`PerformanceProfiler::new`].
///
/// Registering the same allocator again is a no-op.
///
/// # Errors
///
/// [`HarnessError::AllocatorNotInstalled`] when `allocator` is not the `#[global_allocator]`;
/// [`HarnessError::AllocatorAlreadyRegistered`] when another one was registered before.
pub fn register_counting_allocator(allocator: &'static CountingAllocator) -> Result<()> {
    verify_installed(allocator)?;
    let registered = REGISTERED.get_or_init(|| allocator);
    if std::ptr::eq(*registered, allocator) {
        Ok(())
    } else {
        Err(HarnessError::AllocatorAlreadyRegistered)
    }
}

/// The allocator registered with [`register_counting_allocator`], if any.
pub fn registered_allocator() -> Option<&'static CountingAllocator> {
    REGISTERED.get().copied()
}

/// Says once per process, on standard error, that memory cannot be measured here, so a memory
/// assertion on the zeros a profiler then reads (which cannot fail) is not taken for a pass.
fn report_not_measurable() {
    static REPORTED: std::sync::Once = std::sync::Once::new();
    REPORTED.call_once(|| {
        eprintln!(
            "bench-harness: memory is not measurable here (no counting allocator registered \
             and no mallinfo2): memory checkpoints read 0, so memory assertions on them cannot \
             fail; register a CountingAllocator to measure"
        );
    });
}

/// Allocates a probe block and checks that `allocator` counted it.
fn verify_installed(allocator: &CountingAllocator) -> Result<()> {
    let before = allocator.snapshot();
    let probe = black_box(vec![0_u8; 4096]);
    let after = allocator.snapshot();
    drop(probe);
    if after.allocations > before.allocations {
        Ok(())
    } else {
        Err(HarnessError::AllocatorNotInstalled)
    }
}

/// Records how long a workload takes to reach named points and how much heap it holds there.
///
/// ```
/// use bench_harness::{MemorySource, PerformanceProfiler};
///
/// let mut profiler = PerformanceProfiler::new();
/// profiler.checkpoint("setup");
/// profiler.memory_checkpoint("baseline");
/// let report = profiler.finish();
/// assert_eq!(report.checkpoints[0].0, "setup");
/// // This doctest installs no counting allocator: on glibc the system allocator's statistics
/// // are read instead, elsewhere the report says that nothing was measured.
/// match report.memory_source {
///     MemorySource::SystemAllocator => assert!(report.memory_usage[0].1 > 0),
///     MemorySource::NotMeasured => assert!(report.measured_memory_usage().is_err()),
///     MemorySource::CountingAllocator => unreachable!("none registered"),
/// }
/// ```
#[derive(Debug)]
pub struct PerformanceProfiler {
    start_time: Instant,
    checkpoints: Vec<(String, Duration)>,
    memory_samples: Vec<(String, usize)>,
    /// The first reading exactly as read; later readings never go below it.
    first_reading: Option<usize>,
    /// Live bytes at the last checkpoint exactly as read (may be below `first_reading`).
    last_reading: Option<usize>,
    source: MemorySource,
    allocator: Option<&'static CountingAllocator>,
}

/// Where a [`PerformanceReport`]'s heap figures come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemorySource {
    /// The registered counting allocator: requested bytes, exact, and a true peak.
    CountingAllocator,
    /// The system allocator's statistics (glibc `mallinfo2`): live bytes including malloc's
    /// chunk overhead; the peak is the highest checkpoint reading.
    SystemAllocator,
    /// Nothing could be read: the readings are zeros and must not be used.
    NotMeasured,
}

/// What a [`PerformanceProfiler`] recorded: the seed's four public fields, and where the heap
/// figures come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerformanceReport {
    /// Time from the profiler's creation to `finish`.
    pub total_duration: Duration,
    /// Time from the profiler's creation to each checkpoint, in order.
    pub checkpoints: Vec<(String, Duration)>,
    /// Live heap bytes of the whole process at each memory checkpoint, in order (zeros when
    /// [`memory_source`](PerformanceReport::memory_source) is `NotMeasured`).
    ///
    /// No reading is below the first one: a heap that shrank below where it started reads as
    /// the first reading, so growth taken by subtracting the first reading from a later one
    /// (as the seed's memory bench does, in unsigned integers) is zero there instead of an
    /// underflow. [`growth_per_item`](PerformanceReport::growth_per_item) uses the readings
    /// exactly as read, and can be negative.
    pub memory_usage: Vec<(String, usize)>,
    /// The highest live heap bytes of the profiled span (see [`MemorySource`] for how exact).
    pub peak_memory: usize,
    /// Where the heap figures come from.
    pub memory_source: MemorySource,
    /// The first and last readings exactly as read.
    exact_ends: Option<(usize, usize)>,
}

impl PerformanceProfiler {
    /// A profiler started now, reading the registered counting allocator if there is one and
    /// the system allocator's statistics otherwise.
    ///
    /// A counting allocator's peak is reset here, so the report's `peak_memory` is the peak of
    /// this profiler's span; two profilers alive at once share that peak.
    pub fn new() -> Self {
        Self::reading(registered_allocator())
    }

    /// A profiler reading `allocator`, which must be the binary's global allocator.
    ///
    /// # Errors
    ///
    /// [`HarnessError::AllocatorNotInstalled`] when it is not.
    pub fn with_allocator(allocator: &'static CountingAllocator) -> Result<Self> {
        verify_installed(allocator)?;
        Ok(Self::reading(Some(allocator)))
    }

    fn reading(allocator: Option<&'static CountingAllocator>) -> Self {
        let source = match allocator {
            Some(allocator) => {
                allocator.reset_peak();
                MemorySource::CountingAllocator
            }
            None if system_memory::live_heap_bytes().is_some() => MemorySource::SystemAllocator,
            None => {
                report_not_measurable();
                MemorySource::NotMeasured
            }
        };
        PerformanceProfiler {
            start_time: Instant::now(),
            checkpoints: Vec::with_capacity(16),
            // Reserved up front so that sampling rarely allocates inside the span it measures.
            memory_samples: Vec::with_capacity(16),
            first_reading: None,
            last_reading: None,
            source,
            allocator,
        }
    }

    /// Whether memory checkpoints read a counting allocator (exact figures).
    pub fn measures_memory(&self) -> bool {
        self.allocator.is_some()
    }

    /// Where memory checkpoints read from.
    pub fn memory_source(&self) -> MemorySource {
        self.source
    }

    fn live_bytes(&self) -> usize {
        match self.allocator {
            Some(allocator) => allocator.snapshot().current_bytes,
            None => system_memory::live_heap_bytes().unwrap_or(0),
        }
    }

    /// Records the time elapsed since the start under `name`.
    pub fn checkpoint(&mut self, name: &str) {
        let elapsed = self.start_time.elapsed();
        self.checkpoints.push((name.to_owned(), elapsed));
    }

    /// Records the live heap bytes under `name` (zero when nothing can be read, see
    /// [`memory_source`](PerformanceProfiler::memory_source)).
    pub fn memory_checkpoint(&mut self, name: &str) {
        // Read before the name is copied, so the reading excludes our own bookkeeping.
        let bytes = self.live_bytes();
        let first = *self.first_reading.get_or_insert(bytes);
        self.last_reading = Some(bytes);
        self.memory_samples
            .push((name.to_owned(), bytes.max(first)));
    }

    /// Stops the clock and returns the report.
    pub fn finish(self) -> PerformanceReport {
        let total_duration = self.start_time.elapsed();
        let highest_sample = self.memory_samples.iter().map(|(_, bytes)| *bytes).max();
        let peak_memory = match self.allocator {
            Some(allocator) => allocator.snapshot().peak_bytes,
            None => highest_sample.unwrap_or(0),
        };
        PerformanceReport {
            total_duration,
            checkpoints: self.checkpoints,
            memory_usage: self.memory_samples,
            exact_ends: self.first_reading.zip(self.last_reading),
            peak_memory,
            memory_source: self.source,
        }
    }
}

impl Default for PerformanceProfiler {
    fn default() -> Self {
        Self::new()
    }
}

impl PerformanceReport {
    /// The heap readings in order, if anything could be read.
    ///
    /// # Errors
    ///
    /// [`HarnessError::MemoryNotMeasured`] when [`memory_source`](Self::memory_source) is
    /// `NotMeasured`.
    pub fn measured_memory_usage(&self) -> Result<&[(String, usize)]> {
        match self.memory_source {
            MemorySource::NotMeasured => Err(HarnessError::MemoryNotMeasured),
            _ => Ok(&self.memory_usage),
        }
    }

    /// The peak heap bytes of the profiled span, if anything could be read.
    ///
    /// # Errors
    ///
    /// [`HarnessError::MemoryNotMeasured`] when [`memory_source`](Self::memory_source) is
    /// `NotMeasured`.
    pub fn measured_peak_memory(&self) -> Result<usize> {
        self.measured_memory_usage().map(|_| self.peak_memory)
    }

    /// Heap growth from the first to the last memory checkpoint divided by `items`
    /// (negative when the heap shrank).
    ///
    /// # Errors
    ///
    /// [`HarnessError::MemoryNotMeasured`] when nothing could be read,
    /// [`HarnessError::UnknownCheckpoint`] with fewer than one reading,
    /// [`HarnessError::ZeroItems`] when `items` is zero.
    pub fn growth_per_item(&self, items: usize) -> Result<f64> {
        self.measured_memory_usage()?;
        let Some((first, last)) = self.exact_ends else {
            return Err(HarnessError::UnknownCheckpoint("(first)".to_owned()));
        };
        if items == 0 {
            return Err(HarnessError::ZeroItems);
        }
        Ok((last as f64 - first as f64) / items as f64)
    }
}

impl fmt::Display for PerformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "total: {:?}", self.total_duration)?;
        for (name, at) in &self.checkpoints {
            writeln!(f, "  {name}: {at:?}")?;
        }
        let source = match self.memory_source {
            MemorySource::CountingAllocator => "counting allocator",
            MemorySource::SystemAllocator => "system allocator statistics",
            MemorySource::NotMeasured => {
                return write!(
                    f,
                    "  memory not measured ({} checkpoints requested): no counting allocator \
                     installed and no system allocator statistics",
                    self.memory_usage.len()
                );
            }
        };
        for (name, bytes) in &self.memory_usage {
            writeln!(f, "  heap at {name}: {bytes} B")?;
        }
        write!(f, "  peak heap: {} B (from the {source})", self.peak_memory)
    }
}

#[cfg(test)]
mod tests;
