//! One test per rule: the fault's code, path and (where AWS's wording is known) message.

use serde_json::{json, Value};
use switchback_validate::{invalid_definition_message, validate, Fault};

fn faults(v: Value) -> Vec<Fault> {
    validate(&v)
}

fn has(fs: &[Fault], code: &str, path: &str) -> bool {
    fs.iter().any(|f| f.code == code && f.path == path)
}

fn pass_end() -> Value {
    json!({"Type": "Pass", "End": true})
}

#[test]
fn minimal_machine_is_valid() {
    assert!(faults(json!({"StartAt": "A", "States": {"A": pass_end()}})).is_empty());
}

#[test]
fn top_level_fields() {
    let fs = faults(json!({"States": {"A": pass_end()}, "Bogus": 1, "QueryLanguage": "X"}));
    assert!(fs
        .iter()
        .any(|f| f.message == "These fields are required: [StartAt]"));
    assert!(fs
        .iter()
        .any(|f| f.message == "Field 'Bogus' is not supported"));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/QueryLanguage"));
    assert!(!faults(json!(null)).is_empty());
}

#[test]
fn missing_target_and_unreachable() {
    let fs = faults(json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "Nope"},
        "B": pass_end(),
    }}));
    let f = fs
        .iter()
        .find(|f| f.path == "/States/A/Next")
        .expect("dangling Next");
    assert_eq!(f.code, "MISSING_TRANSITION_TARGET");
    assert_eq!(f.message, "Missing 'Next' target: Nope");
    let u = fs
        .iter()
        .find(|f| f.path == "/States/B")
        .expect("unreachable");
    assert_eq!(u.code, "MISSING_TRANSITION_TARGET");
    assert_eq!(u.message, "State \"B\" is not reachable.");
}

#[test]
fn no_terminal_state() {
    let fs = faults(json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}));
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].code, "MISSING_END_STATE");
    assert_eq!(fs[0].path, "");
    assert_eq!(
        invalid_definition_message(&fs),
        "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state'"
    );
}

#[test]
fn message_shape() {
    let fs = vec![
        Fault {
            path: "/States/pass1/Next".into(),
            code: "MISSING_TRANSITION_TARGET".into(),
            message: "Missing 'Next' target: pass3".into(),
        },
        Fault {
            path: "/States/pass2".into(),
            code: "MISSING_TRANSITION_TARGET".into(),
            message: "State \"pass2\" is not reachable.".into(),
        },
    ];
    assert_eq!(
        invalid_definition_message(&fs),
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State \"pass2\" is not reachable. at /States/pass2'"
    );
}

#[test]
fn state_shape() {
    let fs = faults(json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B", "End": true, "TimeoutSeconds": 3},
        "B": {"Type": "Bogus"},
        "C": {"Type": "Succeed", "Next": "A"},
    }}));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/A" && f.message == "Field 'TimeoutSeconds' is not supported"));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/States/B/Type"));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/C" && f.message == "Field 'Next' is not supported"));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/A" && f.message.contains("Only one of 'Next' or 'End'")));
}

#[test]
fn duplicate_names_across_scopes_and_long_names() {
    let long = "x".repeat(81);
    let fs = faults(json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": long.clone(), "Branches": [
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}
        ]},
        long.clone(): pass_end(),
    }}));
    assert!(has(
        &fs,
        "DUPLICATE_STATE_NAME",
        "/States/P/Branches[0]/States/P"
    ));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        &format!("/States/{long}")
    ));
}

#[test]
fn nested_scopes_cannot_leave() {
    let fs = faults(json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "Next": "F", "ItemProcessor": {"StartAt": "X", "States": {
            "X": {"Type": "Pass", "Next": "F"}, "Y": pass_end()}}},
        "F": pass_end(),
    }}));
    assert!(has(
        &fs,
        "MISSING_TRANSITION_TARGET",
        "/States/M/ItemProcessor/States/X/Next"
    ));
}

#[test]
fn choice_rules() {
    let fs = faults(json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Default": "D", "Choices": [
            {"Variable": "$.a", "StringEquals": 1, "Next": "D"},
            {"Variable": "$.a", "NumericEquals": 1, "IsNull": true, "Next": "D"},
            {"And": [], "Next": "D"},
            {"Not": {"Variable": "$.a", "BooleanEquals": true, "Next": "D"}, "Next": "D"},
            {"Variable": "$.a", "TimestampEquals": "yesterday", "Next": "D"},
            {"Variable": "$.a", "IsPresent": true},
            {"Variable": "$.a", "StringEqualsPath": "nope", "Next": "D"},
        ]},
        "D": pass_end(),
    }}));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices[0]/StringEquals"
    ));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[1]"));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices[2]/And"
    ));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/C/Choices[3]/Not"
            && f.message == "Field 'Next' is not supported"));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices[4]/TimestampEquals"
    ));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/C/Choices[5]" && f.message.contains("[Next]")));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices[6]/StringEqualsPath"
    ));
}

#[test]
fn retry_and_catch() {
    let fs = faults(json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
            "Retry": [
                {"ErrorEquals": ["States.ALL"]},
                {"ErrorEquals": ["X", "States.ALL"], "IntervalSeconds": 0, "BackoffRate": 0.5,
                 "MaxAttempts": -1, "JitterStrategy": "PARTIAL"},
            ],
            "Catch": [{"ErrorEquals": []}]},
    }}));
    for p in [
        "/States/T/Retry[0]",
        "/States/T/Retry[1]/ErrorEquals",
        "/States/T/Retry[1]/IntervalSeconds",
        "/States/T/Retry[1]/BackoffRate",
        "/States/T/Retry[1]/MaxAttempts",
        "/States/T/Retry[1]/JitterStrategy",
        "/States/T/Catch[0]",
        "/States/T/Catch[0]/ErrorEquals",
    ] {
        assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", p), "{p}: {fs:?}");
    }
}

#[test]
fn task_and_wait_fields() {
    let fs = faults(json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "foo:bar", "Next": "W", "TimeoutSeconds": 5,
              "HeartbeatSeconds": 5, "TimeoutSecondsPath": "$.t"},
        "W": {"Type": "Wait", "Seconds": -1, "Timestamp": "2016-03-14", "End": true},
    }}));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/States/T/Resource"));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/T/HeartbeatSeconds"
    ));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/T" && f.message.contains("TimeoutSecondsPath")));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/States/W/Seconds"));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/States/W/Timestamp"));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/W" && f.message.contains("Only one of")));
}

#[test]
fn paths_and_templates() {
    let fs = faults(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "End": true, "InputPath": "bad", "ResultPath": "$$.x",
              "Parameters": {"a.$": 3, "b": {"c.$": "nope", "c": 1}, "d": [{"e.$": "$.ok"}]}},
    }}));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/States/P/InputPath"));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/States/P/ResultPath"));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/P/Parameters/a.$"
    ));
    assert!(
        fs.iter()
            .filter(|f| f.path == "/States/P/Parameters/b/c.$")
            .count()
            == 2
    );
    assert!(!fs.iter().any(|f| f.path.contains("/d")));
}

#[test]
fn query_language_rules() {
    let fs = faults(
        json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
            "P": {"Type": "Pass", "Next": "Q", "InputPath": "$", "Output": "{% $states.input %}"},
            "Q": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true},
        }}),
    );
    assert!(fs.iter().any(|f| f.path == "/States/P" && f.message ==
        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage"));
    assert!(fs.iter().any(|f| {
        f.path == "/States/Q" && f.message ==
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"
    }));
    let fs = faults(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "End": true, "Output": 1}}}));
    assert!(fs.iter().any(|f| f.message ==
        "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage"));
}

#[test]
fn jsonata_choice_and_fields() {
    let ok = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "W"}], "Default": "W"},
        "W": {"Type": "Wait", "Seconds": "{% 1 %}", "End": true},
    }});
    assert!(faults(ok).is_empty());
    let fs = faults(
        json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "W"}]},
            "W": {"Type": "Pass", "End": true},
        }}),
    );
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/C/Choices[0]" && f.message.contains("field 'Variable'")));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/C/Choices[0]" && f.message.contains("[Condition]")));
}

#[test]
fn jsonata_parse_errors_are_reported() {
    let fs = faults(
        json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "End": true, "Output": {"v": "{% 1 + %}"}}}}),
    );
    assert!(has(&fs, "INVALID_JSONATA_EXPRESSION", "/States/P/Output/v"));
}

#[test]
fn intrinsics_are_checked() {
    let fs = faults(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "End": true, "Parameters": {
            "ok.$": "States.Format('{}', $.a)", "bad.$": "States.Nope($.a)"}}}}));
    assert_eq!(fs.len(), 1, "{fs:?}");
    assert_eq!(fs[0].path, "/States/P/Parameters/bad.$");
}

#[test]
fn assign_names() {
    let fs = faults(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "End": true, "Assign": {"ok": 1, "x.$": "$.a", "1bad": 2,
              "states": 3, "y.$": "nope"}}}}));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/P/Assign/1bad"
    ));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/P/Assign/states"
    ));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/States/P/Assign/y.$"));
    assert_eq!(fs.len(), 3, "{fs:?}");
}

#[test]
fn map_fields() {
    let fs = faults(json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "End": true, "MaxConcurrency": -1, "ToleratedFailurePercentage": 101,
              "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "X",
                  "States": {"X": {"Type": "Pass", "End": true}}},
              "ItemBatcher": {"MaxItemsPerBatch": 2, "MaxItemsPerBatchPath": "$.n"}},
        "N": {"Type": "Map", "End": true},
    }}));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/M/MaxConcurrency"
    ));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/M/ToleratedFailurePercentage"
    ));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/M/ItemProcessor/ProcessorConfig"
    ));
    assert!(has(
        &fs,
        "SCHEMA_VALIDATION_FAILED",
        "/States/M/ItemBatcher"
    ));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/N" && f.message.contains("ItemProcessor")));
}

#[test]
fn fail_fields() {
    let fs = faults(json!({"StartAt": "F", "States": {
        "F": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e", "Cause": 3}}}));
    assert!(fs
        .iter()
        .any(|f| f.path == "/States/F" && f.message.contains("Only one of")));
    assert!(has(&fs, "SCHEMA_VALIDATION_FAILED", "/States/F/Cause"));
}
