//! `Assign`: variable assignments, allowed on every state but Succeed and Fail, on catchers and
//! on top-level Choice rules.
//!
//! Variable names follow Unicode identifier rules (a letter or `_` first, then letters, digits
//! or `_`), at most 80 characters; `states` is reserved (JSONata's `$states`). In JSONPath
//! states a `"name.$"` member assigns the value of a path or intrinsic call; in JSONata states
//! values may hold `{% %}` expressions.

use serde_json::Value;

use crate::ctx::{key, Ctx, Ql};
use crate::fields::type_fault;
use crate::{paths, query};

/// Maximum length of a variable name.
const MAX_NAME: usize = 80;

/// True for a valid variable name.
pub(crate) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && name.chars().count() <= MAX_NAME
}

/// Checks `Assign` at `path` (the path of the Assign field itself).
pub(crate) fn check(cx: &mut Ctx, v: &Value, path: &str, ql: Ql) {
    let Value::Object(m) = v else {
        type_fault(cx, path, "Assign", "OBJECT");
        return;
    };
    for (k, val) in m {
        let p = key(path, k);
        let (name, dynamic) = match (ql, k.strip_suffix(".$")) {
            (Ql::JsonPath, Some(base)) => (base, true),
            _ => (k.as_str(), false),
        };
        if !valid_name(name) {
            cx.schema(&p, format!("The variable name '{name}' is not valid"));
        } else if name == "states" {
            cx.schema(&p, "The variable name 'states' is reserved");
        }
        match ql {
            Ql::JsonPath if dynamic => match val.as_str() {
                Some(s) if paths::dynamic_value_ok(s) => {}
                _ => cx.schema(
                    &p,
                    format!("The value for the field '{k}' must be a valid JSONPath or a valid intrinsic function call"),
                ),
            },
            Ql::JsonPath => paths::template(cx, val, &p),
            Ql::Jsonata => query::expressions(cx, val, &p),
        }
    }
}
