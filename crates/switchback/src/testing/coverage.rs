//! Coverage of a definition by a test suite: which states were entered, which Choice branches
//! (each rule's target, and `Default`) and which Catch and Retry rules were taken, across every
//! case run against it.
//!
//! Read from the histories, edge by edge: a state's entry follows the exit of the state before
//! it, so each entry tells which transition was taken. A Choice branch is covered when the
//! Choice was left for its target; a Catch rule when its state, having failed, was left for
//! the rule's `Next`; a Retry rule when a task was scheduled again after failing with an error
//! the rule names (the first rule that names it, or `States.ALL`, as the engine picks).
//! Branches or catches that share a target are covered together: the history cannot tell them
//! apart.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

/// Something a test suite can cover.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    /// A state, entered at least once.
    State(String),
    /// A Choice state left for `target` (`default` when it is the `Default`).
    Branch {
        choice: String,
        target: String,
        default: bool,
    },
    /// Catch rule `index` of `state`, whose `Next` is `target`.
    Catch {
        state: String,
        index: usize,
        target: String,
    },
    /// Retry rule `index` of `state`, naming `errors`.
    Retry {
        state: String,
        index: usize,
        errors: Vec<String>,
    },
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::State(s) => write!(f, "state '{s}'"),
            Item::Branch {
                choice,
                target,
                default,
            } => write!(
                f,
                "branch '{choice}' -> '{target}'{}",
                if *default { " (Default)" } else { "" }
            ),
            Item::Catch {
                state,
                index,
                target,
            } => write!(f, "catch {index} of '{state}' -> '{target}'"),
            Item::Retry {
                state,
                index,
                errors,
            } => write!(f, "retry {index} of '{state}' ({})", errors.join(", ")),
        }
    }
}

/// What a definition offers to cover, and what was.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// Every item of the definition.
    items: Vec<Item>,
    covered: BTreeSet<Item>,
    /// The Retry rules' error lists, by state, to tell which rule a retry took.
    retriers: HashMap<String, Vec<Vec<String>>>,
}

impl Coverage {
    /// Nothing covered yet of the definition `doc`.
    pub fn of(doc: &Value) -> Coverage {
        let mut c = Coverage {
            items: Vec::new(),
            covered: BTreeSet::new(),
            retriers: HashMap::new(),
        };
        c.scope(doc);
        c
    }

    fn scope(&mut self, scope: &Value) {
        let Some(states) = scope.get("States").and_then(Value::as_object) else {
            return;
        };
        for (name, state) in states {
            self.items.push(Item::State(name.clone()));
            for rule in list(state, "Choices") {
                if let Some(next) = rule.get("Next").and_then(Value::as_str) {
                    self.push(Item::Branch {
                        choice: name.clone(),
                        target: next.into(),
                        default: false,
                    });
                }
            }
            if let Some(next) = state.get("Default").and_then(Value::as_str) {
                self.push(Item::Branch {
                    choice: name.clone(),
                    target: next.into(),
                    default: true,
                });
            }
            for (index, rule) in list(state, "Catch").iter().enumerate() {
                if let Some(next) = rule.get("Next").and_then(Value::as_str) {
                    self.items.push(Item::Catch {
                        state: name.clone(),
                        index,
                        target: next.into(),
                    });
                }
            }
            let retriers: Vec<Vec<String>> = list(state, "Retry")
                .iter()
                .map(|r| {
                    list(r, "ErrorEquals")
                        .iter()
                        .filter_map(|e| e.as_str().map(str::to_string))
                        .collect()
                })
                .collect();
            for (index, errors) in retriers.iter().enumerate() {
                self.items.push(Item::Retry {
                    state: name.clone(),
                    index,
                    errors: errors.clone(),
                });
            }
            if !retriers.is_empty() {
                self.retriers.insert(name.clone(), retriers);
            }
            for nested in ["ItemProcessor", "Iterator"] {
                if let Some(n) = state.get(nested) {
                    self.scope(n);
                }
            }
            for branch in list(state, "Branches") {
                self.scope(branch);
            }
        }
    }

    /// Adds a branch once (rules that share a target are one branch).
    fn push(&mut self, item: Item) {
        if let Item::Branch { choice, target, .. } = &item {
            let seen = self.items.iter().any(|i| {
                matches!(i, Item::Branch { choice: c, target: t, .. } if c == choice && t == target)
            });
            if seen {
                return;
            }
        }
        self.items.push(item);
    }

    /// Records what one run's history (in `GetExecutionHistory`'s shape) covered.
    pub fn record(&mut self, events: &[Value]) {
        let by_id: HashMap<u64, &Value> = events
            .iter()
            .filter_map(|e| Some((e.get("id")?.as_u64()?, e)))
            .collect();
        let prev = |e: &Value| {
            e.get("previousEventId")
                .and_then(Value::as_u64)
                .and_then(|p| by_id.get(&p).copied())
        };
        for e in events {
            let kind = e.get("type").and_then(Value::as_str).unwrap_or_default();
            if let Some(name) = detail_name(e, "stateEnteredEventDetails") {
                self.mark(Item::State(name.clone()));
                // The transition taken: from the state whose exit this entry follows.
                if let Some(exit) = prev(e) {
                    if let Some(from) = detail_name(exit, "stateExitedEventDetails") {
                        let failed = prev(exit).is_some_and(is_failure);
                        self.transition(&from, &name, failed);
                    }
                }
            } else if kind.ends_with("Scheduled") {
                // Scheduled again right after a failure: a retry.
                if let Some(failure) = prev(e).filter(|f| is_failure(f)) {
                    if let Some(state) = entered_state(e, &by_id) {
                        self.retry(&state, &failure_error(failure));
                    }
                }
            }
        }
    }

    fn mark(&mut self, item: Item) {
        self.covered.insert(item);
    }

    /// The transition `from` -> `to`, after `from` failed or not.
    fn transition(&mut self, from: &str, to: &str, failed: bool) {
        let taken: Vec<Item> = self
            .items
            .iter()
            .filter(|i| match i {
                Item::Branch { choice, target, .. } => choice == from && target == to,
                Item::Catch { state, target, .. } => failed && state == from && target == to,
                _ => false,
            })
            .cloned()
            .collect();
        // Of the catches that lead there, the first is the one taken.
        let mut caught = false;
        for item in taken {
            if matches!(item, Item::Catch { .. }) {
                if caught {
                    continue;
                }
                caught = true;
            }
            self.mark(item);
        }
    }

    /// A retry of `state` after `error`: the first rule naming it (or `States.ALL`).
    fn retry(&mut self, state: &str, error: &str) {
        let Some(rules) = self.retriers.get(state) else {
            return;
        };
        let index = rules
            .iter()
            .position(|errors| errors.iter().any(|e| e == error))
            .or_else(|| {
                rules
                    .iter()
                    .position(|errors| errors.iter().any(|e| e == "States.ALL"))
            });
        if let Some(index) = index {
            let errors = rules[index].clone();
            self.mark(Item::Retry {
                state: state.to_string(),
                index,
                errors,
            });
        }
    }

    /// The items not covered.
    pub fn uncovered(&self) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|i| !self.covered.contains(*i))
            .collect()
    }

    /// One line per kind: covered / all.
    pub fn summary(&self) -> String {
        let count = |pick: fn(&Item) -> bool| {
            let all: Vec<&Item> = self.items.iter().filter(|i| pick(i)).collect();
            let done = all.iter().filter(|i| self.covered.contains(**i)).count();
            (done, all.len())
        };
        let parts = [
            ("states", count(|i| matches!(i, Item::State(_)))),
            (
                "choice branches",
                count(|i| matches!(i, Item::Branch { .. })),
            ),
            ("catches", count(|i| matches!(i, Item::Catch { .. }))),
            ("retries", count(|i| matches!(i, Item::Retry { .. }))),
        ];
        parts
            .iter()
            .filter(|(_, (_, all))| *all > 0)
            .map(|(what, (done, all))| format!("{done}/{all} {what}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A stylesheet for the workflow graph's SVG that marks what was not covered: states with
    /// a red dashed border, transitions (branches, catches) as red dashed lines.
    pub fn svg_style(&self) -> String {
        let mut css = String::new();
        for item in self.uncovered() {
            match item {
                Item::State(s) => css.push_str(&format!(
                    "g[data-state=\"{}\"]>.box{{stroke:#d13212 !important;stroke-width:2;stroke-dasharray:5 3;fill:#fdf3f1 !important}}",
                    css_string(s)
                )),
                Item::Branch { choice, target, .. }
                | Item::Catch {
                    state: choice,
                    target,
                    ..
                } => css.push_str(&format!(
                    "g.edge[data-from=\"{}\"][data-to=\"{}\"] .line{{stroke:#d13212;stroke-dasharray:5 3}}",
                    css_string(choice),
                    css_string(target)
                )),
                Item::Retry { .. } => {}
            }
        }
        css
    }
}

/// An array field of a JSON object (empty when absent).
fn list<'v>(v: &'v Value, field: &str) -> &'v [Value] {
    v.get(field)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn detail_name(e: &Value, details: &str) -> Option<String> {
    Some(e.get(details)?.get("name")?.as_str()?.to_string())
}

/// Whether an event is a task's (or a state's) failure.
fn is_failure(e: &Value) -> bool {
    let kind = e.get("type").and_then(Value::as_str).unwrap_or_default();
    kind.ends_with("Failed") || kind.ends_with("TimedOut")
}

/// The error a failure event names.
fn failure_error(e: &Value) -> String {
    e.as_object()
        .into_iter()
        .flat_map(|o| o.values())
        .find_map(|v| v.get("error").and_then(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

/// The state whose entry an event follows.
fn entered_state(event: &Value, by_id: &HashMap<u64, &Value>) -> Option<String> {
    let mut e = event;
    for _ in 0..by_id.len() {
        if let Some(name) = detail_name(e, "stateEnteredEventDetails") {
            return Some(name);
        }
        let prev = e.get("previousEventId")?.as_u64()?;
        e = by_id.get(&prev)?;
    }
    None
}

/// Text inside a CSS string.
fn css_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn definition() -> Value {
        json!({"StartAt": "Pay", "States": {
            "Pay": {"Type": "Task", "Resource": "r", "Next": "Ok?",
                    "Retry": [{"ErrorEquals": ["Busy"]}, {"ErrorEquals": ["States.ALL"]}],
                    "Catch": [{"ErrorEquals": ["Declined"], "Next": "Refused"}]},
            "Ok?": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": true, "Next": "Done"}],
                    "Default": "Refused"},
            "Refused": {"Type": "Fail"},
            "Done": {"Type": "Succeed"}
        }})
    }

    fn ev(id: u64, prev: u64, kind: &str, details: Option<(&str, Value)>) -> Value {
        let mut e = json!({"id": id, "previousEventId": prev, "type": kind});
        if let Some((k, v)) = details {
            e[k] = v;
        }
        e
    }

    #[test]
    fn branches_retries_and_states_are_covered_from_the_history() {
        let mut c = Coverage::of(&definition());
        assert_eq!(c.uncovered().len(), 9, "{:?}", c.uncovered());
        let entered = |n: &str| Some(("stateEnteredEventDetails", json!({"name": n})));
        let exited = |n: &str| Some(("stateExitedEventDetails", json!({"name": n})));
        c.record(&[
            ev(1, 0, "TaskStateEntered", entered("Pay")),
            ev(2, 1, "TaskScheduled", None),
            ev(
                3,
                2,
                "TaskFailed",
                Some(("taskFailedEventDetails", json!({"error": "Busy"}))),
            ),
            ev(4, 3, "TaskScheduled", None),
            ev(5, 4, "TaskSucceeded", None),
            ev(6, 5, "TaskStateExited", exited("Pay")),
            ev(7, 6, "ChoiceStateEntered", entered("Ok?")),
            ev(8, 7, "ChoiceStateExited", exited("Ok?")),
            ev(9, 8, "SucceedStateEntered", entered("Done")),
        ]);
        let mut left: Vec<String> = c.uncovered().iter().map(|i| i.to_string()).collect();
        left.sort();
        assert_eq!(
            left,
            [
                "branch 'Ok?' -> 'Refused' (Default)",
                "catch 0 of 'Pay' -> 'Refused'",
                "retry 1 of 'Pay' (States.ALL)",
                "state 'Refused'",
            ]
        );
        assert_eq!(
            c.summary(),
            "3/4 states, 1/2 choice branches, 0/1 catches, 1/2 retries"
        );
        // A caught failure covers the catch, not the Default branch.
        c.record(&[
            ev(1, 0, "TaskStateEntered", entered("Pay")),
            ev(2, 1, "TaskScheduled", None),
            ev(
                3,
                2,
                "TaskFailed",
                Some(("taskFailedEventDetails", json!({"error": "Declined"}))),
            ),
            ev(4, 3, "TaskStateExited", exited("Pay")),
            ev(5, 4, "FailStateEntered", entered("Refused")),
        ]);
        assert_eq!(
            c.summary(),
            "4/4 states, 1/2 choice branches, 1/1 catches, 1/2 retries"
        );
        let css = c.svg_style();
        assert!(
            css.contains(r#"g.edge[data-from="Ok?"][data-to="Refused"] .line"#),
            "{css}"
        );
        assert!(!css.contains("data-state"), "{css}");
    }
}
