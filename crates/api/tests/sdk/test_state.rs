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
                           "machine.$": "$$.StateMachine.Name", "whole.$": "$$"},
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
    // `$$` is the context given, whole, as AWS shows it.
    assert_eq!(
        output,
        json!({"name": "nightly", "start": "2025-06-01T08:00:00Z", "machine": "Billing",
               "whole": context})
    );
    let (code, message) = refusal(
        client
            .test_state()
            .definition(state.to_string())
            .mock(MockInput::builder().result("{}").build())
            .context(r#"{"Execution": {"Id": 7}}"#),
    )
    .await;
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "Invalid Context object provided: Execution.Id must be a string"
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

/// The code and message of a refused TestState call.
async fn refusal(
    call: aws_sdk_sfn::operation::test_state::builders::TestStateFluentBuilder,
) -> (String, String) {
    use aws_sdk_sfn::error::ProvideErrorMetadata;
    let e = call.send().await.expect_err("refused");
    let e = e.into_service_error();
    (
        e.code().unwrap_or_default().to_string(),
        e.message().unwrap_or_default().to_string(),
    )
}

fn result(json: &str) -> MockInput {
    MockInput::builder().result(json).build()
}

#[tokio::test]
async fn mocks_are_refused_where_aws_refuses_them() {
    let (_s, client) = setup().await;
    let pass = r#"{"Type": "Pass", "End": true}"#;
    let (code, message) = refusal(client.test_state().definition(pass).mock(result("{}"))).await;
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "State type 'Pass' is not supported when a mock is specified"
    );
    let parallel = json!({"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]})
    .to_string();
    let (code, message) = refusal(client.test_state().definition(&parallel)).await;
    assert_eq!(code, "InvalidDefinition");
    assert!(message.starts_with("TestState API does not support Map or Parallel states"));
    let (_, message) = refusal(
        client
            .test_state()
            .definition(&parallel)
            .mock(result(r#"[{"only": "one"}]"#)),
    )
    .await;
    assert_eq!(
        message,
        "Mocked result must contain the same number of items as number of Parallel branches."
    );
    let both = MockInput::builder()
        .result("{}")
        .error_output(MockErrorOutput::builder().error("E").build())
        .build();
    let (_, message) = refusal(client.test_state().definition(charge()).mock(both)).await;
    assert_eq!(
        message,
        "A test mock should have only one of the following fields: [result, errorOutput]."
    );
    let (_, message) = refusal(
        client
            .test_state()
            .definition(charge())
            .mock(result("{}"))
            .reveal_secrets(true),
    )
    .await;
    assert_eq!(
        message,
        "TestState does not support RevealSecrets when a mock is specified."
    );
}

/// A distributed Map over `$.items` that tolerates one failed iteration, retries a run
/// past that twice, and catches it after.
fn tolerant_map(with_retry: bool) -> String {
    let mut map = json!({
        "Type": "Map",
        "ItemsPath": "$.items",
        "ToleratedFailureCount": 1,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f"}, "QueryLanguage": "JSONata", "End": true}}},
        "Catch": [
            {"ErrorEquals": ["Other"], "Next": "Other"},
            {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "TooMany"}],
        "Next": "Done"
    });
    if with_retry {
        map["Retry"] = json!([
            {"ErrorEquals": ["Other"]},
            {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "IntervalSeconds": 4, "MaxAttempts": 2}]);
    }
    map.to_string()
}

#[tokio::test]
async fn map_iteration_failures_past_the_tolerance_fail_the_map_state() {
    let (_s, client) = setup().await;
    let run = |definition: String, failures: i32| {
        client
            .test_state()
            .definition(definition)
            .input(r#"{"items": ["a", "b", "c"]}"#)
            .mock(result(r#"[1, 2, 3]"#))
            .state_configuration(
                TestStateConfiguration::builder()
                    .map_iteration_failure_count(failures)
                    .build(),
            )
            .inspection_level(InspectionLevel::Debug)
    };
    let within = run(tolerant_map(false), 1).send().await.expect("TestState");
    assert_eq!(within.status, Some(TestExecutionStatus::Succeeded));
    assert_eq!(within.next_state.as_deref(), Some("Done"));
    let data = within.inspection_data.expect("inspection data");
    assert_eq!(data.max_concurrency, Some(0));
    assert_eq!(data.tolerated_failure_count, Some(1));
    assert_eq!(data.after_items_path.as_deref(), Some(r#"["a","b","c"]"#));
    assert!(data.after_parameters.is_none(), "no task ran");

    let caught = run(tolerant_map(false), 2).send().await.expect("TestState");
    assert_eq!(caught.status, Some(TestExecutionStatus::CaughtError));
    assert_eq!(
        caught.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert_eq!(caught.next_state.as_deref(), Some("TooMany"));
    let details = caught
        .inspection_data
        .and_then(|d| d.error_details)
        .expect("error details");
    assert_eq!(details.catch_index, Some(1));

    let retried = run(tolerant_map(true), 2).send().await.expect("TestState");
    assert_eq!(retried.status, Some(TestExecutionStatus::Retriable));
    let details = retried
        .inspection_data
        .and_then(|d| d.error_details)
        .expect("error details");
    assert_eq!(details.retry_index, Some(1));
    assert_eq!(details.retry_backoff_interval_seconds, Some(4));

    let (_, message) = refusal(run(tolerant_map(false), 4)).await;
    assert_eq!(
        message,
        "Map iteration failure count must be less than or equal to the number of Map iterations"
    );
    let (_, message) = refusal(
        client
            .test_state()
            .definition(charge())
            .state_configuration(
                TestStateConfiguration::builder()
                    .map_iteration_failure_count(0)
                    .build(),
            ),
    )
    .await;
    assert_eq!(
        message,
        "TestState does not support MapIterationFailureCount when a mock is not specified."
    );
}

#[tokio::test]
async fn reader_data_counts_the_iterations_and_the_error_comes_from_a_state_inside() {
    let (_s, client) = setup().await;
    let map = json!({
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "b", "Key": "k"}},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Handle", "States": {"Handle": {"Type": "Pass", "End": true}}},
        "End": true
    })
    .to_string();
    let config = |failures: i32, state: &str| {
        TestStateConfiguration::builder()
            .map_iteration_failure_count(failures)
            .error_caused_by_state(state)
            .map_item_reader_data("[1, 2]")
            .build()
    };
    let failed = client
        .test_state()
        .definition(&map)
        .mock(error("Boom"))
        .state_configuration(config(1, "Handle"))
        .send()
        .await
        .expect("TestState");
    assert_eq!(failed.status, Some(TestExecutionStatus::Failed));
    assert_eq!(failed.error.as_deref(), Some("Boom"));
    let (_, message) = refusal(
        client
            .test_state()
            .definition(&map)
            .mock(error("Boom"))
            .state_configuration(config(3, "Handle")),
    )
    .await;
    assert!(message.starts_with("Map iteration failure count must be less than"));
    let (_, message) = refusal(
        client
            .test_state()
            .definition(&map)
            .mock(error("Boom"))
            .state_configuration(config(0, "Elsewhere")),
    )
    .await;
    assert!(message.contains("'Elsewhere'"), "{message}");
}

#[tokio::test]
async fn a_jsonata_task_shows_its_arguments_and_a_spent_retrier() {
    let (_s, client) = setup().await;
    let machine = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Call",
        "States": {"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "f", "Payload": "{% $states.input.n + 1 %}"},
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}],
            "End": true}}
    })
    .to_string();
    let r = client
        .test_state()
        .definition(&machine)
        .state_name("Call")
        .input(r#"{"n": 41}"#)
        .mock(error("Busy"))
        .state_configuration(
            TestStateConfiguration::builder()
                .retrier_retry_count(2)
                .build(),
        )
        .inspection_level(InspectionLevel::Debug)
        .send()
        .await
        .expect("TestState");
    assert_eq!(r.status, Some(TestExecutionStatus::Failed));
    let data = r.inspection_data.expect("inspection data");
    let arguments: Value =
        serde_json::from_str(data.after_arguments.as_deref().unwrap_or("null")).unwrap();
    assert_eq!(arguments, json!({"FunctionName": "f", "Payload": 42}));
    let details = data.error_details.expect("error details");
    assert_eq!(details.retry_index, Some(0));
    assert_eq!(details.retry_backoff_interval_seconds, None);
}

#[tokio::test]
async fn a_mocked_result_is_checked_against_the_api_model_as_aws_checks_it() {
    use aws_sdk_sfn::types::MockResponseValidationMode as Mode;
    let (_s, client) = setup().await;
    let start = json!({"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
        "Arguments": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"},
        "QueryLanguage": "JSONata", "End": true})
    .to_string();
    let mock = |result: &str, mode: Option<Mode>| {
        MockInput::builder()
            .result(result)
            .set_field_validation_mode(mode)
            .build()
    };
    let call = |result: &str, mode: Option<Mode>| {
        client
            .test_state()
            .definition(&start)
            .mock(mock(result, mode))
    };
    let (code, message) = refusal(call("{}", None)).await;
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "Mock result schema validation error: Required field 'ExecutionArn' is missing"
    );
    let present = call("{}", Some(Mode::Present))
        .send()
        .await
        .expect("TestState");
    assert_eq!(present.status, Some(TestExecutionStatus::Succeeded));
    let (_, message) = refusal(call(
        r#"{"ExecutionArn": "arn", "StartDate": true}"#,
        Some(Mode::Present),
    ))
    .await;
    assert_eq!(
        message,
        "Mock result schema validation error: Field 'StartDate' must be a string"
    );
    let none = call(r#"{"StartDate": true}"#, Some(Mode::None))
        .send()
        .await
        .expect("TestState");
    assert_eq!(none.status, Some(TestExecutionStatus::Succeeded));
    let good = call(
        r#"{"ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e", "StartDate": "2025-01-01T00:00:00Z", "Extra": 1}"#,
        None,
    )
    .send()
    .await
    .expect("TestState");
    assert_eq!(good.status, Some(TestExecutionStatus::Succeeded));

    let invoke = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"}, "End": true})
    .to_string();
    let (_, message) = refusal(
        client
            .test_state()
            .definition(&invoke)
            .mock(mock(r#"{"StatusCode": "200"}"#, None)),
    )
    .await;
    assert_eq!(
        message,
        "Mock result schema validation error: Field 'StatusCode' must be a number"
    );
}

#[tokio::test]
async fn variables_given_are_seen_and_debug_shows_them_after_the_state() {
    let (_s, client) = setup().await;
    let state = json!({
        "Type": "Pass", "QueryLanguage": "JSONata",
        "Output": "{% $customer & ' ordered ' & $states.input.sku %}",
        "Assign": {"orders": "{% $orders + 1 %}"},
        "Next": "Ship"
    })
    .to_string();
    let r = client
        .test_state()
        .definition(state)
        .input(r#"{"sku": "W-1"}"#)
        .variables(r#"{"customer": "Ana", "orders": 2}"#)
        .inspection_level(InspectionLevel::Debug)
        .send()
        .await
        .expect("TestState");
    assert_eq!(r.status, Some(TestExecutionStatus::Succeeded));
    assert_eq!(r.output.as_deref(), Some(r#""Ana ordered W-1""#));
    let after: Value = serde_json::from_str(
        &r.inspection_data
            .and_then(|d| d.variables)
            .expect("variables"),
    )
    .unwrap();
    assert_eq!(after, json!({"customer": "Ana", "orders": 3}));
}

#[tokio::test]
async fn a_mocked_parallel_state_takes_one_result_per_branch() {
    let (_s, client) = setup().await;
    let parallel = json!({"Type": "Parallel", "ResultPath": "$.branches", "Next": "After",
        "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]})
    .to_string();
    let r = client
        .test_state()
        .definition(parallel)
        .input(r#"{"order": 7}"#)
        .mock(result(r#"[{"a": 1}, {"b": 2}]"#))
        .inspection_level(InspectionLevel::Debug)
        .send()
        .await
        .expect("TestState");
    assert_eq!(r.status, Some(TestExecutionStatus::Succeeded));
    assert_eq!(r.next_state.as_deref(), Some("After"));
    let output: Value = serde_json::from_str(r.output.as_deref().unwrap_or("null")).unwrap();
    assert_eq!(
        output,
        json!({"order": 7, "branches": [{"a": 1}, {"b": 2}]})
    );
    let data = r.inspection_data.expect("inspection data");
    assert!(
        data.after_parameters.is_none() && data.result.is_none(),
        "no task ran"
    );
}
