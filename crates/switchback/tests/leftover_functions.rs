//! A killed server's function processes do not outlive it into the next server: the restarted
//! server kills what the old invocations left running (a shell wrapper's children included)
//! before it dispatches the unfinished task again, so the old invocation never runs beside the
//! new one.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use switchback_client::{Client, StateMachineType};

#[path = "support/server.rs"]
mod server;
use server::{free_port, Server, TempDir};

/// How long processes may take to be gone, and invocations to start.
const LIMIT: Duration = Duration::from_secs(30);

/// A function that starts a child (as shell wrappers do), records both pids, and waits.
fn write_config(dir: &Path) -> String {
    let script = dir.join("hang.sh");
    std::fs::write(
        &script,
        "cat >/dev/null\nsleep 600 &\necho \"$$ $!\" >> \"$PIDS\"\nwait\n",
    )
    .unwrap_or_else(|e| panic!("write the function: {e}"));
    let config = dir.join("switchback.toml");
    std::fs::write(
        &config,
        format!(
            "[functions.hang]\ncommand = [\"sh\", {:?}]\ntimeout_seconds = 900\nenv = {{ PIDS = {:?} }}\n",
            script.display().to_string(),
            dir.join("pids").display().to_string()
        ),
    )
    .unwrap_or_else(|e| panic!("write the config: {e}"));
    config.display().to_string()
}

/// The pids each invocation recorded (the shell, its child), in order.
fn invocations(dir: &Path) -> Vec<Vec<i32>> {
    std::fs::read_to_string(dir.join("pids"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            l.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .collect()
}

/// Whether a process is alive (a zombie waiting for its parent counts as gone).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + LIMIT;
    while !done() {
        assert!(Instant::now() < deadline, "{what} within {LIMIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_kills_what_a_killed_servers_functions_left_running() {
    let dir = TempDir::new("leftover-functions");
    let config = write_config(dir.path());
    let data = dir.path().join("data");
    let addr = free_port();
    let extra = ["--config", config.as_str()];
    let first = Server::start_on(addr, &data, &dir.path().join("server-1.log"), &extra).await;
    let client = Client::new(&format!("http://{addr}"))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_timeout(Duration::from_secs(30));
    let definition = json!({
        "StartAt": "Hang",
        "States": { "Hang": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": { "FunctionName": "hang", "Payload": {} },
            "End": true
        } }
    });
    let machine = client
        .create_state_machine(
            "hang",
            &definition.to_string(),
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {e}"));
    client
        .start_execution(&machine, Some("once"), &json!({}))
        .await
        .unwrap_or_else(|e| panic!("StartExecution: {e}"));
    wait_for("the function started", || {
        !invocations(dir.path()).is_empty()
    })
    .await;
    let old = invocations(dir.path())[0].clone();
    assert_eq!(old.len(), 2, "the shell and its child: {old:?}");
    assert!(old.iter().all(|p| alive(*p)), "{old:?} run");

    first.kill();
    let second = Server::start_on(addr, &data, &dir.path().join("server-2.log"), &extra).await;
    // The task is dispatched again; by then nothing of the old invocation runs.
    wait_for("the task dispatched again", || {
        invocations(dir.path()).len() >= 2
    })
    .await;
    let still: Vec<i32> = old.iter().copied().filter(|p| alive(*p)).collect();
    let new = invocations(dir.path())[1].clone();
    drop(second);
    // The second server's invocation goes the same way when the test's data goes.
    for pid in new.iter().chain(&still) {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(*pid, libc::SIGKILL) };
    }
    assert!(
        still.is_empty(),
        "processes of the killed server's invocation {old:?} still ran beside the new invocation {new:?}: {still:?}"
    );
}
