//! A Parallel's branches take turns alike in `switchback run` and in `switchback serve`: the
//! same definitions, with mocked tasks and with real functions, give histories whose branches
//! interleave (branch B enters its states while branch A's task is under way), with the same
//! events in each branch and the same outcome.
//!
//! `run`'s order across branches is fixed (the engine's `parallel_interleaving` tests pin it).
//! A server's depends on when its commits land: a Standard execution commits its events
//! before each task, and a commit that happens to be done by the time it is awaited lets that
//! branch go on at once. So across branches only what holds on every timing is compared.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use switchback_client::{Client, Poll, StateMachineType};

#[path = "support/server.rs"]
mod server;
use server::{free_port, Server, TempDir};

/// How long an execution may take on a loaded machine (they take well under a second).
const FINISH_LIMIT: Duration = Duration::from_secs(120);

const ROLE: &str = "arn:aws:iam::123456789012:role/any";

fn lambda(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// Two branches, each a task and then a Pass.
fn two_branches(a: &str, b: &str) -> Value {
    let branch = |task: &str, then: &str, function: &str| {
        json!({
            "StartAt": task,
            "States": {
                task: {"Type": "Task", "Resource": lambda(function), "ResultPath": "$.result", "Next": then},
                then: {"Type": "Pass", "End": true}
            }
        })
    };
    json!({
        "StartAt": "Both",
        "States": {"Both": {
            "Type": "Parallel",
            "Branches": [branch("A1", "A2", a), branch("B1", "B2", b)],
            "End": true
        }}
    })
}

/// Three voters; the first "yes" ends the Parallel (a Fail caught around it).
fn quorum() -> Value {
    let branch = |n: u32| {
        json!({
            "StartAt": format!("Vote{n}"),
            "States": {
                format!("Vote{n}"): {"Type": "Task", "Resource": lambda("vote"), "ResultPath": "$.vote", "Next": format!("Check{n}")},
                format!("Check{n}"): {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.vote", "StringEquals": "yes", "Next": format!("Reached{n}")}],
                    "Default": format!("Abstain{n}")
                },
                format!("Reached{n}"): {"Type": "Fail", "Error": "Quorum.Reached", "Cause": format!("voter {n}")},
                format!("Abstain{n}"): {"Type": "Succeed"}
            }
        })
    };
    json!({
        "StartAt": "Quorum",
        "States": {
            "Quorum": {
                "Type": "Parallel",
                "Branches": [branch(1), branch(2), branch(3)],
                "Catch": [{"ErrorEquals": ["Quorum.Reached"], "ResultPath": "$.quorum", "Next": "Decided"}],
                "End": true
            },
            "Decided": {"Type": "Pass", "End": true}
        }
    })
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

/// `switchback run --json` of `definition`; returns its status and history events.
fn run(dir: &Path, name: &str, definition: &Value, input: &Value, extra: &[&str]) -> Value {
    let file = write(dir, &format!("{name}.json"), &definition.to_string());
    let out = Command::new(env!("CARGO_BIN_EXE_switchback"))
        .arg("run")
        .arg(&file)
        .args(["--json", "--input", &input.to_string()])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot start switchback run: {e}"));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "switchback run printed no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Runs `definition` as a Standard execution on `server` (starting `ARN#test_case` when
/// given); returns its status and history events in `switchback run --json`'s shape.
async fn serve(
    client: &Client,
    name: &str,
    definition: &Value,
    input: &Value,
    test_case: Option<&str>,
) -> Value {
    let machine = client
        .create_state_machine(
            name,
            &definition.to_string(),
            ROLE,
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {e}"));
    let target = match test_case {
        Some(case) => format!("{machine}#{case}"),
        None => machine,
    };
    let arn = client
        .start_execution(&target, None, input)
        .await
        .unwrap_or_else(|e| panic!("StartExecution: {e}"));
    let poll = Poll {
        deadline: Some(FINISH_LIMIT),
        ..Poll::default()
    };
    let described = client
        .wait_for_execution(&arn, &poll)
        .await
        .unwrap_or_else(|e| panic!("waiting for {arn}: {e}"));
    let events = client
        .get_execution_history(&arn)
        .await
        .unwrap_or_else(|e| panic!("GetExecutionHistory: {e}"));
    let output = described["output"]
        .as_str()
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .unwrap_or(Value::Null);
    json!({"status": described["status"], "output": output, "events": events})
}

/// Each event as "type state": the state named by a `*StateEntered`/`*StateExited` event, or
/// the state a `LambdaFunction*` event belongs to (its `previousEventId`s lead back to the
/// state's `TaskStateEntered`).
fn trace(execution: &Value) -> Vec<String> {
    let events = execution["events"].as_array().cloned().unwrap_or_default();
    let by_id = |id: u64| events.iter().find(|e| e["id"] == id);
    let name_of = |e: &Value| -> Option<String> {
        ["stateEnteredEventDetails", "stateExitedEventDetails"]
            .iter()
            .find_map(|d| e[*d]["name"].as_str().map(str::to_string))
    };
    events
        .iter()
        .map(|e| {
            let kind = e["type"].as_str().unwrap_or_default();
            let state = match name_of(e) {
                Some(name) => name,
                None if kind.starts_with("LambdaFunction") => {
                    let mut at = e;
                    loop {
                        match by_id(at["previousEventId"].as_u64().unwrap_or(0)) {
                            Some(p) if p["type"] == "TaskStateEntered" => {
                                break name_of(p).unwrap_or_default()
                            }
                            Some(p) => at = p,
                            None => break String::new(),
                        }
                    }
                }
                None => String::new(),
            };
            format!("{kind} {state}").trim_end().to_string()
        })
        .collect()
}

/// Where `event` ("type state") is in `trace`.
fn position(trace: &[String], event: &str) -> usize {
    trace
        .iter()
        .position(|e| e == event)
        .unwrap_or_else(|| panic!("no {event} in {trace:#?}"))
}

/// Each branch's own events (the trace's entries of the states `branch_of` maps to it), in
/// `run` and in `serve`, are the same, in the same order; a branch stopped by another one may
/// have been stopped earlier on one side (its events are then a prefix of the other's).
fn same_events_per_branch(
    ran: &[String],
    served: &[String],
    branches: &[&str],
    branch_of: impl Fn(&str) -> &str,
) {
    for branch in branches {
        let of = |trace: &[String]| -> Vec<String> {
            trace
                .iter()
                .filter(|e| {
                    e.split_once(' ')
                        .is_some_and(|(_, s)| branch_of(s) == *branch)
                })
                .cloned()
                .collect()
        };
        let (r, s) = (of(ran), of(served));
        let n = r.len().min(s.len());
        assert!(
            n > 0 && r[..n] == s[..n],
            "branch {branch}: `run` {r:#?}\n`serve` {s:#?}"
        );
    }
}

async fn client_of(server: &Server) -> Client {
    Client::new(&format!("http://{}", server.addr))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_timeout(Duration::from_secs(60))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mocked_branches_interleave_alike_in_run_and_serve() {
    let dir = TempDir::new("interleave-mocks");
    // The same answers in `run`'s short form and in AWS's form for `serve`.
    let short = write(
        dir.path(),
        "mock.json",
        &json!({
            "A1": {"Return": "a"},
            "B1": {"Return": "b"},
            "Vote1": {"Return": "no"},
            "Vote2": {"Return": "yes"},
            "Vote3": {"Return": "yes"}
        })
        .to_string(),
    );
    let cases = json!({"T": {"A1": "A", "B1": "B", "Vote1": "No", "Vote2": "Yes", "Vote3": "Yes"}});
    let aws = write(
        dir.path(),
        "mock-config.json",
        &json!({
            "StateMachines": {"two": {"TestCases": cases}, "quorum": {"TestCases": cases}},
            "MockedResponses": {
                "A": {"0": {"Return": "a"}},
                "B": {"0": {"Return": "b"}},
                "No": {"0": {"Return": "no"}},
                "Yes": {"0": {"Return": "yes"}}
            }
        })
        .to_string(),
    );
    let server = Server::start_on(
        free_port(),
        &dir.path().join("data"),
        &dir.path().join("server.log"),
        &["--mock-config", aws.to_str().expect("a UTF-8 path")],
    )
    .await;
    let client = client_of(&server).await;
    let mock = ["--mock", short.to_str().expect("a UTF-8 path")];

    let two = two_branches("a", "b");
    let ran = run(dir.path(), "two", &two, &json!({}), &mock);
    let served = serve(&client, "two", &two, &json!({}), Some("T")).await;
    assert_eq!(ran["status"], "SUCCEEDED", "{ran}");
    assert_eq!(
        served["status"],
        "SUCCEEDED",
        "{served}\n{}",
        server.log_tail()
    );
    assert_eq!(ran["output"], served["output"]);
    let (ran, served) = (trace(&ran), trace(&served));
    assert!(
        position(&ran, "TaskStateEntered B1") < position(&ran, "LambdaFunctionSucceeded A1"),
        "`run` enters branch B while A's task is under way: {ran:#?}"
    );
    // Both branches run to their end: the same events on both sides, branch by branch.
    let mut sorted = (ran.clone(), served.clone());
    sorted.0.sort();
    sorted.1.sort();
    assert_eq!(sorted.0, sorted.1, "`run` {ran:#?}\n`serve` {served:#?}");
    same_events_per_branch(&ran, &served, &["A", "B"], |s| s.get(..1).unwrap_or(""));

    let quorum = quorum();
    let ran = run(dir.path(), "quorum", &quorum, &json!({}), &mock);
    let served = serve(&client, "quorum", &quorum, &json!({}), Some("T")).await;
    assert_eq!(ran["status"], "SUCCEEDED", "{ran}");
    assert_eq!(
        served["status"],
        "SUCCEEDED",
        "{served}\n{}",
        server.log_tail()
    );
    // Voter 2 reaches the quorum on both sides.
    assert_eq!(ran["output"], served["output"]);
    assert_eq!(ran["output"]["quorum"]["Cause"], "voter 2", "{ran}");
    let (ran, served) = (trace(&ran), trace(&served));
    let first_answer = position(&ran, "LambdaFunctionSucceeded Vote1");
    for n in 1..=3 {
        assert!(
            position(&ran, &format!("TaskStateEntered Vote{n}")) < first_answer,
            "`run` asks voter {n} before the first answer: {ran:#?}"
        );
    }
    same_events_per_branch(&ran, &served, &["1", "2", "3"], |s| {
        s.get(s.len().saturating_sub(1)..).unwrap_or("")
    });
}

/// Branch A's function waits (up to a minute) for a file that branch B's function creates: it
/// can only succeed if B runs while A's task is under way.
const RENDEZVOUS: &str = r#"import json, os, sys, time
event = json.load(sys.stdin)
flag = event["flag"]
if sys.argv[1] == "signal":
    open(flag, "w").close()
    print(json.dumps("signalled"))
    sys.exit(0)
deadline = time.time() + 60
while not os.path.exists(flag):
    if time.time() > deadline:
        print(json.dumps({"errorType": "NoSignal", "errorMessage": "the other branch never ran"}))
        sys.exit(1)
    time.sleep(0.02)
print(json.dumps("released"))
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branches_calling_functions_run_together_in_run_and_serve() {
    let dir = TempDir::new("interleave-functions");
    let script = write(dir.path(), "rendezvous.py", RENDEZVOUS);
    let config = write(
        dir.path(),
        "switchback.toml",
        &format!(
            "[functions.await]\ncommand = [\"python3\", {script:?}, \"await\"]\n\
             [functions.signal]\ncommand = [\"python3\", {script:?}, \"signal\"]\n",
            script = script.display().to_string()
        ),
    );
    let config = config.to_str().expect("a UTF-8 path");
    let definition = two_branches("await", "signal");

    let input = json!({"flag": dir.path().join("run.flag")});
    let ran = run(
        dir.path(),
        "rendezvous",
        &definition,
        &input,
        &["--config", config],
    );

    let server = Server::start_on(
        free_port(),
        &dir.path().join("data"),
        &dir.path().join("server.log"),
        &["--config", config],
    )
    .await;
    let client = client_of(&server).await;
    let input = json!({"flag": dir.path().join("serve.flag")});
    let served = serve(&client, "rendezvous", &definition, &input, None).await;

    for (how, execution) in [("run", &ran), ("serve", &served)] {
        assert_eq!(
            execution["status"],
            "SUCCEEDED",
            "`{how}`: {execution}\n{}",
            server.log_tail()
        );
        let trace = trace(execution);
        assert!(
            position(&trace, "TaskStateEntered B1")
                < position(&trace, "LambdaFunctionSucceeded A1"),
            "`{how}` enters branch B while A's task is under way: {trace:#?}"
        );
    }
}
