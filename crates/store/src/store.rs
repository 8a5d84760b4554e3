//! The [`Store`] handle: opening, writing, reading, closing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use tempfile::TempDir;
use tokio::sync::oneshot;

use crate::connection::{dir_of, open_writer};
use crate::db::{Db, Tx};
use crate::job::{self, Reply};
use crate::migrations::migrate;
use crate::readers::{ReadJob, ReaderPool, ReaderThreads};
use crate::writer::{Counters, Message, Writer};
use crate::{StoreConfig, StoreError, Synchronous, DATABASE_FILE};

/// A handle on the database. Cheap to clone; all clones share one writer thread and one read
/// pool. When the last clone is dropped, the writer commits what is queued and stops.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    queue: mpsc::Sender<Message>,
    closed: AtomicBool,
    writer: Mutex<Option<JoinHandle<()>>>,
    counters: Arc<Counters>,
    path: PathBuf,
    /// The id the next new execution gets (see [`Store::new_execution_id`]).
    next_execution_id: AtomicI64,
    /// Serve [`Store::read`]; declared before `readers`, so they are stopped first.
    reader_threads: ReaderThreads,
    readers: Arc<ReaderPool>,
    /// The directory of an in-memory store. Declared last: fields drop in order, so it is
    /// removed after every connection to the file inside is closed.
    _temp: Option<TempDir>,
}

impl Store {
    /// Opens (creating if needed) the database, brings its schema up to date, and starts the
    /// writer thread and the readers.
    pub fn open(config: StoreConfig) -> Result<Store, StoreError> {
        let (path, temp, synchronous) = match config.path {
            Some(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                (path, None, config.synchronous)
            }
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("switchback-store-")
                    .tempdir()?;
                (dir.path().join(DATABASE_FILE), Some(dir), Synchronous::Off)
            }
        };
        let dir = dir_of(&path);
        let mut conn = open_writer(&path, synchronous)?;
        // A full disk at startup (a migration to write) says so, like a full disk later.
        let applied = migrate(&mut conn).map_err(|e| e.classify(&conn, &dir))?;
        let next_execution_id = crate::executions::next_id(&conn)?;
        let readers = Arc::new(ReaderPool::open(&path, config.readers)?);
        let reader_threads = ReaderThreads::spawn(&readers)?;
        let (queue, received) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let writer =
            Writer::new(conn, received, Arc::clone(&counters), config.max_batch, dir).spawn()?;
        tracing::info!(
            path = %path.display(),
            synchronous = synchronous.as_pragma(),
            migrations = applied,
            "store opened"
        );
        Ok(Store {
            inner: Arc::new(Inner {
                queue,
                closed: AtomicBool::new(false),
                writer: Mutex::new(Some(writer)),
                counters,
                path,
                next_execution_id: AtomicI64::new(next_execution_id),
                reader_threads,
                readers,
                _temp: temp,
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// A new execution's id, unique in this database, known before its row is written.
    ///
    /// The runtime places an execution on a worker by its id, and a new execution runs up to
    /// its first commit before its row exists (its row and first events then go in together),
    /// so the id must come first. This store is the database's only writer, so a counter
    /// started past the highest stored id is enough. An id given out for a start that then
    /// failed is skipped, which leaves a harmless gap.
    pub fn new_execution_id(&self) -> i64 {
        self.inner.next_execution_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs `f` in the writer's transaction, committed together with the other writes queued
    /// at the same moment, and returns its result once the commit is durable.
    ///
    /// If `f` returns `Err`, only its own changes are rolled back. If the commit fails, every
    /// job of the batch gets the error. Dropping the returned future does not cancel the job:
    /// once queued, it runs and commits.
    pub async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Tx<'_>) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        self.write_now(f).await
    }

    /// [`write`](Store::write), with the job queued now rather than when the future is first
    /// polled: jobs queued one after the other on a thread commit in that order, whenever
    /// their futures are awaited (or dropped).
    pub fn write_now<R, F>(&self, f: F) -> impl std::future::Future<Output = Result<R, StoreError>>
    where
        F: FnOnce(&Tx<'_>) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let queued = self.submit(f, Reply::Async(reply));
        async move {
            queued?;
            answer.await.unwrap_or(Err(StoreError::Closed))
        }
    }

    /// [`write`](Store::write) for code outside async (startup, tools): blocks the thread.
    pub fn write_blocking<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Tx<'_>) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let (reply, answer) = mpsc::sync_channel(1);
        self.submit(f, Reply::Blocking(reply))?;
        answer.recv().unwrap_or(Err(StoreError::Closed))
    }

    fn submit<R, F>(&self, f: F, reply: Reply<R>) -> Result<(), StoreError>
    where
        F: FnOnce(&Tx<'_>) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        self.inner
            .queue
            .send(Message::Job(job::boxed(f, reply)))
            .map_err(|_| StoreError::Closed)
    }

    /// Runs `f` on a read-only connection, on one of the store's reader threads (one per
    /// connection; reads beyond that wait in their queue). It sees every write committed
    /// before it started. Dropping the returned future does not cancel a queued read.
    pub async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Db<'_>) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: ReadJob = Box::new(move |pool: &ReaderPool| {
            // A caller that stopped waiting is not an error.
            let _ = reply.send(pool.with(f));
        });
        if !self.inner.reader_threads.send(job) {
            return Err(StoreError::Closed);
        }
        answer.await.unwrap_or(Err(StoreError::Closed))
    }

    /// [`read`](Store::read) for a read whose cost is small and bounded (a row by its key):
    /// run on the calling thread when a connection is idle, else queued like any read.
    ///
    /// A status poll (`DescribeExecution`) is such a read, and the most frequent request a
    /// server gets: handing it to a reader thread and back cost two thread wake-ups, more
    /// than the read itself. Never use it for a read that can be long (a history, a list):
    /// it would hold up the other requests of the calling async thread meanwhile.
    pub async fn read_point<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Db<'_>) -> Result<R, StoreError> + Send + 'static,
        R: Send + 'static,
    {
        match self.inner.readers.try_with(f) {
            Ok(result) => result,
            Err(f) => self.read(f).await,
        }
    }

    /// [`read`](Store::read) on the calling thread.
    pub fn read_blocking<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Db<'_>) -> Result<R, StoreError>,
    {
        self.inner.readers.with(f)
    }

    /// Stops taking writes, and waits until the writer has committed every job queued before
    /// this call and closed its connection (clean shutdown on SIGTERM). Writes after this get
    /// [`StoreError::Closed`]; reads still work until the last clone is dropped.
    pub async fn close(&self) {
        let inner = Arc::clone(&self.inner);
        if let Err(error) = tokio::task::spawn_blocking(move || inner.close()).await {
            tracing::error!(%error, "store close did not finish");
        }
    }

    /// [`close`](Store::close) on the calling thread.
    pub fn close_blocking(&self) {
        self.inner.close();
    }

    /// How many write batches (transactions) the writer has run.
    pub fn batches(&self) -> u64 {
        self.inner.counters.batches.load(Ordering::Relaxed)
    }

    /// How many write jobs the writer has run. `jobs() / batches()` is the mean batch size.
    pub fn jobs(&self) -> u64 {
        self.inner.counters.jobs.load(Ordering::Relaxed)
    }
}

impl Inner {
    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        // Hold the lock while joining, so a second `close` waits for the first to finish.
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(handle) = writer.take() {
            // Fails only if the writer already stopped, which is what we want anyway.
            let _ = self.queue.send(Message::Close);
            if handle.join().is_err() {
                tracing::error!("the store writer thread panicked");
            } else {
                tracing::info!(path = %self.path.display(), "store closed");
            }
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .field("closed", &self.inner.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}
