//! The pool of read-only connections, and the threads that serve async reads from it.
//!
//! In WAL mode readers never wait for the writer, and each sees the database as of its last
//! commit, so reads run in parallel with group commits. A connection serves one read at a
//! time; a read that finds the pool empty waits for one to come back.
//!
//! Async reads go to a fixed set of reader threads, one per connection, through one queue: a
//! burst of reads waits in the queue, not as threads. (On Tokio's blocking pool, each read
//! beyond the pool's size parked a thread of its own, up to 512: under load the server had
//! a hundred threads, each with a stack and its allocator's caches, for four connections.)

use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::connection::open_reader;
use crate::db::Db;
use crate::error::panic_message;
use crate::StoreError;

/// A fixed set of reader connections.
pub(crate) struct ReaderPool {
    idle: Mutex<Vec<Connection>>,
    returned: Condvar,
    size: usize,
}

/// A read queued for the reader threads.
pub(crate) type ReadJob = Box<dyn FnOnce(&ReaderPool) + Send>;

/// The reader threads: they take reads from one queue and run them on the pool.
pub(crate) struct ReaderThreads {
    queue: Option<mpsc::Sender<ReadJob>>,
    threads: Vec<JoinHandle<()>>,
}

impl ReaderThreads {
    /// Starts one thread per connection of `pool`.
    pub(crate) fn spawn(pool: &Arc<ReaderPool>) -> std::io::Result<ReaderThreads> {
        let (queue, jobs) = mpsc::channel::<ReadJob>();
        let jobs = Arc::new(Mutex::new(jobs));
        let mut threads = Vec::with_capacity(pool.size());
        for _ in 0..pool.size() {
            let pool = Arc::clone(pool);
            let jobs = Arc::clone(&jobs);
            let thread = std::thread::Builder::new()
                .name("switchback-store-reader".to_owned())
                .spawn(move || loop {
                    // One thread waits on the queue, the idle others on its lock.
                    let job = jobs.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match job {
                        Ok(job) => job(&pool),
                        Err(_) => break,
                    }
                });
            match thread {
                Ok(thread) => threads.push(thread),
                Err(error) => {
                    // Those already started end when the queue is dropped.
                    drop(queue);
                    return Err(error);
                }
            }
        }
        Ok(ReaderThreads {
            queue: Some(queue),
            threads,
        })
    }

    /// Queues a read; false if the threads are gone.
    pub(crate) fn send(&self, job: ReadJob) -> bool {
        self.queue.as_ref().is_some_and(|q| q.send(job).is_ok())
    }
}

impl Drop for ReaderThreads {
    /// Lets the threads finish the reads queued and waits for them, so that the connections
    /// are closed when the store is gone.
    fn drop(&mut self) {
        self.queue = None;
        let me = std::thread::current().id();
        for thread in self.threads.drain(..) {
            // The last handle on the store may be dropped by a read, on a reader thread.
            if thread.thread().id() != me {
                let _ = thread.join();
            }
        }
    }
}

impl ReaderPool {
    /// Opens `size` readers on `path` (at least one).
    pub(crate) fn open(path: &Path, size: usize) -> Result<Self, StoreError> {
        let idle = (0..size.max(1))
            .map(|_| open_reader(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReaderPool {
            size: idle.len(),
            idle: Mutex::new(idle),
            returned: Condvar::new(),
        })
    }

    /// How many connections the pool holds.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Runs `f` on an idle connection, blocking the thread until one is free. A panic in `f`
    /// becomes [`StoreError::Panicked`] and the connection goes back to the pool.
    pub(crate) fn with<R>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let conn = self.checkout();
        Self::run_on(&conn, f)
    }

    /// Runs `f` on a checked-out connection (see [`with`](ReaderPool::with)).
    fn run_on<R>(
        conn: &Checkout<'_>,
        f: impl FnOnce(&Db<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&Db::new(conn))));
        if !conn.is_autocommit() {
            // The closure left a transaction open; it would pin an old snapshot forever.
            if let Err(error) = conn.execute_batch("ROLLBACK") {
                tracing::warn!(%error, "store reader could not end a leftover transaction");
            }
        }
        outcome.unwrap_or_else(|payload| Err(StoreError::Panicked(panic_message(payload.as_ref()))))
    }

    /// [`with`](ReaderPool::with) if a connection is idle now; `f` back, unrun, if none is
    /// (the caller must not wait: it may be an async task's thread).
    pub(crate) fn try_with<R, F>(&self, f: F) -> Result<Result<R, StoreError>, F>
    where
        F: FnOnce(&Db<'_>) -> Result<R, StoreError>,
    {
        let Some(conn) = self.lock().pop() else {
            return Err(f);
        };
        let conn = Checkout {
            pool: self,
            conn: Some(conn),
        };
        Ok(Self::run_on(&conn, f))
    }

    fn checkout(&self) -> Checkout<'_> {
        let mut idle = self.lock();
        loop {
            if let Some(conn) = idle.pop() {
                return Checkout {
                    pool: self,
                    conn: Some(conn),
                };
            }
            idle = self
                .returned
                .wait(idle)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// The idle list; a panic elsewhere cannot leave it half-updated (push and pop only), so
    /// a poisoned lock is safe to use.
    fn lock(&self) -> MutexGuard<'_, Vec<Connection>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A borrowed connection, returned to the pool on drop (also when unwinding).
struct Checkout<'a> {
    pool: &'a ReaderPool,
    conn: Option<Connection>,
}

impl Deref for Checkout<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        // `conn` is only taken in `drop`.
        match &self.conn {
            Some(conn) => conn,
            None => unreachable!("a checked-out reader is present until dropped"),
        }
    }
}

impl Drop for Checkout<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.lock().push(conn);
            self.pool.returned.notify_one();
        }
    }
}
