//! Tasks on AWS services (SQS, SNS, DynamoDB, EventBridge, `aws-sdk:*`, ...).
//!
//! Switchback runs state machines without AWS, so it does not call AWS services. Rather than
//! fail obscurely, such a task fails with `States.TaskFailed` and a cause that says so and how
//! to stand in for the service: a mocked response, in AWS's own mock configuration format.

use switchback_engine::task::{TaskOutcome, TaskRequest};

/// The outcome of a task whose resource is an AWS service integration.
pub fn unsupported_service(request: &TaskRequest) -> TaskOutcome {
    TaskOutcome::Failed {
        error: "States.TaskFailed".into(),
        cause: format!(
            "Switchback does not call AWS services, so the task '{}' cannot run its resource {}. Mock the state instead: give `switchback run` a mock file with --mock FILE, or `switchback serve` a mock configuration in AWS's format (the one Step Functions Local reads) with --mock-config FILE. Lambda functions (arn:aws:lambda:...:function:NAME, arn:aws:states:::lambda:invoke) and HTTP Tasks (arn:aws:states:::http:invoke) run for real.",
            request.state_name, request.resource
        ),
    }
}
