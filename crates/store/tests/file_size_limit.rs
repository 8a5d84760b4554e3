//! Writes past the process's file-size limit (`RLIMIT_FSIZE`) fail with `EFBIG`, which SQLite
//! reports as an I/O error (`SQLITE_IOERR_WRITE`), not as `SQLITE_FULL`: the store must still
//! call it [`StoreError::Full`] (from the connection's system error), keep reads working, and
//! write again once the limit is lifted.
//!
//! A small write puts nothing in the log before its `COMMIT`, so here it is the `COMMIT` that
//! fails: the test also shows that a batch whose commit failed is not acknowledged.
//!
//! The limit is the whole process's, so this test is alone in its test binary. `SIGXFSZ` is
//! ignored, as `switchback serve` does, so that such a write fails instead of killing the
//! process.

#![cfg(target_os = "linux")]
// Setting the process's resource limit and signal disposition takes libc calls.
#![allow(unsafe_code)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{count_rows, disk_store, has_row, put_row};
use switchback_store::StoreError;

fn set_file_size_limit(limit: libc::rlim_t) {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_FSIZE, &mut current), 0);
        current.rlim_cur = limit.min(current.rlim_max);
        assert_eq!(
            libc::setrlimit(libc::RLIMIT_FSIZE, &current),
            0,
            "setrlimit"
        );
    }
}

#[test]
fn writes_past_the_file_size_limit_are_full_and_recover() {
    // SAFETY: sets the disposition of one signal to "ignore"; no handler runs.
    unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    let (store, dir) = disk_store();
    for i in 0..10 {
        store
            .write_blocking(move |tx| put_row(tx, &format!("before-{i}")))
            .expect("write before the limit");
    }

    // No file may grow past one page: every WAL frame straddles or passes it.
    set_file_size_limit(4096);
    let mut outcomes = Vec::new();
    let inserted = Arc::new(AtomicUsize::new(0));
    for i in 0..5 {
        let key = format!("during-{i}");
        let k = key.clone();
        let inserted = Arc::clone(&inserted);
        outcomes.push((
            key,
            store.write_blocking(move |tx| {
                put_row(tx, &k)?;
                inserted.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }),
        ));
    }
    let reads = count_rows(&store);
    set_file_size_limit(libc::RLIM_INFINITY);

    for (key, outcome) in &outcomes {
        match outcome {
            Err(StoreError::Full { dir: named, reason }) => {
                eprintln!("{key}: refused: {reason}");
                assert_eq!(named, dir.path());
                assert!(!has_row(&store, key), "{key} refused but stored");
            }
            other => panic!("{key}: expected StoreError::Full, got {other:?}"),
        }
    }
    assert_eq!(reads, 10, "reads while the limit held");
    assert_eq!(
        inserted.load(Ordering::Relaxed),
        5,
        "each INSERT succeeded: it is the COMMIT that failed"
    );

    store
        .write_blocking(|tx| put_row(tx, "after"))
        .expect("a write once the limit is lifted");
    assert!(has_row(&store, "after"));
    assert_eq!(count_rows(&store), 11);
    for i in 0..10 {
        assert!(has_row(&store, &format!("before-{i}")));
    }
}
