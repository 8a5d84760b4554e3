//! Retry and Catch: a failure is retried by the first matching retrier until its attempts run
//! out, then caught by the first matching catcher, or it fails the execution.

mod support;

use support::*;
use switchback_engine::history::EventType;
use switchback_json::{json, Json};

fn definition(max_attempts: u32) -> Json {
    json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"},
                "Retry": [
                    {"ErrorEquals": ["Other.Error"], "MaxAttempts": 5},
                    {"ErrorEquals": ["Flaky.Error"], "IntervalSeconds": 2, "MaxAttempts": max_attempts, "BackoffRate": 2.0}
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Handled"}],
                "End": true
            },
            "Handled": {"Type": "Pass", "End": true}
        }
    })
}

fn flaky_then_ok() -> Json {
    json!({"Call": [
        {"Throw": {"Error": "Flaky.Error", "Cause": "once"}},
        {"Throw": {"Error": "Flaky.Error", "Cause": "twice"}},
        {"Return": "done"}
    ]})
}

#[test]
fn a_retried_task_succeeds_after_its_back_off() {
    let outcome = run_mocked(definition(2), json!({}), flaky_then_ok());
    assert_succeeded(&outcome, &json!("done"));
    let kinds = types(&outcome);
    assert_eq!(kinds.iter().filter(|t| *t == "TaskScheduled").count(), 3);
    assert_eq!(kinds.iter().filter(|t| *t == "TaskFailed").count(), 2);
    assert_well_linked(&outcome);
    // Back-offs of 2 then 4 seconds, on the virtual clock.
    let scheduled: Vec<_> = outcome
        .events
        .iter()
        .filter(|e| e.kind.event_type() == EventType::TaskScheduled)
        .map(|e| e.timestamp)
        .collect();
    assert!((scheduled[1] - scheduled[0]).get_seconds() >= 2);
    assert!((scheduled[2] - scheduled[1]).get_seconds() >= 4);
}

#[test]
fn a_failure_past_its_retries_is_caught() {
    let outcome = run_mocked(definition(1), json!({"in": 1}), flaky_then_ok());
    assert_succeeded(
        &outcome,
        &json!({"in": 1, "caught": {"Error": "Flaky.Error", "Cause": "twice"}}),
    );
    let kinds = types(&outcome);
    assert_eq!(kinds.iter().filter(|t| *t == "TaskScheduled").count(), 2);
    assert!(kinds.iter().any(|t| t == "TaskStateExited"));
    assert!(kinds.iter().any(|t| t == "PassStateEntered"));
}

#[test]
fn an_uncaught_failure_fails_the_execution() {
    let mut definition = definition(0);
    definition["States"]["Call"]
        .as_object_mut()
        .unwrap()
        .remove("Catch");
    definition["States"]
        .as_object_mut()
        .unwrap()
        .remove("Handled");
    let outcome = run_mocked(definition, json!({}), flaky_then_ok());
    let cause = assert_failed(&outcome, "Flaky.Error");
    assert_eq!(cause, "once");
}

#[test]
fn a_fail_state_error_is_caught_by_its_name_in_a_parallel() {
    let outcome = run(
        json!({
            "StartAt": "Both",
            "States": {
                "Both": {
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "Bad", "States": {"Bad": {"Type": "Fail", "Error": "My.Error", "Cause": "c"}}}],
                    "Catch": [{"ErrorEquals": ["My.Error"], "Next": "Handled"}],
                    "End": true
                },
                "Handled": {"Type": "Pass", "End": true}
            }
        }),
        json!({}),
    );
    assert_succeeded(&outcome, &json!({"Error": "My.Error", "Cause": "c"}));
    assert!(types(&outcome).iter().any(|t| t == "ParallelStateFailed"));
}
