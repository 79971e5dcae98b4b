//! `concurrent_operations`: adds on 1, 2, 4 and 8 threads, all on one property.
//!
//! The seed's `concurrent_store_operations` spawns and joins its threads inside the timed
//! loop and adds to one long-lived store, so after the first iteration every add replaces an
//! exception, and thread start-up is part of the figure. The corrected
//! `prespawned_store_adds` keeps the threads alive between iterations, gives each a fresh
//! store and its exceptions before the clock starts, releases them together through a barrier;
//! each thread adds `PRESPAWNED_OPERATIONS_PER_THREAD` (10,000) exceptions.
//!
//! The clock is the workers' own: an iteration lasts from the first worker's start to the last
//! one's end. Timing on the main thread instead (from its return out of the start barrier to
//! the done barrier) made `prespawned_store_adds/1` bimodal: on two busy cores the main thread
//! is woken after the worker and often only once the worker is done, so it timed anything from
//! 1 µs to the full 1.6 ms of work (`examples/prespawned_modes.rs` shows it: main-thread clock
//! p50 1 µs, worker clock p50 1.57 ms, same iterations). What a job leaves behind (a map, the
//! last handle on the store) is dropped on the main thread after the timed section.
//!
//! Next to the store, the same records go into `dashmap`, `scc` and `papaya` maps (the peers),
//! and into one unshared `HashMap` per thread (`prespawned_unshared_maps_adds`): nothing shared
//! but the allocator and the machine, the ceiling this workload can reach here.
//!
//! The pre-spawned body is one function (`run_prespawned`), which the `paired_ratios` step
//! also drives to measure the store's efficiency against the ceiling in alternation.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Barrier, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Throughput};
use dashmap::DashMap;

use bench_harness::suite::{
    CONCURRENCY_GROUP, CONCURRENT_DASHMAP, CONCURRENT_PAPAYA, CONCURRENT_PRESPAWNED,
    CONCURRENT_SCC, CONCURRENT_SEED, CONCURRENT_UNSHARED, OPERATIONS_PER_THREAD,
    PRESPAWNED_OPERATIONS_PER_THREAD, THREAD_COUNTS,
};
use bench_harness::{RoutineCost, SuiteMeasurement};
use llmkg::core::{NodeId, PropertyValue};
use llmkg::exceptions::{Exception, ExceptionKey, ExceptionSource, ExceptionStore};

use crate::Context;

pub fn register(c: &mut crate::Suite, context: &Context) {
    if !context.wants(CONCURRENCY_GROUP) {
        return;
    }
    let mut group = context.group(c, CONCURRENCY_GROUP, RoutineCost::Heavy);
    for thread_count in THREAD_COUNTS {
        let store = Arc::new(ExceptionStore::new());
        let operations_per_thread = OPERATIONS_PER_THREAD as u64;
        group.throughput(Throughput::Elements(
            (thread_count * OPERATIONS_PER_THREAD) as u64,
        ));
        group.bench_with_input(
            BenchmarkId::new(CONCURRENT_SEED, thread_count),
            &(thread_count as u64),
            |b, &thread_count| {
                b.iter(|| {
                    let handles: Vec<_> = (0..thread_count)
                        .map(|thread_id| {
                            let store = Arc::clone(&store);
                            thread::spawn(move || {
                                for i in 0..operations_per_thread {
                                    let node_id = NodeId(thread_id * operations_per_thread + i);
                                    let exception = Exception {
                                        inherited_value: PropertyValue::Boolean(true),
                                        actual_value: PropertyValue::Boolean(false),
                                        reason: format!("Thread {thread_id} Exception {i}"),
                                        source: ExceptionSource::Detected,
                                        created_at: Instant::now(),
                                        confidence: 0.8,
                                    };
                                    store
                                        .add_exception(node_id, "test_prop".to_string(), exception)
                                        .expect("valid exception");
                                }
                            })
                        })
                        .collect();
                    for handle in handles {
                        handle.join().expect("worker thread panicked");
                    }
                });
            },
        );

        let pool = WorkerPool::new(thread_count);
        group.throughput(Throughput::Elements(
            (thread_count * PRESPAWNED_OPERATIONS_PER_THREAD) as u64,
        ));
        let prespawned = |b: &mut criterion::Bencher<'_, bench_harness::SuiteMeasurement>,
                          fresh: Fresh| {
            b.iter_custom(|iters| SuiteMeasurement.custom(|| run_prespawned(&pool, fresh, iters)));
        };
        for (name, fresh) in [
            (CONCURRENT_UNSHARED, unshared as Fresh),
            (CONCURRENT_PRESPAWNED, fresh_store),
            (CONCURRENT_DASHMAP, || {
                Box::new(Arc::new(DashMap::<ExceptionKey, Record>::new()))
            }),
            (CONCURRENT_SCC, || {
                Box::new(Arc::new(scc::HashMap::<ExceptionKey, Record>::new()))
            }),
            (CONCURRENT_PAPAYA, || {
                Box::new(Arc::new(papaya::HashMap::<ExceptionKey, Record>::new()))
            }),
        ] {
            group.bench_with_input(
                BenchmarkId::new(name, thread_count),
                &thread_count,
                |b, _| {
                    prespawned(b, fresh);
                },
            );
        }
    }
    group.finish();
}

/// Makes the fresh target of one iteration (a store, a map, the unshared maps).
pub type Fresh = fn() -> Box<dyn Shared>;

/// The pre-spawned benches' body: `iterations` rounds on `pool`, each on a fresh target from
/// `fresh` with every thread's batch built before the clock starts; the time by the workers'
/// clocks. The `paired_ratios` step times the same body.
pub fn run_prespawned(pool: &WorkerPool, fresh: Fresh, iterations: u64) -> Duration {
    (0..iterations)
        .map(|_| {
            let target = fresh();
            pool.run(|thread_id| target.job(batch(thread_id)))
        })
        .sum()
}

/// A fresh store for `prespawned_store_adds`.
pub fn fresh_store() -> Box<dyn Shared> {
    Box::new(Arc::new(ExceptionStore::new()))
}

/// The exceptions one thread adds, built before the clock starts.
fn batch(thread_id: usize) -> Vec<(NodeId, Exception)> {
    let created_at = Instant::now();
    (0..PRESPAWNED_OPERATIONS_PER_THREAD)
        .map(|i| {
            let node_id = NodeId((thread_id * PRESPAWNED_OPERATIONS_PER_THREAD + i) as u64);
            let exception = Exception {
                inherited_value: PropertyValue::Boolean(true),
                actual_value: PropertyValue::Boolean(false),
                reason: format!("Thread {thread_id} Exception {i}"),
                source: ExceptionSource::Detected,
                created_at,
                confidence: 0.8,
            };
            (node_id, exception)
        })
        .collect()
}

/// The value the maps store for a key: the seed's record shape.
type Record = (String, Exception);

/// A fresh target of one iteration: hands each worker the job of adding its batch.
pub trait Shared {
    fn job(&self, batch: Vec<(NodeId, Exception)>) -> Job;
}

impl Shared for Arc<ExceptionStore> {
    fn job(&self, batch: Vec<(NodeId, Exception)>) -> Job {
        let store = Arc::clone(self);
        Box::new(move || {
            for (node_id, exception) in batch {
                store
                    .add_exception(node_id, "test_prop".to_string(), exception)
                    .expect("valid exception");
            }
            Box::new(store)
        })
    }
}

/// A concurrent map the peers' rows fill: the same records, each map's own insert.
trait Peer: Send + Sync + 'static {
    fn put_all(&self, records: impl Iterator<Item = (ExceptionKey, Record)>);
}

impl Peer for DashMap<ExceptionKey, Record> {
    fn put_all(&self, records: impl Iterator<Item = (ExceptionKey, Record)>) {
        for (key, record) in records {
            self.insert(key, record);
        }
    }
}

impl Peer for scc::HashMap<ExceptionKey, Record> {
    fn put_all(&self, records: impl Iterator<Item = (ExceptionKey, Record)>) {
        for (key, record) in records {
            // `upsert` has `insert`'s meaning in std, DashMap and papaya (replace if present).
            self.upsert(key, record);
        }
    }
}

impl Peer for papaya::HashMap<ExceptionKey, Record> {
    fn put_all(&self, records: impl Iterator<Item = (ExceptionKey, Record)>) {
        // One pin (epoch guard) per batch, as papaya recommends for many operations.
        let pinned = self.pin();
        for (key, record) in records {
            pinned.insert(key, record);
        }
    }
}

/// A thread's batch as the maps' records: the seed's key and `(property, exception)` value.
fn records(batch: Vec<(NodeId, Exception)>) -> impl Iterator<Item = (ExceptionKey, Record)> {
    batch.into_iter().map(|(node_id, exception)| {
        let key = ExceptionKey::new(node_id, "test_prop");
        (key, ("test_prop".to_string(), exception))
    })
}

impl<M: Peer> Shared for Arc<M> {
    fn job(&self, batch: Vec<(NodeId, Exception)>) -> Job {
        let map = Arc::clone(self);
        Box::new(move || {
            map.put_all(records(batch));
            Box::new(map)
        })
    }
}

/// The ceiling: every worker fills its own `HashMap`, created on the worker inside the job
/// like the shared maps' first buckets, and handed back to be dropped untimed.
struct Unshared;

pub fn unshared() -> Box<dyn Shared> {
    Box::new(Unshared)
}

impl Shared for Unshared {
    fn job(&self, batch: Vec<(NodeId, Exception)>) -> Job {
        Box::new(move || {
            // Grown insert by insert like the shared maps (`collect` would presize it).
            let mut map: HashMap<ExceptionKey, Record> = HashMap::new();
            for (key, record) in records(batch) {
                map.insert(key, record);
            }
            Box::new(map)
        })
    }
}

/// What a job leaves behind; dropped on the main thread after the timed section.
pub type Leftover = Box<dyn Send>;

pub type Job = Box<dyn FnOnce() -> Leftover + Send>;

/// One worker's clock readings around its job, and what the job left behind.
type Finished = (Instant, Instant, Leftover);

/// Threads that live across iterations and run one job each per round, started together.
pub struct WorkerPool {
    senders: Vec<Sender<Job>>,
    start: Arc<Barrier>,
    done: Arc<Barrier>,
    finished: Arc<Mutex<Vec<Finished>>>,
    handles: Vec<JoinHandle<()>>,
}

impl WorkerPool {
    pub fn new(threads: usize) -> Self {
        let start = Arc::new(Barrier::new(threads + 1));
        let done = Arc::new(Barrier::new(threads + 1));
        let finished = Arc::new(Mutex::new(Vec::with_capacity(threads)));
        let mut senders = Vec::with_capacity(threads);
        let mut handles = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (sender, receiver) = mpsc::channel::<Job>();
            let (start, done) = (Arc::clone(&start), Arc::clone(&done));
            let finished = Arc::clone(&finished);
            handles.push(thread::spawn(move || {
                worker(&receiver, &start, &done, &finished);
            }));
            senders.push(sender);
        }
        WorkerPool {
            senders,
            start,
            done,
            finished,
            handles,
        }
    }

    /// Hands every worker the job `make_job(worker index)`, releases them together and returns
    /// the time from the first worker's start to the last one's end, by the workers' clocks.
    fn run(&self, mut make_job: impl FnMut(usize) -> Job) -> Duration {
        for (thread_id, sender) in self.senders.iter().enumerate() {
            sender.send(make_job(thread_id)).expect("worker alive");
        }
        self.start.wait();
        self.done.wait();
        let finished: Vec<Finished> = self
            .finished
            .lock()
            .expect("no worker panicked holding the lock")
            .drain(..)
            .collect();
        let first = finished.iter().map(|f| f.0).min();
        let last = finished.iter().map(|f| f.1).max();
        // Every worker ran (the done barrier counts them), so both exist.
        let elapsed = first
            .zip(last)
            .map_or(Duration::ZERO, |(first, last)| last.duration_since(first));
        // The maps and store handles the jobs left are dropped here, after the clock.
        drop(finished);
        elapsed
    }
}

fn worker(jobs: &Receiver<Job>, start: &Barrier, done: &Barrier, finished: &Mutex<Vec<Finished>>) {
    while let Ok(job) = jobs.recv() {
        start.wait();
        let started = Instant::now();
        let leftover = job();
        let ended = Instant::now();
        finished
            .lock()
            .expect("no worker panicked holding the lock")
            .push((started, ended, leftover));
        done.wait();
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        // Closing the channels ends the workers' loops.
        self.senders.clear();
        for handle in self.handles.drain(..) {
            handle.join().expect("worker thread panicked");
        }
    }
}
