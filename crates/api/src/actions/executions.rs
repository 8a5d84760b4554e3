//! Execution actions: placeholders until the runtime's handlers replace this file.
//!
//! Each answers an internal error ("not implemented yet") so that clients get a clear, AWS-shaped
//! failure rather than a missing route. The lead replaces these with the real handlers; the
//! signature is the one every action has (see [`crate::actions`]). To start an execution, a
//! handler resolves its target with [`crate::start_target::resolve_start_target`].

use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

/// `StartExecution`.
pub async fn start_execution(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("StartExecution"))
}

/// `StartSyncExecution`.
pub async fn start_sync_execution(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("StartSyncExecution"))
}

/// `StopExecution`.
pub async fn stop_execution(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("StopExecution"))
}

/// `DescribeExecution`.
pub async fn describe_execution(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("DescribeExecution"))
}

/// `DescribeStateMachineForExecution`.
pub async fn describe_state_machine_for_execution(
    _state: &AppState,
    _body: Value,
) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented(
        "DescribeStateMachineForExecution",
    ))
}

/// `ListExecutions`.
pub async fn list_executions(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("ListExecutions"))
}

/// `GetExecutionHistory`.
pub async fn get_execution_history(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("GetExecutionHistory"))
}

/// `RedriveExecution`.
pub async fn redrive_execution(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("RedriveExecution"))
}

/// `TestState`.
pub async fn test_state(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("TestState"))
}

/// `DescribeMapRun`.
pub async fn describe_map_run(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("DescribeMapRun"))
}

/// `ListMapRuns`.
pub async fn list_map_runs(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("ListMapRuns"))
}

/// `UpdateMapRun`.
pub async fn update_map_run(_state: &AppState, _body: Value) -> Result<Value, ApiError> {
    Err(ApiError::not_implemented("UpdateMapRun"))
}
