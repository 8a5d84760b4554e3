//! JSON functions: StringToJson, JsonToString, JsonMerge.

use serde_json::Value;

use super::{to_compact_json, Args};
use crate::EvalError;

/// `States.StringToJson(text)`: parses JSON text. Surrounding whitespace is allowed, and AWS
/// returns `null` for an empty or all-whitespace string (recorded cases).
pub(super) fn string_to_json(args: &Args) -> Result<Value, EvalError> {
    let text = args.string(0)?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    let value: Value = serde_json::from_str(text).map_err(|_| args.invalid())?;
    Ok(normalize_negative_zero(value))
}

/// AWS turns `-0` into `0` (recorded case); serde_json keeps a float `-0.0` as written.
fn normalize_negative_zero(value: Value) -> Value {
    match value {
        Value::Number(n) if n.as_f64() == Some(0.0) && n.is_f64() => Value::from(0),
        other => other,
    }
}

/// `States.JsonToString(value)`: compact JSON text (`{"a":1}`), any value accepted.
pub(super) fn json_to_string(args: &Args) -> Result<Value, EvalError> {
    Ok(Value::String(to_compact_json(args.get(0))))
}

/// `States.JsonMerge(left, right, deep)`: shallow merge, the right object's keys winning.
///
/// AWS only supports shallow merging: `deep` = `true` fails. Third-party probes found any
/// other third argument (even the string `'false'`) accepted as shallow.
pub(super) fn json_merge(args: &Args) -> Result<Value, EvalError> {
    let left = args.object(0)?;
    let right = args.object(1)?;
    if args.get(2) == &Value::Bool(true) {
        return Err(args.invalid());
    }
    let mut merged = left.clone();
    for (key, value) in right {
        merged.insert(key.clone(), value.clone());
    }
    Ok(Value::Object(merged))
}
