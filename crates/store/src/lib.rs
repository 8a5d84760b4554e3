//! Durable storage for Switchback: state machines, executions and their histories, on SQLite
//! with group commit.
//!
//! A [`Store`] owns one writer thread and a pool of readers. Writes are closures run inside a
//! transaction shared with whatever other writes are queued at the same moment (group commit:
//! one fsync serves them all, see [`Store::write`]); reads are closures run on a read-only
//! connection. The typed modules ([`executions`], [`state_machines`], [`versions`],
//! [`aliases`], [`tags`], [`activities`], [`task_tokens`]) are plain functions over the
//! store's own handles, so callers compose them inside one `write` or `read`: [`Db`] to read
//! (what a read closure gets) and [`Tx`] to change data (what a write closure gets; it reads
//! too).
//!
//! SQL and SQLite stay in this crate: the handles keep the connection private, so no caller
//! depends on the database underneath (see [`Db`]).

pub mod activities;
pub mod aliases;
mod columns;
mod config;
mod connection;
mod db;
mod error;
mod event_runs;
pub mod executions;
mod job;
pub mod map_run_express;
pub mod migrations;
pub mod payloads;
pub mod postgres;
mod readers;
mod sql;
pub mod state_machines;
mod store;
pub mod tags;
pub mod task_tokens;
mod time;
pub mod versions;
mod writer;

pub use config::{StoreConfig, Synchronous, DATABASE_FILE};
pub use connection::check_integrity;
pub use db::{Db, Tx};
pub use error::{DatabaseError, StoreError};
pub use store::Store;
pub use time::{from_micros, now_micros, to_micros};
