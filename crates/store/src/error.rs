//! The one error type of the store. Callers map it onto AWS errors, so each variant says what
//! happened in words a caller can act on.

use rusqlite::ffi;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused or failed.
    #[error("SQLite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
}

impl StoreError {
    /// A copy of a batch-wide failure for each job of the batch: `rusqlite::Error` is not
    /// `Clone`, so SQLite failures are rebuilt from their code and message, others from text.
    pub(crate) fn duplicate(error: &rusqlite::Error) -> StoreError {
        let copy = match error {
            rusqlite::Error::SqliteFailure(code, message) => {
                rusqlite::Error::SqliteFailure(*code, message.clone())
            }
            other => rusqlite::Error::SqliteFailure(
                ffi::Error::new(ffi::SQLITE_ERROR),
                Some(other.to_string()),
            ),
        };
        StoreError::Sqlite(copy)
    }

    /// True for an SQLite PRIMARY KEY or UNIQUE violation: "it already exists".
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(code, _)) => {
                code.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    || code.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE
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
