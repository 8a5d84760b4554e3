//! How a [`Store`](crate::Store) is opened: where the database lives and how hard it syncs.

use std::path::{Path, PathBuf};

/// The file name of the database inside a data directory.
pub const DATABASE_FILE: &str = "switchback.db";

/// SQLite's `synchronous` level for the writer connection.
///
/// With WAL, `Full` syncs the log on every commit, so a committed write survives a power cut;
/// `Normal` may lose the last commits on power loss (never on a process crash); `Off` leaves
/// syncing to the operating system. Group commit makes `Full` affordable, hence the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// fsync on every commit.
    #[default]
    Full,
    /// fsync at checkpoints only.
    Normal,
    /// Never fsync.
    Off,
}

impl Synchronous {
    /// The value SQLite's `PRAGMA synchronous` takes.
    pub fn as_pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
            Synchronous::Off => "OFF",
        }
    }
}

/// Configuration of a [`Store`](crate::Store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// The database file. `None` means "in memory": a database file in a fresh temporary
    /// directory, removed when the store is dropped. A real file (rather than SQLite's
    /// `:memory:`) keeps the WAL semantics, and lets the writer and the readers share it.
    pub path: Option<PathBuf>,
    /// The sync level of commits. Ignored when `path` is `None` (always `Off` there: nothing
    /// survives the process anyway).
    pub synchronous: Synchronous,
    /// How many read-only connections the read pool holds (at least one is opened).
    pub readers: usize,
    /// The most write jobs committed in one transaction.
    pub max_batch: usize,
}

impl StoreConfig {
    /// Default size of the read pool.
    pub const DEFAULT_READERS: usize = 4;
    /// Default bound on the jobs of one group commit.
    pub const DEFAULT_MAX_BATCH: usize = 4096;

    /// A durable store in `dir` (the file `dir/switchback.db`); `dir` is created on open.
    pub fn on_disk(dir: impl AsRef<Path>) -> Self {
        StoreConfig {
            path: Some(dir.as_ref().join(DATABASE_FILE)),
            synchronous: Synchronous::Full,
            readers: Self::DEFAULT_READERS,
            max_batch: Self::DEFAULT_MAX_BATCH,
        }
    }

    /// A throw-away store in a temporary directory, with `synchronous=OFF`.
    pub fn in_memory() -> Self {
        StoreConfig {
            path: None,
            synchronous: Synchronous::Off,
            readers: Self::DEFAULT_READERS,
            max_batch: Self::DEFAULT_MAX_BATCH,
        }
    }

    /// The same configuration with another sync level.
    pub fn with_synchronous(mut self, synchronous: Synchronous) -> Self {
        self.synchronous = synchronous;
        self
    }
}

impl Default for StoreConfig {
    /// In memory: the safe choice for tests and `switchback run`; servers name a directory.
    fn default() -> Self {
        Self::in_memory()
    }
}
