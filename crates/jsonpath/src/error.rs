//! The errors of parsing, selecting and writing, with the texts Jayway (and so AWS) prints.

use switchback_json::Json;

/// Why a path could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, for a person.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for ParseError {}

/// Why a definite path selected nothing. Every variant carries `normalized`, the whole path
/// in Jayway's normalised form; [`std::fmt::Display`] gives Jayway's exception message, so
/// AWS's cause is `format!("Invalid path '{}' : {}", path.as_str(), err)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectError {
    /// `No results for path: $['a']['b']`: the last name is missing, or an index is out of
    /// range anywhere (Jayway skips missing elements silently).
    NoResults { normalized: String },
    /// `Missing property in path $['no']`: an intermediate name is missing. `prefix` is the
    /// normalised path up to and including the missing name.
    MissingProperty { normalized: String, prefix: String },
    /// A name was applied to something that is not an object (`$.a.b` with `a` a string).
    /// `prefix` is the normalised path to that value, `property` the name's fragment (`['b']`).
    NotAnObject {
        normalized: String,
        prefix: String,
        property: String,
        found: Box<Json>,
    },
    /// An index was applied to something that is not an array (`null` included).
    /// `prefix` is the normalised path to that value, `index` the index fragment (`[0]`).
    NotAnArray {
        normalized: String,
        prefix: String,
        index: String,
        found: Box<Json>,
    },
}

impl SelectError {
    /// The whole path, normalised (`$['a']['b']`).
    pub fn normalized(&self) -> &str {
        match self {
            SelectError::NoResults { normalized }
            | SelectError::MissingProperty { normalized, .. }
            | SelectError::NotAnObject { normalized, .. }
            | SelectError::NotAnArray { normalized, .. } => normalized,
        }
    }
}

/// Jayway's `PathNotFoundException` message. The texts of the last two variants follow
/// Jayway's source with the JsonSmart provider; AWS has not been observed producing them.
impl std::fmt::Display for SelectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SelectError::NoResults { normalized } => {
                write!(f, "No results for path: {normalized}")
            }
            SelectError::MissingProperty { prefix, .. } => {
                write!(f, "Missing property in path {prefix}")
            }
            SelectError::NotAnObject {
                prefix,
                property,
                found,
                ..
            } => write!(
                f,
                "Expected to find an object with property {property} in path {prefix} but found \
                 '{}'. This is not a json object according to the JsonProvider: \
                 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
                java_class(found)
            ),
            SelectError::NotAnArray { prefix, found, .. } if found.is_null() => {
                write!(f, "The path {prefix} is null")
            }
            SelectError::NotAnArray { index, found, .. } => write!(
                f,
                "Filter: {index} can only be applied to arrays. Current context is: {found}"
            ),
        }
    }
}
impl std::error::Error for SelectError {}

/// The Java class JsonSmart would use for `v`, as Jayway names it in messages.
fn java_class(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "java.lang.Boolean",
        Json::Number(n) if n.is_f64() => "java.lang.Double",
        Json::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => {
            "java.lang.Integer"
        }
        Json::Number(_) => "java.lang.Long",
        Json::String(_) => "java.lang.String",
        Json::Array(_) => "net.minidev.json.JSONArray",
        Json::Object(_) => "net.minidev.json.JSONObject",
    }
}

/// Why ResultPath could not write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// An intermediate step exists but is not an object (or, for an index, not an array with
    /// that element), so the value cannot be placed. `normalized` is the normalised path up to
    /// and including the step that could not be taken (`$['a']['b']['c']` for `$.a.b.c` when
    /// `a.b` is a string, `$['a'][5]` when `a` has fewer elements).
    MissingProperty { normalized: String },
    /// The path is not a reference path, or starts at `$$` or a variable.
    NotWritable,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::MissingProperty { normalized } => {
                write!(f, "Missing property in path {normalized}")
            }
            WriteError::NotWritable => f.write_str("The path is not a writable reference path"),
        }
    }
}
impl std::error::Error for WriteError {}
