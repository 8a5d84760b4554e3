//! `call` from the kinds of runtime that Switchback's server and CLI use, `handles`, and the
//! resources that are not run here.

use serde_json::json;
use switchback_engine::task::{Resource, TaskPhase};
use switchback_integrations::Integrations;

use crate::common::{failed, integrations, script, succeeded, task};

const ECHO: &str = "#!/bin/sh\ncat\n";

fn echo() -> (tempfile::TempDir, Integrations) {
    let dir = tempfile::tempdir().unwrap();
    script(dir.path(), "echo.sh", ECHO);
    let integrations = integrations("[functions.echo]\ncommand = [\"./echo.sh\"]", dir.path());
    (dir, integrations)
}

const ECHO_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:echo";

#[test]
fn calls_work_from_a_current_thread_runtime_with_a_local_set() {
    let (_dir, integrations) = echo();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    let result = local.block_on(&runtime, async {
        // Spawned locally, as the server's workers do.
        let call = integrations.call(&task(ECHO_ARN, json!({"from": "local"})));
        tokio::task::spawn_local(call).await.unwrap()
    });
    assert_eq!(succeeded(result), json!({"from": "local"}));
    // The caller's runtime can stop while the integrations go on.
    drop(runtime);
    let again = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = again.block_on(integrations.call(&task(ECHO_ARN, json!(2))));
    assert_eq!(succeeded(result), json!(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_work_from_a_multi_thread_runtime_and_in_parallel() {
    let (_dir, integrations) = echo();
    let calls: Vec<_> = (0..8)
        .map(|i| tokio::spawn(integrations.call(&task(ECHO_ARN, json!({"i": i})))))
        .collect();
    for (i, call) in calls.into_iter().enumerate() {
        assert_eq!(succeeded(call.await.unwrap()), json!({"i": i}));
    }
}

#[test]
fn the_last_clone_can_be_dropped_inside_a_runtime() {
    let (_dir, integrations) = echo();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let clone = integrations.clone();
        drop(integrations);
        let result = clone.call(&task(ECHO_ARN, json!("x"))).await;
        assert_eq!(succeeded(result), json!("x"));
        drop(clone); // must not panic ("cannot drop a runtime in an async context")
    });
}

#[test]
fn handles_everything_but_activities_and_nested_executions() {
    for resource in [
        "arn:aws:lambda:us-east-1:123456789012:function:f",
        "arn:aws:lambda:us-east-1:123456789012:function:f:live",
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::http:invoke",
        "arn:aws:states:::sqs:sendMessage",
        "arn:aws:states:::sns:publish",
        "arn:aws:states:::dynamodb:putItem",
        "arn:aws:states:::events:putEvents",
        "arn:aws:states:::aws-sdk:s3:getObject",
    ] {
        assert!(
            Integrations::handles(&Resource::parse(resource)),
            "{resource}"
        );
    }
    for resource in [
        "arn:aws:states:us-east-1:123456789012:activity:approve",
        "arn:aws:states:::states:startExecution",
        "arn:aws:states:::states:startExecution.sync",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::states:startExecution.waitForTaskToken",
    ] {
        assert!(
            !Integrations::handles(&Resource::parse(resource)),
            "{resource}"
        );
    }
}

#[tokio::test]
async fn aws_services_not_called_yet_fail_with_how_to_mock_them() {
    let (_dir, integrations) = echo();
    for resource in [
        "arn:aws:states:::sns:publishBatch",
        "arn:aws:states:::eks:runJob",
    ] {
        let request = task(resource, json!({"TopicArn": "t"}));
        let (error, cause) = failed(integrations.call(&request).await);
        assert_eq!(error, "States.TaskFailed");
        assert!(cause.contains(resource), "{cause}");
        assert!(cause.contains("--mock FILE"), "{cause}");
        assert!(cause.contains("--mock-config FILE"), "{cause}");
        assert_eq!(
            switchback_integrations::unsupported_service(&request),
            switchback_engine::task::TaskOutcome::Failed { error, cause }
        );
    }
}

/// Safe by default: with no `[aws]` endpoint and no AWS_ENDPOINT_URL, a Task on a service
/// Switchback calls sends nothing and says what to configure (and that mocks still work).
#[tokio::test]
async fn aws_services_are_not_called_unless_configured() {
    if std::env::vars().any(|(k, _)| k.starts_with("AWS_ENDPOINT_URL")) {
        eprintln!("SKIPPED: an AWS_ENDPOINT_URL variable is set in this environment");
        return;
    }
    let (_dir, integrations) = echo();
    for (resource, key) in [
        ("arn:aws:states:::sqs:sendMessage", "sqs"),
        ("arn:aws:states:::dynamodb:putItem", "dynamodb"),
        ("arn:aws:states:::events:putEvents", "eventbridge"),
        ("arn:aws:states:::sns:publish", "sns"),
        ("arn:aws:states:::aws-sdk:s3:getObject", "s3"),
        (
            "arn:aws:states:::aws-sdk:secretsmanager:listSecrets",
            "secrets_manager",
        ),
        ("arn:aws:states:::apigateway:invoke", "execute_api"),
    ] {
        let request = task(resource, json!({"QueueUrl": "q"}));
        let (error, cause) = failed(integrations.call(&request).await);
        assert_eq!(error, "States.TaskFailed");
        assert!(cause.contains(resource), "{cause}");
        assert!(cause.contains("[aws] endpoint_url"), "{cause}");
        assert!(
            cause.contains(&format!("[aws.services.{key}] endpoint_url")),
            "{cause}"
        );
        assert!(cause.contains("AWS_ENDPOINT_URL"), "{cause}");
        assert!(cause.contains("[aws] enabled = true"), "{cause}");
        assert!(cause.contains("--mock-config FILE"), "{cause}");
    }
    // The token of a `.waitForTaskToken` task is not sent anywhere then.
    let resource = Resource::parse("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
    assert!(!integrations.delivers_token(&resource));
    let resource = Resource::parse("arn:aws:states:::apigateway:invoke.waitForTaskToken");
    assert!(!integrations.delivers_token(&resource));
    let resource = Resource::parse("arn:aws:states:::lambda:invoke.waitForTaskToken");
    assert!(integrations.delivers_token(&resource));
}

#[tokio::test]
async fn only_the_dispatch_phase_is_run_here() {
    let (_dir, integrations) = echo();
    let mut request = task(ECHO_ARN, json!({}));
    request.phase = TaskPhase::AwaitResult;
    let (error, _) = failed(integrations.call(&request).await);
    assert_eq!(error, "States.Runtime");
}
