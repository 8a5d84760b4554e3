//! The execution history: the events `GetExecutionHistory` returns, recorded as they happen.
//!
//! [`EventKind`] is the one type of a history event in Switchback: the engine writes it, the
//! store keeps it (as AWS's JSON, through [`EventKind::details_json`]), and replay, redrive,
//! the API and the console read it back ([`EventKind::from_stored`]). The names of event types
//! are spelled in one module ([`switchback_types::event_type`], at the bottom, so that the
//! store can keep an event's type as a type too); the JSON both ways is in `aws_json`.
//!
//! Events hold their payloads as [`Payload`]s: recording a state's input or output costs a
//! reference count, not a copy or a serialisation, and an event read back keeps its payloads
//! as the stored text until somebody needs their values.

mod aws_json;
mod payload;
mod read_details;

use std::sync::Arc;

use jiff::Timestamp;
use switchback_json::Object;

pub use aws_json::HistoryError;
pub use payload::Payload;
pub use switchback_types::event_type::{
    self, EventType, IterationPhase, StateEvent, StateType, UnknownEventType,
};

/// One history event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// 1-based position in the history.
    pub id: u64,
    /// The event this one follows from (0 for none), as AWS links them.
    pub previous_event_id: u64,
    /// When it happened.
    pub timestamp: Timestamp,
    /// What happened.
    pub kind: EventKind,
}

/// A task's resource as history events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskResource {
    /// `resourceType`, e.g. `lambda`.
    pub resource_type: Arc<str>,
    /// `resource`, e.g. `invoke`.
    pub resource: Arc<str>,
}

/// What happened, with the details AWS records for it: one variant per event type (or per
/// family, where the type is a field: `StateEntered` and `MapIteration`).
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// The execution began with `input`.
    ExecutionStarted {
        /// The execution's input.
        input: Payload,
        /// The role the execution runs as.
        role_arn: Arc<str>,
    },
    /// The execution ended with `output`.
    ExecutionSucceeded {
        /// The execution's output.
        output: Payload,
    },
    /// The execution failed.
    ExecutionFailed {
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// The execution was stopped (`StopExecution`).
    ExecutionAborted {
        /// The error given to `StopExecution`.
        error: Option<String>,
        /// The cause given to `StopExecution`.
        cause: Option<String>,
    },
    /// The execution ran past its `TimeoutSeconds`.
    ExecutionTimedOut {
        /// The error name (`States.Timeout`).
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// The execution was redriven (`RedriveExecution`); it runs again from where it ended.
    ExecutionRedriven {
        /// How many times it has been redriven, this one included.
        redrive_count: u64,
    },
    /// `<Type>StateEntered`.
    StateEntered {
        /// The state's type.
        state_type: StateType,
        /// The state's name.
        name: Arc<str>,
        /// The state's input.
        input: Payload,
    },
    /// `<Type>StateExited`.
    StateExited {
        /// The state's type (never Fail: a Fail state is not exited).
        state_type: StateType,
        /// The state's name.
        name: Arc<str>,
        /// The state's output.
        output: Payload,
        /// Variables the state assigned (`Assign`), shown as JSON text.
        assigned: Option<Box<Object>>,
    },
    /// A Parallel state started its branches.
    ParallelStateStarted,
    /// Every branch of a Parallel state succeeded.
    ParallelStateSucceeded,
    /// A branch of a Parallel state failed.
    ParallelStateFailed,
    /// A Parallel state was stopped from outside.
    ParallelStateAborted,
    /// A Map state started its `length` iterations.
    MapStateStarted {
        /// How many items it iterates over.
        length: usize,
    },
    /// Every iteration of a Map state succeeded (or enough of them did).
    MapStateSucceeded,
    /// A Map state failed.
    MapStateFailed,
    /// A Map state was stopped from outside.
    MapStateAborted,
    /// `MapIteration<Phase>`: one iteration of an inline Map.
    MapIteration {
        /// Started, Succeeded, Failed or Aborted.
        phase: IterationPhase,
        /// The Map state's name.
        name: Arc<str>,
        /// The iteration's index.
        index: usize,
    },
    /// A distributed Map started its map run.
    MapRunStarted {
        /// The map run's ARN.
        map_run_arn: String,
    },
    /// A map run succeeded.
    MapRunSucceeded,
    /// A map run failed.
    MapRunFailed {
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// A map run was stopped.
    MapRunAborted,
    /// A map run was redriven with its execution.
    MapRunRedriven {
        /// The map run's ARN.
        map_run_arn: String,
        /// How many times it has been redriven.
        redrive_count: u64,
    },
    /// A JSONata expression or a data-flow field failed to evaluate.
    EvaluationFailed {
        /// The error name.
        error: String,
        /// The cause.
        cause: String,
        /// The field that failed, e.g. `Arguments`.
        location: Option<String>,
        /// The state it failed in.
        state: Arc<str>,
    },
    /// A Task state asked its resource to run.
    TaskScheduled {
        /// The resource.
        resource: TaskResource,
        /// The region the resource is called in.
        region: Arc<str>,
        /// The parameters sent to it.
        parameters: Payload,
        /// `TimeoutSeconds`, when set.
        timeout_seconds: Option<u64>,
        /// `HeartbeatSeconds`, when set.
        heartbeat_seconds: Option<u64>,
    },
    /// The resource accepted the task.
    TaskStarted {
        /// The resource.
        resource: TaskResource,
    },
    /// The resource could not start the task.
    TaskStartFailed {
        /// The resource.
        resource: TaskResource,
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// A `.sync` or `.waitForTaskToken` task handed its work over; `output` is the response.
    TaskSubmitted {
        /// The resource.
        resource: TaskResource,
        /// The response to the submission.
        output: Payload,
    },
    /// The submission of a `.sync` or `.waitForTaskToken` task failed.
    TaskSubmitFailed {
        /// The resource.
        resource: TaskResource,
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// The task succeeded.
    TaskSucceeded {
        /// The resource.
        resource: TaskResource,
        /// Its result.
        output: Payload,
    },
    /// The task failed.
    TaskFailed {
        /// The resource.
        resource: TaskResource,
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// The task ran past its timeout or heartbeat.
    TaskTimedOut {
        /// The resource.
        resource: TaskResource,
        /// `States.Timeout` or `States.HeartbeatTimeout`.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// A Task state was stopped from outside while its task ran.
    TaskStateAborted,
    /// A Wait state was stopped from outside.
    WaitStateAborted,
    /// An activity task was scheduled for a worker.
    ActivityScheduled {
        /// The activity's ARN.
        resource: Arc<str>,
        /// The activity task's input.
        input: Payload,
        /// `TimeoutSeconds`, when set.
        timeout_seconds: Option<u64>,
        /// `HeartbeatSeconds`, when set.
        heartbeat_seconds: Option<u64>,
    },
    /// The activity could not be scheduled (e.g. it does not exist).
    ActivityScheduleFailed {
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// A worker took the activity task (`GetActivityTask`).
    ActivityStarted {
        /// The name the worker gave.
        worker_name: Option<String>,
    },
    /// The worker reported success.
    ActivitySucceeded {
        /// The worker's output.
        output: Payload,
    },
    /// The worker reported failure.
    ActivityFailed {
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// The activity ran past its timeout or heartbeat.
    ActivityTimedOut {
        /// `States.Timeout` or `States.HeartbeatTimeout`.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// A Lambda function (named by its ARN as the `Resource`) was scheduled.
    LambdaFunctionScheduled {
        /// The function's ARN.
        resource: Arc<str>,
        /// The function's input.
        input: Payload,
        /// `TimeoutSeconds`, when set.
        timeout_seconds: Option<u64>,
    },
    /// The function could not be scheduled.
    LambdaFunctionScheduleFailed {
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// The function started.
    LambdaFunctionStarted,
    /// The function could not start.
    LambdaFunctionStartFailed {
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// The function returned.
    LambdaFunctionSucceeded {
        /// Its result.
        output: Payload,
    },
    /// The function failed.
    LambdaFunctionFailed {
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// The function ran past its timeout.
    LambdaFunctionTimedOut {
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
}

/// The payload field of an event kind, shared or mutable alike (one list of the variants that
/// carry one, for [`EventKind::payload`] and [`EventKind::payload_mut`]).
macro_rules! payload_of {
    ($kind:expr) => {
        match $kind {
            EventKind::ExecutionStarted { input, .. }
            | EventKind::StateEntered { input, .. }
            | EventKind::ActivityScheduled { input, .. }
            | EventKind::LambdaFunctionScheduled { input, .. } => Some(input),
            EventKind::ExecutionSucceeded { output }
            | EventKind::StateExited { output, .. }
            | EventKind::TaskSubmitted { output, .. }
            | EventKind::TaskSucceeded { output, .. }
            | EventKind::ActivitySucceeded { output }
            | EventKind::LambdaFunctionSucceeded { output } => Some(output),
            EventKind::TaskScheduled { parameters, .. } => Some(parameters),
            _ => None,
        }
    };
}

impl EventKind {
    /// The event's type.
    pub fn event_type(&self) -> EventType {
        use EventType as T;
        match self {
            EventKind::ExecutionStarted { .. } => T::ExecutionStarted,
            EventKind::ExecutionSucceeded { .. } => T::ExecutionSucceeded,
            EventKind::ExecutionFailed { .. } => T::ExecutionFailed,
            EventKind::ExecutionAborted { .. } => T::ExecutionAborted,
            EventKind::ExecutionTimedOut { .. } => T::ExecutionTimedOut,
            EventKind::ExecutionRedriven { .. } => T::ExecutionRedriven,
            EventKind::StateEntered { state_type, .. } => state_type.entered(),
            // A Fail state is never exited; were one to be, its exit reads as Succeed's
            // (both end their strand).
            EventKind::StateExited { state_type, .. } => {
                state_type.exited().unwrap_or(T::SucceedStateExited)
            }
            EventKind::ParallelStateStarted => T::ParallelStateStarted,
            EventKind::ParallelStateSucceeded => T::ParallelStateSucceeded,
            EventKind::ParallelStateFailed => T::ParallelStateFailed,
            EventKind::ParallelStateAborted => T::ParallelStateAborted,
            EventKind::MapStateStarted { .. } => T::MapStateStarted,
            EventKind::MapStateSucceeded => T::MapStateSucceeded,
            EventKind::MapStateFailed => T::MapStateFailed,
            EventKind::MapStateAborted => T::MapStateAborted,
            EventKind::MapIteration { phase, .. } => phase.event_type(),
            EventKind::MapRunStarted { .. } => T::MapRunStarted,
            EventKind::MapRunSucceeded => T::MapRunSucceeded,
            EventKind::MapRunFailed { .. } => T::MapRunFailed,
            EventKind::MapRunAborted => T::MapRunAborted,
            EventKind::MapRunRedriven { .. } => T::MapRunRedriven,
            EventKind::EvaluationFailed { .. } => T::EvaluationFailed,
            EventKind::TaskScheduled { .. } => T::TaskScheduled,
            EventKind::TaskStarted { .. } => T::TaskStarted,
            EventKind::TaskStartFailed { .. } => T::TaskStartFailed,
            EventKind::TaskSubmitted { .. } => T::TaskSubmitted,
            EventKind::TaskSubmitFailed { .. } => T::TaskSubmitFailed,
            EventKind::TaskSucceeded { .. } => T::TaskSucceeded,
            EventKind::TaskFailed { .. } => T::TaskFailed,
            EventKind::TaskTimedOut { .. } => T::TaskTimedOut,
            EventKind::TaskStateAborted => T::TaskStateAborted,
            EventKind::WaitStateAborted => T::WaitStateAborted,
            EventKind::ActivityScheduled { .. } => T::ActivityScheduled,
            EventKind::ActivityScheduleFailed { .. } => T::ActivityScheduleFailed,
            EventKind::ActivityStarted { .. } => T::ActivityStarted,
            EventKind::ActivitySucceeded { .. } => T::ActivitySucceeded,
            EventKind::ActivityFailed { .. } => T::ActivityFailed,
            EventKind::ActivityTimedOut { .. } => T::ActivityTimedOut,
            EventKind::LambdaFunctionScheduled { .. } => T::LambdaFunctionScheduled,
            EventKind::LambdaFunctionScheduleFailed { .. } => T::LambdaFunctionScheduleFailed,
            EventKind::LambdaFunctionStarted => T::LambdaFunctionStarted,
            EventKind::LambdaFunctionStartFailed { .. } => T::LambdaFunctionStartFailed,
            EventKind::LambdaFunctionSucceeded { .. } => T::LambdaFunctionSucceeded,
            EventKind::LambdaFunctionFailed { .. } => T::LambdaFunctionFailed,
            EventKind::LambdaFunctionTimedOut { .. } => T::LambdaFunctionTimedOut,
        }
    }

    /// The state an event names: the state entered or exited, the Map state of an iteration,
    /// the state an evaluation failed in.
    pub fn state_name(&self) -> Option<&str> {
        match self {
            EventKind::StateEntered { name, .. }
            | EventKind::StateExited { name, .. }
            | EventKind::MapIteration { name, .. } => Some(name),
            EventKind::EvaluationFailed { state, .. } => Some(state),
            _ => None,
        }
    }

    /// The event's payload (its input, output or task parameters), if it has one: no event
    /// has more than one. The store keeps large payloads apart through this.
    pub fn payload(&self) -> Option<&Payload> {
        payload_of!(self)
    }

    /// The event's payload, to replace (see [`payload`](EventKind::payload)).
    pub fn payload_mut(&mut self) -> Option<&mut Payload> {
        payload_of!(self)
    }

    /// The error and cause of an event that records a failure (either may be absent).
    pub fn error_cause(&self) -> Option<(Option<&str>, Option<&str>)> {
        match self {
            EventKind::ExecutionFailed { error, cause }
            | EventKind::ExecutionAborted { error, cause }
            | EventKind::ExecutionTimedOut { error, cause }
            | EventKind::MapRunFailed { error, cause }
            | EventKind::TaskStartFailed { error, cause, .. }
            | EventKind::TaskSubmitFailed { error, cause, .. }
            | EventKind::TaskFailed { error, cause, .. }
            | EventKind::TaskTimedOut { error, cause, .. }
            | EventKind::ActivityScheduleFailed { error, cause }
            | EventKind::ActivityFailed { error, cause }
            | EventKind::ActivityTimedOut { error, cause }
            | EventKind::LambdaFunctionScheduleFailed { error, cause }
            | EventKind::LambdaFunctionStartFailed { error, cause }
            | EventKind::LambdaFunctionFailed { error, cause }
            | EventKind::LambdaFunctionTimedOut { error, cause } => {
                Some((error.as_deref(), cause.as_deref()))
            }
            EventKind::EvaluationFailed { error, cause, .. } => Some((Some(error), Some(cause))),
            _ => None,
        }
    }
}

/// An execution's events, in order.
#[derive(Debug, Default)]
pub struct History {
    events: Vec<Event>,
    /// How many events came before these (held in a journal, not here): a resumed
    /// execution's new events are numbered after its recorded ones.
    before: u64,
}

impl History {
    /// An empty history with room for `n` events before it grows.
    pub fn with_capacity(n: usize) -> History {
        History {
            events: Vec::with_capacity(n),
            before: 0,
        }
    }

    /// Makes room for `additional` more events at once, so that a history known to be about to
    /// grow by many (a Map's iterations) is not copied at every doubling on the way: each
    /// doubling briefly holds the old and the new buffer.
    pub fn reserve(&mut self, additional: usize) {
        self.events.reserve_exact(additional);
    }

    /// An empty history whose first event will be number `before + 1`.
    pub fn starting_after(before: u64) -> History {
        History {
            events: Vec::with_capacity(16),
            before,
        }
    }

    /// The id the next event will get.
    pub fn next_id(&self) -> u64 {
        self.before + self.events.len() as u64 + 1
    }

    /// The id of the last event so far (0 before the first).
    pub fn last_id(&self) -> u64 {
        self.next_id() - 1
    }

    /// Appends an event and returns its id.
    pub fn push(&mut self, previous_event_id: u64, timestamp: Timestamp, kind: EventKind) -> u64 {
        let id = self.next_id();
        self.events.push(Event {
            id,
            previous_event_id,
            timestamp,
            kind,
        });
        id
    }

    /// The events so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True before the first event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Takes the events out.
    pub fn into_events(self) -> Vec<Event> {
        self.events
    }
}
