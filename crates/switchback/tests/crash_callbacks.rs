//! The callback crash test: `switchback serve` killed with SIGKILL again and again while
//! Standard executions wait on task tokens, call functions, hand work to an activity worker,
//! run a nested `.sync` child, a Map and a Parallel, and while answers arrive.
//!
//! Each execution: `Ask` (a function called with `.waitForTaskToken`; the test answers the
//! token with `SendTaskSuccess`), `Work` (a function), `Fan` (a Parallel of an activity, a Map
//! whose items call the function, and a child execution started with `.sync:2`), `Approve`
//! (another token), then success. The server is killed at once after an answer is
//! acknowledged, right after an activity worker took a task, and at fixed moments in between,
//! then restarted on the same data directory. In the end:
//! - every execution whose start was acknowledged ends SUCCEEDED with the outputs it would have
//!   had without the crashes;
//! - every acknowledged `SendTaskSuccess` is in the history (no answer lost);
//! - histories have ids 1..n with no duplicate;
//! - every side effect of the function ran under the idempotency key of a task scheduled in the
//!   final history (a re-dispatch after a crash repeats the key; it never schedules anew), and
//!   every scheduled call ran.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use switchback_client::{Client, ClientError, StateMachineType};
use tokio::sync::mpsc;

#[path = "support/server.rs"]
mod server;
use server::{free_port, Server, TempDir};

/// Executions started.
const EXECUTIONS: usize = 24;
/// How long everything may take to finish after the last restart.
const RECOVERY_LIMIT: Duration = Duration::from_secs(120);
/// How long the test waits for a kill's trigger before killing anyway.
const TRIGGER_LIMIT: Duration = Duration::from_secs(15);
const ROLE: &str = "arn:aws:iam::123456789012:role/any";
const ACTIVITY: &str = "crash-activity";
/// The pause between two starts.
const START_EVERY: Duration = Duration::from_millis(250);

/// When the server is killed.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// At once after a `SendTaskSuccess` for a task token was acknowledged.
    AfterAnswer,
    /// At once after an activity worker received a task.
    AfterActivityTaken,
    /// This long after the (re)start.
    After(Duration),
}

const KILLS: &[Kill] = &[
    Kill::AfterAnswer,
    Kill::After(Duration::from_millis(400)),
    Kill::AfterActivityTaken,
    Kill::AfterAnswer,
    Kill::After(Duration::from_millis(900)),
    Kill::AfterAnswer,
    Kill::AfterActivityTaken,
    Kill::After(Duration::from_millis(1500)),
];

/// What the background workers saw, for the checks and the report.
#[derive(Default)]
struct Ledger {
    /// Executions whose StartExecution was acknowledged.
    started: BTreeSet<String>,
    /// Task tokens whose SendTaskSuccess returned 200.
    acknowledged: BTreeSet<String>,
    /// Answers re-sent after a transport error that the server had already applied
    /// (`TaskTimedOut`: the task no longer waits).
    already_applied: usize,
    /// Answers refused for another reason: each is a failure.
    refused: Vec<String>,
}

fn function_script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

/// The configuration: two functions run as shell scripts that log their side effect.
fn write_config(dir: &Path) -> PathBuf {
    let ask = function_script(
        dir,
        "ask.sh",
        "cat >/dev/null\nprintf '%s %s\\n' \"$SWITCHBACK_IDEMPOTENCY_KEY\" \"$SWITCHBACK_TASK_TOKEN\" >> \"$CRASH_DIR/asks.log\"\necho '{}'\n",
    );
    let work = function_script(
        dir,
        "work.sh",
        "cat >/dev/null\nprintf '%s\\n' \"$SWITCHBACK_IDEMPOTENCY_KEY\" >> \"$CRASH_DIR/work.log\"\nsleep 0.2\necho '{\"ok\": true}'\n",
    );
    let config = dir.join("switchback.toml");
    let text = format!(
        "[functions.ask]\ncommand = [\"sh\", {ask:?}]\nenv = {{ CRASH_DIR = {dir:?} }}\n\n\
         [functions.work]\ncommand = [\"sh\", {work:?}]\nenv = {{ CRASH_DIR = {dir:?} }}\n",
        ask = ask.display().to_string(),
        work = work.display().to_string(),
        dir = dir.display().to_string(),
    );
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("write the config: {e}"));
    config
}

fn child_definition() -> Value {
    json!({
        "StartAt": "Nap",
        "States": {
            "Nap": { "Type": "Wait", "Seconds": 1, "Next": "Echo" },
            "Echo": { "Type": "Pass", "Parameters": { "child.$": "$.n" }, "End": true }
        }
    })
}

fn parent_definition(child: &str, activity: &str) -> Value {
    let work = |next: Option<&str>| {
        let mut state = json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": { "FunctionName": "work", "Payload.$": "$" },
            "ResultSelector": { "ok.$": "$.Payload.ok" },
        });
        match next {
            Some(n) => state["Next"] = json!(n),
            None => state["End"] = json!(true),
        }
        state
    };
    let ask = |path: &str, next: &str| {
        json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": { "FunctionName": "ask", "Payload": { "token.$": "$$.Task.Token" } },
            "ResultPath": path,
            "Next": next
        })
    };
    let mut work_state = work(Some("Fan"));
    work_state["ResultPath"] = json!("$.work");
    json!({
        "StartAt": "Ask",
        "States": {
            "Ask": ask("$.answer", "Work"),
            "Work": work_state,
            "Fan": {
                "Type": "Parallel",
                "ResultPath": "$.fan",
                "Next": "Approve",
                "Branches": [
                    { "StartAt": "Act", "States": { "Act": {
                        "Type": "Task",
                        "Resource": activity,
                        "HeartbeatSeconds": 3,
                        "Retry": [{ "ErrorEquals": ["States.HeartbeatTimeout"], "IntervalSeconds": 1, "MaxAttempts": 10, "BackoffRate": 1 }],
                        "End": true
                    } } },
                    { "StartAt": "Each", "States": { "Each": {
                        "Type": "Map",
                        "ItemsPath": "$.items",
                        "ItemProcessor": { "StartAt": "Item", "States": { "Item": work(None) } },
                        "End": true
                    } } },
                    { "StartAt": "Child", "States": { "Child": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::states:startExecution.sync:2",
                        "Parameters": { "StateMachineArn": child, "Input": { "n.$": "$.n" } },
                        "ResultSelector": { "child.$": "$.Output.child" },
                        "End": true
                    } } }
                ]
            },
            "Approve": ask("$.approval", "Done"),
            "Done": { "Type": "Succeed" }
        }
    })
}

fn is_transport(e: &ClientError) -> bool {
    matches!(
        e,
        ClientError::Transport { .. } | ClientError::Timeout { .. }
    )
}

/// Starts every execution, one every [`START_EVERY`] so that the kills find executions at
/// every step, retrying a start whose answer was lost with the server (the same name and
/// input give the same execution back).
async fn start_all(client: Client, machine: String, ledger: Arc<Mutex<Ledger>>) {
    for n in 0..EXECUTIONS {
        let name = format!("run-{n}");
        let input = json!({ "n": n, "items": [1, 2] });
        loop {
            match client.start_execution(&machine, Some(&name), &input).await {
                Ok(arn) => {
                    lock(&ledger).started.insert(arn);
                    tokio::time::sleep(START_EVERY).await;
                    break;
                }
                Err(e) if is_transport(&e) => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(e) => panic!("StartExecution {name}: {e}"),
            }
        }
    }
}

fn lock(ledger: &Mutex<Ledger>) -> std::sync::MutexGuard<'_, Ledger> {
    ledger.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sends `SendTaskSuccess` until the server answers; records how it ended. True when this
/// call was acknowledged.
async fn answer(client: &Client, token: &str, output: Value, ledger: &Mutex<Ledger>) -> bool {
    let body = json!({ "taskToken": token, "output": output.to_string() });
    loop {
        match client.call("SendTaskSuccess", &body).await {
            Ok(_) => {
                lock(ledger).acknowledged.insert(token.to_string());
                return true;
            }
            Err(e) if is_transport(&e) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(ClientError::Api { kind, .. }) if kind == "TaskTimedOut" => {
                lock(ledger).already_applied += 1;
                return false;
            }
            Err(e) => {
                lock(ledger).refused.push(format!("{token}: {e}"));
                return false;
            }
        }
    }
}

/// Answers every token the `ask` function logged, each once, with `{"token": TOKEN}`.
async fn answer_tokens(
    client: Client,
    dir: PathBuf,
    ledger: Arc<Mutex<Ledger>>,
    acks: mpsc::UnboundedSender<()>,
) {
    let mut answered = BTreeSet::new();
    loop {
        let log = std::fs::read_to_string(dir.join("asks.log")).unwrap_or_default();
        let tokens: Vec<String> = log
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
            .filter(|t| !answered.contains(t))
            .collect();
        for token in tokens {
            if answer(&client, &token, json!({ "token": token }), &ledger).await {
                let _ = acks.send(());
            }
            answered.insert(token);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An activity worker: takes tasks and answers each at once.
async fn activity_worker(
    client: Client,
    activity: String,
    ledger: Arc<Mutex<Ledger>>,
    taken: mpsc::UnboundedSender<()>,
) {
    let poll = json!({ "activityArn": activity, "workerName": "crash-worker" });
    loop {
        match client.call("GetActivityTask", &poll).await {
            Ok(task) => {
                let Some(token) = task["taskToken"].as_str().filter(|t| !t.is_empty()) else {
                    continue;
                };
                let _ = taken.send(());
                answer(
                    &client,
                    token,
                    json!({ "activity": "done", "token": token }),
                    &ledger,
                )
                .await;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_tasks_and_children_survive_repeated_kills() {
    let dir = TempDir::new("crash-callbacks");
    let data = dir.path().join("data");
    let config = write_config(dir.path());
    let config_arg = config.display().to_string();
    let extra = ["--config", config_arg.as_str()];
    let addr: SocketAddr = free_port();
    let log = |i: usize| dir.path().join(format!("server-{i}.log"));
    let mut server = Server::start_on(addr, &data, &log(0), &extra).await;
    let client = Client::new(&format!("http://{addr}"))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_timeout(Duration::from_secs(75));

    let activity = client
        .call("CreateActivity", &json!({ "name": ACTIVITY }))
        .await
        .unwrap_or_else(|e| panic!("CreateActivity: {e}\n{}", server.log_tail()))["activityArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let child = client
        .create_state_machine(
            "crash-child",
            &child_definition().to_string(),
            ROLE,
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine child: {e}"));
    let parent = client
        .create_state_machine(
            "crash-parent",
            &parent_definition(&child, &activity).to_string(),
            ROLE,
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine parent: {e}"));

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let (ack_tx, mut acks) = mpsc::unbounded_channel();
    let (taken_tx, mut taken) = mpsc::unbounded_channel();
    let background = [
        tokio::spawn(start_all(client.clone(), parent.clone(), ledger.clone())),
        tokio::spawn(answer_tokens(
            client.clone(),
            dir.path().to_path_buf(),
            ledger.clone(),
            ack_tx,
        )),
        tokio::spawn(activity_worker(
            client.clone(),
            activity.clone(),
            ledger.clone(),
            taken_tx,
        )),
    ];

    let mut kills_done = Vec::new();
    for (i, kill) in KILLS.iter().enumerate() {
        // Only triggers that come after this (re)start count.
        while acks.try_recv().is_ok() {}
        while taken.try_recv().is_ok() {}
        let triggered = match kill {
            Kill::AfterAnswer => tokio::time::timeout(TRIGGER_LIMIT, acks.recv())
                .await
                .is_ok(),
            Kill::AfterActivityTaken => tokio::time::timeout(TRIGGER_LIMIT, taken.recv())
                .await
                .is_ok(),
            Kill::After(d) => {
                tokio::time::sleep(*d).await;
                true
            }
        };
        server.kill();
        kills_done.push(format!(
            "{kill:?}{}",
            if triggered { "" } else { " (not triggered)" }
        ));
        server = Server::start_on(addr, &data, &log(i + 1), &extra).await;
    }

    // Let everything finish on the last server: every start acknowledged, then none running.
    let [starter, answerer, worker] = background;
    match tokio::time::timeout(RECOVERY_LIMIT, starter).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("the start task failed: {e}"),
        Err(_) => panic!(
            "not every start acknowledged {RECOVERY_LIMIT:?} after the last restart; kills: {kills_done:?}\n{}",
            server.log_tail()
        ),
    }
    server::wait_until_none_running(&client, &parent, &server, RECOVERY_LIMIT).await;
    answerer.abort();
    worker.abort();

    let ledger = std::mem::take(&mut *lock(&ledger));
    let work_log = std::fs::read_to_string(dir.path().join("work.log")).unwrap_or_default();
    let mut work_runs: BTreeMap<String, usize> = BTreeMap::new();
    for key in work_log.lines().filter(|l| !l.is_empty()) {
        *work_runs.entry(key.to_string()).or_default() += 1;
    }
    let mut problems: Vec<String> = ledger
        .refused
        .iter()
        .map(|r| format!("answer refused: {r}"))
        .collect();
    let mut histories: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for arn in &ledger.started {
        match check_execution(&client, arn).await {
            Ok(events) => {
                histories.insert(arn.clone(), events);
            }
            Err(p) => problems.push(format!("{arn}: {p}")),
        }
    }
    problems.extend(lost_answers(&ledger.acknowledged, &histories));
    problems.extend(check_side_effects(&work_runs, &histories));
    let repeats: usize = work_runs.values().map(|n| n - 1).sum();
    eprintln!(
        "callback crash test: {} executions, {} kills ({kills_done:?}), {} answers acknowledged, \
         {} re-sent answers found already applied, {} function calls ({} repeated after a crash, \
         each with its key), lost answers: {}",
        ledger.started.len(),
        KILLS.len(),
        ledger.acknowledged.len(),
        ledger.already_applied,
        work_runs.len(),
        repeats,
        problems.iter().filter(|p| p.starts_with("lost")).count(),
    );
    assert_eq!(
        ledger.started.len(),
        EXECUTIONS,
        "not every start was acknowledged"
    );
    assert!(
        problems.is_empty(),
        "{} problems after the crashes:\n{}\n{}",
        problems.len(),
        problems
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        server.log_tail()
    );
}

/// One execution: SUCCEEDED with every part of its output, and a well-formed history.
async fn check_execution(client: &Client, arn: &str) -> Result<Vec<Value>, String> {
    let output = server::succeeded_output(client, arn).await?;
    let n = output["n"].clone();
    let fan = &output["fan"];
    if !output["answer"]["token"].is_string()
        || !output["approval"]["token"].is_string()
        || output["work"] != json!({ "ok": true })
        || fan[0]["activity"] != "done"
        || !fan[0]["token"].is_string()
        || fan[1] != json!([{ "ok": true }, { "ok": true }])
        || fan[2] != json!({ "child": n })
    {
        return Err(format!("output {output} lacks a part"));
    }
    let events = client
        .get_execution_history(arn)
        .await
        .map_err(|e| format!("GetExecutionHistory: {e}"))?;
    server::check_whole_history(&events)?;
    Ok(events)
}

/// The acknowledged answers that no history shows as a task's result.
fn lost_answers(
    acknowledged: &BTreeSet<String>,
    histories: &BTreeMap<String, Vec<Value>>,
) -> Vec<String> {
    let mut applied = BTreeSet::new();
    for events in histories.values() {
        for e in events {
            let output = e["taskSucceededEventDetails"]["output"]
                .as_str()
                .or_else(|| e["activitySucceededEventDetails"]["output"].as_str())
                .unwrap_or("");
            if let Ok(v) = serde_json::from_str::<Value>(output) {
                if let Some(t) = v["token"].as_str() {
                    applied.insert(t.to_string());
                }
            }
        }
    }
    acknowledged
        .iter()
        .filter(|t| !applied.contains(*t))
        .map(|t| {
            format!("lost: SendTaskSuccess for {t} was acknowledged but no task succeeded with it")
        })
        .collect()
}

/// Every run of the `work` function carries the key of a task scheduled in its execution's final
/// history, and every such task ran.
fn check_side_effects(
    runs: &BTreeMap<String, usize>,
    histories: &BTreeMap<String, Vec<Value>>,
) -> Vec<String> {
    let mut scheduled = BTreeSet::new();
    for (arn, events) in histories {
        for e in events {
            let params = e["taskScheduledEventDetails"]["parameters"]
                .as_str()
                .unwrap_or("");
            if params.contains("\"work\"") {
                scheduled.insert(format!("{arn}:{}", e["id"]));
            }
        }
    }
    let mut problems: Vec<String> = runs
        .keys()
        .filter(|k| !scheduled.contains(*k))
        .map(|k| format!("a function call ran with key {k}, which names no task scheduled in the final history"))
        .collect();
    problems.extend(
        scheduled
            .iter()
            .filter(|k| !runs.contains_key(*k))
            .map(|k| {
                format!("the task {k} was scheduled and succeeded but its function never ran")
            }),
    );
    problems
}
