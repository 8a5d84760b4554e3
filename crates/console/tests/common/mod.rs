//! A real server (the API and the console on one ephemeral port, over an in-memory store) and
//! a minimal HTTP/1.1 client, for the console's tests.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use switchback_api::{router, ApiConfig, AppState};
use switchback_runtime::{Runtime, RuntimeConfig};
use switchback_store::{Store, StoreConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    /// Set to true to end the console's live streams.
    pub closing: tokio::sync::watch::Sender<bool>,
}

/// Starts the API and the console together, as `switchback serve` does.
pub async fn start() -> Server {
    start_with(ApiConfig::default()).await
}

/// Starts the API and the console with `config`; the `Host` check knows the address, as in
/// `switchback serve`.
pub async fn start_with(mut config: ApiConfig) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let addr = listener.local_addr().expect("local address");
    config.hosts.listen = Some(addr);
    let store = Store::open(StoreConfig::in_memory()).expect("open an in-memory store");
    let runtime =
        Runtime::start(store.clone(), RuntimeConfig::default()).expect("start the runtime");
    let state = AppState {
        store,
        runtime,
        config: Arc::new(config),
    };
    let (closing, closing_rx) = tokio::sync::watch::channel(false);
    let app = switchback_console::router(state.clone(), closing_rx).merge(router(state.clone()));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server {
        addr,
        state,
        closing,
    }
}

/// An HTTP answer: status, content type, body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    /// Every header, names in lower case, in order.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    /// The first header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every header `name` (lower case).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Answer {
        self.request("GET", path, &[], "").await
    }

    /// Calls a Step Functions action over HTTP, as an SDK would; panics on an API error.
    pub async fn api(&self, action: &str, body: Value) -> Value {
        let answer = self.api_raw(action, body).await;
        assert_eq!(answer.status, 200, "{action}: {}", answer.body);
        answer.json()
    }

    /// Calls a Step Functions action over HTTP and returns the raw answer.
    pub async fn api_raw(&self, action: &str, body: Value) -> Answer {
        let target = format!("X-Amz-Target: AWSStepFunctions.{action}");
        self.request(
            "POST",
            "/",
            &[&target, "Content-Type: application/x-amz-json-1.0"],
            &body.to_string(),
        )
        .await
    }

    /// Sends `body` as plain text.
    pub async fn request_text(&self, method: &str, path: &str, body: &str) -> Answer {
        self.request(method, path, &["Content-Type: text/plain"], body)
            .await
    }

    /// Any request; `headers` are whole lines (`Name: value`). `Host: ADDR` is sent unless
    /// `headers` has its own.
    pub async fn request(&self, method: &str, path: &str, headers: &[&str], body: &str) -> Answer {
        let mut stream = TcpStream::connect(self.addr).await.expect("connect");
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        if !headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("host:"))
        {
            head.push_str(&format!("Host: {}\r\n", self.addr));
        }
        head.push_str(&format!(
            "Connection: close\r\nContent-Length: {}\r\n",
            body.len()
        ));
        for h in headers {
            head.push_str(h);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write");
        stream.write_all(body.as_bytes()).await.expect("write");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let content_type = head
            .lines()
            .find_map(|l| l.strip_prefix("content-type: "))
            .unwrap_or_default()
            .to_string();
        let chunked = head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked");
        let body = if chunked {
            dechunk(body)
        } else {
            body.to_string()
        };
        let headers = head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Answer {
            status,
            content_type,
            body,
            headers,
        }
    }

    /// Creates a Standard state machine and returns its ARN.
    pub async fn create(&self, name: &str, definition: &Value) -> String {
        let created = self
            .api(
                "CreateStateMachine",
                json!({
                    "name": name,
                    "definition": definition.to_string(),
                    "roleArn": "arn:aws:iam::123456789012:role/test",
                }),
            )
            .await;
        created["stateMachineArn"]
            .as_str()
            .expect("an ARN")
            .to_string()
    }

    /// Starts an execution and returns its ARN.
    pub async fn start_execution(&self, machine: &str, input: &Value) -> String {
        let started = self
            .api(
                "StartExecution",
                json!({ "stateMachineArn": machine, "input": input.to_string() }),
            )
            .await;
        started["executionArn"]
            .as_str()
            .expect("an ARN")
            .to_string()
    }

    /// Waits until the execution is no longer running; returns its description.
    pub async fn wait_done(&self, execution: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let d = self
                .api("DescribeExecution", json!({ "executionArn": execution }))
                .await;
            if d["status"] != "RUNNING" {
                return d;
            }
            assert!(Instant::now() < deadline, "{execution} still running: {d}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].strip_prefix("\r\n").unwrap_or(&after[n..]);
    }
    out
}

/// A path segment holding an ARN, as the console writes it.
pub fn seg(arn: &str) -> String {
    switchback_console::paths::segment(arn)
}
