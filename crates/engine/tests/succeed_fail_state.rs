//! The terminal states: Succeed ends with its output, Fail with its error and cause.

mod support;

use support::*;
use switchback_json::json;

#[test]
fn succeed_ends_with_its_output_path() {
    let outcome = run(
        json!({
            "StartAt": "Done",
            "States": {"Done": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}}
        }),
        json!({"a": {"b": "kept"}}),
    );
    assert_succeeded(&outcome, &json!("kept"));
    assert_eq!(
        types(&outcome),
        [
            "ExecutionStarted",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[test]
fn fail_ends_with_its_error_and_cause_and_no_exit() {
    let outcome = run(
        json!({
            "StartAt": "Bad",
            "States": {"Bad": {"Type": "Fail", "Error": "Custom.Error", "Cause": "it went wrong"}}
        }),
        json!({}),
    );
    let cause = assert_failed(&outcome, "Custom.Error");
    assert_eq!(cause, "it went wrong");
    assert_eq!(
        types(&outcome),
        ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    );
    assert_well_linked(&outcome);
}

#[test]
fn fail_takes_its_error_and_cause_from_the_input() {
    let outcome = run(
        json!({
            "StartAt": "Bad",
            "States": {"Bad": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}}
        }),
        json!({"e": "From.Input", "c": {"n": 1}}),
    );
    let cause = assert_failed(&outcome, "From.Input");
    assert_eq!(cause, r#"{"n":1}"#);
}

#[test]
fn a_missing_error_path_is_a_runtime_failure() {
    let outcome = run(
        json!({
            "StartAt": "Bad",
            "States": {"Bad": {"Type": "Fail", "ErrorPath": "$.missing"}}
        }),
        json!({"e": 1}),
    );
    let cause = assert_failed(&outcome, "States.Runtime");
    assert!(
        cause.contains(
            "The JSONPath '$.missing' specified for the field 'ErrorPath' could not be found in the input '{\"e\":1}'"
        ),
        "{cause}"
    );
}
