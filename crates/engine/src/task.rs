//! Tasks as the interpreter sees them: a request to some resource and how it ended.
//!
//! Real integrations (functions, HTTP, activities, nested executions) live behind this
//! interface in their own crate; the engine knows only how AWS records a task in the history,
//! which depends on the kind of resource ([`ResourceKind`]). The resource is read once, when
//! the definition loads ([`Resource`], from `switchback-asl`), and every dispatch carries it.

mod sdk_metadata;

use std::sync::Arc;

pub use sdk_metadata::append_sdk_metadata;
use serde_json::Value;
pub use switchback_asl::resource::{
    Activity, Integration, IntegrationPattern, LambdaFunction, Resource, ResourceKind,
    ServiceIntegration,
};

/// One dispatch of a Task state.
#[derive(Debug, Clone)]
pub struct TaskRequest {
    /// The Task state's name.
    pub state_name: Arc<str>,
    /// `Resource`, as read when the definition loaded (its text: `resource.as_str()`).
    pub resource: Arc<Resource>,
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
    /// In [`TaskPhase::AwaitResult`] after a hand-over: what the hand-over answered (the
    /// `TaskSubmitted` output, also after a restart), e.g. the id of a `.sync` job to poll.
    pub submitted: Option<Arc<Value>>,
    /// How a streaming body in the result (S3's `Body`) is given: as text, as Step Functions
    /// gives it to a Task state, or byte for byte for the engine's own reading.
    pub body_as: BodyAs,
}

/// How an integration gives a streaming body (S3 `getObject`'s `Body`) in its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyAs {
    /// Its text, as Step Functions gives it to a Task state (bytes that are not UTF-8 are
    /// replaced).
    #[default]
    Text,
    /// Its bytes in base64, with `"BodyEncoding": "base64"` beside it: an item reader needs
    /// the exact bytes of a compressed object, and to count the bytes of each range it reads.
    /// (A stand-in that answers with text, such as a mock, leaves `BodyEncoding` out.)
    Base64,
}

impl TaskRequest {
    /// How AWS runs the resource (`.sync`, `.waitForTaskToken`, or neither).
    pub fn pattern(&self) -> IntegrationPattern {
        self.resource.pattern()
    }
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

/// How a task ended.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskOutcome {
    /// It returned a result.
    Succeeded(Value),
    /// It failed with an error name and cause.
    Failed {
        /// The error name, what Retry and Catch match.
        error: String,
        /// The human-readable cause.
        cause: String,
    },
    /// It did not finish within `TimeoutSeconds` (`States.Timeout`).
    TimedOut,
    /// No heartbeat came within `HeartbeatSeconds` (`States.HeartbeatTimeout`).
    HeartbeatTimedOut,
    /// The work was handed over (`TaskSubmitted`, with this output); its result is awaited
    /// with [`TaskPhase::AwaitResult`].
    Submitted(Value),
    /// An activity worker took the task (`ActivityStarted`); its result is awaited with
    /// [`TaskPhase::AwaitResult`].
    Started {
        /// The worker's `workerName`, if it gave one.
        worker_name: Option<String>,
    },
}
