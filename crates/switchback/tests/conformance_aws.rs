//! The AWS-recorded cases that call other AWS services (SQS, SNS, DynamoDB, EventBridge, S3,
//! Secrets Manager, Step Functions), run through the real `switchback serve` against moto, with
//! a ratchet.
//!
//! The cases and their runner are `../shared/conformance/aws-services/` (`cases/`,
//! `run_setup.py`; see its README): for each case the runner makes the setup calls with boto3
//! (queues, topics, tables, buckets, helper state machines), runs the execution through the
//! Step Functions API, scores its outcome and history with the corpus's `run.py` rules, makes the
//! verify calls (what landed in the services) and cleans up. This test gives it a fresh moto
//! (`moto_server` in server mode on a free loopback port, started by `support/moto.rs` as for
//! the other tests against moto) as the AWS endpoint and a fresh
//! `switchback serve` (the binary, with its own data directory) as the Step Functions endpoint,
//! reads its JSON report, prints a table per category (outcome, history, verify) and fails when a
//! case listed as passing in `conformance-aws-baseline.json` (beside this file) no longer passes,
//! by outcome, by history and by verify separately.
//!
//! The server reaches moto through the standard AWS variables (`AWS_ENDPOINT_URL`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`; the rest of the caller's `AWS_*`
//! is removed, and `~/.aws` is out of reach) and through `[aws] endpoint_url` in a
//! `switchback.toml` given with `--config`. `aws-sdk:sfn:*` calls go to the server itself
//! (`AWS_ENDPOINT_URL_SFN`, `[aws.services.sfn]`): the helper state machines the cases start
//! are created there, as the runner sends every `stepfunctions` setup call to the endpoint under
//! test. A server that does not know these keys yet refuses the file; the test then starts it
//! with fewer keys, down to the environment alone, and says so in its table.
//!
//! Environment:
//! - `SWITCHBACK_UPDATE_AWS_BASELINE=1`: rewrite `conformance-aws-baseline.json` from this run
//!   (every case that passes now is listed as passing), then check against it. Do this when
//!   cases start to pass, and commit the file; it can only be written from a whole run.
//! - `SWITCHBACK_MOTO_SERVER`: the `moto_server` program [default: `moto_server` on `PATH`].
//! - `SWITCHBACK_PYTHON`: a Python with boto3 for the runner [default: `python3`].
//! - `SWITCHBACK_AWS_CONFORMANCE_DIR`: the corpus's folder [default:
//!   `../shared/conformance/aws-services` beside the repository].
//! - `SWITCHBACK_AWS_CONFORMANCE_FILTER`: only the cases whose id contains this (no ratchet).
//! - `SWITCHBACK_AWS_CONFORMANCE_WORKERS`: cases in flight at once [default: 4].
//!
//! Without moto, boto3 or the corpus the test prints `SKIPPED: ...` and passes, except on CI
//! (`CI` set), where it fails. `.ci/run` installs moto and boto3 into `target/ci-venv` and
//! exports the two variables.
//!
//! Runtime (68 cases, 2 cores, debug build): about 35 s with 4 workers, 135 s with 1, and the
//! same results either way (checked case by case, also with moto as both endpoints). Most of
//! it is the runner waiting, up to 30 s a case, for SQS messages that a failing execution never
//! sent, so it shrinks as cases pass; each case has its own queues, topics, tables and buckets.
//! Deadlines are generous (an execution may run 120 s, the whole run 20 minutes) so that a
//! loaded machine changes the time, not the results. The table is also written to
//! `target/tmp/conformance-aws-table.txt`, which `.ci/run` shows after the tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/moto.rs"]
mod moto;
use moto::Moto;

/// Cases in flight at once: most of a case's time is spent waiting (for moto, for SQS
/// messages), so a few overlap well even on 2 cores.
const DEFAULT_WORKERS: usize = 4;
/// The longest one execution may run before the runner stops it (`--timeout`).
const EXECUTION_TIMEOUT_SECS: u32 = 120;
/// The longest the whole run may take before it is killed.
const RUN_LIMIT: Duration = Duration::from_secs(20 * 60);
/// How long the server may take to answer its first request.
const READY_LIMIT: Duration = Duration::from_secs(120);

/// Rewrites the baseline from this run.
const UPDATE_VAR: &str = "SWITCHBACK_UPDATE_AWS_BASELINE";

fn baseline_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-aws-baseline.json")
}

/// Where the table is written for `.ci/run`.
fn table_path() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-aws-table.txt")
}

/// Fails on CI, else prints `SKIPPED: ...` (the caller then returns).
fn skip(why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "conformance_aws: {why}: required on CI"
    );
    let _ = writeln!(std::io::stderr(), "SKIPPED: conformance_aws: {why}");
}

/// The corpus's folder (with `run_setup.py` and `cases/`), or `None` (after [`skip`]).
fn corpus() -> Option<PathBuf> {
    let corpus = std::env::var_os("SWITCHBACK_AWS_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/aws-services")
        });
    if !corpus.join("run_setup.py").is_file() || !corpus.join("cases").is_dir() {
        skip(&format!(
            "no run_setup.py and cases/ in {} (is ../shared beside the repository?)",
            corpus.display()
        ));
        return None;
    }
    Some(corpus)
}

/// A temporary directory, removed when the test passes and kept (with a note of where) when it
/// fails, so that the logs of the server and the runner can be read.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let p =
            std::env::temp_dir().join(format!("switchback-conformance-aws-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("mkdir {}: {e}", p.display()));
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("conformance_aws: kept {} for inspection", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A child process with its log, killed when dropped, so that a failing test leaves nothing
/// behind.
struct Process {
    child: Child,
    log: PathBuf,
}

impl Process {
    fn log_tail(&self) -> String {
        log_tail(&self.log)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(40)..].join("\n");
    format!("--- {} (last 40 lines) ---\n{tail}", log.display())
}

/// A loopback address whose port was free a moment ago.
fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
}

/// The status line of `GET path`, if anything answered.
fn http_get(addr: SocketAddr, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 32];
    let n = stream.read(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]).into_owned();
    text.starts_with("HTTP/1.").then_some(text)
}

/// Waits until `GET path` on `addr` answers 200; panics past [`READY_LIMIT`], and returns why
/// (with the process's log) when the process exits first.
fn wait_ready(p: &mut Process, addr: SocketAddr, path: &str, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + READY_LIMIT;
    loop {
        if let Some(status) = http_get(addr, path) {
            if status.starts_with("HTTP/1.1 200") || status.starts_with("HTTP/1.0 200") {
                return Ok(());
            }
        }
        if let Ok(Some(status)) = p.child.try_wait() {
            return Err(format!(
                "{what} exited ({status}) before answering GET {path}\n{}",
                p.log_tail()
            ));
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not answer GET {path} with 200 within {READY_LIMIT:?}\n{}",
            p.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Removes the caller's AWS settings (profiles, keys, endpoints, `~/.aws`) from a command's
/// environment, so that the run depends on nothing but what this test gives it.
fn isolate_aws(cmd: &mut Command, dir: &Path) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true");
}

/// The configuration files tried in turn, each with what it says for the table: the first the
/// server accepts is used.
fn configs(moto: SocketAddr, server: SocketAddr) -> Vec<(Option<String>, &'static str)> {
    let aws = format!("[aws]\nendpoint_url = \"http://{moto}\"\n");
    let sfn = format!("\n[aws.services.sfn]\nendpoint_url = \"http://{server}\"\n");
    vec![
        (
            Some(format!("{aws}{sfn}")),
            "switchback.toml [aws] and [aws.services.sfn] endpoint_url, and the AWS_* variables",
        ),
        (
            Some(aws),
            "switchback.toml [aws] endpoint_url (this server refuses [aws.services.sfn]), \
             and the AWS_* variables",
        ),
        // Until the server knows `[aws]`: the standard environment variables alone.
        (
            None,
            "the AWS_* variables only (this server refuses [aws] in switchback.toml)",
        ),
    ]
}

/// A fresh `switchback serve` with its own data directory, whose AWS calls go to moto; also
/// says how its endpoint was configured.
fn start_server(dir: &Path, moto: SocketAddr) -> (Process, SocketAddr, &'static str) {
    let addr = free_port();
    let mut refused = String::new();
    for (attempt, (config, how)) in configs(moto, addr).into_iter().enumerate() {
        let log = dir.join(format!("server-{attempt}.log"));
        let out = std::fs::File::create(&log).expect("create the server's log");
        let err = out.try_clone().expect("clone the server's log");
        let data = dir.join(format!("data-{attempt}"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchback"));
        cmd.arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(&data)
            .args(["--fsync", "off"]);
        let file_name = format!("switchback-{attempt}.toml");
        if let Some(text) = &config {
            let file = dir.join(&file_name);
            std::fs::write(&file, text).expect("write switchback.toml");
            cmd.arg("--config").arg(&file);
        }
        // The caller's SWITCHBACK_* (and the mock configuration's variable) would configure
        // this server too.
        for (key, _) in std::env::vars_os() {
            let key_text = key.to_string_lossy();
            if key_text.starts_with("SWITCHBACK_") || key_text == "SFN_MOCK_CONFIG" {
                cmd.env_remove(&key);
            }
        }
        isolate_aws(&mut cmd, dir);
        cmd.env("AWS_ENDPOINT_URL", format!("http://{moto}"))
            .env("AWS_ENDPOINT_URL_SFN", format!("http://{addr}"))
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            // No ./switchback.toml of the caller's is read when there is no --config.
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start switchback serve: {e}"));
        let mut server = Process { child, log };
        match wait_ready(&mut server, addr, "/healthz", "switchback serve") {
            Ok(()) => return (server, addr, how),
            // The file refused (its error names it: an unknown key, most likely): the next,
            // smaller configuration.
            Err(why) if config.is_some() && why.contains(&file_name) => {
                eprintln!("conformance_aws: the server refused a configuration:\n{why}");
                let _ = writeln!(refused, "{why}");
            }
            Err(why) => panic!("{refused}{why}"),
        }
    }
    panic!("switchback serve refused every configuration:\n{refused}");
}

/// One case's result, as the runner reports it.
struct CaseResult {
    id: String,
    category: String,
    outcome: bool,
    history: Option<bool>,
    verify: Option<bool>,
    detail: String,
}

fn parse_report(report: &Value) -> Vec<CaseResult> {
    let cases = report["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("the runner's report has no cases: {report}"));
    let mut results: Vec<CaseResult> = cases
        .iter()
        .map(|c| {
            let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let details: Vec<String> = ["detail", "history_detail", "verify_detail"]
                .iter()
                .map(|k| text(k))
                .filter(|d| !d.is_empty())
                .collect();
            CaseResult {
                id: text("id"),
                category: text("category"),
                outcome: c["outcome"].as_bool().unwrap_or(false),
                history: c["history"].as_bool(),
                verify: c["verify"].as_bool(),
                detail: details.join(" | "),
            }
        })
        .collect();
    results.sort_by(|a, b| a.id.cmp(&b.id));
    results
}

/// Passes and totals of outcome, history (cases with one) and verify (cases with one).
#[derive(Default, Clone, Copy)]
struct Counts {
    outcome: (usize, usize),
    history: (usize, usize),
    verify: (usize, usize),
}

impl Counts {
    fn add(&mut self, r: &CaseResult) {
        self.outcome.0 += usize::from(r.outcome);
        self.outcome.1 += 1;
        if let Some(h) = r.history {
            self.history.0 += usize::from(h);
            self.history.1 += 1;
        }
        if let Some(v) = r.verify {
            self.verify.0 += usize::from(v);
            self.verify.1 += 1;
        }
    }
}

/// The table per category, as the other conformance tests print theirs, with a verify column.
fn table(results: &[CaseResult]) -> String {
    let mut per: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    for r in results {
        per.entry(&r.category).or_default().add(r);
        total.add(r);
    }
    let mut out = format!(
        "{:<36} {:>10} {:>10} {:>10}\n",
        "category", "outcome", "history", "verify"
    );
    let mut line = |name: &str, c: &Counts| {
        let f = |(p, n): (usize, usize)| format!("{p}/{n}");
        let _ = writeln!(
            out,
            "{name:<36} {:>10} {:>10} {:>10}",
            f(c.outcome),
            f(c.history),
            f(c.verify)
        );
    };
    for (cat, c) in &per {
        line(cat, c);
    }
    line("TOTAL", &total);
    out
}

/// The ids that pass by each measure.
struct Passing {
    outcome: BTreeSet<String>,
    history: BTreeSet<String>,
    verify: BTreeSet<String>,
}

impl Passing {
    fn of(results: &[CaseResult]) -> Passing {
        let ids = |pass: fn(&CaseResult) -> bool| {
            results
                .iter()
                .filter(|r| pass(r))
                .map(|r| r.id.clone())
                .collect()
        };
        Passing {
            outcome: ids(|r| r.outcome),
            history: ids(|r| r.history == Some(true)),
            verify: ids(|r| r.verify == Some(true)),
        }
    }

    fn read(baseline: &Value) -> Passing {
        let ids = |k: &str| -> BTreeSet<String> {
            baseline[k]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        Passing {
            outcome: ids("outcome_passing"),
            history: ids("history_passing"),
            verify: ids("verify_passing"),
        }
    }
}

fn write_baseline(results: &[CaseResult]) {
    let passing = Passing::of(results);
    let with_history = results.iter().filter(|r| r.history.is_some()).count();
    let with_verify = results.iter().filter(|r| r.verify.is_some()).count();
    let baseline = json!({
        "about": format!(
            "The AWS-services cases (../shared/conformance/aws-services) that pass through \
             switchback serve against moto: conformance_aws.rs fails when one of them no longer \
             passes. Written by `{UPDATE_VAR}=1 cargo test -p switchback --test \
             conformance_aws`."
        ),
        "cases": results.len(),
        "outcome_pass": format!("{}/{}", passing.outcome.len(), results.len()),
        "history_pass": format!("{}/{with_history}", passing.history.len()),
        "verify_pass": format!("{}/{with_verify}", passing.verify.len()),
        "outcome_passing": passing.outcome,
        "history_passing": passing.history,
        "verify_passing": passing.verify,
    });
    let text = serde_json::to_string_pretty(&baseline).expect("baseline as JSON");
    std::fs::write(baseline_path(), format!("{text}\n"))
        .unwrap_or_else(|e| panic!("write {}: {e}", baseline_path().display()));
}

/// The baseline's passing cases that do not pass now, by measure; and a note of the cases that
/// pass now beyond the baseline.
fn ratchet(results: &[CaseResult]) -> (Vec<String>, String) {
    let path = baseline_path();
    let baseline: Value = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display())),
        Err(_) => json!({}),
    };
    let known = Passing::read(&baseline);
    let now = Passing::of(results);
    let ran: BTreeSet<&str> = results.iter().map(|r| r.id.as_str()).collect();
    let mut regressed = Vec::new();
    let mut gained = 0;
    for (measure, was, is) in [
        ("outcome", &known.outcome, &now.outcome),
        ("history", &known.history, &now.history),
        ("verify", &known.verify, &now.verify),
    ] {
        for id in was.difference(is) {
            let why = if ran.contains(id.as_str()) {
                ""
            } else {
                ", not in this run (a case gone from the corpus?)"
            };
            regressed.push(format!("{id} ({measure}{why})"));
        }
        gained += is.difference(was).count();
    }
    let note = if gained > 0 {
        format!(
            "{gained} passes (outcome, history, verify) beyond {}: run with {UPDATE_VAR}=1 and \
             commit the file to keep them",
            path.display()
        )
    } else {
        String::new()
    };
    (regressed, note)
}

#[test]
fn aws_service_cases_through_the_server_against_moto() {
    let Some(corpus) = corpus() else {
        return;
    };
    let Some(tools) = moto::tools("conformance_aws") else {
        return;
    };
    let filter = std::env::var("SWITCHBACK_AWS_CONFORMANCE_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let update = std::env::var_os(UPDATE_VAR).is_some_and(|v| !v.is_empty() && v != "0");
    assert!(
        !(update && filter.is_some()),
        "{UPDATE_VAR} needs a whole run: unset SWITCHBACK_AWS_CONFORMANCE_FILTER"
    );
    let workers: usize = match std::env::var("SWITCHBACK_AWS_CONFORMANCE_WORKERS") {
        Ok(w) => w
            .parse()
            .ok()
            .filter(|w| *w > 0)
            .unwrap_or_else(|| panic!("SWITCHBACK_AWS_CONFORMANCE_WORKERS={w:?}: not a count")),
        Err(_) => DEFAULT_WORKERS,
    };
    let dir = TempDir::new();
    let started = Instant::now();
    let moto = Moto::start(&tools);
    let moto_addr = moto.addr;
    let (server, server_addr, how) = start_server(&dir.0, moto_addr);

    let report_path = dir.0.join("report.json");
    let runner_log = dir.0.join("runner.log");
    let out = std::fs::File::create(&runner_log).expect("create the runner's log");
    let err = out.try_clone().expect("clone the runner's log");
    let mut cmd = Command::new(&tools.python);
    cmd.arg("run_setup.py")
        .arg("--endpoint")
        .arg(format!("http://{server_addr}"))
        .arg("--aws-endpoint")
        .arg(format!("http://{moto_addr}"))
        .arg("--cases")
        .arg("cases")
        .arg("--timeout")
        .arg(EXECUTION_TIMEOUT_SECS.to_string())
        .arg("--workers")
        .arg(workers.to_string())
        .arg("--json-report")
        .arg(&report_path)
        .arg("-v");
    if let Some(f) = &filter {
        cmd.arg("--filter").arg(f);
    }
    isolate_aws(&mut cmd, &dir.0);
    // The corpus may be read-only: no __pycache__ beside run.py.
    cmd.current_dir(&corpus)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    let mut runner = Process {
        child: cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tools.python.to_string_lossy())),
        log: runner_log,
    };
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = runner.child.try_wait().expect("wait for the runner") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "run_setup.py still running after {RUN_LIMIT:?}\n{}\n{}",
            runner.log_tail(),
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let elapsed = started.elapsed();
    let report: Value = std::fs::read_to_string(&report_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| {
            panic!(
                "run_setup.py ({status}) wrote no report\n{}\n{}",
                runner.log_tail(),
                server.log_tail()
            )
        });
    drop(runner);
    drop(server);
    drop(moto);

    let results = parse_report(&report);
    assert!(
        !results.is_empty() || filter.is_some(),
        "run_setup.py ran no case"
    );
    if update {
        write_baseline(&results);
    }
    let mut text = table(&results);
    let _ = writeln!(
        text,
        "({} cases through switchback serve against moto in {:.1}s, {workers} at a time; \
         AWS endpoint: {how})",
        results.len(),
        elapsed.as_secs_f64()
    );
    let regressed = if filter.is_some() {
        let _ = writeln!(text, "(filtered run: no ratchet)");
        Vec::new()
    } else {
        let (regressed, note) = ratchet(&results);
        if update {
            let _ = writeln!(text, "baseline rewritten: {}", baseline_path().display());
        }
        if regressed.is_empty() {
            let _ = writeln!(
                text,
                "ratchet: every case passing in conformance-aws-baseline.json still passes"
            );
        } else {
            let _ = writeln!(
                text,
                "ratchet: {} passes of conformance-aws-baseline.json lost:",
                regressed.len()
            );
            for r in &regressed {
                let _ = writeln!(text, "  {r}");
            }
        }
        if !note.is_empty() {
            let _ = writeln!(text, "{note}");
        }
        regressed
    };
    print!("{text}");
    if let Some(parent) = table_path().parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(table_path(), &text);
    for r in &results {
        if !r.outcome || r.history == Some(false) || r.verify == Some(false) {
            println!(
                "FAIL {}: {}",
                r.id,
                r.detail.chars().take(400).collect::<String>()
            );
        }
    }
    assert!(
        regressed.is_empty(),
        "{} passes of {} lost (see above): {}",
        regressed.len(),
        baseline_path().display(),
        regressed.join(", ")
    );
}
