//! Resuming by replay: an execution cut off after any of its events and run again with its
//! journal ends with the same history as an uninterrupted run, without repeating an event, and
//! a task that was scheduled but not finished is dispatched again with the same idempotency key.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use jiff::{SignedDuration, Timestamp};
use switchback_engine::context::ExecutionInfo;
use switchback_engine::driver::DriverFuture;
use switchback_engine::interpreter::Interpreter;
use switchback_engine::task::{TaskOutcome, TaskRequest};
use switchback_engine::{Driver, Event, Journal, Limits, Place, Recorded};
use switchback_json::json;

/// A clock that jumps to each deadline, and tasks that answer at once (failing on their
/// first attempt, so retries happen).
struct TestDriver {
    now: Cell<Timestamp>,
    dispatched: RefCell<Vec<(String, Arc<str>)>>,
}

impl Driver for TestDriver {
    fn now(&self) -> Timestamp {
        let t = self.now.get() + SignedDuration::from_millis(1);
        self.now.set(t);
        t
    }
    fn sleep_until(&self, deadline: Timestamp) -> DriverFuture<'_, ()> {
        if deadline > self.now.get() {
            self.now.set(deadline);
        }
        Box::pin(async {})
    }
    fn random_u64(&self) -> u64 {
        42
    }
    fn invoke(&self, request: TaskRequest) -> DriverFuture<'_, TaskOutcome> {
        self.dispatched.borrow_mut().push((
            request.state_name.to_string(),
            request.idempotency_key.clone(),
        ));
        let outcome = if request.attempt == 0 {
            TaskOutcome::Failed {
                error: "Flaky".into(),
                cause: "first try".into(),
            }
        } else {
            TaskOutcome::Succeeded(serde_json::json!({"done": request.state_name.to_string()}))
        };
        Box::pin(async move { outcome })
    }
}

/// A journal in memory: what an earlier run recorded, and what this run appends.
#[derive(Default)]
struct MemoryJournal {
    recorded: HashMap<Place, Recorded>,
    appended: RefCell<Vec<(Event, Place)>>,
}

impl Journal for MemoryJournal {
    fn recorded(&self, place: Place) -> Option<Recorded> {
        self.recorded.get(&place).cloned()
    }
    fn append(&self, event: &Event, place: Place) {
        self.appended.borrow_mut().push((event.clone(), place));
    }
}

fn machine() -> switchback_asl::StateMachine {
    let def = json!({
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Pass", "Next": "Work"},
            "Work": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                "ResultPath": "$.work", "Next": "Fan"
            },
            "Fan": {
                "Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.fan", "Next": "Both",
                "ItemProcessor": {"StartAt": "Item", "States": {
                    "Item": {"Type": "Wait", "Seconds": 2, "Next": "Id"},
                    "Id": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "End": true}
                }}
            },
            "Both": {
                "Type": "Parallel", "ResultPath": "$.both", "End": true,
                "Branches": [
                    {"StartAt": "L", "States": {"L": {"Type": "Wait", "Seconds": 5, "End": true}}},
                    {"StartAt": "R", "States": {"R": {
                        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1}], "End": true}}}
                ]
            }
        }
    });
    switchback_asl::load::load_document(&def.to_serde()).expect("valid definition")
}

fn info() -> ExecutionInfo {
    ExecutionInfo {
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
        name: "e".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
        state_machine_name: "m".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        start_time: Timestamp::from_second(1_700_000_000).unwrap(),
        input: json!({"items": [1, 2, 3]}),
        region: "us-east-1".into(),
        redrive_count: Some(0),
        given: None,
    }
}

/// Runs the execution with `journal` to its end.
fn run(journal: &MemoryJournal, recorded_events: u64) -> TestDriver {
    let machine = machine();
    let driver = TestDriver {
        now: Cell::new(Timestamp::from_second(1_700_000_000).unwrap()),
        dispatched: RefCell::new(Vec::new()),
    };
    {
        let interpreter = Interpreter::new(&machine, &driver, info(), Limits::default())
            .with_seed(7)
            .with_journal(journal, recorded_events);
        let mut run = std::pin::pin!(interpreter.run());
        let mut cx = Context::from_waker(futures::task::noop_waker_ref());
        assert!(matches!(run.as_mut().poll(&mut cx), Poll::Ready(())));
    }
    driver
}

fn kinds(events: &[(Event, Place)]) -> Vec<String> {
    events
        .iter()
        .map(|(e, _)| e.kind.event_type().to_string())
        .collect()
}

#[test]
fn a_run_cut_after_any_event_resumes_to_the_same_history() {
    let full = MemoryJournal::default();
    let first = run(&full, 0);
    let original = full.appended.into_inner();
    let original_output = original
        .last()
        .map(|(e, _)| e.to_aws_json()["executionSucceededEventDetails"]["output"].clone());
    assert_eq!(
        original
            .last()
            .map(|(e, _)| e.kind.event_type().to_string()),
        Some("ExecutionSucceeded".into())
    );
    for cut in 1..original.len() {
        let journal = MemoryJournal {
            recorded: original[..cut]
                .iter()
                .map(|(e, p)| {
                    (
                        *p,
                        Recorded {
                            id: e.id,
                            timestamp: e.timestamp,
                            task_outcome: task_outcome(e),
                        },
                    )
                })
                .collect(),
            appended: RefCell::new(Vec::new()),
        };
        let resumed = run(&journal, cut as u64);
        let mut combined: Vec<(Event, Place)> = original[..cut].to_vec();
        combined.extend(journal.appended.into_inner());
        let ids: Vec<u64> = combined.iter().map(|(e, _)| e.id).collect();
        assert_eq!(
            ids,
            (1..=combined.len() as u64).collect::<Vec<_>>(),
            "cut after {cut}: ids must run 1..n"
        );
        let mut places: Vec<Place> = combined.iter().map(|(_, p)| *p).collect();
        places.sort_by_key(|p| (p.lane, p.ordinal));
        places.dedup();
        assert_eq!(
            places.len(),
            combined.len(),
            "cut after {cut}: an event was repeated"
        );
        let mut expected = kinds(&original);
        let mut got = kinds(&combined);
        expected.sort();
        got.sort();
        assert_eq!(
            got, expected,
            "cut after {cut}: the same events, in any interleaving"
        );
        let output = combined
            .last()
            .map(|(e, _)| e.to_aws_json()["executionSucceededEventDetails"]["output"].clone());
        assert_eq!(
            output, original_output,
            "cut after {cut}: the same output (UUIDs included)"
        );
        // Every task the resumed run dispatched was one the first run dispatched, by key.
        for (state, key) in resumed.dispatched.borrow().iter() {
            assert!(
                first
                    .dispatched
                    .borrow()
                    .iter()
                    .any(|(s, k)| s == state && k == key),
                "cut after {cut}: {state} dispatched with a new key {key}"
            );
        }
    }
}

fn task_outcome(e: &Event) -> Option<TaskOutcome> {
    use switchback_engine::EventKind as K;
    match &e.kind {
        K::TaskSucceeded { output, .. } => Some(TaskOutcome::Succeeded(output.to_value())),
        K::TaskFailed { error, cause, .. } => Some(TaskOutcome::Failed {
            error: error.clone().unwrap_or_default(),
            cause: cause.clone().unwrap_or_default(),
        }),
        K::TaskTimedOut { .. } => Some(TaskOutcome::TimedOut),
        _ => None,
    }
}
