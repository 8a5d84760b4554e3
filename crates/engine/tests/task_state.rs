//! The Task state: each kind of resource is recorded by its own family of events, and a task's
//! result goes through ResultSelector and ResultPath.

mod support;

use support::*;
use switchback_engine::EventKind;
use switchback_json::json;

#[test]
fn a_lambda_function_is_recorded_as_one() {
    let outcome = run_mocked(
        json!({
            "StartAt": "Call",
            "States": {"Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "ResultPath": "$.out",
                "End": true
            }}
        }),
        json!({"in": 1}),
        json!({"Call": {"Return": {"ok": true}}}),
    );
    assert_succeeded(&outcome, &json!({"in": 1, "out": {"ok": true}}));
    assert_eq!(
        types(&outcome),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_well_linked(&outcome);
}

#[test]
fn a_service_integration_is_recorded_as_a_task() {
    let outcome = run_mocked(
        json!({
            "StartAt": "Call",
            "States": {"Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                "ResultSelector": {"value.$": "$.Payload"},
                "End": true
            }}
        }),
        json!({"in": 1}),
        json!({"Call": {"Return": {"Payload": 42, "StatusCode": 200}}}),
    );
    assert_succeeded(&outcome, &json!({"value": 42}));
    assert_eq!(
        types(&outcome),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[test]
fn a_service_integration_names_its_service_and_action_as_aws_does() {
    for (resource, resource_type, action, region) in [
        (
            "arn:aws:states:::sns:publish",
            "sns",
            "publish",
            "us-east-1",
        ),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            "states",
            "startExecution.sync:2",
            "us-east-1",
        ),
        // An SDK integration's type names the SDK's service.
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            "aws-sdk:s3",
            "getObject",
            "us-east-1",
        ),
        (
            "arn:aws:states:eu-west-1:123456789012:sqs:sendMessage",
            "sqs",
            "sendMessage",
            "eu-west-1",
        ),
    ] {
        let outcome = run_mocked(
            json!({
                "StartAt": "Call",
                "States": {"Call": {"Type": "Task", "Resource": resource, "End": true}}
            }),
            json!({}),
            json!({"Call": {"Return": {}}}),
        );
        let scheduled = outcome
            .events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::TaskScheduled {
                    resource, region, ..
                } => Some((
                    resource.resource_type.to_string(),
                    resource.resource.to_string(),
                    region.to_string(),
                )),
                _ => None,
            })
            .expect("a TaskScheduled event");
        assert_eq!(
            scheduled,
            (resource_type.into(), action.into(), region.into()),
            "{resource}"
        );
    }
}

#[test]
fn a_failed_task_fails_the_execution_with_its_error() {
    let outcome = run_mocked(
        json!({
            "StartAt": "Call",
            "States": {"Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"},
                "End": true
            }}
        }),
        json!({}),
        json!({"Call": {"Throw": {"Error": "Lambda.Unknown", "Cause": "it broke"}}}),
    );
    let cause = assert_failed(&outcome, "Lambda.Unknown");
    assert_eq!(cause, "it broke");
    assert_eq!(
        types(&outcome),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "ExecutionFailed"
        ]
    );
}

#[test]
fn a_task_token_is_handed_to_the_parameters() {
    let outcome = run_mocked(
        json!({
            "StartAt": "Call",
            "States": {"Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": true
            }}
        }),
        json!({}),
        json!({"Call": {"Return": "answered"}}),
    );
    assert_succeeded(&outcome, &json!("answered"));
    let token = outcome
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::TaskScheduled { parameters, .. } => parameters.to_value()["MessageBody"]
                ["token"]
                .as_str()
                .map(str::to_string),
            _ => None,
        })
        .expect("the scheduled parameters hold the token");
    assert_eq!(token.len(), 44, "{token}");
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
}
