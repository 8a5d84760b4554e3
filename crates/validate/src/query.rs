//! The query-language rules: which language a state uses, which fields belong to which language,
//! and the parse check of every `{% %}` JSONata expression.
//!
//! AWS's rules, as measured on ValidateStateMachineDefinition:
//! - a state's language is its own `QueryLanguage`, else the machine's top-level one (states in a
//!   Parallel branch or Map processor inherit the top level, not their parent state);
//! - a state may not declare `JSONPath` inside a `JSONata` machine;
//! - a field that belongs to the other language is refused with "The QueryLanguage is set to
//!   'X', but field 'F' is only supported for the 'Y' QueryLanguage".

use serde_json::{Map, Value};

use crate::codes;
use crate::ctx::{idx, key, Ctx, Ql};

/// State, catcher and choice-rule fields that exist only in JSONPath.
const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Result",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "MaxItemsPerBatchPath",
    "MaxInputBytesPerBatchPath",
    "Variable",
    "And",
    "Or",
    "Not",
];

/// Fields that exist only in JSONata.
const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items", "Condition"];

/// The language a field is restricted to, if any. Choice comparison operators are JSONPath-only.
pub(crate) fn field_language(field: &str) -> Option<Ql> {
    if JSONPATH_ONLY.contains(&field) || crate::choice::is_operator(field) {
        Some(Ql::JsonPath)
    } else if JSONATA_ONLY.contains(&field) {
        Some(Ql::Jsonata)
    } else {
        None
    }
}

/// Reports `field` at `path` when it belongs to the other language. True when it was reported.
pub(crate) fn wrong_language(cx: &mut Ctx, path: &str, field: &str, ql: Ql) -> bool {
    match field_language(field) {
        Some(lang) if lang != ql => {
            cx.schema(
                path,
                format!(
                    "The QueryLanguage is set to '{}', but field '{field}' is only supported for the '{}' QueryLanguage",
                    ql.name(),
                    lang.name()
                ),
            );
            true
        }
        _ => false,
    }
}

/// Reads a `QueryLanguage` field (top level or state), reporting a bad value; `None` if absent.
/// Anything but exactly `JSONPath` resolves to JSONata (AWS does the same after reporting).
pub(crate) fn declared(cx: &mut Ctx, obj: &Map<String, Value>, path: &str) -> Option<Ql> {
    let v = obj.get("QueryLanguage")?;
    let p = key(path, "QueryLanguage");
    match v.as_str() {
        Some("JSONPath") => Some(Ql::JsonPath),
        Some("JSONata") => Some(Ql::Jsonata),
        _ => {
            cx.schema(
                &p,
                "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
            );
            Some(Ql::Jsonata)
        }
    }
}

/// The effective language of a state, with the "no JSONPath inside JSONata" rule.
pub(crate) fn state_language(cx: &mut Ctx, state: &Map<String, Value>, path: &str) -> Ql {
    match declared(cx, state, path) {
        Some(Ql::JsonPath) if cx.top_ql == Ql::Jsonata => {
            cx.schema(
                path,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            );
            Ql::JsonPath
        }
        Some(ql) => ql,
        None => cx.top_ql,
    }
}

/// Parses every `{% %}` string in `v` (at any depth), reporting those that do not parse with the
/// parser's message, as AWS does at definition time (`INVALID_JSONATA_EXPRESSION`).
pub(crate) fn expressions(cx: &mut Ctx, v: &Value, path: &str) {
    match v {
        Value::String(s) => {
            if let Some(inner) = switchback_jsonata::strip_delimiters(s) {
                if let Err(e) = switchback_jsonata::Expression::parse(inner) {
                    cx.push(path, codes::INVALID_JSONATA_EXPRESSION, e.message);
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                expressions(cx, x, &idx(path, i));
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                expressions(cx, x, &key(path, k));
            }
        }
        _ => {}
    }
}

/// Checks the expressions in the given fields of `obj` (those present).
pub(crate) fn expression_fields(
    cx: &mut Ctx,
    obj: &Map<String, Value>,
    path: &str,
    fields: &[&str],
) {
    for f in fields {
        if let Some(v) = obj.get(*f) {
            expressions(cx, v, &key(path, f));
        }
    }
}
