//! Small type and range checks on one field, each producing AWS's wording on failure.

use serde_json::{Map, Value};

use crate::ctx::{key, Ctx, Ql};

/// JSON type names as AWS prints them in "must be a STRING".
pub(crate) fn type_fault(cx: &mut Ctx, path: &str, field: &str, ty: &str) {
    let article = if ty.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    cx.schema(
        path,
        format!("The value for the field '{field}' must be {article} {ty}"),
    );
}

/// "These fields are required: [A]" at the object holding them.
pub(crate) fn require(cx: &mut Ctx, obj: &Map<String, Value>, path: &str, names: &[&str]) {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !obj.contains_key(*n))
        .collect();
    if !missing.is_empty() {
        cx.schema(
            path,
            format!("These fields are required: [{}]", missing.join(", ")),
        );
    }
}

/// At most one of the given fields may be present.
pub(crate) fn exclusive(cx: &mut Ctx, obj: &Map<String, Value>, path: &str, names: &[&str]) {
    let present: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| obj.contains_key(*n))
        .collect();
    if present.len() > 1 {
        cx.schema(
            path,
            format!(
                "Only one of these fields may be present: [{}]",
                present.join(", ")
            ),
        );
    }
}

/// Checks `obj[field]`, if present, is a string; returns it.
pub(crate) fn string<'a>(
    cx: &mut Ctx,
    obj: &'a Map<String, Value>,
    path: &str,
    field: &str,
) -> Option<&'a str> {
    match obj.get(field)? {
        Value::String(s) => Some(s),
        _ => {
            type_fault(cx, &key(path, field), field, "STRING");
            None
        }
    }
}

/// Checks `obj[field]`, if present, is a non-empty string of at most `max` characters.
pub(crate) fn bounded_string(
    cx: &mut Ctx,
    obj: &Map<String, Value>,
    path: &str,
    field: &str,
    max: usize,
) {
    if let Some(s) = string(cx, obj, path, field) {
        if s.chars().count() > max {
            cx.schema(
                &key(path, field),
                format!("The value for the field '{field}' must be at most {max} characters long"),
            );
        }
    }
}

/// Checks `obj[field]`, if present, is an object.
pub(crate) fn object<'a>(
    cx: &mut Ctx,
    obj: &'a Map<String, Value>,
    path: &str,
    field: &str,
) -> Option<&'a Map<String, Value>> {
    match obj.get(field)? {
        Value::Object(m) => Some(m),
        _ => {
            type_fault(cx, &key(path, field), field, "OBJECT");
            None
        }
    }
}

/// An integer value: JSON numbers with no fractional part (`5` and `5.0` both).
pub(crate) fn as_int(v: &Value) -> Option<i64> {
    if let Some(i) = v.as_i64() {
        return Some(i);
    }
    if v.as_u64().is_some() {
        return Some(i64::MAX);
    }
    let f = v.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e18).then_some(f as i64)
}

/// Checks `obj[field]`, if present, is an integer `>= min`. In a JSONata state a `{% %}`
/// expression is accepted in its place, since such fields are evaluated at run time.
pub(crate) fn integer(
    cx: &mut Ctx,
    obj: &Map<String, Value>,
    path: &str,
    field: &str,
    min: i64,
    ql: Ql,
) -> Option<i64> {
    let v = obj.get(field)?;
    if ql == Ql::Jsonata && is_jsonata_string(v) {
        return None;
    }
    let p = key(path, field);
    match as_int(v) {
        Some(i) if i >= min => Some(i),
        Some(_) => {
            cx.schema(
                &p,
                format!("The value for the field '{field}' must be greater than or equal to {min}"),
            );
            None
        }
        None => {
            type_fault(cx, &p, field, "INTEGER");
            None
        }
    }
}

/// Checks `obj[field]`, if present, is a number in `[min, max]` (JSONata expressions allowed
/// in JSONata states).
pub(crate) fn number(
    cx: &mut Ctx,
    obj: &Map<String, Value>,
    path: &str,
    field: &str,
    min: f64,
    max: Option<f64>,
    ql: Ql,
) -> Option<f64> {
    let v = obj.get(field)?;
    if ql == Ql::Jsonata && is_jsonata_string(v) {
        return None;
    }
    let p = key(path, field);
    match v.as_f64() {
        Some(f) if f < min => {
            cx.schema(
                &p,
                format!("The value for the field '{field}' must be greater than or equal to {min}"),
            );
            None
        }
        Some(f) if max.is_some_and(|m| f > m) => {
            cx.schema(
                &p,
                format!(
                    "The value for the field '{field}' must be less than or equal to {}",
                    max.unwrap_or_default()
                ),
            );
            None
        }
        Some(f) => Some(f),
        None => {
            type_fault(cx, &p, field, "NUMBER");
            None
        }
    }
}

/// Checks `obj[field]`, if present, is one of `allowed`.
pub(crate) fn one_of(
    cx: &mut Ctx,
    obj: &Map<String, Value>,
    path: &str,
    field: &str,
    allowed: &[&str],
) -> Option<String> {
    let v = obj.get(field)?;
    match v.as_str() {
        Some(s) if allowed.contains(&s) => Some(s.to_string()),
        _ => {
            cx.schema(
                &key(path, field),
                format!(
                    "The field '{field}' should have one of these values: [{}]",
                    allowed.join(", ")
                ),
            );
            None
        }
    }
}

/// True for a string that is a whole `{% ... %}` JSONata expression.
pub(crate) fn is_jsonata_string(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| switchback_jsonata::strip_delimiters(s).is_some())
}

/// Reports every key of `obj` not in `allowed` as "Field 'X' is not supported" at `path`.
pub(crate) fn only(cx: &mut Ctx, obj: &Map<String, Value>, path: &str, allowed: &[&str]) {
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            cx.schema(path, format!("Field '{k}' is not supported"));
        }
    }
}
