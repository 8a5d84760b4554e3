//! Reading the details member of a stored or received event, in the shape its type says.
//!
//! The event type comes first (a column in the store, the `type` member in AWS's JSON), so
//! the reader knows which shape to expect and reads the details straight into it: a
//! [`DeserializeSeed`] keyed by the type, with one small struct per shape. Payloads stay JSON
//! text ([`Payload::Text`]) until somebody needs their values.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::{EventKind, EventType, Payload, StateEvent, TaskResource};

// The shapes of the details members, for reading. Field names are AWS's.

#[derive(Deserialize)]
struct ErrorCause {
    error: Option<String>,
    cause: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecutionStarted {
    input: Payload,
    #[serde(default)]
    role_arn: String,
}

#[derive(Deserialize)]
struct Output {
    output: Payload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Redriven {
    redrive_count: u64,
}

#[derive(Deserialize)]
struct StateEntered {
    name: String,
    input: Payload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateExited {
    name: String,
    output: Payload,
    assigned_variables: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct MapStateStarted {
    length: usize,
}

#[derive(Deserialize)]
struct Iteration {
    name: String,
    index: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MapRun {
    map_run_arn: String,
    #[serde(default)]
    redrive_count: u64,
}

#[derive(Deserialize)]
struct EvaluationFailed {
    error: String,
    cause: String,
    location: Option<String>,
    state: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Task {
    resource: String,
    resource_type: String,
    region: Option<String>,
    parameters: Option<Payload>,
    output: Option<Payload>,
    error: Option<String>,
    cause: Option<String>,
    timeout_in_seconds: Option<u64>,
    heartbeat_in_seconds: Option<u64>,
}

impl Task {
    fn resource(&self) -> TaskResource {
        TaskResource {
            resource_type: self.resource_type.as_str().into(),
            resource: self.resource.as_str().into(),
        }
    }

    fn output(self) -> Payload {
        self.output
            .unwrap_or(Payload::Value(switchback_json::Json::Null))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Scheduled {
    resource: String,
    input: Payload,
    timeout_in_seconds: Option<u64>,
    heartbeat_in_seconds: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActivityStarted {
    worker_name: Option<String>,
}

/// Reads the details member of an event of a known type.
pub(super) struct DetailsSeed(pub(super) EventType);

impl<'de> DeserializeSeed<'de> for DetailsSeed {
    type Value = EventKind;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<EventKind, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DetailsSeed {
    type Value = EventKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the details of a {} event", self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EventKind, A::Error> {
        let wanted = self.0.details_key();
        let mut kind = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if kind.is_none() && Some(&*key) == wanted {
                kind = Some(read_details(self.0, &mut map)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        match kind {
            Some(kind) => Ok(kind),
            None => without_details(self.0).ok_or_else(|| {
                de::Error::custom(format!("missing `{}`", wanted.unwrap_or_default()))
            }),
        }
    }
}

/// The events that carry no details.
fn without_details(t: EventType) -> Option<EventKind> {
    Some(match t {
        EventType::ParallelStateStarted => EventKind::ParallelStateStarted,
        EventType::ParallelStateSucceeded => EventKind::ParallelStateSucceeded,
        EventType::ParallelStateFailed => EventKind::ParallelStateFailed,
        EventType::ParallelStateAborted => EventKind::ParallelStateAborted,
        EventType::MapStateSucceeded => EventKind::MapStateSucceeded,
        EventType::MapStateFailed => EventKind::MapStateFailed,
        EventType::MapStateAborted => EventKind::MapStateAborted,
        EventType::MapRunSucceeded => EventKind::MapRunSucceeded,
        EventType::MapRunAborted => EventKind::MapRunAborted,
        EventType::TaskStateAborted => EventKind::TaskStateAborted,
        EventType::WaitStateAborted => EventKind::WaitStateAborted,
        EventType::LambdaFunctionStarted => EventKind::LambdaFunctionStarted,
        _ => return None,
    })
}

/// Reads the value of the details member, in the shape of event type `t`.
fn read_details<'de, A: MapAccess<'de>>(t: EventType, map: &mut A) -> Result<EventKind, A::Error> {
    use EventType as T;
    if let Some(state) = t.state_event() {
        return Ok(match state {
            StateEvent::Entered(state_type) => {
                let d: StateEntered = map.next_value()?;
                EventKind::StateEntered {
                    state_type,
                    name: d.name.into(),
                    input: d.input,
                }
            }
            StateEvent::Exited(state_type) => {
                let d: StateExited = map.next_value()?;
                EventKind::StateExited {
                    state_type,
                    name: d.name.into(),
                    output: d.output,
                    assigned: d
                        .assigned_variables
                        .map(|vars| Box::new(parse_assigned(vars))),
                }
            }
        });
    }
    if let Some(phase) = t.iteration_phase() {
        let d: Iteration = map.next_value()?;
        return Ok(EventKind::MapIteration {
            phase,
            name: d.name.into(),
            index: d.index,
        });
    }
    let error_cause = |d: ErrorCause| (d.error, d.cause);
    Ok(match t {
        T::ExecutionStarted => {
            let d: ExecutionStarted = map.next_value()?;
            EventKind::ExecutionStarted {
                input: d.input,
                role_arn: d.role_arn.into(),
            }
        }
        T::ExecutionSucceeded => EventKind::ExecutionSucceeded {
            output: map.next_value::<Output>()?.output,
        },
        T::ActivitySucceeded => EventKind::ActivitySucceeded {
            output: map.next_value::<Output>()?.output,
        },
        T::LambdaFunctionSucceeded => EventKind::LambdaFunctionSucceeded {
            output: map.next_value::<Output>()?.output,
        },
        T::ExecutionRedriven => EventKind::ExecutionRedriven {
            redrive_count: map.next_value::<Redriven>()?.redrive_count,
        },
        T::MapStateStarted => EventKind::MapStateStarted {
            length: map.next_value::<MapStateStarted>()?.length,
        },
        T::MapRunStarted => EventKind::MapRunStarted {
            map_run_arn: map.next_value::<MapRun>()?.map_run_arn,
        },
        T::MapRunRedriven => {
            let d: MapRun = map.next_value()?;
            EventKind::MapRunRedriven {
                map_run_arn: d.map_run_arn,
                redrive_count: d.redrive_count,
            }
        }
        T::EvaluationFailed => {
            let d: EvaluationFailed = map.next_value()?;
            EventKind::EvaluationFailed {
                error: d.error,
                cause: d.cause,
                location: d.location,
                state: d.state.into(),
            }
        }
        T::TaskScheduled => {
            let d: Task = map.next_value()?;
            EventKind::TaskScheduled {
                resource: d.resource(),
                region: d.region.unwrap_or_default().into(),
                parameters: d
                    .parameters
                    .unwrap_or(Payload::Value(switchback_json::Json::Null)),
                timeout_seconds: d.timeout_in_seconds,
                heartbeat_seconds: d.heartbeat_in_seconds,
            }
        }
        T::TaskStarted => EventKind::TaskStarted {
            resource: map.next_value::<Task>()?.resource(),
        },
        T::TaskSubmitted | T::TaskSucceeded => {
            let d: Task = map.next_value()?;
            let resource = d.resource();
            let output = d.output();
            if t == T::TaskSubmitted {
                EventKind::TaskSubmitted { resource, output }
            } else {
                EventKind::TaskSucceeded { resource, output }
            }
        }
        T::TaskStartFailed | T::TaskSubmitFailed | T::TaskFailed | T::TaskTimedOut => {
            let d: Task = map.next_value()?;
            let (resource, error, cause) = (d.resource(), d.error, d.cause);
            match t {
                T::TaskStartFailed => EventKind::TaskStartFailed {
                    resource,
                    error,
                    cause,
                },
                T::TaskSubmitFailed => EventKind::TaskSubmitFailed {
                    resource,
                    error,
                    cause,
                },
                T::TaskFailed => EventKind::TaskFailed {
                    resource,
                    error,
                    cause,
                },
                _ => EventKind::TaskTimedOut {
                    resource,
                    error,
                    cause,
                },
            }
        }
        T::ActivityScheduled => {
            let d: Scheduled = map.next_value()?;
            EventKind::ActivityScheduled {
                resource: d.resource.into(),
                input: d.input,
                timeout_seconds: d.timeout_in_seconds,
                heartbeat_seconds: d.heartbeat_in_seconds,
            }
        }
        T::ActivityStarted => EventKind::ActivityStarted {
            worker_name: map.next_value::<ActivityStarted>()?.worker_name,
        },
        T::LambdaFunctionScheduled => {
            let d: Scheduled = map.next_value()?;
            EventKind::LambdaFunctionScheduled {
                resource: d.resource.into(),
                input: d.input,
                timeout_seconds: d.timeout_in_seconds,
            }
        }
        _ => {
            let (error, cause) = error_cause(map.next_value::<ErrorCause>()?);
            match t {
                T::ExecutionFailed => EventKind::ExecutionFailed { error, cause },
                T::ExecutionAborted => EventKind::ExecutionAborted { error, cause },
                T::ExecutionTimedOut => EventKind::ExecutionTimedOut { error, cause },
                T::MapRunFailed => EventKind::MapRunFailed { error, cause },
                T::ActivityScheduleFailed => EventKind::ActivityScheduleFailed { error, cause },
                T::ActivityFailed => EventKind::ActivityFailed { error, cause },
                T::ActivityTimedOut => EventKind::ActivityTimedOut { error, cause },
                T::LambdaFunctionScheduleFailed => {
                    EventKind::LambdaFunctionScheduleFailed { error, cause }
                }
                T::LambdaFunctionStartFailed => {
                    EventKind::LambdaFunctionStartFailed { error, cause }
                }
                T::LambdaFunctionFailed => EventKind::LambdaFunctionFailed { error, cause },
                T::LambdaFunctionTimedOut => EventKind::LambdaFunctionTimedOut { error, cause },
                // Every other type was read above or has no details.
                other => without_details(other).ok_or_else(|| {
                    de::Error::custom(format!("no reader for the details of {other}"))
                })?,
            }
        }
    })
}

/// Assigned variables as stored (each value as JSON text) back to values.
fn parse_assigned(vars: Map<String, Value>) -> switchback_json::Object {
    vars.into_iter()
        .map(|(k, v)| {
            let value = match &v {
                Value::String(text) => switchback_json::Json::parse(text)
                    .unwrap_or_else(|_| switchback_json::Json::from(v)),
                _ => switchback_json::Json::from(v),
            };
            (k, value)
        })
        .collect()
}
