//! History events to and from AWS's JSON, with serde.
//!
//! An event as `GetExecutionHistory` returns it:
//! `{"timestamp": 1.7e9, "type": "TaskSucceeded", "id": 7, "previousEventId": 6,
//!   "taskSucceededEventDetails": {...}}`. The store keeps the same thing in parts: the type,
//! the id, the time, and the details member as JSON text (`{"taskSucceededEventDetails":
//! {...}}`). Both forms are written by the [`Serialize`] impls here and read by the
//! [`DeserializeSeed`] that picks the details' shape from the event type.

use std::fmt;

use jiff::Timestamp;
use serde::de::{self, DeserializeSeed};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::read_details::DetailsSeed;
use super::{Event, EventKind, EventType, TaskResource};

/// A stored or received event that cannot be read.
#[derive(Debug)]
pub struct HistoryError(String);

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unreadable history event: {}", self.0)
    }
}

impl std::error::Error for HistoryError {}

impl Event {
    /// The event as `GetExecutionHistory` returns it: payloads as JSON text, details under
    /// `<camelCaseType>EventDetails`, timestamp in epoch seconds.
    pub fn to_aws_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// An event in AWS's JSON (as [`to_aws_json`](Event::to_aws_json) writes it).
    pub fn from_aws_json(json: Value) -> Result<Event, HistoryError> {
        serde_json::from_value(json).map_err(|e| HistoryError(e.to_string()))
    }
}

impl EventKind {
    /// The details member as stored: `{"<type>EventDetails": {...}}`, or `None` for an event
    /// without details.
    pub fn details_json(&self) -> Option<String> {
        let key = self.event_type().details_key()?;
        let mut out = Vec::with_capacity(128);
        let mut ser = serde_json::Serializer::new(&mut out);
        let written = (|| {
            let mut map = ser.serialize_map(Some(1))?;
            map.serialize_entry(key, &Details(self))?;
            map.end()
        })();
        // Writing to a Vec fails only if a value cannot be written as JSON, and every field
        // here can.
        written.ok()?;
        String::from_utf8(out).ok()
    }

    /// The event of type `event_type` with the stored details member (`details_json`'s text).
    pub fn from_stored(event_type: EventType, details: Option<&str>) -> Result<Self, HistoryError> {
        let seed = DetailsSeed(event_type);
        let read = match details {
            Some(text) => seed.deserialize(&mut serde_json::Deserializer::from_str(text)),
            None => seed.deserialize(Value::Object(Map::new())),
        };
        read.map_err(|e| HistoryError(format!("{event_type}: {e}")))
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let event_type = self.kind.event_type();
        let key = event_type.details_key();
        let mut map = s.serialize_map(Some(4 + usize::from(key.is_some())))?;
        map.serialize_entry(
            "timestamp",
            &(self.timestamp.as_millisecond() as f64 / 1000.0),
        )?;
        map.serialize_entry("type", &event_type)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("previousEventId", &self.previous_event_id)?;
        if let Some(key) = key {
            map.serialize_entry(key, &Details(&self.kind))?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        // The type may come after the details, so the event is read whole first.
        let mut map = Map::<String, Value>::deserialize(d)?;
        let field = |map: &mut Map<String, Value>, name: &str| {
            map.remove(name)
                .ok_or_else(|| de::Error::custom(format!("missing field `{name}`")))
        };
        let event_type: EventType =
            serde_json::from_value(field(&mut map, "type")?).map_err(de::Error::custom)?;
        let id = field(&mut map, "id")?.as_u64().unwrap_or(0);
        let previous_event_id = map
            .remove("previousEventId")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        let seconds = field(&mut map, "timestamp")?.as_f64().unwrap_or(0.0);
        let timestamp = Timestamp::from_millisecond((seconds * 1000.0).round() as i64)
            .map_err(de::Error::custom)?;
        let kind = DetailsSeed(event_type)
            .deserialize(Value::Object(map))
            .map_err(de::Error::custom)?;
        Ok(Event {
            id,
            previous_event_id,
            timestamp,
            kind,
        })
    }
}

/// `{"truncated": false}`: Switchback never truncates a payload in the history.
#[derive(Serialize)]
struct NotTruncated {
    truncated: bool,
}

const NOT_TRUNCATED: NotTruncated = NotTruncated { truncated: false };

/// The details of an event, written field by field from the borrowed event (no copies).
struct Details<'a>(&'a EventKind);

impl Serialize for Details<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self.0 {
            EventKind::ExecutionStarted { input, role_arn } => {
                m.serialize_entry("input", input)?;
                m.serialize_entry("inputDetails", &NOT_TRUNCATED)?;
                m.serialize_entry("roleArn", &**role_arn)?;
            }
            EventKind::ExecutionSucceeded { output }
            | EventKind::ActivitySucceeded { output }
            | EventKind::LambdaFunctionSucceeded { output } => {
                m.serialize_entry("output", output)?;
                m.serialize_entry("outputDetails", &NOT_TRUNCATED)?;
            }
            EventKind::ExecutionFailed { error, cause }
            | EventKind::ExecutionAborted { error, cause }
            | EventKind::ExecutionTimedOut { error, cause }
            | EventKind::MapRunFailed { error, cause }
            | EventKind::ActivityScheduleFailed { error, cause }
            | EventKind::ActivityFailed { error, cause }
            | EventKind::ActivityTimedOut { error, cause }
            | EventKind::LambdaFunctionScheduleFailed { error, cause }
            | EventKind::LambdaFunctionStartFailed { error, cause }
            | EventKind::LambdaFunctionFailed { error, cause }
            | EventKind::LambdaFunctionTimedOut { error, cause } => {
                error_cause(&mut m, error, cause)?;
            }
            EventKind::ExecutionRedriven { redrive_count } => {
                m.serialize_entry("redriveCount", redrive_count)?;
            }
            EventKind::StateEntered { name, input, .. } => {
                m.serialize_entry("name", &**name)?;
                m.serialize_entry("input", input)?;
                m.serialize_entry("inputDetails", &NOT_TRUNCATED)?;
            }
            EventKind::StateExited {
                name,
                output,
                assigned,
                ..
            } => {
                m.serialize_entry("name", &**name)?;
                m.serialize_entry("output", output)?;
                m.serialize_entry("outputDetails", &NOT_TRUNCATED)?;
                if let Some(vars) = assigned {
                    m.serialize_entry("assignedVariables", &AssignedAsText(vars))?;
                    m.serialize_entry("assignedVariablesDetails", &NOT_TRUNCATED)?;
                }
            }
            EventKind::MapStateStarted { length } => m.serialize_entry("length", length)?,
            EventKind::MapIteration { name, index, .. } => {
                m.serialize_entry("name", &**name)?;
                m.serialize_entry("index", index)?;
            }
            EventKind::MapRunStarted { map_run_arn } => {
                m.serialize_entry("mapRunArn", map_run_arn)?;
            }
            EventKind::MapRunRedriven {
                map_run_arn,
                redrive_count,
            } => {
                m.serialize_entry("mapRunArn", map_run_arn)?;
                m.serialize_entry("redriveCount", redrive_count)?;
            }
            EventKind::EvaluationFailed {
                error,
                cause,
                location,
                state,
            } => {
                m.serialize_entry("error", error)?;
                m.serialize_entry("cause", cause)?;
                m.serialize_entry("state", &**state)?;
                if let Some(l) = location {
                    m.serialize_entry("location", l)?;
                }
            }
            EventKind::TaskScheduled {
                resource,
                region,
                parameters,
                timeout_seconds,
                heartbeat_seconds,
            } => {
                task_resource(&mut m, resource)?;
                m.serialize_entry("region", &**region)?;
                m.serialize_entry("parameters", parameters)?;
                optional(&mut m, "timeoutInSeconds", timeout_seconds)?;
                optional(&mut m, "heartbeatInSeconds", heartbeat_seconds)?;
            }
            EventKind::TaskStarted { resource } => task_resource(&mut m, resource)?,
            EventKind::TaskSubmitted { resource, output }
            | EventKind::TaskSucceeded { resource, output } => {
                task_resource(&mut m, resource)?;
                m.serialize_entry("output", output)?;
                m.serialize_entry("outputDetails", &NOT_TRUNCATED)?;
            }
            EventKind::TaskStartFailed {
                resource,
                error,
                cause,
            }
            | EventKind::TaskSubmitFailed {
                resource,
                error,
                cause,
            }
            | EventKind::TaskFailed {
                resource,
                error,
                cause,
            }
            | EventKind::TaskTimedOut {
                resource,
                error,
                cause,
            } => {
                task_resource(&mut m, resource)?;
                error_cause(&mut m, error, cause)?;
            }
            EventKind::ActivityScheduled {
                resource,
                input,
                timeout_seconds,
                heartbeat_seconds,
            } => {
                m.serialize_entry("resource", &**resource)?;
                m.serialize_entry("input", input)?;
                m.serialize_entry("inputDetails", &NOT_TRUNCATED)?;
                optional(&mut m, "timeoutInSeconds", timeout_seconds)?;
                optional(&mut m, "heartbeatInSeconds", heartbeat_seconds)?;
            }
            EventKind::ActivityStarted { worker_name } => {
                optional(&mut m, "workerName", worker_name)?;
            }
            EventKind::LambdaFunctionScheduled {
                resource,
                input,
                timeout_seconds,
            } => {
                m.serialize_entry("resource", &**resource)?;
                m.serialize_entry("input", input)?;
                m.serialize_entry("inputDetails", &NOT_TRUNCATED)?;
                optional(&mut m, "timeoutInSeconds", timeout_seconds)?;
            }
            EventKind::ParallelStateStarted
            | EventKind::ParallelStateSucceeded
            | EventKind::ParallelStateFailed
            | EventKind::ParallelStateAborted
            | EventKind::MapStateSucceeded
            | EventKind::MapStateFailed
            | EventKind::MapStateAborted
            | EventKind::MapRunSucceeded
            | EventKind::MapRunAborted
            | EventKind::TaskStateAborted
            | EventKind::WaitStateAborted
            | EventKind::LambdaFunctionStarted => {}
        }
        m.end()
    }
}

fn error_cause<M: SerializeMap>(
    m: &mut M,
    error: &Option<String>,
    cause: &Option<String>,
) -> Result<(), M::Error> {
    optional(m, "cause", cause)?;
    optional(m, "error", error)
}

fn task_resource<M: SerializeMap>(m: &mut M, r: &TaskResource) -> Result<(), M::Error> {
    m.serialize_entry("resource", &*r.resource)?;
    m.serialize_entry("resourceType", &*r.resource_type)
}

fn optional<M: SerializeMap, T: Serialize>(
    m: &mut M,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => m.serialize_entry(key, v),
        None => Ok(()),
    }
}

/// Assigned variables as AWS shows them: each value as JSON text.
struct AssignedAsText<'a>(&'a switchback_json::Object);

impl Serialize for AssignedAsText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (&**k, JsonText(v))))
    }
}

/// A value written as its JSON text, without copying it (as [`Payload`](super::Payload) writes its values).
struct JsonText<'a>(&'a switchback_json::Json);

impl Serialize for JsonText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{IterationPhase, Payload, StateType};
    use serde_json::json;

    fn resource() -> TaskResource {
        TaskResource {
            resource_type: "lambda".into(),
            resource: "invoke".into(),
        }
    }

    /// One event of every shape the engine writes.
    fn samples() -> Vec<EventKind> {
        let payload = || Payload::from(json!({"a": [1, "x"]}));
        vec![
            EventKind::ExecutionStarted {
                input: payload(),
                role_arn: "arn:aws:iam::123456789012:role/r".into(),
            },
            EventKind::ExecutionSucceeded { output: payload() },
            EventKind::ExecutionFailed {
                error: Some("E".into()),
                cause: None,
            },
            EventKind::ExecutionAborted {
                error: None,
                cause: None,
            },
            EventKind::ExecutionRedriven { redrive_count: 2 },
            EventKind::StateEntered {
                state_type: StateType::Choice,
                name: "Pick".into(),
                input: payload(),
            },
            EventKind::StateExited {
                state_type: StateType::Task,
                name: "Call".into(),
                output: payload(),
                assigned: Some(Box::new(
                    switchback_json::json!({"n": 1, "s": "t"})
                        .as_object()
                        .unwrap()
                        .clone(),
                )),
            },
            EventKind::ParallelStateStarted,
            EventKind::MapStateStarted { length: 3 },
            EventKind::MapIteration {
                phase: IterationPhase::Failed,
                name: "Each".into(),
                index: 2,
            },
            EventKind::MapRunStarted {
                map_run_arn: "arn:aws:states:us-east-1:123456789012:mapRun:m/x:y".into(),
            },
            EventKind::EvaluationFailed {
                error: "States.QueryEvaluationError".into(),
                cause: "c".into(),
                location: Some("Arguments".into()),
                state: "S".into(),
            },
            EventKind::TaskScheduled {
                resource: resource(),
                region: "us-east-1".into(),
                parameters: payload(),
                timeout_seconds: Some(5),
                heartbeat_seconds: None,
            },
            EventKind::TaskStarted {
                resource: resource(),
            },
            EventKind::TaskSubmitted {
                resource: resource(),
                output: payload(),
            },
            EventKind::TaskSucceeded {
                resource: resource(),
                output: payload(),
            },
            EventKind::TaskTimedOut {
                resource: resource(),
                error: Some("States.Timeout".into()),
                cause: None,
            },
            EventKind::ActivityScheduled {
                resource: "arn:aws:states:us-east-1:123456789012:activity:a".into(),
                input: payload(),
                timeout_seconds: None,
                heartbeat_seconds: Some(9),
            },
            EventKind::ActivityStarted {
                worker_name: Some("w".into()),
            },
            EventKind::LambdaFunctionScheduled {
                resource: "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
                input: payload(),
                timeout_seconds: Some(3),
            },
            EventKind::LambdaFunctionStarted,
            EventKind::LambdaFunctionFailed {
                error: Some("E".into()),
                cause: Some("c".into()),
            },
        ]
    }

    #[test]
    fn every_event_survives_the_store_round_trip() {
        for kind in samples() {
            let t = kind.event_type();
            let stored = kind.details_json();
            assert_eq!(stored.is_some(), t.details_key().is_some(), "{t}");
            let back = EventKind::from_stored(t, stored.as_deref()).unwrap();
            assert_eq!(back, kind, "{t}");
        }
    }

    #[test]
    fn every_event_survives_aws_json() {
        for (i, kind) in samples().into_iter().enumerate() {
            let event = Event {
                id: i as u64 + 2,
                previous_event_id: i as u64 + 1,
                timestamp: Timestamp::from_millisecond(1_700_000_000_123).unwrap(),
                kind,
            };
            let json = event.to_aws_json();
            assert_eq!(json["type"], event.kind.event_type().as_str());
            assert_eq!(Event::from_aws_json(json).unwrap(), event);
        }
    }

    #[test]
    fn payloads_are_json_text_as_aws_writes_them() {
        let event = Event {
            id: 1,
            previous_event_id: 0,
            timestamp: Timestamp::from_second(1).unwrap(),
            kind: EventKind::ExecutionStarted {
                input: Payload::from(json!({"k": "v"})),
                role_arn: "r".into(),
            },
        };
        assert_eq!(
            event.to_aws_json(),
            json!({"timestamp": 1.0, "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
                "executionStartedEventDetails": {"input": "{\"k\":\"v\"}",
                    "inputDetails": {"truncated": false}, "roleArn": "r"}})
        );
    }

    #[test]
    fn unreadable_details_are_an_error_not_a_panic() {
        assert!(EventKind::from_stored(EventType::TaskScheduled, Some("{")).is_err());
        assert!(EventKind::from_stored(EventType::TaskScheduled, None).is_err());
        assert!(EventKind::from_stored(EventType::PassStateEntered, Some("[1]")).is_err());
        assert_eq!(
            EventKind::from_stored(EventType::MapStateSucceeded, None).unwrap(),
            EventKind::MapStateSucceeded
        );
    }
}
