//! A state's input or output as a history event holds it.
//!
//! AWS records payloads as JSON *text* inside the event (`"input": "{\"a\":1}"`). The engine
//! writes events with the values it already holds (a reference count, no copy); events read
//! back from the store keep the text as it was stored, because most readers (the API's
//! `GetExecutionHistory`, the console) only pass it on. Parsing happens when somebody needs
//! the value ([`Payload::to_value`]), not on every read.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use switchback_json::Json;

/// A JSON payload in a history event.
#[derive(Clone)]
pub enum Payload {
    /// A value held by the engine.
    Value(Json),
    /// JSON text, as stored.
    Text(Arc<str>),
}

impl Payload {
    /// The payload's value. Stored text that is not JSON (it never is written so) reads as
    /// `null` rather than failing a reader.
    pub fn to_value(&self) -> serde_json::Value {
        match self {
            Payload::Value(v) => v.to_serde(),
            Payload::Text(t) => serde_json::from_str(t).unwrap_or(serde_json::Value::Null),
        }
    }

    /// The payload's value, shared: free for a payload the engine wrote.
    pub fn shared(&self) -> Json {
        match self {
            Payload::Value(v) => v.clone(),
            Payload::Text(t) => Json::parse(t).unwrap_or(Json::Null),
        }
    }

    /// The payload as JSON text.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Payload::Value(v) => Cow::Owned(v.to_string()),
            Payload::Text(t) => Cow::Borrowed(t),
        }
    }
}

impl From<Json> for Payload {
    fn from(v: Json) -> Payload {
        Payload::Value(v)
    }
}

impl From<serde_json::Value> for Payload {
    fn from(v: serde_json::Value) -> Payload {
        Payload::Value(Json::from(v))
    }
}

/// Payloads are equal when their values are: text and value forms of the same JSON compare
/// equal.
impl PartialEq for Payload {
    fn eq(&self, other: &Payload) -> bool {
        match (self, other) {
            (Payload::Text(a), Payload::Text(b)) if a == b => true,
            (Payload::Value(a), Payload::Value(b)) => a == b,
            _ => self.to_value() == other.to_value(),
        }
    }
}

/// The JSON text.
impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Value(v) => fmt::Display::fmt(v, f),
            Payload::Text(t) => f.write_str(t),
        }
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The largest payload buffer kept between events.
const MAX_KEPT: usize = 64 * 1024;

thread_local! {
    /// The buffer payloads are written to before they go into an event as a string.
    static TEXT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Serialised as AWS does: a string holding the JSON text.
impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Written to a reused buffer first: `collect_str` would go through `fmt` and
            // cost twice as much as the writing itself.
            Payload::Value(v) => TEXT.with(|buffer| {
                let mut buffer = buffer.borrow_mut();
                buffer.clear();
                v.write_compact(&mut buffer);
                let text = std::str::from_utf8(&buffer).map_err(serde::ser::Error::custom)?;
                let written = s.serialize_str(text);
                // A large payload's buffer is not kept for the thread's lifetime.
                if buffer.capacity() > MAX_KEPT {
                    *buffer = Vec::new();
                }
                written
            }),
            Payload::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Payload, D::Error> {
        let text = <Cow<'de, str>>::deserialize(d)?;
        Ok(Payload::Text(Arc::from(text.as_ref())))
    }
}
