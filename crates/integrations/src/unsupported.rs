//! The failures of Tasks on AWS services that Switchback does not call: rather than fail
//! obscurely, the task fails with `States.TaskFailed` and a cause that says what to do.
//!
//! - [`not_configured`]: a service Switchback calls, but the configuration names no endpoint
//!   for it and does not enable AWS. A definition alone never sends a request off the machine;
//!   the cause says which key or variable to set, and that mocks still work.
//! - [`unsupported_service`]: a service or action Switchback does not call yet; it can be
//!   mocked.

use switchback_engine::task::{TaskOutcome, TaskRequest};

/// How to mock a state, for causes.
const MOCKS: &str = "Or mock the state: give `switchback run` a mock file with --mock FILE, or `switchback serve` a mock configuration in AWS's format (the one Step Functions Local reads) with --mock-config FILE.";

/// The outcome of a task whose resource is an AWS service integration Switchback does not
/// call (yet).
pub fn unsupported_service(request: &TaskRequest) -> TaskOutcome {
    TaskOutcome::Failed {
        error: "States.TaskFailed".into(),
        cause: format!(
            "Switchback does not call this AWS service integration yet, so the task '{}' cannot run its resource {}. Mock the state instead: give `switchback run` a mock file with --mock FILE, or `switchback serve` a mock configuration in AWS's format (the one Step Functions Local reads) with --mock-config FILE. Run for real: Lambda functions (arn:aws:lambda:...:function:NAME, arn:aws:states:::lambda:invoke), HTTP Tasks (arn:aws:states:::http:invoke), and, once [aws] is configured, sqs:sendMessage, sns:publish, dynamodb:getItem/putItem/updateItem/deleteItem, events:putEvents, apigateway:invoke, the .sync jobs of ECS, Batch, Glue, Athena, CodeBuild and SageMaker, and aws-sdk:SERVICE:ACTION for the AWS services Switchback knows (s3, dynamodb, sfn, secretsmanager, iam, ec2, lambda, ...).",
            request.state_name, request.resource
        ),
    }
}

/// The outcome of a task on an AWS service that Switchback calls, when the configuration does
/// not let calls to it go out. `key` is the service's name in `[aws.services.NAME]`; `file`
/// the configuration file's name.
pub(crate) fn not_configured(request: &TaskRequest, key: &str, file: &str) -> TaskOutcome {
    let variable = format!("AWS_ENDPOINT_URL_{}", key.to_ascii_uppercase());
    TaskOutcome::Failed {
        error: "States.TaskFailed".into(),
        cause: format!(
            "The task '{state}' calls an AWS service ({resource}), and Switchback sends requests to AWS services only where its configuration says. To call an AWS-compatible endpoint (LocalStack, moto, ...), name it in {file}: `[aws] endpoint_url = \"http://127.0.0.1:4566\"` (every service) or `[aws.services.{key}] endpoint_url = \"...\"` (this one), or set AWS_ENDPOINT_URL or {variable}. To call AWS itself, set `[aws] enabled = true` (credentials from the standard chain: AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws). {MOCKS}",
            state = request.state_name,
            resource = request.resource,
        ),
    }
}
