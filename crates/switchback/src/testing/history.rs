//! What a run's history says, for expectations: the states entered (in order, with their input
//! and output) and the tasks each Task state called.
//!
//! Read from the history in `GetExecutionHistory`'s shape (`Event::to_aws_json`), so that the
//! facts a test checks are exactly those a user sees in `switchback run --json` or the API.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

/// One entry of a state.
#[derive(Debug, Clone)]
pub struct StateRun {
    /// The state's name.
    pub name: String,
    /// Its input (the `StateEntered` event's).
    pub input: Option<Value>,
    /// Its output (the `StateExited` event's), if it exited.
    pub output: Option<Value>,
}

/// The facts of one run.
#[derive(Debug, Default)]
pub struct RunFacts {
    /// Each state entry, in the history's order.
    pub entered: Vec<StateRun>,
    /// Task calls (scheduled activities, functions and service tasks) by state name.
    pub calls: BTreeMap<String, u64>,
    /// Each variable's last assigned value (`Assign`, as the states' exits record it).
    pub variables: BTreeMap<String, Value>,
}

impl RunFacts {
    /// The facts of a history (events in `GetExecutionHistory`'s shape).
    pub fn of(events: &[Value]) -> RunFacts {
        let by_id: HashMap<u64, &Value> = events
            .iter()
            .filter_map(|e| Some((e.get("id")?.as_u64()?, e)))
            .collect();
        let mut facts = RunFacts::default();
        // The entry each exit closes: the latest open entry of that state.
        let mut open: HashMap<String, Vec<usize>> = HashMap::new();
        for e in events {
            let kind = e.get("type").and_then(Value::as_str).unwrap_or_default();
            if let Some(d) = e.get("stateEnteredEventDetails") {
                let name = text(d, "name");
                open.entry(name.clone())
                    .or_default()
                    .push(facts.entered.len());
                facts.entered.push(StateRun {
                    name,
                    input: json_field(d, "input"),
                    output: None,
                });
            } else if let Some(d) = e.get("stateExitedEventDetails") {
                let name = text(d, "name");
                if let Some(i) = open.get_mut(&name).and_then(Vec::pop) {
                    facts.entered[i].output = json_field(d, "output");
                }
                if let Some(vars) = d.get("assignedVariables").and_then(Value::as_object) {
                    for (k, v) in vars {
                        let value = v
                            .as_str()
                            .and_then(|t| serde_json::from_str(t).ok())
                            .unwrap_or(Value::Null);
                        facts.variables.insert(k.clone(), value);
                    }
                }
            } else if is_task_call(kind) {
                if let Some(state) = entering_state(e, &by_id) {
                    *facts.calls.entry(state).or_default() += 1;
                }
            }
        }
        facts
    }

    /// The names of the states entered, in order.
    pub fn path(&self) -> Vec<&str> {
        self.entered.iter().map(|s| s.name.as_str()).collect()
    }

    /// The first entry of `name`, and how many times it was entered.
    pub fn state(&self, name: &str) -> (Option<&StateRun>, u64) {
        let mut runs = self.entered.iter().filter(|s| s.name == name);
        let first = runs.next();
        (first, first.map_or(0, |_| 1 + runs.count() as u64))
    }
}

/// Whether an event of this type is a task being called.
fn is_task_call(kind: &str) -> bool {
    matches!(
        kind,
        "TaskScheduled" | "LambdaFunctionScheduled" | "ActivityScheduled"
    )
}

/// The state whose entry an event follows: back along `previousEventId` to a `StateEntered`.
fn entering_state(event: &Value, by_id: &HashMap<u64, &Value>) -> Option<String> {
    let mut e = event;
    for _ in 0..by_id.len() {
        if let Some(d) = e.get("stateEnteredEventDetails") {
            return Some(text(d, "name"));
        }
        let prev = e.get("previousEventId")?.as_u64()?;
        e = by_id.get(&prev)?;
    }
    None
}

fn text(details: &Value, field: &str) -> String {
    details
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A field holding JSON text, parsed.
fn json_field(details: &Value, field: &str) -> Option<Value> {
    let text = details.get(field)?.as_str()?;
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn states_and_their_calls_are_read_from_the_history() {
        let events = vec![
            json!({"id": 1, "previousEventId": 0, "type": "ExecutionStarted"}),
            json!({"id": 2, "previousEventId": 1, "type": "TaskStateEntered",
                   "stateEnteredEventDetails": {"name": "Pay", "input": "{\"a\":1}"}}),
            json!({"id": 3, "previousEventId": 2, "type": "TaskScheduled"}),
            json!({"id": 4, "previousEventId": 3, "type": "TaskFailed"}),
            json!({"id": 5, "previousEventId": 4, "type": "TaskScheduled"}),
            json!({"id": 6, "previousEventId": 5, "type": "TaskSucceeded"}),
            json!({"id": 7, "previousEventId": 6, "type": "TaskStateExited",
                   "stateExitedEventDetails": {"name": "Pay", "output": "{\"paid\":true}",
                       "assignedVariables": {"total": "42", "who": "\"ann\""}}}),
            json!({"id": 8, "previousEventId": 7, "type": "PassStateEntered",
                   "stateEnteredEventDetails": {"name": "Done", "input": "{}"}}),
        ];
        let facts = RunFacts::of(&events);
        assert_eq!(facts.path(), ["Pay", "Done"]);
        assert_eq!(facts.calls.get("Pay"), Some(&2));
        let (pay, entered) = facts.state("Pay");
        assert_eq!(entered, 1);
        assert_eq!(
            pay.and_then(|p| p.output.clone()),
            Some(json!({"paid": true}))
        );
        assert_eq!(facts.state("Nowhere").1, 0);
        assert_eq!(facts.variables.get("total"), Some(&json!(42)));
        assert_eq!(facts.variables.get("who"), Some(&json!("ann")));
    }
}
