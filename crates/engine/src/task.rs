//! Tasks as the interpreter sees them: a request to some resource and how it ended.
//!
//! Real integrations (functions, HTTP, activities, nested executions) live behind this
//! interface in their own crate; the engine knows only how AWS records a task in the history,
//! which depends on the kind of resource ([`ResourceKind`]).

use std::sync::Arc;

use serde_json::Value;

/// One dispatch of a Task state.
#[derive(Debug, Clone)]
pub struct TaskRequest {
    /// The Task state's name.
    pub state_name: Arc<str>,
    /// `Resource` as written.
    pub resource: String,
    /// The task's input (after Parameters/Arguments).
    pub input: Arc<Value>,
    /// 0 for the first try, then 1, 2, ... for retries.
    pub attempt: u32,
    /// `TimeoutSeconds`, if any.
    pub timeout_seconds: Option<u64>,
    /// `HeartbeatSeconds`, if any.
    pub heartbeat_seconds: Option<u64>,
    /// The same for every dispatch of this attempt, also after a restart (the execution ARN
    /// and the id of the `TaskScheduled` event), so that the target can deduplicate.
    pub idempotency_key: Arc<str>,
    /// `$$.Task.Token`: set for `.waitForTaskToken` resources and for activities, the same
    /// after a restart.
    pub task_token: Option<Arc<str>>,
    /// Which part of the task the driver is asked for.
    pub phase: TaskPhase,
    /// How AWS runs the resource (`.sync`, `.waitForTaskToken`, or neither).
    pub pattern: IntegrationPattern,
}

/// The parts of a task. A request-response task has only [`TaskPhase::Dispatch`]; a task that
/// hands work over (`.sync`, `.waitForTaskToken`) is dispatched, reported as
/// [`TaskOutcome::Submitted`], then awaited; an activity is awaited twice, for a worker to
/// take it ([`TaskOutcome::Started`]) and for its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskPhase {
    /// Call the resource.
    Dispatch,
    /// An activity: wait for a worker to take the task (`GetActivityTask`).
    AwaitStart,
    /// Wait for the result of work handed over earlier (a callback, a child execution, an
    /// activity worker).
    AwaitResult,
}

/// AWS's service integration patterns, read off the end of the resource ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationPattern {
    /// Call and take the response.
    RequestResponse,
    /// `.sync`: run a job and wait for it (`.sync:2` returns JSON rather than strings).
    Sync { json_output: bool },
    /// `.waitForTaskToken`: call with a token and wait for `SendTask*`.
    WaitForTaskToken,
}

impl IntegrationPattern {
    /// The pattern of a `Resource` ARN.
    pub fn of(resource: &str) -> IntegrationPattern {
        if resource.ends_with(".waitForTaskToken") {
            IntegrationPattern::WaitForTaskToken
        } else if resource.ends_with(".sync:2") {
            IntegrationPattern::Sync { json_output: true }
        } else if resource.ends_with(".sync") {
            IntegrationPattern::Sync { json_output: false }
        } else {
            IntegrationPattern::RequestResponse
        }
    }
}

/// Whether a `Resource` names an activity (`arn:aws:states:REGION:ACCOUNT:activity:NAME`).
pub fn is_activity(resource: &str) -> bool {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", _, "states", _, _, rest] if rest.starts_with("activity:"))
}

/// How a task ended.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskOutcome {
    /// It returned a result.
    Succeeded(Value),
    /// It failed with an error name and cause.
    Failed { error: String, cause: String },
    /// It did not finish within `TimeoutSeconds` (`States.Timeout`).
    TimedOut,
    /// No heartbeat came within `HeartbeatSeconds` (`States.HeartbeatTimeout`).
    HeartbeatTimedOut,
    /// The work was handed over (`TaskSubmitted`, with this output); its result is awaited
    /// with [`TaskPhase::AwaitResult`].
    Submitted(Value),
    /// An activity worker took the task (`ActivityStarted`); its result is awaited with
    /// [`TaskPhase::AwaitResult`].
    Started { worker_name: Option<String> },
}

/// How the history records a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceKind {
    /// `arn:aws:lambda:...:function:NAME`: `LambdaFunction*` events.
    LambdaFunction,
    /// `arn:aws:states:::SERVICE:ACTION[.suffix]`: `Task*` events.
    Service {
        resource_type: String,
        resource: String,
        region: String,
    },
    /// `arn:aws:states:REGION:ACCOUNT:activity:NAME`: `Activity*` events.
    Activity,
    /// Anything else (unknown ARNs): `Task*` events with the ARN as resource.
    Other,
}

impl ResourceKind {
    /// Classifies a `Resource` ARN.
    pub fn of(resource: &str, region: &str) -> ResourceKind {
        let parts: Vec<&str> = resource.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", _, "lambda", _, _, rest] if rest.starts_with("function:") => {
                ResourceKind::LambdaFunction
            }
            ["arn", _, "states", _, _, rest] if rest.starts_with("activity:") => {
                ResourceKind::Activity
            }
            ["arn", _, "states", reg, _, rest] => {
                let (service, action) = rest.split_once(':').unwrap_or((rest, ""));
                ResourceKind::Service {
                    resource_type: service.to_string(),
                    resource: action.to_string(),
                    region: if reg.is_empty() {
                        region.to_string()
                    } else {
                        reg.to_string()
                    },
                }
            }
            _ => ResourceKind::Other,
        }
    }
}
