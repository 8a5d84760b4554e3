//! JSON functions: StringToJson, JsonToString, JsonMerge.

use switchback_json::Json;

use super::{to_compact_json, Args};
use crate::EvalError;

/// `States.StringToJson(text)`: parses JSON text. Surrounding whitespace is allowed, and AWS
/// returns `null` for an empty or all-whitespace string (recorded cases).
pub(super) fn string_to_json(args: &Args) -> Result<Json, EvalError> {
    let text = args.string(0)?;
    if text.trim().is_empty() {
        return Ok(Json::Null);
    }
    let value: Json = serde_json::from_str(text).map_err(|_| args.invalid())?;
    Ok(normalize_negative_zero(value))
}

/// AWS turns `-0` into `0` (recorded case); serde_json keeps a float `-0.0` as written.
fn normalize_negative_zero(value: Json) -> Json {
    match value {
        Json::Number(n) if n.as_f64() == Some(0.0) && n.is_f64() => Json::from(0),
        other => other,
    }
}

/// `States.JsonToString(value)`: compact JSON text (`{"a":1}`), any value accepted.
pub(super) fn json_to_string(args: &Args) -> Result<Json, EvalError> {
    Ok(Json::from(to_compact_json(args.get(0))))
}

/// `States.JsonMerge(left, right, deep)`: shallow merge, the right object's keys winning.
///
/// AWS only supports shallow merging: `deep` = `true` fails. Third-party probes found any
/// other third argument (even the string `'false'`) accepted as shallow.
pub(super) fn json_merge(args: &Args) -> Result<Json, EvalError> {
    let left = args.object(0)?;
    let right = args.object(1)?;
    if args.get(2) == &Json::Bool(true) {
        return Err(args.invalid());
    }
    let mut merged = left.clone();
    for (key, value) in right {
        merged.insert(key.clone(), value.clone());
    }
    Ok(Json::Object(merged))
}
