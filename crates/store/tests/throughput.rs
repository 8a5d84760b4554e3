//! Measures group commit: events/s for 50,000 one-event appends to histories, each its own
//! `write` job, with synchronous=FULL. Ignored by default; run it in release:
//! `cargo test --release -p switchback-store --test throughput -- --ignored --nocapture`.

use std::time::Instant;

use switchback_store::executions::{self, EventRow};
use switchback_store::{Store, StoreConfig, StoreError, Synchronous};
use switchback_types::EventType;

const EVENTS: i64 = 50_000;

fn insert_event(tx: &switchback_store::Tx<'_>, execution: i64, id: i64) -> Result<(), StoreError> {
    let event = EventRow {
        id,
        previous_id: id - 1,
        timestamp: switchback_store::now_micros(),
        kind: EventType::PassStateEntered,
        details: Some(
            r#"{"name":"Step","input":"{\"order\":42}","inputDetails":{"truncated":false}}"#.into(),
        ),
        lane: 0,
        ordinal: id,
        chunks: Vec::new(),
    };
    executions::append_events(tx, execution, &[event])
}

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(StoreConfig::on_disk(dir.path()).with_synchronous(Synchronous::Full)).expect("open")
}

fn report(label: &str, store: &Store, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{label}: {EVENTS} events in {seconds:.2} s = {:.0} events/s; {} batches, {:.0} jobs per commit",
        EVENTS as f64 / seconds,
        store.batches(),
        store.jobs() as f64 / store.batches().max(1) as f64,
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
async fn events_per_second_all_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir);
    let started = Instant::now();
    let tasks: Vec<_> = (0..EVENTS)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .write(move |tx| insert_event(tx, i % 1_000, i / 1_000 + 1))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("write");
    }
    report("50,000 concurrent jobs", &store, started);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
async fn events_per_second_from_1000_sequential_writers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open(&dir);
    let started = Instant::now();
    let tasks: Vec<_> = (0..1_000)
        .map(|execution| {
            let store = store.clone();
            tokio::spawn(async move {
                for id in 1..=EVENTS / 1_000 {
                    store
                        .write(move |tx| insert_event(tx, execution, id))
                        .await?;
                }
                Ok::<_, StoreError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("writes");
    }
    report("1,000 writers x 50 sequential jobs", &store, started);
}
