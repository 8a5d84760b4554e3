//! Function processes: each invocation is a process group that dies with its call, its
//! timeout and the server; and no more than `[lambda] max_concurrency` run at once.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{assert_gone, failed, integrations, script, succeeded, task};

fn function(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// Waits (up to a generous deadline) until `path` exists with a complete line.
async fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(path).map_or(true, |t| !t.ends_with('\n')) {
        assert!(
            Instant::now() < deadline,
            "{} was never written",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A shell that starts a child of its own, records both pids and waits: killing only the
/// shell would leave the `sleep` running.
const FAMILY: &str = "#!/bin/sh\nsleep 300 &\necho $! > child_pid\necho $$ > pid\nwait\n";

/// Returns at once but leaves a background process behind.
const LEAVES_A_CHILD: &str =
    "#!/bin/sh\ncat > /dev/null\nsleep 300 > /dev/null 2>&1 &\necho $! > child_pid\necho '{}'\n";

#[tokio::test]
async fn a_timeout_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    script(dir.path(), "family.sh", FAMILY);
    let integrations = integrations(
        "[functions.family]\ncommand = [\"./family.sh\"]\ntimeout_seconds = 1",
        dir.path(),
    );
    let (error, _) = failed(
        integrations
            .call(&task(&function("family"), json!({})))
            .await,
    );
    assert_eq!(error, "Sandbox.Timedout");
    assert_gone(&dir.path().join("pid")).await;
    assert_gone(&dir.path().join("child_pid")).await;
}

#[tokio::test]
async fn a_cancelled_call_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    script(dir.path(), "family.sh", FAMILY);
    let integrations = integrations(
        "[functions.family]\ncommand = [\"./family.sh\"]\ntimeout_seconds = 600",
        dir.path(),
    );
    let call = integrations.call(&task(&function("family"), json!({})));
    wait_for(&dir.path().join("pid")).await;
    drop(call);
    assert_gone(&dir.path().join("pid")).await;
    assert_gone(&dir.path().join("child_pid")).await;
}

#[tokio::test]
async fn what_a_function_leaves_running_ends_with_its_invocation() {
    let dir = tempfile::tempdir().unwrap();
    script(dir.path(), "leaves.sh", LEAVES_A_CHILD);
    let integrations = integrations(
        "[functions.leaves]\ncommand = [\"./leaves.sh\"]",
        dir.path(),
    );
    let result = succeeded(
        integrations
            .call(&task(&function("leaves"), json!({})))
            .await,
    );
    assert_eq!(result, json!({}));
    assert_gone(&dir.path().join("child_pid")).await;
}

/// The environment variable that makes [`server_helper`] act: the directory of its function.
const HELPER_DIR: &str = "SWITCHBACK_TEST_SERVER_HELPER_DIR";

/// Not a test: a stand-in for a server, run in a process of its own by
/// [`a_killed_server_takes_its_function_processes_with_it`], which kills it.
#[tokio::test]
#[ignore = "a helper process of a_killed_server_takes_its_function_processes_with_it"]
async fn server_helper() {
    let Ok(dir) = std::env::var(HELPER_DIR) else {
        return;
    };
    let integrations = integrations(
        "[functions.forever]\ncommand = [\"./forever.sh\"]\ntimeout_seconds = 900",
        Path::new(&dir),
    );
    let _ = integrations
        .call(&task(&function("forever"), json!({})))
        .await;
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_killed_server_takes_its_function_processes_with_it() {
    let dir = tempfile::tempdir().unwrap();
    script(
        dir.path(),
        "forever.sh",
        "#!/bin/sh\necho $$ > pid\nexec sleep 300\n",
    );
    let exe = std::env::current_exe().expect("the test binary");
    let mut server = std::process::Command::new(exe)
        .args([
            "processes::server_helper",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .env(HELPER_DIR, dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the helper");
    let pid_file = dir.path().join("pid");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&pid_file).map_or(true, |t| !t.ends_with('\n')) {
        if let Some(status) = server.try_wait().expect("helper status") {
            panic!("the helper exited ({status}) before its function started");
        }
        assert!(Instant::now() < deadline, "the function never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SIGKILL: the server gets no chance to clean up; the kernel must.
    server.kill().expect("kill the helper");
    server.wait().expect("reap the helper");
    assert_gone(&pid_file).await;
}

/// Records when it ran (a monotonic clock, the same for every process on Linux), in a file
/// named after its request id.
const SPAN: &str = r#"#!/usr/bin/env python3
import os, sys, time
sys.stdin.read()
start = time.monotonic_ns()
time.sleep(0.2)
end = time.monotonic_ns()
with open(os.path.join("spans", os.environ["AWS_REQUEST_ID"]), "w") as f:
    f.write(f"{start} {end}\n")
print("{}")
"#;

#[tokio::test]
async fn no_more_than_max_concurrency_invocations_run_at_once() {
    let dir = tempfile::tempdir().unwrap();
    script(dir.path(), "span.py", SPAN);
    std::fs::create_dir(dir.path().join("spans")).unwrap();
    let integrations = integrations(
        "[lambda]\nmax_concurrency = 2\n[functions.span]\ncommand = [\"./span.py\"]\ntimeout_seconds = 120",
        dir.path(),
    );
    let calls: Vec<_> = (0..10)
        .map(|_| integrations.call(&task(&function("span"), json!({}))))
        .collect();
    for outcome in futures::future::join_all(calls).await {
        assert_eq!(succeeded(outcome), json!({}));
    }
    let mut spans = Vec::new();
    for entry in std::fs::read_dir(dir.path().join("spans")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let (start, end) = text.trim().split_once(' ').unwrap();
        spans.push((start.parse::<u128>().unwrap(), end.parse::<u128>().unwrap()));
    }
    assert_eq!(spans.len(), 10);
    // The most spans open at any one moment: sweep over starts (+1) and ends (-1), an end
    // before a start at the same instant.
    let mut events: Vec<(u128, i32)> = spans
        .iter()
        .flat_map(|&(start, end)| [(start, 1), (end, -1)])
        .collect();
    events.sort();
    let (mut open, mut most) = (0, 0);
    for (_, step) in events {
        open += step;
        most = most.max(open);
    }
    assert!(most <= 2, "{most} invocations ran at once: {spans:?}");
}

#[tokio::test]
async fn an_invocation_that_waits_longer_than_its_timeout_is_throttled() {
    let dir = tempfile::tempdir().unwrap();
    // Holds the only slot until the test creates `release`.
    script(
        dir.path(),
        "hold.sh",
        "#!/bin/sh\ncat > /dev/null\necho held > started\nwhile [ ! -e release ]; do sleep 0.05; done\necho '\"released\"'\n",
    );
    script(
        dir.path(),
        "quick.sh",
        "#!/bin/sh\ncat > /dev/null\necho '\"quick\"'\n",
    );
    let integrations = integrations(
        "[lambda]\nmax_concurrency = 1\n\
         [functions.hold]\ncommand = [\"./hold.sh\"]\ntimeout_seconds = 600\n\
         [functions.quick]\ncommand = [\"./quick.sh\"]\ntimeout_seconds = 1",
        dir.path(),
    );
    let holding = integrations.call(&task(&function("hold"), json!({})));
    wait_for(&dir.path().join("started")).await;

    let (error, cause) = failed(
        integrations
            .call(&task(&function("quick"), json!({})))
            .await,
    );
    assert_eq!(error, "Lambda.TooManyRequestsException");
    assert!(cause.starts_with("Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Request ID: "), "{cause}");
    assert!(cause.contains("at most 1 "), "{cause}");
    assert!(
        cause.contains("`max_concurrency` in the [lambda] table of switchback.toml"),
        "{cause}"
    );

    std::fs::write(dir.path().join("release"), "").unwrap();
    assert_eq!(succeeded(holding.await), json!("released"));
    // The slot is free again.
    assert_eq!(
        succeeded(
            integrations
                .call(&task(&function("quick"), json!({})))
                .await
        ),
        json!("quick")
    );
}

#[tokio::test]
async fn three_hundred_invocations_all_finish_with_the_default_limit() {
    let dir = tempfile::tempdir().unwrap();
    script(
        dir.path(),
        "double.sh",
        "#!/bin/sh\nread n\necho $((n * 2))\n",
    );
    let integrations = integrations(
        "[functions.double]\ncommand = [\"./double.sh\"]",
        dir.path(),
    );
    let calls: Vec<_> = (0..300)
        .map(|n| integrations.call(&task(&function("double"), json!(n))))
        .collect();
    let results: Vec<Value> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(succeeded)
        .collect();
    let expected: Vec<Value> = (0..300).map(|n| json!(n * 2)).collect();
    assert_eq!(results, expected);
}

#[test]
fn max_concurrency_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let config: switchback_integrations::IntegrationsConfig =
        toml::from_str("[lambda]\nmax_concurrency = 0").unwrap();
    let error = switchback_integrations::Integrations::new(
        config,
        dir.path().to_path_buf(),
        "switchback.toml".into(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with("switchback.toml: lambda.max_concurrency: "),
        "{error}"
    );
}
