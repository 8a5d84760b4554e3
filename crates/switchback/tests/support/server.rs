//! A real `switchback serve` process for the crash tests: started on a loopback port with its
//! own data directory, ready once `GET /healthz` answers, killed with SIGKILL (no chance to
//! flush or drain) when asked or dropped, and restarted on the same address. Also the checks
//! every crash test makes of an execution: it succeeded, and its history is whole.

#![allow(dead_code)]

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use switchback_client::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long a server may take to answer `GET /healthz`.
const READY_LIMIT: Duration = Duration::from_secs(30);

/// A `switchback serve` process, killed (SIGKILL) when dropped, so that a failing test never
/// leaves a server behind.
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    /// Starts the server on a free loopback port and waits until `GET /healthz` answers 200.
    pub async fn start(data_dir: &Path, log: &Path) -> Server {
        Server::start_on(free_port(), data_dir, log, &[]).await
    }

    /// Starts the server on `addr` (a restart keeps its address) with `extra` arguments, and
    /// waits until `GET /healthz` answers 200.
    pub async fn start_on(addr: SocketAddr, data_dir: &Path, log: &Path, extra: &[&str]) -> Server {
        let out = File::create(log).unwrap_or_else(|e| panic!("create {}: {e}", log.display()));
        let err = out
            .try_clone()
            .unwrap_or_else(|e| panic!("clone {}: {e}", log.display()));
        let child = Command::new(env!("CARGO_BIN_EXE_switchback"))
            .arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(data_dir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start switchback serve: {e}"));
        let mut server = Server {
            child: Some(child),
            addr,
            log: log.to_path_buf(),
        };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_LIMIT;
        loop {
            if healthz(self.addr).await {
                return;
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!(
                        "switchback serve exited ({status}) before answering GET /healthz\n{}",
                        self.log_tail()
                    );
                }
            }
            if Instant::now() >= deadline {
                panic!(
                    "switchback serve did not answer GET /healthz with 200 within {READY_LIMIT:?}\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills the process with SIGKILL (no chance to flush or drain) and returns its log.
    pub fn kill(mut self) -> String {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.log_tail()
    }

    /// The last lines of the server's output, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        format!("--- {} (last 40 lines) ---\n{tail}", self.log.display())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A loopback address whose port was free a moment ago.
pub fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
}

/// Whether `GET /healthz` answers 200 (a plain HTTP/1.1 request: the API client only POSTs).
async fn healthz(addr: SocketAddr) -> bool {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    match tokio::time::timeout(Duration::from_secs(2), exchange).await {
        Ok(Ok(response)) => {
            let head = String::from_utf8_lossy(&response[..response.len().min(16)]).into_owned();
            head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200")
        }
        _ => false,
    }
}

/// A temporary directory, removed when the test passes and kept (with a note of where) when it
/// fails, so that the servers' logs and database can be looked at.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("switchback-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("mkdir {}: {e}", p.display()));
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("crash test: kept {} for inspection", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The output of an execution that must have SUCCEEDED; an error names what it was instead.
pub async fn succeeded_output(client: &Client, arn: &str) -> Result<Value, String> {
    let described = client
        .describe_execution(arn)
        .await
        .map_err(|e| format!("DescribeExecution: {e}"))?;
    if described["status"] != "SUCCEEDED" {
        return Err(format!(
            "status {} (error {}, cause {})",
            described["status"], described["error"], described["cause"]
        ));
    }
    described["output"]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok())
        .ok_or_else(|| format!("output is not JSON text: {}", described["output"]))
}

/// A succeeded execution's history is whole: ids 1..n (no gap, no duplicate), each
/// `previousEventId` before its event, one `ExecutionStarted` first and one
/// `ExecutionSucceeded` last.
pub fn check_whole_history(events: &[Value]) -> Result<(), String> {
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or(""))
        .collect();
    for (i, e) in events.iter().enumerate() {
        let id = e["id"]
            .as_u64()
            .ok_or_else(|| format!("event #{i} has no id: {e}"))?;
        if id != i as u64 + 1 {
            return Err(format!(
                "event #{i} has id {id}: ids are not 1..n (gap or duplicate)"
            ));
        }
        if let Some(prev) = e.get("previousEventId").and_then(Value::as_u64) {
            if prev >= id {
                return Err(format!(
                    "event {id} ({}) has previousEventId {prev}",
                    types[i]
                ));
            }
        }
    }
    let count = |t: &str| types.iter().filter(|x| **x == t).count();
    if types.first() != Some(&"ExecutionStarted") || count("ExecutionStarted") != 1 {
        return Err(format!("not one ExecutionStarted first: {types:?}"));
    }
    if types.last() != Some(&"ExecutionSucceeded") || count("ExecutionSucceeded") != 1 {
        return Err(format!("not one ExecutionSucceeded last: {types:?}"));
    }
    Ok(())
}

/// Polls `ListExecutions` (RUNNING) of `machine` until it is empty; past `limit`, fails naming
/// a few that still run, with the server's log.
pub async fn wait_until_none_running(
    client: &Client,
    machine: &str,
    server: &Server,
    limit: Duration,
) {
    let deadline = Instant::now() + limit;
    loop {
        let running = client
            .list_executions(machine, Some("RUNNING"))
            .await
            .unwrap_or_else(|e| panic!("ListExecutions: {e}\n{}", server.log_tail()));
        if running.is_empty() {
            return;
        }
        if Instant::now() >= deadline {
            let some: Vec<&str> = running
                .iter()
                .take(5)
                .filter_map(|e| e["executionArn"].as_str())
                .collect();
            panic!(
                "{} executions still RUNNING after {limit:?}, e.g. {some:?}\n{}",
                running.len(),
                server.log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
