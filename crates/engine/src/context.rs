//! The context object (`$$` in JSONPath, `$states.context` in JSONata).
//!
//! Building it copies the execution input, so it is built only when an expression reads it.

use std::sync::Arc;

use jiff::Timestamp;
use switchback_json::{Json, Object};

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
    pub input: Json,
    /// The execution's region: a task's region in its `TaskScheduled` event, unless its
    /// resource names one.
    pub region: Arc<str>,
    /// `$$.Execution.RedriveCount`: Standard executions only (`None` for Express).
    pub redrive_count: Option<u32>,
    /// The whole context object, when it is given rather than built: TestState's `context`,
    /// which `$$` shows exactly as given.
    pub given: Option<Json>,
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
    pub map_item: Option<(usize, &'a Json)>,
    /// `$$.Task.Token`, for `.waitForTaskToken` resources.
    pub task_token: Option<&'a str>,
}

/// AWS's timestamp format in the context object: ISO-8601 with milliseconds and `Z`.
pub fn iso(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Builds the context object. Built member by member: the execution input and a Map's item
/// go in shared, not copied.
pub fn build(exec: &ExecutionInfo, state: &StateInfo<'_>) -> Json {
    if let Some(given) = &exec.given {
        return given.clone();
    }
    let mut execution = object([
        ("Id", Json::from(exec.execution_arn.as_str())),
        ("Input", exec.input.clone()),
        ("StartTime", Json::from(iso(exec.start_time))),
        ("Name", Json::from(exec.name.as_str())),
        ("RoleArn", Json::from(&*exec.role_arn)),
    ]);
    if let Some(n) = exec.redrive_count {
        execution.insert("RedriveCount".into(), Json::from(n));
    }
    let mut ctx = Object::with_capacity(5);
    ctx.insert("Execution".into(), Json::Object(execution));
    ctx.insert(
        "StateMachine".into(),
        Json::Object(object([
            ("Id", Json::from(exec.state_machine_arn.as_str())),
            ("Name", Json::from(exec.state_machine_name.as_str())),
        ])),
    );
    let mut st = object([
        ("EnteredTime", Json::from(iso(state.entered_time))),
        ("Name", Json::from(state.name)),
    ]);
    if let Some(n) = state.retry_count {
        st.insert("RetryCount".into(), Json::from(n));
    }
    ctx.insert("State".into(), Json::Object(st));
    if let Some(token) = state.task_token {
        ctx.insert(
            "Task".into(),
            Json::Object(object([("Token", Json::from(token))])),
        );
    }
    if let Some((index, value)) = state.map_item {
        let item = object([("Index", Json::from(index)), ("Value", value.clone())]);
        ctx.insert(
            "Map".into(),
            Json::Object(object([("Item", Json::Object(item))])),
        );
    }
    Json::Object(ctx)
}

/// An object of the given members, in order.
fn object<const N: usize>(members: [(&str, Json); N]) -> Object {
    members.into_iter().collect()
}
