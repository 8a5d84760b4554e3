//! The one error type of the store. Callers map it onto AWS errors, so each variant says what
//! happened in words a caller can act on.
//!
//! A write that fails for lack of space is told apart from other SQLite failures
//! ([`StoreError::Full`]): it is not corruption and not the caller's fault, it passes once
//! space is freed, and the server answers it as "unavailable, retry" rather than as an internal
//! failure. SQLite reports it as `SQLITE_FULL` (`ENOSPC`, or a write cut short), or as an
//! `SQLITE_IOERR_*` whose system error is `EFBIG` (the process's file-size limit) or `EDQUOT`
//! (a disk quota); the error code alone cannot tell the latter from a failing disk, so the
//! connection's last system error (`sqlite3_system_errno`) decides.

use std::path::{Path, PathBuf};

use rusqlite::{ffi, Connection};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed (a constraint, a lock, an I/O error); its message says
    /// which, for the log.
    #[error("{0}")]
    Database(DatabaseError),
    /// The store was closed (or its writer stopped) before the job ran.
    #[error("the store is closed")]
    Closed,
    /// A record already exists, or the operation clashes with what is stored.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record asked for does not exist.
    #[error("not found")]
    NotFound,
    /// Stored data cannot be read back (bad JSON, unknown enum value, schema from the future).
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// A job panicked; its changes were rolled back and the store carries on.
    #[error("a store job panicked: {0}")]
    Panicked(String),
    /// The file system refused (creating the data directory or the temporary directory).
    #[error("store I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// No space to write: the disk holding `dir` is full, or a quota or the process's file
    /// size limit is reached. The write was rolled back whole (nothing of it is stored); reads
    /// still work, and writes succeed again as soon as space is freed, with no restart.
    #[error(
        "no space left to write the store in {}: {reason}; free disk space there",
        dir.display()
    )]
    Full {
        /// The directory of the database file.
        dir: PathBuf,
        /// SQLite's error, for the log.
        reason: String,
    },
}

/// What the database said when it refused or failed. Opaque: callers act on the other
/// variants of [`StoreError`] and on [`StoreError::is_unique_violation`], not on SQLite's own
/// codes, which another backend would not share.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DatabaseError(Failure);

/// The failure as the database's driver gave it.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("SQLite error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("PostgreSQL error: {0}")]
    Postgres(postgres::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Database(DatabaseError(Failure::Sqlite(error)))
    }
}

impl From<postgres::Error> for StoreError {
    fn from(error: postgres::Error) -> Self {
        StoreError::Database(DatabaseError(Failure::Postgres(error)))
    }
}

impl StoreError {
    /// A copy of a batch-wide failure for each job of the batch: `rusqlite::Error` is not
    /// `Clone`, so SQLite failures are rebuilt from their code and message, [`StoreError::Full`]
    /// is copied, and the rest is rebuilt from its text.
    pub(crate) fn duplicate(&self) -> StoreError {
        match self {
            StoreError::Database(DatabaseError(Failure::Sqlite(
                rusqlite::Error::SqliteFailure(code, message),
            ))) => rusqlite::Error::SqliteFailure(*code, message.clone()).into(),
            StoreError::Full { dir, reason } => StoreError::Full {
                dir: dir.clone(),
                reason: reason.clone(),
            },
            StoreError::Closed => StoreError::Closed,
            other => rusqlite::Error::SqliteFailure(
                ffi::Error::new(ffi::SQLITE_ERROR),
                Some(other.to_string()),
            )
            .into(),
        }
    }

    /// True when the write failed for lack of space ([`StoreError::Full`]).
    pub fn is_full(&self) -> bool {
        matches!(self, StoreError::Full { .. })
    }

    /// `self`, or [`StoreError::Full`] when it is an SQLite failure for lack of space on
    /// `conn` (the connection it happened on, whose last system error is consulted) for the
    /// database in `dir`.
    pub(crate) fn classify(self, conn: &Connection, dir: &Path) -> StoreError {
        let reason = match &self {
            StoreError::Database(DatabaseError(Failure::Sqlite(error))) => {
                out_of_space(conn, error)
            }
            _ => None,
        };
        match reason {
            Some(reason) => StoreError::Full {
                dir: dir.to_path_buf(),
                reason,
            },
            None => self,
        }
    }

    /// True for a PRIMARY KEY or UNIQUE violation: "it already exists".
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(DatabaseError(Failure::Sqlite(
                rusqlite::Error::SqliteFailure(code, _),
            ))) => {
                code.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    || code.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE
            }
            StoreError::Database(DatabaseError(Failure::Postgres(error))) => {
                error.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }

    /// Turns a uniqueness violation into [`StoreError::Conflict`] with `message`; other errors
    /// pass through. Inserts use it so callers can match on `Conflict`.
    pub(crate) fn or_conflict(self, message: impl FnOnce() -> String) -> StoreError {
        if self.is_unique_violation() {
            StoreError::Conflict(message())
        } else {
            self
        }
    }
}

/// When `error`, just returned on `conn`, means "no space left": what happened, for the log
/// (SQLite's message, with the system error when SQLite only says "disk I/O error").
fn out_of_space(conn: &Connection, error: &rusqlite::Error) -> Option<String> {
    let rusqlite::Error::SqliteFailure(code, _) = error else {
        return None;
    };
    match code.code {
        rusqlite::ErrorCode::DiskFull => Some(error.to_string()),
        rusqlite::ErrorCode::SystemIoFailure => {
            // SAFETY: `conn` is open for the whole call, and `sqlite3_system_errno` only reads
            // a field of the connection. The writer thread owns this connection, so no other
            // thread's failure can have overwritten it since `error`.
            // The one `unsafe` of this crate (the workspace denies it elsewhere).
            #[allow(unsafe_code)]
            let errno = unsafe { ffi::sqlite3_system_errno(conn.handle()) };
            if errno == 0 {
                return None;
            }
            let system = std::io::Error::from_raw_os_error(errno);
            matches!(
                system.kind(),
                std::io::ErrorKind::StorageFull
                    | std::io::ErrorKind::FileTooLarge
                    | std::io::ErrorKind::QuotaExceeded
            )
            .then(|| format!("{error}: {system}"))
        }
        _ => None,
    }
}

/// The message of a caught panic, for [`StoreError::Panicked`].
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_owned()
    }
}
