//! The context object (`$$` in JSONPath, `$states.context` in JSONata).
//!
//! Building it copies the execution input, so it is built only when an expression reads it.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{json, Map, Value};

/// Facts about an execution that the context object reports.
#[derive(Debug, Clone)]
pub struct ExecutionInfo {
    /// `$$.Execution.Id`: the execution's ARN.
    pub execution_arn: String,
    /// `$$.Execution.Name`.
    pub name: String,
    /// `$$.StateMachine.Id`: the state machine's ARN.
    pub state_machine_arn: String,
    /// `$$.StateMachine.Name`.
    pub state_machine_name: String,
    /// `$$.Execution.RoleArn`, also recorded in `ExecutionStarted`.
    pub role_arn: Arc<str>,
    /// `$$.Execution.StartTime`.
    pub start_time: Timestamp,
    /// `$$.Execution.Input`: the execution's input.
    pub input: Arc<Value>,
    /// The execution's region: a task's region in its `TaskScheduled` event, unless its
    /// resource names one.
    pub region: Arc<str>,
    /// `$$.Execution.RedriveCount`: Standard executions only (`None` for Express).
    pub redrive_count: Option<u32>,
}

/// The per-state part of the context object.
#[derive(Debug, Clone, Copy)]
pub struct StateInfo<'a> {
    /// `$$.State.Name`.
    pub name: &'a str,
    /// `$$.State.EnteredTime`.
    pub entered_time: Timestamp,
    /// `$$.State.RetryCount`: AWS reports it for Task states only.
    pub retry_count: Option<u32>,
    /// `$$.Map.Item`: the index and value, inside a Map's ItemSelector.
    pub map_item: Option<(usize, &'a Value)>,
    /// `$$.Task.Token`, for `.waitForTaskToken` resources.
    pub task_token: Option<&'a str>,
}

/// AWS's timestamp format in the context object: ISO-8601 with milliseconds and `Z`.
pub fn iso(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Builds the context object.
pub fn build(exec: &ExecutionInfo, state: &StateInfo<'_>) -> Value {
    let mut ctx = Map::new();
    let mut execution = json!({
        "Id": exec.execution_arn,
        "Input": &*exec.input,
        "StartTime": iso(exec.start_time),
        "Name": exec.name,
        "RoleArn": &*exec.role_arn,
    });
    if let (Some(n), Value::Object(m)) = (exec.redrive_count, &mut execution) {
        m.insert("RedriveCount".into(), json!(n));
    }
    ctx.insert("Execution".into(), execution);
    ctx.insert(
        "StateMachine".into(),
        json!({"Id": exec.state_machine_arn, "Name": exec.state_machine_name}),
    );
    let mut st = json!({"EnteredTime": iso(state.entered_time), "Name": state.name});
    if let (Some(n), Value::Object(m)) = (state.retry_count, &mut st) {
        m.insert("RetryCount".into(), json!(n));
    }
    ctx.insert("State".into(), st);
    if let Some(token) = state.task_token {
        ctx.insert("Task".into(), json!({"Token": token}));
    }
    if let Some((index, value)) = state.map_item {
        ctx.insert(
            "Map".into(),
            json!({"Item": {"Index": index, "Value": value}}),
        );
    }
    Value::Object(ctx)
}
