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
}

/// How a task ended.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskOutcome {
    /// It returned a result.
    Succeeded(Value),
    /// It failed with an error name and cause.
    Failed { error: String, cause: String },
    /// It did not finish within `TimeoutSeconds`.
    TimedOut,
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
    /// Anything else (activities, unknown ARNs): `Task*` events with the ARN as resource.
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
