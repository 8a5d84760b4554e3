//! The map-run crash test: `switchback serve` killed with SIGKILL in the middle of a
//! Distributed Map of 10,000 items (Standard children, 1,000 at a time, each waiting 1 s),
//! then restarted on the same data directory. The map run must finish with every item
//! processed once: 10,000 children, each SUCCEEDED with a whole history in which each state
//! was entered once (a child that had succeeded before the kill is not run again, one that
//! was running goes on from its history), and the parent's output holds every item's result
//! in order. A second test kills a map run whose limits `UpdateMapRun` raised: it keeps them.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use switchback_client::{Client, StateMachineType};
use tokio::sync::Semaphore;

#[path = "support/server.rs"]
mod server;
use server::{Server, TempDir};

/// How many items the map run processes.
const ITEMS: usize = 10_000;
/// How many children run at once: the run takes about `ITEMS / CONCURRENCY` seconds.
const CONCURRENCY: usize = 1_000;
/// How long after the start the server is killed (a few waves of children have ended).
const KILL_AFTER: Duration = Duration::from_millis(3500);
/// How long the restarted server may take to finish the map run.
const RECOVERY_LIMIT: Duration = Duration::from_secs(120);
/// How many requests the checks keep in flight.
const IN_FLIGHT: usize = 16;

fn definition() -> Value {
    json!({
        "Comment": "Switchback map-run crash test",
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "Label": "Items",
                "MaxConcurrency": CONCURRENCY,
                "ItemProcessor": {
                    "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                    "StartAt": "Nap",
                    "States": {
                        "Nap": { "Type": "Wait", "Seconds": 1, "Next": "Double" },
                        "Double": {
                            "Type": "Pass",
                            "Parameters": { "n.$": "$.n", "double.$": "States.MathAdd($.n, $.n)" },
                            "End": true
                        }
                    }
                },
                "ItemSelector": { "n.$": "$$.Map.Item.Value" },
                "End": true
            }
        }
    })
}

fn api_client(addr: SocketAddr) -> Client {
    Client::new(&format!("http://{addr}"))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_timeout(Duration::from_secs(60))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_map_run_killed_midway_processes_every_item_once() {
    let dir = TempDir::new("crash-map");
    let data = dir.path().join("data");
    let first = Server::start(&data, &dir.path().join("server-1.log")).await;
    let client = api_client(first.addr);
    let machine = client
        .create_state_machine(
            "crash-map",
            &definition().to_string(),
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {e}\n{}", first.log_tail()));
    let items: Vec<usize> = (0..ITEMS).collect();
    let started = Instant::now();
    let parent = client
        .start_execution(&machine, Some("big"), &json!(items))
        .await
        .unwrap_or_else(|e| panic!("StartExecution: {e}\n{}", first.log_tail()));
    tokio::time::sleep_until((started + KILL_AFTER).into()).await;

    // Where the run stands at the kill: some children done, some running, some not begun.
    let runs = client
        .list_map_runs(&parent)
        .await
        .unwrap_or_else(|e| panic!("ListMapRuns: {e}\n{}", first.log_tail()));
    assert_eq!(runs.len(), 1, "one map run: {runs:?}");
    let map_run = runs[0]["mapRunArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let before = client
        .list_map_run_executions(&map_run, None)
        .await
        .unwrap_or_else(|e| panic!("ListExecutions --map-run-arn: {e}\n{}", first.log_tail()));
    let first_log = first.kill();
    let done_before: BTreeMap<String, Value> = before
        .iter()
        .filter(|e| e["status"] == "SUCCEEDED")
        .map(|e| {
            (
                e["executionArn"].as_str().unwrap_or("").to_string(),
                e.clone(),
            )
        })
        .collect();
    eprintln!(
        "map crash test: at the kill, {} children listed, {} succeeded",
        before.len(),
        done_before.len()
    );
    assert!(
        !done_before.is_empty() && done_before.len() < ITEMS,
        "the kill must land mid-run ({} of {ITEMS} children succeeded): the test proves nothing\n{first_log}",
        done_before.len()
    );
    let second = Server::start(&data, &dir.path().join("server-2.log")).await;
    let client = api_client(second.addr);
    let recovering = Instant::now();
    server::wait_until_none_running(&client, &machine, &second, RECOVERY_LIMIT).await;
    eprintln!(
        "map crash test: the map run ended {:?} after the restart",
        recovering.elapsed()
    );

    let output = server::succeeded_output(&client, &parent)
        .await
        .unwrap_or_else(|e| panic!("the parent: {e}\n{}", second.log_tail()));
    let expected: Vec<Value> = (0..ITEMS)
        .map(|n| json!({ "n": n, "double": 2 * n }))
        .collect();
    assert_eq!(
        output,
        Value::from(expected),
        "every item's result, in order"
    );

    let children = client
        .list_map_run_executions(&map_run, None)
        .await
        .unwrap_or_else(|e| panic!("ListExecutions --map-run-arn: {e}"));
    assert_eq!(children.len(), ITEMS, "one child per item, no more");
    let not_succeeded = children
        .iter()
        .filter(|c| c["status"] != "SUCCEEDED")
        .count();
    assert_eq!(not_succeeded, 0);

    let arns: Vec<String> = children
        .iter()
        .filter_map(|c| c["executionArn"].as_str().map(str::to_string))
        .collect();
    let problems = check_children(&client, &arns, &done_before).await;
    assert!(
        problems.is_empty(),
        "{} children are wrong; the first ones:\n{}\n--- server after the restart ---\n{}",
        problems.len(),
        problems
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        second.log_tail()
    );
}

/// Checks every child; returns one line per problem.
async fn check_children(
    client: &Client,
    arns: &[String],
    done_before: &BTreeMap<String, Value>,
) -> Vec<String> {
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = Vec::with_capacity(arns.len());
    for arn in arns {
        let (client, gate) = (client.clone(), gate.clone());
        let arn = arn.clone();
        let ended_before = done_before.get(&arn).and_then(|e| e["stopDate"].as_f64());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            check_child(&client, &arn, ended_before)
                .await
                .map_err(|e| format!("{arn}: {e}"))
        }));
    }
    let mut problems = Vec::new();
    for t in tasks {
        match t.await {
            Ok(Ok(())) => {}
            Ok(Err(p)) => problems.push(p),
            Err(e) => problems.push(format!("a check task panicked: {e}")),
        }
    }
    problems
}

/// One child: a whole history, each state entered once; one that had succeeded before the
/// kill has no event after its end then (it was not run again).
async fn check_child(client: &Client, arn: &str, ended_before: Option<f64>) -> Result<(), String> {
    let events = client
        .get_execution_history(arn)
        .await
        .map_err(|e| format!("GetExecutionHistory: {e}"))?;
    server::check_whole_history(&events)?;
    let entered = |name: &str| {
        events
            .iter()
            .filter(|e| e["stateEnteredEventDetails"]["name"] == name)
            .count()
    };
    if entered("Nap") != 1 || entered("Double") != 1 {
        let types: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
        return Err(format!("states not entered once each: {types:?}"));
    }
    if let Some(stop) = ended_before {
        let last = events
            .iter()
            .filter_map(|e| e["timestamp"].as_f64())
            .fold(0.0_f64, f64::max);
        if last > stop + 0.001 {
            return Err(format!(
                "it had succeeded at {stop} before the kill, and has events up to {last}"
            ));
        }
    }
    Ok(())
}

/// A map run whose limits `UpdateMapRun` raised keeps them through a crash: after the
/// restart its children run 20 at a time (not the definition's 2), and `DescribeMapRun`
/// still shows the updated limits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_map_run_keeps_its_updated_limits_after_a_crash() {
    const SMALL: usize = 60;
    let dir = TempDir::new("crash-map-update");
    let data = dir.path().join("data");
    let first = Server::start(&data, &dir.path().join("server-1.log")).await;
    let client = api_client(first.addr);
    let mut definition = definition();
    definition["States"]["Each"]["MaxConcurrency"] = json!(2);
    let machine = client
        .create_state_machine(
            "crash-map-update",
            &definition.to_string(),
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {e}\n{}", first.log_tail()));
    let items: Vec<usize> = (0..SMALL).collect();
    let parent = client
        .start_execution(&machine, Some("updated"), &json!(items))
        .await
        .unwrap_or_else(|e| panic!("StartExecution: {e}\n{}", first.log_tail()));
    // The map run, once it has begun.
    let deadline = Instant::now() + Duration::from_secs(30);
    let map_run = loop {
        let runs = client.list_map_runs(&parent).await.unwrap_or_default();
        if let Some(arn) = runs.first().and_then(|r| r["mapRunArn"].as_str()) {
            break arn.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no map run began\n{}",
            first.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    client
        .call(
            "UpdateMapRun",
            &json!({"mapRunArn": map_run, "maxConcurrency": 20, "toleratedFailureCount": 7}),
        )
        .await
        .unwrap_or_else(|e| panic!("UpdateMapRun: {e}\n{}", first.log_tail()));
    let before = client
        .list_map_run_executions(&map_run, None)
        .await
        .unwrap_or_default()
        .len();
    let first_log = first.kill();
    let killed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    assert!(
        before < SMALL,
        "the kill must land mid-run ({before} children began)\n{first_log}"
    );

    let second = Server::start(&data, &dir.path().join("server-2.log")).await;
    let client = api_client(second.addr);
    server::wait_until_none_running(&client, &machine, &second, RECOVERY_LIMIT).await;
    server::succeeded_output(&client, &parent)
        .await
        .unwrap_or_else(|e| panic!("the parent: {e}\n{}", second.log_tail()));
    let described = client
        .call("DescribeMapRun", &json!({"mapRunArn": map_run}))
        .await
        .unwrap_or_else(|e| panic!("DescribeMapRun: {e}"));
    assert_eq!(described["maxConcurrency"], 20, "{described:#}");
    assert_eq!(described["toleratedFailureCount"], 7, "{described:#}");
    assert_eq!(described["executionCounts"]["succeeded"], SMALL as u64);
    // The most children running at once after the restart, from their start and stop dates.
    let children = client
        .list_map_run_executions(&map_run, None)
        .await
        .unwrap_or_else(|e| panic!("ListExecutions --map-run-arn: {e}"));
    let spans: Vec<(f64, f64)> = children
        .iter()
        .filter_map(|c| Some((c["startDate"].as_f64()?, c["stopDate"].as_f64()?)))
        .collect();
    assert_eq!(spans.len(), SMALL);
    let most = spans
        .iter()
        .filter(|(start, _)| *start > killed)
        .map(|(start, _)| {
            spans
                .iter()
                .filter(|(s, e)| s <= start && start < e)
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(
        most > 2,
        "after the restart the children run more than 2 at a time: at most {most}\n{}",
        second.log_tail()
    );
}
