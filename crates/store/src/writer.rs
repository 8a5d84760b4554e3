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
//!
//! A batch whose transaction fails (its `COMMIT`, or SQLite rolling it back after an I/O error
//! or a full disk inside a job) is rolled back whole, and every job of it gets the error:
//! nothing is acknowledged that is not committed. The thread then goes on with the next batch
//! on the same connection: SQLite drops its page cache after such an error and starts the
//! next transaction afresh, so when the disk is full, writes fail with [`StoreError::Full`]
//! for as long as it stays full and succeed again, with no restart, once space is freed.
//! (SQLite's automatic checkpoint runs after a commit has succeeded and its failure is not
//! reported by the `COMMIT`, so a commit that says it failed did not happen.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
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
    /// The directory of the database, named in [`StoreError::Full`].
    dir: PathBuf,
    /// Since when writes fail for lack of space (logged loudly once, then quietly until a
    /// batch commits again).
    full_since: Option<Instant>,
}

impl Writer {
    pub(crate) fn new(
        conn: Connection,
        queue: Receiver<Message>,
        counters: Arc<Counters>,
        max_batch: usize,
        dir: PathBuf,
    ) -> Self {
        Writer {
            conn,
            queue,
            counters,
            max_batch: max_batch.max(1),
            dir,
            full_since: None,
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
            // A panic outside the jobs (they catch their own) must not stop the writer, or
            // every later write would fail with `Closed` until a restart. The one known cause is
            // a log line: tracing's fmt layer panics when it cannot write to stderr, e.g. a log
            // file on the very disk that is full. A batch answers its callers before it logs, so
            // such a panic comes after; any other leaves its callers with `Closed` (their
            // replies dropped unanswered) and its transaction rolled back (dropped while
            // unwinding). Either way the thread goes on with the next batch.
            carry = catch_unwind(AssertUnwindSafe(|| self.run_batch(batch))).unwrap_or_default();
        }
        // Jobs sent after `Close` are dropped with the queue; their callers see `Closed`.
        tracing::debug!("store writer stopped");
    }

    /// Runs one batch in one transaction and answers its jobs. Returns the jobs that did not
    /// get to run because an earlier job broke the transaction; they go into the next batch.
    fn run_batch(&mut self, batch: Vec<Box<dyn Job>>) -> Vec<Box<dyn Job>> {
        let started = Instant::now();
        // Borrowed field by field: the transaction holds the connection while a failure is
        // classified on it and recorded in `full_since`.
        let (conn, dir, full_since) = (&self.conn, &self.dir, &mut self.full_since);
        // `new_unchecked` takes `&Connection`; the writer thread owns the connection and runs
        // one transaction at a time, which is what the checked form would ensure.
        let tx = match Transaction::new_unchecked(conn, TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(error) => {
                let error = StoreError::from(error).classify(conn, dir);
                let jobs = batch.len();
                finish_all(batch, &error);
                failed(
                    full_since,
                    dir,
                    &error,
                    jobs,
                    "could not begin a write batch",
                );
                return Vec::new();
            }
        };
        let mut ran: Vec<Box<dyn Job>> = Vec::with_capacity(batch.len());
        let mut pending = batch.into_iter();
        let mut broken = None;
        for mut job in pending.by_ref() {
            let outcome = run_in_savepoint(&tx, job.as_mut(), dir);
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
            // A failed COMMIT leaves `tx` to its drop, which rolls back what SQLite did not.
            None => tx
                .commit()
                .map_err(|e| StoreError::from(e).classify(conn, dir)),
        };
        self.counters.batches.fetch_add(1, Ordering::Relaxed);
        self.counters
            .jobs
            .fetch_add(ran.len() as u64, Ordering::Relaxed);
        match settled {
            Ok(()) => {
                let jobs = ran.len();
                for job in ran {
                    job.finish(None);
                }
                tracing::trace!(
                    jobs,
                    micros = started.elapsed().as_micros() as u64,
                    "store committed a write batch"
                );
                if let Some(since) = full_since.take() {
                    tracing::warn!(
                        dir = %dir.display(),
                        refused_for_secs = since.elapsed().as_secs(),
                        "the store can write again: space was freed"
                    );
                }
            }
            Err(error) => {
                let jobs = ran.len();
                finish_all(ran, &error);
                failed(
                    full_since,
                    dir,
                    &error,
                    jobs,
                    "store write batch rolled back",
                );
            }
        }
        leftover
    }
}

/// Logs a failed batch: a lack of space once loudly when it starts (it lasts, and every
/// execution retrying would flood the log), anything else each time.
fn failed(
    full_since: &mut Option<Instant>,
    dir: &Path,
    error: &StoreError,
    jobs: usize,
    what: &str,
) {
    if !error.is_full() {
        tracing::warn!(%error, jobs, "{what}");
    } else if full_since.is_none() {
        *full_since = Some(Instant::now());
        tracing::error!(
            dir = %dir.display(),
            %error,
            jobs,
            "no space left for the store: writes are refused (reads still work) until disk \
             space is freed; they resume by themselves"
        );
    } else {
        tracing::debug!(%error, jobs, "{what}");
    }
}

/// Runs one job between `SAVEPOINT` and `RELEASE`, rolling back to the savepoint if it
/// fails. An `Err` here means the *transaction* is broken (SQLite rolled it back after an I/O
/// or memory error or a full disk, or a job ended it), so the whole batch so far is lost.
fn run_in_savepoint(tx: &Transaction<'_>, job: &mut dyn Job, dir: &Path) -> Result<(), StoreError> {
    let classify = |e: rusqlite::Error| StoreError::from(e).classify(tx, dir);
    execute_cached(tx, "SAVEPOINT job").map_err(classify)?;
    let ok = job.run(tx, dir);
    if tx.is_autocommit() {
        if job.failed_for_space() {
            // SQLite rolled the transaction back because the disk is full: the other jobs of
            // the batch are told so, not just that the transaction ended.
            return Err(StoreError::Full {
                dir: dir.to_path_buf(),
                reason: "the write batch was rolled back: no space left".to_owned(),
            });
        }
        return Err(rusqlite::Error::SqliteFailure(
            ffi::Error::new(ffi::SQLITE_ABORT),
            Some("the write batch's transaction ended inside a job".to_owned()),
        )
        .into());
    }
    if !ok {
        execute_cached(tx, "ROLLBACK TO job").map_err(classify)?;
    }
    execute_cached(tx, "RELEASE job").map_err(classify)
}

/// Runs a statement from the connection's cache: savepoints bracket every job, so parsing
/// them anew each time would be a measurable share of a small job's cost.
fn execute_cached(tx: &Transaction<'_>, sql: &str) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// Fails every job of a batch with (a copy of) the batch's error.
fn finish_all(jobs: Vec<Box<dyn Job>>, error: &StoreError) {
    for job in jobs {
        job.finish(Some(error.duplicate()));
    }
}
