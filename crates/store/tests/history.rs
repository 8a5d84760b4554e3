//! Appending history events: runs of any length go in as multi-row statements and read back
//! as written, in order; a run that fails part-way leaves nothing of its job behind.

mod common;

use switchback_store::executions::{self, EventRow, ExecutionRecord};
use switchback_store::{Store, StoreConfig, StoreError};
use switchback_types::EventType;

fn store() -> Store {
    Store::open(StoreConfig::in_memory()).expect("open")
}

fn record(name: &str) -> ExecutionRecord {
    common::execution_record(name, "{}")
}

/// Event `id` of a history, each column distinct so a misplaced parameter shows.
fn event(id: i64) -> EventRow {
    EventRow {
        id,
        previous_id: id - 1,
        timestamp: 1_000_000 + id * 7,
        kind: if id % 2 == 0 {
            EventType::PassStateEntered
        } else {
            EventType::PassStateExited
        },
        details: (id % 3 != 0).then(|| format!(r#"{{"n":{id}}}"#)),
        lane: id % 5,
        ordinal: id * 11,
        chunks: Vec::new(),
    }
}

fn events(store: &Store, id: i64) -> Vec<EventRow> {
    store
        .read_blocking(move |c| executions::events(c, id))
        .expect("read events")
}

#[test]
fn runs_of_every_length_read_back_in_order() {
    let store = store();
    for length in 0..=40_i64 {
        let rows: Vec<EventRow> = (1..=length).map(event).collect();
        let written = rows.clone();
        let id = store
            .write_blocking(move |tx| {
                let id = executions::insert(tx, &record(&format!("run-{length}")))?;
                executions::append_events(tx, id, &written)?;
                Ok(id)
            })
            .expect("write");
        assert_eq!(events(&store, id), rows, "a run of {length}");
    }
}

#[test]
fn later_appends_follow_earlier_ones() {
    let store = store();
    let id = store
        .write_blocking(|tx| executions::insert(tx, &record("later")))
        .expect("insert");
    let mut next = 1;
    for length in [3_i64, 17, 1, 22] {
        let rows: Vec<EventRow> = (next..next + length).map(event).collect();
        store
            .write_blocking(move |tx| executions::append_events(tx, id, &rows))
            .expect("append");
        next += length;
    }
    let read = events(&store, id);
    assert_eq!(read, (1..next).map(event).collect::<Vec<_>>());
}

#[test]
fn a_run_that_fails_part_way_leaves_nothing_of_its_job() {
    let store = store();
    let id = store
        .write_blocking(|tx| {
            let id = executions::insert(tx, &record("dup"))?;
            executions::append_events(tx, id, &[event(1), event(2)])?;
            Ok(id)
        })
        .expect("write");
    // Twenty new events, then event 2 again: the first statement (16 rows) succeeds, a later
    // one fails on the duplicate key.
    let mut rows: Vec<EventRow> = (3..=22).map(event).collect();
    rows.push(event(2));
    let failed = store.write_blocking(move |tx| {
        executions::append_events(tx, id, &rows)?;
        Ok(())
    });
    assert!(
        failed.as_ref().is_err_and(StoreError::is_unique_violation),
        "a duplicate event id must fail its job: {failed:?}"
    );
    assert_eq!(events(&store, id), vec![event(1), event(2)]);
}

/// New executions' ids are given out before their rows are written, and a reopened store
/// goes on past the highest stored one, so an id is never given twice.
#[test]
fn execution_ids_come_first_and_continue_after_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let open = || Store::open(StoreConfig::on_disk(dir.path())).expect("open");
    let store = open();
    let first = store.new_execution_id();
    let second = store.new_execution_id();
    assert_eq!(second, first + 1);
    // The second is written first, the first never (a start that failed leaves a gap).
    let mut later = record("later");
    later.id = second;
    let written = store
        .write_blocking(move |tx| executions::insert(tx, &later))
        .expect("insert");
    assert_eq!(written, second);
    drop(store);
    let store = open();
    assert_eq!(store.new_execution_id(), second + 1);
    let stored = store
        .read_blocking(move |c| executions::get(c, second))
        .expect("read")
        .expect("stored under its given id");
    assert_eq!(stored.name, "later");
}
