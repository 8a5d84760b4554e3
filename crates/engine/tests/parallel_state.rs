//! The Parallel state: every branch gets the input, the output is their outputs in order, and
//! one failing branch fails the state.

mod support;

use support::*;
use switchback_json::json;

#[test]
fn the_output_is_the_branch_outputs_in_order() {
    let outcome = run(
        json!({
            "StartAt": "Both",
            "States": {"Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"a.$": "$.x"}, "End": true}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 5, "Next": "C"}, "C": {"Type": "Pass", "Result": "b", "End": true}}}
                ],
                "End": true
            }}
        }),
        json!({"x": 1}),
    );
    assert_succeeded(&outcome, &json!([{"a": 1}, "b"]));
    let kinds = types(&outcome);
    assert_eq!(kinds[1], "ParallelStateEntered");
    assert_eq!(kinds[2], "ParallelStateStarted");
    assert_eq!(kinds[kinds.len() - 3], "ParallelStateSucceeded");
    assert_eq!(kinds[kinds.len() - 2], "ParallelStateExited");
    assert_eq!(kinds.iter().filter(|t| *t == "PassStateEntered").count(), 2);
    assert_well_linked(&outcome);
}

#[test]
fn a_failing_branch_fails_the_state() {
    let outcome = run(
        json!({
            "StartAt": "Both",
            "States": {"Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Fail", "Error": "Branch.Failed", "Cause": "b"}}}
                ],
                "End": true
            }}
        }),
        json!({}),
    );
    let cause = assert_failed(&outcome, "Branch.Failed");
    assert_eq!(cause, "b");
    let kinds = types(&outcome);
    assert!(
        kinds.iter().any(|t| t == "ParallelStateFailed"),
        "{kinds:?}"
    );
    assert!(!kinds.iter().any(|t| t == "ParallelStateExited"));
}

#[test]
fn branches_see_the_variables_of_their_scope() {
    let outcome = run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "Set",
            "States": {
                "Set": {"Type": "Pass", "Assign": {"outer": 7}, "Next": "Both"},
                "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $outer %}", "End": true}}},
                        {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": "{% $outer + 1 %}", "End": true}}}
                    ],
                    "End": true
                }
            }
        }),
        json!({}),
    );
    assert_succeeded(&outcome, &json!([7, 8]));
}
