//! Helpers shared by the store's integration tests.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use switchback_store::executions::ExecutionRecord;
use switchback_store::{Store, StoreConfig, StoreError, Synchronous};
use switchback_types::ExecutionStatus;
use tempfile::TempDir;

/// A durable store (synchronous=FULL) in a fresh directory; keep the directory alive.
pub fn disk_store() -> (Store, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(StoreConfig::on_disk(dir.path()).with_synchronous(Synchronous::Full))
        .expect("open store");
    (store, dir)
}

/// Inserts one tag row: a cheap, generic write for testing the writer.
pub fn put_row(tx: &switchback_store::Tx<'_>, key: &str) -> Result<(), StoreError> {
    tx.sql().execute(
        "INSERT INTO tags (resource_arn, key, value) VALUES ('test', ?1, 'v')",
        [key],
    )?;
    Ok(())
}

/// How many test rows exist, read through the reader pool.
pub fn count_rows(store: &Store) -> i64 {
    store
        .read_blocking(|c| {
            Ok(c.sql().query_row(
                "SELECT count(*) FROM tags WHERE resource_arn = 'test'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("count rows")
}

/// Whether the test row `key` exists.
pub fn has_row(store: &Store, key: &str) -> bool {
    let key = key.to_owned();
    store
        .read_blocking(move |c| {
            Ok(c.sql().query_row(
                "SELECT count(*) FROM tags WHERE resource_arn = 'test' AND key = ?1",
                [key],
                |r| r.get::<_, i64>(0),
            )? == 1)
        })
        .expect("read row")
}

/// Polls a future once, so a `Store::write` is queued now, deterministically; await it later.
pub fn start<F: Future>(future: F) -> Pin<Box<F>> {
    let mut future = Box::pin(future);
    let mut context = Context::from_waker(Waker::noop());
    assert!(matches!(future.as_mut().poll(&mut context), Poll::Pending));
    future
}

/// A running execution named `name` with `input`, ready for `executions::insert`.
pub fn execution_record(name: &str, input: &str) -> ExecutionRecord {
    ExecutionRecord {
        id: 0,
        arn: format!("arn:aws:states:us-east-1:123456789012:execution:m:{name}"),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
        version_arn: None,
        alias_arn: None,
        name: name.into(),
        status: ExecutionStatus::Running,
        definition: "{}".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        revision_id: None,
        input: input.into(),
        output: None,
        error: None,
        cause: None,
        start_date: 1,
        stop_date: None,
        redrive_count: 0,
        redrive_date: None,
        seed: 7,
        wake_at: None,
        trace_header: None,
        wakes: 0,
        map_run_arn: None,
    }
}

/// An in-memory store with a single reader connection, holding one test row `key`.
pub async fn one_reader_store_with(key: &'static str) -> Store {
    let store = Store::open(StoreConfig {
        readers: 1,
        ..StoreConfig::in_memory()
    })
    .expect("open");
    store
        .write(move |tx| put_row(tx, key))
        .await
        .expect("write");
    store
}
