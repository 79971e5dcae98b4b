//! `concurrent_operations`: 1,000 adds per thread on 1, 2, 4 and 8 threads, all on one
//! property.
//!
//! The seed's `concurrent_store_operations` spawns and joins its threads inside the timed
//! loop and adds to one long-lived store, so after the first iteration every add replaces an
//! exception, and thread start-up is part of the figure. The corrected
//! `prespawned_store_adds` keeps the threads alive between iterations, gives each a fresh
//! store and its exceptions before the clock starts, releases them together through a barrier
//! and stops the clock when the last one is done; each thread adds
//! `PRESPAWNED_OPERATIONS_PER_THREAD` (10,000) exceptions so that waking the threads stays small
//! next to the work. `prespawned_dashmap_adds` does the same on
//! a `dashmap::DashMap`.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use dashmap::DashMap;

use bench_harness::RoutineCost;
use bench_harness::suite::{
    CONCURRENCY_GROUP, CONCURRENT_DASHMAP, CONCURRENT_PRESPAWNED, CONCURRENT_SEED,
    OPERATIONS_PER_THREAD, PRESPAWNED_OPERATIONS_PER_THREAD, THREAD_COUNTS,
};
use llmkg::core::{NodeId, PropertyValue};
use llmkg::exceptions::{Exception, ExceptionKey, ExceptionSource, ExceptionStore};

use crate::Context;

pub fn register(c: &mut Criterion, context: &Context) {
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
        group.bench_with_input(
            BenchmarkId::new(CONCURRENT_PRESPAWNED, thread_count),
            &thread_count,
            |b, _| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let store = Arc::new(ExceptionStore::new());
                        total += pool.run(|thread_id| {
                            let store = Arc::clone(&store);
                            let batch = batch(thread_id);
                            Box::new(move || {
                                for (node_id, exception) in batch {
                                    store
                                        .add_exception(node_id, "test_prop".to_string(), exception)
                                        .expect("valid exception");
                                }
                            })
                        });
                    }
                    total
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new(CONCURRENT_DASHMAP, thread_count),
            &thread_count,
            |b, _| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let map: Arc<DashMap<ExceptionKey, (String, Exception)>> =
                            Arc::new(DashMap::new());
                        total += pool.run(|thread_id| {
                            let map = Arc::clone(&map);
                            let batch = batch(thread_id);
                            Box::new(move || {
                                for (node_id, exception) in batch {
                                    let key = ExceptionKey::new(node_id, "test_prop");
                                    map.insert(key, ("test_prop".to_string(), exception));
                                }
                            })
                        });
                    }
                    total
                });
            },
        );
    }
    group.finish();
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

type Job = Box<dyn FnOnce() + Send>;

/// Threads that live across iterations and run one job each per round, started together.
struct WorkerPool {
    senders: Vec<Sender<Job>>,
    start: Arc<Barrier>,
    done: Arc<Barrier>,
    handles: Vec<JoinHandle<()>>,
}

impl WorkerPool {
    fn new(threads: usize) -> Self {
        let start = Arc::new(Barrier::new(threads + 1));
        let done = Arc::new(Barrier::new(threads + 1));
        let mut senders = Vec::with_capacity(threads);
        let mut handles = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (sender, receiver) = mpsc::channel::<Job>();
            let (start, done) = (Arc::clone(&start), Arc::clone(&done));
            handles.push(thread::spawn(move || worker(&receiver, &start, &done)));
            senders.push(sender);
        }
        WorkerPool {
            senders,
            start,
            done,
            handles,
        }
    }

    /// Hands every worker the job `make_job(worker index)`, then times from their common
    /// start to the last one's finish.
    fn run(&self, mut make_job: impl FnMut(usize) -> Job) -> Duration {
        for (thread_id, sender) in self.senders.iter().enumerate() {
            sender.send(make_job(thread_id)).expect("worker alive");
        }
        self.start.wait();
        let started = Instant::now();
        self.done.wait();
        started.elapsed()
    }
}

fn worker(jobs: &Receiver<Job>, start: &Barrier, done: &Barrier) {
    while let Ok(job) = jobs.recv() {
        start.wait();
        job();
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
