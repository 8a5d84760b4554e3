//! Appending history events: runs of any length go in as one row each and read back as
//! written, in order, whole or in pages that start and end inside runs; a run that does not
//! continue the history fails its job and leaves nothing of it behind.

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

/// The rows of `event_runs` as (execution, first event, last event), in order.
fn stored_runs(store: &Store) -> Vec<(i64, i64, i64)> {
    store
        .read_blocking(|c| {
            let mut stmt = c.sql().prepare(
                "SELECT execution_id, first_id, last_id FROM event_runs \
                 ORDER BY execution_id, first_id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .expect("runs")
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

/// A commit of thousands of events (an inline Map's) is stored as runs of at most 100 events,
/// and a run is closed early once its details reach 64 KB, so reading one event never unpacks
/// the whole commit.
#[test]
fn a_large_commit_is_stored_as_bounded_runs() {
    let store = store();
    let mut rows: Vec<EventRow> = (1..=250).map(event).collect();
    // Events 3 and 4 carry 40 KB each: the run closes after event 4.
    for e in &mut rows[2..4] {
        e.details = Some(format!(r#"{{"s":"{}"}}"#, "x".repeat(40 * 1024)));
    }
    let written = rows.clone();
    let id = store
        .write_blocking(move |tx| {
            let id = executions::insert(tx, &record("large"))?;
            executions::append_events(tx, id, &written)?;
            Ok(id)
        })
        .expect("write");
    assert_eq!(
        stored_runs(&store),
        vec![(id, 1, 4), (id, 5, 104), (id, 105, 204), (id, 205, 250)]
    );
    assert_eq!(events(&store, id), rows);
    let one = store
        .read_blocking(move |c| executions::events_page(c, id, Some(149), 1, false))
        .expect("page");
    assert_eq!(one, vec![rows[149].clone()]);
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
fn a_run_that_does_not_continue_the_history_fails_its_job_and_leaves_nothing() {
    let store = store();
    let id = store
        .write_blocking(|tx| {
            let id = executions::insert(tx, &record("dup"))?;
            executions::append_events(tx, id, &[event(1), event(2)])?;
            Ok(id)
        })
        .expect("write");
    let bad_runs: [Vec<i64>; 4] = [
        vec![2, 3, 4],    // repeats the last stored event
        vec![1, 2],       // the same commit applied twice
        vec![4, 5],       // skips event 3
        vec![3, 4, 4, 5], // repeats an event inside the run
    ];
    for bad in bad_runs {
        let rows: Vec<EventRow> = bad.iter().copied().map(event).collect();
        let failed = store.write_blocking(move |tx| {
            // Something else the job wrote, to see it rolled back with the run.
            executions::insert(tx, &record(&format!("other-{}", rows.len())))?;
            executions::append_events(tx, id, &rows)?;
            Ok(())
        });
        assert!(
            matches!(failed, Err(StoreError::Conflict(_))),
            "{bad:?} must fail its job: {failed:?}"
        );
        assert_eq!(events(&store, id), vec![event(1), event(2)], "{bad:?}");
    }
    for length in [2, 3, 4] {
        let arn = format!("arn:aws:states:us-east-1:123456789012:execution:m:other-{length}");
        let other = store
            .read_blocking(move |c| executions::id_of(c, &arn))
            .expect("read");
        assert_eq!(other, None, "the failed jobs' other writes are rolled back");
    }
    store
        .write_blocking(move |tx| executions::append_events(tx, id, &[event(3)]))
        .expect("the next event still goes in");
    assert_eq!(events(&store, id), (1..=3).map(event).collect::<Vec<_>>());
}

#[test]
fn pages_start_and_end_inside_runs() {
    let store = store();
    let id = store
        .write_blocking(|tx| executions::insert(tx, &record("pages")))
        .expect("insert");
    // Runs of 1..=7 events: 1, 2-3, 4-6, 7-10, ...
    let mut next = 1;
    for length in 1..=7_i64 {
        let rows: Vec<EventRow> = (next..next + length).map(event).collect();
        store
            .write_blocking(move |tx| executions::append_events(tx, id, &rows))
            .expect("append");
        next += length;
    }
    let last = next - 1;
    let page = |after: Option<i64>, limit: usize, reverse: bool| {
        store
            .read_blocking(move |c| executions::events_page(c, id, after, limit, reverse))
            .expect("page")
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    for after in 0..=last {
        for limit in [1, 2, 5, 100] {
            let forward: Vec<i64> = (after + 1..=last).take(limit).collect();
            assert_eq!(
                page(Some(after), limit, false),
                forward,
                "after {after}, {limit}"
            );
            let backward: Vec<i64> = (1..after + 1).rev().take(limit).collect();
            assert_eq!(
                page(Some(after + 1), limit, true),
                backward,
                "before {}, {limit}",
                after + 1
            );
        }
    }
    assert_eq!(page(None, 3, false), vec![1, 2, 3]);
    assert_eq!(page(None, 3, true), vec![last, last - 1, last - 2]);
    let last_id = store
        .read_blocking(move |c| executions::last_event_id(c, id))
        .expect("last id");
    assert_eq!(last_id, last);
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

/// A database written before histories were stored in runs (schema version 4, one row per
/// event) is moved into runs when it is opened: every history reads back as it was, in runs
/// of at most 100 events, and appends continue it.
#[test]
fn histories_of_an_older_database_are_moved_into_runs() {
    use switchback_store::migrations::{latest_version, Migration, MIGRATIONS};
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(switchback_store::DATABASE_FILE);
    // Executions 1 and 2 with 250 and 3 events, and execution 3 with none.
    let lengths = [(1_i64, 250_i64), (2, 3), (3, 0)];
    {
        let conn = rusqlite::Connection::open(&file).expect("create");
        for (version, migration) in MIGRATIONS.iter().filter(|(v, _)| *v <= 4) {
            let Migration::Sql(sql) = migration else {
                panic!("migration {version} is SQL");
            };
            conn.execute_batch(sql).expect("old schema");
        }
        conn.pragma_update(None, "user_version", 4)
            .expect("version");
        let mut insert = conn
            .prepare(
                "INSERT INTO events (execution_id, id, previous_id, timestamp, type, details, \
                 lane, ordinal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .expect("prepare");
        for (execution, length) in lengths {
            for e in (1..=length).map(event) {
                insert
                    .execute(rusqlite::params![
                        execution,
                        e.id,
                        e.previous_id,
                        e.timestamp,
                        e.kind.as_str(),
                        e.details,
                        e.lane,
                        e.ordinal
                    ])
                    .expect("old event");
            }
        }
    }
    let store = Store::open(StoreConfig::on_disk(dir.path())).expect("open migrates");
    let version = store
        .read_blocking(switchback_store::migrations::current_version)
        .expect("version");
    assert_eq!(version, latest_version());
    for (execution, length) in lengths {
        assert_eq!(
            events(&store, execution),
            (1..=length).map(event).collect::<Vec<_>>(),
            "execution {execution}"
        );
    }
    assert_eq!(
        stored_runs(&store),
        vec![(1, 1, 100), (1, 101, 200), (1, 201, 250), (2, 1, 3)]
    );
    let page = store
        .read_blocking(|c| executions::events_page(c, 1, Some(150), 2, false))
        .expect("page");
    assert_eq!(page, vec![event(151), event(152)]);
    store
        .write_blocking(|tx| executions::append_events(tx, 2, &[event(4)]))
        .expect("appends continue a moved history");
    assert_eq!(events(&store, 2), (1..=4).map(event).collect::<Vec<_>>());
}
