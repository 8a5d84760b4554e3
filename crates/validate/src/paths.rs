//! JSONPath fields and payload templates, checked in JSONPath states only (JSONata states may not
//! have them at all, see [`crate::query`]).

use serde_json::{Map, Value};
use switchback_jsonpath::{Path, Root};

use crate::ctx::{idx, key, Ctx};
use crate::fields::type_fault;

/// What a path field may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Any JSONPath (InputPath, OutputPath): may select many values.
    Any,
    /// A reference path: names and indexes only, one value (ItemsPath, the `*Path` fields).
    Reference,
    /// ResultPath: a reference path into the state's input (`$`-rooted), the only writable root.
    Result,
    /// ErrorPath / CausePath: a reference path or an intrinsic function call.
    ReferenceOrIntrinsic,
}

/// Checks a path field, if present. `nullable` fields (InputPath, OutputPath, ResultPath) accept
/// `null`, which AWS gives a meaning (discard the input/output/result).
pub(crate) fn path_field(
    cx: &mut Ctx,
    obj: &Map<String, Value>,
    path: &str,
    field: &str,
    kind: Kind,
    nullable: bool,
) {
    let Some(v) = obj.get(field) else { return };
    let p = key(path, field);
    match v {
        Value::Null if nullable => {}
        Value::String(s) => {
            if !path_ok(s, kind) {
                let what = match kind {
                    Kind::Any => "a valid JSONPath",
                    Kind::Reference | Kind::Result => "a valid ReferencePath",
                    Kind::ReferenceOrIntrinsic => {
                        "a valid ReferencePath or a valid intrinsic function call"
                    }
                };
                cx.schema(
                    &p,
                    format!("The value for the field '{field}' must be {what}"),
                );
            }
        }
        _ => type_fault(cx, &p, field, "STRING"),
    }
}

/// Whether `s` is acceptable for a path field of the given kind.
pub(crate) fn path_ok(s: &str, kind: Kind) -> bool {
    if kind == Kind::ReferenceOrIntrinsic && switchback_intrinsics::is_intrinsic(s) {
        return switchback_intrinsics::parse(s).is_ok();
    }
    let Ok(p) = Path::parse(s) else { return false };
    match kind {
        Kind::Any => true,
        Kind::Reference | Kind::ReferenceOrIntrinsic => p.is_reference(),
        Kind::Result => p.is_reference() && *p.root() == Root::Input,
    }
}

/// Whether `s` is a valid value for a `"key.$"` member: a path or an intrinsic call.
pub(crate) fn dynamic_value_ok(s: &str) -> bool {
    if switchback_intrinsics::is_intrinsic(s) {
        switchback_intrinsics::parse(s).is_ok()
    } else {
        Path::parse(s).is_ok()
    }
}

/// Checks a payload template (Parameters, ResultSelector, ItemSelector, Credentials, ...):
/// every `"key.$"` member, at any depth, holds a path or an intrinsic call, and no object has
/// both `key` and `key.$` (they would produce the same field).
pub(crate) fn template(cx: &mut Ctx, v: &Value, path: &str) {
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                let p = key(path, k);
                if let Some(base) = k.strip_suffix(".$") {
                    if m.contains_key(base) {
                        cx.schema(
                            &p,
                            format!("The field '{base}' is present both with and without the '.$' suffix"),
                        );
                    }
                    match val.as_str() {
                        Some(s) if dynamic_value_ok(s) => {}
                        _ => cx.schema(
                            &p,
                            format!("The value for the field '{k}' must be a valid JSONPath or a valid intrinsic function call"),
                        ),
                    }
                } else {
                    template(cx, val, &p);
                }
            }
        }
        Value::Array(a) => {
            for (i, val) in a.iter().enumerate() {
                template(cx, val, &idx(path, i));
            }
        }
        _ => {}
    }
}

/// A template field that must be an object (ResultSelector, ItemSelector, Credentials).
pub(crate) fn object_template(cx: &mut Ctx, obj: &Map<String, Value>, path: &str, field: &str) {
    let Some(v) = obj.get(field) else { return };
    let p = key(path, field);
    if v.is_object() {
        template(cx, v, &p);
    } else {
        type_fault(cx, &p, field, "OBJECT");
    }
}
