//! Nested state machines: `arn:aws:states:::states:startExecution` (start and go on),
//! `.sync` (wait for the child; its output as a JSON string, as AWS), `.sync:2` (the output as
//! JSON) and `.waitForTaskToken` (the child answers with `SendTask*`).
//!
//! A `.sync` task registers its waiting row *before* it starts the child, and links the child
//! to it; the child's ending closes the row in the child's final commit and wakes the parent,
//! which then reads the child's outcome from the child's own row. A child is linked to its
//! parent (so stopping the parent stops it) when it runs with `.sync` or when its input
//! carries `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`, as in AWS.

use serde_json::{json, Map, Value};
use switchback_engine::task::{IntegrationPattern, TaskOutcome, TaskRequest};
use switchback_engine::ExecutionStatus;
use switchback_store::executions::{self, ExecutionRecord};
use switchback_store::task_tokens::{self, TaskToken, TokenKind};
use switchback_store::StoreError;

use crate::hub::ChildStartRequest;
use crate::standard::StandardDriver;
use crate::tasks;

/// The input field that links a child to the execution that started it.
pub const STARTED_BY: &str = "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID";

/// Starts the child execution.
pub async fn dispatch(driver: &StandardDriver, request: &TaskRequest) -> TaskOutcome {
    let child = match child_request(driver, request) {
        Ok(c) => c,
        Err(cause) => {
            return TaskOutcome::Failed {
                error: "States.Runtime".into(),
                cause,
            }
        }
    };
    let Some(starter) = driver.hub.starter().cloned() else {
        return TaskOutcome::Failed {
            error: tasks::NO_INTEGRATION.into(),
            cause: "Nested executions need `switchback serve`.".into(),
        };
    };
    // The waiting row first, so that a child that ends at once finds it.
    let waiting = match request.pattern() {
        IntegrationPattern::Sync { .. } => {
            Some(tasks::register(driver, request, TokenKind::Sync, None).await)
        }
        IntegrationPattern::WaitForTaskToken => {
            Some(tasks::register(driver, request, TokenKind::Callback, None).await)
        }
        IntegrationPattern::RequestResponse => None,
    };
    let started = {
        let _busy = driver.busy();
        starter.start(child).await
    };
    let started = match started {
        Ok(s) => s,
        Err((error, cause)) => {
            if let Some(row) = waiting {
                driver.closing.borrow_mut().push(row.token);
            }
            return TaskOutcome::Failed { error, cause };
        }
    };
    if let Some(row) = waiting.filter(|r| r.kind == TokenKind::Sync) {
        if let Err(e) = link_child(driver, &row, &started.execution_arn).await {
            driver.give_up("could not link a child execution", &e).await;
        }
    }
    let response = start_response(&started.execution_arn, started.start_date);
    match request.pattern() {
        IntegrationPattern::RequestResponse => TaskOutcome::Succeeded(response),
        _ => TaskOutcome::Submitted(response),
    }
}

/// The child's start, from the task's parameters (`StateMachineArn`, `Input`, `Name`).
fn child_request(
    driver: &StandardDriver,
    request: &TaskRequest,
) -> Result<ChildStartRequest, String> {
    let params = &*request.input;
    let arn = params
        .get("StateMachineArn")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            format!(
                "Task state '{}': the parameters of {} need a string 'StateMachineArn'.",
                request.state_name, request.resource
            )
        })?;
    let (input, linked_by_input) = match params.get("Input") {
        None | Some(Value::Null) => ("{}".to_string(), false),
        Some(Value::String(text)) => {
            let linked = serde_json::from_str::<Value>(text)
                .ok()
                .is_some_and(|v| v.get(STARTED_BY).is_some());
            (text.clone(), linked)
        }
        Some(v) => (v.to_string(), v.get(STARTED_BY).is_some()),
    };
    let name = match params.get("Name").and_then(Value::as_str) {
        Some(n) => n.to_string(),
        // The same name on a re-dispatch, so a restart does not start a second child.
        None => name_from_key(&request.idempotency_key),
    };
    let linked = linked_by_input || matches!(request.pattern(), IntegrationPattern::Sync { .. });
    Ok(ChildStartRequest {
        state_machine_arn: arn.to_string(),
        name,
        input,
        parent_id: linked.then(|| driver.execution_id()),
    })
}

/// A UUID-shaped execution name derived from a dispatch's idempotency key.
fn name_from_key(key: &str) -> String {
    // FNV-1a, twice with different offsets: stable across builds and platforms.
    let hash = |offset: u64| {
        key.bytes().fold(offset, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let (a, b) = (
        crate::seed::mix(hash(0xcbf2_9ce4_8422_2325)),
        crate::seed::mix(hash(0x84222325_cbf29ce4)),
    );
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Links the `.sync` row to the child; a child that already ended closes the row now.
async fn link_child(
    driver: &StandardDriver,
    row: &TaskToken,
    child_arn: &str,
) -> Result<(), StoreError> {
    let token = row.token.clone();
    let child_arn = child_arn.to_string();
    let _busy = driver.busy();
    driver
        .store()
        .write(move |tx| {
            let Some(child) = executions::get_by_arn(tx, &child_arn)? else {
                return Err(StoreError::NotFound);
            };
            task_tokens::set_child(tx, &token, child.id)?;
            if child.status != ExecutionStatus::Running {
                task_tokens::close(tx, &token)?;
            }
            Ok(())
        })
        .await
}

/// StartExecution's answer as the task's result.
fn start_response(execution_arn: &str, start_date: i64) -> Value {
    json!({
        "ExecutionArn": execution_arn,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "Content-Type": ["application/x-amz-json-1.0"],
            },
            "HttpHeaders": {
                "Content-Type": "application/x-amz-json-1.0",
            },
            "HttpStatusCode": 200
        },
        "SdkResponseMetadata": {"RequestId": name_from_key(execution_arn)},
        "StartDate": start_date / 1000
    })
}

/// A `.sync` task's outcome, once its child ended: the child's description (output and input
/// as JSON text, or as JSON for `.sync:2`); a child that did not succeed fails the task with
/// `States.TaskFailed`.
pub async fn child_outcome(
    driver: &StandardDriver,
    row: &TaskToken,
    request: &TaskRequest,
) -> TaskOutcome {
    let Some(child) = row.child_execution_id else {
        return TaskOutcome::Failed {
            error: "States.TaskFailed".into(),
            cause: "The child execution could not be started.".into(),
        };
    };
    let read = {
        let _busy = driver.busy();
        driver
            .store()
            .read(move |c| executions::get(c, child))
            .await
    };
    let record = match read {
        Ok(Some(r)) => r,
        Ok(None) => {
            return TaskOutcome::Failed {
                error: "States.TaskFailed".into(),
                cause: "The child execution no longer exists.".into(),
            }
        }
        Err(e) => driver.give_up("could not read a child execution", &e).await,
    };
    let json_output = matches!(
        request.pattern(),
        IntegrationPattern::Sync { json_output: true }
    );
    let described = describe(&record, json_output);
    if record.status == ExecutionStatus::Succeeded {
        TaskOutcome::Succeeded(described)
    } else {
        TaskOutcome::Failed {
            error: "States.TaskFailed".into(),
            cause: described.to_string(),
        }
    }
}

/// The child as `.sync` reports it (DescribeExecution's fields, capitalised, dates in epoch
/// milliseconds).
fn describe(record: &ExecutionRecord, json_output: bool) -> Value {
    let payload = |text: &str| -> Value {
        if json_output {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
        } else {
            Value::String(text.to_string())
        }
    };
    let mut m = Map::new();
    if let Some(c) = &record.cause {
        m.insert("Cause".into(), json!(c));
    }
    if let Some(e) = &record.error {
        m.insert("Error".into(), json!(e));
    }
    m.insert("ExecutionArn".into(), json!(record.arn));
    m.insert("Input".into(), payload(&record.input));
    m.insert("InputDetails".into(), json!({"Included": true}));
    m.insert("Name".into(), json!(record.name));
    if let Some(o) = &record.output {
        m.insert("Output".into(), payload(o));
        m.insert("OutputDetails".into(), json!({"Included": true}));
    }
    m.insert("RedriveCount".into(), json!(record.redrive_count));
    m.insert(
        "RedriveStatus".into(),
        json!(if record.status == ExecutionStatus::Succeeded {
            "NOT_REDRIVABLE"
        } else {
            "REDRIVABLE"
        }),
    );
    if record.status == ExecutionStatus::Succeeded {
        m.insert(
            "RedriveStatusReason".into(),
            json!("Execution is SUCCEEDED and cannot be redriven"),
        );
    }
    m.insert("StartDate".into(), json!(record.start_date / 1000));
    m.insert("StateMachineArn".into(), json!(record.state_machine_arn));
    m.insert("Status".into(), json!(record.status));
    if let Some(stop) = record.stop_date {
        m.insert("StopDate".into(), json!(stop / 1000));
    }
    Value::Object(m)
}
