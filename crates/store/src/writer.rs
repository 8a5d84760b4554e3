//! The writer thread and its group commit.
//!
//! SQLite allows one writer at a time, and with `synchronous=FULL` each commit costs an fsync
//! (milliseconds). So one thread owns the only write connection and commits *batches*: it
//! blocks for one job, takes every job already queued behind it, runs them all in one
//! `BEGIN IMMEDIATE` transaction, commits once, and only then answers the callers. While one
//! batch syncs, the next one queues up, so one fsync serves many writers and throughput grows
//! with load instead of collapsing.
//!
//! Each job runs inside its own `SAVEPOINT`, so a job that fails is rolled back alone: its
//! caller gets its error, the rest of the batch still commits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use rusqlite::{ffi, Connection, Transaction, TransactionBehavior};

use crate::job::Job;
use crate::StoreError;

/// What the writer thread receives.
pub(crate) enum Message {
    /// A job to run in the next batch.
    Job(Box<dyn Job>),
    /// Finish the jobs queued before this message, then stop.
    Close,
}

/// How much the writer has done; for benchmarks and tests (is group commit happening?).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) batches: AtomicU64,
    pub(crate) jobs: AtomicU64,
}

/// The writer thread's state.
pub(crate) struct Writer {
    conn: Connection,
    queue: Receiver<Message>,
    counters: Arc<Counters>,
    max_batch: usize,
}

impl Writer {
    pub(crate) fn new(
        conn: Connection,
        queue: Receiver<Message>,
        counters: Arc<Counters>,
        max_batch: usize,
    ) -> Self {
        Writer {
            conn,
            queue,
            counters,
            max_batch: max_batch.max(1),
        }
    }

    /// Starts the thread; it runs until `Close` arrives or every sender is gone, after
    /// committing everything queued before that.
    pub(crate) fn spawn(self) -> std::io::Result<JoinHandle<()>> {
        std::thread::Builder::new()
            .name("switchback-store-writer".to_owned())
            .spawn(move || self.run())
    }

    fn run(mut self) {
        let mut carry: Vec<Box<dyn Job>> = Vec::new();
        let mut closing = false;
        loop {
            let mut batch = std::mem::take(&mut carry);
            if batch.is_empty() {
                if closing {
                    break;
                }
                match self.queue.recv() {
                    Ok(Message::Job(job)) => batch.push(job),
                    Ok(Message::Close) | Err(_) => break,
                }
            }
            while !closing && batch.len() < self.max_batch {
                match self.queue.try_recv() {
                    Ok(Message::Job(job)) => batch.push(job),
                    Ok(Message::Close) => closing = true,
                    Err(_) => break,
                }
            }
            carry = self.run_batch(batch);
        }
        // Jobs sent after `Close` are dropped with the queue; their callers see `Closed`.
        tracing::debug!("store writer stopped");
    }

    /// Runs one batch in one transaction and answers its jobs. Returns the jobs that did not
    /// get to run because an earlier job broke the transaction; they go into the next batch.
    fn run_batch(&mut self, batch: Vec<Box<dyn Job>>) -> Vec<Box<dyn Job>> {
        let started = Instant::now();
        let tx = match self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(tx) => tx,
            Err(error) => {
                tracing::warn!(%error, jobs = batch.len(), "store could not begin a write batch");
                finish_all(batch, &error);
                return Vec::new();
            }
        };
        let mut ran: Vec<Box<dyn Job>> = Vec::with_capacity(batch.len());
        let mut pending = batch.into_iter();
        let mut broken = None;
        for mut job in pending.by_ref() {
            let outcome = run_in_savepoint(&tx, job.as_mut());
            ran.push(job);
            if let Err(error) = outcome {
                broken = Some(error);
                break;
            }
        }
        let leftover: Vec<Box<dyn Job>> = pending.collect();
        let settled = match broken {
            // Dropping `tx` rolls back whatever is left of the transaction.
            Some(error) => Err(error),
            None => tx.commit(),
        };
        self.counters.batches.fetch_add(1, Ordering::Relaxed);
        self.counters
            .jobs
            .fetch_add(ran.len() as u64, Ordering::Relaxed);
        match settled {
            Ok(()) => {
                tracing::trace!(
                    jobs = ran.len(),
                    micros = started.elapsed().as_micros() as u64,
                    "store committed a write batch"
                );
                for job in ran {
                    job.finish(None);
                }
            }
            Err(error) => {
                tracing::warn!(%error, jobs = ran.len(), "store write batch rolled back");
                finish_all(ran, &error);
            }
        }
        leftover
    }
}

/// Runs one job between `SAVEPOINT` and `RELEASE`, rolling back to the savepoint if it
/// fails. An `Err` here means the *transaction* is broken (SQLite rolled it back after an I/O
/// or memory error, or a job ended it), so the whole batch so far is lost.
fn run_in_savepoint(tx: &Transaction<'_>, job: &mut dyn Job) -> Result<(), rusqlite::Error> {
    execute_cached(tx, "SAVEPOINT job")?;
    let ok = job.run(tx);
    if tx.is_autocommit() {
        return Err(rusqlite::Error::SqliteFailure(
            ffi::Error::new(ffi::SQLITE_ABORT),
            Some("the write batch's transaction ended inside a job".to_owned()),
        ));
    }
    if !ok {
        execute_cached(tx, "ROLLBACK TO job")?;
    }
    execute_cached(tx, "RELEASE job")
}

/// Runs a statement from the connection's cache: savepoints bracket every job, so parsing
/// them anew each time would be a measurable share of a small job's cost.
fn execute_cached(tx: &Transaction<'_>, sql: &str) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// Fails every job of a batch with (a copy of) the batch's error.
fn finish_all(jobs: Vec<Box<dyn Job>>, error: &rusqlite::Error) {
    for job in jobs {
        job.finish(Some(StoreError::duplicate(error)));
    }
}
