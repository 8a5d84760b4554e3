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
    conn: &'a Connection,
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
        Db { conn }
    }

    /// A prepared statement from the connection's cache (the typed functions run the same few
    /// statements over and over).
    pub(crate) fn prepare_cached(&self, sql: &str) -> rusqlite::Result<CachedStatement<'a>> {
        self.conn.prepare_cached(sql)
    }

    /// The rowid of the last row inserted on this connection.
    pub(crate) fn last_insert_rowid(&self) -> i64 {
        self.conn.last_insert_rowid()
    }

    /// The SQLite connection, for the store's own tests of the writer and readers (a job that
    /// ends the transaction, a read that tries to write). Only with the `raw-sql` feature,
    /// which nothing but this crate's tests turns on.
    #[cfg(feature = "raw-sql")]
    pub fn sql(&self) -> &'a Connection {
        self.conn
    }
}

impl<'a> Tx<'a> {
    /// Wraps the connection a transaction is open on; only the writer (and migrations) open
    /// transactions, so only they make a `Tx`.
    pub(crate) fn new(conn: &'a Connection) -> Self {
        Tx { db: Db::new(conn) }
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
