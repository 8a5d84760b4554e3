//! Mocked responses in the server: AWS's mock configuration format, loaded with
//! `--mock-config`, chosen per execution by starting `stateMachineArn#TestCaseName`.
//!
//! A mock's responses are picked by invocation index (`"0"`, `"1-2"`, ...). The index counts
//! the state's earlier invocations in this execution, so a resumed execution first counts the
//! invocations its journal already holds.
//!
//! A file in the short form that `switchback run` and `switchback test` take (`{STATE:
//! responses}`, no test cases) mocks those states in every execution, so the same file works
//! in both places.

use switchback_engine::history::StateEvent;

use crate::events;
use std::collections::HashMap;

use serde_json::Value;
use switchback_engine::mock::Mocks;
use switchback_store::executions::{self, EventRow, ExecutionRecord};

use crate::hub::MockConfig;
use crate::standard::machine_name;
use crate::worker::WorkerContext;

/// The mocks of an execution started with a test case, if the server has a mock file.
pub async fn for_execution(
    ctx: &WorkerContext,
    record: &ExecutionRecord,
    recorded: &[EventRow],
) -> Option<Mocks> {
    // No mock file: no read of the test case.
    let config = ctx.hub.mocks.as_ref()?;
    if is_short_form(&config.document) {
        return counted(every_execution(config)?, recorded);
    }
    let id = record.id;
    let case = match ctx
        .store
        .read(move |c| executions::mock_test_case(c, id))
        .await
    {
        Ok(case) => case?,
        Err(e) => {
            tracing::warn!(execution = id, error = %e, "could not read the execution's mock test case");
            return None;
        }
    };
    counted(for_new(ctx, record, Some(&case))?, recorded)
}

/// `mocks`, having counted the invocations a resumed execution's journal already holds.
fn counted(mocks: Mocks, recorded: &[EventRow]) -> Option<Mocks> {
    for (state, calls) in invocations(recorded) {
        mocks.set_calls(&state, calls);
    }
    Some(mocks)
}

/// Whether a mock file is in the short form (`{STATE: responses}`), without test cases.
pub fn is_short_form(document: &Value) -> bool {
    document.get("StateMachines").is_none() && document.get("MockedResponses").is_none()
}

/// The mocks of a short-form file, which every execution takes.
fn every_execution(config: &MockConfig) -> Option<Mocks> {
    match Mocks::from_json(&config.document, None) {
        Ok(mocks) => Some(mocks),
        Err(e) => {
            tracing::warn!(file = %config.source, error = %e, "the mock file cannot be used");
            None
        }
    }
}

/// The mocks of an execution started with test case `case` (if any), counting from its first
/// invocation.
pub fn for_new(ctx: &WorkerContext, record: &ExecutionRecord, case: Option<&str>) -> Option<Mocks> {
    let config = ctx.hub.mocks.as_ref()?;
    if is_short_form(&config.document) {
        return every_execution(config);
    }
    test_case(
        config,
        &machine_name(&record.state_machine_arn),
        case?,
        &record.arn,
    )
}

/// The mocks of an Express execution (started with a test case, or any with a short-form file).
pub fn for_express(
    hub: &crate::hub::Hub,
    info: &switchback_engine::context::ExecutionInfo,
    case: Option<&str>,
) -> Option<Mocks> {
    let config = hub.mocks.as_ref()?;
    if is_short_form(&config.document) {
        return every_execution(config);
    }
    test_case(config, &info.state_machine_name, case?, &info.execution_arn)
}

/// The mocks of test case `case` of machine `machine`; `None` (logged) if the file lacks it:
/// the execution then calls its real integrations.
fn test_case(config: &MockConfig, machine: &str, case: &str, execution: &str) -> Option<Mocks> {
    match Mocks::from_json(&config.document, Some(&format!("{machine}#{case}"))) {
        Ok(mocks) => Some(mocks),
        Err(e) => {
            tracing::warn!(execution, file = %config.source, error = %e, "the execution's mock test case cannot be used");
            None
        }
    }
}

/// Checks that a mock file has test case `case` for machine `machine_name`.
pub fn check_test_case(document: &Value, machine_name: &str, case: &str) -> Result<(), String> {
    Mocks::from_json(document, Some(&format!("{machine_name}#{case}"))).map(|_| ())
}

/// How many times each state's task ended in the recorded events.
fn invocations(rows: &[EventRow]) -> HashMap<String, u32> {
    let mut sorted: Vec<&EventRow> = rows.iter().collect();
    sorted.sort_by_key(|r| r.id);
    let mut state_of: HashMap<i64, String> = HashMap::new();
    let mut counts: HashMap<String, u32> = HashMap::new();
    for row in sorted {
        let name = if matches!(row.kind.state_event(), Some(StateEvent::Entered(_))) {
            events::from_row(row)
                .ok()
                .and_then(|e| e.kind.state_name().map(str::to_string))
        } else {
            state_of.get(&row.previous_id).cloned()
        };
        let Some(name) = name else { continue };
        if row.kind.ends_task_attempt() {
            *counts.entry(name.clone()).or_insert(0) += 1;
        }
        state_of.insert(row.id, name);
    }
    counts
}
