//! History events between the engine and the store: an engine [`Event`] becomes a stored row
//! (its type, its details member as AWS's JSON, and its place), and a stored row becomes a
//! typed [`Event`] again ([`from_row`]) or what a resumed execution needs to know of it
//! ([`Recorded`]). The JSON both ways is the engine's (`switchback_engine::history`); this
//! module only moves the parts between the event and the row.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use jiff::Timestamp;
use switchback_engine::history::{EventType, HistoryError, Payload};
use switchback_engine::task::TaskOutcome;
use switchback_engine::{Event, EventKind, Place, Recorded};
use switchback_json::Json;
use switchback_store::executions::EventRow;
use switchback_store::payloads::{self, Chunk, SplitCache, CHUNK_BYTES};

/// The stored row of an event.
pub fn to_row(event: &Event, place: Place, payloads: &mut PayloadWriter) -> EventRow {
    let (details, chunks) = payloads.details(&event.kind);
    EventRow {
        id: event.id as i64,
        previous_id: event.previous_event_id as i64,
        timestamp: micros(event.timestamp),
        kind: event.kind.event_type(),
        details,
        lane: place.lane as i64,
        ordinal: i64::from(place.ordinal),
        chunks,
    }
}

/// Writes one execution's payloads for the store: a payload with an array or object of at
/// least [`CHUNK_BYTES`] is split (see `switchback_store::payloads`), so each large value is
/// stored once per execution however many events carry it. Small payloads are written inline,
/// exactly as before.
pub struct PayloadWriter {
    /// The last payloads split, with their split text: a state's output is the next state's
    /// input (the same shared value), and is split once. The values are kept, so an address
    /// seen here is never a new value's.
    recent: VecDeque<(Json, Arc<str>)>,
    /// Keys of the chunks this run has handed to the store already.
    written: HashSet<String>,
    /// The chunks split from shared values: a large value that many payloads share (the one
    /// every state's `Parameters` copies) is written and hashed once, not once per event.
    cache: SplitCache,
    /// Stands for the payload while the rest of the details is serialised; random, so no
    /// text in an event can be taken for it.
    placeholder: Arc<str>,
    /// The placeholder as serde_json writes it inside the details (`\u0001` and the rest).
    escaped_placeholder: String,
}

/// How many split payloads [`PayloadWriter`] remembers.
const RECENT: usize = 4;

impl Default for PayloadWriter {
    fn default() -> Self {
        let (placeholder, escaped_placeholder) = placeholders();
        PayloadWriter {
            recent: VecDeque::with_capacity(RECENT),
            written: HashSet::new(),
            cache: SplitCache::default(),
            placeholder: Arc::clone(placeholder),
            escaped_placeholder: escaped_placeholder.clone(),
        }
    }
}

/// The placeholder and its escaped form, drawn once per process: every execution makes a
/// writer, and drawing and formatting a new one each time cost more than a transition. It
/// never leaves the process, so one per process is as unguessable as one per writer.
fn placeholders() -> &'static (Arc<str>, String) {
    static PLACEHOLDERS: std::sync::OnceLock<(Arc<str>, String)> = std::sync::OnceLock::new();
    PLACEHOLDERS.get_or_init(|| {
        let nonce = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let name = format!("switchback-payload-{nonce:016x}");
        (Arc::from(format!("\u{1}{name}")), format!("\\u0001{name}"))
    })
}

impl PayloadWriter {
    /// The details of an event as stored, and the chunks they need stored with them.
    fn details(&mut self, kind: &EventKind) -> (Option<String>, Vec<Chunk>) {
        let mut chunks = Vec::new();
        let split = match kind.payload() {
            Some(Payload::Value(value)) => self.split(value, &mut chunks),
            _ => None,
        };
        let Some(split) = split else {
            return (kind.details_json(), chunks);
        };
        let mut stand_in = kind.clone();
        if let Some(payload) = stand_in.payload_mut() {
            *payload = Payload::Text(Arc::clone(&self.placeholder));
        }
        let Some(details) = stand_in.details_json() else {
            return (None, chunks);
        };
        let escaped = &self.escaped_placeholder;
        let Some(at) = details.find(escaped.as_str()) else {
            // Cannot happen (the placeholder is in the details). The payload goes inline, and
            // the chunks are stored all the same: later events may refer to them.
            return (kind.details_json(), chunks);
        };
        let mut out = String::with_capacity(details.len() + split.len() + 64);
        out.push_str(&details[..at]);
        payloads::escape_keeping_references(&split, &mut out);
        out.push_str(&details[at + escaped.len()..]);
        (Some(out), chunks)
    }

    /// The text of a payload as the execution's `output` column keeps it: split like the
    /// event that carries it.
    ///
    /// Only a payload an event of this run was written with is split (its chunks are stored
    /// with that event); any other is written inline.
    pub fn raw_text(&self, payload: &Payload) -> String {
        if let Payload::Value(value) = payload {
            if let Some(text) = self.recent(value) {
                return text.to_string();
            }
        }
        payload.text().into_owned()
    }

    /// The execution's input as its row keeps it (`text` is what the client sent, `value` what
    /// it parsed to), and the text as sent when the two differ. A large input whose text is
    /// exactly the compact JSON of its value is kept as the split text `ExecutionStarted` was
    /// written with: it refers to the chunks stored with that event, so the input is stored
    /// once, and reads back as the same text. Any other text (spaces, escapes, number forms of
    /// its own) is kept as sent, since `DescribeExecution` gives the input back as it came.
    ///
    /// `chunks` are those `ExecutionStarted` was written with: the text is compared with the
    /// split text and its chunks, at the speed of a byte comparison; only if a chunk is not
    /// among them is the value serialised again to compare.
    pub fn stored_input(
        &self,
        text: String,
        value: &Json,
        chunks: &[Chunk],
    ) -> (String, Option<String>) {
        let Some(split) = self.recent(value) else {
            return (text, None);
        };
        let same = payloads::expands_to(split, chunks, &text).unwrap_or_else(|| {
            if value.size() != text.len() {
                return false;
            }
            let mut same = SameText(text.as_bytes());
            serde_json::to_writer(&mut same, value).is_ok() && same.0.is_empty()
        });
        if same {
            (split.to_string(), Some(text))
        } else {
            (text, None)
        }
    }

    /// The split text of `value`, if it is one of the payloads split last.
    fn recent(&self, value: &Json) -> Option<&Arc<str>> {
        self.recent
            .iter()
            .find(|(v, _)| v.ptr_eq(value))
            .map(|(_, text)| text)
    }

    /// `value`'s split text, with the chunks not yet handed to the store added to `chunks`;
    /// `None` for a value with nothing large enough to split.
    fn split(&mut self, value: &Json, chunks: &mut Vec<Chunk>) -> Option<Arc<str>> {
        if let Some(text) = self.recent(value) {
            return Some(Arc::clone(text));
        }
        if value.size_within(CHUNK_BYTES - 1).is_some() {
            return None;
        }
        let split = payloads::split_with(value, &mut self.cache);
        chunks.extend(
            split
                .chunks
                .into_iter()
                .filter(|c| self.written.insert(c.key.clone())),
        );
        let text: Arc<str> = Arc::from(split.text);
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back((value.clone(), Arc::clone(&text)));
        Some(text)
    }
}

/// A writer that accepts only the bytes of a given text, in order (what is left of it is
/// `.0`): compares a serialisation with a text without building it.
struct SameText<'a>(&'a [u8]);

impl std::io::Write for SameText<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.strip_prefix(buf) {
            Some(rest) => {
                self.0 = rest;
                Ok(buf.len())
            }
            None => Err(std::io::Error::other("the texts differ")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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

/// The row of `ExecutionRedriven` (the `redrive_count`th redrive, at `now` in microseconds)
/// after the event `last`: written by the runtime, outside the interpreter's lanes.
pub fn redriven_row(last: i64, now: i64, redrive_count: u64) -> EventRow {
    let event = Event {
        id: last as u64 + 1,
        previous_event_id: last as u64,
        timestamp: timestamp(now),
        kind: EventKind::ExecutionRedriven { redrive_count },
    };
    to_row(
        &event,
        crate::journal::OUTSIDE_PLACE,
        &mut PayloadWriter::default(),
    )
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
/// event does not end the execution). With the writer of the run that wrote the event, the
/// output refers to the chunks stored with it; without one (Express, or an ending that is
/// not a success), it is written whole.
pub fn ending(
    event: &Event,
    payloads: Option<&PayloadWriter>,
) -> Option<switchback_store::executions::Ending> {
    let status = event
        .kind
        .event_type()
        .execution_status()
        .filter(|s| s.is_closed())?;
    let output = match &event.kind {
        EventKind::ExecutionSucceeded { output } => Some(match payloads {
            Some(payloads) => payloads.raw_text(output),
            None => output.text().into_owned(),
        }),
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
            &mut PayloadWriter::default(),
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
