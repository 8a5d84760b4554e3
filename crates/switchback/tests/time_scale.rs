//! `switchback serve --time-scale N`: the clock runs N times faster, so a test suite that
//! drives the server through an SDK does not wait out an hour-long Wait state.

use std::time::Duration;

use serde_json::json;
use switchback_client::{Client, StateMachineType};

#[path = "support/server.rs"]
mod server;
use server::{free_port, Server, TempDir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_long_wait_passes_in_about_a_second_at_3600x() {
    let dir = TempDir::new("time-scale");
    let server = Server::start_on(
        free_port(),
        &dir.path().join("data"),
        &dir.path().join("server.log"),
        &["--time-scale", "3600"],
    )
    .await;
    let client = Client::new(&format!("http://{}", server.addr))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_timeout(Duration::from_secs(60));
    let definition = json!({"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": "rested", "End": true}
    }});
    let machine = client
        .create_state_machine(
            "time-scale",
            &definition.to_string(),
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {e}"));
    let execution = client
        .start_execution(&machine, Some("nap"), &json!({}))
        .await
        .unwrap_or_else(|e| panic!("StartExecution: {e}"));
    // At real speed it would take an hour; a generous minute is plenty at 3600x.
    server::wait_until_none_running(&client, &machine, &server, Duration::from_secs(60)).await;
    let output = server::succeeded_output(&client, &execution)
        .await
        .unwrap_or_else(|e| panic!("the execution: {e}\n{}", server.log_tail()));
    assert_eq!(output, json!("rested"));
    // Its history says an hour passed.
    let events = client
        .get_execution_history(&execution)
        .await
        .unwrap_or_else(|e| panic!("history: {e}"));
    let at = |kind: &str| {
        events
            .iter()
            .find(|e| e["type"] == kind)
            .and_then(|e| e["timestamp"].as_f64())
            .unwrap_or_default()
    };
    let waited = at("WaitStateExited") - at("WaitStateEntered");
    assert!(
        waited >= 3600.0,
        "the Wait state lasted {waited} s on its clock"
    );
}
