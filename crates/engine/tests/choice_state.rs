//! The Choice state: the first matching rule picks the next state, else the default, else
//! `States.NoChoiceMatched`.

mod support;

use support::*;
use switchback_json::{json, Json};

fn definition() -> Json {
    json!({
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                    {"And": [
                        {"Variable": "$.n", "NumericGreaterThanEquals": 0},
                        {"Variable": "$.kind", "StringEquals": "small"}
                    ], "Next": "Small"}
                ],
                "Default": "Other"
            },
            "Big": {"Type": "Pass", "Result": "big", "End": true},
            "Small": {"Type": "Pass", "Result": "small", "End": true},
            "Other": {"Type": "Pass", "Result": "other", "End": true}
        }
    })
}

#[test]
fn the_first_matching_rule_wins() {
    let outcome = run(definition(), json!({"n": 11, "kind": "small"}));
    assert_succeeded(&outcome, &json!("big"));
    assert_eq!(
        types(&outcome),
        [
            "ExecutionStarted",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_well_linked(&outcome);
    let outcome = run(definition(), json!({"n": 3, "kind": "small"}));
    assert_succeeded(&outcome, &json!("small"));
}

#[test]
fn the_default_when_nothing_matches() {
    let outcome = run(definition(), json!({"n": 3, "kind": "large"}));
    assert_succeeded(&outcome, &json!("other"));
}

#[test]
fn no_match_and_no_default_fails() {
    let outcome = run(
        json!({
            "StartAt": "Pick",
            "States": {
                "Pick": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]
                },
                "One": {"Type": "Succeed"}
            }
        }),
        json!({"n": 2}),
    );
    let cause = assert_failed(&outcome, "States.NoChoiceMatched");
    assert_eq!(cause, "No Matches!");
    assert!(!types(&outcome).iter().any(|t| t == "ChoiceStateExited"));
}

#[test]
fn jsonata_conditions_outputs_and_assignments() {
    let outcome = run(
        json!({
            "QueryLanguage": "JSONata",
            "StartAt": "Pick",
            "States": {
                "Pick": {
                    "Type": "Choice",
                    "Choices": [{
                        "Condition": "{% $states.input.n > 1 %}",
                        "Output": "{% $states.input.n * 2 %}",
                        "Assign": {"seen": "{% $states.input.n %}"},
                        "Next": "Report"
                    }],
                    "Default": "Report"
                },
                "Report": {"Type": "Pass", "Output": "{% [$states.input, $seen] %}", "End": true}
            }
        }),
        json!({"n": 5}),
    );
    assert_succeeded(&outcome, &json!([10, 5]));
}
