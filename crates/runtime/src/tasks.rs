//! Task dispatch inside the server.
//!
//! A task's phases ([`TaskPhase`]) are answered here:
//! - mocked states (`--mock-config`, `stateMachineArn#TestCase`) answer at once;
//! - `states:startExecution` starts a child execution ([`crate::nested`]);
//! - other resources go to the integrations (functions, HTTP, other services);
//! - a task that waits (a callback token, an activity worker, a `.sync` child) registers a
//!   row in the store's `task_tokens` table in the same commit as its scheduling, then waits
//!   for the row to be answered. The wait may last a year: the execution leaves memory
//!   (parks) meanwhile, and the answer wakes it.

use jiff::Timestamp;
use serde_json::Value;
use switchback_engine::task::{
    Integration, IntegrationPattern, Resource, TaskOutcome, TaskPhase, TaskRequest,
};
use switchback_store::task_tokens::{self, TaskToken, TokenKind};

use crate::events;
use crate::hub::Hub;
use crate::nested;
use crate::standard::StandardDriver;

/// The error a task gets when no integration can run its resource.
pub const NO_INTEGRATION: &str = "Switchback.NoIntegration";

/// A wait with no deadline of its own parks until this far ahead (the answer wakes it).
const FAR_FUTURE_SECONDS: i64 = 100 * 365 * 24 * 3600;

/// Whether this phase of a task registers its waiting row first ([`register`]), committing the
/// execution's pending events (its scheduling) in the same transaction.
pub fn registers_row(request: &TaskRequest) -> bool {
    match request.phase {
        TaskPhase::Dispatch => {
            request.pattern() == IntegrationPattern::WaitForTaskToken
                && !request.resource.is_start_execution()
        }
        TaskPhase::AwaitStart => true,
        TaskPhase::AwaitResult => false,
    }
}

/// Runs one phase of a Standard execution's task.
pub async fn run(driver: &StandardDriver, request: TaskRequest) -> TaskOutcome {
    if let Some(outcome) = driver.mocks.as_ref().and_then(|m| m.try_respond(&request)) {
        return outcome;
    }
    match request.phase {
        TaskPhase::Dispatch => dispatch(driver, request).await,
        TaskPhase::AwaitStart => await_activity_start(driver, &request).await,
        TaskPhase::AwaitResult if polled_by_integrations(&driver.hub, &request.resource) => {
            // A `.sync` job of an AWS service: the integrations poll it, from the job's id in
            // the `TaskSubmitted` output (after a restart too: no second job is started).
            call(&driver.hub, request).await
        }
        TaskPhase::AwaitResult => await_answer(driver, &request).await,
    }
}

/// Whether the integrations see a `.sync` task of `resource` through (an AWS job they poll).
fn polled_by_integrations(hub: &Hub, resource: &Resource) -> bool {
    hub.tasks
        .as_ref()
        .is_some_and(|tasks| tasks.polls(resource))
}

/// Runs a task of an Express execution: request-response only, as in AWS (Express workflows
/// support neither `.sync` nor `.waitForTaskToken`, nor activities).
pub async fn run_express(hub: &Hub, request: TaskRequest) -> TaskOutcome {
    if request.pattern() != IntegrationPattern::RequestResponse
        || request.resource.is_activity()
        || request.resource.is_start_execution()
    {
        return TaskOutcome::Failed {
            error: "States.Runtime".into(),
            cause: format!(
                "Express state machines cannot run resource '{}' of state '{}': they support \
                 neither activities nor the .sync and .waitForTaskToken patterns, nor nested \
                 executions. Use a STANDARD state machine.",
                request.resource, request.state_name
            ),
        };
    }
    call(hub, request).await
}

/// Calls the resource through the integrations.
async fn call(hub: &Hub, request: TaskRequest) -> TaskOutcome {
    match &hub.tasks {
        Some(tasks) => tasks.call(request).await,
        None => no_integration(&request),
    }
}

fn no_integration(request: &TaskRequest) -> TaskOutcome {
    TaskOutcome::Failed {
        error: NO_INTEGRATION.into(),
        cause: format!(
            "No integration is configured for the resource '{}' of state '{}'. \
             Configure functions in switchback.toml, or mock the state with --mock-config FILE.",
            request.resource, request.state_name
        ),
    }
}

async fn dispatch(driver: &StandardDriver, request: TaskRequest) -> TaskOutcome {
    if request.resource.is_start_execution() {
        return nested::dispatch(driver, &request).await;
    }
    let _busy = driver.busy();
    if request.pattern() != IntegrationPattern::WaitForTaskToken {
        return call(&driver.hub, request).await;
    }
    // The token is registered before the call, so an answer that comes back at once (from
    // the very function that was called) finds it.
    let token = register(driver, &request, TokenKind::Callback, None).await;
    if !delivers_token(&driver.hub, &request.resource) {
        // An AWS service Switchback does not call (not configured, or not supported): the
        // token is not sent anywhere, but the task waits for it all the same. It is in the
        // history's `TaskScheduled` parameters and on the console, for `SendTaskSuccess`.
        tracing::info!(
            state = %request.state_name,
            resource = %request.resource,
            "waiting for a task token that was not delivered: answer it with SendTaskSuccess"
        );
        return TaskOutcome::Submitted(Value::Object(Default::default()));
    }
    match call(&driver.hub, request).await {
        TaskOutcome::Succeeded(response) => TaskOutcome::Submitted(response),
        other => {
            driver.closing.borrow_mut().push(token.token);
            other
        }
    }
}

/// Whether Switchback calls the resource of a `.waitForTaskToken` task, so that the call can
/// carry the token somewhere (a function, an HTTP endpoint, an AWS service the configuration
/// lets it call): the integrations say ([`switchback_engine::TaskHandler::delivers_token`]).
fn delivers_token(hub: &Hub, resource: &Resource) -> bool {
    match &hub.tasks {
        Some(tasks) => tasks.delivers_token(resource),
        None => matches!(
            resource.integration(),
            Some(Integration::LambdaInvoke | Integration::HttpInvoke)
        ),
    }
}

/// Registers the task's waiting row, committed with the events before it. A re-dispatch
/// after a restart finds the row it registered before.
pub(crate) async fn register(
    driver: &StandardDriver,
    request: &TaskRequest,
    kind: TokenKind,
    activity_arn: Option<String>,
) -> TaskToken {
    let now = events::micros(driver.hub.clock.now());
    let token = TaskToken {
        token: request
            .task_token
            .as_deref()
            .map_or_else(|| request.idempotency_key.to_string(), str::to_string),
        execution_id: driver.execution_id(),
        task_key: request.idempotency_key.to_string(),
        kind,
        status: "SCHEDULED".into(),
        input: activity_arn
            .is_some()
            .then(|| serde_json::to_string(&*request.input).unwrap_or_default()),
        activity_arn,
        worker_name: None,
        child_execution_id: None,
        heartbeat_seconds: request.heartbeat_seconds.map(|h| h as i64),
        last_beat: now,
        outcome: None,
        created: now,
    };
    match driver
        .commit_pending(move |tx, _| task_tokens::register(tx, &token))
        .await
    {
        Ok(row) => row,
        Err(e) => {
            driver
                .give_up("could not register a waiting task", &e)
                .await
        }
    }
}

/// An activity: registers the task for the activity's workers and waits until one takes it.
async fn await_activity_start(driver: &StandardDriver, request: &TaskRequest) -> TaskOutcome {
    let arn = request.resource.as_str();
    let row = register(driver, request, TokenKind::Activity, Some(arn.to_string())).await;
    driver.hub.activity_scheduled(arn);
    let guard = CloseOnDrop {
        driver,
        token: Some(row.token),
    };
    loop {
        let woken = driver.woken.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let row = read_row(driver, request).await;
        if row.worker_name.is_some() || row.status != "SCHEDULED" {
            guard.keep();
            return TaskOutcome::Started {
                worker_name: row.worker_name,
            };
        }
        driver.wait_for_answer(woken, far_future(driver)).await;
    }
}

/// Waits until the task's row is answered, or its heartbeat lapses.
async fn await_answer(driver: &StandardDriver, request: &TaskRequest) -> TaskOutcome {
    loop {
        let woken = driver.woken.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let row = read_row(driver, request).await;
        if let Some(outcome) = answer_of(&row) {
            return outcome;
        }
        if row.status == "CLOSED" {
            return match row.kind {
                TokenKind::Sync => nested::child_outcome(driver, &row, request).await,
                // Closed with no answer: an earlier run gave up on its heartbeat.
                _ => TaskOutcome::HeartbeatTimedOut,
            };
        }
        let deadline = heartbeat_deadline(&row);
        if deadline.is_some_and(|d| d <= driver.hub.clock.now()) {
            let token = row.token.clone();
            let _busy = driver.busy();
            let closed = driver
                .store()
                .write(move |tx| task_tokens::close(tx, &token))
                .await;
            match closed {
                Ok(true) => return TaskOutcome::HeartbeatTimedOut,
                Ok(false) => continue, // answered a moment ago: read it
                Err(e) => driver.give_up("could not close a timed-out task", &e).await,
            }
        }
        let guard = CloseOnDrop {
            driver,
            token: Some(row.token.clone()),
        };
        driver
            .wait_for_answer(woken, deadline.unwrap_or_else(|| far_future(driver)))
            .await;
        guard.keep();
    }
}

/// Gives up a task's token if its wait is dropped (the task's `TimeoutSeconds` passed), so a
/// late answer is told the task timed out.
struct CloseOnDrop<'a> {
    driver: &'a StandardDriver,
    token: Option<String>,
}

impl CloseOnDrop<'_> {
    fn keep(mut self) {
        self.token = None;
    }
}

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        if self.driver.leaving.get() {
            return; // parked or stopped, not given up: the wait resumes later
        }
        if let Some(token) = self.token.take() {
            self.driver.closing.borrow_mut().push(token);
        }
    }
}

async fn read_row(driver: &StandardDriver, request: &TaskRequest) -> TaskToken {
    let _busy = driver.busy();
    let key = request.idempotency_key.to_string();
    match driver
        .store()
        .read(move |c| task_tokens::by_key(c, &key))
        .await
    {
        Ok(Some(row)) => row,
        Ok(None) => {
            // Registered before any wait; a missing row is a store that lost data.
            let e = switchback_store::StoreError::Corrupt(format!(
                "the waiting task {} has no row",
                request.idempotency_key
            ));
            driver.give_up("a waiting task is missing", &e).await
        }
        Err(e) => driver.give_up("could not read a waiting task", &e).await,
    }
}

/// The answer stored in a row, if any.
fn answer_of(row: &TaskToken) -> Option<TaskOutcome> {
    let outcome: Value = serde_json::from_str(row.outcome.as_deref()?).ok()?;
    if let Some(output) = outcome.get("output") {
        return Some(TaskOutcome::Succeeded(output.clone()));
    }
    let text = |k: &str| {
        outcome
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Some(TaskOutcome::Failed {
        error: text("error"),
        cause: text("cause"),
    })
}

/// When the task's heartbeat lapses: callbacks count from their scheduling, activities from
/// the worker taking them, each restarted by `SendTaskHeartbeat`.
fn heartbeat_deadline(row: &TaskToken) -> Option<Timestamp> {
    let seconds = row.heartbeat_seconds?;
    if row.kind == TokenKind::Sync || (row.kind == TokenKind::Activity && row.status != "STARTED") {
        return None;
    }
    Some(events::timestamp(row.last_beat) + jiff::SignedDuration::from_secs(seconds))
}

fn far_future(driver: &StandardDriver) -> Timestamp {
    driver.hub.clock.now() + jiff::SignedDuration::from_secs(FAR_FUTURE_SECONDS)
}
