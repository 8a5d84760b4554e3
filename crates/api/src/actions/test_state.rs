//! `TestState`: runs one state on its own, with a given input, and reports what it did.
//!
//! The state is placed in a small machine of its own, whose every transition target is a
//! Succeed state of that name, and run in memory on the virtual clock of `switchback run`:
//! the state entered after it is the answer's `nextState`. Task states run without
//! integrations here and fail with the one-shot runner's explanation.

use serde_json::{json, Map, Value};
use switchback_engine::{run_execution, EventKind, RunOptions};

use crate::error::ApiError;
use crate::input::{shapes, Input, Len};
use crate::state::AppState;

/// The name the tested state runs under.
const STATE: &str = "TestState";

/// `TestState`.
pub async fn test_state(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let definition = input.req_str("definition", shapes::DEFINITION)?;
    let _role = input.opt_str("roleArn", shapes::ARN)?;
    let state_input = input
        .opt_str("input", Len::sensitive(0, 262_144))?
        .unwrap_or_else(|| "{}".into());
    let level = input
        .opt_enum("inspectionLevel", &["INFO", "DEBUG", "TRACE"])?
        .unwrap_or_else(|| "INFO".into());
    let _reveal = input.opt_bool("revealSecrets")?;
    let variables = input.opt_str("variables", Len::sensitive(0, 262_144))?;
    input.finish()?;
    let tested: Value = serde_json::from_str(&definition).map_err(|e| {
        ApiError::invalid_definition(format!("Invalid State Machine Definition: '{e}'"))
    })?;
    let state_input: Value = serde_json::from_str(&state_input).map_err(|e| {
        ApiError::service(
            "InvalidExecutionInput",
            format!("Invalid State Machine Execution Input: '{e}'"),
        )
    })?;
    let variables: Option<Value> = match variables {
        Some(v) => Some(serde_json::from_str(&v).map_err(|e| {
            ApiError::validation_message(format!("The variables are not valid JSON: {e}"))
        })?),
        None => None,
    };
    let machine_doc = wrap(&tested, variables.as_ref())?;
    let machine = switchback_asl::load::load_document(&machine_doc).map_err(|e| match e {
        switchback_asl::LoadError::Syntax(s) => ApiError::invalid_definition(s),
        switchback_asl::LoadError::Invalid(faults) => {
            ApiError::invalid_definition(switchback_validate::invalid_definition_message(&faults))
        }
    })?;
    let limits = state.runtime.config().limits;
    let start_time = Some(state.runtime.config().clock.now());
    let outcome = tokio::task::spawn_blocking(move || {
        run_execution(
            &machine,
            state_input,
            RunOptions {
                limits,
                start_time,
                ..RunOptions::default()
            },
        )
    })
    .await
    .map_err(|e| ApiError::internal(format!("the test run failed: {e}")))?;
    Ok(answer(&outcome, &level))
}

/// The one-state machine: the tested state, Succeed states for its targets, and a Pass state
/// in front that sets the given variables.
fn wrap(tested: &Value, variables: Option<&Value>) -> Result<Value, ApiError> {
    let Value::Object(fields) = tested else {
        return Err(ApiError::invalid_definition(
            "Invalid State Machine Definition: 'the definition of a state must be a JSON object'",
        ));
    };
    let mut states = Map::new();
    let mut start = STATE.to_string();
    if let Some(vars) = variables {
        start = "TestState variables".into();
        states.insert(
            start.clone(),
            json!({"Type": "Pass", "Assign": vars, "Next": STATE}),
        );
    }
    states.insert(STATE.into(), Value::Object(fields.clone()));
    for target in targets(fields) {
        if target != STATE && !states.contains_key(&target) {
            states.insert(target, json!({"Type": "Succeed"}));
        }
    }
    let mut doc = json!({"StartAt": start, "States": states});
    if let Some(lang) = fields.get("QueryLanguage") {
        doc["QueryLanguage"] = lang.clone();
    }
    Ok(doc)
}

/// Every state name the state can go to.
fn targets(fields: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |v: Option<&Value>| {
        if let Some(Value::String(s)) = v {
            out.push(s.clone());
        }
    };
    push(fields.get("Next"));
    push(fields.get("Default"));
    for list in ["Choices", "Catch"] {
        if let Some(Value::Array(items)) = fields.get(list) {
            for item in items {
                push(item.get("Next"));
            }
        }
    }
    out
}

/// The answer: status, output or error, the next state, and at DEBUG the data seen.
fn answer(outcome: &switchback_engine::ExecutionOutcome, level: &str) -> Value {
    let mut output = None;
    let mut next_state = None;
    let mut caught = false;
    let mut after_tested = false;
    for event in &outcome.events {
        match &event.kind {
            EventKind::StateEntered { name, .. } if after_tested && next_state.is_none() => {
                next_state = Some(name.to_string());
            }
            EventKind::StateExited {
                name, output: o, ..
            } if &**name == STATE => {
                output = Some(o.clone());
                after_tested = true;
            }
            EventKind::TaskFailed { .. }
            | EventKind::LambdaFunctionFailed { .. }
            | EventKind::TaskTimedOut { .. } => caught = true,
            _ => {}
        }
    }
    let mut out = Map::new();
    match (&output, outcome.status.as_str()) {
        (Some(o), _) => {
            let status = if caught && next_state.is_some() {
                "CAUGHT_ERROR"
            } else {
                "SUCCEEDED"
            };
            out.insert("status".into(), json!(status));
            out.insert("output".into(), json!(o.to_string()));
            if let Some(n) = &next_state {
                out.insert("nextState".into(), json!(n));
            }
        }
        (None, _) => {
            out.insert("status".into(), json!("FAILED"));
            if let Some(e) = &outcome.error {
                out.insert("error".into(), json!(e));
            }
            if let Some(c) = &outcome.cause {
                out.insert("cause".into(), json!(c));
            }
        }
    }
    if level != "INFO" {
        let input = outcome.events.iter().find_map(|e| match &e.kind {
            EventKind::StateEntered { name, input, .. } if &**name == STATE => {
                Some(input.to_string())
            }
            _ => None,
        });
        let mut data = Map::new();
        if let Some(i) = input {
            data.insert("input".into(), json!(i));
        }
        if let Some(o) = &output {
            data.insert("afterResultPath".into(), json!(o.to_string()));
        }
        out.insert("inspectionData".into(), Value::Object(data));
    }
    Value::Object(out)
}
