//! History events between the engine and the store: an engine [`Event`] becomes a stored row
//! (its type, its details member as AWS's JSON, and its place), and a stored row becomes a
//! typed [`Event`] again ([`from_row`]) or what a resumed execution needs to know of it
//! ([`Recorded`]). The JSON both ways is the engine's (`switchback_engine::history`); this
//! module only moves the parts between the event and the row.

use jiff::Timestamp;
use switchback_engine::history::{EventType, HistoryError};
use switchback_engine::task::TaskOutcome;
use switchback_engine::{Event, EventKind, Place, Recorded};
use switchback_store::executions::EventRow;

/// The stored row of an event.
pub fn to_row(event: &Event, place: Place) -> EventRow {
    EventRow {
        id: event.id as i64,
        previous_id: event.previous_event_id as i64,
        timestamp: micros(event.timestamp),
        kind: event.kind.event_type(),
        details: event.kind.details_json(),
        lane: place.lane as i64,
        ordinal: i64::from(place.ordinal),
    }
}

/// The event a stored row holds.
pub fn from_row(row: &EventRow) -> Result<Event, HistoryError> {
    Ok(Event {
        id: row.id as u64,
        previous_event_id: row.previous_id as u64,
        timestamp: timestamp(row.timestamp),
        kind: EventKind::from_stored(row.kind, row.details.as_deref())?,
    })
}

/// The place of a stored event.
pub fn place(row: &EventRow) -> Place {
    Place {
        lane: row.lane as u64,
        ordinal: row.ordinal as u32,
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
    let recorded = Recorded {
        id: row.id as u64,
        timestamp: timestamp(row.timestamp),
        task_outcome: task_outcome(row),
    };
    (place(row), recorded)
}

/// How a task ended, for the events that end one. Only those events' details are read: a
/// resumed run replays every event, and most of them need no more than their place.
fn task_outcome(row: &EventRow) -> Option<TaskOutcome> {
    use EventType as T;
    let ends_a_task =
        row.kind.ends_task_attempt() || matches!(row.kind, T::TaskSubmitted | T::ActivityStarted);
    if !ends_a_task {
        return None;
    }
    let kind = match EventKind::from_stored(row.kind, row.details.as_deref()) {
        Ok(kind) => kind,
        Err(error) => {
            // The task is run again rather than replayed with a made-up result.
            tracing::warn!(%error, event = row.id, "a stored task result is unreadable");
            return None;
        }
    };
    let text = |s: Option<String>| s.unwrap_or_default();
    Some(match kind {
        EventKind::TaskSucceeded { output, .. }
        | EventKind::LambdaFunctionSucceeded { output }
        | EventKind::ActivitySucceeded { output } => TaskOutcome::Succeeded(output.to_value()),
        EventKind::TaskSubmitted { output, .. } => TaskOutcome::Submitted(output.to_value()),
        EventKind::ActivityStarted { worker_name } => TaskOutcome::Started { worker_name },
        EventKind::TaskFailed { error, cause, .. }
        | EventKind::LambdaFunctionFailed { error, cause }
        | EventKind::ActivityFailed { error, cause } => TaskOutcome::Failed {
            error: text(error),
            cause: text(cause),
        },
        EventKind::TaskTimedOut { error, .. }
        | EventKind::LambdaFunctionTimedOut { error, .. }
        | EventKind::ActivityTimedOut { error, .. } => {
            if error.as_deref() == Some(switchback_asl::errors::HEARTBEAT_TIMEOUT) {
                TaskOutcome::HeartbeatTimedOut
            } else {
                TaskOutcome::TimedOut
            }
        }
        _ => return None,
    })
}

/// The execution's status, output, error and cause, read off its last event (`None` if that
/// event does not end the execution).
pub fn ending(event: &Event) -> Option<switchback_store::executions::Ending> {
    let status = event
        .kind
        .event_type()
        .execution_status()
        .filter(|s| s.is_closed())?;
    let output = match &event.kind {
        EventKind::ExecutionSucceeded { output } => Some(output.text().into_owned()),
        _ => None,
    };
    let (error, cause) = event.kind.error_cause().unwrap_or_default();
    Some(switchback_store::executions::Ending {
        status,
        output,
        error: error.map(str::to_string),
        cause: cause.map(str::to_string),
        stop_date: micros(event.timestamp),
    })
}

#[cfg(test)]
mod tests {

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
                output: serde_json::json!({"a": [1, 2]}).into(),
            },
        };
        let row = to_row(
            &event,
            Place {
                lane: 3,
                ordinal: 4,
            },
        );
        assert_eq!(row.kind, EventType::TaskSucceeded);
        assert_eq!(from_row(&row).unwrap(), event);
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
