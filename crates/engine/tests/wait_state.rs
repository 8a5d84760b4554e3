//! The Wait state: waits pass on the virtual clock (the history shows the time pass), and a
//! bad SecondsPath or TimestampPath fails the execution with AWS's cause.

mod support;

use support::*;
use switchback_json::json;

#[test]
fn an_hour_passes_on_the_virtual_clock() {
    let started = std::time::Instant::now();
    let outcome = run(
        json!({
            "StartAt": "Hold",
            "States": {"Hold": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}
        }),
        json!({"s": 3600}),
    );
    assert_succeeded(&outcome, &json!({"s": 3600}));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(
        types(&outcome),
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "ExecutionSucceeded"
        ]
    );
    let waited = outcome.events[2].timestamp - outcome.events[1].timestamp;
    assert!(
        waited.get_seconds() >= 3600,
        "the exit follows the entry by the wait: {waited:?}"
    );
}

#[test]
fn a_timestamp_in_the_past_does_not_wait() {
    let outcome = run(
        json!({
            "StartAt": "Hold",
            "States": {"Hold": {"Type": "Wait", "Timestamp": "2000-01-01T00:00:00Z", "End": true}}
        }),
        json!({"a": 1}),
    );
    assert_succeeded(&outcome, &json!({"a": 1}));
}

#[test]
fn a_negative_seconds_path_fails() {
    let outcome = run(
        json!({
            "StartAt": "Hold",
            "States": {"Hold": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}
        }),
        json!({"s": -1}),
    );
    let cause = assert_failed(&outcome, "States.Runtime");
    assert!(
        cause.ends_with("The SecondsPath parameter references a negative value: $.s == -1"),
        "{cause}"
    );
}

#[test]
fn an_invalid_timestamp_path_fails() {
    let outcome = run(
        json!({
            "StartAt": "Hold",
            "States": {"Hold": {"Type": "Wait", "TimestampPath": "$.t", "End": true}}
        }),
        json!({"t": "tomorrow"}),
    );
    let cause = assert_failed(&outcome, "States.Runtime");
    assert!(
        cause.ends_with(
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == tomorrow"
        ),
        "{cause}"
    );
}
