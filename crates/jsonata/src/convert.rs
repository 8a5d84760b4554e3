//! Value conversion at the boundary between the workflow's JSON (`serde_json::Value`) and the
//! evaluator's values (`JValue`).
//!
//! JSONata numbers are doubles; AWS prints integral results as integers (`1`, not `1.0`), and
//! large integers in plain digits, so integral doubles become JSON integers whenever an
//! `i64`/`u64` holds them exactly. Inside arrays and objects, `undefined` and functions follow
//! `JSON.stringify`: an object drops the field, an array item becomes `null` (JSONata
//! sequences never hold `undefined`, so that case is for functions).

use jsonata_core::value::{JArray, JValue};
use serde_json::{Map, Number, Value};

/// JSON into an evaluator value, read in place: what `From<serde_json::Value>` of jsonata-core
/// does (numbers as doubles, arrays flagged `flat` when no item is an array), without first
/// copying the whole value to hand it over.
pub(crate) fn to_jvalue(v: &Value) -> JValue {
    match v {
        Value::Null => JValue::Null,
        Value::Bool(b) => JValue::Bool(*b),
        Value::Number(n) => JValue::Number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => JValue::String(s.as_str().into()),
        Value::Array(items) => {
            let mut flat = true;
            let items = items
                .iter()
                .map(|item| {
                    flat &= !item.is_array();
                    to_jvalue(item)
                })
                .collect();
            JValue::Array(JArray::new_flat(items, flat))
        }
        Value::Object(members) => JValue::object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), to_jvalue(v)))
                .collect::<indexmap::IndexMap<String, JValue>>(),
        ),
    }
}

/// A number as JSON: an integer when integral and exactly representable, else a float;
/// `NaN` and infinities (which JSONata itself refuses to produce) become `null`.
pub(crate) fn number(n: f64) -> Value {
    if !n.is_finite() {
        return Value::Null;
    }
    if n.fract() == 0.0 {
        // 2^63 and 2^64 are exactly representable; the ranges below are exact.
        if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
            return Value::Number(Number::from(n as i64));
        }
        if (0.0..18_446_744_073_709_551_616.0).contains(&n) {
            return Value::Number(Number::from(n as u64));
        }
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

/// Whether a value is a function for the outside world (lambdas, built-ins, regexes).
pub(crate) fn is_function(v: &JValue) -> bool {
    matches!(
        v,
        JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. }
    )
}

/// An evaluator value into JSON; `None` for `undefined` and functions.
pub(crate) fn from_jvalue(v: &JValue) -> Option<Value> {
    match v {
        JValue::Undefined => None,
        _ if is_function(v) => None,
        JValue::Null => Some(Value::Null),
        JValue::Bool(b) => Some(Value::Bool(*b)),
        JValue::Number(n) => Some(number(*n)),
        JValue::String(s) => Some(Value::String(s.to_string())),
        JValue::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter(|i| !matches!(i, JValue::Undefined))
                .map(|i| from_jvalue(i).unwrap_or(Value::Null))
                .collect(),
        )),
        JValue::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, item) in map.iter() {
                if let Some(j) = from_jvalue(item) {
                    out.insert(k.clone(), j);
                }
            }
            Some(Value::Object(out))
        }
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{number, to_jvalue, JValue};
    use serde_json::json;

    #[test]
    fn read_in_place_as_jsonata_core_reads_a_copy() {
        let json = serde_json::json!({
            "a": [1, [2, 3], {"b": null}], "c": "text", "d": true, "e": 1.5, "f": [], "g": {}
        });
        assert_eq!(to_jvalue(&json), JValue::from(json.clone()));
        for item in [serde_json::json!([1, 2]), serde_json::json!([[1], 2])] {
            match (to_jvalue(&item), JValue::from(item.clone())) {
                (JValue::Array(ours), JValue::Array(theirs)) => {
                    assert_eq!(ours.is_flat(), theirs.is_flat(), "{item}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number(1.0), json!(1));
        assert_eq!(number(-0.0), json!(0));
        assert_eq!(number(1.5), json!(1.5));
        assert_eq!(number(1e18), json!(1_000_000_000_000_000_000i64));
        assert_eq!(number(1e19), json!(10_000_000_000_000_000_000u64));
        assert_eq!(number(f64::NAN), json!(null));
    }
}
