//! Standard executions through the runtime and a real SQLite store: they run to their end,
//! park while they wait, survive a restart mid-flight, and can be stopped.

use std::time::{Duration, Instant};
use switchback_types::EventType;
use switchback_types::ExecutionStatus;
use switchback_types::StateEvent;

use serde_json::{json, Value};
use switchback_runtime::{Runtime, RuntimeConfig, StartRequest};
use switchback_store::executions::{self, EventRow, ExecutionRecord};
use switchback_store::{Store, StoreConfig, Synchronous};

fn open(dir: &std::path::Path) -> Store {
    Store::open(StoreConfig::on_disk(dir).with_synchronous(Synchronous::Normal)).expect("store")
}

fn config() -> RuntimeConfig {
    RuntimeConfig {
        workers: 2,
        park_after: Duration::from_millis(300),
        ..RuntimeConfig::default()
    }
}

fn request(definition: &Value, name: &str, input: Value) -> StartRequest {
    StartRequest {
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:test".into(),
        version_arn: None,
        alias_arn: None,
        definition: definition.to_string(),
        role_arn: "arn:aws:iam::123456789012:role/test".into(),
        revision_id: None,
        name: name.into(),
        input: input.to_string(),
        input_value: None,
        trace_header: None,
        parent_id: None,
        mock_test_case: None,
    }
}

async fn record(store: &Store, arn: &str) -> ExecutionRecord {
    let arn = arn.to_string();
    store
        .read(move |c| executions::get_by_arn(c, &arn))
        .await
        .expect("read")
        .expect("execution exists")
}

async fn history(store: &Store, id: i64) -> Vec<EventRow> {
    store
        .read(move |c| executions::events(c, id))
        .await
        .expect("events")
}

async fn wait_closed(store: &Store, arn: &str, limit: Duration) -> ExecutionRecord {
    let deadline = Instant::now() + limit;
    loop {
        let r = record(store, arn).await;
        if r.status != ExecutionStatus::Running {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "{arn} still RUNNING after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Ids 1..n, each previous id earlier, one start and one end, no state entered twice in the
/// same place.
fn assert_sound(events: &[EventRow]) {
    for (i, e) in events.iter().enumerate() {
        assert_eq!(
            e.id,
            i as i64 + 1,
            "ids must be 1..n without gaps: {events:#?}"
        );
        assert!(e.previous_id < e.id);
    }
    let starts = events
        .iter()
        .filter(|e| e.kind == EventType::ExecutionStarted)
        .count();
    assert_eq!(starts, 1);
    let mut places = std::collections::HashSet::new();
    for e in events.iter().filter(|e| e.ordinal != i64::from(u32::MAX)) {
        assert!(
            places.insert((e.lane, e.ordinal)),
            "two events at one place: {e:?}"
        );
    }
}

fn machine() -> Value {
    json!({
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": [1, 2, 3], "ResultPath": "$.items", "Next": "Fan out"},
            "Fan out": {
                "Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.mapped",
                "ItemProcessor": {"StartAt": "Double", "States": {
                    "Double": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($, $)"}, "Next": "Nap"},
                    "Nap": {"Type": "Wait", "Seconds": 1, "End": true}
                }},
                "Next": "Both"
            },
            "Both": {
                "Type": "Parallel", "ResultPath": "$.both", "Next": "Long wait",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": true}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Wait", "SecondsPath": "$.wait", "End": true}}}
                ]
            },
            "Long wait": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Done"},
            "Done": {"Type": "Succeed"}
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_execution_runs_to_its_end_with_a_sound_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let started = runtime
        .start_execution(request(&machine(), "one", json!({"wait": 1})))
        .await
        .unwrap();
    let done = wait_closed(&store, &started.execution_arn, Duration::from_secs(20)).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded, "{done:?}");
    let output: Value = serde_json::from_str(done.output.as_deref().unwrap()).unwrap();
    assert_eq!(output["mapped"], json!([{"v": 2}, {"v": 4}, {"v": 6}]));
    assert_eq!(
        output["both"],
        json!(["a", {"wait": 1, "items": [1, 2, 3], "mapped": [{"v": 2}, {"v": 4}, {"v": 6}]}])
    );
    let events = history(&store, done.id).await;
    assert_sound(&events);
    assert_eq!(events.last().unwrap().kind, EventType::ExecutionSucceeded);
    runtime.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_name_and_input_while_running_is_the_same_execution() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let def = machine();
    let a = runtime
        .start_execution(request(&def, "same", json!({"wait": 2})))
        .await
        .unwrap();
    let b = runtime
        .start_execution(request(&def, "same", json!({"wait": 2})))
        .await
        .unwrap();
    assert_eq!(a.execution_arn, b.execution_arn);
    assert_eq!(a.start_date, b.start_date);
    let other = runtime
        .start_execution(request(&def, "same", json!({"wait": 3})))
        .await;
    assert!(matches!(
        other,
        Err(switchback_runtime::RuntimeError::ExecutionAlreadyExists(_))
    ));
    runtime.shutdown();
}

/// How many executions the store holds.
async fn stored_executions(store: &Store) -> i64 {
    let counts = store.read(executions::counts_by_status).await.unwrap();
    counts.iter().map(|(_, _, n)| n).sum()
}

fn pass_chain() -> Value {
    json!({
        "StartAt": "One",
        "States": {
            "One": {"Type": "Pass", "Result": 1, "ResultPath": "$.one", "Next": "Two"},
            "Two": {"Type": "Pass", "Result": 2, "ResultPath": "$.two", "End": true}
        }
    })
}

/// A new execution runs up to its first commit before its start is answered, and that commit
/// writes its row, `ExecutionStarted` and what it did: an execution that never waits is over,
/// its whole history stored, when `StartExecution` returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_execution_is_over_when_its_start_returns() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let started = runtime
        .start_execution(request(&pass_chain(), "short", json!({"n": 0})))
        .await
        .unwrap();
    let done = record(&store, &started.execution_arn).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    assert_eq!(done.start_date, started.start_date);
    assert!(done.stop_date.is_some_and(|stop| stop >= done.start_date));
    assert_eq!(done.wake_at, None);
    let output: Value = serde_json::from_str(done.output.as_deref().unwrap()).unwrap();
    assert_eq!(output, json!({"n": 0, "one": 1, "two": 2}));
    let events = history(&store, done.id).await;
    assert_sound(&events);
    assert_eq!(events.len(), 6, "{events:#?}");
    assert_eq!(events[5].kind, EventType::ExecutionSucceeded);

    // The same name again: the execution is closed, so the start fails and writes nothing.
    let again = runtime
        .start_execution(request(&pass_chain(), "short", json!({"n": 0})))
        .await;
    assert!(
        matches!(
            again,
            Err(switchback_runtime::RuntimeError::ExecutionAlreadyExists(_))
        ),
        "{again:?}"
    );
    assert_eq!(history(&store, done.id).await.len(), 6);
    assert_eq!(stored_executions(&store).await, 1);
    runtime.shutdown();
}

/// The first commit can be made by a step that is then cancelled: here a branch commits as
/// it begins to wait, and is cancelled when its sibling fails. The start is answered anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_is_answered_when_the_step_that_stored_it_is_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let def = json!({
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 5, "End": true}}},
                    {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom"}}}
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": true
            },
            "Caught": {"Type": "Pass", "End": true}
        }
    });
    let started = runtime
        .start_execution(request(&def, "cancelled", json!({})))
        .await
        .expect("the start is answered");
    let done = wait_closed(&store, &started.execution_arn, Duration::from_secs(30)).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    let events = history(&store, done.id).await;
    assert_sound(&events);
    assert_eq!(events.last().unwrap().kind, EventType::ExecutionSucceeded);
    runtime.shutdown();
}

/// Two starts of one name and input at once, both run before either is stored: one execution,
/// and both are answered with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_starts_of_one_name_give_one_execution() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let def = machine();
    let (a, b) = tokio::join!(
        runtime.start_execution(request(&def, "twice", json!({"wait": 2}))),
        runtime.start_execution(request(&def, "twice", json!({"wait": 2}))),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.execution_arn, b.execution_arn);
    assert_eq!(a.start_date, b.start_date);
    let done = wait_closed(&store, &a.execution_arn, Duration::from_secs(30)).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    assert_sound(&history(&store, done.id).await);
    assert_eq!(stored_executions(&store).await, 1);
    runtime.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_survive_a_restart_in_the_middle() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let def = machine();
    let mut arns = Vec::new();
    for i in 0..20 {
        let s = runtime
            .start_execution(request(&def, &format!("e{i}"), json!({"wait": 2})))
            .await
            .unwrap();
        arns.push(s.execution_arn);
    }
    // Let them get into the map's waits and the long wait, then stop the server.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    runtime.shutdown();
    let mut running = 0;
    for arn in &arns {
        if record(&store, arn).await.status == ExecutionStatus::Running {
            running += 1;
        }
    }
    assert!(running > 0, "no execution was still running at the restart");
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    for arn in &arns {
        let done = wait_closed(&store, arn, Duration::from_secs(30)).await;
        assert_eq!(done.status, ExecutionStatus::Succeeded, "{done:?}");
        let events = history(&store, done.id).await;
        assert_sound(&events);
        let entered = |name: &str| {
            events
                .iter()
                .filter(|e| {
                    e.kind
                        .state_event()
                        .is_some_and(|s| matches!(s, StateEvent::Entered(_)))
                        && e.details
                            .as_deref()
                            .is_some_and(|d| d.contains(&format!("\"name\":\"{name}\"")))
                })
                .count()
        };
        assert_eq!(entered("Prepare"), 1);
        assert_eq!(entered("Double"), 3);
        assert_eq!(entered("Nap"), 3);
        assert_eq!(entered("Long wait"), 1);
    }
    runtime.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_execution_leaves_memory_and_wakes_on_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": true}}});
    let started = Instant::now();
    let s = runtime
        .start_execution(request(&def, "parks", json!({})))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let parked = record(&store, &s.execution_arn).await;
    assert!(
        parked.wake_at.is_some(),
        "the execution did not park: {parked:?}"
    );
    let done = wait_closed(&store, &s.execution_arn, Duration::from_secs(10)).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_sound(&history(&store, done.id).await);
    runtime.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_execution_aborts_running_and_parked_executions() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let def =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}});
    let a = runtime
        .start_execution(request(&def, "a", json!({})))
        .await
        .unwrap();
    runtime
        .stop_execution(&a.execution_arn, Some("Err".into()), Some("because".into()))
        .await
        .unwrap();
    let r = record(&store, &a.execution_arn).await;
    assert_eq!(
        (r.status.as_str(), r.error.as_deref(), r.cause.as_deref()),
        ("ABORTED", Some("Err"), Some("because"))
    );
    let events = history(&store, r.id).await;
    assert_sound(&events);
    assert_eq!(events.last().unwrap().kind, EventType::ExecutionAborted);
    // A parked one (out of memory).
    let b = runtime
        .start_execution(request(&def, "b", json!({})))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(record(&store, &b.execution_arn).await.wake_at.is_some());
    runtime
        .stop_execution(&b.execution_arn, None, None)
        .await
        .unwrap();
    let r = record(&store, &b.execution_arn).await;
    assert_eq!(r.status, ExecutionStatus::Aborted);
    let events = history(&store, r.id).await;
    assert_sound(&events);
    assert_eq!(events.last().unwrap().kind, EventType::ExecutionAborted);
    runtime.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_executions_past_their_retention_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(
        store.clone(),
        RuntimeConfig {
            retention: Duration::from_millis(200),
            ..config()
        },
    )
    .unwrap();
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let done = runtime
        .start_execution(request(&def, "old", json!({})))
        .await
        .unwrap();
    let kept = runtime
        .start_execution(request(&json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}}), "running", json!({})))
        .await
        .unwrap();
    let closed = wait_closed(&store, &done.execution_arn, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    runtime.sweep_retention();
    let arn = done.execution_arn.clone();
    assert!(store
        .read(move |c| executions::get_by_arn(c, &arn))
        .await
        .unwrap()
        .is_none());
    assert!(
        history(&store, closed.id).await.is_empty(),
        "its events went too"
    );
    assert_eq!(
        record(&store, &kept.execution_arn).await.status,
        ExecutionStatus::Running
    );
    runtime.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_past_its_timeout_seconds_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let def = json!({"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": true}}});
    let s = runtime
        .start_execution(request(&def, "late", json!({})))
        .await
        .unwrap();
    let done = wait_closed(&store, &s.execution_arn, Duration::from_secs(10)).await;
    assert_eq!(done.status, ExecutionStatus::TimedOut);
    assert_eq!(done.error.as_deref(), Some("States.Timeout"));
    let events = history(&store, done.id).await;
    assert_sound(&events);
    assert_eq!(events.last().unwrap().kind, EventType::ExecutionTimedOut);
    runtime.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_payload_survives_a_restart_and_reads_back_whole() {
    // Large enough to be stored apart from the events (the store's payloads), carried through
    // a Wait across a restart.
    let records: Vec<Value> = (0..400)
        .map(|i| json!({"id": i, "text": format!("record {i} \"quoted\" \\ \u{1}")}))
        .collect();
    let payload = json!({"records": records});
    let def = json!({
        "StartAt": "Before",
        "States": {
            "Before": {"Type": "Pass", "Parameters": {"payload.$": "$.payload", "step": 0}, "Next": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": 2, "Next": "After"},
            "After": {"Type": "Pass", "Parameters": {"payload.$": "$.payload", "step": 1}, "End": true}
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let started = runtime
        .start_execution(request(&def, "large", json!({"payload": payload})))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    runtime.shutdown();
    assert_eq!(
        record(&store, &started.execution_arn).await.status,
        ExecutionStatus::Running,
        "the restart must come in the middle"
    );
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let done = wait_closed(&store, &started.execution_arn, Duration::from_secs(30)).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded, "{done:?}");
    let output: Value = serde_json::from_str(done.output.as_deref().unwrap()).unwrap();
    assert_eq!(output, json!({"payload": payload, "step": 1}));
    let events = history(&store, done.id).await;
    assert_sound(&events);
    let mut carried = 0;
    for event in &events {
        let details: Value =
            serde_json::from_str(event.details.as_deref().unwrap_or("{}")).unwrap();
        for detail in details.as_object().into_iter().flat_map(|d| d.values()) {
            for field in ["input", "output"] {
                if let Some(text) = detail.get(field).and_then(Value::as_str) {
                    let value: Value = serde_json::from_str(text).unwrap();
                    assert_eq!(value["payload"], payload, "event {}", event.id);
                    carried += 1;
                }
            }
        }
    }
    // ExecutionStarted, three states entered and exited, ExecutionSucceeded.
    assert_eq!(carried, 8);
    runtime.shutdown();
}

/// The length of the `input` column of an execution's row, as stored.
fn stored_input_length(store: &Store, arn: &str) -> i64 {
    let arn = arn.to_string();
    store
        .read_blocking(move |c| {
            Ok(c.sql().query_row(
                "SELECT length(input) FROM executions WHERE arn = ?1",
                [&arn],
                |r| r.get(0),
            )?)
        })
        .expect("the row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_input_is_stored_once_and_reads_back_as_sent() {
    let items: Vec<Value> = (0..300)
        .map(|i| json!({"id": i, "text": format!("item {i} \"quoted\" é \u{1}")}))
        .collect();
    let value = json!({"items": items});
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    // Compact text (what SDKs send for a serialised object): the row refers to the chunks of
    // `ExecutionStarted`, and the input reads back as it was sent.
    let compact = serde_json::to_string(&value).unwrap();
    let mut once = request(&def, "compact", Value::Null);
    once.input = compact.clone();
    let started = runtime.start_execution(once.clone()).await.unwrap();
    let done = wait_closed(&store, &started.execution_arn, Duration::from_secs(30)).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded, "{done:?}");
    assert_eq!(done.input, compact);
    let stored = stored_input_length(&store, &started.execution_arn);
    assert!(
        stored * 10 < compact.len() as i64,
        "{stored} bytes in the row for a {}-byte input",
        compact.len()
    );
    // Any other spacing is kept as sent, byte for byte.
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    let mut spaced = request(&def, "spaced", Value::Null);
    spaced.input = pretty.clone();
    let started = runtime.start_execution(spaced).await.unwrap();
    let done = wait_closed(&store, &started.execution_arn, Duration::from_secs(30)).await;
    assert_eq!(done.input, pretty);
    assert_eq!(
        stored_input_length(&store, &started.execution_arn),
        pretty.chars().count() as i64
    );
    runtime.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_again_with_the_same_large_input_while_running_gives_the_same_execution() {
    let items: Vec<Value> = (0..300)
        .map(|i| json!({"id": i, "pad": "x".repeat(20)}))
        .collect();
    let def = json!({
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 30, "End": true}}
    });
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let runtime = Runtime::start(store.clone(), config()).unwrap();
    let first = request(&def, "same", json!({"items": items}));
    let started = runtime.start_execution(first.clone()).await.unwrap();
    let again = runtime.start_execution(first.clone()).await.unwrap();
    assert_eq!(again.execution_arn, started.execution_arn);
    assert_eq!(again.start_date, started.start_date);
    // A different input under the same name is refused.
    let mut other = first;
    other.input = json!({"items": []}).to_string();
    assert!(runtime.start_execution(other).await.is_err());
    runtime.shutdown();
}
