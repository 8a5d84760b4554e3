//! `TestState`: runs one state on its own, with a given input, and reports what it did, as
//! AWS's TestState does (2025): with a `mock` of the state's task result or error (checked
//! against the called API's model, `fieldValidationMode`), a `stateName` picking the state
//! out of a whole state machine, a `stateConfiguration` (retries already made, a Map's failed
//! iterations, its reader's data, the state an error comes from), and `inspectionLevel`
//! DEBUG's data.
//!
//! The state is placed in a small machine of its own, whose every transition target is a
//! Succeed state of that name, and run in memory on the virtual clock of `switchback run`:
//! the state entered after it is the answer's `nextState`. One attempt is run, as AWS does:
//! the state's `Retry` rules are taken out and judged here, so an error a retrier takes
//! answers `RETRIABLE` (with the retrier's index and back-off) instead of running again. A
//! Task state without a mock calls its integration, as on AWS.
//!
//! A mocked Map or Parallel state takes the mock as its result (its iterations or branches do
//! not run; see `map_state` for a Map's failed iterations). What AWS refuses is refused
//! first, in `rules`. `context` (with a mock, as AWS allows it) is the context object `$$`
//! shows, whole (see `context`); its execution name and start time also name the run.
//!
//! `TRACE` adds an HTTP Task's raw `request` and `response` (see `trace`).
//!
//! Not yet: a Map's `afterItemSelector` and `afterItemBatcher`.

use serde_json::{json, Map, Value};
use switchback_engine::mock::Mocks;
use switchback_engine::{run_execution, EventKind, RunOptions};

use crate::error::ApiError;
use crate::input::{shapes, Input, Len};
use crate::state::AppState;

mod context;
mod map_state;
mod rules;
mod trace;

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
    let reveal_secrets = input.opt_bool("revealSecrets")?.unwrap_or(false);
    let variables = input.opt_str("variables", Len::sensitive(0, 262_144))?;
    let state_name = input.opt_str("stateName", Len::new(1, 80))?;
    let mock = input.opt_object("mock")?;
    let context = input.opt_str("context", Len::sensitive(0, 262_144))?;
    let configuration = input.opt_object("stateConfiguration")?;
    input.finish()?;
    let document: Value = serde_json::from_str(&definition).map_err(|e| {
        ApiError::invalid_definition(format!("Invalid State Machine Definition: '{e}'"))
    })?;
    let mut tested = match &state_name {
        Some(name) => find_state(&document, name).ok_or_else(|| {
            ApiError::validation_message(format!(
                "The state machine definition has no state named '{name}'"
            ))
        })?,
        None => document.clone(),
    };
    // A state picked out of a machine speaks the machine's query language unless it says.
    if let (Some(_), Some(lang), Value::Object(fields)) =
        (&state_name, document.get("QueryLanguage"), &mut tested)
    {
        fields
            .entry("QueryLanguage")
            .or_insert_with(|| lang.clone());
    }
    let jsonata = tested.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    let state_input_text = state_input.clone();
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
    let whole = |field: &str| match configuration.as_ref().and_then(|c| c.get(field)) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            ApiError::validation_message(format!(
                "stateConfiguration.{field} must be a whole number, 0 or more"
            ))
        }),
    };
    let text = |field: &str| match configuration.as_ref().and_then(|c| c.get(field)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::validation_message(format!(
            "stateConfiguration.{field} must be a string"
        ))),
    };
    let retry_count = whole("retrierRetryCount")?.unwrap_or(0);
    let map_failures = whole("mapIterationFailureCount")?;
    let error_caused_by = text("errorCausedByState")?;
    let reader_data = text("mapItemReaderData")?;
    let mock_result =
        match mock
            .as_ref()
            .map(|m| (m.get("result"), m.get("errorOutput")))
        {
            Some((Some(_), Some(_))) => return Err(ApiError::validation_message(
                "A test mock should have only one of the following fields: [result, errorOutput].",
            )),
            Some((Some(Value::String(text)), None)) => {
                Some(serde_json::from_str::<Value>(text).map_err(|e| {
                    ApiError::validation_message(format!("The mock result is not valid JSON: {e}"))
                })?)
            }
            _ => None,
        };
    let input_json = switchback_json::Json::from(state_input.clone());
    let map_items = match rules::kind(&tested) {
        "Map" => map_state::items(&tested, &input_json, reader_data.as_deref()),
        _ => None,
    };
    rules::check(&rules::Request {
        state: &tested,
        mock_result: mock_result.as_ref(),
        mocked: mock.is_some(),
        reveal_secrets,
        map_failures,
        error_caused_by: error_caused_by.as_deref(),
        map_iterations: map_items.as_ref().map(|i| i.len() as u64).or_else(|| {
            mock_result
                .as_ref()
                .and_then(Value::as_array)
                .map(|a| a.len() as u64)
        }),
    })?;
    let mut mocks = match &mock {
        Some(m) => Some(mocks_of(m)?),
        None => None,
    };
    // A Task's mocked result is checked against the API model of what it calls, as AWS does.
    if let (Some(result), "Task", Some(resource)) = (
        &mock_result,
        rules::kind(&tested),
        tested.get("Resource").and_then(Value::as_str),
    ) {
        let mode = mock
            .as_ref()
            .and_then(|m| m.get("fieldValidationMode"))
            .and_then(Value::as_str)
            .and_then(switchback_integrations::FieldValidationMode::parse)
            .unwrap_or_default();
        switchback_integrations::check_mock_result(resource, result, mode)
            .map_err(ApiError::validation_message)?;
    }
    // Failed iterations past what the Map state tolerates fail it, as its map run would.
    if let (Some(failures), Some(_)) = (map_failures, &mock_result) {
        let iterations = map_items.as_ref().map(|i| i.len() as u64).or_else(|| {
            mock_result
                .as_ref()
                .and_then(Value::as_array)
                .map(|a| a.len() as u64)
        });
        let tolerance = map_state::tolerance(&tested, &input_json);
        if map_state::exceeds(failures, iterations, tolerance) {
            let (error, cause) = map_state::EXCEEDED;
            let thrown = json!({ STATE: {"Throw": {"Error": error, "Cause": cause}} });
            mocks = Some(Mocks::from_json(&thrown, None).map_err(ApiError::validation_message)?);
        }
    }
    let context = match (&context, &mocks) {
        (Some(_), None) => {
            return Err(ApiError::validation_message(
                "A context may only be given with a mock",
            ))
        }
        (Some(text), Some(_)) => Some(context::parse(text, &tested)?),
        (None, _) => None,
    };
    // What of the context an execution shows: its name and start time, its machine's name.
    let field = |path: &[&str]| {
        let mut v = context.as_ref()?;
        for p in path {
            v = v.get(*p)?;
        }
        v.as_str().map(str::to_string)
    };
    let execution_name = field(&["Execution", "Name"]);
    let machine_name = field(&["StateMachine", "Name"]);
    let context_start = match field(&["Execution", "StartTime"]) {
        Some(t) => Some(t.parse::<jiff::Timestamp>().map_err(|e| {
            ApiError::validation_message(format!(
                "The context's Execution.StartTime '{t}' is not a timestamp: {e}"
            ))
        })?),
        None => None,
    };
    // One attempt: the retriers are judged here, not run.
    let retriers = tested.get("Retry").cloned();
    let mut attempt = match &mocks {
        // A mocked Map or Parallel state's result is the mock's: it runs as a Task would.
        Some(_) => mocked_container(&tested).unwrap_or_else(|| tested.clone()),
        None => tested.clone(),
    };
    if let Value::Object(fields) = &mut attempt {
        fields.remove("Retry");
    }
    let machine_doc = wrap(&attempt, variables.as_ref())?;
    let machine = switchback_asl::load::load_document(&machine_doc).map_err(|e| match e {
        switchback_asl::LoadError::Syntax(s) => ApiError::invalid_definition(s),
        switchback_asl::LoadError::Invalid(faults) => {
            ApiError::invalid_definition(switchback_validate::invalid_definition_message(&faults))
        }
    })?;
    let limits = state.runtime.config().limits;
    let start_time = context_start.or(Some(state.runtime.config().clock.now()));
    // `$$` is the context given, whole.
    let given_context = context.clone();
    // Without a mock a Task calls its integration, as on AWS; TRACE keeps an HTTP Task's
    // exchange on the way.
    let mut tracing = None;
    let tasks = match (&mocks, state.runtime.tasks()) {
        (Some(_), _) | (None, None) => None,
        (None, Some(tasks)) if level == "TRACE" => {
            let traced = trace::Tracing::new(tasks, reveal_secrets);
            tracing = Some(traced.seen());
            Some(std::sync::Arc::new(traced) as switchback_runtime::SharedTaskHandler)
        }
        (None, Some(tasks)) => Some(tasks),
    };
    let outcome = tokio::task::spawn_blocking(move || {
        run_execution(
            &machine,
            state_input,
            RunOptions {
                limits,
                start_time,
                mocks: mocks.unwrap_or_default(),
                execution_name: execution_name.unwrap_or_else(|| "local".into()),
                state_machine_name: machine_name.unwrap_or_else(|| "StateMachine".into()),
                tasks: tasks.map(|t| t as std::sync::Arc<dyn switchback_engine::run::TaskHandler>),
                context: given_context.map(switchback_json::Json::from),
                ..RunOptions::default()
            },
        )
    })
    .await
    .map_err(|e| ApiError::internal(format!("the test run failed: {e}")))?;
    let mut answer = answer(&outcome, &level, &tested, retriers.as_ref(), retry_count);
    if level != "INFO" {
        add_steps(&mut answer, &tested, &state_input_text, variables.as_ref());
        inspect_container(&mut answer, &tested, &input_json, jsonata);
        variables_after(&mut answer, variables.as_ref());
    }
    if let Some(seen) = &tracing {
        trace::add(&mut answer, seen);
    }
    Ok(answer)
}

/// DEBUG's `variables`: the workflow variables after the state, those given with the
/// request and those the state assigned (its `StateExited` event's `assignedVariables`,
/// whose values are JSON texts).
fn variables_after(answer: &mut Value, given: Option<&Value>) {
    let Some(data) = answer
        .get_mut("inspectionData")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let assigned = data
        .get("variables")
        .and_then(Value::as_str)
        .and_then(|t| serde_json::from_str::<Map<String, Value>>(t).ok());
    let mut after = given
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, text) in assigned.into_iter().flatten() {
        let value = match &text {
            Value::String(t) => serde_json::from_str(t).unwrap_or(text.clone()),
            other => other.clone(),
        };
        after.insert(name, value);
    }
    if after.is_empty() {
        data.remove("variables");
    } else {
        data.insert("variables".into(), json!(Value::Object(after).to_string()));
    }
}

/// A mocked Map or Parallel state ran as a task that the mock answered: its inspection data
/// loses the task's parameters and result (no task ran), and a Map state's gains its own
/// fields (`maxConcurrency`, its tolerance, `afterItemsPath`).
fn inspect_container(
    answer: &mut Value,
    tested: &Value,
    input: &switchback_json::Json,
    jsonata: bool,
) {
    let kind = rules::kind(tested);
    if kind != "Map" && kind != "Parallel" {
        return;
    }
    let Some(data) = answer
        .get_mut("inspectionData")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for field in ["afterParameters", "afterArguments", "result"] {
        data.remove(field);
    }
    if kind == "Map" {
        data.extend(map_state::inspection(tested, input, !jsonata));
    }
}

/// The steps of a JSONPath state that the run does not record, worked out again from the
/// state's fields: `afterInputPath` (the input through `InputPath`) and
/// `afterResultSelector` (the task's result through `ResultSelector`).
fn add_steps(answer: &mut Value, tested: &Value, input: &str, variables: Option<&Value>) {
    if tested.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
        return;
    }
    let Some(data) = answer
        .get_mut("inspectionData")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let Ok(input) = switchback_json::Json::parse(input) else {
        return;
    };
    let after_input = match tested.get("InputPath") {
        None => Some(input.clone()),
        Some(Value::Null) => Some(switchback_json::Json::Object(Default::default())),
        Some(Value::String(p)) => switchback_jsonpath::Path::parse(p)
            .ok()
            .and_then(|path| path.select(&input).ok()),
        Some(_) => None,
    };
    if let Some(v) = after_input {
        data.insert("afterInputPath".into(), json!(v.to_serde().to_string()));
    }
    let result = data
        .get("result")
        .and_then(Value::as_str)
        .and_then(|r| switchback_json::Json::parse(r).ok());
    if let (Some(selector), Some(result)) = (tested.get("ResultSelector"), result) {
        let selected = switchback_asl::template::Template::jsonpath(selector)
            .ok()
            .and_then(|t| {
                let mut env = StepEnv::new(result, variables);
                t.eval(&mut env).ok()
            });
        if let Some(v) = selected {
            data.insert(
                "afterResultSelector".into(),
                json!(v.to_serde().to_string()),
            );
        }
    }
}

/// What a `ResultSelector` sees: the task's result as `$`, the variables given.
struct StepEnv {
    input: switchback_json::Json,
    context: switchback_json::Json,
    variables: std::collections::BTreeMap<String, switchback_json::Json>,
    states: switchback_json::Json,
}

impl StepEnv {
    fn new(input: switchback_json::Json, variables: Option<&Value>) -> StepEnv {
        let variables = variables
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), switchback_json::Json::from(v.clone())))
            .collect();
        StepEnv {
            input,
            context: switchback_json::Json::Object(Default::default()),
            variables,
            states: switchback_json::Json::Object(Default::default()),
        }
    }
}

impl switchback_asl::env::Env for StepEnv {
    fn input(&self) -> &switchback_json::Json {
        &self.input
    }
    fn context(&self) -> &switchback_json::Json {
        &self.context
    }
    fn variable(&self, name: &str) -> Option<&switchback_json::Json> {
        self.variables.get(name)
    }
    fn variable_names(&self) -> Vec<String> {
        self.variables.keys().cloned().collect()
    }
    fn states(&self) -> &switchback_json::Json {
        &self.states
    }
    fn random_u64(&mut self) -> u64 {
        0x5eed
    }
}

/// The tested state's mocked response: `result` (a JSON text) or `errorOutput`.
fn mocks_of(mock: &Map<String, Value>) -> Result<Mocks, ApiError> {
    let response =
        match (mock.get("result"), mock.get("errorOutput")) {
            (Some(Value::String(text)), None) => {
                let result: Value = serde_json::from_str(text).map_err(|e| {
                    ApiError::validation_message(format!("The mock result is not valid JSON: {e}"))
                })?;
                json!({"Return": result})
            }
            (None, Some(Value::Object(e))) => json!({"Throw": {
                "Error": e.get("error").and_then(Value::as_str).unwrap_or_default(),
                "Cause": e.get("cause").and_then(Value::as_str).unwrap_or_default(),
            }}),
            (Some(_), Some(_)) => return Err(ApiError::validation_message(
                "A test mock should have only one of the following fields: [result, errorOutput].",
            )),
            _ => {
                return Err(ApiError::validation_message(
                    "A mock needs a result (a JSON string) or an errorOutput",
                ))
            }
        };
    if let Some(mode) = mock.get("fieldValidationMode") {
        if !matches!(mode.as_str(), Some("STRICT" | "PRESENT" | "NONE")) {
            return Err(ApiError::validation_message(format!(
                "1 validation error detected: Value '{}' at 'mock.fieldValidationMode' failed to satisfy constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]",
                mode.as_str().unwrap_or_default()
            )));
        }
    }
    Mocks::from_json(&json!({ STATE: response }), None).map_err(ApiError::validation_message)
}

/// A Map or Parallel state whose result a mock gives, as a Task state that the mock answers:
/// the iterations or branches do not run, and the state's own input and output processing
/// (`InputPath`, `ResultSelector`, `ResultPath`, `OutputPath`, `Output`, `Assign`), `Catch`
/// and transition apply to the mocked result, as AWS's TestState does.
fn mocked_container(state: &Value) -> Option<Value> {
    let fields = state.as_object()?;
    let kind = fields.get("Type").and_then(Value::as_str)?;
    if kind != "Map" && kind != "Parallel" {
        return None;
    }
    let kept = [
        "Comment",
        "QueryLanguage",
        "InputPath",
        "ResultSelector",
        "ResultPath",
        "OutputPath",
        "Output",
        "Assign",
        "Catch",
        "Next",
        "End",
    ];
    let mut task: Map<String, Value> = fields
        .iter()
        .filter(|(k, _)| kept.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    task.insert("Type".into(), json!("Task"));
    task.insert(
        "Resource".into(),
        json!("arn:aws:lambda:us-east-1:123456789012:function:TestStateMock"),
    );
    Some(Value::Object(task))
}

/// The state named `name` in a state machine, at any level.
fn find_state(machine: &Value, name: &str) -> Option<Value> {
    let states = machine.get("States")?.as_object()?;
    if let Some(s) = states.get(name) {
        return Some(s.clone());
    }
    states
        .values()
        .find_map(|s| rules::inner_scopes(s).find_map(|scope| find_state(scope, name)))
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

/// What one run of the state showed: its input and output, its task's parameters and result,
/// and the error it failed with (caught or not).
#[derive(Default)]
struct Seen {
    input: Option<String>,
    output: Option<String>,
    next_state: Option<String>,
    parameters: Option<String>,
    result: Option<String>,
    variables: Option<String>,
    /// The error and cause the state failed with.
    failure: Option<(String, String)>,
}

fn seen(outcome: &switchback_engine::ExecutionOutcome) -> Seen {
    let mut s = Seen::default();
    let mut after_tested = false;
    for event in &outcome.events {
        match &event.kind {
            EventKind::StateEntered { name, input, .. } if &**name == STATE => {
                s.input = Some(input.to_string());
            }
            EventKind::StateEntered { name, .. } if after_tested && s.next_state.is_none() => {
                s.next_state = Some(name.to_string());
            }
            EventKind::StateExited { name, .. } if &**name == STATE => {
                after_tested = true;
            }
            _ => {}
        }
        let aws = event.to_aws_json();
        let details = |field: &str| aws.get(field).cloned();
        if let Some(d) = details("stateExitedEventDetails") {
            if d.get("name").and_then(Value::as_str) == Some(STATE) {
                s.output = d.get("output").and_then(Value::as_str).map(str::to_string);
                s.variables = d.get("assignedVariables").map(|v| v.to_string());
            }
        }
        for (field, key) in [
            ("taskScheduledEventDetails", "parameters"),
            ("lambdaFunctionScheduledEventDetails", "input"),
        ] {
            if let Some(p) = details(field).and_then(|d| d.get(key).cloned()) {
                s.parameters = p.as_str().map(str::to_string);
            }
        }
        for field in [
            "taskSucceededEventDetails",
            "lambdaFunctionSucceededEventDetails",
        ] {
            if let Some(o) = details(field).and_then(|d| d.get("output").cloned()) {
                s.result = o.as_str().map(str::to_string);
            }
        }
        for field in [
            "taskFailedEventDetails",
            "lambdaFunctionFailedEventDetails",
            "taskTimedOutEventDetails",
            "lambdaFunctionTimedOutEventDetails",
        ] {
            if let Some(d) = details(field) {
                let text = |k: &str| {
                    d.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                s.failure = Some((text("error"), text("cause")));
            }
        }
    }
    s
}

/// The answer: status, output or error, the next state, and at DEBUG the data seen.
fn answer(
    outcome: &switchback_engine::ExecutionOutcome,
    level: &str,
    tested: &Value,
    retriers: Option<&Value>,
    retry_count: u64,
) -> Value {
    let jsonata = tested.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    let s = seen(outcome);
    let failed = outcome.status.as_str() != "SUCCEEDED";
    // The error of this attempt: the task's (caught or not), else the execution's.
    let error = match (&s.failure, failed) {
        (Some(f), _) => Some(f.clone()),
        (None, true) => Some((
            outcome.error.clone().unwrap_or_default(),
            outcome.cause.clone().unwrap_or_default(),
        )),
        (None, false) => None,
    };
    let retry = error
        .as_ref()
        .and_then(|(e, _)| retrier_for(retriers, e, retry_count));
    let mut out = Map::new();
    let mut error_details = Map::new();
    // The retrier that took the error but has no attempts left: the state fails (or is
    // caught), and AWS still names the retrier.
    if let Some((index, None)) = retry {
        error_details.insert("retryIndex".into(), json!(index));
    }
    if let (Some((index, Some(backoff))), Some((e, c))) = (retry, &error) {
        out.insert("status".into(), json!("RETRIABLE"));
        out.insert("error".into(), json!(e));
        out.insert("cause".into(), json!(c));
        error_details.insert("retryIndex".into(), json!(index));
        error_details.insert("retryBackoffIntervalSeconds".into(), json!(backoff));
    } else if !failed && s.output.is_some() {
        let caught = s.failure.is_some() && s.next_state.is_some();
        out.insert(
            "status".into(),
            json!(if caught { "CAUGHT_ERROR" } else { "SUCCEEDED" }),
        );
        if let Some(o) = &s.output {
            out.insert("output".into(), json!(o));
        }
        if let Some(n) = &s.next_state {
            out.insert("nextState".into(), json!(n));
        }
        if caught {
            if let Some((e, c)) = &s.failure {
                out.insert("error".into(), json!(e));
                out.insert("cause".into(), json!(c));
                if let Some(index) = rule_for(tested.get("Catch"), e) {
                    error_details.insert("catchIndex".into(), json!(index));
                }
            }
        }
    } else {
        out.insert("status".into(), json!("FAILED"));
        if let Some((e, c)) = &error {
            out.insert("error".into(), json!(e));
            out.insert("cause".into(), json!(c));
        }
    }
    if level != "INFO" {
        let mut data = Map::new();
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                data.insert(k.into(), json!(v));
            }
        };
        put("input", &s.input);
        put(
            if jsonata {
                "afterArguments"
            } else {
                "afterParameters"
            },
            &s.parameters,
        );
        put("result", &s.result);
        put("afterResultPath", &s.output);
        put("variables", &s.variables);
        if !error_details.is_empty() {
            data.insert("errorDetails".into(), Value::Object(error_details));
        }
        out.insert("inspectionData".into(), Value::Object(data));
    }
    Value::Object(out)
}

/// The retrier that takes `error` after `retry_count` retries, if one does: its index, and
/// the back-off before the next attempt (in whole seconds) if it has attempts left.
fn retrier_for(
    retriers: Option<&Value>,
    error: &str,
    retry_count: u64,
) -> Option<(usize, Option<u64>)> {
    let index = rule_for(retriers, error)?;
    let rule = retriers?.as_array()?.get(index)?;
    let number = |k: &str, default: f64| rule.get(k).and_then(Value::as_f64).unwrap_or(default);
    let max_attempts = number("MaxAttempts", 3.0);
    if (retry_count as f64) >= max_attempts {
        return Some((index, None));
    }
    let mut backoff =
        number("IntervalSeconds", 1.0) * number("BackoffRate", 2.0).powi(retry_count as i32);
    if let Some(max) = rule.get("MaxDelaySeconds").and_then(Value::as_f64) {
        backoff = backoff.min(max);
    }
    Some((index, Some(backoff as u64)))
}

/// The index of the first Retry or Catch rule whose `ErrorEquals` takes `error`.
fn rule_for(rules: Option<&Value>, error: &str) -> Option<usize> {
    rules?.as_array()?.iter().position(|r| {
        r.get("ErrorEquals")
            .and_then(Value::as_array)
            .is_some_and(|names| {
                names.iter().filter_map(Value::as_str).any(|n| {
                    n == error
                        || n == "States.ALL"
                        || (n == "States.TaskFailed" && !error.starts_with("States."))
                })
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retrier_that_takes_an_error_and_its_backoff() {
        let retriers = json!([
            {"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 2},
            {"ErrorEquals": ["States.ALL"], "MaxDelaySeconds": 5, "IntervalSeconds": 4}
        ]);
        assert_eq!(retrier_for(Some(&retriers), "Busy", 0), Some((0, Some(2))));
        assert_eq!(retrier_for(Some(&retriers), "Busy", 1), Some((0, Some(6))));
        assert_eq!(
            retrier_for(Some(&retriers), "Busy", 2),
            Some((0, None)),
            "attempts used up"
        );
        assert_eq!(
            retrier_for(Some(&retriers), "Other", 1),
            Some((1, Some(5))),
            "capped"
        );
        assert_eq!(retrier_for(None, "Busy", 0), None);
    }

    #[test]
    fn a_state_is_found_at_any_level_of_a_machine() {
        let m = json!({"StartAt": "A", "States": {
            "A": {"Type": "Map", "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}, "End": true}}});
        assert_eq!(
            find_state(&m, "B"),
            Some(json!({"Type": "Pass", "End": true}))
        );
        assert_eq!(find_state(&m, "C"), None);
    }
}
