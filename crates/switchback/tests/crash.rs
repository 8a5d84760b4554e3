//! The crash test: `switchback serve` killed with SIGKILL while 500 Standard executions run,
//! restarted on the same data directory, must finish every execution exactly once.
//!
//! The state machine mixes Pass, Wait (1-3 s from the input), Choice, an inline Map over 2-4
//! items (each item waits 1 s) and a Parallel of two branches (one waits 1 s), so the kill lands
//! while executions are paused at every level. After the restart, every execution must end
//! SUCCEEDED with a history that has ids 1..n, no duplicate, each state entered exactly as often
//! as the definition implies, one `ExecutionStarted` first and one `ExecutionSucceeded` last.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use switchback_client::{Client, StateMachineType};
use tokio::sync::Semaphore;

#[path = "support/server.rs"]
mod server;
use server::{Server, TempDir};

/// How many executions are started before the kill.
const EXECUTIONS: usize = 500;
/// How many requests the test keeps in flight at once.
const IN_FLIGHT: usize = 32;
/// When the server is killed, counted from the first start: executions started early with a
/// 1 s first Wait are then in the Parallel, those with 2 s in the Map, those with 3 s in their
/// first Wait. A slow server gets at least `KILL_MIN_AFTER_STARTS` after its last start.
const KILL_AT: Duration = Duration::from_millis(2500);
const KILL_MIN_AFTER_STARTS: Duration = Duration::from_millis(500);
/// How long the restarted server may take to finish every execution.
const RECOVERY_LIMIT: Duration = Duration::from_secs(60);

fn definition() -> Value {
    let pass = |next: &str| json!({ "Type": "Pass", "Next": next });
    let end_pass = json!({ "Type": "Pass", "End": true });
    let wait_1s_end = json!({ "Type": "Wait", "Seconds": 1, "End": true });
    json!({
        "Comment": "Switchback crash test: Pass, Wait, Choice, Map and Parallel.",
        "StartAt": "Prepare",
        "States": {
            "Prepare": { "Type": "Pass", "Result": "prepared", "ResultPath": "$.prepared", "Next": "Nap" },
            "Nap": { "Type": "Wait", "SecondsPath": "$.wait", "Next": "Route" },
            "Route": {
                "Type": "Choice",
                "Choices": [{ "Variable": "$.wait", "NumericGreaterThanEquals": 1, "Next": "Each" }],
                "Default": "Unreachable"
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": { "Mode": "INLINE" },
                    "StartAt": "Item Pass",
                    "States": {
                        "Item Pass": pass("Item Wait"),
                        "Item Wait": { "Type": "Wait", "Seconds": 1, "Next": "Item Done" },
                        "Item Done": end_pass.clone()
                    }
                },
                "ResultPath": "$.mapped",
                "Next": "Both"
            },
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    { "StartAt": "Left Pass", "States": { "Left Pass": pass("Left Wait"), "Left Wait": wait_1s_end } },
                    { "StartAt": "Right Pass", "States": { "Right Pass": end_pass } }
                ],
                "ResultPath": "$.branches",
                "Next": "Done"
            },
            "Unreachable": { "Type": "Fail", "Error": "Unreachable", "Cause": "the Choice went the wrong way" },
            "Done": { "Type": "Succeed" }
        }
    })
}

/// The input of execution `i`: a wait of 1-3 s and 2-4 items.
fn input(i: usize) -> Value {
    let items: Vec<usize> = (0..2 + i % 3).collect();
    json!({ "wait": 1 + i % 3, "items": items })
}

/// How many times each state is entered in one execution with `items` Map items.
fn expected_entries(items: usize) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for s in [
        "Prepare",
        "Nap",
        "Route",
        "Each",
        "Both",
        "Left Pass",
        "Left Wait",
        "Right Pass",
        "Done",
    ] {
        m.insert(s.to_string(), 1);
    }
    for s in ["Item Pass", "Item Wait", "Item Done"] {
        m.insert(s.to_string(), items);
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_finishes_every_execution_exactly_once() {
    let dir = TempDir::new("crash");
    let data = dir.path().join("data");

    let first = Server::start(&data, &dir.path().join("server-1.log")).await;
    let client = api_client(first.addr);
    let machine = client
        .create_state_machine(
            "crash-mix",
            &definition().to_string(),
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {e}\n{}", first.log_tail()));

    let starting = Instant::now();
    let executions = start_all(&client, &machine, &first).await;
    let started_in = starting.elapsed();
    let kill_at = (starting + KILL_AT).max(Instant::now() + KILL_MIN_AFTER_STARTS);
    tokio::time::sleep_until(kill_at.into()).await;

    let running_at_kill = client
        .list_executions(&machine, Some("RUNNING"))
        .await
        .unwrap_or_else(|e| panic!("ListExecutions before the kill: {e}\n{}", first.log_tail()))
        .len();
    let killed_at = epoch_seconds();
    let first_log = first.kill();
    assert!(
        running_at_kill > 0,
        "no execution was RUNNING at the kill ({EXECUTIONS} started in {started_in:?}): the test proves nothing; make its waits longer"
    );
    eprintln!(
        "crash test: {EXECUTIONS} executions started in {started_in:?}; {running_at_kill} RUNNING when the server was killed"
    );

    let second = Server::start(&data, &dir.path().join("server-2.log")).await;
    let client = api_client(second.addr);
    let recovering = Instant::now();
    server::wait_until_none_running(&client, &machine, &second, RECOVERY_LIMIT).await;
    eprintln!(
        "crash test: every execution ended {:?} after the restart",
        recovering.elapsed()
    );

    let listed = client
        .list_executions(&machine, None)
        .await
        .unwrap_or_else(|e| panic!("ListExecutions after the restart: {e}"));
    assert_eq!(
        listed.len(),
        EXECUTIONS,
        "ListExecutions after the restart has {} executions, {EXECUTIONS} were started",
        listed.len()
    );

    let (problems, phases) = check_all(&client, &executions, killed_at).await;
    eprintln!("crash test: where the executions were when the server was killed: {phases:?}");
    if !problems.is_empty() {
        panic!(
            "{} of {EXECUTIONS} executions are wrong after the crash; the first ones:\n{}\n\n--- server before the kill ---\n{first_log}\n--- server after the restart ---\n{}",
            problems.len(),
            problems.iter().take(10).cloned().collect::<Vec<_>>().join("\n"),
            second.log_tail()
        );
    }
}

fn api_client(addr: SocketAddr) -> Client {
    Client::new(&format!("http://{addr}"))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_timeout(Duration::from_secs(30))
}

/// Starts every execution, `IN_FLIGHT` at a time, and returns (ARN, Map items) of each.
async fn start_all(client: &Client, machine: &str, server: &Server) -> Vec<(String, usize)> {
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = Vec::with_capacity(EXECUTIONS);
    for i in 0..EXECUTIONS {
        let (client, machine, gate) = (client.clone(), machine.to_string(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            let input = input(i);
            let items = input["items"].as_array().map_or(0, Vec::len);
            let arn = client
                .start_execution(&machine, Some(&format!("run-{i}")), &input)
                .await;
            arn.map(|a| (a, items)).map_err(|e| format!("run-{i}: {e}"))
        }));
    }
    let mut executions = Vec::with_capacity(EXECUTIONS);
    for t in tasks {
        match t.await {
            Ok(Ok(e)) => executions.push(e),
            Ok(Err(e)) => panic!("StartExecution failed: {e}\n{}", server.log_tail()),
            Err(e) => panic!("a start task panicked: {e}"),
        }
    }
    executions
}

/// Checks every execution; returns one line per problem found, and how many executions were
/// in each phase at the kill (for the test's report).
async fn check_all(
    client: &Client,
    executions: &[(String, usize)],
    killed_at: f64,
) -> (Vec<String>, BTreeMap<&'static str, usize>) {
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = Vec::with_capacity(executions.len());
    for (arn, items) in executions.iter().cloned() {
        let (client, gate) = (client.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            check_execution(&client, &arn, items, killed_at)
                .await
                .map_err(|e| format!("{arn}: {e}"))
        }));
    }
    let mut problems = Vec::new();
    let mut phases = BTreeMap::new();
    for t in tasks {
        match t.await {
            Ok(Ok(phase)) => *phases.entry(phase).or_default() += 1,
            Ok(Err(p)) => problems.push(p),
            Err(e) => problems.push(format!("a check task panicked: {e}")),
        }
    }
    (problems, phases)
}

/// One execution: SUCCEEDED, and a history with no gap, no duplicate, no state entered twice.
/// Returns where it was at the kill.
async fn check_execution(
    client: &Client,
    arn: &str,
    items: usize,
    killed_at: f64,
) -> Result<&'static str, String> {
    // The data survived too: the Pass's result, one Map result per item, both branches.
    let output = server::succeeded_output(client, arn).await?;
    let mapped = output["mapped"].as_array().map_or(0, Vec::len);
    let branches = output["branches"].as_array().map_or(0, Vec::len);
    if output["prepared"] != "prepared" || mapped != items || branches != 2 {
        return Err(format!(
            "output {output}: expected prepared, {items} Map results and 2 branch results"
        ));
    }
    let events = client
        .get_execution_history(arn)
        .await
        .map_err(|e| format!("GetExecutionHistory: {e}"))?;
    check_history(&events, items)?;
    Ok(phase_at(&events, killed_at))
}

/// Where an execution was at `instant` (epoch seconds), from its history's timestamps.
fn phase_at(events: &[Value], instant: f64) -> &'static str {
    let before = events
        .iter()
        .take_while(|e| e["timestamp"].as_f64().is_some_and(|t| t <= instant));
    let mut phase = "not started";
    for e in before {
        let ty = e["type"].as_str().unwrap_or("");
        let name = e["stateEnteredEventDetails"]["name"].as_str().unwrap_or("");
        phase = match (ty, name) {
            ("ExecutionStarted", _) => "started",
            ("ExecutionSucceeded", _) => "finished",
            (_, "Nap") => "first Wait",
            (_, "Each") => "Map",
            (_, "Both") => "Parallel",
            _ => continue,
        };
    }
    phase
}

fn epoch_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The history rules of the crash test, on one execution's events (oldest first).
fn check_history(events: &[Value], items: usize) -> Result<(), String> {
    server::check_whole_history(events)?;
    let expected = expected_entries(items);
    for (suffix, details) in [
        ("StateEntered", "stateEnteredEventDetails"),
        ("StateExited", "stateExitedEventDetails"),
    ] {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for e in events {
            if e["type"].as_str().is_some_and(|t| t.ends_with(suffix)) {
                let name = e[details]["name"].as_str().unwrap_or("?").to_string();
                *seen.entry(name).or_default() += 1;
            }
        }
        if seen != expected {
            return Err(format!(
                "*{suffix} per state: {seen:?}, expected {expected:?}"
            ));
        }
    }
    for (kind, details) in [
        ("MapIterationStarted", "mapIterationStartedEventDetails"),
        ("MapIterationSucceeded", "mapIterationSucceededEventDetails"),
    ] {
        let indexes: Vec<u64> = events
            .iter()
            .filter(|e| e["type"] == kind)
            .filter_map(|e| e[details]["index"].as_u64())
            .collect();
        let unique: BTreeSet<u64> = indexes.iter().copied().collect();
        if indexes.len() != items || unique != (0..items as u64).collect() {
            return Err(format!(
                "{kind} indexes {indexes:?}, expected each of 0..{items} once"
            ));
        }
    }
    Ok(())
}

#[test]
fn the_history_checks_catch_gaps_duplicates_and_repeated_states() {
    // A well-formed history of one execution with 2 Map items, as AWS writes it.
    let mut types: Vec<(String, Option<String>)> = vec![("ExecutionStarted".into(), None)];
    let mut state = |t: &str, name: &str| {
        types.push((format!("{t}StateEntered"), Some(name.to_string())));
        types.push((format!("{t}StateExited"), Some(name.to_string())));
    };
    state("Pass", "Prepare");
    state("Wait", "Nap");
    state("Choice", "Route");
    let mut events: Vec<Value> = types
        .iter()
        .map(|(t, n)| json!({ "type": t, "name": n }))
        .collect();
    let mut push = |v: Value| events.push(v);
    push(json!({ "type": "MapStateEntered", "name": "Each" }));
    for i in 0..2 {
        push(json!({ "type": "MapIterationStarted", "index": i }));
        for (t, n) in [
            ("Pass", "Item Pass"),
            ("Wait", "Item Wait"),
            ("Pass", "Item Done"),
        ] {
            push(json!({ "type": format!("{t}StateEntered"), "name": n }));
            push(json!({ "type": format!("{t}StateExited"), "name": n }));
        }
        push(json!({ "type": "MapIterationSucceeded", "index": i }));
    }
    push(json!({ "type": "MapStateExited", "name": "Each" }));
    push(json!({ "type": "ParallelStateEntered", "name": "Both" }));
    for (t, n) in [
        ("Pass", "Left Pass"),
        ("Wait", "Left Wait"),
        ("Pass", "Right Pass"),
    ] {
        push(json!({ "type": format!("{t}StateEntered"), "name": n }));
        push(json!({ "type": format!("{t}StateExited"), "name": n }));
    }
    push(json!({ "type": "ParallelStateExited", "name": "Both" }));
    push(json!({ "type": "SucceedStateEntered", "name": "Done" }));
    push(json!({ "type": "SucceedStateExited", "name": "Done" }));
    push(json!({ "type": "ExecutionSucceeded" }));
    // Give them AWS's shape: ids, previousEventId and the details objects.
    let shaped: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let t = e["type"].as_str().unwrap_or("");
            let mut v = json!({ "id": i + 1, "previousEventId": i, "type": t });
            if t.ends_with("StateEntered") {
                v["stateEnteredEventDetails"] = json!({ "name": e["name"] });
            } else if t.ends_with("StateExited") {
                v["stateExitedEventDetails"] = json!({ "name": e["name"] });
            } else if t == "MapIterationStarted" {
                v["mapIterationStartedEventDetails"] =
                    json!({ "name": "Each", "index": e["index"] });
            } else if t == "MapIterationSucceeded" {
                v["mapIterationSucceededEventDetails"] =
                    json!({ "name": "Each", "index": e["index"] });
            }
            v
        })
        .collect();
    assert_eq!(check_history(&shaped, 2), Ok(()));

    // A gap.
    let mut gap = shaped.clone();
    gap.remove(5);
    assert!(check_history(&gap, 2).is_err());
    // A state entered twice (an event replayed after recovery, renumbered).
    let mut twice = shaped.clone();
    twice.insert(3, shaped[1].clone());
    for (i, e) in twice.iter_mut().enumerate() {
        e["id"] = json!(i + 1);
        e["previousEventId"] = json!(i);
    }
    assert!(check_history(&twice, 2).is_err());
    // The wrong number of Map items.
    assert!(check_history(&shaped, 3).is_err());
}
