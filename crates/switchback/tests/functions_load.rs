//! Many executions calling local functions at once: 300 Standard executions, each calling a
//! function run as a process, all finish SUCCEEDED on a 2-core machine with the default
//! settings. The function processes are bounded (`[lambda] max_concurrency`, a few per core by
//! default): past the bound, calls wait for a slot instead of starting hundreds of processes.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use switchback_client::{Client, StateMachineType};
use tokio::sync::Semaphore;

#[path = "support/server.rs"]
mod server;
use server::{free_port, Server, TempDir};

const EXECUTIONS: usize = 300;
/// Starts in flight at once.
const IN_FLIGHT: usize = 32;
/// How long all of them may take (generous: a loaded CI machine).
const FINISH_LIMIT: Duration = Duration::from_secs(240);

fn write_config(dir: &Path) -> String {
    let script = dir.join("double.sh");
    // Reads the event ({"n": N}) and answers {"doubled": 2N}; a little work, like a real call.
    std::fs::write(
        &script,
        "read -r event\nn=$(printf '%s' \"$event\" | tr -dc '0-9')\nsleep 0.05\nprintf '{\"doubled\": %d}\\n' $((n * 2))\n",
    )
    .unwrap_or_else(|e| panic!("write the function: {e}"));
    let config = dir.join("switchback.toml");
    std::fs::write(
        &config,
        format!(
            "[functions.double]\ncommand = [\"sh\", {:?}]\n",
            script.display().to_string()
        ),
    )
    .unwrap_or_else(|e| panic!("write the config: {e}"));
    config.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_executions_calling_functions_all_finish() {
    let dir = TempDir::new("functions-load");
    let config = write_config(dir.path());
    let server = Server::start_on(
        free_port(),
        &dir.path().join("data"),
        &dir.path().join("server.log"),
        &["--config", &config],
    )
    .await;
    let client = Client::new(&format!("http://{}", server.addr))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_timeout(Duration::from_secs(60));
    let definition = json!({
        "StartAt": "Double",
        "States": {
            "Double": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": { "FunctionName": "double", "Payload": { "n.$": "$.n" } },
                "OutputPath": "$.Payload",
                "End": true
            }
        }
    });
    let machine = client
        .create_state_machine(
            "load",
            &definition.to_string(),
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {e}"));

    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut starts = Vec::with_capacity(EXECUTIONS);
    for n in 0..EXECUTIONS {
        let (client, machine, gate) = (client.clone(), machine.clone(), gate.clone());
        starts.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            client
                .start_execution(&machine, Some(&format!("n-{n}")), &json!({ "n": n }))
                .await
                .map(|arn| (n, arn))
        }));
    }
    let mut executions = Vec::with_capacity(EXECUTIONS);
    for start in starts {
        match start.await {
            Ok(Ok(e)) => executions.push(e),
            Ok(Err(e)) => panic!("StartExecution: {e}\n{}", server.log_tail()),
            Err(e) => panic!("a start task panicked: {e}"),
        }
    }

    server::wait_until_none_running(&client, &machine, &server, FINISH_LIMIT).await;
    eprintln!(
        "functions load: {EXECUTIONS} executions, each calling a function process, finished in {:?}",
        started.elapsed()
    );
    let mut problems = Vec::new();
    for (n, arn) in &executions {
        let d = client
            .describe_execution(arn)
            .await
            .unwrap_or_else(|e| panic!("DescribeExecution: {e}"));
        let expected = json!({ "doubled": n * 2 }).to_string();
        if d["status"] != "SUCCEEDED" || d["output"].as_str() != Some(expected.as_str()) {
            problems.push(format!(
                "{arn}: {} {} (error {}, cause {})",
                d["status"], d["output"], d["error"], d["cause"]
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {EXECUTIONS} executions did not succeed with their output:\n{}",
        problems.len(),
        problems
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
