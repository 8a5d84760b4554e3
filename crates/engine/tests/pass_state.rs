//! The Pass state: Result, Parameters, ResultPath and OutputPath (JSONPath), Output and Assign
//! (JSONata), and the history it leaves.

mod support;

use support::*;
use switchback_json::json;

#[test]
fn parameters_and_result_path_shape_the_output() {
    let outcome = run(
        json!({
            "StartAt": "P",
            "States": {"P": {
                "Type": "Pass",
                "Parameters": {"b.$": "$.a", "fixed": true},
                "ResultPath": "$.res",
                "End": true
            }}
        }),
        json!({"a": 1}),
    );
    assert_succeeded(&outcome, &json!({"a": 1, "res": {"b": 1, "fixed": true}}));
    assert_eq!(
        types(&outcome),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    // As in AWS, the first state's entry follows no event.
    let prev: Vec<u64> = outcome.events.iter().map(|e| e.previous_event_id).collect();
    assert_eq!(prev, [0, 0, 2, 3]);
}

#[test]
fn result_input_path_and_output_path() {
    let outcome = run(
        json!({
            "StartAt": "P",
            "States": {
                "P": {"Type": "Pass", "Result": {"x": 2}, "ResultPath": "$.r", "OutputPath": "$.r", "Next": "Q"},
                "Q": {"Type": "Pass", "InputPath": "$.x", "End": true}
            }
        }),
        json!({"a": 1}),
    );
    assert_succeeded(&outcome, &json!(2));
    assert_well_linked(&outcome);
    assert_eq!(outcome.events.len(), 6);
}

#[test]
fn jsonata_output_and_assigned_variables() {
    let outcome = run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "First",
            "States": {
                "First": {
                    "Type": "Pass",
                    "Output": "{% $states.input.a + 1 %}",
                    "Assign": {"kept": "{% $states.input.a * 10 %}"},
                    "Next": "Second"
                },
                "Second": {"Type": "Pass", "Output": "{% [$states.input, $kept] %}", "End": true}
            }
        }),
        json!({"a": 4}),
    );
    assert_succeeded(&outcome, &json!([5, 40]));
    assert_well_linked(&outcome);
}

#[test]
fn a_result_path_that_cannot_be_written_fails_the_execution() {
    let outcome = run(
        json!({
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b", "End": true}}
        }),
        json!({"a": 7}),
    );
    let cause = assert_failed(&outcome, "States.Runtime");
    assert!(
        cause.starts_with(
            "An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.a.b' : "
        ),
        "{cause}"
    );
}

#[test]
fn a_failed_jsonata_output_records_evaluation_failed() {
    let outcome = run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Output": "{% $error('boom') %}", "End": true}}
        }),
        json!({}),
    );
    assert_failed(&outcome, "States.QueryEvaluationError");
    assert!(
        types(&outcome).iter().any(|t| t == "EvaluationFailed"),
        "{:?}",
        types(&outcome)
    );
}
