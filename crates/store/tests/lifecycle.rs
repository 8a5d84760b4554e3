//! Opening, reopening, migrations, the in-memory store's directory, and read visibility.

mod common;

use common::{count_rows, disk_store, has_row, put_row, start};
use switchback_store::migrations::{current_version, latest_version};
use switchback_store::{Store, StoreConfig, StoreError, Synchronous};

#[tokio::test]
async fn data_survives_close_and_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("nested").join("data");
    {
        let store = Store::open(StoreConfig::on_disk(&data)).expect("open");
        assert!(store.path().starts_with(&data));
        store.write(|tx| put_row(tx, "kept")).await.expect("write");
        store.close().await;
    }
    let store = Store::open(StoreConfig::on_disk(&data)).expect("reopen");
    assert!(store
        .read(|c| Ok(has_row_sql(c, "kept")))
        .await
        .expect("read"));
    let version = store.read(current_version).await.expect("version");
    assert_eq!(
        version,
        latest_version(),
        "migrations ran once, reopen did not redo them"
    );
}

#[test]
fn dropping_the_last_clone_commits_queued_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(StoreConfig::on_disk(dir.path())).expect("open");
    for i in 0..100 {
        // Queued, then the caller stops waiting: the job still runs.
        drop(start(store.write(move |tx| put_row(tx, &format!("k{i}")))));
    }
    drop(store);
    let store = Store::open(StoreConfig::on_disk(dir.path())).expect("reopen");
    assert_eq!(count_rows(&store), 100);
}

#[tokio::test]
async fn in_memory_store_removes_its_directory() {
    let store = Store::open(StoreConfig::in_memory()).expect("open");
    let dir = store.path().parent().expect("parent").to_path_buf();
    store.write(|tx| put_row(tx, "x")).await.expect("write");
    assert!(has_row(&store, "x"));
    assert!(dir.exists());
    let clone = store.clone();
    drop(store);
    assert!(dir.exists(), "a clone keeps it alive");
    drop(clone);
    assert!(!dir.exists(), "{} should be gone", dir.display());
}

#[tokio::test]
async fn readers_see_every_committed_write() {
    let store = Store::open(StoreConfig {
        readers: 2,
        ..StoreConfig::in_memory()
    })
    .expect("open");
    for i in 0..50 {
        store
            .write(move |tx| put_row(tx, &format!("k{i}")))
            .await
            .expect("write");
        let seen = store
            .read(|c| {
                Ok(c.sql().query_row(
                    "SELECT count(*) FROM tags WHERE resource_arn = 'test'",
                    [],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .await
            .expect("read");
        assert_eq!(seen, i + 1);
    }
    let reads: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.read(|c| Ok(has_row_sql(c, "k49"))).await })
        })
        .collect();
    for read in reads {
        assert!(read.await.expect("task").expect("read"));
    }
}

#[tokio::test]
async fn readers_cannot_write() {
    let store = Store::open(StoreConfig::in_memory()).expect("open");
    let result = store
        .read(|c| {
            Ok(c.sql()
                .execute("INSERT INTO tags VALUES ('test', 'k', 'v')", [])?)
        })
        .await;
    assert!(matches!(result, Err(StoreError::Database(_))));
    assert_eq!(count_rows(&store), 0);
}

#[tokio::test]
async fn a_panicking_read_returns_its_connection() {
    let store = Store::open(StoreConfig {
        readers: 1,
        ..StoreConfig::in_memory()
    })
    .expect("open");
    let result = store
        .read(|_| -> Result<(), StoreError> { panic!("read boom") })
        .await;
    assert!(matches!(result, Err(StoreError::Panicked(m)) if m == "read boom"));
    assert_eq!(count_rows(&store), 0, "the only reader came back");
}

#[test]
fn integrity_is_checked_without_a_store_and_a_missing_file_is_not_created() {
    let (store, dir) = disk_store();
    store.write_blocking(|tx| put_row(tx, "k")).expect("write");
    drop(store);
    let path = dir.path().join(switchback_store::DATABASE_FILE);
    switchback_store::check_integrity(&path).expect("a sound database");
    let missing = dir.path().join("missing.db");
    assert!(switchback_store::check_integrity(&missing).is_err());
    assert!(!missing.exists());
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let (store, dir) = disk_store();
    drop(store);
    let path = dir.path().join(switchback_store::DATABASE_FILE);
    let conn = rusqlite::Connection::open(&path).expect("open raw");
    conn.pragma_update(None, "user_version", latest_version() + 1)
        .expect("bump version");
    drop(conn);
    let result = Store::open(StoreConfig::on_disk(dir.path()));
    assert!(matches!(result, Err(StoreError::Corrupt(_))));
}

#[test]
fn journal_mode_is_wal_and_sync_is_as_configured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(StoreConfig::on_disk(dir.path()).with_synchronous(Synchronous::Normal))
        .expect("open");
    let mode: String = store
        .read_blocking(|c| {
            Ok(c.sql()
                .pragma_query_value(None, "journal_mode", |r| r.get(0))?)
        })
        .expect("journal mode");
    assert_eq!(mode, "wal");
    let sync: i64 = store
        .write_blocking(|tx| {
            Ok(tx
                .sql()
                .pragma_query_value(None, "synchronous", |r| r.get(0))?)
        })
        .expect("synchronous");
    assert_eq!(sync, 1, "NORMAL");
}

fn has_row_sql(c: &switchback_store::Db<'_>, key: &str) -> bool {
    c.sql()
        .query_row(
            "SELECT count(*) FROM tags WHERE resource_arn = 'test' AND key = ?1",
            [key],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n == 1)
        .unwrap_or(false)
}

/// Reads run on the store's reader threads, one per connection: a burst of reads waits in
/// their queue and starts no thread (on Tokio's blocking pool, each read beyond the pool's
/// size parked a thread of its own until a connection came back).
#[test]
fn a_burst_of_reads_starts_no_thread() {
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex, RwLock};

    let started = Arc::new(AtomicUsize::new(0));
    let counted = started.clone();
    // A current-thread runtime starts threads only for its blocking pool.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .on_thread_start(move || {
            counted.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .expect("runtime");
    let mut config = StoreConfig::in_memory();
    config.readers = 2;
    let store = Store::open(config).expect("open");
    let ran_on = Arc::new(Mutex::new(HashSet::new()));
    let gate = Arc::new(RwLock::new(()));
    let closed = gate.write().expect("gate");
    runtime.block_on(async {
        let reads: Vec<_> = (0..32)
            .map(|_| {
                let store = store.clone();
                let gate = gate.clone();
                let ran_on = ran_on.clone();
                tokio::spawn(async move {
                    store
                        .read(move |c| {
                            let _open = gate.read().expect("gate");
                            let me = std::thread::current();
                            assert_eq!(me.name(), Some("switchback-store-reader"));
                            ran_on.lock().expect("ids").insert(me.id());
                            Ok(has_row_sql(c, "none"))
                        })
                        .await
                })
            })
            .collect();
        // Every read gets as far as it can while the two connections are held.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(started.load(Ordering::SeqCst), 0, "no thread for reads");
        drop(closed);
        for read in reads {
            assert!(!read.await.expect("join").expect("read"));
        }
    });
    assert_eq!(started.load(Ordering::SeqCst), 0, "no thread for reads");
    assert!(
        ran_on.lock().expect("ids").len() <= 2,
        "one thread per connection"
    );
}

#[tokio::test]
async fn a_point_read_runs_here_when_a_connection_is_idle() {
    let store = common::one_reader_store_with("point").await;
    let here = std::thread::current().id();
    let (seen, ran_on) = store
        .read_point(|c| Ok((has_row_sql(c, "point"), std::thread::current().id())))
        .await
        .expect("read");
    assert!(seen, "a point read sees what was committed");
    assert_eq!(
        ran_on, here,
        "with a connection idle, it runs on the caller's thread"
    );
}

#[tokio::test]
async fn a_point_read_waits_in_the_queue_when_every_connection_is_busy() {
    let store = common::one_reader_store_with("busy").await;
    // The only connection is held by a read that waits for a signal.
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let (started, is_started) = tokio::sync::oneshot::channel::<()>();
    let holder = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .read(move |_| {
                    let _ = started.send(());
                    let _ = wait.recv_timeout(std::time::Duration::from_secs(60));
                    Ok(())
                })
                .await
        })
    };
    is_started.await.expect("the holding read started");
    let here = std::thread::current().id();
    let point = store.read_point(|c| Ok((has_row_sql(c, "busy"), std::thread::current().id())));
    tokio::pin!(point);
    // Polled once while the connection is held: it cannot run here, so it queues itself.
    tokio::select! {
        biased;
        _ = &mut point => panic!("the point read finished while every connection was busy"),
        () = std::future::ready(()) => {}
    }
    release.send(()).expect("release the connection");
    holder.await.expect("task").expect("holding read");
    let (seen, ran_on) = point.await.expect("point read");
    assert!(seen);
    assert_ne!(
        ran_on, here,
        "with no connection idle, a reader thread ran it"
    );
}
