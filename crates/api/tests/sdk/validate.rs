//! ValidateStateMachineDefinition.

use aws_sdk_sfn::types::{
    StateMachineType, ValidateStateMachineDefinitionResultCode as ResultCode,
    ValidateStateMachineDefinitionSeverity as Severity,
};

use crate::{setup, PASS};

#[tokio::test]
async fn valid_and_invalid_definitions() {
    let (_s, client) = setup().await;
    let ok = client
        .validate_state_machine_definition()
        .definition(PASS)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.result, ResultCode::Ok);
    assert!(ok.diagnostics.is_empty());
    assert_eq!(ok.truncated, Some(false));

    let broken = r#"{"StartAt":"A","States":{"A":{"Type":"Task","Next":"Nowhere"}}}"#;
    let bad = client
        .validate_state_machine_definition()
        .definition(broken)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.result, ResultCode::Fail);
    let found: Vec<(String, Option<String>)> = bad
        .diagnostics
        .iter()
        .map(|d| (d.code.clone(), d.location.clone()))
        .collect();
    assert!(
        found.contains(&(
            "MISSING_TRANSITION_TARGET".to_string(),
            Some("/States/A/Next".to_string())
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "SCHEMA_VALIDATION_FAILED".to_string(),
            Some("/States/A".to_string())
        )),
        "{found:?}"
    );
    assert!(bad
        .diagnostics
        .iter()
        .all(|d| d.severity == Severity::Error));

    // maxResults truncates.
    let one = client
        .validate_state_machine_definition()
        .definition(broken)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(one.diagnostics.len(), 1);
    assert_eq!(one.truncated, Some(true));

    let root = client
        .validate_state_machine_definition()
        .definition("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(root.diagnostics[0].location.as_deref(), Some("/"));
    // AWS lists them as [States, StartAt]; the order is the validator's.
    assert!(root.diagnostics[0]
        .message
        .starts_with("These fields are required: ["));

    let not_json = client
        .validate_state_machine_definition()
        .definition("not a definition")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
}

#[tokio::test]
async fn express_rules() {
    let (_s, client) = setup().await;
    let callback = r#"{"StartAt":"T","States":{"T":{"Type":"Task",
        "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#;
    let standard = client
        .validate_state_machine_definition()
        .definition(callback)
        .r#type(StateMachineType::Standard)
        .send()
        .await
        .unwrap();
    assert_eq!(standard.result, ResultCode::Ok);
    let express = client
        .validate_state_machine_definition()
        .definition(callback)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap();
    assert_eq!(express.result, ResultCode::Fail);
    assert_eq!(
        express.diagnostics[0].location.as_deref(),
        Some("/States/T/Resource")
    );
}

#[tokio::test]
async fn warnings_come_with_severity_warning_and_leave_the_result_ok() {
    let (_s, client) = setup().await;
    let definition = r#"{"StartAt":"P","States":{
        "P":{"Type":"Pass","Result":{"x.$":"$.a"},"Next":"C"},
        "C":{"Type":"Choice","Choices":[{"Variable":"$.a","StringEquals":"$.b","Next":"T"}],"Default":"T"},
        "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Parameters":{"id":"$.orderId"},"End":true}}}"#;
    // By default (severity ERROR) only errors are listed.
    let errors_only = client
        .validate_state_machine_definition()
        .definition(definition)
        .send()
        .await
        .unwrap();
    assert_eq!(errors_only.result, ResultCode::Ok);
    assert!(errors_only.diagnostics.is_empty());
    let with_warnings = client
        .validate_state_machine_definition()
        .definition(definition)
        .severity(Severity::Warning)
        .send()
        .await
        .unwrap();
    assert_eq!(with_warnings.result, ResultCode::Ok);
    let mut found: Vec<(String, String)> = with_warnings
        .diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d.severity, Severity::Warning);
            (d.code.clone(), d.location.clone().unwrap_or_default())
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "NO_DOLLAR".to_string(),
                "/States/T/Parameters/id".to_string()
            ),
            ("NO_PATH".into(), "/States/C/Choices[0]/StringEquals".into()),
            ("PASS_RESULT_IS_STATIC".into(), "/States/P/Result".into()),
        ]
    );
}
