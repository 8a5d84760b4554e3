//! The handles that closures given to [`Store::read`](crate::Store::read) and
//! [`Store::write`](crate::Store::write) work through: [`Db`] (the database, to read) and
//! [`Tx`] (the write transaction).
//!
//! They hold SQLite's connection in a private field, so no SQL and no SQLite type leaves this
//! crate: callers compose the typed functions ([`executions`](crate::executions),
//! [`state_machines`](crate::state_machines), ...) and never depend on what database is
//! underneath. That keeps the writer's own use of the transaction (a savepoint per job) out of
//! their reach, and leaves room for another backend (PostgreSQL) behind the same functions.
//!
//! Both are a reference underneath: handing one down costs nothing.

use std::fmt;
use std::ops::Deref;

use rusqlite::{CachedStatement, Connection};

/// The database as a closure sees it, to read: a reader's connection in [`Store::read`], or
/// the write transaction in [`Store::write`] (a [`Tx`] derefs to a `Db`). Functions that only
/// read take `&Db`, so the same function serves both.
///
/// [`Store::read`]: crate::Store::read
/// [`Store::write`]: crate::Store::write
#[derive(Clone, Copy)]
pub struct Db<'a> {
    backend: Backend<'a>,
}

/// The database a handle works on.
#[derive(Clone, Copy)]
pub(crate) enum Backend<'a> {
    /// An SQLite connection (a reader's, or the writer's inside its transaction).
    Sqlite(&'a Connection),
    /// A PostgreSQL session (a client, or a transaction open on one).
    Postgres(&'a dyn crate::sql::PgSession),
}

/// The write transaction a [`Store::write`](crate::Store::write) closure runs in, shared with
/// the other jobs of its batch. Functions that change data take `&Tx`, so a read closure
/// cannot call them: a type error at build time rather than a refusal from a read-only
/// connection at run time.
pub struct Tx<'a> {
    db: Db<'a>,
}

impl<'a> Db<'a> {
    /// Wraps a connection; only the store hands out handles.
    pub(crate) fn new(conn: &'a Connection) -> Self {
        Db {
            backend: Backend::Sqlite(conn),
        }
    }

    /// Wraps a PostgreSQL session.
    pub(crate) fn postgres(session: &'a dyn crate::sql::PgSession) -> Self {
        Db {
            backend: Backend::Postgres(session),
        }
    }

    /// The database underneath.
    pub(crate) fn backend(&self) -> Backend<'a> {
        self.backend
    }

    /// A prepared statement from SQLite's cache, for the few statements that stay SQLite's
    /// own (history pages borrowed in place, the old events migration). On PostgreSQL they
    /// are refused.
    pub(crate) fn prepare_cached(&self, sql: &str) -> rusqlite::Result<CachedStatement<'a>> {
        match self.backend {
            Backend::Sqlite(conn) => conn.prepare_cached(sql),
            Backend::Postgres(_) => Err(rusqlite::Error::InvalidQuery),
        }
    }

    /// The SQLite connection, for the store's own tests of the writer and readers (a job that
    /// ends the transaction, a read that tries to write). Only with the `raw-sql` feature,
    /// which nothing but this crate's tests turns on.
    #[cfg(feature = "raw-sql")]
    pub fn sql(&self) -> &'a Connection {
        match self.backend {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(_) => panic!("Db::sql is for the SQLite tests of the store"),
        }
    }
}

impl<'a> Tx<'a> {
    /// Wraps the connection a transaction is open on; only the writer (and migrations) open
    /// transactions, so only they make a `Tx`.
    pub(crate) fn new(conn: &'a Connection) -> Self {
        Tx { db: Db::new(conn) }
    }

    /// Wraps a PostgreSQL transaction.
    pub(crate) fn postgres(session: &'a dyn crate::sql::PgSession) -> Self {
        Tx {
            db: Db::postgres(session),
        }
    }
}

impl<'a> Deref for Tx<'a> {
    type Target = Db<'a>;

    /// A write transaction reads too: `&tx` goes wherever a `&Db` is asked for.
    fn deref(&self) -> &Db<'a> {
        &self.db
    }
}

impl fmt::Debug for Db<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

impl fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tx").finish_non_exhaustive()
    }
}
