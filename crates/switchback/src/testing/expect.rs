//! A case's expectations checked against its run: every miss, each a line a user can act on,
//! values shown as JSON and JSON values compared field by field (`output.shipment.carrier:
//! expected "UPS", got "FedEx"`).

use serde_json::Value;

use super::history::RunFacts;
use super::suite::{Expect, StateExpect};

/// How the run ended.
#[derive(Debug)]
pub struct Ended<'a> {
    /// `SUCCEEDED`, `FAILED`, ...
    pub status: &'a str,
    pub output: Option<&'a Value>,
    pub error: Option<&'a str>,
    pub cause: Option<&'a str>,
}

/// The most differences listed for one value (the rest are counted).
const MOST_DIFFERENCES: usize = 12;

/// Every way the run misses `expect` (none: the case passes).
pub fn check(expect: &Expect, ended: &Ended<'_>, facts: &RunFacts) -> Vec<String> {
    let mut misses = Vec::new();
    if let Some(status) = &expect.status {
        if status != ended.status {
            let why = match (ended.error, ended.cause) {
                (Some(e), Some(c)) => format!(" ({e}: {c})"),
                (Some(e), None) => format!(" ({e})"),
                _ => String::new(),
            };
            misses.push(format!(
                "status: expected {status}, got {}{why}",
                ended.status
            ));
        }
    }
    let null = Value::Null;
    let output = ended.output.unwrap_or(&null);
    if let Some(want) = &expect.output {
        compare(&mut misses, "output", want, output, false);
    }
    if let Some(want) = &expect.output_contains {
        compare(&mut misses, "output", want, output, true);
    }
    if let Some(want) = &expect.error {
        if ended.error != Some(want.as_str()) {
            misses.push(format!(
                "error: expected {}, got {}",
                quoted(want),
                ended.error.map_or("none".into(), quoted)
            ));
        }
    }
    if let Some(want) = &expect.cause {
        if ended.cause != Some(want.as_str()) {
            misses.push(format!(
                "cause: expected {}, got {}",
                quoted(want),
                ended.cause.map_or("none".into(), quoted)
            ));
        }
    }
    if let Some(want) = &expect.cause_contains {
        if !ended.cause.is_some_and(|c| c.contains(want.as_str())) {
            misses.push(format!(
                "cause: expected it to contain {}, got {}",
                quoted(want),
                ended.cause.map_or("none".into(), quoted)
            ));
        }
    }
    if let Some(want) = &expect.path {
        let got = facts.path();
        if got != *want {
            misses.push(format!(
                "path: expected {}\n      got      {}",
                want.join(" -> "),
                got.join(" -> ")
            ));
        }
    }
    for (name, want) in &expect.states {
        check_state(&mut misses, name, want, facts);
    }
    for (name, want) in &expect.variables {
        match facts.variables.get(name) {
            Some(got) => compare(&mut misses, &format!("variable {name}"), want, got, false),
            None => misses.push(format!(
                "variable {name}: expected {}, never assigned",
                shown(want)
            )),
        }
    }
    for (name, want) in &expect.calls {
        let got = facts.calls.get(name).copied().unwrap_or(0);
        if got != *want {
            misses.push(format!("calls of '{name}': expected {want}, got {got}"));
        }
    }
    misses
}

/// The expectations of one state, against its first entry.
fn check_state(misses: &mut Vec<String>, name: &str, want: &StateExpect, facts: &RunFacts) {
    let (run, entered) = facts.state(name);
    if let Some(n) = want.entered {
        if n != entered {
            misses.push(format!(
                "state '{name}': expected to be entered {n} time(s), was {entered}"
            ));
        }
    }
    let wants_values = want.input.is_some()
        || want.input_contains.is_some()
        || want.output.is_some()
        || want.output_contains.is_some();
    let Some(run) = run else {
        if wants_values {
            misses.push(format!("state '{name}': never entered"));
        }
        return;
    };
    let null = Value::Null;
    let input = run.input.as_ref().unwrap_or(&null);
    let output = run.output.as_ref().unwrap_or(&null);
    let at = |what: &str| format!("state '{name}' {what}");
    if let Some(w) = &want.input {
        compare(misses, &at("input"), w, input, false);
    }
    if let Some(w) = &want.input_contains {
        compare(misses, &at("input"), w, input, true);
    }
    if let Some(w) = &want.output {
        compare(misses, &at("output"), w, output, false);
    }
    if let Some(w) = &want.output_contains {
        compare(misses, &at("output"), w, output, true);
    }
}

/// Compares `got` with `want` (with `subset`, `got` may hold more object fields), adding a line
/// per difference found.
fn compare(misses: &mut Vec<String>, label: &str, want: &Value, got: &Value, subset: bool) {
    let mut found = Vec::new();
    differences(label, want, got, subset, &mut found);
    let more = found.len().saturating_sub(MOST_DIFFERENCES);
    misses.extend(found.into_iter().take(MOST_DIFFERENCES));
    if more > 0 {
        misses.push(format!("{label}: and {more} more difference(s)"));
    }
}

fn differences(path: &str, want: &Value, got: &Value, subset: bool, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let at = format!("{path}.{}", key(k));
                match g.get(k) {
                    Some(gv) => differences(&at, wv, gv, subset, out),
                    None => out.push(format!("{at}: expected {}, missing", shown(wv))),
                }
            }
            if !subset {
                for (k, gv) in g {
                    if !w.contains_key(k) {
                        out.push(format!(
                            "{path}.{}: not expected, got {}",
                            key(k),
                            shown(gv)
                        ));
                    }
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                differences(&format!("{path}[{i}]"), wv, gv, subset, out);
            }
        }
        (Value::Number(w), Value::Number(g)) if w.as_f64() == g.as_f64() => {}
        _ if want == got => {}
        _ => out.push(format!(
            "{path}: expected {}, got {}",
            shown(want),
            shown(got)
        )),
    }
}

/// A key as a path segment: bare when it is a simple name, else quoted.
fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_') {
        k.to_string()
    } else {
        format!("[{}]", quoted(k))
    }
}

/// A value as compact JSON, cut short when long.
fn shown(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

fn quoted(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(want: Value, got: Value, subset: bool) -> Vec<String> {
        let mut out = Vec::new();
        compare(&mut out, "output", &want, &got, subset);
        out
    }

    #[test]
    fn values_are_compared_field_by_field() {
        assert!(diff(
            json!({"a": 1, "b": [1, 2]}),
            json!({"b": [1, 2], "a": 1.0}),
            false
        )
        .is_empty());
        assert_eq!(
            diff(
                json!({"s": {"carrier": "UPS"}}),
                json!({"s": {"carrier": "FedEx"}}),
                false
            ),
            [r#"output.s.carrier: expected "UPS", got "FedEx""#]
        );
        assert_eq!(
            diff(json!({"a": 1}), json!({"a": 1, "extra": true}), false),
            ["output.extra: not expected, got true"]
        );
        assert!(diff(json!({"a": 1}), json!({"a": 1, "extra": true}), true).is_empty());
        assert_eq!(
            diff(json!({"order id": 1}), json!({}), true),
            [r#"output.["order id"]: expected 1, missing"#]
        );
        assert_eq!(
            diff(json!([1, 2]), json!([1]), true),
            ["output: expected [1,2], got [1]"]
        );
    }

    #[test]
    fn status_error_path_and_calls_are_checked() {
        let expect = Expect {
            status: Some("SUCCEEDED".into()),
            error: Some("Boom".into()),
            path: Some(vec!["A".into(), "B".into()]),
            calls: [("A".to_string(), 2)].into_iter().collect(),
            ..Expect::default()
        };
        let ended = Ended {
            status: "FAILED",
            output: None,
            error: Some("States.TaskFailed"),
            cause: Some("no"),
        };
        let facts = RunFacts::of(&[
            json!({"id": 1, "previousEventId": 0, "type": "TaskStateEntered",
            "stateEnteredEventDetails": {"name": "A", "input": "{}"}}),
            json!({"id": 2, "previousEventId": 1, "type": "TaskScheduled"}),
        ]);
        let misses = check(&expect, &ended, &facts);
        assert_eq!(
            misses,
            [
                "status: expected SUCCEEDED, got FAILED (States.TaskFailed: no)",
                r#"error: expected "Boom", got "States.TaskFailed""#,
                "path: expected A -> B\n      got      A",
                "calls of 'A': expected 2, got 1",
            ]
        );
    }
}
