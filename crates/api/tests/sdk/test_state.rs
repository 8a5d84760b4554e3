//! `TestState` as AWS has it (2025): a mocked result or error, a state picked out of a whole
//! machine by `stateName`, one attempt with its Retry judged (`RETRIABLE`, the retrier's index
//! and back-off), Catch (`CAUGHT_ERROR`), and DEBUG's inspection data.

use aws_sdk_sfn::types::{
    InspectionLevel, MockErrorOutput, MockInput, TestExecutionStatus, TestStateConfiguration,
};
use serde_json::{json, Value};

use crate::{setup, ROLE};

/// A Task state that retries `Busy` (2 attempts, 3 s then x2) and catches `Declined`.
fn charge() -> String {
    json!({
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Charge",
        "ResultSelector": {"id.$": "$.transactionId"},
        "ResultPath": "$.charge",
        "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 3, "BackoffRate": 2, "MaxAttempts": 2}],
        "Catch": [{"ErrorEquals": ["Declined"], "ResultPath": "$.error", "Next": "Refused"}],
        "Next": "Ship"
    })
    .to_string()
}

fn error(name: &str) -> MockInput {
    MockInput::builder()
        .error_output(
            MockErrorOutput::builder()
                .error(name)
                .cause("mocked")
                .build(),
        )
        .build()
}

#[tokio::test]
async fn a_mocked_result_flows_through_the_state_and_debug_shows_each_step() {
    let (_s, client) = setup().await;
    let r = client
        .test_state()
        .definition(charge())
        .role_arn(ROLE)
        .input(r#"{"order": 1}"#)
        .mock(
            MockInput::builder()
                .result(r#"{"transactionId": "T-1"}"#)
                .build(),
        )
        .inspection_level(InspectionLevel::Debug)
        .send()
        .await
        .expect("TestState");
    assert_eq!(r.status, Some(TestExecutionStatus::Succeeded));
    assert_eq!(r.next_state.as_deref(), Some("Ship"));
    let output: Value = serde_json::from_str(r.output.as_deref().unwrap_or("null")).unwrap();
    assert_eq!(output, json!({"order": 1, "charge": {"id": "T-1"}}));
    let data = r.inspection_data.expect("inspection data");
    let parsed = |v: Option<String>| -> Value {
        serde_json::from_str(&v.unwrap_or_default()).unwrap_or_default()
    };
    assert_eq!(parsed(data.input), json!({"order": 1}));
    assert_eq!(parsed(data.after_input_path), json!({"order": 1}));
    assert_eq!(parsed(data.result), json!({"transactionId": "T-1"}));
    assert_eq!(parsed(data.after_result_selector), json!({"id": "T-1"}));
    assert_eq!(parsed(data.after_result_path), output);
}

#[tokio::test]
async fn a_mocked_error_a_retrier_takes_is_retriable_with_its_backoff() {
    let (_s, client) = setup().await;
    let r = client
        .test_state()
        .definition(charge())
        .role_arn(ROLE)
        .mock(error("Busy"))
        .inspection_level(InspectionLevel::Debug)
        .send()
        .await
        .expect("TestState");
    assert_eq!(r.status, Some(TestExecutionStatus::Retriable));
    assert_eq!(r.error.as_deref(), Some("Busy"));
    let details = r
        .inspection_data
        .and_then(|d| d.error_details)
        .expect("error details");
    assert_eq!(details.retry_index, Some(0));
    assert_eq!(details.retry_backoff_interval_seconds, Some(3));
    // After one retry the back-off doubles; after two, the retrier is spent.
    let after = |count: i32| {
        client
            .test_state()
            .definition(charge())
            .role_arn(ROLE)
            .mock(error("Busy"))
            .state_configuration(
                TestStateConfiguration::builder()
                    .retrier_retry_count(count)
                    .build(),
            )
            .inspection_level(InspectionLevel::Debug)
            .send()
    };
    let one = after(1).await.expect("TestState");
    assert_eq!(
        one.inspection_data
            .and_then(|d| d.error_details)
            .and_then(|d| d.retry_backoff_interval_seconds),
        Some(6)
    );
    let spent = after(2).await.expect("TestState");
    assert_eq!(spent.status, Some(TestExecutionStatus::Failed));
    assert_eq!(spent.error.as_deref(), Some("Busy"));
}

#[tokio::test]
async fn a_mocked_error_a_catcher_takes_goes_to_its_next_state() {
    let (_s, client) = setup().await;
    let r = client
        .test_state()
        .definition(charge())
        .role_arn(ROLE)
        .input(r#"{"order": 2}"#)
        .mock(error("Declined"))
        .send()
        .await
        .expect("TestState");
    assert_eq!(r.status, Some(TestExecutionStatus::CaughtError));
    assert_eq!(r.next_state.as_deref(), Some("Refused"));
    assert_eq!(r.error.as_deref(), Some("Declined"));
    let output: Value = serde_json::from_str(r.output.as_deref().unwrap_or("null")).unwrap();
    assert_eq!(output["error"]["Error"], "Declined");
}

#[tokio::test]
async fn a_state_is_picked_out_of_a_whole_machine_by_name() {
    let (_s, client) = setup().await;
    let machine = json!({"StartAt": "First", "States": {
        "First": {"Type": "Pass", "Next": "Add"},
        "Add": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "End": true}
    }});
    let r = client
        .test_state()
        .definition(machine.to_string())
        .state_name("Add")
        .role_arn(ROLE)
        .input(r#"{"a": 2, "b": 3}"#)
        .send()
        .await
        .expect("TestState");
    assert_eq!(r.status, Some(TestExecutionStatus::Succeeded));
    assert_eq!(r.output.as_deref(), Some(r#"{"sum":5}"#));
    let missing = client
        .test_state()
        .definition(machine.to_string())
        .state_name("Nowhere")
        .role_arn(ROLE)
        .send()
        .await;
    assert!(missing.is_err());
}

#[tokio::test]
async fn a_context_with_a_mock_is_what_the_state_sees_in_dollar_dollar() {
    let (_s, client) = setup().await;
    let state = json!({
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "ResultSelector": {"name.$": "$$.Execution.Name", "start.$": "$$.Execution.StartTime",
                           "machine.$": "$$.StateMachine.Name"},
        "End": true
    });
    let context = json!({"Execution": {"Name": "nightly", "StartTime": "2025-06-01T08:00:00Z"},
                         "StateMachine": {"Name": "Billing"}});
    let r = client
        .test_state()
        .definition(state.to_string())
        .role_arn(ROLE)
        .mock(MockInput::builder().result("{}").build())
        .context(context.to_string())
        .send()
        .await
        .expect("TestState");
    let output: Value = serde_json::from_str(r.output.as_deref().unwrap_or("null")).unwrap();
    assert_eq!(
        output,
        json!({"name": "nightly", "start": "2025-06-01T08:00:00.000Z", "machine": "Billing"})
    );
    // A context without a mock is refused, as AWS does.
    let refused = client
        .test_state()
        .definition(state.to_string())
        .role_arn(ROLE)
        .context(context.to_string())
        .send()
        .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn a_mocked_map_state_takes_the_mock_as_its_result() {
    let (_s, client) = setup().await;
    let map = json!({
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:w", "End": true}}},
        "ResultSelector": {"count.$": "States.ArrayLength($)"},
        "ResultPath": "$.done",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
        "Next": "After"
    });
    let r = client
        .test_state()
        .definition(map.to_string())
        .role_arn(ROLE)
        .input(r#"{"items": [1, 2, 3]}"#)
        .mock(
            MockInput::builder()
                .result(r#"[{"ok": 1}, {"ok": 2}, {"ok": 3}]"#)
                .build(),
        )
        .send()
        .await
        .expect("TestState");
    assert_eq!(r.status, Some(TestExecutionStatus::Succeeded));
    assert_eq!(r.next_state.as_deref(), Some("After"));
    let output: Value = serde_json::from_str(r.output.as_deref().unwrap_or("null")).unwrap();
    assert_eq!(output, json!({"items": [1, 2, 3], "done": {"count": 3}}));
    let failed = client
        .test_state()
        .definition(map.to_string())
        .role_arn(ROLE)
        .input(r#"{"items": [1]}"#)
        .mock(error("States.ExceedToleratedFailureThreshold"))
        .send()
        .await
        .expect("TestState");
    assert_eq!(failed.status, Some(TestExecutionStatus::CaughtError));
    assert_eq!(failed.next_state.as_deref(), Some("Failed"));
}
