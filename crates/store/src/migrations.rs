//! Schema migrations, tracked in SQLite's `PRAGMA user_version`.
//!
//! The pending migrations run in one `BEGIN IMMEDIATE` transaction together with the version
//! bump: a crash mid-migration leaves the previous version intact, and two processes opening
//! the same new database cannot both apply migration 1 (the second waits, then sees it done).
//! A database written by a newer build (a version above the last one known here) is refused
//! rather than guessed at.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::db::Db;
use crate::StoreError;

/// One migration: SQL, or a step that also moves data SQL alone cannot reshape.
pub enum Migration {
    /// Statements run as they are.
    Sql(&'static str),
    /// A function run inside the migration's transaction.
    Step(fn(&Transaction<'_>) -> Result<(), StoreError>),
}

/// The migrations, as (version, migration) in ascending order. Append; never edit a released
/// one.
pub const MIGRATIONS: &[(i64, Migration)] = &[
    (1, Migration::Sql(include_str!("schema.sql"))),
    (2, Migration::Sql(include_str!("tasks.sql"))),
    (3, Migration::Sql(include_str!("wakes.sql"))),
    (4, Migration::Sql(include_str!("payloads.sql"))),
    (5, Migration::Step(crate::event_runs::migrate_from_events)),
    (6, Migration::Sql(include_str!("map_children.sql"))),
    (7, Migration::Sql(include_str!("map_run_express.sql"))),
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |(version, _)| *version)
}

/// The schema version recorded in the database (0 for a new file).
pub fn current_version(conn: &Db<'_>) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("PRAGMA user_version")?
        .query_row([], |row| row.get(0))?)
}

/// Brings the database up to [`latest_version`]; returns how many migrations ran.
pub(crate) fn migrate(conn: &mut Connection) -> Result<usize, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = current_version(&Db::new(&tx))?;
    let latest = latest_version();
    if current > latest {
        return Err(StoreError::Corrupt(format!(
            "the database has schema version {current}, newer than this build's {latest}; \
             use a newer Switchback"
        )));
    }
    let mut applied = 0;
    for (version, migration) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Step(step) => step(&tx)?,
        }
        tx.pragma_update(None, "user_version", version)?;
        tracing::info!(version, "applying store migration");
        applied += 1;
    }
    tx.commit()?;
    Ok(applied)
}
