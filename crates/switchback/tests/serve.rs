//! `switchback serve` as a process: startup, configuration (flags, `SWITCHBACK_*` variables,
//! `switchback.toml`), clean stop on SIGTERM, durability across a restart, and the errors a
//! user meets first (busy port, busy data directory, unknown configuration key).
//!
//! The requests are plain HTTP/1.1 over `std::net::TcpStream`, as the AWS SDKs send them
//! (`POST /`, `X-Amz-Target: AWSStepFunctions.<Action>`, `application/x-amz-json-1.0`).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_switchback");
/// How long a server may take to answer `GET /healthz`.
const READY_LIMIT: Duration = Duration::from_secs(15);
/// How long a server may take to exit after SIGTERM.
const STOP_LIMIT: Duration = Duration::from_secs(5);
const ROLE: &str = "arn:aws:iam::123456789012:role/any";

/// A free port on 127.0.0.1 (the listener is closed at once; the kernel does not hand the
/// same port out again right away).
fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address")
}

/// `switchback serve ARGS` in `cwd`, with no `SWITCHBACK_*` variable but `env`, and its
/// output in a file.
fn command(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command.arg("serve").args(args).current_dir(cwd);
    for (name, _) in std::env::vars() {
        if name.starts_with("SWITCHBACK_") {
            command.env_remove(name);
        }
    }
    command.env("SWITCHBACK_LOG", "info").env("NO_COLOR", "1");
    for (name, value) in env {
        command.env(name, value);
    }
    command.stdin(Stdio::null());
    command
}

/// A running `switchback serve`, killed (SIGKILL) if still running when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    /// Starts the server and waits until `GET /healthz` on `addr` answers 200.
    fn start(cwd: &Path, addr: SocketAddr, args: &[&str], env: &[(&str, &str)]) -> Server {
        let log = cwd.join(format!("server-{}.log", addr.port()));
        let out = std::fs::File::create(&log).expect("create the log file");
        let child = command(cwd, args, env)
            .stdout(out.try_clone().expect("clone the log file"))
            .stderr(out)
            .spawn()
            .expect("start switchback serve");
        let mut server = Server { child, addr, log };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_LIMIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the server") {
                panic!(
                    "switchback serve exited ({status}) before answering GET /healthz\n{}",
                    self.log()
                );
            }
            if let Ok((200, body)) = try_http(self.addr, "GET", "/healthz", &[], "") {
                assert_eq!(body, "ok");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no answer on {} within {READY_LIMIT:?}\n{}",
                self.addr,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Calls an action and returns the HTTP status and the JSON answer.
    fn call(&self, action: &str, body: Value) -> (u16, Value) {
        call(self.addr, action, body)
    }

    /// Sends SIGTERM and waits for the exit; returns the status and how long it took.
    fn terminate(&mut self) -> (ExitStatus, Duration) {
        let started = Instant::now();
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let status = wait_exit(&mut self.child, STOP_LIMIT).unwrap_or_else(|| {
            panic!(
                "switchback serve did not exit within {STOP_LIMIT:?} of SIGTERM\n{}",
                self.log()
            )
        });
        (status, started.elapsed())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits at most `limit` for `child` to exit.
fn wait_exit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("poll the child") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `switchback serve ARGS` that is expected to fail at startup: its exit code and
/// standard error.
fn fails(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut child = command(cwd, args, env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start switchback serve");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = wait_exit(&mut child, STOP_LIMIT).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("switchback serve {args:?} kept running\n{stderr}")
    });
    (status.code(), stderr)
}

/// One HTTP/1.1 request on a fresh connection: the status and the body.
fn try_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    // `Host: ADDR` unless the caller gives its own.
    let mut request = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {addr}\r\n"));
    }
    request.push_str(&format!(
        "Connection: close\r\nContent-Length: {}\r\n",
        body.len()
    ));
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no end of headers in {answer:?}")))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {head:?}")))?;
    Ok((status, body.to_string()))
}

/// Calls `AWSStepFunctions.<action>` with a JSON body.
fn call(addr: SocketAddr, action: &str, body: Value) -> (u16, Value) {
    let target = format!("AWSStepFunctions.{action}");
    let (status, text) = try_http(
        addr,
        "POST",
        "/",
        &[
            ("X-Amz-Target", &target),
            ("Content-Type", "application/x-amz-json-1.0"),
        ],
        &body.to_string(),
    )
    .unwrap_or_else(|e| panic!("{action} on {addr}: {e}"));
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{action}: answer is not JSON ({e}): {text}"));
    (status, value)
}

fn hello_definition() -> String {
    json!({
        "StartAt": "Hello",
        "States": { "Hello": { "Type": "Pass", "Result": "world", "End": true } }
    })
    .to_string()
}

/// Creates the state machine `name` and returns its ARN.
fn create_machine(server: &Server, name: &str) -> String {
    let (status, body) = server.call(
        "CreateStateMachine",
        json!({ "name": name, "definition": hello_definition(), "roleArn": ROLE }),
    );
    assert_eq!(status, 200, "CreateStateMachine: {body}");
    body["stateMachineArn"]
        .as_str()
        .expect("stateMachineArn")
        .to_string()
}

/// The names ListStateMachines returns.
fn machine_names(server: &Server) -> Vec<String> {
    let (status, body) = server.call("ListStateMachines", json!({}));
    assert_eq!(status, 200, "ListStateMachines: {body}");
    body["stateMachines"]
        .as_array()
        .expect("stateMachines")
        .iter()
        .map(|m| m["name"].as_str().expect("name").to_string())
        .collect()
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("switchback-serve-test-")
        .tempdir()
        .expect("create a temporary directory")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn sigterm_stops_cleanly_and_the_data_survives_a_restart() {
    let dir = temp_dir();
    let data = dir.path().join("data");
    let data = path_str(&data);

    let addr = free_addr();
    let mut server = Server::start(
        dir.path(),
        addr,
        &["--listen", &addr.to_string(), "--data-dir", data],
        &[],
    );
    let arn = create_machine(&server, "hello");
    assert_eq!(
        arn,
        "arn:aws:states:us-east-1:123456789012:stateMachine:hello"
    );
    assert_eq!(machine_names(&server), ["hello"]);
    // An idle keep-alive connection, as an SDK's pool keeps, must not hold up the stop.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 512];
    while !answer.ends_with(b"\r\n\r\nok") {
        let n = idle.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed before the answer");
        answer.extend_from_slice(&buf[..n]);
    }
    let (status, took) = server.terminate();
    assert_eq!(
        status.code(),
        Some(0),
        "exit after SIGTERM\n{}",
        server.log()
    );
    // Held up by the idle connection, the stop would wait for the 30-second drain limit; half
    // of it tells the two apart with room for a busy machine.
    assert!(took < Duration::from_secs(15), "stopping took {took:?}");
    // The server closed the idle connection.
    assert_eq!(idle.read(&mut buf).unwrap_or(0), 0);
    let log = server.log();
    assert!(
        log.contains(&format!(
            "switchback: serving the Step Functions API and the console on http://{addr} (data: {data})"
        )),
        "{log}"
    );
    assert!(log.contains("listening"), "{log}");
    assert!(log.contains("executions_resumed=0"), "{log}");
    assert!(log.contains("switchback: stopped"), "{log}");
    assert!(Path::new(data).join("switchback.db").is_file());

    // Same directory, another port: the state machine is still there.
    let addr = free_addr();
    let mut again = Server::start(
        dir.path(),
        addr,
        &["--listen", &addr.to_string(), "--data-dir", data],
        &[],
    );
    assert_eq!(machine_names(&again), ["hello"]);
    let (status, _) = again.terminate();
    assert_eq!(status.code(), Some(0), "{}", again.log());
}

#[test]
fn sigterm_lets_a_request_in_flight_finish() {
    let dir = temp_dir();
    let addr = free_addr();
    let mut server = Server::start(
        dir.path(),
        addr,
        &["--listen", &addr.to_string(), "--in-memory"],
        &[],
    );
    let definition = json!({
        "StartAt": "Nap",
        "States": {
            "Nap": { "Type": "Wait", "Seconds": 1, "Next": "Done" },
            "Done": { "Type": "Pass", "Result": { "rested": true }, "End": true }
        }
    });
    let (status, body) = server.call(
        "CreateStateMachine",
        json!({ "name": "napper", "definition": definition.to_string(), "roleArn": ROLE, "type": "EXPRESS" }),
    );
    assert_eq!(status, 200, "{body}");
    let arn = body["stateMachineArn"].as_str().unwrap().to_string();

    let in_flight = std::thread::spawn(move || {
        call(
            addr,
            "StartSyncExecution",
            json!({ "stateMachineArn": arn, "input": "{}" }),
        )
    });
    // The execution is now in its one-second Wait.
    std::thread::sleep(Duration::from_millis(300));
    let (exit, took) = server.terminate();
    // The server waited for the execution's Wait to end before exiting.
    assert!(took >= Duration::from_millis(500), "exited after {took:?}");
    let (status, body) = in_flight.join().expect("the request thread");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "SUCCEEDED", "{body}");
    assert_eq!(body["output"], r#"{"rested":true}"#, "{body}");
    assert_eq!(exit.code(), Some(0), "{}", server.log());
    // Once stopped, nothing answers.
    assert!(try_http(addr, "GET", "/healthz", &[], "").is_err());
}

#[test]
fn sigterm_answers_activity_long_polls_at_once() {
    let dir = temp_dir();
    let addr = free_addr();
    let mut server = Server::start(
        dir.path(),
        addr,
        &["--listen", &addr.to_string(), "--in-memory"],
        &[],
    );
    let (status, body) = server.call("CreateActivity", json!({ "name": "idle" }));
    assert_eq!(status, 200, "{body}");
    let arn = body["activityArn"].as_str().unwrap_or_default().to_string();
    // No task will come: the poll would wait AWS's 60 seconds.
    let poll = std::thread::spawn(move || {
        call(
            addr,
            "GetActivityTask",
            json!({ "activityArn": arn, "workerName": "idle-worker" }),
        )
    });
    // Time for the poll to reach the server (nothing outside shows it waiting; generous for a
    // loaded machine: the poll itself would wait 60 s).
    std::thread::sleep(Duration::from_secs(1));
    // `terminate` fails the test unless the server exits within STOP_LIMIT (5 s): the poll
    // must not hold up the drain.
    let (exit, _took) = server.terminate();
    let (status, body) = poll.join().expect("the poll thread");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("taskToken")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty(),
        "an empty task, as when the poll's wait runs out: {body}"
    );
    assert_eq!(exit.code(), Some(0), "{}", server.log());
}

#[test]
fn the_configuration_file_in_the_working_directory_is_read() {
    let dir = temp_dir();
    let addr = free_addr();
    std::fs::write(
        dir.path().join("switchback.toml"),
        format!(
            "# switchback serve settings\nlisten = \"{addr}\"\ndata_dir = \"state\"\nregion = \"eu-west-3\"\naccount_id = \"000000000000\"\nfsync = \"off\"\nworkers = 1\n"
        ),
    )
    .unwrap();
    let mut server = Server::start(dir.path(), addr, &[], &[]);
    let arn = create_machine(&server, "from-file");
    assert_eq!(
        arn,
        "arn:aws:states:eu-west-3:000000000000:stateMachine:from-file"
    );
    assert!(dir.path().join("state").join("switchback.db").is_file());
    assert!(!dir.path().join(".switchback").exists());
    let (status, _) = server.terminate();
    assert_eq!(status.code(), Some(0), "{}", server.log());
}

#[test]
fn a_flag_beats_a_variable_which_beats_the_file() {
    let dir = temp_dir();
    let (from_file, from_env, from_flag) = (free_addr(), free_addr(), free_addr());
    std::fs::write(
        dir.path().join("custom.toml"),
        format!("listen = \"{from_file}\"\nin_memory = true\n"),
    )
    .unwrap();
    let env_listen = from_env.to_string();
    let env = [
        ("SWITCHBACK_CONFIG", "custom.toml"),
        ("SWITCHBACK_LISTEN", env_listen.as_str()),
    ];

    // The variable beats the file.
    let mut server = Server::start(dir.path(), from_env, &[], &env);
    assert!(try_http(from_file, "GET", "/healthz", &[], "").is_err());
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());

    // The flag beats the variable.
    let mut server = Server::start(
        dir.path(),
        from_flag,
        &["--listen", &from_flag.to_string()],
        &env,
    );
    assert!(try_http(from_env, "GET", "/healthz", &[], "").is_err());
    // `in_memory = true` came from the file: no data directory.
    assert!(!dir.path().join(".switchback").exists());
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());
}

#[test]
fn an_unknown_configuration_key_is_named_and_refused() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("switchback.toml"),
        "listen = \"127.0.0.1:1\"\nlisten_port = 9000\n",
    )
    .unwrap();
    let (code, stderr) = fails(dir.path(), &[], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("listen_port"), "{stderr}");
    assert!(stderr.contains("switchback.toml"), "{stderr}");
    assert!(!dir.path().join(".switchback").exists());

    // A configuration file named but missing is an error too.
    let (code, stderr) = fails(dir.path(), &["--config", "missing.toml"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("missing.toml"), "{stderr}");
}

#[test]
fn in_memory_leaves_no_data_behind() {
    let dir = temp_dir();
    let cwd = dir.path().join("cwd");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&cwd).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let addr = free_addr();
    let mut server = Server::start(
        &cwd,
        addr,
        &["--listen", &addr.to_string(), "--in-memory"],
        &[("TMPDIR", path_str(&tmp))],
    );
    create_machine(&server, "ephemeral");
    assert_eq!(machine_names(&server), ["ephemeral"]);
    assert!(server.log().contains("(data: in memory, not persisted)"));
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());

    let left: Vec<_> = std::fs::read_dir(&cwd)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| !n.to_string_lossy().ends_with(".log"))
        .collect();
    assert!(left.is_empty(), "left in the working directory: {left:?}");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
}

#[test]
fn a_busy_port_and_a_busy_data_directory_are_explained() {
    let dir = temp_dir();
    let data = dir.path().join("data");
    let data = path_str(&data);

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap().to_string();
    let (code, stderr) = fails(
        dir.path(),
        &["--listen", &taken_addr, "--data-dir", data],
        &[],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("in use: pass --listen to choose another port"),
        "{stderr}"
    );
    drop(taken);

    let addr = free_addr();
    let mut server = Server::start(
        dir.path(),
        addr,
        &["--listen", &addr.to_string(), "--data-dir", data],
        &[],
    );
    let other = free_addr().to_string();
    let (code, stderr) = fails(dir.path(), &["--listen", &other, "--data-dir", data], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(data), "{stderr}");
    assert!(
        stderr.contains(&format!("pid {}", server.child.id())),
        "{stderr}"
    );
    assert!(stderr.contains("--data-dir"), "{stderr}");
    // The first server is unharmed.
    assert_eq!(machine_names(&server), Vec::<String>::new());
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());
}

/// The data directory is this user's only (0700), and so are the server's files in it
/// (0600): the database holds every workflow's inputs and outputs.
#[cfg(unix)]
#[test]
fn the_data_directory_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let data = dir.path().join("nested").join("data");
    let addr = free_addr();
    let mut server = Server::start(
        dir.path(),
        addr,
        &["--listen", &addr.to_string(), "--data-dir", path_str(&data)],
        &[],
    );
    create_machine(&server, "private");
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&data), 0o700, "the data directory");
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&data).expect("read the data directory") {
        let entry = entry.expect("an entry");
        let name = entry.file_name().to_string_lossy().to_string();
        assert_eq!(mode(&entry.path()), 0o600, "{name}");
        seen.push(name);
    }
    seen.sort();
    for expected in ["switchback.db", "switchback.lock"] {
        assert!(seen.iter().any(|n| n == expected), "{seen:?}");
    }
    // While the server runs, SQLite's WAL is there too, and private.
    assert!(seen.iter().any(|n| n == "switchback.db-wal"), "{seen:?}");
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());

    // Files left readable by an older server are made private at the next start.
    let db = data.join("switchback.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let addr = free_addr();
    let mut server = Server::start(
        dir.path(),
        addr,
        &["--listen", &addr.to_string(), "--data-dir", path_str(&data)],
        &[],
    );
    assert_eq!(mode(&db), 0o600);
    assert_eq!(machine_names(&server), ["private"]);
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());
}

/// DNS rebinding through the real server: a foreign `Host` is refused on the API and the
/// console; `--allowed-hosts` (or `SWITCHBACK_ALLOWED_HOSTS`) adds names.
#[test]
fn a_foreign_host_is_refused_and_allowed_hosts_are_served() {
    let dir = temp_dir();
    let addr = free_addr();
    let mut server = Server::start(
        dir.path(),
        addr,
        &[
            "--listen",
            &addr.to_string(),
            "--in-memory",
            "--allowed-hosts",
            "sfn.test.example,other.test.example:8443",
        ],
        &[],
    );
    let list = |host: &str| {
        try_http(
            addr,
            "POST",
            "/",
            &[
                ("Host", host),
                ("X-Amz-Target", "AWSStepFunctions.ListStateMachines"),
                ("Content-Type", "application/x-amz-json-1.0"),
            ],
            "{}",
        )
        .expect("an answer")
    };
    let port = addr.port();
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
        "other.test.example:8083".to_string(),
    ] {
        let (status, body) = list(&host);
        assert_eq!(status, 403, "{host}: {body}");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(
            body["__type"], "com.amazon.coral.service#AccessDeniedException",
            "{host}"
        );
    }
    for host in [
        format!("localhost:{port}"),
        format!("sync-127.0.0.1:{port}"),
        "sfn.test.example".to_string(),
        "sync-sfn.test.example:443".to_string(),
        "other.test.example:8443".to_string(),
    ] {
        let (status, body) = list(&host);
        assert_eq!(status, 200, "{host}: {body}");
    }
    // The console too.
    let (status, _) = try_http(addr, "GET", "/", &[("Host", "evil.example")], "").expect("answer");
    assert_eq!(status, 403);
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());

    // The variable, comma-separated.
    let addr = free_addr();
    let mut server = Server::start(
        dir.path(),
        addr,
        &["--listen", &addr.to_string(), "--in-memory"],
        &[("SWITCHBACK_ALLOWED_HOSTS", "a.test.example, b.test.example")],
    );
    for host in ["a.test.example", "b.test.example"] {
        let (status, body) = try_http(
            addr,
            "POST",
            "/",
            &[
                ("Host", host),
                ("X-Amz-Target", "AWSStepFunctions.ListStateMachines"),
            ],
            "{}",
        )
        .expect("an answer");
        assert_eq!(status, 200, "{host}: {body}");
    }
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());
}

/// Without `[auth]`, a server that listens beyond the loopback says loudly that anyone can
/// run workflows; with `[auth]` an unsigned request gets AWS's error.
#[test]
fn auth_from_the_file_and_the_warning_without_it() {
    let dir = temp_dir();
    let addr = free_addr();
    let everywhere = format!("0.0.0.0:{}", addr.port());
    let mut server = Server::start(
        dir.path(),
        addr,
        &["--listen", &everywhere, "--in-memory"],
        &[],
    );
    let log = server.log();
    assert!(
        log.contains("switchback: WARNING: listening on 0.0.0.0") && log.contains("[auth]"),
        "{log}"
    );
    assert!(log.contains("WARN"), "no tracing warning: {log}");
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());

    let addr = free_addr();
    std::fs::write(
        dir.path().join("switchback.toml"),
        format!(
            "listen = \"{addr}\"\nin_memory = true\n[auth]\n[[auth.keys]]\naccess_key_id = \"AKIATEST\"\nsecret_access_key = \"s3cret\"\n"
        ),
    )
    .expect("write the configuration");
    let mut server = Server::start(dir.path(), addr, &[], &[]);
    assert!(!server.log().contains("WARNING"), "{}", server.log());
    let (status, body) = server.call("ListStateMachines", json!({}));
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body,
        json!({
            "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
            "message": "Missing Authentication Token",
        })
    );
    assert_eq!(server.terminate().0.code(), Some(0), "{}", server.log());

    // An [auth] without keys is a mistake, named.
    std::fs::write(
        dir.path().join("switchback.toml"),
        "in_memory = true\n[auth]\n",
    )
    .expect("write the configuration");
    let (code, stderr) = fails(dir.path(), &[], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("[auth]"), "{stderr}");
}
