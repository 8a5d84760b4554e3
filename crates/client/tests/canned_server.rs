//! The client against a tiny HTTP/1.1 server that answers canned AWS JSON 1.0 responses: the
//! request's shape (method, headers, body), the convenience methods, paging, AWS errors,
//! connection reuse and the timeout.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use switchback_client::{Client, ClientError, StateMachineType};
use tokio::net::TcpListener;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    content_type: String,
    target: String,
    authorization: String,
    body: Value,
}

/// What the canned server recorded.
#[derive(Default)]
struct Log {
    requests: Mutex<Vec<Seen>>,
    connections: AtomicUsize,
    /// How many times `RUNNING_EXECUTION` was described.
    running_describes: AtomicUsize,
}

impl Log {
    fn requests(&self) -> Vec<Seen> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:hello";
const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:hello:run-1";
/// An execution that is described as RUNNING three times, then SUCCEEDED.
const RUNNING_EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:hello:run-2";

/// Starts the canned server on an ephemeral loopback port.
async fn serve() -> (SocketAddr, Arc<Log>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let log = Arc::new(Log::default());
    let server_log = log.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            server_log.connections.fetch_add(1, Ordering::SeqCst);
            let log = server_log.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| handle(req, log.clone()));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, log)
}

async fn handle(
    req: Request<Incoming>,
    log: Arc<Log>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (method, content_type, target, authorization) = (
        req.method().to_string(),
        header("content-type"),
        header("x-amz-target"),
        header("authorization"),
    );
    let bytes = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let Ok(mut r) = log.requests.lock() {
        r.push(Seen {
            method,
            content_type,
            target: target.clone(),
            authorization,
            body: body.clone(),
        });
    }
    let action = target.strip_prefix("AWSStepFunctions.").unwrap_or("");
    let (status, answer) = answer(action, &body, &log).await;
    let response = Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .body(Full::new(Bytes::from(answer)))
        .unwrap_or_default();
    Ok(response)
}

fn aws_error(name: &str, message: &str) -> (StatusCode, String) {
    let body = json!({ "__type": format!("com.amazonaws.states#{name}"), "message": message });
    (StatusCode::BAD_REQUEST, body.to_string())
}

/// The canned answer to one action.
async fn answer(action: &str, body: &Value, log: &Log) -> (StatusCode, String) {
    let ok = |v: Value| (StatusCode::OK, v.to_string());
    match action {
        "CreateStateMachine" => ok(json!({ "stateMachineArn": MACHINE, "creationDate": 1.7e9 })),
        "StartExecution" => ok(json!({ "executionArn": EXECUTION, "startDate": 1.7e9 })),
        "StartSyncExecution" => ok(json!({
            "executionArn": EXECUTION, "status": "SUCCEEDED", "output": body["input"].clone(),
            "billingDetails": { "billedDurationInMilliseconds": 100, "billedMemoryUsedInMB": 64 }
        })),
        "DescribeExecution" if body["executionArn"] == EXECUTION => {
            ok(json!({ "executionArn": EXECUTION, "status": "SUCCEEDED", "output": "{}" }))
        }
        "DescribeExecution" if body["executionArn"] == RUNNING_EXECUTION => {
            let seen = log.running_describes.fetch_add(1, Ordering::SeqCst);
            let status = if seen < 3 { "RUNNING" } else { "SUCCEEDED" };
            ok(json!({ "executionArn": RUNNING_EXECUTION, "status": status }))
        }
        "DescribeExecution" => aws_error(
            "ExecutionDoesNotExist",
            &format!("Execution Does Not Exist: '{}'", body["executionArn"]),
        ),
        // Two pages: events 1-2 with a token, then event 3.
        "GetExecutionHistory" => match body.get("nextToken").and_then(Value::as_str) {
            None => ok(json!({
                "events": [{"id": 1, "type": "ExecutionStarted"}, {"id": 2, "type": "PassStateEntered"}],
                "nextToken": "page-2"
            })),
            Some("page-2") => ok(json!({ "events": [{"id": 3, "type": "ExecutionSucceeded"}] })),
            Some(_) => aws_error("InvalidToken", "bad token"),
        },
        "ListExecutions" => ok(json!({
            "executions": [{ "executionArn": EXECUTION, "status": body["statusFilter"].clone() }]
        })),
        "DeleteStateMachine" => (StatusCode::OK, String::new()),
        "Slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            ok(json!({}))
        }
        "Gateway" => (StatusCode::BAD_GATEWAY, "Bad Gateway".to_string()),
        _ => (
            StatusCode::BAD_REQUEST,
            json!({ "__type": "UnknownOperationException" }).to_string(),
        ),
    }
}

#[tokio::test]
async fn requests_have_the_aws_json_shape() {
    let (addr, log) = serve().await;
    let client = Client::new(&format!("http://{addr}")).expect("client");
    let arn = client
        .create_state_machine(
            "hello",
            "{\"StartAt\":\"P\"}",
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Express,
        )
        .await
        .expect("create");
    assert_eq!(arn, MACHINE);
    let seen = log.requests();
    let req = &seen[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.content_type, "application/x-amz-json-1.0");
    assert_eq!(req.target, "AWSStepFunctions.CreateStateMachine");
    assert!(
        req.authorization
            .starts_with("AWS4-HMAC-SHA256 Credential="),
        "{}",
        req.authorization
    );
    assert_eq!(
        req.body,
        json!({
            "name": "hello",
            "definition": "{\"StartAt\":\"P\"}",
            "roleArn": "arn:aws:iam::123456789012:role/any",
            "type": "EXPRESS"
        })
    );
}

#[tokio::test]
async fn convenience_methods_send_and_pick_the_right_fields() {
    let (addr, log) = serve().await;
    let client = Client::new(&format!("http://{addr}")).expect("client");

    let exec = client
        .start_execution(MACHINE, Some("run-1"), &json!({"n": 1}))
        .await
        .expect("start");
    assert_eq!(exec, EXECUTION);
    let sync = client
        .start_sync_execution(MACHINE, &json!({"n": 2}))
        .await
        .expect("sync");
    assert_eq!(sync["status"], "SUCCEEDED");
    assert_eq!(sync["output"], "{\"n\":2}");
    let described = client
        .describe_execution(EXECUTION)
        .await
        .expect("describe");
    assert_eq!(described["status"], "SUCCEEDED");
    let listed = client
        .list_executions(MACHINE, Some("RUNNING"))
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["status"], "RUNNING");
    client.delete_state_machine(MACHINE).await.expect("delete");

    let seen = log.requests();
    // The input travels as JSON text, as the API carries it.
    assert_eq!(
        seen[0].body,
        json!({ "stateMachineArn": MACHINE, "input": "{\"n\":1}", "name": "run-1" })
    );
    assert_eq!(
        seen[1].body,
        json!({ "stateMachineArn": MACHINE, "input": "{\"n\":2}" })
    );
    assert_eq!(seen[3].body["statusFilter"], "RUNNING");
    assert_eq!(seen[4].target, "AWSStepFunctions.DeleteStateMachine");
}

#[tokio::test]
async fn history_follows_next_token_over_every_page() {
    let (addr, log) = serve().await;
    let client = Client::new(&format!("http://{addr}")).expect("client");
    let events = client
        .get_execution_history(EXECUTION)
        .await
        .expect("history");
    let ids: Vec<u64> = events.iter().filter_map(|e| e["id"].as_u64()).collect();
    assert_eq!(ids, [1, 2, 3]);
    let seen = log.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].body.get("nextToken").is_none());
    assert_eq!(seen[1].body["nextToken"], "page-2");
}

#[tokio::test]
async fn aws_errors_become_api_errors() {
    let (addr, _log) = serve().await;
    let client = Client::new(&format!("http://{addr}")).expect("client");
    let made_up = "arn:aws:states:us-east-1:123456789012:execution:hello:nope";
    match client.describe_execution(made_up).await {
        Err(ClientError::Api {
            kind,
            message,
            status,
        }) => {
            assert_eq!(kind, "ExecutionDoesNotExist");
            assert!(message.contains("nope"), "{message}");
            assert_eq!(status, 400);
        }
        other => panic!("expected ExecutionDoesNotExist, got {other:?}"),
    }
    let err = client
        .call("Bogus", &json!({}))
        .await
        .expect_err("unknown action");
    assert_eq!(err.api_kind(), Some("UnknownOperationException"));
    let err = client.call("Gateway", &json!({})).await.expect_err("502");
    assert!(
        matches!(err, ClientError::Status { status: 502, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn connections_are_kept_alive_and_reused() {
    let (addr, log) = serve().await;
    let client = Client::new(&format!("http://{addr}")).expect("client");
    for _ in 0..20 {
        client
            .describe_execution(EXECUTION)
            .await
            .expect("describe");
    }
    assert_eq!(log.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_slow_server_hits_the_timeout() {
    let (addr, _log) = serve().await;
    let client = Client::new(&format!("http://{addr}"))
        .expect("client")
        .with_timeout(Duration::from_millis(200));
    let err = client.call("Slow", &json!({})).await.expect_err("timeout");
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    // Bind, note the port, and close it again: nothing listens there any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr");
    let client = Client::new(&format!("http://{addr}")).expect("client");
    let err = client
        .describe_execution(EXECUTION)
        .await
        .expect_err("refused");
    assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("DescribeExecution"), "{err}");
}

#[test]
fn https_is_refused_up_front() {
    let err = Client::new("https://states.us-east-1.amazonaws.com")
        .err()
        .expect("https refused");
    assert!(err.to_string().contains("TLS is not supported"), "{err}");
}

#[tokio::test]
async fn waiting_polls_until_the_execution_ends() {
    let (addr, log) = serve().await;
    let client = Client::new(&format!("http://{addr}")).expect("client");
    let done = client
        .wait_for_execution(RUNNING_EXECUTION, &switchback_client::Poll::default())
        .await
        .expect("wait");
    assert_eq!(done["status"], "SUCCEEDED");
    // Four polls for the status only, then the ended execution described whole.
    let requests = log.requests();
    assert_eq!(requests.len(), 5);
    for poll in &requests[..4] {
        assert_eq!(poll.body["includedData"], "METADATA_ONLY");
    }
    assert!(requests[4].body.get("includedData").is_none());
}

#[tokio::test]
async fn waiting_gives_up_at_the_deadline() {
    let (addr, _log) = serve().await;
    let client = Client::new(&format!("http://{addr}")).expect("client");
    let poll = switchback_client::Poll {
        first: Duration::from_millis(50),
        factor: 1.0,
        max_interval: Duration::from_millis(50),
        deadline: Some(Duration::from_millis(60)),
    };
    // Described as RUNNING three times: the deadline passes before the fourth.
    let err = client
        .wait_for_execution(RUNNING_EXECUTION, &poll)
        .await
        .expect_err("deadline");
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
}
