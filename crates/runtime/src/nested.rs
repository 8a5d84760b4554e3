//! Nested state machines: `arn:aws:states:::states:startExecution` (start and go on),
//! `.sync` (wait for the child; its output as a JSON string, as AWS), `.sync:2` (the output as
//! JSON) and `.waitForTaskToken` (the child answers with `SendTask*`).
//!
//! A `.sync` task registers its waiting row *before* it starts the child, and links the child
//! to it; the child's ending closes the row in the child's final commit and wakes the parent,
//! which then reads the child's outcome from the child's own row. A child is linked to its
//! parent (so stopping the parent stops it) when it runs with `.sync` or when its input
//! carries `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`, as in AWS.
//!
//! The start's result is StartExecution's answer as AWS's SDK gives it (`ExecutionArn`,
//! `StartDate` in epoch milliseconds) with the `SdkHttpMetadata` and `SdkResponseMetadata` of
//! the HTTP answer Step Functions' API would send: no HTTP call is made, so its headers are
//! the ones AWS's endpoint sends, with the values this server's API would give.

use jiff::Timestamp;
use serde_json::{json, Map, Value};
use switchback_engine::task::{append_sdk_metadata, IntegrationPattern, TaskOutcome, TaskRequest};
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
    let response = start_response(
        &started.execution_arn,
        started.start_date,
        driver.hub.clock.now(),
    );
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

/// StartExecution's answer as the task's result (`start_date` in microseconds), answered at
/// `now` (the runtime's clock): the headers AWS's Step Functions endpoint sends, in the order
/// AWS lists them, with a fresh request id and the length of the body this server's API
/// answers StartExecution with.
fn start_response(execution_arn: &str, start_date: i64, now: Timestamp) -> Value {
    let request_id = switchback_types::ids::uuid_v4(crate::seed::fresh(), crate::seed::fresh());
    let mut response = Map::new();
    response.insert("ExecutionArn".into(), json!(execution_arn));
    append_sdk_metadata(
        &mut response,
        200,
        &[
            ("x-amzn-RequestId", vec![request_id.clone()]),
            ("connection", vec!["keep-alive".into()]),
            (
                "Content-Length",
                vec![api_body(execution_arn, start_date).len().to_string()],
            ),
            ("Date", vec![http_date(now)]),
            ("Content-Type", vec!["application/x-amz-json-1.0".into()]),
        ],
        &request_id,
    );
    response.insert("StartDate".into(), json!(start_date / 1000));
    Value::Object(response)
}

/// The body of the API's answer to StartExecution (`crates/api`, `actions/executions.rs`):
/// `{"executionArn": ..., "startDate": <epoch seconds, milliseconds as the fraction>}`, as the
/// API writes it (`time.rs`'s `epoch_seconds`, then `serde_json::to_vec`).
fn api_body(execution_arn: &str, start_date: i64) -> Vec<u8> {
    let seconds = start_date.div_euclid(1000) as f64 / 1000.0;
    let start_date = serde_json::Number::from_f64(seconds).map_or(Value::Null, Value::Number);
    serde_json::to_vec(&json!({
        "executionArn": execution_arn,
        "startDate": start_date,
    }))
    .unwrap_or_default()
}

/// An HTTP `Date` (RFC 1123, in GMT): `Wed, 02 Dec 2026 20:04:16 GMT`.
fn http_date(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_results_carry_the_api_s_http_metadata() {
        let arn = "arn:aws:states:us-east-1:123456789012:execution:child:run-1";
        // 2026-12-02T20:04:16.250Z, in microseconds.
        let start_date = 1_796_241_856_250_123;
        let now: Timestamp = "2026-12-02T20:04:16.300Z".parse().unwrap();
        let response = start_response(arn, start_date, now);
        let body = format!(r#"{{"executionArn":"{arn}","startDate":1796241856.25}}"#);
        assert_eq!(api_body(arn, start_date), body.as_bytes());
        let request_id = response["SdkResponseMetadata"]["RequestId"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(request_id.len(), 36);
        assert_eq!(
            response,
            json!({
                "ExecutionArn": arn,
                "SdkHttpMetadata": {
                    "AllHttpHeaders": {
                        "x-amzn-RequestId": [request_id],
                        "connection": ["keep-alive"],
                        "Content-Length": [body.len().to_string()],
                        "Date": ["Wed, 02 Dec 2026 20:04:16 GMT"],
                        "Content-Type": ["application/x-amz-json-1.0"]
                    },
                    "HttpHeaders": {
                        "connection": "keep-alive",
                        "Content-Length": body.len().to_string(),
                        "Content-Type": "application/x-amz-json-1.0",
                        "Date": "Wed, 02 Dec 2026 20:04:16 GMT",
                        "x-amzn-RequestId": request_id
                    },
                    "HttpStatusCode": 200
                },
                "SdkResponseMetadata": {"RequestId": request_id},
                "StartDate": 1_796_241_856_250_i64
            })
        );
        // Members in AWS's order; a fresh request id each time.
        let keys: Vec<&String> = response.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "ExecutionArn",
                "SdkHttpMetadata",
                "SdkResponseMetadata",
                "StartDate"
            ]
        );
        let again = start_response(arn, start_date, now);
        assert_ne!(again["SdkResponseMetadata"]["RequestId"], request_id);
        // A start on a whole second: the API writes `.0`.
        assert_eq!(
            api_body(arn, 1_796_241_856_000_000),
            format!(r#"{{"executionArn":"{arn}","startDate":1796241856.0}}"#).as_bytes()
        );
    }
}
