//! Opening SQLite connections with the settings the store relies on.

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use crate::{StoreError, Synchronous};

/// How long a connection waits for a lock held by another process before failing. Within one
/// process there is one writer, so this only matters when two processes share a file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements kept per connection: the typed functions use `prepare_cached`, and the
/// hot paths (events, executions) have a few dozen distinct statements.
const STATEMENT_CACHE: usize = 64;

/// Sets what every connection needs.
///
/// The query planner stability guarantee (QPSG): without it, SQLite (built with STAT4, as the
/// bundled library is) compiles a statement again whenever a new value is bound to a parameter
/// that a partial index's condition mentions, to check whether the index applies to that value.
/// The store's partial indexes (`status = 'RUNNING'`, `wake_at IS NOT NULL`) serve queries
/// that name the value, so nothing is lost; without the guarantee, a cached statement was
/// compiled again about once per execution, costing more than the rest of its commit.
fn configure_common(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Opens the one writer connection: WAL (readers never block the writer nor each other) and
/// the configured sync level.
pub(crate) fn open_writer(path: &Path, synchronous: Synchronous) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    configure_writer(&conn, path, synchronous).map_err(|e| e.classify(&conn, &dir_of(path)))?;
    Ok(conn)
}

/// The directory of the database file, named when there is no space left in it.
pub(crate) fn dir_of(path: &Path) -> std::path::PathBuf {
    path.parent()
        .map_or_else(std::path::PathBuf::new, Path::to_path_buf)
}

/// The writer's settings. Setting WAL mode may write (and after a crash, SQLite recovers the
/// log on first use), so a full disk can show here already.
fn configure_writer(
    conn: &Connection,
    path: &Path,
    synchronous: Synchronous,
) -> Result<(), StoreError> {
    configure_common(conn)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "{} cannot use write-ahead logging (journal_mode stayed {mode}); \
             put the data directory on a local file system",
            path.display()
        )));
    }
    conn.pragma_update(None, "synchronous", synchronous.as_pragma())?;
    Ok(())
}

/// Opens a reader: the same file, refused any write by `query_only`, so a read closure cannot
/// bypass the writer's group commit by mistake.
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    configure_common(&conn)?;
    conn.pragma_update(None, "query_only", "ON")?;
    Ok(conn)
}

/// Checks the database file at `path` the way SQLite checks itself (`PRAGMA integrity_check`),
/// opening it as a server would (so a write-ahead log left by a crash is taken in), without
/// starting a [`Store`](crate::Store). [`StoreError::Corrupt`] with SQLite's report if it is
/// not sound; an SQLite error if there is no such file (it is not created). For tools and
/// crash tests; nothing else may have the file open for writing.
pub fn check_integrity(path: &Path) -> Result<(), StoreError> {
    let flags = OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let report: String = conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if report == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!(
            "{} fails its integrity check: {report}",
            path.display()
        )))
    }
}
