//! Helpers shared by the integration tests: building `Integrations` from TOML text, task
//! requests, and small servers on 127.0.0.1.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use switchback_engine::task::{Resource, TaskOutcome, TaskPhase, TaskRequest};
use switchback_integrations::{Integrations, IntegrationsConfig};

pub const IDEMPOTENCY_KEY: &str =
    "arn:aws:states:us-east-1:123456789012:execution:orders:run-1/5/0";

/// `Integrations` from the text of a `switchback.toml` in `dir`.
pub fn integrations(toml_text: &str, dir: &Path) -> Integrations {
    let config: IntegrationsConfig = toml::from_str(toml_text).expect("valid TOML");
    Integrations::new(config, dir.to_path_buf(), "switchback.toml".into())
        .expect("valid configuration")
}

/// A Dispatch of `resource` with `input`.
pub fn task(resource: &str, input: Value) -> TaskRequest {
    TaskRequest {
        state_name: Arc::from("Work"),
        resource: Arc::new(Resource::parse(resource)),
        input: Arc::new(input),
        attempt: 0,
        timeout_seconds: None,
        heartbeat_seconds: None,
        idempotency_key: Arc::from(IDEMPOTENCY_KEY),
        task_token: None,
        phase: TaskPhase::Dispatch,
        submitted: None,
        body_as: Default::default(),
    }
}

#[track_caller]
pub fn succeeded(outcome: TaskOutcome) -> Value {
    match outcome {
        TaskOutcome::Succeeded(value) => value,
        other => panic!("expected success, got {other:?}"),
    }
}

#[track_caller]
pub fn failed(outcome: TaskOutcome) -> (String, String) {
    match outcome {
        TaskOutcome::Failed { error, cause } => (error, cause),
        other => panic!("expected failure, got {other:?}"),
    }
}

/// Writes an executable script.
pub fn script(dir: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Serves `app` on 127.0.0.1 and returns its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}")
}

/// A port on 127.0.0.1 that nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    port
}

pub fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Waits until the process whose pid the script wrote is no longer running.
pub async fn assert_gone(pid_file: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let pid = loop {
        if let Ok(text) = std::fs::read_to_string(pid_file) {
            if let Ok(pid) = text.trim().parse::<u32>() {
                break pid;
            }
        }
        assert!(Instant::now() < deadline, "the script never wrote its pid");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    loop {
        let running = match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // The state is the field after the parenthesised command name; Z is a zombie.
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X"),
            Err(_) => false,
        };
        if !running {
            return;
        }
        assert!(Instant::now() < deadline, "process {pid} still runs");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
