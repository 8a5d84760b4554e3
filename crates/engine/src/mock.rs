//! Mocked task results, so that definitions with Task states run locally.
//!
//! Two file shapes are read:
//! - the short form, `{"StateName": [response, response, ...]}`, one response per invocation
//!   in order (the last one repeats);
//! - AWS's local-emulator form, `{"StateMachines": {SM: {"TestCases": {CASE: {State: Name}}}},
//!   "MockedResponses": {Name: {"0": response, "1-2": response}}}`, with a test case chosen by
//!   name (or the only one).
//!
//! A response is `{"Return": value}` or `{"Throw": {"Error": "...", "Cause": "..."}}`, with
//! `"DelaySeconds": n` to take that long on the clock (to test `TimeoutSeconds` and races;
//! `switchback run` and `switchback test` honour it, the server answers at once).

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::Value;

use crate::task::{TaskOutcome, TaskRequest};

/// One mocked response, for the invocations `from..=to` of its state.
#[derive(Debug, Clone)]
struct Mocked {
    from: u32,
    to: u32,
    outcome: TaskOutcome,
    /// How long the task takes, in seconds.
    delay_seconds: f64,
}

/// The mocked responses of one run, by state name.
#[derive(Debug, Default)]
pub struct Mocks {
    responses: HashMap<String, Vec<Mocked>>,
    calls: RefCell<HashMap<String, u32>>,
}

impl Mocks {
    /// Reads a mock file's JSON. `test_case` picks a test case in AWS's form.
    pub fn from_json(doc: &Value, test_case: Option<&str>) -> Result<Mocks, String> {
        let Value::Object(top) = doc else {
            return Err("a mock file must hold a JSON object".into());
        };
        if top.contains_key("MockedResponses") || top.contains_key("StateMachines") {
            return Mocks::from_aws_form(doc, test_case);
        }
        let mut responses = HashMap::new();
        for (state, list) in top {
            let list = match list {
                Value::Array(items) => items.clone(),
                single => vec![single.clone()],
            };
            let mut entries = Vec::new();
            for (i, r) in list.iter().enumerate() {
                let i = i as u32;
                let (outcome, delay_seconds) =
                    response(r).map_err(|e| format!("{state}[{i}]: {e}"))?;
                entries.push(Mocked {
                    from: i,
                    to: i,
                    outcome,
                    delay_seconds,
                });
            }
            if let Some(last) = entries.last_mut() {
                last.to = u32::MAX;
            }
            responses.insert(state.clone(), entries);
        }
        Ok(Mocks {
            responses,
            calls: RefCell::default(),
        })
    }

    fn from_aws_form(doc: &Value, test_case: Option<&str>) -> Result<Mocks, String> {
        let machines = doc
            .get("StateMachines")
            .and_then(Value::as_object)
            .ok_or("missing 'StateMachines'")?;
        let mut cases = Vec::new();
        for (sm, m) in machines {
            if let Some(tc) = m.get("TestCases").and_then(Value::as_object) {
                for (name, states) in tc {
                    cases.push((format!("{sm}#{name}"), name.clone(), states.clone()));
                }
            }
        }
        let chosen = match test_case {
            Some(want) => cases
                .iter()
                .find(|(full, name, _)| name == want || full == want)
                .ok_or_else(|| format!("no test case '{want}' in the mock file"))?,
            None if cases.len() == 1 => &cases[0],
            None => {
                let names: Vec<&str> = cases.iter().map(|(full, _, _)| full.as_str()).collect();
                return Err(format!(
                    "the mock file has several test cases; choose one with --test-case: {}",
                    names.join(", ")
                ));
            }
        };
        let mocked = doc
            .get("MockedResponses")
            .and_then(Value::as_object)
            .ok_or("missing 'MockedResponses'")?;
        let mut responses = HashMap::new();
        for (state, name) in chosen.2.as_object().into_iter().flatten() {
            let name = name
                .as_str()
                .ok_or_else(|| format!("test case state '{state}' must name a mocked response"))?;
            let by_index = mocked
                .get(name)
                .and_then(Value::as_object)
                .ok_or_else(|| format!("MockedResponses has no '{name}'"))?;
            let mut entries = Vec::new();
            for (range, r) in by_index {
                let (from, to) = parse_range(range)
                    .ok_or_else(|| format!("{name}: bad invocation index '{range}'"))?;
                let (outcome, delay_seconds) =
                    response(r).map_err(|e| format!("{name}/{range}: {e}"))?;
                entries.push(Mocked {
                    from,
                    to,
                    outcome,
                    delay_seconds,
                });
            }
            responses.insert(state.clone(), entries);
        }
        Ok(Mocks {
            responses,
            calls: RefCell::default(),
        })
    }

    /// Sets how many times a state was invoked already (a resumed execution's journal holds
    /// those invocations), so the next one gets the right response.
    pub fn set_calls(&self, state_name: &str, calls: u32) {
        self.calls
            .borrow_mut()
            .insert(state_name.to_string(), calls);
    }

    /// Whether any response is mocked for the state.
    pub fn covers(&self, state_name: &str) -> bool {
        self.responses.contains_key(state_name)
    }

    /// The mocked outcome of the next invocation of the request's state, if the state is
    /// mocked at all (a mocked task answers its first phase with its final result).
    pub fn try_respond(&self, request: &TaskRequest) -> Option<TaskOutcome> {
        self.covers(&request.state_name)
            .then(|| self.respond(request))
    }

    /// Like [`Self::try_respond`], with how long the task takes (its `DelaySeconds`).
    pub fn try_respond_delayed(&self, request: &TaskRequest) -> Option<(TaskOutcome, f64)> {
        self.covers(&request.state_name)
            .then(|| self.respond_delayed(request))
    }

    /// The outcome of the next invocation of the request's state.
    pub fn respond(&self, request: &TaskRequest) -> TaskOutcome {
        self.respond_delayed(request).0
    }

    /// The outcome of the next invocation of the request's state, and its delay in seconds.
    pub fn respond_delayed(&self, request: &TaskRequest) -> (TaskOutcome, f64) {
        let name = request.state_name.to_string();
        let n = {
            let mut calls = self.calls.borrow_mut();
            let c = calls.entry(name.clone()).or_insert(0);
            let n = *c;
            *c += 1;
            n
        };
        let found = self
            .responses
            .get(&name)
            .and_then(|entries| entries.iter().find(|m| (m.from..=m.to).contains(&n)));
        match found {
            Some(m) => (m.outcome.clone(), m.delay_seconds),
            None => (TaskOutcome::Failed {
                error: "States.TaskFailed".into(),
                cause: format!(
                    "No mocked response for invocation {n} of Task state '{name}' (resource {}). Add one to the mock file given with --mock, e.g. {{\"{name}\": [{{\"Return\": {{}}}}]}}.",
                    request.resource
                ),
            }, 0.0),
        }
    }
}

fn parse_range(s: &str) -> Option<(u32, u32)> {
    match s.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let n = s.trim().parse().ok()?;
            Some((n, n))
        }
    }
}

/// A response, and its delay in seconds.
fn response(r: &Value) -> Result<(TaskOutcome, f64), String> {
    let delay = match r.get("DelaySeconds") {
        None => 0.0,
        Some(d) => match d.as_f64() {
            Some(s) if s >= 0.0 && s.is_finite() => s,
            _ => return Err(format!("DelaySeconds must be a number of seconds, not {d}")),
        },
    };
    Ok((outcome(r)?, delay))
}

fn outcome(r: &Value) -> Result<TaskOutcome, String> {
    if let Some(v) = r.get("Return") {
        return Ok(TaskOutcome::Succeeded(v.clone()));
    }
    if let Some(t) = r.get("Throw") {
        let field = |k: &str| {
            t.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        return Ok(TaskOutcome::Failed {
            error: field("Error"),
            cause: field("Cause"),
        });
    }
    Err("a response needs 'Return' or 'Throw'".into())
}
