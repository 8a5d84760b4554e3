//! Conversions between [`Json`], Rust values and `serde_json::Value`, for the edges where other
//! code speaks serde_json (service integrations, the API's request bodies, tests' `json!`).

use serde_json::Value;

use crate::{Array, Json, Map, Number, Object, Str};

impl Json {
    /// This value as a `serde_json::Value` (a deep copy).
    pub fn to_serde(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_serde).collect()),
            Json::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.to_string(), v.to_serde()))
                    .collect(),
            ),
        }
    }

    /// Reads JSON text: with this crate's own reader (see `parse`), and with serde_json when
    /// that one gives up, so that a fault is reported in serde_json's words.
    pub fn parse(text: &str) -> Result<Json, serde_json::Error> {
        match crate::parse::parse(text) {
            Some(value) => Ok(value),
            None => serde_json::from_str(text),
        }
    }

    /// Reads JSON bytes (as [`Json::parse`] once they are known to be UTF-8).
    pub fn parse_slice(bytes: &[u8]) -> Result<Json, serde_json::Error> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Json::parse(text),
            Err(_) => serde_json::from_slice(bytes),
        }
    }
}

impl From<Value> for Json {
    fn from(v: Value) -> Json {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Number(n),
            Value::String(s) => Json::String(s.into()),
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(Object::from(
                map.into_iter()
                    .map(|(k, v)| (Str::from(k), Json::from(v)))
                    .collect::<Map>(),
            )),
        }
    }
}

impl From<&Value> for Json {
    fn from(v: &Value) -> Json {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(s.as_str().into()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(Object::from(
                map.iter()
                    .map(|(k, v)| (Str::from(k.as_str()), Json::from(v)))
                    .collect::<Map>(),
            )),
        }
    }
}

impl From<Json> for Value {
    fn from(v: Json) -> Value {
        v.to_serde()
    }
}

impl From<&Json> for Value {
    fn from(v: &Json) -> Value {
        v.to_serde()
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Json {
            fn from(n: $t) -> Json {
                Json::Number(Number::from(n))
            }
        }
    )*};
}
from_integer!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// A float that JSON cannot hold (NaN, an infinity) becomes `null`, as in serde_json.
impl From<f64> for Json {
    fn from(n: f64) -> Json {
        Number::from_f64(n).map_or(Json::Null, Json::Number)
    }
}

impl From<Number> for Json {
    fn from(n: Number) -> Json {
        Json::Number(n)
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::String(s.into())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::String(s.into())
    }
}

impl From<Str> for Json {
    fn from(s: Str) -> Json {
        Json::String(s)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Json {
        Json::Array(Array::from(items))
    }
}

impl From<Array> for Json {
    fn from(items: Array) -> Json {
        Json::Array(items)
    }
}

impl From<Map> for Json {
    fn from(map: Map) -> Json {
        Json::Object(Object::from(map))
    }
}

impl From<Object> for Json {
    fn from(map: Object) -> Json {
        Json::Object(map)
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(v: Option<T>) -> Json {
        v.map_or(Json::Null, Into::into)
    }
}

impl FromIterator<Json> for Json {
    fn from_iter<I: IntoIterator<Item = Json>>(iter: I) -> Json {
        Json::Array(iter.into_iter().collect())
    }
}

/// Compares without converting: tests write `assert_eq!(output, json!(...))` either way.
impl PartialEq<Value> for Json {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (Json::Number(a), Value::Number(b)) => a == b,
            (Json::String(a), Value::String(b)) => **a == **b,
            (Json::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Json::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k.as_str()).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<Json> for Value {
    fn eq(&self, other: &Json) -> bool {
        other == self
    }
}

impl PartialEq<str> for Json {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Json {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Json {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<bool> for Json {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

macro_rules! eq_number {
    ($($t:ty => $as:ident: $wide:ty),*) => {$(
        impl PartialEq<$t> for Json {
            fn eq(&self, other: &$t) -> bool {
                self.$as().is_some_and(|n| n == <$wide>::from(*other))
            }
        }
    )*};
}
eq_number!(i32 => as_i64: i64, i64 => as_i64: i64, u32 => as_u64: u64, u64 => as_u64: u64, f64 => as_f64: f64);

impl PartialEq<usize> for Json {
    fn eq(&self, other: &usize) -> bool {
        self.as_u64()
            .is_some_and(|n| u64::try_from(*other) == Ok(n))
    }
}
