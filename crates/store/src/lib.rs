//! Durable storage for Switchback: state machines, executions and their histories, on SQLite
//! with group commit.
//!
//! A [`Store`] owns one writer thread and a pool of readers. Writes are closures run inside a
//! transaction shared with whatever other writes are queued at the same moment (group commit:
//! one fsync serves them all, see [`Store::write`]); reads are closures run on a read-only connection. The typed
//! modules ([`state_machines`], [`versions`], [`aliases`], [`tags`]) are plain functions over
//! `&rusqlite::Connection`, so callers compose them inside one `write` or `read`.

pub mod activities;
pub mod aliases;
mod columns;
mod config;
mod connection;
mod error;
pub mod executions;
mod job;
pub mod migrations;
mod readers;
pub mod state_machines;
mod store;
pub mod tags;
pub mod task_tokens;
mod time;
pub mod versions;
mod writer;

pub use config::{StoreConfig, Synchronous, DATABASE_FILE};
pub use error::StoreError;
pub use rusqlite;
pub use store::Store;
pub use time::{from_micros, now_micros, to_micros};
