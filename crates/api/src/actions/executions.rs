//! StartExecution, StartSyncExecution, StopExecution, DescribeExecution,
//! DescribeStateMachineForExecution and ListExecutions.
//!
//! Starting and stopping go through the runtime (which commits before it answers); describing
//! and listing read the store directly. Express executions are not kept after they end, as in
//! AWS, so only Standard executions can be described, listed or stopped.

use serde_json::{json, Map, Value};
use switchback_json::Json;
use switchback_runtime::{RuntimeError, StartRequest};
use switchback_store::executions::{self, ExecutionRecord, ListFilter};
use switchback_store::state_machines::{self as machines, StateMachineType};
use switchback_types::ExecutionStatus;

use crate::arn::{self, Qualifier};
use crate::error::ApiError;
use crate::ids;
use crate::input::{shapes, Input, Len};
use crate::names;
use crate::paging::{self, PageRequest};
use crate::start_target::{resolve_start_target, StartTarget};
use crate::state::AppState;
use crate::time::epoch_seconds;

/// `SensitiveData` (execution input): at most 256 KiB.
const INPUT: Len = Len::sensitive(0, 262_144);
/// `SensitiveError` and `SensitiveCause` of StopExecution.
const STOP_ERROR: Len = Len::sensitive(0, 256);
const STOP_CAUSE: Len = Len::sensitive(0, 32_768);
/// `TraceHeader`.
const TRACE_HEADER: Len = Len::new(0, 256);

/// The runtime's errors in AWS's shape.
pub(crate) fn runtime_error(e: RuntimeError) -> ApiError {
    match e {
        RuntimeError::ExecutionAlreadyExists(arn) => ApiError::service(
            "ExecutionAlreadyExists",
            format!("Execution Already Exists: '{arn}'"),
        ),
        RuntimeError::ExecutionDoesNotExist(arn) => execution_does_not_exist(&arn),
        RuntimeError::ExecutionNotRedrivable(m) => ApiError::service("ExecutionNotRedrivable", m),
        RuntimeError::InvalidDefinition(m) => ApiError::invalid_definition(m),
        RuntimeError::ShuttingDown => {
            ApiError::service_unavailable("The server is shutting down; retry against the next one")
        }
        RuntimeError::InvalidToken(m) => {
            ApiError::service("InvalidToken", format!("Invalid Token: '{m}'"))
        }
        RuntimeError::TaskDoesNotExist(m) => {
            ApiError::service("TaskDoesNotExist", format!("Task Does Not Exist: '{m}'"))
        }
        RuntimeError::TaskTimedOut(m) => {
            ApiError::service("TaskTimedOut", format!("Task Timed Out: '{m}'"))
        }
        RuntimeError::Store(e) => e.into(),
    }
}

/// `Execution Does Not Exist: '<arn>'`.
pub(crate) fn execution_does_not_exist(arn: &str) -> ApiError {
    ApiError::service(
        "ExecutionDoesNotExist",
        format!("Execution Does Not Exist: '{arn}'"),
    )
}

/// The execution input: JSON text (default `{}`), checked as AWS checks it.
fn read_input(input: &mut Input) -> Result<(String, Json), ApiError> {
    let text = input
        .take_str("input", INPUT)?
        .unwrap_or_else(|| "{}".to_string());
    // Parsed once here, to check it, and handed to the runtime as it is.
    match Json::parse(&text) {
        Ok(value) => Ok((text, value)),
        Err(e) => Err(ApiError::service(
            "InvalidExecutionInput",
            format!("Invalid State Machine Execution Input: '{e}'"),
        )),
    }
}

/// The members StartExecution and StartSyncExecution share.
struct Start {
    target: StartTarget,
    request: StartRequest,
}

async fn read_start(state: &AppState, body: Value) -> Result<Start, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineArn", shapes::ARN)?;
    // `stateMachineArn#TestCase` runs with a test case of the mock configuration, as AWS's
    // local emulator does.
    let (arn_text, mock_test_case) = match arn_text.split_once('#') {
        Some((arn, case)) => (arn.to_string(), Some(case.to_string())),
        None => (arn_text, None),
    };
    let name = input.opt_str("name", shapes::NAME)?;
    let (execution_input, input_value) = read_input(&mut input)?;
    let trace_header = input.opt_str("traceHeader", TRACE_HEADER)?;
    input.finish()?;
    let name = match name {
        Some(n) => {
            names::check_name(&n)?;
            n
        }
        None => ids::uuid_v4(),
    };
    let target = resolve_start_target(state, &arn_text).await?;
    if let Some(case) = &mock_test_case {
        state
            .runtime
            .check_mock_test_case(&target.name, case)
            .map_err(|m| {
                ApiError::validation_message(format!("Invalid mock test case '{case}': {m}"))
            })?;
    }
    let request = StartRequest {
        state_machine_arn: target.state_machine_arn.clone(),
        version_arn: target.version_arn.clone(),
        alias_arn: target.alias_arn.clone(),
        definition: target.definition.clone(),
        role_arn: target.role_arn.clone(),
        revision_id: target.revision_id.clone(),
        name,
        input: execution_input,
        input_value: Some(input_value),
        trace_header,
        parent_id: None,
        mock_test_case,
    };
    Ok(Start { target, request })
}

/// `StartExecution`: a Standard execution is committed before the answer; an Express one
/// starts in memory.
pub async fn start_execution(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let Start { target, request } = read_start(state, body).await?;
    let started = match target.machine_type {
        StateMachineType::Standard => state.runtime.start_execution(request).await,
        StateMachineType::Express => state.runtime.start_express_execution(request),
    }
    .map_err(runtime_error)?;
    Ok(json!({
        "executionArn": started.execution_arn,
        "startDate": epoch_seconds(started.start_date),
    }))
}

/// `StartSyncExecution`: runs an Express execution to its end and answers with its outcome.
pub async fn start_sync_execution(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let Start { target, request } = read_start(state, body).await?;
    if target.machine_type != StateMachineType::Express {
        return Err(ApiError::state_machine_type_not_supported());
    }
    let input_text = request.input.clone();
    let name = request.name.clone();
    let trace_header = request.trace_header.clone();
    let outcome = state
        .runtime
        .start_sync_execution(request)
        .await
        .map_err(runtime_error)?;
    let ending = outcome.ending;
    let billed_ms = ((ending.stop_date - outcome.start_date).max(0) + 99_999) / 100_000 * 100;
    let mut out = Map::new();
    out.insert("executionArn".into(), json!(outcome.execution_arn));
    out.insert("stateMachineArn".into(), json!(target.state_machine_arn));
    out.insert("name".into(), json!(name));
    out.insert("startDate".into(), epoch_seconds(outcome.start_date));
    out.insert("stopDate".into(), epoch_seconds(ending.stop_date));
    out.insert("status".into(), json!(ending.status));
    if let Some(e) = ending.error {
        out.insert("error".into(), json!(e));
    }
    if let Some(c) = ending.cause {
        out.insert("cause".into(), json!(c));
    }
    out.insert("input".into(), json!(input_text));
    out.insert("inputDetails".into(), json!({"included": true}));
    if let Some(o) = ending.output {
        out.insert("output".into(), json!(o));
        out.insert("outputDetails".into(), json!({"included": true}));
    }
    if let Some(t) = trace_header {
        out.insert("traceHeader".into(), json!(t));
    }
    out.insert(
        "billingDetails".into(),
        json!({"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": billed_ms.max(100)}),
    );
    Ok(Value::Object(out))
}

/// Reads `executionArn` and refuses Express executions, which are not kept.
fn read_execution_arn(input: &mut Input) -> Result<String, ApiError> {
    let arn_text = input.req_str("executionArn", shapes::ARN)?;
    Ok(arn_text)
}

fn check_standard(arn_text: &str) -> Result<(), ApiError> {
    let parsed = arn::parse_execution(arn_text)?;
    if parsed.express_id.is_some() {
        return Err(ApiError::service(
            "InvalidArn",
            format!(
                "Invalid Arn: 'Express executions are not supported by this action: {arn_text}'"
            ),
        ));
    }
    Ok(())
}

/// Loads a Standard execution by ARN.
pub(crate) async fn load(state: &AppState, arn_text: &str) -> Result<ExecutionRecord, ApiError> {
    check_standard(arn_text)?;
    let arn = arn_text.to_string();
    state
        .store
        .read(move |c| executions::get_by_arn(c, &arn))
        .await?
        .ok_or_else(|| execution_does_not_exist(arn_text))
}

/// A Standard execution's metadata (no definition, input or output) by ARN: a point read of
/// bounded size, so it runs on the request's own thread when it can (see
/// `Store::read_point`): status polls are the commonest request.
async fn load_metadata(state: &AppState, arn_text: &str) -> Result<ExecutionRecord, ApiError> {
    check_standard(arn_text)?;
    let arn = arn_text.to_string();
    state
        .store
        .read_point(move |c| executions::get_metadata_by_arn(c, &arn))
        .await?
        .ok_or_else(|| execution_does_not_exist(arn_text))
}

/// `StopExecution`.
pub async fn stop_execution(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = read_execution_arn(&mut input)?;
    let error = input.opt_str("error", STOP_ERROR)?;
    let cause = input.opt_str("cause", STOP_CAUSE)?;
    input.finish()?;
    check_standard(&arn_text)?;
    let stop_date = state
        .runtime
        .stop_execution(&arn_text, error, cause)
        .await
        .map_err(runtime_error)?;
    Ok(json!({ "stopDate": epoch_seconds(stop_date) }))
}

/// Whether a closed execution can be redriven, and why not, as DescribeExecution reports it.
pub(crate) fn redrive_status(e: &ExecutionRecord) -> (&'static str, Option<String>) {
    if e.status.is_redrivable() {
        ("REDRIVABLE", None)
    } else {
        (
            "NOT_REDRIVABLE",
            Some(format!("Execution is {} and cannot be redriven", e.status)),
        )
    }
}

/// `DescribeExecution`.
pub async fn describe_execution(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = read_execution_arn(&mut input)?;
    // METADATA_ONLY leaves the input and output out: AWS offers it for executions whose data
    // the caller may not decrypt, and a poller that only waits for the status uses it not to
    // be sent a large payload on every poll.
    let metadata_only = input
        .opt_enum("includedData", &["ALL_DATA", "METADATA_ONLY"])?
        .as_deref()
        == Some("METADATA_ONLY");
    input.finish()?;
    let e = if metadata_only {
        load_metadata(state, &arn_text).await?
    } else {
        load(state, &arn_text).await?
    };
    let mut out = Map::new();
    out.insert("executionArn".into(), json!(e.arn));
    out.insert("stateMachineArn".into(), json!(e.state_machine_arn));
    out.insert("name".into(), json!(e.name));
    out.insert("status".into(), json!(e.status));
    out.insert("startDate".into(), epoch_seconds(e.start_date));
    if let Some(d) = e.stop_date {
        out.insert("stopDate".into(), epoch_seconds(d));
    }
    if !metadata_only {
        out.insert("input".into(), json!(e.input));
        out.insert("inputDetails".into(), json!({"included": true}));
        if let Some(o) = &e.output {
            out.insert("output".into(), json!(o));
            out.insert("outputDetails".into(), json!({"included": true}));
        }
    }
    if let Some(v) = &e.error {
        out.insert("error".into(), json!(v));
    }
    if let Some(v) = &e.cause {
        out.insert("cause".into(), json!(v));
    }
    if let Some(t) = &e.trace_header {
        out.insert("traceHeader".into(), json!(t));
    }
    if let Some(v) = &e.version_arn {
        out.insert("stateMachineVersionArn".into(), json!(v));
    }
    if let Some(a) = &e.alias_arn {
        out.insert("stateMachineAliasArn".into(), json!(a));
    }
    out.insert("redriveCount".into(), json!(e.redrive_count));
    if let Some(d) = e.redrive_date {
        out.insert("redriveDate".into(), epoch_seconds(d));
    }
    let (status, reason) = redrive_status(&e);
    out.insert("redriveStatus".into(), json!(status));
    if let Some(r) = reason {
        out.insert("redriveStatusReason".into(), json!(r));
    }
    if let Some(m) = &e.map_run_arn {
        out.insert("mapRunArn".into(), json!(m));
    }
    Ok(Value::Object(out))
}

/// `DescribeStateMachineForExecution`: the definition the execution runs, as it was when it
/// started.
pub async fn describe_state_machine_for_execution(
    state: &AppState,
    body: Value,
) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = read_execution_arn(&mut input)?;
    input.finish()?;
    let mut e = load(state, &arn_text).await?;
    // A map run's child runs its Map state's processor, kept in its parent's definition.
    let mut map_run = None;
    if let Some(run_arn) = e.map_run_arn.clone() {
        let (parent, label) = map_run_parent(state, &run_arn).await?;
        if let Some(parent) = parent {
            e.definition =
                crate::map_child_definition::processor_definition(&parent.definition, &label)
                    .unwrap_or_default();
            e.role_arn = parent.role_arn;
        }
        map_run = Some((run_arn, label));
    }
    let machine_arn = match &map_run {
        Some(_) => e
            .state_machine_arn
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        None => e.state_machine_arn.clone(),
    };
    let machine = state
        .store
        .read(move |c| machines::get(c, &machine_arn))
        .await?;
    let mut out = Map::new();
    out.insert("stateMachineArn".into(), json!(e.state_machine_arn));
    out.insert(
        "name".into(),
        json!(e.state_machine_arn.rsplit(':').next().unwrap_or_default()),
    );
    out.insert("definition".into(), json!(e.definition));
    if let Some((run_arn, label)) = map_run {
        out.insert("mapRunArn".into(), json!(run_arn));
        out.insert("label".into(), json!(label));
    }
    out.insert("roleArn".into(), json!(e.role_arn));
    out.insert("updateDate".into(), epoch_seconds(e.start_date));
    let logging = machine
        .as_ref()
        .and_then(|m| m.logging.clone())
        .unwrap_or_else(|| json!({"level": "OFF", "includeExecutionData": false}));
    out.insert("loggingConfiguration".into(), logging);
    let tracing = machine
        .as_ref()
        .and_then(|m| m.tracing.clone())
        .unwrap_or_else(|| json!({"enabled": false}));
    out.insert("tracingConfiguration".into(), tracing);
    if let Some(r) = e.revision_id.as_deref().filter(|r| !r.is_empty()) {
        out.insert("revisionId".into(), json!(r));
    }
    Ok(Value::Object(out))
}

/// The execution a map run runs in, and the run's label.
async fn map_run_parent(
    state: &AppState,
    map_run_arn: &str,
) -> Result<(Option<ExecutionRecord>, String), ApiError> {
    let label = map_run_arn
        .parse::<switchback_types::MapRunArn>()
        .map(|a| a.label)
        .unwrap_or_default();
    let owned = map_run_arn.to_string();
    let parent = state
        .store
        .read(move |c| {
            let Some(run) = executions::get_map_run(c, &owned)? else {
                return Ok(None);
            };
            executions::get_by_arn(c, &run.execution_arn)
        })
        .await?;
    Ok((parent, label))
}

/// `ListExecutions`: newest first, by machine (or version, or alias), status and redrive
/// filters, paged.
pub async fn list_executions(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.opt_str("stateMachineArn", shapes::ARN)?;
    let map_run = input.opt_str("mapRunArn", shapes::LONG_ARN)?;
    let statuses = ExecutionStatus::ALL.map(ExecutionStatus::as_str);
    let status = input
        .opt_enum("statusFilter", &statuses)?
        .and_then(|s| s.parse::<ExecutionStatus>().ok());
    let redrive = input.opt_enum("redriveFilter", &["REDRIVEN", "NOT_REDRIVEN"])?;
    let (limit, token) = paging::read(&mut input)?;
    input.finish()?;
    let arn_text = match (arn_text, map_run) {
        (Some(arn), None) => arn,
        (None, Some(map_run)) => {
            let filter = ListFilter {
                map_run_arn: Some(map_run.clone()),
                status,
                redriven: redrive.map(|r| r == "REDRIVEN"),
                ..ListFilter::default()
            };
            return list_map_run_children(state, &map_run, filter, limit, token).await;
        }
        _ => {
            return Err(ApiError::validation_message(
                "Must provide a StateMachine ARN or MapRun ARN",
            ))
        }
    };
    let parsed = arn::parse_state_machine(&arn_text)?;
    let mut filter = ListFilter {
        state_machine_arn: Some(parsed.machine_arn().clone()),
        status,
        redriven: redrive.map(|r| r == "REDRIVEN"),
        ..ListFilter::default()
    };
    match &parsed.qualifier {
        Qualifier::None => {}
        Qualifier::Version(_) => filter.version_arn = Some(arn_text.clone()),
        Qualifier::Alias(_) => filter.alias_arn = Some(arn_text.clone()),
        Qualifier::Label(_) => {
            return Err(ApiError::invalid_arn(format!(
                "A Distributed Map state's ARN does not list executions: {arn_text}"
            )))
        }
    }
    let scope = format!("ListExecutions:{arn_text}");
    let after = listing_cursor(limit, token.as_deref(), &scope)?;
    let machine_arn = parsed.machine_arn().clone();
    let rows = state
        .store
        .read(move |c| {
            let Some(machine) = machines::get(c, &machine_arn)? else {
                return Ok(None);
            };
            let rows = executions::list(c, &filter, after, limit.saturating_add(1))?;
            Ok(Some((machine, rows)))
        })
        .await?;
    let Some((machine, rows)) = rows else {
        return Err(ApiError::state_machine_does_not_exist(&arn_text));
    };
    if machine.machine_type == StateMachineType::Express {
        return Err(ApiError::state_machine_type_not_supported());
    }
    let (rows, next) = paging::finish(rows, limit, &scope, |e| {
        format!("{}:{}", e.start_date, e.id)
    });
    let items: Vec<Value> = rows.iter().map(list_item).collect();
    let mut out = json!({ "executions": items });
    if let Some(t) = next {
        out["nextToken"] = json!(t);
    }
    Ok(out)
}

/// `ListExecutions --map-run-arn`: a map run's Standard children, newest first, each with
/// its map run and how many items it processed.
async fn list_map_run_children(
    state: &AppState,
    map_run: &str,
    filter: ListFilter,
    limit: usize,
    token: Option<String>,
) -> Result<Value, ApiError> {
    map_run
        .parse::<switchback_types::MapRunArn>()
        .map_err(|e| ApiError::invalid_arn(e.0))?;
    let scope = format!("ListExecutions:{map_run}");
    let after = listing_cursor(limit, token.as_deref(), &scope)?;
    let owned = map_run.to_string();
    let rows = state
        .store
        .read(move |c| {
            if executions::get_map_run(c, &owned)?.is_none() {
                return Ok(None);
            }
            executions::list(c, &filter, after, limit.saturating_add(1)).map(Some)
        })
        .await?
        .ok_or_else(|| ApiError::resource_not_found(format!("Resource not found: '{map_run}'")))?;
    let (rows, next) = paging::finish(rows, limit, &scope, |e| {
        format!("{}:{}", e.start_date, e.id)
    });
    let items: Vec<Value> = rows
        .iter()
        .map(|e| {
            let mut item = list_item(e);
            item["mapRunArn"] = json!(map_run);
            item["itemCount"] = json!(item_count(&e.input));
            item
        })
        .collect();
    let mut out = json!({ "executions": items });
    if let Some(t) = next {
        out["nextToken"] = json!(t);
    }
    Ok(out)
}

/// How many items a map run's child processed: a batch's `Items`, or its one item.
fn item_count(input: &str) -> usize {
    match serde_json::from_str::<Value>(input) {
        Ok(Value::Object(o)) if o.contains_key("BatchInput") || o.len() == 1 => {
            o.get("Items").and_then(Value::as_array).map_or(1, Vec::len)
        }
        _ => 1,
    }
}

/// Where a page of `ListExecutions` starts: after the `(start date, id)` its token names.
fn listing_cursor(
    limit: usize,
    token: Option<&str>,
    scope: &str,
) -> Result<Option<(i64, i64)>, ApiError> {
    let page = PageRequest::decode(limit, token, scope)?;
    page.after
        .as_deref()
        .map(|c| parse_cursor(c).ok_or_else(|| ApiError::invalid_token(token.unwrap_or_default())))
        .transpose()
}

fn parse_cursor(c: &str) -> Option<(i64, i64)> {
    let (date, id) = c.split_once(':')?;
    Some((date.parse().ok()?, id.parse().ok()?))
}

fn list_item(e: &ExecutionRecord) -> Value {
    let mut m = Map::new();
    m.insert("executionArn".into(), json!(e.arn));
    m.insert("stateMachineArn".into(), json!(e.state_machine_arn));
    m.insert("name".into(), json!(e.name));
    m.insert("status".into(), json!(e.status));
    m.insert("startDate".into(), epoch_seconds(e.start_date));
    if let Some(d) = e.stop_date {
        m.insert("stopDate".into(), epoch_seconds(d));
    }
    if let Some(v) = &e.version_arn {
        m.insert("stateMachineVersionArn".into(), json!(v));
    }
    if let Some(a) = &e.alias_arn {
        m.insert("stateMachineAliasArn".into(), json!(a));
    }
    if e.redrive_count > 0 {
        m.insert("redriveCount".into(), json!(e.redrive_count));
    }
    if let Some(d) = e.redrive_date {
        m.insert("redriveDate".into(), epoch_seconds(d));
    }
    Value::Object(m)
}

/// `RedriveExecution`: restarts a failed, timed-out or aborted execution from the states that
/// did not finish.
pub async fn redrive_execution(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = read_execution_arn(&mut input)?;
    let _client_token = input.opt_str("clientToken", Len::new(1, 64))?;
    input.finish()?;
    check_standard(&arn_text)?;
    let date = state
        .runtime
        .redrive_execution(&arn_text)
        .await
        .map_err(runtime_error)?;
    Ok(json!({ "redriveDate": epoch_seconds(date) }))
}
