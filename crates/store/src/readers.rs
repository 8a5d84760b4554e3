//! The pool of read-only connections.
//!
//! In WAL mode readers never wait for the writer, and each sees the database as of its last
//! commit, so reads run in parallel with group commits. A connection serves one read at a
//! time; a read that finds the pool empty waits for one to come back.

use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};

use rusqlite::Connection;

use crate::connection::open_reader;
use crate::error::panic_message;
use crate::StoreError;

/// A fixed set of reader connections.
pub(crate) struct ReaderPool {
    idle: Mutex<Vec<Connection>>,
    returned: Condvar,
}

impl ReaderPool {
    /// Opens `size` readers on `path` (at least one).
    pub(crate) fn open(path: &Path, size: usize) -> Result<Self, StoreError> {
        let idle = (0..size.max(1))
            .map(|_| open_reader(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReaderPool {
            idle: Mutex::new(idle),
            returned: Condvar::new(),
        })
    }

    /// Runs `f` on an idle connection, blocking the thread until one is free. A panic in `f`
    /// becomes [`StoreError::Panicked`] and the connection goes back to the pool.
    pub(crate) fn with<R>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let conn = self.checkout();
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&conn)));
        if !conn.is_autocommit() {
            // The closure left a transaction open; it would pin an old snapshot forever.
            if let Err(error) = conn.execute_batch("ROLLBACK") {
                tracing::warn!(%error, "store reader could not end a leftover transaction");
            }
        }
        outcome.unwrap_or_else(|payload| Err(StoreError::Panicked(panic_message(payload.as_ref()))))
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
