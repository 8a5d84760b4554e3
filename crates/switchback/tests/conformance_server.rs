//! The conformance corpus through the server: every case of `../shared/conformance/cases` runs
//! through the Step Functions API, as the corpus's `run.py` drives an endpoint
//! (CreateStateMachine, StartExecution or StartSyncExecution, DescribeExecution until the
//! execution ends, GetExecutionHistory over all pages), and is scored by the same rules as the
//! in-process run (`conformance.rs`).
//!
//! The server (router, runtime, in-memory store) starts in this process on an ephemeral port;
//! the cases run concurrently against it. It prints a table per category and fails when fewer
//! cases pass than the `server_*` numbers of `conformance-baseline.json`
//! (`SWITCHBACK_CONFORMANCE_WRITE_BASELINE=1` writes them). `SWITCHBACK_CONFORMANCE_FILTER`
//! and `SWITCHBACK_CONFORMANCE_CASES` work as for the in-process run.
//!
//! The cases that need Lambda functions (`lambda/**`) run against servers whose runtime has
//! the integrations (`Services::tasks`) configured with fixture functions
//! (`support/functions.rs`): one server per distinct set of functions, since two cases may
//! give the same function name different behaviours. The cases without functions run against
//! a server without integrations, as before. The `lambda/**` cases are ratcheted under the
//! `server_lambda_*` keys.
//!
//! The servers' clocks are pinned to the moment the corpus's inputs were made
//! ([`corpus::pinned_clock`]), so a case whose input holds a date means the same on any day.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::corpus::{self, BaselineKeys, CaseResult};
use support::functions::{self, CaseFunctions};
use switchback_api::{router, ApiConfig, AppState};
use switchback_client::{Client, ClientError};
use switchback_engine::Clock;
use switchback_runtime::{Runtime, RuntimeConfig, Services};
use switchback_store::{Store, StoreConfig};

/// Cases in flight at once. Most of a case's time is spent in Wait states, so many can overlap.
const IN_FLIGHT: usize = 32;
/// Cases with fixture functions in flight at once. Each invocation is a python3 process, which
/// needs the CPU rather than the clock, and some cases give their function a
/// `TimeoutSeconds` of 1 (as on AWS, where it answers in milliseconds); so these cases run
/// after the others, a few at a time.
const LAMBDA_IN_FLIGHT: usize = 4;
/// The longest one execution may run before it is stopped (the corpus's longest Wait is about
/// 5 s).
const EXECUTION_DEADLINE: Duration = Duration::from_secs(60);
/// The role every state machine is created with (as `run.py`'s).
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/conformance";

/// Starts the API over an in-memory store on an ephemeral 127.0.0.1 port, with the given
/// services (integrations) for its tasks.
async fn start_server(services: Services) -> SocketAddr {
    let store = Store::open(StoreConfig::in_memory()).expect("open an in-memory store");
    let config = RuntimeConfig {
        clock: Clock::starting_at(corpus::pinned_clock()),
        ..RuntimeConfig::default()
    };
    let runtime = Runtime::start_with(store.clone(), config, services).expect("start the runtime");
    let state = AppState {
        store,
        runtime,
        config: Arc::new(ApiConfig::default()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let addr = listener.local_addr().expect("local address");
    let app = router(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// A string member of a response.
fn text(v: &Value, key: &str) -> Result<String, String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("no `{key}` in {v}"))
}

fn api(action: &str) -> impl Fn(ClientError) -> String + '_ {
    move |e| format!("{action}: {e}")
}

/// Runs one case through the API and scores it; `Err` is an API failure (the case fails).
async fn run_case(client: &Client, index: usize, case: &Value) -> Result<CaseResult, String> {
    let name = format!("conformance-{index}");
    let kind = case["type"].as_str().unwrap_or("STANDARD");
    let created = client
        .call(
            "CreateStateMachine",
            &json!({
                "name": name,
                "definition": case["definition"].to_string(),
                "roleArn": ROLE_ARN,
                "type": kind,
            }),
        )
        .await
        .map_err(api("CreateStateMachine"))?;
    let machine_arn = text(&created, "stateMachineArn")?;
    let result = run_execution(client, &machine_arn, case).await;
    // As `run.py`, delete the machine whatever happened (its executions stay).
    let _ = client
        .call(
            "DeleteStateMachine",
            &json!({ "stateMachineArn": machine_arn }),
        )
        .await;
    result
}

async fn run_execution(
    client: &Client,
    machine_arn: &str,
    case: &Value,
) -> Result<CaseResult, String> {
    let mut start = json!({ "stateMachineArn": machine_arn });
    if case["input_omitted"] != json!(true) {
        start["input"] = json!(case["input"].to_string());
    }
    if case["sync"] == json!(true) {
        let r = client
            .call("StartSyncExecution", &start)
            .await
            .map_err(api("StartSyncExecution"))?;
        return Ok(corpus::score(case, &outcome_of(&r), None));
    }
    let started = client
        .call("StartExecution", &start)
        .await
        .map_err(api("StartExecution"))?;
    let execution_arn = text(&started, "executionArn")?;
    let described = wait_for_end(client, &execution_arn).await?;
    let mut actual = outcome_of(&described);
    let mut events = None;
    if case["expected"].get("events").is_some() {
        let history = all_events(client, &execution_arn).await?;
        // Failure details may only be visible in the history (as `run.py` does).
        for e in &history {
            let details = match e["type"].as_str() {
                Some("ExecutionFailed") => &e["executionFailedEventDetails"],
                Some("ExecutionTimedOut") => &e["executionTimedOutEventDetails"],
                Some("ExecutionAborted") => &e["executionAbortedEventDetails"],
                _ => continue,
            };
            for k in ["error", "cause"] {
                if let Some(v) = details.get(k) {
                    if actual.get(k).is_none() {
                        actual[k] = v.clone();
                    }
                }
            }
        }
        events = Some(history);
    }
    Ok(corpus::score(case, &actual, events.as_deref()))
}

/// The members of a DescribeExecution or StartSyncExecution response that are scored.
fn outcome_of(response: &Value) -> Value {
    let mut out = json!({});
    for k in ["status", "output", "error", "cause"] {
        if let Some(v) = response.get(k) {
            out[k] = v.clone();
        }
    }
    out
}

/// Polls DescribeExecution until the execution is no longer RUNNING; past the deadline, stops
/// it (as `run.py` does) and fails.
async fn wait_for_end(client: &Client, execution_arn: &str) -> Result<Value, String> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        let d = client
            .call(
                "DescribeExecution",
                &json!({ "executionArn": execution_arn }),
            )
            .await
            .map_err(api("DescribeExecution"))?;
        if d["status"] != json!("RUNNING") {
            return Ok(d);
        }
        if started.elapsed() > EXECUTION_DEADLINE {
            let _ = client
                .call(
                    "StopExecution",
                    &json!({
                        "executionArn": execution_arn,
                        "error": "Conformance.Timeout",
                        "cause": "runner timeout",
                    }),
                )
                .await;
            return Err(format!(
                "still RUNNING after {}s",
                EXECUTION_DEADLINE.as_secs()
            ));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// GetExecutionHistory, every page of 1000.
async fn all_events(client: &Client, execution_arn: &str) -> Result<Vec<Value>, String> {
    let mut events = Vec::new();
    let mut request = json!({ "executionArn": execution_arn, "maxResults": 1000 });
    loop {
        let page = client
            .call("GetExecutionHistory", &request)
            .await
            .map_err(api("GetExecutionHistory"))?;
        match page.get("events") {
            Some(Value::Array(list)) => events.extend(list.iter().cloned()),
            None => {}
            Some(other) => return Err(format!("GetExecutionHistory: events is {other}")),
        }
        match page.get("nextToken").and_then(Value::as_str) {
            Some(t) if !t.is_empty() => request["nextToken"] = json!(t),
            _ => return Ok(events),
        }
    }
}

#[test]
fn conformance_corpus_through_the_server() {
    let Some(selection) = corpus::select_cases() else {
        return;
    };
    let started = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    // Every case with the server it runs against: `None` for the one without integrations,
    // else the index of its set of fixture functions.
    let mut function_sets: Vec<&CaseFunctions> = Vec::new();
    let mut all: Vec<(Value, Option<usize>)> =
        selection.cases.iter().map(|c| (c.clone(), None)).collect();
    for lambda in &selection.lambda_cases {
        let set = match function_sets.iter().position(|f| **f == lambda.functions) {
            Some(i) => i,
            None => {
                function_sets.push(&lambda.functions);
                function_sets.len() - 1
            }
        };
        all.push((lambda.case.clone(), Some(set)));
    }
    let mut results = rt.block_on(async {
        let connect = |addr: SocketAddr| {
            Client::new(&format!("http://{addr}"))
                .expect("a client")
                .with_timeout(EXECUTION_DEADLINE + Duration::from_secs(30))
        };
        let client = connect(start_server(Services::default()).await);
        let mut function_clients = Vec::new();
        for set in &function_sets {
            let services = match functions::integrations(set) {
                Ok(integrations) => Services {
                    tasks: Some(Arc::new(integrations)),
                    mocks: None,
                },
                Err(e) => panic!("fixture functions {set:?}: {e}"),
            };
            function_clients.push(connect(start_server(services).await));
        }
        let mut results: Vec<Option<CaseResult>> = Vec::new();
        results.resize_with(all.len(), || None);
        // First the cases without functions, then those with.
        for (lambda, in_flight) in [(false, IN_FLIGHT), (true, LAMBDA_IN_FLIGHT)] {
            let permits = Arc::new(tokio::sync::Semaphore::new(in_flight));
            let mut tasks = tokio::task::JoinSet::new();
            for (index, (case, set)) in all.iter().cloned().enumerate() {
                if set.is_some() != lambda {
                    continue;
                }
                let client = match set {
                    None => client.clone(),
                    Some(i) => function_clients[i].clone(),
                };
                let permits = permits.clone();
                tasks.spawn(async move {
                    let _permit = permits.acquire_owned().await.expect("semaphore open");
                    let result = run_case(&client, index, &case)
                        .await
                        .unwrap_or_else(|e| CaseResult::failed(&case, e));
                    (index, result)
                });
            }
            while let Some(joined) = tasks.join_next().await {
                match joined {
                    Ok((index, result)) => results[index] = Some(result),
                    Err(e) => eprintln!("a case's task failed: {e}"),
                }
            }
        }
        results
            .into_iter()
            .zip(&all)
            .map(|(r, (case, _))| r.unwrap_or_else(|| CaseResult::failed(case, "PANIC".into())))
            .collect::<Vec<_>>()
    });
    // The runtime's worker threads end with the process; the server needs no drain here.
    drop(rt);
    results.sort_by(|a, b| a.id.cmp(&b.id));
    let totals = corpus::report(&results, selection.skipped_lambda);
    println!(
        "({} cases through the server in {:.1}s)",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    if selection.filter.is_some() {
        return;
    }
    let (lambda, base): (Vec<&CaseResult>, Vec<&CaseResult>) = results
        .iter()
        .partition(|r| corpus::is_lambda_category(&r.category));
    corpus::ratchet(
        &BaselineKeys {
            name: "server",
            outcome: "server_outcome_pass",
            history: "server_history_pass",
            cases: "server_cases",
            outcome_failing: "server_outcome_failing",
            history_failing: "server_history_failing",
        },
        &base,
        totals.base,
    );
    corpus::ratchet(
        &BaselineKeys {
            name: "server lambda/**",
            outcome: "server_lambda_outcome_pass",
            history: "server_lambda_history_pass",
            cases: "server_lambda_cases",
            outcome_failing: "server_lambda_outcome_failing",
            history_failing: "server_lambda_history_failing",
        },
        &lambda,
        totals.lambda,
    );
}
