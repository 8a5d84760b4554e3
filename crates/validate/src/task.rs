//! Task: `Resource` (an ARN), timeouts, heartbeats, credentials, Retry and Catch.

use crate::ctx::{key, Ctx, Ql};
use crate::errors;
use crate::fields::{self, type_fault};
use crate::paths::{self, Kind};
use crate::state::St;

/// AWS refuses a `Resource` that is not an ARN ("Value is not a valid resource ARN"): it must
/// read `arn:partition:service:region:account:resource`, the last part possibly with colons.
pub(crate) fn is_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && !parts[2].is_empty()
        && !parts[5].is_empty()
        && !s.chars().any(char::is_whitespace)
}

pub(crate) fn check(cx: &mut Ctx, st: &mut St<'_>) {
    let (obj, path, ql) = (st.obj, st.path, st.ql);
    fields::require(cx, obj, path, &["Resource"]);
    if let Some(r) = fields::string(cx, obj, path, "Resource") {
        if !is_arn(r) {
            cx.schema(&key(path, "Resource"), "Value is not a valid resource ARN");
        }
    }
    fields::exclusive(cx, obj, path, &["TimeoutSeconds", "TimeoutSecondsPath"]);
    fields::exclusive(cx, obj, path, &["HeartbeatSeconds", "HeartbeatSecondsPath"]);
    let timeout = fields::integer(cx, obj, path, "TimeoutSeconds", 1, ql);
    let heartbeat = fields::integer(cx, obj, path, "HeartbeatSeconds", 1, ql);
    if let (Some(t), Some(h)) = (timeout, heartbeat) {
        if h >= t {
            cx.schema(
                &key(path, "HeartbeatSeconds"),
                "The value for the field 'HeartbeatSeconds' must be smaller than the value for the field 'TimeoutSeconds'",
            );
        }
    }
    if ql == Ql::JsonPath {
        paths::path_field(cx, obj, path, "TimeoutSecondsPath", Kind::Reference, false);
        paths::path_field(
            cx,
            obj,
            path,
            "HeartbeatSecondsPath",
            Kind::Reference,
            false,
        );
        paths::object_template(cx, obj, path, "Credentials");
    } else if let Some(c) = obj.get("Credentials") {
        if !c.is_object() {
            type_fault(cx, &key(path, "Credentials"), "Credentials", "OBJECT");
        }
    }
    if let Some(a) = obj.get("Arguments") {
        if ql == Ql::Jsonata && !(a.is_object() || a.is_string()) {
            type_fault(cx, &key(path, "Arguments"), "Arguments", "OBJECT");
        }
    }
    errors::retry(cx, st);
    errors::catch(cx, st);
}
