//! Short text for Choice rules, as edge labels.
//!
//! JSONPath rules read like expressions: `$.status == "approved"`, `$.n > 5`,
//! `$.a <= $.b` for the `...Path` forms, `$.name matches "img-*"`, `IsPresent($.x)` (and
//! `!IsPresent($.x)` when the operand is `false`), and `And(...)`, `Or(...)`, `Not(...)` for the
//! combinators. JSONata rules show their `Condition` without the `{% %}` delimiters. A rule of
//! unknown shape reads `?`, never an error: the graph is a view, validation is elsewhere.

use serde_json::{Map, Value};

/// Deeper rules than this are shown as `…`, so hostile input cannot recurse without bound.
const MAX_DEPTH: usize = 16;

/// The label of one Choice rule (an element of `Choices`, or a nested rule).
pub(crate) fn label(rule: &Value) -> String {
    rule_text(rule, 0)
}

fn rule_text(rule: &Value, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "…".to_string();
    }
    let Some(obj) = rule.as_object() else {
        return "?".to_string();
    };
    if let Some(cond) = obj.get("Condition") {
        return condition_text(cond);
    }
    for (key, name) in [("And", "And"), ("Or", "Or")] {
        if let Some(list) = obj.get(key) {
            let inner: Vec<String> = match list.as_array() {
                Some(rules) => rules.iter().map(|r| rule_text(r, depth + 1)).collect(),
                None => vec!["?".to_string()],
            };
            return format!("{name}({})", inner.join(", "));
        }
    }
    if let Some(inner) = obj.get("Not") {
        return format!("Not({})", rule_text(inner, depth + 1));
    }
    comparison_text(obj)
}

/// A JSONata condition: the expression inside `{% %}`, or the JSON value when it is not a
/// string (AWS accepts a literal `true`).
fn condition_text(cond: &Value) -> String {
    match cond.as_str() {
        Some(s) => {
            let t = s.trim();
            let t = t.strip_prefix("{%").unwrap_or(t);
            let t = t.strip_suffix("%}").unwrap_or(t);
            t.trim().to_string()
        }
        None => cond.to_string(),
    }
}

/// The operators with an infix symbol, keyed by their name without a type prefix.
fn infix(op: &str) -> Option<&'static str> {
    Some(match op {
        "Equals" => "==",
        "LessThan" => "<",
        "GreaterThan" => ">",
        "LessThanEquals" => "<=",
        "GreaterThanEquals" => ">=",
        "Matches" => "matches",
        _ => return None,
    })
}

fn comparison_text(obj: &Map<String, Value>) -> String {
    let variable = obj.get("Variable").and_then(Value::as_str).unwrap_or("?");
    for (key, operand) in obj {
        if key == "Variable" || key == "Next" || key == "Comment" {
            continue;
        }
        let (base, is_path) = match key.strip_suffix("Path") {
            Some(b) => (b, true),
            None => (key.as_str(), false),
        };
        if let Some(test) = base.strip_prefix("Is") {
            if matches!(
                test,
                "Null" | "Present" | "Numeric" | "String" | "Boolean" | "Timestamp"
            ) && !is_path
            {
                let neg = if operand == &Value::Bool(false) {
                    "!"
                } else {
                    ""
                };
                return format!("{neg}{base}({variable})");
            }
        }
        for ty in ["String", "Numeric", "Boolean", "Timestamp"] {
            let Some(op) = base.strip_prefix(ty) else {
                continue;
            };
            let Some(sym) = infix(op) else {
                continue;
            };
            let rhs = if is_path {
                operand
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| operand.to_string())
            } else {
                operand.to_string()
            };
            return format!("{variable} {sym} {rhs}");
        }
    }
    "?".to_string()
}

#[cfg(test)]
mod tests {
    use super::label;
    use serde_json::json;

    #[test]
    fn comparisons() {
        assert_eq!(
            label(&json!({"Variable": "$.status", "StringEquals": "approved", "Next": "A"})),
            r#"$.status == "approved""#
        );
        assert_eq!(
            label(&json!({"Variable": "$.n", "NumericGreaterThan": 5})),
            "$.n > 5"
        );
        assert_eq!(
            label(&json!({"Variable": "$.a", "NumericLessThanEqualsPath": "$.b"})),
            "$.a <= $.b"
        );
        assert_eq!(
            label(&json!({"Variable": "$.ok", "BooleanEquals": true})),
            "$.ok == true"
        );
        assert_eq!(
            label(&json!({"Variable": "$.f", "StringMatches": "*.log"})),
            r#"$.f matches "*.log""#
        );
        assert_eq!(
            label(
                &json!({"Variable": "$.t", "TimestampGreaterThanEquals": "2024-01-01T00:00:00Z"})
            ),
            r#"$.t >= "2024-01-01T00:00:00Z""#
        );
    }

    #[test]
    fn type_tests() {
        assert_eq!(
            label(&json!({"Variable": "$.x", "IsPresent": true})),
            "IsPresent($.x)"
        );
        assert_eq!(
            label(&json!({"Variable": "$.x", "IsNull": false})),
            "!IsNull($.x)"
        );
    }

    #[test]
    fn combinators() {
        let rule = json!({"And": [
            {"Variable": "$.a", "NumericEquals": 1},
            {"Not": {"Variable": "$.b", "IsPresent": true}},
            {"Or": [{"Variable": "$.c", "StringEquals": "x"}, {"Variable": "$.c", "StringEquals": "y"}]}
        ], "Next": "Z"});
        assert_eq!(
            label(&rule),
            r#"And($.a == 1, Not(IsPresent($.b)), Or($.c == "x", $.c == "y"))"#
        );
    }

    #[test]
    fn jsonata_and_odd_rules() {
        assert_eq!(
            label(&json!({"Condition": "{% $states.input.n > 3 %}", "Next": "A"})),
            "$states.input.n > 3"
        );
        assert_eq!(label(&json!({"Condition": true})), "true");
        assert_eq!(label(&json!(42)), "?");
        assert_eq!(label(&json!({"Variable": "$.x", "Frobnicate": 1})), "?");
        assert_eq!(label(&json!({"And": "nope"})), "And(?)");
    }
}
