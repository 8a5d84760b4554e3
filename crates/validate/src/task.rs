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
        && (parts[2] != "lambda" || is_lambda_function_arn(parts[5]))
}

/// A Lambda function ARN's `function:NAME[:QUALIFIER]`, as Lambda reads it: a name of letters,
/// digits, `-` and `_` (64 at most), and at most one qualifier (a version, an alias, or
/// `$LATEST`). (Region and account are left alone: definitions written for documentation
/// leave them empty or make them up, and validators accept them.)
fn is_lambda_function_arn(resource: &str) -> bool {
    let Some(function) = resource.strip_prefix("function:") else {
        // Other Lambda resources (layers ...) are not Task resources; leave them be.
        return true;
    };
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut parts = function.split(':');
    let name = parts.next().unwrap_or_default();
    let qualifier = parts.next();
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(name_char)
        && qualifier.is_none_or(|q| !q.is_empty() && q.chars().all(|c| name_char(c) || c == '$'))
        && parts.next().is_none()
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

#[cfg(test)]
mod lambda_arn_tests {
    use super::is_arn;

    #[test]
    fn lambda_function_arns_are_read_as_lambda_reads_them() {
        for good in [
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "arn:aws:lambda:us-east-1:123456789012:function:my-func_2:$LATEST",
            "arn:aws:lambda:us-east-1:123456789012:function:f:live",
            "arn:aws:lambda:us-east-1:123456789012:function:f:7",
        ] {
            assert!(is_arn(good), "{good}");
        }
        for bad in [
            "arn:aws:lambda:us-east-1:123456789012:function:",
            "arn:aws:lambda:us-east-1:123456789012:function:f:1:2",
            "arn:aws:lambda:us-east-1:123456789012:function:f:",
            "arn:aws:lambda:us-east-1:123456789012:function:bad.name",
        ] {
            assert!(!is_arn(bad), "{bad}");
        }
    }
}
