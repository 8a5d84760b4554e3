//! Warnings: what is valid but probably not what the author meant, as AWS's
//! ValidateStateMachineDefinition reports them with `severity: WARNING` (its documented warning
//! codes):
//!
//! - `NO_DOLLAR`: a payload field (`Parameters`, `ResultSelector`, `ItemSelector`) whose value
//!   looks like a JSONPath or an intrinsic function, but whose name does not end in `.$`, so the
//!   text is passed as it is;
//! - `NO_PATH`: a Choice rule comparing with a value that looks like a path (`"StringEquals":
//!   "$.x"`), where `StringEqualsPath` compares with the value it points to;
//! - `PASS_RESULT_IS_STATIC`: a Pass state's `Result` that uses a path, which is never
//!   evaluated.
//!
//! States in JSONata have no paths, so they get none of these.

use serde_json::Value;

use crate::Fault;

/// Warning codes.
pub mod codes {
    /// A payload field looks like a path or intrinsic function but has no `.$`.
    pub const NO_DOLLAR: &str = "NO_DOLLAR";
    /// A Choice comparison's value looks like a path, its operator does not end in `Path`.
    pub const NO_PATH: &str = "NO_PATH";
    /// A Pass state's `Result` uses a path.
    pub const PASS_RESULT_IS_STATIC: &str = "PASS_RESULT_IS_STATIC";
}

/// Every warning of a definition document.
pub fn warnings(definition: &Value) -> Vec<Fault> {
    let mut out = Vec::new();
    let jsonata = definition.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    scope(definition, "", jsonata, &mut out);
    out
}

fn scope(machine: &Value, at: &str, jsonata: bool, out: &mut Vec<Fault>) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        let path = format!("{at}/States/{name}");
        let jsonata = match state.get("QueryLanguage").and_then(Value::as_str) {
            Some(lang) => lang == "JSONata",
            None => jsonata,
        };
        if !jsonata {
            state_warnings(state, &path, out);
        }
        for nested in ["ItemProcessor", "Iterator"] {
            if let Some(n) = state.get(nested) {
                scope(n, &format!("{path}/{nested}"), jsonata, out);
            }
        }
        if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
            for (i, b) in branches.iter().enumerate() {
                scope(b, &format!("{path}/Branches[{i}]"), jsonata, out);
            }
        }
    }
}

fn state_warnings(state: &Value, path: &str, out: &mut Vec<Fault>) {
    for field in ["Parameters", "ResultSelector", "ItemSelector"] {
        if let Some(template) = state.get(field) {
            no_dollar(template, &format!("{path}/{field}"), out);
        }
    }
    if state.get("Type").and_then(Value::as_str) == Some("Pass") {
        if let Some(result) = state.get("Result") {
            if uses_path(result) {
                out.push(Fault {
                    path: format!("{path}/Result"),
                    code: codes::PASS_RESULT_IS_STATIC.into(),
                    message: "The Result of a Pass state is static: its paths are not \
                              evaluated (use Parameters to take values from the input)"
                        .into(),
                });
            }
        }
    }
    if let Some(rules) = state.get("Choices").and_then(Value::as_array) {
        for (i, rule) in rules.iter().enumerate() {
            no_path(rule, &format!("{path}/Choices[{i}]"), out);
        }
    }
}

/// Payload fields without `.$` whose values look like paths or intrinsic functions.
fn no_dollar(template: &Value, path: &str, out: &mut Vec<Fault>) {
    match template {
        Value::Object(fields) => {
            for (key, value) in fields {
                let at = format!("{path}/{key}");
                if key.ends_with(".$") {
                    continue;
                }
                if value.as_str().is_some_and(looks_evaluated) {
                    out.push(Fault {
                        path: at.clone(),
                        code: codes::NO_DOLLAR.into(),
                        message: format!(
                            "The value of '{key}' looks like a JSONPath or an intrinsic \
                             function, but it is passed as text: name the field '{key}.$' to \
                             evaluate it"
                        ),
                    });
                }
                no_dollar(value, &at, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                no_dollar(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Choice comparisons with values that look like paths, in a rule and its nested rules.
fn no_path(rule: &Value, path: &str, out: &mut Vec<Fault>) {
    let Some(fields) = rule.as_object() else {
        return;
    };
    for (key, value) in fields {
        if is_comparison(key) && value.as_str().is_some_and(looks_like_path) {
            out.push(Fault {
                path: format!("{path}/{key}"),
                code: codes::NO_PATH.into(),
                message: format!(
                    "The value of '{key}' looks like a path, but '{key}' compares with the \
                     text itself: use '{key}Path' to compare with the value it points to"
                ),
            });
        }
    }
    for nested in ["And", "Or"] {
        if let Some(list) = fields.get(nested).and_then(Value::as_array) {
            for (i, r) in list.iter().enumerate() {
                no_path(r, &format!("{path}/{nested}[{i}]"), out);
            }
        }
    }
    if let Some(not) = fields.get("Not") {
        no_path(not, &format!("{path}/Not"), out);
    }
}

/// A Choice comparison operator taking a literal (`StringEquals`, not `StringEqualsPath`).
fn is_comparison(key: &str) -> bool {
    ["String", "Numeric", "Timestamp", "Boolean"]
        .iter()
        .any(|t| key.starts_with(t))
        && !key.ends_with("Path")
}

/// A text that reads as a path or an intrinsic function call.
fn looks_evaluated(s: &str) -> bool {
    looks_like_path(s) || (s.starts_with("States.") && s.contains('(') && s.ends_with(')'))
}

fn looks_like_path(s: &str) -> bool {
    s == "$" || s == "$$" || s.starts_with("$.") || s.starts_with("$$.") || s.starts_with("$[")
}

/// Whether a Pass `Result` tries to use a path (a path text, or a `.$` field).
fn uses_path(result: &Value) -> bool {
    match result {
        Value::String(s) => looks_like_path(s),
        Value::Object(fields) => fields
            .iter()
            .any(|(k, v)| k.ends_with(".$") || uses_path(v)),
        Value::Array(items) => items.iter().any(uses_path),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes_at(doc: Value) -> Vec<(String, String)> {
        warnings(&doc)
            .into_iter()
            .map(|f| (f.code, f.path))
            .collect()
    }

    #[test]
    fn the_three_warnings_and_where_they_are() {
        let doc = json!({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Result": {"x.$": "$.a"}, "Next": "T"},
            "T": {"Type": "Task", "Resource": "r", "Parameters": {
                "ok.$": "$.a", "plain": "text", "path": "$.b",
                "nested": {"fmt": "States.Format('{}', $.c)"}}, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$.a", "StringEquals": "$.b", "Next": "P"},
                {"Not": {"Variable": "$.a", "NumericEqualsPath": "$.b"}, "Next": "P"}],
             "Default": "J"},
            "J": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input %}",
                  "End": true}
        }});
        let mut got = codes_at(doc);
        got.sort();
        assert_eq!(
            got,
            [
                (
                    "NO_DOLLAR".to_string(),
                    "/States/T/Parameters/nested/fmt".to_string()
                ),
                ("NO_DOLLAR".into(), "/States/T/Parameters/path".into()),
                ("NO_PATH".into(), "/States/C/Choices[0]/StringEquals".into()),
                ("PASS_RESULT_IS_STATIC".into(), "/States/P/Result".into()),
            ]
        );
        // JSONata machines have no paths to warn about.
        assert!(codes_at(
            json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
            "P": {"Type": "Pass", "Result": "$.a", "End": true}}})
        )
        .is_empty());
    }
}
