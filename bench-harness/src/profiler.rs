//! The seed's `PerformanceProfiler`: named time checkpoints and heap readings from the
//! counting allocator, summed up in a `PerformanceReport`.
//!
//! Which allocator it reads: a bench or test binary installs
//! `#[global_allocator] static ALLOCATOR: CountingAllocator = CountingAllocator::new();` and
//! hands it to [`register_counting_allocator`] once; [`PerformanceProfiler::new`] then reads
//! it. Registration checks that the allocator really is the global one (its counters must move
//! when the harness allocates), so a profiler can never present an idle allocator's zeros as
//! measurements. Without a registered allocator the report's memory is
//! [`MemoryFigures::NotMeasured`].

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
/// use bench_harness::{MemoryFigures, PerformanceProfiler};
///
/// let mut profiler = PerformanceProfiler::new();
/// profiler.checkpoint("setup");
/// profiler.memory_checkpoint("baseline");
/// let report = profiler.finish();
/// assert_eq!(report.checkpoints[0].0, "setup");
/// // This doctest installs no counting allocator, so the report says so instead of
/// // reporting zero bytes.
/// assert!(matches!(report.memory, MemoryFigures::NotMeasured { .. }));
/// assert!(report.memory_usage().is_err());
/// ```
#[derive(Debug)]
pub struct PerformanceProfiler {
    start_time: Instant,
    checkpoints: Vec<(String, Duration)>,
    memory_samples: Vec<(String, usize)>,
    unmeasured_samples: Vec<String>,
    allocator: Option<&'static CountingAllocator>,
}

/// Heap figures of a [`PerformanceReport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemoryFigures {
    /// Read from the counting allocator.
    Measured {
        /// Live heap bytes of the whole process at each memory checkpoint, in order.
        samples: Vec<(String, usize)>,
        /// The highest live heap bytes between the profiler's start and `finish`.
        peak_bytes: usize,
    },
    /// No counting allocator was installed, so nothing was measured.
    NotMeasured {
        /// The memory checkpoints that were requested.
        requested: Vec<String>,
    },
}

/// What a [`PerformanceProfiler`] recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerformanceReport {
    /// Time from the profiler's creation to `finish`.
    pub total_duration: Duration,
    /// Time from the profiler's creation to each checkpoint, in order.
    pub checkpoints: Vec<(String, Duration)>,
    /// Heap readings, or why there are none.
    pub memory: MemoryFigures,
}

impl PerformanceProfiler {
    /// A profiler started now, reading the registered counting allocator if there is one.
    ///
    /// The allocator's peak is reset here, so [`MemoryFigures::Measured::peak_bytes`] is the
    /// peak of this profiler's span; two profilers alive at once share that peak.
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
        if let Some(allocator) = allocator {
            allocator.reset_peak();
        }
        PerformanceProfiler {
            start_time: Instant::now(),
            checkpoints: Vec::with_capacity(16),
            // Reserved up front so that sampling rarely allocates inside the span it measures.
            memory_samples: Vec::with_capacity(16),
            unmeasured_samples: Vec::new(),
            allocator,
        }
    }

    /// Whether memory checkpoints read a counting allocator.
    pub fn measures_memory(&self) -> bool {
        self.allocator.is_some()
    }

    /// Records the time elapsed since the start under `name`.
    pub fn checkpoint(&mut self, name: &str) {
        let elapsed = self.start_time.elapsed();
        self.checkpoints.push((name.to_owned(), elapsed));
    }

    /// Records the live heap bytes under `name` (or that they could not be read).
    pub fn memory_checkpoint(&mut self, name: &str) {
        match self.allocator {
            Some(allocator) => {
                // Read before the name is copied, so the reading excludes our own bookkeeping.
                let bytes = allocator.snapshot().current_bytes;
                self.memory_samples.push((name.to_owned(), bytes));
            }
            None => self.unmeasured_samples.push(name.to_owned()),
        }
    }

    /// Stops the clock and returns the report.
    pub fn finish(self) -> PerformanceReport {
        let total_duration = self.start_time.elapsed();
        let memory = match self.allocator {
            Some(allocator) => MemoryFigures::Measured {
                samples: self.memory_samples,
                peak_bytes: allocator.snapshot().peak_bytes,
            },
            None => MemoryFigures::NotMeasured {
                requested: self.unmeasured_samples,
            },
        };
        PerformanceReport {
            total_duration,
            checkpoints: self.checkpoints,
            memory,
        }
    }
}

impl Default for PerformanceProfiler {
    fn default() -> Self {
        Self::new()
    }
}

impl PerformanceReport {
    /// The heap readings in order.
    ///
    /// # Errors
    ///
    /// [`HarnessError::MemoryNotMeasured`] when no counting allocator was installed.
    pub fn memory_usage(&self) -> Result<&[(String, usize)]> {
        match &self.memory {
            MemoryFigures::Measured { samples, .. } => Ok(samples),
            MemoryFigures::NotMeasured { .. } => Err(HarnessError::MemoryNotMeasured),
        }
    }

    /// The peak heap bytes of the profiled span.
    ///
    /// # Errors
    ///
    /// [`HarnessError::MemoryNotMeasured`] when no counting allocator was installed.
    pub fn peak_memory(&self) -> Result<usize> {
        match &self.memory {
            MemoryFigures::Measured { peak_bytes, .. } => Ok(*peak_bytes),
            MemoryFigures::NotMeasured { .. } => Err(HarnessError::MemoryNotMeasured),
        }
    }

    /// Heap growth from the first to the last memory checkpoint divided by `items`
    /// (negative when the heap shrank).
    ///
    /// # Errors
    ///
    /// [`HarnessError::MemoryNotMeasured`] without a counting allocator,
    /// [`HarnessError::UnknownCheckpoint`] with fewer than one reading,
    /// [`HarnessError::ZeroItems`] when `items` is zero.
    pub fn growth_per_item(&self, items: usize) -> Result<f64> {
        let samples = self.memory_usage()?;
        let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
            return Err(HarnessError::UnknownCheckpoint("(first)".to_owned()));
        };
        if items == 0 {
            return Err(HarnessError::ZeroItems);
        }
        Ok((last.1 as f64 - first.1 as f64) / items as f64)
    }
}

impl fmt::Display for PerformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "total: {:?}", self.total_duration)?;
        for (name, at) in &self.checkpoints {
            writeln!(f, "  {name}: {at:?}")?;
        }
        match &self.memory {
            MemoryFigures::Measured {
                samples,
                peak_bytes,
            } => {
                for (name, bytes) in samples {
                    writeln!(f, "  heap at {name}: {bytes} B")?;
                }
                write!(f, "  peak heap: {peak_bytes} B")
            }
            MemoryFigures::NotMeasured { requested } => write!(
                f,
                "  memory not measured ({} checkpoints requested): no counting allocator installed",
                requested.len()
            ),
        }
    }
}
