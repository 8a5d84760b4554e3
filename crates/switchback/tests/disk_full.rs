//! The disk-full test: `switchback serve` whose data directory cannot grow refuses writes with
//! an AWS-shaped error (HTTP 503 `ServiceUnavailable` naming the data directory), keeps
//! answering reads, loses nothing it acknowledged, and recovers by itself when space returns.
//!
//! How the disk is "filled": the running server's file-size limit (`RLIMIT_FSIZE`, set from
//! outside with `prlimit`) is lowered to one page, 4096 bytes. That needs no privilege, mount
//! or special file system, so the test runs everywhere on Linux. Past the limit a write fails
//! with `EFBIG` (`switchback serve` ignores `SIGXFSZ`, which would otherwise kill it) or is cut
//! short, which SQLite reports as `SQLITE_FULL`: the store sees both as a full disk. The limit
//! is set *below* the files' sizes, not just above them: SQLite reuses its write-ahead log from
//! the start after a checkpoint, so a limit above the log's size would let writes go on for a
//! while; with one page, every log frame (4 KiB plus a header, after a 32-byte file header)
//! crosses it, so the very next write fails. Reads need no write and are not affected.
//!
//! The server's output goes through a pipe, not a file, as under systemd: the limit holds for
//! every file the server writes, and a log file that cannot grow is a problem of its own (the
//! log subscriber reports a failed write with `eprintln!`, which panics the thread that logged
//! when stderr fails; the API answers such a request by dropping the connection).
//!
//! Checked, in order: executions that finished before, and executions waiting in a Wait when
//! the disk fills, and one whose activity task a worker holds; then, while it is full:
//! StartExecution, CreateStateMachine, StopExecution and SendTaskSuccess answer 503
//! `ServiceUnavailable` (never 200) and store nothing (the execution whose stop was refused,
//! waiting in memory, goes on and finishes later; the refused answer can be sent again later
//! and is recorded once), DescribeExecution, ListExecutions and
//! GetExecutionHistory still answer, and the waiting executions, whose wake-up falls in the
//! full period, keep the history they had (they cannot go on: each of their commits fails,
//! and they are retried); then the limit is lifted, and without a restart new starts succeed
//! and every execution finishes SUCCEEDED with a history of ids 1..n that begins with what it
//! had before. Last, the database passes SQLite's integrity check after a SIGKILL, and a
//! restarted server sees everything.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use switchback_client::{Client, ClientError, StateMachineType};

#[path = "support/server.rs"]
mod server;
use server::{free_port, Server, TempDir};

/// The file-size limit while the disk is "full": one page (see the module's documentation).
const FULL_LIMIT: libc::rlim_t = 4096;
/// How long the executions that are running when the disk fills wait in their Wait state:
/// long enough for the test to fill the disk while they wait, even on a loaded machine.
const NAP_SECONDS: u64 = 5;
/// The Wait of the first of them: as long as the runtime's parking threshold (2 s), so that it
/// waits in memory rather than parked in the store.
const IN_MEMORY_NAP_SECONDS: u64 = 2;
/// How many executions wait in the Wait when the disk fills.
const NAPPING: usize = 4;
/// How many executions finished before the disk fills.
const FINISHED: usize = 2;
/// Generous limits for conditions the test waits on.
const READY_LIMIT: Duration = Duration::from_secs(30);
const SETTLE_LIMIT: Duration = Duration::from_secs(60);
const RECOVERY_LIMIT: Duration = Duration::from_secs(90);

fn definition() -> Value {
    json!({
        "Comment": "Switchback disk-full test",
        "StartAt": "Before",
        "States": {
            "Before": { "Type": "Pass", "Result": "before", "ResultPath": "$.before", "Next": "Nap" },
            "Nap": { "Type": "Wait", "SecondsPath": "$.wait", "Next": "After" },
            "After": { "Type": "Pass", "Result": "after", "ResultPath": "$.after", "End": true }
        }
    })
}

/// The event types of a finished execution, in order.
const FINISHED_HISTORY: [&str; 8] = [
    "ExecutionStarted",
    "PassStateEntered",
    "PassStateExited",
    "WaitStateEntered",
    "WaitStateExited",
    "PassStateEntered",
    "PassStateExited",
    "ExecutionSucceeded",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_disk_refuses_writes_keeps_reads_and_recovers() {
    let dir = TempDir::new("disk-full");
    let data = dir.path().join("data");
    let log_path = dir.path().join("server.log");
    let server = PipedServer::start(&data, &log_path).await;
    let client = api_client(server.addr);

    let machine = client
        .create_state_machine(
            "disk-full",
            &definition().to_string(),
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {e}\n{}", server.log_tail()));

    // Executions that finish before the disk fills.
    let mut finished = Vec::new();
    for i in 0..FINISHED {
        let arn = start(&client, &machine, &format!("finished-{i}"), 0, &server).await;
        finished.push(arn);
    }
    for arn in &finished {
        wait_for_status(&client, arn, "SUCCEEDED", SETTLE_LIMIT, &server).await;
    }
    let mut finished_histories = Vec::new();
    for arn in &finished {
        finished_histories.push(history(&client, arn, &server).await);
    }

    // An execution waiting for an activity worker's answer, whose task a worker has taken:
    // its answer (SendTaskSuccess) will come while the disk is full.
    let activity = client
        .call("CreateActivity", &json!({ "name": "disk-full-work" }))
        .await
        .unwrap_or_else(|e| panic!("CreateActivity: {e}\n{}", server.log_tail()))["activityArn"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("CreateActivity returned no activityArn"));
    let worker_machine = client
        .create_state_machine(
            "disk-full-worker",
            &json!({
                "StartAt": "Work",
                "States": { "Work": { "Type": "Task", "Resource": activity, "End": true } }
            })
            .to_string(),
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Standard,
        )
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {e}\n{}", server.log_tail()));
    let worked = start(&client, &worker_machine, "worked", 0, &server).await;
    let token = take_activity_task(&client, &activity, &server).await;
    let worked_before = history(&client, &worked, &server).await;

    // Executions waiting in the Wait when the disk fills: what they recorded up to the Wait is
    // acknowledged (committed before the Wait begins) and must survive. Started last, just
    // before the disk fills, so that the first one is still in its short Wait then.
    let mut napping = Vec::new();
    for i in 0..NAPPING {
        let arn = start(
            &client,
            &machine,
            &format!("napping-{i}"),
            if i == 0 {
                IN_MEMORY_NAP_SECONDS
            } else {
                NAP_SECONDS
            },
            &server,
        )
        .await;
        napping.push(arn);
    }
    let mut napping_before = Vec::new();
    for arn in &napping {
        napping_before.push(wait_for_wait_entered(&client, arn, &server).await);
    }

    // Fill the disk.
    let pid = server.pid();
    let sizes = file_sizes(&data);
    set_file_size_limit(pid, FULL_LIMIT);
    let filled_at = Instant::now();
    eprintln!(
        "disk-full test: server {pid}: file-size limit {FULL_LIMIT} bytes; files were {sizes:?}"
    );

    // Stopping a running execution is refused too, and it goes on (it finishes later, below).
    // The first napping execution waits in memory (its Wait is no longer than the runtime's
    // parking threshold), so the stop reaches its run, not the store: the run must be resumed
    // once the stop could not be recorded. Only if this machine took longer than its Wait to
    // get here has it already finished; then there was nothing to refuse.
    let stopped = client
        .call("StopExecution", &json!({ "executionArn": napping[0] }))
        .await
        .map(|answer| answer.to_string());
    if stopped.is_ok() && describe(&client, &napping[0], &server).await["status"] == "SUCCEEDED" {
        eprintln!(
            "disk-full test: {} finished before the disk filled; the refused stop is not exercised",
            napping[0]
        );
    } else {
        expect_unavailable(&stopped, &data, "StopExecution", &server);
    }

    // Starts are refused, AWS-shaped, naming the data directory, and store nothing.
    let refused = client
        .start_execution(&machine, Some("refused"), &json!({ "wait": 0 }))
        .await;
    expect_unavailable(&refused, &data, "StartExecution", &server);
    let refused_arn = format!(
        "{}:refused",
        machine.replace(":stateMachine:", ":execution:")
    );
    match client.describe_execution(&refused_arn).await {
        Err(e) if e.api_kind() == Some("ExecutionDoesNotExist") => {}
        other => panic!(
            "a refused start must store nothing; DescribeExecution answered {other:?}\n{}",
            server.log_tail()
        ),
    }
    let created = client
        .create_state_machine(
            "refused-machine",
            &definition().to_string(),
            "arn:aws:iam::123456789012:role/any",
            StateMachineType::Standard,
        )
        .await;
    expect_unavailable(&created, &data, "CreateStateMachine", &server);

    // An activity's answer is refused, and the task still waits for it.
    let answered = client
        .call(
            "SendTaskSuccess",
            &json!({ "taskToken": token, "output": "{\"done\":true}" }),
        )
        .await
        .map(|answer| answer.to_string());
    expect_unavailable(&answered, &data, "SendTaskSuccess", &server);

    // Reads keep working, and see everything acknowledged.
    for (arn, before) in finished.iter().zip(&finished_histories) {
        let described = describe(&client, arn, &server).await;
        assert_eq!(
            described["status"], "SUCCEEDED",
            "{arn} while the disk is full"
        );
        assert_eq!(
            &history(&client, arn, &server).await,
            before,
            "{arn}: history while the disk is full"
        );
    }
    let listed = client
        .list_executions(&machine, None)
        .await
        .unwrap_or_else(|e| panic!("ListExecutions while full: {e}\n{}", server.log_tail()));
    assert_eq!(
        listed.len(),
        FINISHED + NAPPING,
        "ListExecutions while the disk is full: {listed:?}"
    );
    let running_when_full = client
        .list_executions(&machine, Some("RUNNING"))
        .await
        .unwrap_or_else(|e| panic!("ListExecutions while full: {e}\n{}", server.log_tail()))
        .len();
    assert!(
        running_when_full > 0,
        "no execution was still waiting when the disk filled: the test proves nothing about \
         running executions; make NAP_SECONDS longer"
    );

    // The store said so in the log, once (a condition, not a fixed sleep).
    wait_for_log(&server, "no space left for the store", SETTLE_LIMIT).await;

    // Let the waiting executions' wake-up pass while the disk is full: they cannot record
    // their next step, so they stay RUNNING with the history they had, and are retried.
    let wake = filled_at + Duration::from_secs(NAP_SECONDS + 2);
    tokio::time::sleep_until(wake.into()).await;
    for (arn, before) in napping.iter().zip(&napping_before) {
        let described = describe(&client, arn, &server).await;
        let now = history(&client, arn, &server).await;
        if described["status"] == "SUCCEEDED" {
            // It finished before the disk filled: nothing to check here, it is checked below.
            continue;
        }
        assert_eq!(
            described["status"], "RUNNING",
            "{arn} while the disk is full"
        );
        assert_eq!(
            &now, before,
            "{arn}: a running execution's history changed while the disk was full"
        );
    }
    assert!(
        server.alive(),
        "the server died while the disk was full\n{}",
        server.log_tail()
    );

    // Space returns: no restart, the next writes succeed.
    set_file_size_limit(pid, libc::RLIM_INFINITY);
    let lifted_at = Instant::now();
    let after = loop {
        match client
            .start_execution(&machine, Some("after"), &json!({ "wait": 0 }))
            .await
        {
            Ok(arn) => break arn,
            Err(e) if e.api_kind() == Some("ServiceUnavailable") => {
                assert!(
                    lifted_at.elapsed() < RECOVERY_LIMIT,
                    "starts still refused {RECOVERY_LIMIT:?} after space returned: {e}\n{}",
                    server.log_tail()
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!(
                "StartExecution after space returned: {e}\n{}",
                server.log_tail()
            ),
        }
    };
    eprintln!(
        "disk-full test: first start accepted {:?} after space returned",
        lifted_at.elapsed()
    );
    // The refused name was never taken.
    let refused_later = start(&client, &machine, "refused", 0, &server).await;
    assert_eq!(refused_later, refused_arn);
    wait_for_log(&server, "the store can write again", SETTLE_LIMIT).await;

    // The refused answer can be given now: the task waited for it.
    client
        .call(
            "SendTaskSuccess",
            &json!({ "taskToken": token, "output": "{\"done\":true}" }),
        )
        .await
        .unwrap_or_else(|e| {
            panic!(
                "SendTaskSuccess after space returned: {e}\n{}",
                server.log_tail()
            )
        });
    wait_for_status(&client, &worked, "SUCCEEDED", RECOVERY_LIMIT, &server).await;
    let worked_events = history(&client, &worked, &server).await;
    assert_eq!(
        &worked_events[..worked_before.len()],
        &worked_before[..],
        "{worked}: the events recorded before the disk filled changed"
    );
    for (i, e) in worked_events.iter().enumerate() {
        assert_eq!(
            e["id"].as_u64(),
            Some(i as u64 + 1),
            "{worked}: event ids: {e}"
        );
    }
    let answers = worked_events
        .iter()
        .filter(|e| e["type"] == "ActivitySucceeded")
        .count();
    assert_eq!(
        answers, 1,
        "{worked}: one ActivitySucceeded: {worked_events:?}"
    );
    assert_eq!(
        describe(&client, &worked, &server).await["output"],
        "{\"done\":true}"
    );

    // Every execution finishes, with a history of ids 1..n that extends what it had.
    let mut all = napping.clone();
    all.extend([after, refused_later]);
    for arn in &all {
        wait_for_status(&client, arn, "SUCCEEDED", RECOVERY_LIMIT, &server).await;
    }
    for (arn, before) in napping.iter().zip(&napping_before) {
        let events = history(&client, arn, &server).await;
        check_history(arn, &events);
        assert_eq!(
            &events[..before.len()],
            &before[..],
            "{arn}: the events recorded before the disk filled changed"
        );
    }
    for arn in &all[NAPPING..] {
        check_history(arn, &history(&client, arn, &server).await);
    }
    let listed = client
        .list_executions(&machine, None)
        .await
        .unwrap_or_else(|e| panic!("ListExecutions after: {e}\n{}", server.log_tail()));
    assert_eq!(listed.len(), FINISHED + NAPPING + 2, "{listed:?}");

    // The database is sound, even taken as a crash leaves it, and a new server sees it all.
    server.kill();
    let db = data.join(switchback_store::DATABASE_FILE);
    switchback_store::check_integrity(&db)
        .unwrap_or_else(|e| panic!("the database after the disk-full episode: {e}"));
    let second = Server::start(&data, &dir.path().join("server-2.log")).await;
    let client = api_client(second.addr);
    let listed = client
        .list_executions(&machine, Some("SUCCEEDED"))
        .await
        .unwrap_or_else(|e| panic!("ListExecutions after a restart: {e}\n{}", second.log_tail()));
    assert_eq!(listed.len(), FINISHED + NAPPING + 2, "{listed:?}");
}

/// The refusal of a write while the disk is full: 503 `ServiceUnavailable`, naming the data
/// directory and what to do.
fn expect_unavailable(
    result: &Result<String, ClientError>,
    data: &Path,
    action: &str,
    server: &PipedServer,
) {
    match result {
        Err(ClientError::Api {
            kind,
            message,
            status,
        }) if kind == "ServiceUnavailable" => {
            assert_eq!(*status, 503, "{action}: HTTP status");
            let dir = data.display().to_string();
            assert!(
                message.contains(&dir) && message.contains("Free disk space"),
                "{action}: the message should name {dir} and say what to do: {message}"
            );
        }
        other => panic!(
            "{action} while the disk is full: expected 503 ServiceUnavailable, got {other:?}\n{}",
            server.log_tail()
        ),
    }
}

/// The history rules: ids 1..n in order, the events of one run through the machine.
fn check_history(arn: &str, events: &[Value]) {
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(types, FINISHED_HISTORY, "{arn}: event types");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(
            e["id"].as_u64(),
            Some(i as u64 + 1),
            "{arn}: event ids: {e}"
        );
    }
}

async fn start(
    client: &Client,
    machine: &str,
    name: &str,
    wait: u64,
    server: &PipedServer,
) -> String {
    client
        .start_execution(machine, Some(name), &json!({ "wait": wait }))
        .await
        .unwrap_or_else(|e| panic!("StartExecution {name}: {e}\n{}", server.log_tail()))
}

async fn describe(client: &Client, arn: &str, server: &PipedServer) -> Value {
    client
        .describe_execution(arn)
        .await
        .unwrap_or_else(|e| panic!("DescribeExecution {arn}: {e}\n{}", server.log_tail()))
}

async fn history(client: &Client, arn: &str, server: &PipedServer) -> Vec<Value> {
    client
        .get_execution_history(arn)
        .await
        .unwrap_or_else(|e| panic!("GetExecutionHistory {arn}: {e}\n{}", server.log_tail()))
}

async fn wait_for_status(
    client: &Client,
    arn: &str,
    status: &str,
    limit: Duration,
    server: &PipedServer,
) {
    let deadline = Instant::now() + limit;
    loop {
        let described = describe(client, arn, server).await;
        if described["status"] == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{arn} not {status} within {limit:?}: {described}\n{}",
            server.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the execution waits in its Wait state (its history so far is committed), and
/// returns that history.
async fn wait_for_wait_entered(client: &Client, arn: &str, server: &PipedServer) -> Vec<Value> {
    let deadline = Instant::now() + SETTLE_LIMIT;
    loop {
        let events = history(client, arn, server).await;
        if events
            .last()
            .is_some_and(|e| e["type"] == "WaitStateEntered")
        {
            return events;
        }
        assert!(
            Instant::now() < deadline,
            "{arn} did not reach its Wait within {SETTLE_LIMIT:?}: {events:?}\n{}",
            server.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Takes the activity's next task as a worker (`GetActivityTask`, which long-polls until the
/// execution has scheduled it) and returns its token.
async fn take_activity_task(client: &Client, activity: &str, server: &PipedServer) -> String {
    let deadline = Instant::now() + SETTLE_LIMIT;
    loop {
        let task = client
            .call(
                "GetActivityTask",
                &json!({ "activityArn": activity, "workerName": "disk-full-worker" }),
            )
            .await;
        match task {
            Ok(task) => {
                if let Some(token) = task["taskToken"].as_str().filter(|t| !t.is_empty()) {
                    return token.to_string();
                }
            }
            // The client gives up before the server's 60 s long poll: ask again.
            Err(ClientError::Timeout { .. }) => {}
            Err(e) => panic!("GetActivityTask: {e}\n{}", server.log_tail()),
        }
        assert!(
            Instant::now() < deadline,
            "no activity task within {SETTLE_LIMIT:?}\n{}",
            server.log_tail()
        );
    }
}

async fn wait_for_log(server: &PipedServer, needle: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !server.log().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "the server did not log {needle:?} within {limit:?}\n{}",
            server.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sets the soft file-size limit of process `pid` (its hard limit stays).
fn set_file_size_limit(pid: libc::pid_t, limit: libc::rlim_t) {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: prlimit reads no new limit here and writes the old one into `old`.
    let rc = unsafe { libc::prlimit(pid, libc::RLIMIT_FSIZE, std::ptr::null(), &mut old) };
    assert_eq!(
        rc,
        0,
        "prlimit({pid}) read: {}",
        std::io::Error::last_os_error()
    );
    let new = libc::rlimit {
        rlim_cur: limit.min(old.rlim_max),
        rlim_max: old.rlim_max,
    };
    // SAFETY: prlimit reads `new`, a valid rlimit, and writes nothing back.
    let rc = unsafe { libc::prlimit(pid, libc::RLIMIT_FSIZE, &new, std::ptr::null_mut()) };
    assert_eq!(
        rc,
        0,
        "prlimit({pid}) set: {}",
        std::io::Error::last_os_error()
    );
}

/// The sizes of the store's files, for the test's report.
fn file_sizes(data: &Path) -> Vec<(String, u64)> {
    let mut sizes: Vec<(String, u64)> = std::fs::read_dir(data)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let size = e.metadata().ok()?.len();
                    Some((e.file_name().to_string_lossy().into_owned(), size))
                })
                .collect()
        })
        .unwrap_or_default();
    sizes.sort();
    sizes
}

fn api_client(addr: SocketAddr) -> Client {
    Client::new(&format!("http://{addr}"))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_timeout(Duration::from_secs(30))
}

/// A `switchback serve` whose output goes through pipes, copied by this process into memory and
/// into a log file: the server itself writes no regular file but its store's. Killed when
/// dropped.
struct PipedServer {
    child: Option<Child>,
    addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

impl PipedServer {
    async fn start(data: &Path, log_path: &Path) -> PipedServer {
        let addr = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchback"))
            .arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(data)
            .env("SWITCHBACK_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start switchback serve: {e}"));
        let log = Arc::new(Mutex::new(String::new()));
        let file = std::fs::File::create(log_path)
            .map(|f| Arc::new(Mutex::new(f)))
            .unwrap_or_else(|e| panic!("create {}: {e}", log_path.display()));
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let (log, file) = (log.clone(), file.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Ok(mut f) = file.lock() {
                        let _ = writeln!(f, "{line}");
                    }
                    if let Ok(mut l) = log.lock() {
                        l.push_str(&line);
                        l.push('\n');
                    }
                }
            });
        }
        let server = PipedServer {
            child: Some(child),
            addr,
            log,
        };
        server.wait_ready(log_path).await;
        server
    }

    async fn wait_ready(&self, log_path: &Path) {
        let deadline = Instant::now() + READY_LIMIT;
        let client = api_client(self.addr).with_timeout(Duration::from_secs(2));
        loop {
            if client.call("ListStateMachines", &json!({})).await.is_ok() {
                return;
            }
            assert!(
                self.alive(),
                "switchback serve exited before answering ({})\n{}",
                log_path.display(),
                self.log_tail()
            );
            assert!(
                Instant::now() < deadline,
                "switchback serve did not answer within {READY_LIMIT:?}\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn pid(&self) -> libc::pid_t {
        let id = self.child.as_ref().map_or(0, Child::id);
        libc::pid_t::try_from(id).unwrap_or_else(|_| panic!("pid {id} out of range"))
    }

    fn alive(&self) -> bool {
        // SAFETY: signal 0 only checks that the process exists.
        self.child.is_some() && unsafe { libc::kill(self.pid(), 0) } == 0 && !self.exited()
    }

    fn exited(&self) -> bool {
        // `try_wait` needs `&mut`; a zombie (exited, not reaped) still answers signal 0.
        let Ok(status) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())) else {
            return true;
        };
        status
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn log_tail(&self) -> String {
        let text = self.log();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        format!("--- server output (last 40 lines) ---\n{tail}")
    }

    /// Kills the server with SIGKILL.
    fn kill(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PipedServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
