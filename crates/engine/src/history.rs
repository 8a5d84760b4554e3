//! The execution history: the events `GetExecutionHistory` returns, recorded as they happen.
//!
//! Events hold their payloads as shared values (`Arc<Value>`): recording a state's input or
//! output costs a reference count, not a copy or a serialisation. Payloads become JSON text
//! only when the history is read ([`Event::to_aws_json`]).

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{json, Map, Value};

/// One history event.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
pub struct TaskResource {
    /// `resourceType`, e.g. `lambda`.
    pub resource_type: Arc<str>,
    /// `resource`, e.g. `invoke`.
    pub resource: Arc<str>,
}

/// What happened, with the details AWS records for it.
#[derive(Debug, Clone)]
pub enum EventKind {
    ExecutionStarted {
        input: Arc<Value>,
        role_arn: Arc<str>,
    },
    ExecutionSucceeded {
        output: Arc<Value>,
    },
    ExecutionFailed {
        error: Option<String>,
        cause: Option<String>,
    },
    ExecutionAborted {
        error: Option<String>,
        cause: Option<String>,
    },
    ExecutionTimedOut {
        error: Option<String>,
        cause: Option<String>,
    },
    /// `<Type>StateEntered`.
    StateEntered {
        state_type: &'static str,
        name: Arc<str>,
        input: Arc<Value>,
    },
    /// `<Type>StateExited`.
    StateExited {
        state_type: &'static str,
        name: Arc<str>,
        output: Arc<Value>,
        /// Variables the state assigned (`Assign`), shown as JSON text.
        assigned: Option<Box<Map<String, Value>>>,
    },
    /// Events with no details: `ParallelStateStarted`, `MapStateSucceeded`, `MapRunSucceeded`, ...
    Bare(&'static str),
    MapStateStarted {
        length: usize,
    },
    /// `MapIterationStarted` / `Succeeded` / `Failed` / `Aborted`.
    MapIteration {
        kind: &'static str,
        name: Arc<str>,
        index: usize,
    },
    MapRunStarted {
        map_run_arn: String,
    },
    MapRunFailed {
        error: Option<String>,
        cause: Option<String>,
    },
    EvaluationFailed {
        error: String,
        cause: String,
        location: Option<String>,
        state: Arc<str>,
    },
    TaskScheduled {
        resource: TaskResource,
        region: Arc<str>,
        parameters: Arc<Value>,
        timeout_seconds: Option<u64>,
        heartbeat_seconds: Option<u64>,
    },
    TaskStarted {
        resource: TaskResource,
    },
    TaskSucceeded {
        resource: TaskResource,
        output: Arc<Value>,
    },
    TaskFailed {
        resource: TaskResource,
        error: Option<String>,
        cause: Option<String>,
    },
    TaskTimedOut {
        resource: TaskResource,
        error: Option<String>,
        cause: Option<String>,
    },
    /// A `.sync` or `.waitForTaskToken` task handed its work over; `output` is the response.
    TaskSubmitted {
        resource: TaskResource,
        output: Arc<Value>,
    },
    ActivityScheduled {
        resource: Arc<str>,
        input: Arc<Value>,
        timeout_seconds: Option<u64>,
        heartbeat_seconds: Option<u64>,
    },
    /// A worker took the activity task (`GetActivityTask`).
    ActivityStarted {
        worker_name: Option<String>,
    },
    ActivitySucceeded {
        output: Arc<Value>,
    },
    ActivityFailed {
        error: Option<String>,
        cause: Option<String>,
    },
    ActivityTimedOut {
        error: Option<String>,
        cause: Option<String>,
    },
    LambdaFunctionScheduled {
        resource: Arc<str>,
        input: Arc<Value>,
        timeout_seconds: Option<u64>,
    },
    LambdaFunctionStarted,
    LambdaFunctionSucceeded {
        output: Arc<Value>,
    },
    LambdaFunctionFailed {
        error: Option<String>,
        cause: Option<String>,
    },
    LambdaFunctionTimedOut {
        error: Option<String>,
        cause: Option<String>,
    },
}

impl EventKind {
    /// The event's `type`.
    pub fn type_name(&self) -> String {
        match self {
            EventKind::ExecutionStarted { .. } => "ExecutionStarted".into(),
            EventKind::ExecutionSucceeded { .. } => "ExecutionSucceeded".into(),
            EventKind::ExecutionFailed { .. } => "ExecutionFailed".into(),
            EventKind::ExecutionAborted { .. } => "ExecutionAborted".into(),
            EventKind::ExecutionTimedOut { .. } => "ExecutionTimedOut".into(),
            EventKind::StateEntered { state_type, .. } => format!("{state_type}StateEntered"),
            EventKind::StateExited { state_type, .. } => format!("{state_type}StateExited"),
            EventKind::Bare(t) => (*t).into(),
            EventKind::MapStateStarted { .. } => "MapStateStarted".into(),
            EventKind::MapIteration { kind, .. } => format!("MapIteration{kind}"),
            EventKind::MapRunStarted { .. } => "MapRunStarted".into(),
            EventKind::MapRunFailed { .. } => "MapRunFailed".into(),
            EventKind::EvaluationFailed { .. } => "EvaluationFailed".into(),
            EventKind::TaskScheduled { .. } => "TaskScheduled".into(),
            EventKind::TaskStarted { .. } => "TaskStarted".into(),
            EventKind::TaskSucceeded { .. } => "TaskSucceeded".into(),
            EventKind::TaskFailed { .. } => "TaskFailed".into(),
            EventKind::TaskTimedOut { .. } => "TaskTimedOut".into(),
            EventKind::TaskSubmitted { .. } => "TaskSubmitted".into(),
            EventKind::ActivityScheduled { .. } => "ActivityScheduled".into(),
            EventKind::ActivityStarted { .. } => "ActivityStarted".into(),
            EventKind::ActivitySucceeded { .. } => "ActivitySucceeded".into(),
            EventKind::ActivityFailed { .. } => "ActivityFailed".into(),
            EventKind::ActivityTimedOut { .. } => "ActivityTimedOut".into(),
            EventKind::LambdaFunctionScheduled { .. } => "LambdaFunctionScheduled".into(),
            EventKind::LambdaFunctionStarted => "LambdaFunctionStarted".into(),
            EventKind::LambdaFunctionSucceeded { .. } => "LambdaFunctionSucceeded".into(),
            EventKind::LambdaFunctionFailed { .. } => "LambdaFunctionFailed".into(),
            EventKind::LambdaFunctionTimedOut { .. } => "LambdaFunctionTimedOut".into(),
        }
    }
}

fn text(v: &Value) -> Value {
    Value::String(serde_json::to_string(v).unwrap_or_default())
}

fn error_cause(error: &Option<String>, cause: &Option<String>) -> Value {
    let mut m = Map::new();
    if let Some(c) = cause {
        m.insert("cause".into(), json!(c));
    }
    if let Some(e) = error {
        m.insert("error".into(), json!(e));
    }
    Value::Object(m)
}

fn resource_details(r: &TaskResource) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("resource".into(), json!(&*r.resource));
    m.insert("resourceType".into(), json!(&*r.resource_type));
    m
}

impl Event {
    /// The event as `GetExecutionHistory` returns it: payloads as JSON text, details under
    /// `<camelCaseType>EventDetails`, timestamp in epoch seconds.
    pub fn to_aws_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "timestamp".into(),
            json!(self.timestamp.as_millisecond() as f64 / 1000.0),
        );
        m.insert("type".into(), json!(self.kind.type_name()));
        m.insert("id".into(), json!(self.id));
        m.insert("previousEventId".into(), json!(self.previous_event_id));
        if let Some((key, details)) = self.details() {
            m.insert(key.into(), details);
        }
        Value::Object(m)
    }

    fn details(&self) -> Option<(&'static str, Value)> {
        let truncated = json!({"truncated": false});
        Some(match &self.kind {
            EventKind::ExecutionStarted { input, role_arn } => (
                "executionStartedEventDetails",
                json!({"input": text(input), "inputDetails": truncated, "roleArn": &**role_arn}),
            ),
            EventKind::ExecutionSucceeded { output } => (
                "executionSucceededEventDetails",
                json!({"output": text(output), "outputDetails": truncated}),
            ),
            EventKind::ExecutionFailed { error, cause } => {
                ("executionFailedEventDetails", error_cause(error, cause))
            }
            EventKind::ExecutionAborted { error, cause } => {
                ("executionAbortedEventDetails", error_cause(error, cause))
            }
            EventKind::ExecutionTimedOut { error, cause } => {
                ("executionTimedOutEventDetails", error_cause(error, cause))
            }
            EventKind::StateEntered { name, input, .. } => (
                "stateEnteredEventDetails",
                json!({"name": &**name, "input": text(input), "inputDetails": truncated}),
            ),
            EventKind::StateExited {
                name,
                output,
                assigned,
                ..
            } => {
                let mut d =
                    json!({"name": &**name, "output": text(output), "outputDetails": truncated});
                if let (Some(vars), Value::Object(m)) = (assigned, &mut d) {
                    let shown: Map<String, Value> =
                        vars.iter().map(|(k, v)| (k.clone(), text(v))).collect();
                    m.insert("assignedVariables".into(), Value::Object(shown));
                    m.insert(
                        "assignedVariablesDetails".into(),
                        json!({"truncated": false}),
                    );
                }
                ("stateExitedEventDetails", d)
            }
            EventKind::Bare(_) | EventKind::LambdaFunctionStarted => return None,
            EventKind::MapStateStarted { length } => {
                ("mapStateStartedEventDetails", json!({"length": length}))
            }
            EventKind::MapIteration { kind, name, index } => {
                let key = match *kind {
                    "Started" => "mapIterationStartedEventDetails",
                    "Succeeded" => "mapIterationSucceededEventDetails",
                    "Failed" => "mapIterationFailedEventDetails",
                    _ => "mapIterationAbortedEventDetails",
                };
                (key, json!({"name": &**name, "index": index}))
            }
            EventKind::MapRunStarted { map_run_arn } => (
                "mapRunStartedEventDetails",
                json!({"mapRunArn": map_run_arn}),
            ),
            EventKind::MapRunFailed { error, cause } => {
                ("mapRunFailedEventDetails", error_cause(error, cause))
            }
            EventKind::EvaluationFailed {
                error,
                cause,
                location,
                state,
            } => {
                let mut d = json!({"error": error, "cause": cause, "state": &**state});
                if let (Some(l), Value::Object(m)) = (location, &mut d) {
                    m.insert("location".into(), json!(l));
                }
                ("evaluationFailedEventDetails", d)
            }
            EventKind::TaskScheduled {
                resource,
                region,
                parameters,
                timeout_seconds,
                heartbeat_seconds,
            } => {
                let mut d = resource_details(resource);
                d.insert("region".into(), json!(&**region));
                d.insert("parameters".into(), text(parameters));
                if let Some(t) = timeout_seconds {
                    d.insert("timeoutInSeconds".into(), json!(t));
                }
                if let Some(h) = heartbeat_seconds {
                    d.insert("heartbeatInSeconds".into(), json!(h));
                }
                ("taskScheduledEventDetails", Value::Object(d))
            }
            EventKind::TaskStarted { resource } => (
                "taskStartedEventDetails",
                Value::Object(resource_details(resource)),
            ),
            EventKind::TaskSucceeded { resource, output } => {
                let mut d = resource_details(resource);
                d.insert("output".into(), text(output));
                d.insert("outputDetails".into(), truncated);
                ("taskSucceededEventDetails", Value::Object(d))
            }
            EventKind::TaskFailed {
                resource,
                error,
                cause,
            }
            | EventKind::TaskTimedOut {
                resource,
                error,
                cause,
            } => {
                let mut d = resource_details(resource);
                if let Value::Object(ec) = error_cause(error, cause) {
                    d.extend(ec);
                }
                let key = if matches!(self.kind, EventKind::TaskFailed { .. }) {
                    "taskFailedEventDetails"
                } else {
                    "taskTimedOutEventDetails"
                };
                (key, Value::Object(d))
            }
            EventKind::TaskSubmitted { resource, output } => {
                let mut d = resource_details(resource);
                d.insert("output".into(), text(output));
                d.insert("outputDetails".into(), truncated);
                ("taskSubmittedEventDetails", Value::Object(d))
            }
            EventKind::ActivityScheduled {
                resource,
                input,
                timeout_seconds,
                heartbeat_seconds,
            } => {
                let mut d = Map::new();
                d.insert("resource".into(), json!(&**resource));
                d.insert("input".into(), text(input));
                d.insert("inputDetails".into(), truncated);
                if let Some(t) = timeout_seconds {
                    d.insert("timeoutInSeconds".into(), json!(t));
                }
                if let Some(h) = heartbeat_seconds {
                    d.insert("heartbeatInSeconds".into(), json!(h));
                }
                ("activityScheduledEventDetails", Value::Object(d))
            }
            EventKind::ActivityStarted { worker_name } => {
                let mut d = Map::new();
                if let Some(w) = worker_name {
                    d.insert("workerName".into(), json!(w));
                }
                ("activityStartedEventDetails", Value::Object(d))
            }
            EventKind::ActivitySucceeded { output } => (
                "activitySucceededEventDetails",
                json!({"output": text(output), "outputDetails": truncated}),
            ),
            EventKind::ActivityFailed { error, cause } => {
                ("activityFailedEventDetails", error_cause(error, cause))
            }
            EventKind::ActivityTimedOut { error, cause } => {
                ("activityTimedOutEventDetails", error_cause(error, cause))
            }
            EventKind::LambdaFunctionScheduled {
                resource,
                input,
                timeout_seconds,
            } => {
                let mut d = json!({"resource": &**resource, "input": text(input), "inputDetails": truncated});
                if let (Some(t), Value::Object(m)) = (timeout_seconds, &mut d) {
                    m.insert("timeoutInSeconds".into(), json!(t));
                }
                ("lambdaFunctionScheduledEventDetails", d)
            }
            EventKind::LambdaFunctionSucceeded { output } => (
                "lambdaFunctionSucceededEventDetails",
                json!({"output": text(output), "outputDetails": truncated}),
            ),
            EventKind::LambdaFunctionFailed { error, cause } => (
                "lambdaFunctionFailedEventDetails",
                error_cause(error, cause),
            ),
            EventKind::LambdaFunctionTimedOut { error, cause } => (
                "lambdaFunctionTimedOutEventDetails",
                error_cause(error, cause),
            ),
        })
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
