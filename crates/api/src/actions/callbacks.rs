//! GetActivityTask, SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat: how workers and
//! callbacks answer the tasks that wait for them.
//!
//! The runtime writes each answer to the store before it wakes the execution, so an
//! acknowledged answer survives a restart.

use std::time::Duration;

use serde_json::{json, Value};
use switchback_runtime::RuntimeError;
use switchback_store::activities as store_activities;

use crate::arn;
use crate::error::ApiError;
use crate::input::{shapes, Input, Len};
use crate::state::AppState;

/// `taskToken`: 1-2048 characters (AWS's shape).
const TASK_TOKEN: Len = Len::new(1, 2048);
/// `output`: up to 256 KiB of JSON.
const OUTPUT: Len = Len::sensitive(0, 262_144);
/// `error`: up to 256 characters.
const ERROR: Len = Len::sensitive(0, 256);
/// `cause`: up to 32,768 characters.
const CAUSE: Len = Len::sensitive(0, 32_768);
/// `workerName`: up to 80 characters.
const WORKER_NAME: Len = Len::new(1, 80);
/// How long `GetActivityTask` waits for a task (AWS: 60 seconds).
const LONG_POLL: Duration = Duration::from_secs(60);

fn token_error(e: RuntimeError) -> ApiError {
    super::executions::runtime_error(e)
}

/// `SendTaskSuccess`.
pub async fn send_task_success(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let token = input.req_str("taskToken", TASK_TOKEN)?;
    let output = input.req_str("output", OUTPUT)?;
    input.finish()?;
    // AWS looks at the token before the output: an unknown token with a bad output is an
    // invalid token.
    if !switchback_runtime::task_token_is_well_formed(&token) {
        return Err(token_error(switchback_runtime::RuntimeError::InvalidToken(
            "Invalid token".into(),
        )));
    }
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&output) {
        return Err(ApiError::service(
            "InvalidOutput",
            format!("Invalid Output: '{e}'"),
        ));
    }
    state
        .runtime
        .send_task_success(&token, &output)
        .await
        .map_err(token_error)?;
    Ok(json!({}))
}

/// `SendTaskFailure`.
pub async fn send_task_failure(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let token = input.req_str("taskToken", TASK_TOKEN)?;
    let error = input.opt_str("error", ERROR)?;
    let cause = input.opt_str("cause", CAUSE)?;
    input.finish()?;
    state
        .runtime
        .send_task_failure(&token, error.as_deref(), cause.as_deref())
        .await
        .map_err(token_error)?;
    Ok(json!({}))
}

/// `SendTaskHeartbeat`.
pub async fn send_task_heartbeat(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let token = input.req_str("taskToken", TASK_TOKEN)?;
    input.finish()?;
    state
        .runtime
        .send_task_heartbeat(&token)
        .await
        .map_err(token_error)?;
    Ok(json!({}))
}

/// `GetActivityTask`: a waiting task of the activity, long-polling up to 60 seconds; with
/// none, AWS answers with no token.
pub async fn get_activity_task(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("activityArn", shapes::ARN)?;
    let worker_name = input.opt_str("workerName", WORKER_NAME)?;
    input.finish()?;
    let parsed = arn::parse_activity(&arn_text)?;
    let lookup = parsed.to_string();
    let exists = state
        .store
        .read(move |c| store_activities::get(c, &lookup))
        .await?
        .is_some();
    if !exists {
        return Err(ApiError::activity_does_not_exist(&parsed.to_string()));
    }
    let task = state
        .runtime
        .get_activity_task(&parsed.to_string(), worker_name.as_deref(), LONG_POLL)
        .await
        .map_err(token_error)?;
    Ok(match task {
        Some(t) => json!({"taskToken": t.task_token, "input": t.input}),
        None => json!({}),
    })
}
