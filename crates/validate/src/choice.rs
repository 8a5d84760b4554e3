//! Choice: `Choices` (rules, with `And`/`Or`/`Not` nesting in JSONPath, `Condition` in JSONata)
//! and `Default`.
//!
//! A JSONPath leaf rule has a `Variable` and exactly one comparison operator, whose value type
//! the operator decides; `And`/`Or` take non-empty arrays of rules and `Not` one rule. Only the
//! top-level rules transition (`Next`) and assign; nested rules may not.

use serde_json::{Map, Value};

use crate::ctx::{idx, key, Ctx, Ql};
use crate::fields::{self, type_fault};
use crate::paths::{self, Kind};
use crate::state::St;
use crate::timestamp::is_asl_timestamp;
use crate::{assign, query};

/// What an operator's operand must be.
#[derive(Clone, Copy)]
enum Operand {
    String,
    Number,
    Boolean,
    Timestamp,
    Path,
}

/// Every comparison operator and its operand.
fn operand(op: &str) -> Option<Operand> {
    const TYPED: &[(&str, Operand)] = &[
        ("String", Operand::String),
        ("Numeric", Operand::Number),
        ("Boolean", Operand::Boolean),
        ("Timestamp", Operand::Timestamp),
    ];
    if matches!(
        op,
        "IsNull" | "IsPresent" | "IsNumeric" | "IsString" | "IsBoolean" | "IsTimestamp"
    ) {
        return Some(Operand::Boolean);
    }
    if op == "StringMatches" {
        return Some(Operand::String);
    }
    for (prefix, ty) in TYPED {
        let Some(rest) = op.strip_prefix(prefix) else {
            continue;
        };
        let (cmp, is_path) = match rest.strip_suffix("Path") {
            Some(c) => (c, true),
            None => (rest, false),
        };
        let ok = if *prefix == "Boolean" {
            cmp == "Equals"
        } else {
            matches!(
                cmp,
                "Equals" | "LessThan" | "GreaterThan" | "LessThanEquals" | "GreaterThanEquals"
            )
        };
        if ok {
            return Some(if is_path { Operand::Path } else { *ty });
        }
    }
    None
}

/// True for a comparison operator name (`StringEquals`, `NumericLessThanPath`, `IsNull`, ...).
pub(crate) fn is_operator(name: &str) -> bool {
    operand(name).is_some()
}

pub(crate) fn check(cx: &mut Ctx, st: &mut St<'_>) {
    let (obj, path, ql) = (st.obj, st.path, st.ql);
    fields::require(cx, obj, path, &["Choices"]);
    if obj.contains_key("Default") {
        st.edge(cx, obj, path, "Default");
    }
    let Some(v) = obj.get("Choices") else { return };
    let p = key(path, "Choices");
    let Value::Array(rules) = v else {
        type_fault(cx, &p, "Choices", "ARRAY");
        return;
    };
    if rules.is_empty() {
        cx.schema(&p, "The field 'Choices' must not be empty");
    }
    for (i, r) in rules.iter().enumerate() {
        let rp = idx(&p, i);
        let Value::Object(m) = r else {
            type_fault(cx, &rp, "Choices", "OBJECT");
            continue;
        };
        fields::require(cx, m, &rp, &["Next"]);
        st.edge(cx, m, &rp, "Next");
        if let Some(a) = m.get("Assign") {
            assign::check(cx, a, &key(&rp, "Assign"), ql);
        }
        match ql {
            Ql::JsonPath => rule(cx, m, &rp, true),
            Ql::Jsonata => jsonata_rule(cx, m, &rp),
        }
    }
}

/// A JSONata rule: `Condition` (a boolean or an expression), `Next`, optional Assign/Output.
fn jsonata_rule(cx: &mut Ctx, m: &Map<String, Value>, path: &str) {
    for k in m.keys() {
        if matches!(
            k.as_str(),
            "Next" | "Comment" | "Assign" | "Output" | "Condition"
        ) {
            continue;
        }
        if !query::wrong_language(cx, path, k, Ql::Jsonata) {
            cx.schema(path, format!("Field '{k}' is not supported"));
        }
    }
    fields::require(cx, m, path, &["Condition"]);
    if let Some(c) = m.get("Condition") {
        let ok = c.is_boolean() || fields::is_jsonata_string(c);
        if !ok {
            cx.schema(
                &key(path, "Condition"),
                "The value for the field 'Condition' must be a BOOLEAN or a JSONata expression",
            );
        }
    }
    query::expression_fields(cx, m, path, &["Condition", "Output"]);
}

/// A JSONPath rule, top-level (`top`) or nested in And/Or/Not.
fn rule(cx: &mut Ctx, m: &Map<String, Value>, path: &str, top: bool) {
    let mut ops: Vec<&str> = Vec::new();
    for k in m.keys() {
        let k = k.as_str();
        match k {
            "Comment" => {}
            "Variable" => {}
            "Next" | "Assign" if top => {}
            "And" | "Or" | "Not" => ops.push(k),
            _ if is_operator(k) => ops.push(k),
            "Output" | "Condition" if top => {
                query::wrong_language(cx, path, k, Ql::JsonPath);
            }
            _ => cx.schema(path, format!("Field '{k}' is not supported")),
        }
    }
    fields::string(cx, m, path, "Comment");
    match ops.as_slice() {
        [] => cx.schema(path, "A Choice rule must have exactly one comparison operator, 'And', 'Or' or 'Not'"),
        [_] => {}
        _ => cx.schema(
            path,
            format!(
                "A Choice rule must have exactly one comparison operator, 'And', 'Or' or 'Not', found: [{}]",
                ops.join(", ")
            ),
        ),
    }
    let boolean_op = ops.iter().any(|o| matches!(*o, "And" | "Or" | "Not"));
    let comparison = ops.iter().any(|o| is_operator(o));
    if comparison {
        fields::require(cx, m, path, &["Variable"]);
        // A Variable is a path; intrinsic calls are not accepted there.
        paths::path_field(cx, m, path, "Variable", Kind::Any, false);
    } else if boolean_op && m.contains_key("Variable") {
        cx.schema(path, "Field 'Variable' is not supported");
    }
    for op in ops {
        let p = key(path, op);
        let v = &m[op];
        match op {
            "And" | "Or" => match v {
                Value::Array(a) if !a.is_empty() => {
                    for (i, sub) in a.iter().enumerate() {
                        nested(cx, sub, &idx(&p, i), op);
                    }
                }
                Value::Array(_) => cx.schema(&p, format!("The field '{op}' must not be empty")),
                _ => type_fault(cx, &p, op, "ARRAY"),
            },
            "Not" => nested(cx, v, &p, op),
            _ => operand_check(cx, op, v, &p),
        }
    }
}

fn nested(cx: &mut Ctx, v: &Value, path: &str, parent: &str) {
    match v {
        Value::Object(m) => rule(cx, m, path, false),
        _ => type_fault(cx, path, parent, "OBJECT"),
    }
}

fn operand_check(cx: &mut Ctx, op: &str, v: &Value, path: &str) {
    let Some(kind) = operand(op) else { return };
    match kind {
        Operand::String if !v.is_string() => type_fault(cx, path, op, "STRING"),
        Operand::Number if !v.is_number() => type_fault(cx, path, op, "NUMBER"),
        Operand::Boolean if !v.is_boolean() => type_fault(cx, path, op, "BOOLEAN"),
        Operand::Timestamp => match v.as_str() {
            Some(s) if is_asl_timestamp(s) => {}
            Some(_) => cx.schema(
                path,
                format!("The value for the field '{op}' must be a valid ISO-8601 timestamp"),
            ),
            None => type_fault(cx, path, op, "STRING"),
        },
        Operand::Path => match v.as_str() {
            Some(s) if paths::path_ok(s, Kind::Reference) => {}
            Some(_) => cx.schema(
                path,
                format!("The value for the field '{op}' must be a valid ReferencePath"),
            ),
            None => type_fault(cx, path, op, "STRING"),
        },
        _ => {}
    }
}
