//! The Pass state: Result, Parameters, ResultPath and OutputPath (JSONPath), Output and Assign
//! (JSONata), and the history it leaves.

mod support;

use support::*;
use switchback_engine::history::Payload;
use switchback_json::{json, Json};

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

/// The data flow copies nothing it does not change: a large part of the input that every
/// state's `Parameters` carries on is the same allocation in the output and in every event,
/// however many states it went through.
#[test]
fn a_payload_carried_through_states_is_shared_not_copied() {
    let records: Vec<Json> = (0..2000)
        .map(|i| json!({"id": format!("r-{i}"), "text": "some words of text"}))
        .collect();
    let mut input = json!({"payload": {}});
    input["payload"]["records"] = Json::from(records);
    let states: Vec<(String, Json)> = (0..5)
        .map(|i| {
            let next = if i < 4 {
                json!({"Next": format!("S{}", i + 1)})
            } else {
                json!({"End": true})
            };
            let mut state =
                json!({"Type": "Pass", "Parameters": {"payload.$": "$.payload", "step": i}});
            for (k, v) in next.as_object().unwrap().iter() {
                state[k.as_str()] = v.clone();
            }
            (format!("S{i}"), state)
        })
        .collect();
    let mut definition = json!({"StartAt": "S0", "States": {}});
    for (name, state) in states {
        definition["States"][name.as_str()] = state;
    }
    let outcome = run(definition, input.clone());
    let output = outcome.output.as_ref().expect("an output");
    assert_eq!(output["step"], json!(4));
    assert!(
        output["payload"].ptr_eq(&input["payload"]),
        "the payload was copied"
    );
    let carried = outcome
        .events
        .iter()
        .filter_map(|e| e.kind.payload())
        .filter(|p| matches!(p, Payload::Value(v) if v.get("payload").is_some_and(|x| x.ptr_eq(&input["payload"]))))
        .count();
    // ExecutionStarted, each state's entered and exited events, and ExecutionSucceeded.
    assert_eq!(carried, 1 + 5 * 2 + 1);
}
