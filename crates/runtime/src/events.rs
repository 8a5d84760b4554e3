//! History events between the engine and the store: an engine [`Event`] becomes a stored row
//! (its AWS shape, as `GetExecutionHistory` returns it, plus its place), and a stored row
//! becomes what a resumed execution needs to know of it ([`Recorded`]).

use jiff::Timestamp;
use serde_json::Value;
use switchback_engine::task::TaskOutcome;
use switchback_engine::{Event, Place, Recorded};
use switchback_store::executions::EventRow;

/// An event in `GetExecutionHistory`'s shape, from its row; `timestamp` is given as the API
/// writes it.
pub fn row_to_aws_json(row: &EventRow, timestamp: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("timestamp".into(), timestamp);
    m.insert("type".into(), Value::String(row.kind.clone()));
    m.insert("id".into(), row.id.into());
    m.insert("previousEventId".into(), row.previous_id.into());
    if let Some(Ok(Value::Object(details))) =
        row.details.as_deref().map(serde_json::from_str::<Value>)
    {
        m.extend(details);
    }
    Value::Object(m)
}

/// The stored row of an event.
pub fn to_row(event: &Event, place: Place) -> EventRow {
    // Everything but the columns of their own: the `*EventDetails` member, under its name.
    let details = match event.to_aws_json() {
        Value::Object(mut m) => {
            for key in ["timestamp", "type", "id", "previousEventId"] {
                m.remove(key);
            }
            (!m.is_empty()).then(|| Value::Object(m).to_string())
        }
        _ => None,
    };
    EventRow {
        id: event.id as i64,
        previous_id: event.previous_event_id as i64,
        timestamp: micros(event.timestamp),
        kind: event.kind.type_name(),
        details,
        lane: place.lane as i64,
        ordinal: i64::from(place.ordinal),
    }
}

/// Microseconds since the Unix epoch.
pub fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

/// The time `micros` microseconds after the Unix epoch.
pub fn timestamp(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// What a resumed execution needs to know of a stored event.
pub fn to_recorded(row: &EventRow) -> (Place, Recorded) {
    let place = Place {
        lane: row.lane as u64,
        ordinal: row.ordinal as u32,
    };
    let recorded = Recorded {
        id: row.id as u64,
        timestamp: timestamp(row.timestamp),
        task_outcome: task_outcome(row),
    };
    (place, recorded)
}

/// How a task ended, for the events that end one.
fn task_outcome(row: &EventRow) -> Option<TaskOutcome> {
    // The one `*EventDetails` member's value.
    let details = || -> Value {
        row.details
            .as_deref()
            .and_then(|d| serde_json::from_str::<serde_json::Map<String, Value>>(d).ok())
            .and_then(|m| m.into_iter().next().map(|(_, v)| v))
            .unwrap_or(Value::Null)
    };
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    match row.kind.as_str() {
        "TaskSucceeded" | "LambdaFunctionSucceeded" | "ActivitySucceeded" | "TaskSubmitted" => {
            let d = details();
            let output = d
                .get("output")
                .and_then(Value::as_str)
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(Value::Null);
            Some(if row.kind == "TaskSubmitted" {
                TaskOutcome::Submitted(output)
            } else {
                TaskOutcome::Succeeded(output)
            })
        }
        "ActivityStarted" => Some(TaskOutcome::Started {
            worker_name: details()
                .get("workerName")
                .and_then(Value::as_str)
                .map(str::to_string),
        }),
        "TaskFailed" | "LambdaFunctionFailed" | "ActivityFailed" => {
            let d = details();
            Some(TaskOutcome::Failed {
                error: text(&d, "error"),
                cause: text(&d, "cause"),
            })
        }
        "TaskTimedOut" | "LambdaFunctionTimedOut" | "ActivityTimedOut" => {
            Some(if text(&details(), "error") == "States.HeartbeatTimeout" {
                TaskOutcome::HeartbeatTimedOut
            } else {
                TaskOutcome::TimedOut
            })
        }
        _ => None,
    }
}

/// The execution's status, output, error and cause, read off its last event (`None` if that
/// event does not end the execution).
pub fn ending(event: &Event) -> Option<switchback_store::executions::Ending> {
    use switchback_engine::EventKind as K;
    let (status, output, error, cause) = match &event.kind {
        K::ExecutionSucceeded { output } => ("SUCCEEDED", Some(output.to_string()), None, None),
        K::ExecutionFailed { error, cause } => ("FAILED", None, error.clone(), cause.clone()),
        K::ExecutionTimedOut { error, cause } => ("TIMED_OUT", None, error.clone(), cause.clone()),
        K::ExecutionAborted { error, cause } => ("ABORTED", None, error.clone(), cause.clone()),
        _ => return None,
    };
    Some(switchback_store::executions::Ending {
        status: status.into(),
        output,
        error,
        cause,
        stop_date: micros(event.timestamp),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use switchback_engine::history::TaskResource;
    use switchback_engine::EventKind;

    #[test]
    fn a_task_result_survives_the_round_trip() {
        let event = Event {
            id: 7,
            previous_event_id: 6,
            timestamp: Timestamp::from_second(1_700_000_000).unwrap(),
            kind: EventKind::TaskSucceeded {
                resource: TaskResource {
                    resource_type: "lambda".into(),
                    resource: "invoke".into(),
                },
                output: Arc::new(serde_json::json!({"a": [1, 2]})),
            },
        };
        let row = to_row(
            &event,
            Place {
                lane: 3,
                ordinal: 4,
            },
        );
        assert_eq!(row.kind, "TaskSucceeded");
        let (place, rec) = to_recorded(&row);
        assert_eq!(
            place,
            Place {
                lane: 3,
                ordinal: 4
            }
        );
        assert_eq!(rec.id, 7);
        assert_eq!(rec.timestamp, event.timestamp);
        assert_eq!(
            rec.task_outcome,
            Some(TaskOutcome::Succeeded(serde_json::json!({"a": [1, 2]})))
        );
    }
}
