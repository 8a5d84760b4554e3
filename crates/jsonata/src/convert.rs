//! Value conversion at the boundary between the workflow's JSON (`switchback_json::Json`) and the
//! evaluator's values (`JValue`).
//!
//! JSONata numbers are doubles; AWS prints integral results as integers (`1`, not `1.0`), and
//! large integers in plain digits, so integral doubles become JSON integers whenever an
//! `i64`/`u64` holds them exactly. Inside arrays and objects, `undefined` and functions follow
//! `JSON.stringify`: an object drops the field, an array item becomes `null` (JSONata
//! sequences never hold `undefined`, so that case is for functions).

use jsonata_core::value::{JArray, JValue};
use switchback_json::{Json, Number, Object};

/// JSON into an evaluator value, read in place: what `From<serde_json::Value>` of jsonata-core
/// does (numbers as doubles, arrays flagged `flat` when no item is an array), without first
/// copying the whole value to hand it over.
pub(crate) fn to_jvalue(v: &Json) -> JValue {
    match v {
        Json::Null => JValue::Null,
        Json::Bool(b) => JValue::Bool(*b),
        Json::Number(n) => JValue::Number(n.as_f64().unwrap_or(0.0)),
        Json::String(s) => JValue::String(s.as_str().into()),
        Json::Array(items) => {
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
        Json::Object(members) => JValue::object(
            members
                .iter()
                .map(|(k, v)| (k.to_string(), to_jvalue(v)))
                .collect::<indexmap::IndexMap<String, JValue>>(),
        ),
    }
}

/// A number as JSON: an integer when integral and exactly representable, else a float;
/// `NaN` and infinities (which JSONata itself refuses to produce) become `null`.
pub(crate) fn number(n: f64) -> Json {
    if !n.is_finite() {
        return Json::Null;
    }
    if n.fract() == 0.0 {
        // 2^63 and 2^64 are exactly representable; the ranges below are exact.
        if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
            return Json::Number(Number::from(n as i64));
        }
        if (0.0..18_446_744_073_709_551_616.0).contains(&n) {
            return Json::Number(Number::from(n as u64));
        }
    }
    Number::from_f64(n).map_or(Json::Null, Json::Number)
}

/// Whether a value is a function for the outside world (lambdas, built-ins, regexes).
pub(crate) fn is_function(v: &JValue) -> bool {
    matches!(
        v,
        JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. }
    )
}

/// An evaluator value into JSON; `None` for `undefined` and functions.
pub(crate) fn from_jvalue(v: &JValue) -> Option<Json> {
    match v {
        JValue::Undefined => None,
        _ if is_function(v) => None,
        JValue::Null => Some(Json::Null),
        JValue::Bool(b) => Some(Json::Bool(*b)),
        JValue::Number(n) => Some(number(*n)),
        JValue::String(s) => Some(Json::from(&**s)),
        JValue::Array(items) => Some(Json::Array(
            items
                .iter()
                .filter(|i| !matches!(i, JValue::Undefined))
                .map(|i| from_jvalue(i).unwrap_or(Json::Null))
                .collect(),
        )),
        JValue::Object(map) => {
            let mut out = Object::with_capacity(map.len());
            for (k, item) in map.iter() {
                if let Some(j) = from_jvalue(item) {
                    out.insert(k.as_str().into(), j);
                }
            }
            Some(Json::Object(out))
        }
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{number, to_jvalue, JValue};
    use switchback_json::json;

    #[test]
    fn read_in_place_as_jsonata_core_reads_a_copy() {
        let json = switchback_json::json!({
            "a": [1, [2, 3], {"b": null}], "c": "text", "d": true, "e": 1.5, "f": [], "g": {}
        });
        assert_eq!(to_jvalue(&json), JValue::from(json.to_serde()));
        for item in [
            switchback_json::json!([1, 2]),
            switchback_json::json!([[1], 2]),
        ] {
            match (to_jvalue(&item), JValue::from(item.to_serde())) {
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
