//! The suite's Criterion measurement: wall time, taken in turns with a second bench process
//! when `cargo xtask regress` runs two builds in lock-step, or a counting-allocator quantity
//! per iteration for the gate's memory lane.
//!
//! How it is chosen is read once from the environment, so the same binary serves
//! `cargo bench`, `cargo test` and both lanes of the gate:
//!
//! - [`MEASURE_VAR`] (`LLMKG_BENCH_MEASURE`): `time` (the default), `allocations`,
//!   `allocated-bytes` or `retained-bytes`: what one sample's value counts ([`Quantity`]).
//! - [`LOCKSTEP_VAR`] (`LLMKG_LOCKSTEP_SOCKET`): the path of a Unix socket of the gate's
//!   coordinator. Every sample then waits for its turn before the clock starts and hands the
//!   turn back after it stops, so the baseline's and the candidate's processes measure one
//!   sample each, alternately, on the same machine state; the noise of a shared 2-core
//!   machine moves on a scale of about a second, far slower than one sample.
//!
//! The turn protocol on the socket (one stream per process): the process first writes its
//! side (`LLMKG_BENCH_SIDE`) and a newline; then per sample it writes `R` (request), reads
//! `G` and a little-endian `u32` (an injected slowdown in parts per million, 0 for none, used
//! only by the gate's own power measurement), measures, and writes `D` (done). The
//! coordinator never lets the two processes measure at the same time.
use std::fmt;
use std::hint::black_box;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use criterion::Throughput;
use criterion::measurement::{Measurement, ValueFormatter};

use crate::profiler::registered_allocator;
use llmkg_counting_alloc::Snapshot;

/// Selects what a sample counts: `time`, `allocations`, `allocated-bytes`, `retained-bytes`.
pub const MEASURE_VAR: &str = "LLMKG_BENCH_MEASURE";
/// The coordinator's Unix socket; when set, samples are taken in turns with another process.
pub const LOCKSTEP_VAR: &str = "LLMKG_LOCKSTEP_SOCKET";
/// Which build this process is (`baseline` or `candidate`), sent to the coordinator.
pub const SIDE_VAR: &str = "LLMKG_BENCH_SIDE";

/// What one sample's value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// Wall-clock nanoseconds.
    Time,
    /// Allocations made (the counting allocator's `alloc` calls).
    Allocations,
    /// Bytes allocated: allocations plus reallocation growth.
    AllocatedBytes,
    /// Net heap bytes left allocated at the end of the sample (negative when it freed more).
    RetainedBytes,
}

impl Quantity {
    /// Every quantity, in the order the memory lane reports them.
    pub const MEMORY: [Quantity; 3] = [
        Quantity::Allocations,
        Quantity::AllocatedBytes,
        Quantity::RetainedBytes,
    ];

    /// The name [`MEASURE_VAR`] takes.
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Time => "time",
            Quantity::Allocations => "allocations",
            Quantity::AllocatedBytes => "allocated-bytes",
            Quantity::RetainedBytes => "retained-bytes",
        }
    }

    /// Parses a [`MEASURE_VAR`] value.
    pub fn parse(text: &str) -> Option<Quantity> {
        [Quantity::Time]
            .into_iter()
            .chain(Quantity::MEMORY)
            .find(|quantity| quantity.name() == text.trim())
    }

    fn unit(self) -> &'static str {
        match self {
            Quantity::Time => "ns",
            Quantity::Allocations => "allocs",
            Quantity::AllocatedBytes | Quantity::RetainedBytes => "B",
        }
    }
}

/// The process-wide settings, read from the environment once.
struct State {
    quantity: Quantity,
    /// The coordinator's stream, when samples are taken in turns.
    turns: Option<Mutex<UnixStream>>,
}

static STATE: OnceLock<State> = OnceLock::new();

fn state() -> &'static State {
    STATE.get_or_init(|| {
        let quantity = match std::env::var(MEASURE_VAR) {
            Ok(text) => Quantity::parse(&text).unwrap_or_else(|| {
                fail(&format!("{MEASURE_VAR}={text:?} is not a known quantity"))
            }),
            Err(_) => Quantity::Time,
        };
        let turns = std::env::var_os(LOCKSTEP_VAR).map(|path| {
            let mut stream = UnixStream::connect(&path).unwrap_or_else(|error| {
                fail(&format!(
                    "connecting to {}: {error}",
                    path.to_string_lossy()
                ))
            });
            let side = std::env::var(SIDE_VAR).unwrap_or_else(|_| "unnamed".to_owned());
            if let Err(error) = writeln!(stream, "{side}") {
                fail(&format!("greeting the coordinator: {error}"));
            }
            Mutex::new(stream)
        });
        State { quantity, turns }
    })
}

/// A broken coordinator or a bad setting makes every later number meaningless: the process
/// stops with a message the gate shows, instead of measuring out of turn.
fn fail(message: &str) -> ! {
    eprintln!("error: suite measurement: {message}");
    std::process::exit(3)
}

/// The suite's measurement (see the module docs); a handle to process-wide settings, so any
/// routine can take a span with it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SuiteMeasurement;

/// What a sample's start remembers.
#[derive(Debug, Clone, Copy)]
pub struct Start {
    at: Instant,
    counters: Snapshot,
    /// Injected slowdown, parts per million of the measured time.
    inject_ppm: u32,
}

impl SuiteMeasurement {
    /// The quantity this process measures.
    pub fn quantity(self) -> Quantity {
        state().quantity
    }

    /// Whether samples are taken in turns with a paired process.
    pub fn in_lockstep(self) -> bool {
        state().turns.is_some()
    }

    fn acquire(self) -> u32 {
        let Some(turns) = &state().turns else {
            return 0;
        };
        // A poisoned lock means a sample panicked mid-turn; the stream itself is still whole.
        let mut stream = turns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut grant = [0_u8; 5];
        if let Err(error) = stream
            .write_all(b"R")
            .and_then(|()| stream.read_exact(&mut grant))
        {
            fail(&format!("waiting for a turn: {error}"));
        }
        if grant[0] != b'G' {
            fail(&format!("unexpected grant byte {:#x}", grant[0]));
        }
        u32::from_le_bytes([grant[1], grant[2], grant[3], grant[4]])
    }

    fn release(self) {
        if let Some(turns) = &state().turns {
            let mut stream = turns
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Err(error) = stream.write_all(b"D") {
                fail(&format!("handing the turn back: {error}"));
            }
        }
    }

    fn counters(self) -> Snapshot {
        match (self.quantity(), registered_allocator()) {
            (Quantity::Time, _) => Snapshot::default(),
            (_, Some(allocator)) => allocator.snapshot(),
            (quantity, None) => fail(&format!(
                "{} needs the counting allocator registered",
                quantity.name()
            )),
        }
    }

    /// The value of a span from `start` to now whose own timing (for `iter_custom` routines
    /// that time only part of their work) is `timed`; `None` means the whole span.
    fn finish(self, start: Start, timed: Option<Duration>) -> f64 {
        let quantity = self.quantity();
        let value = match quantity {
            Quantity::Time => {
                let elapsed = timed.unwrap_or_else(|| start.at.elapsed());
                let ns = elapsed.as_nanos() as f64;
                if start.inject_ppm == 0 {
                    ns
                } else {
                    let extra = ns * f64::from(start.inject_ppm) * 1e-6;
                    spin_for(Duration::from_nanos(extra as u64));
                    ns + extra
                }
            }
            _ => {
                let delta = self.counters().since(&start.counters);
                match quantity {
                    Quantity::Allocations => delta.allocations as f64,
                    Quantity::AllocatedBytes => delta.allocated_bytes as f64,
                    _ => delta.current_bytes as f64,
                }
            }
        };
        self.release();
        value
    }

    /// Measures `routine` as one sample: the turn, the clock or the counters around it.
    pub fn span<T>(self, routine: impl FnOnce() -> T) -> (T, f64) {
        let start = self.start();
        let output = routine();
        let value = self.end(start);
        (output, value)
    }

    /// For `iter_custom` routines that time only part of their work themselves: the turn (and
    /// the allocation counters) cover the whole routine; in the time quantity the value is the
    /// routine's own `Duration`.
    pub fn custom(self, routine: impl FnOnce() -> Duration) -> f64 {
        let start = self.start();
        let timed = routine();
        self.finish(start, Some(timed))
    }
}

/// Busy-waits, so an injected slowdown costs real CPU time inside the sample.
fn spin_for(duration: Duration) {
    let until = Instant::now() + duration;
    while Instant::now() < until {
        black_box(());
    }
}

impl Measurement for SuiteMeasurement {
    type Intermediate = Start;
    type Value = f64;

    fn start(&self) -> Start {
        let inject_ppm = self.acquire();
        let counters = self.counters();
        Start {
            at: Instant::now(),
            counters,
            inject_ppm,
        }
    }

    fn end(&self, start: Start) -> f64 {
        self.finish(start, None)
    }

    fn add(&self, v1: &f64, v2: &f64) -> f64 {
        v1 + v2
    }

    fn zero(&self) -> f64 {
        0.0
    }

    fn to_f64(&self, value: &f64) -> f64 {
        *value
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        match self.quantity() {
            Quantity::Time => &TIME_FORMATTER,
            Quantity::Allocations => &ALLOCATIONS_FORMATTER,
            Quantity::AllocatedBytes | Quantity::RetainedBytes => &BYTES_FORMATTER,
        }
    }
}

/// Criterion's own formatting of nanoseconds (the wall-time measurement's), reused.
static TIME_FORMATTER: TimeFormatter = TimeFormatter;
static ALLOCATIONS_FORMATTER: CountFormatter = CountFormatter(Quantity::Allocations);
static BYTES_FORMATTER: CountFormatter = CountFormatter(Quantity::AllocatedBytes);

struct TimeFormatter;

impl ValueFormatter for TimeFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        criterion::measurement::WallTime
            .formatter()
            .scale_values(typical, values)
    }

    fn scale_throughputs(
        &self,
        typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        criterion::measurement::WallTime
            .formatter()
            .scale_throughputs(typical, throughput, values)
    }

    fn scale_for_machines(&self, values: &mut [f64]) -> &'static str {
        criterion::measurement::WallTime
            .formatter()
            .scale_for_machines(values)
    }
}

/// Plain counts, unscaled: the memory lane reads the raw values.
struct CountFormatter(Quantity);

impl fmt::Debug for CountFormatter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.unit())
    }
}

impl ValueFormatter for CountFormatter {
    fn scale_values(&self, _typical: f64, _values: &mut [f64]) -> &'static str {
        self.0.unit()
    }

    fn scale_throughputs(
        &self,
        _typical: f64,
        _throughput: &Throughput,
        _values: &mut [f64],
    ) -> &'static str {
        // A count per element has no rate; the values stay as they are.
        self.0.unit()
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        self.0.unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_round_trip_through_their_names() {
        for quantity in [Quantity::Time].into_iter().chain(Quantity::MEMORY) {
            assert_eq!(Quantity::parse(quantity.name()), Some(quantity));
        }
        assert_eq!(Quantity::parse("bogus"), None);
    }

    #[test]
    fn without_a_coordinator_a_span_measures_time() {
        let measurement = SuiteMeasurement;
        assert!(!measurement.in_lockstep());
        let ((), ns) = measurement.span(|| spin_for(Duration::from_millis(2)));
        assert!(ns >= 2e6, "{ns}");
        assert_eq!(measurement.custom(|| Duration::from_nanos(1234)), 1234.0);
    }
}
