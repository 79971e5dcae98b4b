//! Why `concurrent_operations/prespawned_store_adds/1` had two modes: replays its iteration
//! (a fresh `ExceptionStore`, one pre-spawned worker released by a barrier, 10,000 adds) and
//! prints each timed section's wall time next to the process's minor page faults and the
//! allocator's calls during it.
//!
//! `cargo run --release -p bench-harness --example prespawned_modes -- [each|batched] [iterations]`
//!
//! `each` is the benchmark's shape (a fresh store per iteration, dropped on the main thread
//! between iterations); `batched` builds 32 fresh stores at a time and drops them together after
//! their timed sections, so every section gets memory the allocator has to fault in. Each line
//! prints the main thread's clock (what the benchmark used to report) next to the worker's own
//! clock (what it reports now). Run it under `GLIBC_TUNABLES=glibc.malloc.trim_threshold=...`
//! to see the allocator's part.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use bench_harness::CountingAllocator;
use llmkg::core::{NodeId, PropertyValue};
use llmkg::exceptions::{Exception, ExceptionSource, ExceptionStore};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

const ADDS: usize = 10_000;

type Job = Box<dyn FnOnce() + Send>;

/// Minor page faults of the whole process so far (`/proc/self/stat`, field 10).
fn minor_faults() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // The command name (field 2) may hold spaces; count from the closing parenthesis.
            let after = stat.rsplit_once(')')?.1;
            after.split_whitespace().nth(7)?.parse().ok()
        })
        .unwrap_or(0)
}

fn batch() -> Vec<(NodeId, Exception)> {
    let created_at = Instant::now();
    (0..ADDS)
        .map(|i| {
            let exception = Exception {
                inherited_value: PropertyValue::Boolean(true),
                actual_value: PropertyValue::Boolean(false),
                reason: format!("Thread 0 Exception {i}"),
                source: ExceptionSource::Detected,
                created_at,
                confidence: 0.8,
            };
            (NodeId(i as u64), exception)
        })
        .collect()
}

struct Worker {
    sender: Sender<Job>,
    start: Arc<Barrier>,
    done: Arc<Barrier>,
}

fn work(jobs: &Receiver<Job>, start: &Barrier, done: &Barrier) {
    while let Ok(job) = jobs.recv() {
        start.wait();
        job();
        done.wait();
    }
}

impl Worker {
    fn new() -> Self {
        let (sender, receiver) = mpsc::channel::<Job>();
        let start = Arc::new(Barrier::new(2));
        let done = Arc::new(Barrier::new(2));
        let (s, d) = (Arc::clone(&start), Arc::clone(&done));
        thread::spawn(move || work(&receiver, &s, &d));
        Worker {
            sender,
            start,
            done,
        }
    }

    /// Runs `job` on the worker: `(main thread's time from the start barrier to the done
    /// barrier, the worker's own time for the job, minor faults, allocator calls)`.
    fn run(&self, job: Job) -> anyhow::Result<Row> {
        let inside = Arc::new(std::sync::Mutex::new(Duration::ZERO));
        let record = Arc::clone(&inside);
        let timed: Job = Box::new(move || {
            let started = Instant::now();
            job();
            let elapsed = started.elapsed();
            if let Ok(mut slot) = record.lock() {
                *slot = elapsed;
            }
        });
        let faults = minor_faults();
        let calls = ALLOCATOR.snapshot();
        self.sender
            .send(timed)
            .map_err(|_| anyhow::anyhow!("the worker thread is gone"))?;
        self.start.wait();
        let started = Instant::now();
        self.done.wait();
        let elapsed = started.elapsed();
        let delta = ALLOCATOR.snapshot().since(&calls);
        let worker = *inside.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        Ok(Row {
            main: elapsed,
            worker,
            faults: minor_faults() - faults,
            calls: delta.allocations + delta.reallocations,
        })
    }
}

struct Row {
    main: Duration,
    worker: Duration,
    faults: u64,
    calls: u64,
}

fn adds_job(store: &Arc<ExceptionStore>, batch: Vec<(NodeId, Exception)>) -> Job {
    let store = Arc::clone(store);
    Box::new(move || {
        for (node_id, exception) in batch {
            // The records are valid by construction; a failure would be a bug worth a panic.
            store
                .add_exception(node_id, "test_prop".to_string(), exception)
                .expect("valid exception");
        }
    })
}

fn main() -> anyhow::Result<()> {
    bench_harness::register_counting_allocator(&ALLOCATOR)?;
    let mut args = std::env::args().skip(1);
    let shape = args.next().unwrap_or_else(|| "each".to_owned());
    let iterations: usize = args.next().map_or(Ok(300), |n| n.parse())?;
    let worker = Worker::new();
    let mut rows = Vec::with_capacity(iterations);
    match shape.as_str() {
        "each" => {
            for _ in 0..iterations {
                let store = Arc::new(ExceptionStore::new());
                rows.push(worker.run(adds_job(&store, batch()))?);
                drop(store);
            }
        }
        "batched" => {
            // Warm the allocator once with a store of the same size.
            let warm = Arc::new(ExceptionStore::new());
            worker.run(adds_job(&warm, batch()))?;
            drop(warm);
            let mut kept = Vec::new();
            for chunk in 0..iterations.div_ceil(32) {
                let count = 32.min(iterations - chunk * 32);
                let stores: Vec<Arc<ExceptionStore>> = (0..count)
                    .map(|_| Arc::new(ExceptionStore::new()))
                    .collect();
                let batches: Vec<_> = (0..count).map(|_| batch()).collect();
                for (store, batch) in stores.iter().zip(batches) {
                    rows.push(worker.run(adds_job(store, batch))?);
                }
                kept.push(stores);
                // Dropped outside every timed section, a batch at a time.
                kept.clear();
            }
        }
        other => anyhow::bail!("unknown shape {other:?}: each or batched"),
    }
    let quantiles = |values: Vec<f64>| {
        let mut values = values;
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() - 1) as f64 * q) as usize];
        format!(
            "p10 {:.0} p50 {:.0} p90 {:.0} max {:.0}",
            at(0.1),
            at(0.5),
            at(0.9),
            at(1.0)
        )
    };
    let n = rows.len() as f64;
    println!(
        "{shape}: {iterations} iterations; main-thread clock µs {}; worker's own clock µs {}; \
         minor faults per section {:.1}; allocator calls per section {:.0}",
        quantiles(rows.iter().map(|r| r.main.as_secs_f64() * 1e6).collect()),
        quantiles(rows.iter().map(|r| r.worker.as_secs_f64() * 1e6).collect()),
        rows.iter().map(|r| r.faults as f64).sum::<f64>() / n,
        rows.iter().map(|r| r.calls as f64).sum::<f64>() / n,
    );
    Ok(())
}
