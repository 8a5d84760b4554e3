//! The writer: group commit, per-job rollback, panics, closing.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::{count_rows, disk_store, has_row, put_row, start};
use switchback_store::{Store, StoreError};

/// Queues a job that holds the writer thread until `release` is sent, and waits until it runs,
/// so the jobs queued next are certain to share the following batch.
fn hold_writer(store: &Store) -> mpsc::Sender<()> {
    let (release, released) = mpsc::channel::<()>();
    let (started, running) = mpsc::channel::<()>();
    let store = store.clone();
    std::thread::spawn(move || {
        store.write_blocking(move |_| {
            let _ = started.send(());
            let _ = released.recv_timeout(Duration::from_secs(30));
            Ok(())
        })
    });
    running
        .recv_timeout(Duration::from_secs(30))
        .expect("the holding job started");
    release
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_share_commits() {
    let (store, _dir) = disk_store();
    let tasks: Vec<_> = (0..2000)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .write(move |tx| {
                        put_row(tx, &format!("k{i}"))?;
                        Ok(i)
                    })
                    .await
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.expect("task").expect("write"), i);
    }
    assert_eq!(count_rows(&store), 2000);
    assert_eq!(store.jobs(), 2000);
    let batches = store.batches();
    assert!(
        batches * 10 <= store.jobs(),
        "group commit should batch: {batches} batches for 2000 jobs"
    );
}

#[tokio::test]
async fn queued_jobs_commit_in_one_batch() {
    let (store, _dir) = disk_store();
    let release = hold_writer(&store);
    let writes: Vec<_> = (0..100)
        .map(|i| start(store.write(move |tx| put_row(tx, &format!("k{i}")))))
        .collect();
    release.send(()).expect("release");
    for write in writes {
        write.await.expect("write");
    }
    assert_eq!(
        store.batches(),
        2,
        "the holding batch, then one for all 100"
    );
    assert_eq!(store.jobs(), 101);
}

#[tokio::test]
async fn a_failing_job_is_rolled_back_alone() {
    let (store, _dir) = disk_store();
    let release = hold_writer(&store);
    let first = start(store.write(|tx| put_row(tx, "first")));
    let failing = start(store.write(|tx| {
        put_row(tx, "failing")?;
        Err::<(), _>(StoreError::Conflict("no".into()))
    }));
    let duplicate = start(store.write(|tx| put_row(tx, "first")));
    let last = start(store.write(|tx| put_row(tx, "last")));
    release.send(()).expect("release");

    first.await.expect("first commits");
    assert!(matches!(failing.await, Err(StoreError::Conflict(m)) if m == "no"));
    assert!(matches!(duplicate.await, Err(StoreError::Database(_))));
    last.await.expect("last commits");
    assert_eq!(store.batches(), 2, "all four shared one batch");
    assert!(has_row(&store, "first"));
    assert!(has_row(&store, "last"));
    assert!(!has_row(&store, "failing"));
    assert_eq!(count_rows(&store), 2);
}

#[tokio::test]
async fn a_panicking_job_is_rolled_back_and_the_writer_survives() {
    let (store, _dir) = disk_store();
    let release = hold_writer(&store);
    let ok = start(store.write(|tx| put_row(tx, "ok")));
    let panics = start(store.write(|tx| -> Result<(), StoreError> {
        put_row(tx, "panics")?;
        panic!("boom");
    }));
    release.send(()).expect("release");
    ok.await.expect("ok commits");
    assert!(matches!(panics.await, Err(StoreError::Panicked(m)) if m == "boom"));
    store
        .write(|tx| put_row(tx, "after"))
        .await
        .expect("writer still runs");
    assert!(has_row(&store, "ok") && has_row(&store, "after") && !has_row(&store, "panics"));
}

#[tokio::test]
async fn a_job_that_ends_the_transaction_fails_its_batch_but_not_later_jobs() {
    let (store, _dir) = disk_store();
    let release = hold_writer(&store);
    let before = start(store.write(|tx| put_row(tx, "before")));
    let rogue = start(store.write(|tx| {
        tx.sql().execute_batch("ROLLBACK")?;
        Ok(())
    }));
    let after = start(store.write(|tx| put_row(tx, "after")));
    release.send(()).expect("release");
    assert!(before.await.is_err(), "its batch was rolled back");
    assert!(rogue.await.is_err());
    after.await.expect("runs in the next batch");
    assert!(!has_row(&store, "before"));
    assert!(has_row(&store, "after"));
}

#[tokio::test]
async fn close_commits_what_is_queued_then_refuses_writes() {
    let (store, _dir) = disk_store();
    let release = hold_writer(&store);
    let queued: Vec<_> = (0..10)
        .map(|i| start(store.write(move |tx| put_row(tx, &format!("k{i}")))))
        .collect();
    let closer = {
        let store = store.clone();
        tokio::spawn(async move { store.close().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    release.send(()).expect("release");
    closer.await.expect("close");
    for write in queued {
        write.await.expect("queued before close, so committed");
    }
    assert!(matches!(
        store.write(|tx| put_row(tx, "late")).await,
        Err(StoreError::Closed)
    ));
    assert!(matches!(
        store.write_blocking(|tx| put_row(tx, "late")),
        Err(StoreError::Closed)
    ));
    assert_eq!(count_rows(&store), 10, "reads still work after close");
}

#[test]
fn blocking_write_and_read_outside_a_runtime() {
    let (store, _dir) = disk_store();
    let value = store
        .write_blocking(|tx| {
            put_row(tx, "k")?;
            Ok(7)
        })
        .expect("write");
    assert_eq!(value, 7);
    assert!(has_row(&store, "k"));
}
