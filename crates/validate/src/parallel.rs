//! Parallel: `Branches`, a non-empty array of nested machines, each its own scope.

use serde_json::Value;

use crate::ctx::{idx, key, Ctx};
use crate::errors;
use crate::fields::{self, type_fault};
use crate::machine::{self, Scope};
use crate::state::St;

pub(crate) fn check(cx: &mut Ctx, st: &mut St<'_>) {
    let (obj, path) = (st.obj, st.path);
    fields::require(cx, obj, path, &["Branches"]);
    if let Some(b) = obj.get("Branches") {
        let p = key(path, "Branches");
        match b {
            Value::Array(a) if a.is_empty() => {
                cx.schema(&p, "The field 'Branches' must not be empty")
            }
            Value::Array(a) => {
                for (i, br) in a.iter().enumerate() {
                    machine::validate_nested(cx, br, &idx(&p, i), Scope::Branch);
                }
            }
            _ => type_fault(cx, &p, "Branches", "ARRAY"),
        }
    }
    errors::retry(cx, st);
    errors::catch(cx, st);
}
