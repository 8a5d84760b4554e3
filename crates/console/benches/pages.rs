//! How long the console takes to render its pages on the server, for a 100-state machine and
//! an execution with 10,000 events. Run with `cargo bench -p switchback-console`; it prints
//! the median and slowest of several renders of each page (release build).
//!
//! The pages are requested through the console's real router (no network in between), over
//! an in-memory store that a real execution filled.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use switchback_api::{actions, ApiConfig, AppState};
use switchback_runtime::{Runtime, RuntimeConfig};
use switchback_store::{Store, StoreConfig};
use tower::ServiceExt;

/// How many times each page is rendered.
const ROUNDS: usize = 30;

/// A 100-state machine: Pass chains with a Choice every tenth state, a Parallel and a Map.
fn hundred_states() -> Value {
    let mut states = serde_json::Map::new();
    for i in 0..100 {
        let name = format!("Step{i:03}");
        let next = format!("Step{:03}", i + 1);
        let state = if i == 99 {
            json!({ "Type": "Succeed" })
        } else if i % 10 == 5 {
            json!({ "Type": "Choice",
                    "Choices": [ { "Variable": "$.n", "NumericGreaterThan": i, "Next": next } ],
                    "Default": format!("Step{:03}", (i + 2).min(99)) })
        } else {
            json!({ "Type": "Pass", "Next": next })
        };
        states.insert(name, state);
    }
    json!({ "StartAt": "Step000", "States": states })
}

/// A Map over 2,500 items: 4 events per iteration, about 10,000 events.
fn ten_thousand_events() -> Value {
    json!({
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": { "StartAt": "Work", "States": { "Work": { "Type": "Pass", "End": true } } },
                "End": true
            }
        }
    })
}

async fn api(state: &AppState, action: &str, body: Value) -> Value {
    actions::dispatch(state, action, body)
        .await
        .unwrap_or_else(|e| panic!("{action}: {} {}", e.code(), e.message()))
}

async fn create(state: &AppState, name: &str, definition: Value) -> String {
    let created = api(
        state,
        "CreateStateMachine",
        json!({ "name": name, "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/bench" }),
    )
    .await;
    created["stateMachineArn"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn render(app: &axum::Router, path: &str) -> (Duration, usize) {
    let started = Instant::now();
    let response = app
        .clone()
        .oneshot(
            // The server answers only requests that name it (its defence against DNS
            // rebinding), as a browser's do.
            Request::get(path)
                .header("host", "127.0.0.1")
                .body(Body::empty())
                .expect("a request"),
        )
        .await
        .expect("an answer");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    (started.elapsed(), body.len())
}

async fn measure(app: &axum::Router, label: &str, path: &str) {
    // The first render is cold: the graph is laid out, the history read from the store.
    let (first, mut size) = render(app, path).await;
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let (took, bytes) = render(app, path).await;
        times.push(took);
        size = bytes;
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    println!(
        "{label:<44} first (cold) {:>7.2} ms   then median {:>7.2} ms, slowest {:>7.2} ms   {:>8} bytes",
        ms(first),
        ms(times[ROUNDS / 2]),
        ms(times[ROUNDS - 1]),
        size
    );
}

fn main() {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    tokio.block_on(async {
        let store = Store::open(StoreConfig::in_memory()).expect("a store");
        let runtime = Runtime::start(store.clone(), RuntimeConfig::default()).expect("a runtime");
        let state = AppState {
            store,
            runtime,
            config: Arc::new(ApiConfig::default()),
        };
        let (_closing, closing_rx) = tokio::sync::watch::channel(false);
        let app = switchback_console::router(state.clone(), closing_rx)
            .merge(switchback_api::router(state.clone()));

        let big = create(&state, "hundred-states", hundred_states()).await;
        let map = create(&state, "ten-thousand-events", ten_thousand_events()).await;
        let items: Vec<u32> = (0..2_500).collect();
        let started = api(
            &state,
            "StartExecution",
            json!({ "stateMachineArn": map, "input": json!(items).to_string() }),
        )
        .await;
        let execution = started["executionArn"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let d = api(
                &state,
                "DescribeExecution",
                json!({ "executionArn": execution }),
            )
            .await;
            if d["status"] != "RUNNING" {
                assert_eq!(d["status"], "SUCCEEDED", "{d}");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the 10,000-event execution did not finish"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let history = api(
            &state,
            "GetExecutionHistory",
            json!({ "executionArn": execution, "reverseOrder": true, "maxResults": 1 }),
        )
        .await;
        println!(
            "execution with {} events; machine with 100 states",
            history["events"][0]["id"]
        );

        let seg = switchback_console::paths::segment;
        let execution_page = format!("/executions/{}", seg(&execution));
        measure(&app, "list of state machines", "/").await;
        measure(
            &app,
            "100-state machine page (graph, definition)",
            &format!("/state-machines/{}", seg(&big)),
        )
        .await;
        measure(&app, "10,000-event execution page", &execution_page).await;
        measure(
            &app,
            "  its progress (JSON, latest)",
            &format!("{execution_page}/progress"),
        )
        .await;
        measure(
            &app,
            "  its progress at event 5,000 (timeline)",
            &format!("{execution_page}/progress?at=5000"),
        )
        .await;
        measure(
            &app,
            "  a state's details",
            &format!("{execution_page}/state?name=Work"),
        )
        .await;
        measure(
            &app,
            "  history page 50 (events 4,901-5,000)",
            &format!("{execution_page}/events?after=4900"),
        )
        .await;
    });
}
