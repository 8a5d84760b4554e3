//! A full database: writes are refused with `StoreError::Full`, nothing refused is stored,
//! nothing acknowledged is lost, reads keep working, and writes succeed again once there is
//! room, on the same store (no reopening).
//!
//! "Full" here is SQLite's `max_page_count` set to the database's current size, set from a
//! write job on the writer's own connection: portable, and SQLite answers it with the same
//! `SQLITE_FULL` as a full disk. (The file-size-limit variant, which fails with `EFBIG`, is in
//! `file_size_limit.rs`; the server's is in the `switchback` crate's `disk_full` test.)

mod common;

use common::{count_rows, disk_store, has_row, put_row};
use switchback_store::{Store, StoreError};

/// A value large enough that a row needs new pages.
fn big() -> String {
    "x".repeat(64 * 1024)
}

fn put_big(store: &Store, key: &str) -> Result<(), StoreError> {
    let key = key.to_owned();
    store.write_blocking(move |tx| {
        tx.sql().execute(
            "INSERT INTO tags (resource_arn, key, value) VALUES ('test', ?1, ?2)",
            [key, big()],
        )?;
        Ok(())
    })
}

/// Caps the database at its current size (`None`: lifts the cap).
fn cap(store: &Store, cap: Option<i64>) {
    store
        .write_blocking(move |tx| {
            let pages: i64 = tx.sql().query_row("PRAGMA page_count", [], |r| r.get(0))?;
            let max = cap.unwrap_or(1 << 30).max(pages);
            let _: i64 =
                tx.sql()
                    .query_row(&format!("PRAGMA max_page_count = {max}"), [], |r| r.get(0))?;
            Ok(())
        })
        .expect("set max_page_count");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn full_database_refuses_writes_and_recovers() {
    let (store, dir) = disk_store();
    for i in 0..10 {
        store
            .write_blocking(move |tx| put_row(tx, &format!("before-{i}")))
            .expect("write before the disk fills");
    }
    cap(&store, Some(0));

    // A write that needs a new page is refused as `Full`, naming the directory.
    match put_big(&store, "refused") {
        Err(StoreError::Full { dir: named, reason }) => {
            assert_eq!(named, dir.path(), "Full names the data directory");
            assert!(!reason.is_empty());
        }
        other => panic!("expected StoreError::Full, got {other:?}"),
    }
    assert!(!has_row(&store, "refused"), "a refused write left a row");

    // Many writes at once (group commit): each one either committed or was refused as
    // `Full`; what was acknowledged is readable, what was refused is not.
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let key = format!("during-{i}");
                let value = if i % 2 == 0 { big() } else { "v".to_owned() };
                let k = key.clone();
                let result = store
                    .write(move |tx| {
                        tx.sql().execute(
                            "INSERT INTO tags (resource_arn, key, value) VALUES ('test', ?1, ?2)",
                            [k, value],
                        )?;
                        Ok(())
                    })
                    .await;
                (key, i, result)
            })
        })
        .collect();
    let mut refused = 0;
    for task in tasks {
        let (key, i, result) = task.await.expect("task");
        match result {
            Ok(()) => assert!(has_row(&store, &key), "{key} acknowledged but not stored"),
            Err(e) => {
                assert!(e.is_full(), "{key}: expected Full, got {e:?}");
                assert!(!has_row(&store, &key), "{key} refused but stored");
                refused += 1;
            }
        }
        if i % 2 == 0 {
            assert!(
                !has_row(&store, &key),
                "{key} is too big to fit, yet stored"
            );
        }
    }
    assert!(refused >= 25, "only {refused} of 50 writes were refused");

    // Reads keep working, and see everything acknowledged before.
    for i in 0..10 {
        assert!(has_row(&store, &format!("before-{i}")));
    }
    let rows_while_full = count_rows(&store);

    // Room again: the same store writes, no reopening.
    cap(&store, None);
    put_big(&store, "after").expect("a write once there is room again");
    assert!(has_row(&store, "after"));
    assert_eq!(count_rows(&store), rows_while_full + 1);
}
