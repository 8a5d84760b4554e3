//! `Retry` and `Catch`: error matching and recovery, on Task, Parallel and Map.
//!
//! Both take `ErrorEquals`, a non-empty array of error names. `States.ALL` matches every error,
//! so it must be alone in its array and in the last retrier or catcher (anything after it could
//! never match).

use serde_json::{Map, Value};

use crate::ctx::{idx, key, Ctx, Ql};
use crate::fields::{self, type_fault};
use crate::paths::{self, Kind};
use crate::state::St;
use crate::{assign, query};

const RETRIER_FIELDS: &[&str] = &[
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];

const CATCHER_FIELDS: &[&str] = &[
    "ErrorEquals",
    "Next",
    "ResultPath",
    "Output",
    "Assign",
    "Comment",
];

/// Checks `ErrorEquals`; true when it holds `States.ALL`.
fn error_equals(cx: &mut Ctx, obj: &Map<String, Value>, path: &str) -> bool {
    let Some(v) = obj.get("ErrorEquals") else {
        return false;
    };
    let p = key(path, "ErrorEquals");
    let Value::Array(a) = v else {
        type_fault(cx, &p, "ErrorEquals", "ARRAY");
        return false;
    };
    if a.is_empty() {
        cx.schema(&p, "The field 'ErrorEquals' must not be empty");
    }
    let mut all = false;
    for (i, e) in a.iter().enumerate() {
        match e.as_str() {
            Some("States.ALL") => all = true,
            Some(_) => {}
            None => type_fault(cx, &idx(&p, i), "ErrorEquals", "STRING"),
        }
    }
    if all && a.len() > 1 {
        cx.schema(&p, "'States.ALL' must appear alone in 'ErrorEquals'");
    }
    all
}

/// The array of retriers or catchers, each an object; yields (index, object, path).
fn entries<'a>(
    cx: &mut Ctx,
    st: &St<'a>,
    field: &str,
) -> Vec<(usize, &'a Map<String, Value>, String)> {
    let Some(v) = st.obj.get(field) else {
        return Vec::new();
    };
    let p = key(st.path, field);
    let Value::Array(a) = v else {
        type_fault(cx, &p, field, "ARRAY");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, e) in a.iter().enumerate() {
        let ep = idx(&p, i);
        match e {
            Value::Object(m) => out.push((i, m, ep)),
            _ => type_fault(cx, &ep, field, "OBJECT"),
        }
    }
    out
}

/// Checks `Retry`.
pub(crate) fn retry(cx: &mut Ctx, st: &mut St<'_>) {
    let list = entries(cx, st, "Retry");
    let count = list.len();
    for (n, (_, r, p)) in list.into_iter().enumerate() {
        fields::only(cx, r, &p, RETRIER_FIELDS);
        fields::require(cx, r, &p, &["ErrorEquals"]);
        if error_equals(cx, r, &p) && n + 1 < count {
            cx.schema(&p, "A retrier with 'States.ALL' must be the last retrier");
        }
        fields::string(cx, r, &p, "Comment");
        fields::integer(cx, r, &p, "IntervalSeconds", 1, Ql::JsonPath);
        fields::integer(cx, r, &p, "MaxAttempts", 0, Ql::JsonPath);
        fields::number(cx, r, &p, "BackoffRate", 1.0, None, Ql::JsonPath);
        fields::integer(cx, r, &p, "MaxDelaySeconds", 1, Ql::JsonPath);
        fields::one_of(cx, r, &p, "JitterStrategy", &["FULL", "NONE"]);
    }
}

/// Checks `Catch`, recording each catcher's `Next` as a transition.
pub(crate) fn catch(cx: &mut Ctx, st: &mut St<'_>) {
    let list = entries(cx, st, "Catch");
    let count = list.len();
    for (n, (_, c, p)) in list.into_iter().enumerate() {
        fields::only(cx, c, &p, CATCHER_FIELDS);
        for k in c.keys() {
            query::wrong_language(cx, &p, k, st.ql);
        }
        fields::require(cx, c, &p, &["ErrorEquals", "Next"]);
        if error_equals(cx, c, &p) && n + 1 < count {
            cx.schema(&p, "A catcher with 'States.ALL' must be the last catcher");
        }
        fields::string(cx, c, &p, "Comment");
        st.edge(cx, c, &p, "Next");
        match st.ql {
            Ql::JsonPath => paths::path_field(cx, c, &p, "ResultPath", Kind::Result, true),
            Ql::Jsonata => query::expression_fields(cx, c, &p, &["Output"]),
        }
        if let Some(a) = c.get("Assign") {
            assign::check(cx, a, &key(&p, "Assign"), st.ql);
        }
    }
}
