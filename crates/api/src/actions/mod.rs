//! The actions, one module per group, and the table that routes an action name to its handler.
//!
//! Every handler has the same shape:
//!
//! ```text
//! async fn handler(state: &AppState, body: serde_json::Value) -> Result<serde_json::Value, ApiError>
//! ```
//!
//! `body` is the parsed request (a JSON object, `{}` when the request had none); the returned
//! value is the response body. Handlers read their members with [`crate::input::Input`], which
//! gives AWS's `SerializationException`/`ValidationException` answers for free.

pub mod activities;
pub mod aliases;
pub mod callbacks;
pub mod executions;
pub mod history;
pub mod map_runs;
pub mod state_machines;
pub mod tags;
pub mod test_state;
pub mod validate;
pub mod versions;

use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

/// Runs the handler of `action` on `body`.
pub async fn dispatch(state: &AppState, action: &str, body: Value) -> Result<Value, ApiError> {
    match action {
        "CreateStateMachine" => state_machines::create(state, body).await,
        "DescribeStateMachine" => state_machines::describe(state, body).await,
        "UpdateStateMachine" => state_machines::update(state, body).await,
        "DeleteStateMachine" => state_machines::delete(state, body).await,
        "ListStateMachines" => state_machines::list(state, body).await,
        "ValidateStateMachineDefinition" => validate::validate_definition(state, body).await,
        "PublishStateMachineVersion" => versions::publish(state, body).await,
        "ListStateMachineVersions" => versions::list(state, body).await,
        "DeleteStateMachineVersion" => versions::delete(state, body).await,
        "CreateStateMachineAlias" => aliases::create(state, body).await,
        "DescribeStateMachineAlias" => aliases::describe(state, body).await,
        "UpdateStateMachineAlias" => aliases::update(state, body).await,
        "DeleteStateMachineAlias" => aliases::delete(state, body).await,
        "ListStateMachineAliases" => aliases::list(state, body).await,
        "TagResource" => tags::tag(state, body).await,
        "UntagResource" => tags::untag(state, body).await,
        "ListTagsForResource" => tags::list(state, body).await,
        "StartExecution" => executions::start_execution(state, body).await,
        "StartSyncExecution" => executions::start_sync_execution(state, body).await,
        "StopExecution" => executions::stop_execution(state, body).await,
        "DescribeExecution" => executions::describe_execution(state, body).await,
        "DescribeStateMachineForExecution" => {
            executions::describe_state_machine_for_execution(state, body).await
        }
        "ListExecutions" => executions::list_executions(state, body).await,
        "GetExecutionHistory" => history::get_execution_history(state, body).await,
        "RedriveExecution" => executions::redrive_execution(state, body).await,
        "TestState" => test_state::test_state(state, body).await,
        "DescribeMapRun" => map_runs::describe_map_run(state, body).await,
        "ListMapRuns" => map_runs::list_map_runs(state, body).await,
        "UpdateMapRun" => map_runs::update_map_run(state, body).await,
        "CreateActivity" => activities::create(state, body).await,
        "DescribeActivity" => activities::describe(state, body).await,
        "DeleteActivity" => activities::delete(state, body).await,
        "ListActivities" => activities::list(state, body).await,
        "GetActivityTask" => callbacks::get_activity_task(state, body).await,
        "SendTaskSuccess" => callbacks::send_task_success(state, body).await,
        "SendTaskFailure" => callbacks::send_task_failure(state, body).await,
        "SendTaskHeartbeat" => callbacks::send_task_heartbeat(state, body).await,
        other => Err(ApiError::unknown_operation(format!(
            "Unknown operation: 'AWSStepFunctions.{other}'"
        ))),
    }
}
