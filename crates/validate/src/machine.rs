//! A state machine and its nested machines (Parallel branches, Map processors): the top-level
//! fields, state names, transitions, terminal states and reachability.
//!
//! Each nested machine is its own scope: its transitions may only name its own states, and
//! AWS checks its terminal states and reachability on their own. State names, though, must be
//! unique across the whole machine, nested ones included.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::{Map, Value};

use crate::codes;
use crate::ctx::{key, Ctx, Ql};
use crate::fields::{self, type_fault};
use crate::{query, state};

/// Maximum length of a state name.
const MAX_STATE_NAME: usize = 80;

/// What kind of machine a scope is, which decides its allowed fields.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The whole state machine.
    Top,
    /// A Parallel branch.
    Branch,
    /// A Map's ItemProcessor or Iterator (ProcessorConfig is checked by the Map).
    Processor,
}

/// A transition out of a state: its target and where it was written.
pub(crate) struct Edge {
    pub target: String,
    pub path: String,
}

/// Validates the whole document.
pub(crate) fn validate_top(cx: &mut Ctx, doc: &Value) {
    let Value::Object(obj) = doc else {
        cx.schema("", "The state machine definition must be a JSON object");
        return;
    };
    if let Some(ql) = query::declared(cx, obj, "") {
        cx.top_ql = ql;
    }
    if obj.contains_key("TimeoutSeconds") {
        fields::integer(cx, obj, "", "TimeoutSeconds", 1, Ql::JsonPath);
    }
    fields::string(cx, obj, "", "Version");
    scope(cx, obj, "", Scope::Top);
}

/// Validates a nested machine found at `path` (e.g. `/States/P/Branches[0]`).
pub(crate) fn validate_nested(cx: &mut Ctx, v: &Value, path: &str, kind: Scope) {
    match v {
        Value::Object(obj) => scope(cx, obj, path, kind),
        _ => cx.schema(path, "The value must be an OBJECT"),
    }
}

fn scope(cx: &mut Ctx, obj: &Map<String, Value>, path: &str, kind: Scope) {
    let allowed: &[&str] = match kind {
        Scope::Top => &[
            "Comment",
            "StartAt",
            "States",
            "TimeoutSeconds",
            "Version",
            "QueryLanguage",
        ],
        Scope::Branch => &["Comment", "StartAt", "States"],
        Scope::Processor => &["Comment", "StartAt", "States", "ProcessorConfig"],
    };
    fields::only(cx, obj, path, allowed);
    fields::require(cx, obj, path, &["StartAt", "States"]);
    fields::string(cx, obj, path, "Comment");
    let start = fields::string(cx, obj, path, "StartAt");

    let states_path = key(path, "States");
    let states = match obj.get("States") {
        Some(Value::Object(m)) => m,
        Some(_) => {
            type_fault(cx, &states_path, "States", "OBJECT");
            return;
        }
        None => return,
    };

    let mut edges: HashMap<&str, Vec<Edge>> = HashMap::new();
    let mut terminal = false;
    for (name, st) in states {
        let sp = key(&states_path, name);
        if name.chars().count() > MAX_STATE_NAME {
            cx.schema(
                &sp,
                format!("State name '{name}' is longer than {MAX_STATE_NAME} characters"),
            );
        }
        if name.is_empty() {
            cx.schema(&sp, "State names must not be empty");
        }
        if cx.names.contains_key(name) {
            cx.push(
                &sp,
                codes::DUPLICATE_STATE_NAME,
                format!("Duplicate State name: {name}"),
            );
        } else {
            cx.names.insert(name.clone(), sp.clone());
        }
        let out = state::validate(cx, st, &sp);
        terminal |= out.terminal;
        edges.insert(name.as_str(), out.edges);
    }

    let names: HashSet<&str> = states.keys().map(String::as_str).collect();
    if let Some(s) = start {
        if !names.contains(s) {
            cx.push(
                &key(path, "StartAt"),
                codes::MISSING_TRANSITION_TARGET,
                format!("Missing 'StartAt' target: {s}"),
            );
        }
    }
    // Dangling targets first, then the terminal-state check, in AWS's order.
    for es in states.keys().filter_map(|n| edges.get(n.as_str())) {
        for e in es {
            if !names.contains(e.target.as_str()) {
                cx.push(
                    &e.path,
                    codes::MISSING_TRANSITION_TARGET,
                    format!("Missing 'Next' target: {}", e.target),
                );
            }
        }
    }
    if !states.is_empty() && !terminal {
        // AWS reports no location for the whole machine; nested ones get their own path.
        cx.push(
            path,
            codes::MISSING_END_STATE,
            "Workflow has no terminal state",
        );
        // AWS skips the reachability walk when there is no terminal state.
        return;
    }
    let Some(start) = start.filter(|s| names.contains(s)) else {
        return;
    };
    let mut seen: HashSet<&str> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for e in edges.get(n).into_iter().flatten() {
            if let Some(t) = names.get(e.target.as_str()) {
                if seen.insert(t) {
                    queue.push_back(t);
                }
            }
        }
    }
    for name in states.keys() {
        if !seen.contains(name.as_str()) {
            cx.push(
                &key(&states_path, name),
                codes::MISSING_TRANSITION_TARGET,
                format!("State \"{name}\" is not reachable."),
            );
        }
    }
}
