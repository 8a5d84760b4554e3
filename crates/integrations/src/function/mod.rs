//! Lambda functions, run on the user's machines with Lambda's contract.
//!
//! Two resources name a function. The plain ARN (`arn:aws:lambda:REGION:ACCOUNT:function:
//! NAME[:QUALIFIER]`) passes the task's input as the event and returns the function's payload;
//! `arn:aws:states:::lambda:invoke[.waitForTaskToken]` reads `{FunctionName, Payload,
//! Qualifier, InvocationType, LogType, ClientContext}` and returns Lambda's Invoke response.
//! Both report a function's error under its `errorType`, so `Retry`/`Catch` on a function's
//! own error names work as on AWS.
//!
//! A function resolves only through the configuration, never from the definition: a
//! `[functions.NAME]` table (a `command` or a `url`) first, then the `[lambda] endpoint` for
//! any other name. With neither, the task fails with `Lambda.ResourceNotFoundException` and
//! AWS's cause, followed by how to configure the function. So a definition cannot make
//! Switchback run anything the user did not configure.

mod command;
pub(crate) mod invoke_api;
pub(crate) mod result;

pub(crate) use command::Slots;

use bytes::Bytes;
use serde_json::Value;
use switchback_engine::task::{TaskOutcome, TaskRequest};

use crate::config::Function;
use crate::resource::{parse_function_name, FunctionRef};
use crate::Shared;
use result::{request_id, service_exception_cause, Invocation, InvocationType, InvokeResponse};

/// Runs the plain function resource: the input is the event, the payload is the result.
pub(crate) async fn call_function(
    shared: &Shared,
    function: FunctionRef,
    request: &TaskRequest,
) -> TaskOutcome {
    let invocation = Invocation {
        function,
        request_id: request_id(),
        event: Bytes::from(request.input.to_string()),
        invocation_type: InvocationType::RequestResponse,
        client_context: None,
        log_tail: false,
        idempotency_key: request.idempotency_key.clone(),
        task_token: request.task_token.clone(),
    };
    match invoke(shared, &invocation).await {
        Ok(response) => response.outcome(false),
        Err(outcome) => outcome,
    }
}

/// Runs `lambda:invoke`: the input names the function and holds the event.
pub(crate) async fn call_invoke(shared: &Shared, request: &TaskRequest) -> TaskOutcome {
    let invocation = match read_invoke_input(request) {
        Ok(invocation) => invocation,
        Err(outcome) => return outcome,
    };
    match invoke(shared, &invocation).await {
        Ok(response) => response.outcome(true),
        Err(outcome) => outcome,
    }
}

/// Runs one invocation on whatever the configuration says the function is.
async fn invoke(shared: &Shared, invocation: &Invocation) -> Result<InvokeResponse, TaskOutcome> {
    let settings = &shared.settings;
    match settings.functions.get(&invocation.function.name) {
        Some(Function::Command(command)) => {
            command::invoke(command, invocation.clone(), &settings.file, &shared.slots).await
        }
        Some(Function::Url(endpoint)) => {
            invoke_api::invoke(shared.client(), endpoint, invocation, &settings.file).await
        }
        None => match &settings.default_endpoint {
            Some(endpoint) => {
                invoke_api::invoke(shared.client(), endpoint, invocation, &settings.file).await
            }
            // Last, AWS Lambda itself, when the AWS settings reach it.
            None => match crate::aws::lambda::invoke(shared, invocation).await {
                Some(answered) => answered,
                None => Err(not_found(invocation, &settings.file)),
            },
        },
    }
}

/// AWS's `ResourceNotFoundException`, then how to configure the function.
fn not_found(invocation: &Invocation, config_file: &str) -> TaskOutcome {
    let name = &invocation.function.name;
    let aws = service_exception_cause(
        &format!("Function not found: {}", invocation.function.arn()),
        404,
        "ResourceNotFoundException",
        &invocation.request_id,
    );
    TaskOutcome::Failed {
        error: "Lambda.ResourceNotFoundException".into(),
        cause: format!(
            "{aws} Switchback runs only the functions its configuration names: add [functions.{name}] with `command = [\"...\"]` (a program that reads the event on stdin and writes the result on stdout) or `url = \"http://...\"` (a Lambda Invoke API endpoint) to {config_file}, or set `endpoint` in its [lambda] table for every function not named there, or let Switchback invoke functions on AWS Lambda (`[aws] enabled = true`, or an endpoint for lambda such as `[aws.services.lambda] endpoint_url`). To test without the function, mock the state (`switchback run --mock FILE`, `switchback serve --mock-config FILE`)."
        ),
    }
}

/// Reads the Parameters of `lambda:invoke`.
fn read_invoke_input(request: &TaskRequest) -> Result<Invocation, TaskOutcome> {
    let rid = request_id();
    let runtime = |cause: String| TaskOutcome::Failed {
        error: "States.Runtime".into(),
        cause,
    };
    let validation = |field: &str, value: &str, constraint: &str| {
        TaskOutcome::Failed {
        error: "Lambda.AWSLambdaException".into(),
        cause: service_exception_cause(
            &format!(
                "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
            ),
            400,
            "ValidationException",
            &rid,
        ),
    }
    };
    let Some(input) = request.input.as_object() else {
        return Err(runtime(format!(
            "The task '{}' ({}) needs an object with `FunctionName` and `Payload` as its Parameters, but its input is {}.",
            request.state_name, request.resource, request.input
        )));
    };
    let function_name = match input.get("FunctionName") {
        Some(Value::String(name)) => name,
        Some(other) => {
            return Err(runtime(format!(
                "`FunctionName` of the task '{}' must be a string, not {other}.",
                request.state_name
            )))
        }
        None => {
            return Err(runtime(format!(
                "The task '{}' ({}) has no `FunctionName` in its Parameters.",
                request.state_name, request.resource
            )))
        }
    };
    let Some(mut function) = parse_function_name(function_name) else {
        return Err(validation(
            "functionName",
            function_name,
            "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
        ));
    };
    match input.get("Qualifier") {
        None | Some(Value::Null) => {}
        Some(Value::String(qualifier)) => function.qualifier = Some(qualifier.clone()),
        Some(other) => {
            return Err(runtime(format!(
                "`Qualifier` of the task '{}' must be a string, not {other}.",
                request.state_name
            )))
        }
    }
    let invocation_type = match input.get("InvocationType").and_then(Value::as_str) {
        None | Some("RequestResponse") => InvocationType::RequestResponse,
        Some("Event") => InvocationType::Event,
        Some("DryRun") => InvocationType::DryRun,
        Some(other) => {
            return Err(validation(
                "invocationType",
                other,
                "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
            ))
        }
    };
    let log_tail = match input.get("LogType").and_then(Value::as_str) {
        None | Some("None") => false,
        Some("Tail") => true,
        Some(other) => {
            return Err(validation(
                "logType",
                other,
                "Member must satisfy enum value set: [None, Tail]",
            ))
        }
    };
    // Without a Payload, Lambda's event is `{}`.
    let event = match input.get("Payload") {
        None => Bytes::from_static(b"{}"),
        Some(payload) => Bytes::from(payload.to_string()),
    };
    Ok(Invocation {
        function,
        request_id: rid,
        event,
        invocation_type,
        client_context: input
            .get("ClientContext")
            .and_then(Value::as_str)
            .map(str::to_string),
        log_tail,
        idempotency_key: request.idempotency_key.clone(),
        task_token: request.task_token.clone(),
    })
}
