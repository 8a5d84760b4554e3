//! A JSON value built for a workflow engine: cheap to copy, and aware of its own size.
//!
//! A state machine passes its data from state to state: `"payload.$": "$.payload"` puts a part of
//! the input into a new object, every history event keeps the input and output of its state, a
//! Map hands each item to an iteration. With `serde_json::Value` each of those is a deep copy,
//! and a 250 KB payload cost a transition hundreds of microseconds in copying alone. Here
//! arrays, objects and strings live behind reference counts: [`Json::clone`] is a counter
//! increment, and changing a shared value copies only the one level being changed
//! (copy-on-write through `Arc::make_mut`).
//!
//! AWS limits payloads by their serialised size, which the engine checks at every transition.
//! Arrays and objects remember their compact JSON size once it has been counted
//! ([`Json::size`]), so a value built around a large shared part is measured in the time it
//! takes to measure its new parts. They remember likewise whether their numbers are
//! JavaScript's ([`Json::numbers_are_javascript`]), which JSONata needs to know.
//!
//! The API follows `serde_json::Value` (the same variants, `get`, `as_*`, indexing, `json!`), so
//! code moves from one to the other with few changes; [`Json::from`] and [`Json::to_serde`]
//! convert at the edges where other crates want `serde_json`.

mod array;
mod convert;
mod index;
pub use index::JsonIndex;
mod javascript;
mod memo;
mod object;
mod parse;
mod serde_impl;
mod size;
mod string;
mod write;

use std::fmt;
use std::sync::Arc;

pub use array::Array;
pub use object::{Map, Object};
pub use serde_json::Number;
pub use size::string_len;
pub use string::Str;
pub use write::write_string;

/// Re-exported for [`json!`].
#[doc(hidden)]
pub use serde_json as __serde_json;

/// A JSON value; see the crate documentation for why it is not `serde_json::Value`.
#[derive(Clone, Default)]
pub enum Json {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json holds it (integers exact, floats round-tripped).
    Number(Number),
    /// A string (shared).
    String(Str),
    /// An array (shared; copied one level on write).
    Array(Array),
    /// An object, its keys in insertion order (shared; copied one level on write).
    Object(Object),
}

/// Builds a [`Json`] with `serde_json::json!`'s syntax.
#[macro_export]
macro_rules! json {
    ($($tt:tt)+) => {
        $crate::Json::from($crate::__serde_json::json!($($tt)+))
    };
}

impl Json {
    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Whether this is `true` or `false`.
    pub fn is_boolean(&self) -> bool {
        matches!(self, Json::Bool(_))
    }

    /// Whether this is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Json::Number(_))
    }

    /// Whether this is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Json::String(_))
    }

    /// Whether this is an array.
    pub fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    /// Whether this is an integer that fits an `i64`.
    pub fn is_i64(&self) -> bool {
        matches!(self, Json::Number(n) if n.is_i64())
    }

    /// Whether this is an integer that fits a `u64`.
    pub fn is_u64(&self) -> bool {
        matches!(self, Json::Number(n) if n.is_u64())
    }

    /// Whether this is a number held as a float.
    pub fn is_f64(&self) -> bool {
        matches!(self, Json::Number(n) if n.is_f64())
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Json::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an `i64`, if it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as a `u64`, if it is an integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    /// The number as an `f64`, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// The text, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The elements, to change (copied first if shared), if this is an array.
    pub fn as_array_mut(&mut self) -> Option<&mut Array> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The members, to change (copied first if shared), if this is an object.
    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// Takes the value out, leaving `null`.
    pub fn take(&mut self) -> Json {
        std::mem::take(self)
    }

    /// The address of this array's or object's shared allocation, which identifies it for as
    /// long as it is held (`None` for the other kinds). Lets a writer remember what it did with
    /// a value it will meet again.
    pub fn shared_address(&self) -> Option<usize> {
        match self {
            Json::Array(a) => Some(a.address()),
            Json::Object(o) => Some(o.address()),
            _ => None,
        }
    }

    /// Whether two values are the same allocation (equal without looking), for the shared kinds.
    pub fn ptr_eq(&self, other: &Json) -> bool {
        match (self, other) {
            (Json::Array(a), Json::Array(b)) => Array::ptr_eq(a, b),
            (Json::Object(a), Json::Object(b)) => Object::ptr_eq(a, b),
            (Json::String(a), Json::String(b)) => Arc::ptr_eq(a.as_arc(), b.as_arc()),
            _ => false,
        }
    }
}

impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        match (self, other) {
            (Json::Null, Json::Null) => true,
            (Json::Bool(a), Json::Bool(b)) => a == b,
            (Json::Number(a), Json::Number(b)) => a == b,
            (Json::String(a), Json::String(b)) => a == b,
            (Json::Array(a), Json::Array(b)) => a == b,
            (Json::Object(a), Json::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Json {}

/// Compact JSON text; `{:#}` is indented, as serde_json's.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            let text = serde_json::to_string_pretty(self).map_err(|_| fmt::Error)?;
            return f.write_str(&text);
        }
        let mut text = Vec::new();
        self.write_compact(&mut text);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("Null"),
            Json::Bool(b) => write!(f, "Bool({b})"),
            Json::Number(n) => write!(f, "Number({n})"),
            Json::String(s) => write!(f, "String({:?})", &**s),
            Json::Array(a) => {
                f.write_str("Array ")?;
                fmt::Debug::fmt(a, f)
            }
            Json::Object(o) => {
                f.write_str("Object ")?;
                fmt::Debug::fmt(o, f)
            }
        }
    }
}
