//! moto in server mode as the AWS-compatible peer of the tests that call AWS services, and
//! boto3 to set up and check what landed in it.
//!
//! - `moto_server`: env `SWITCHBACK_MOTO_SERVER` (a path), else `moto_server` on `PATH`;
//! - Python with boto3: env `SWITCHBACK_PYTHON`, else `python3`.
//!
//! When one is missing, [`tools`] prints `SKIPPED: ...` to stderr and returns `None` (the test
//! then passes without running), except on CI (`CI` set), where the test fails: `.ci/run`
//! installs both.
//!
//! [`Moto::start`] runs `moto_server -H 127.0.0.1 -p PORT` on a free loopback port, waits
//! until it answers, and kills it when dropped. Every test uses its own moto, so the
//! resources of one test never meet another's.

#![allow(dead_code)]

use std::ffi::OsString;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long moto may take to answer its first request.
const READY_LIMIT: Duration = Duration::from_secs(60);

/// The fake credentials the tests sign with (moto accepts any).
pub const ACCESS_KEY_ID: &str = "testing";
pub const SECRET_ACCESS_KEY: &str = "testing";
pub const REGION: &str = "us-east-1";

/// What the tests need from the machine.
#[derive(Debug, Clone)]
pub struct Tools {
    pub moto_server: PathBuf,
    pub python: OsString,
}

/// Fails on CI, else prints `SKIPPED: ...`.
fn skip(test: &str, why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {why}: required on CI (.ci/run installs moto and boto3)"
    );
    let _ = writeln!(std::io::stderr(), "SKIPPED: {test}: {why}");
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// moto and a Python with boto3, or `None` (after skipping, see the module docs).
pub fn tools(test: &str) -> Option<Tools> {
    let moto_server = match std::env::var_os("SWITCHBACK_MOTO_SERVER").filter(|p| !p.is_empty()) {
        Some(p) => {
            let p = PathBuf::from(p);
            if !p.is_file() {
                skip(
                    test,
                    &format!("SWITCHBACK_MOTO_SERVER={} is not a file", p.display()),
                );
                return None;
            }
            p
        }
        None => match find_on_path("moto_server") {
            Some(p) => p,
            None => {
                skip(
                    test,
                    "no moto_server (pip install \"moto[server]\", or set SWITCHBACK_MOTO_SERVER)",
                );
                return None;
            }
        },
    };
    let python = std::env::var_os("SWITCHBACK_PYTHON")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".into());
    let has_boto3 = Command::new(&python)
        .args(["-c", "import boto3"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_boto3 {
        skip(
            test,
            &format!(
                "{} cannot import boto3 (pip install boto3, or set SWITCHBACK_PYTHON)",
                python.to_string_lossy()
            ),
        );
        return None;
    }
    Some(Tools {
        moto_server,
        python,
    })
}

/// A `moto_server` process, killed when dropped.
pub struct Moto {
    child: Child,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    python: OsString,
}

impl Moto {
    /// Starts moto on a free loopback port and waits until it answers.
    pub fn start(tools: &Tools) -> Moto {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap_or_else(|e| panic!("no free loopback port: {e}"));
        let child = Command::new(&tools.moto_server)
            .args(["-H", "127.0.0.1", "-p", &addr.port().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tools.moto_server.display()));
        let mut moto = Moto {
            child,
            addr,
            url: format!("http://{addr}"),
            python: tools.python.clone(),
        };
        let deadline = Instant::now() + READY_LIMIT;
        while !answers(addr) {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto_server exited ({status}) before answering");
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer within {READY_LIMIT:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Runs `script` with boto3 against this moto and returns what it prints as JSON. The
    /// script has `sqs`, `dynamodb`, `events`, `sns`, `s3`, `secretsmanager`, `iam`, `ec2`, `lambda_` (boto3 clients), `json`, `ENDPOINT` (moto's URL)
    /// and `ARGS` (the JSON value `args`) at hand; it sets `result` to a JSON-serialisable
    /// value.
    pub fn boto3(&self, script: &str, args: &Value) -> Value {
        boto3(&self.python, &self.url, script, args)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a boto3 script against `endpoint` (see [`Moto::boto3`]); panics with its stderr when
/// it fails.
pub fn boto3(python: &OsString, endpoint: &str, script: &str, args: &Value) -> Value {
    let program = format!(
        "import json, sys, boto3\n\
         ENDPOINT = {endpoint:?}\n\
         ARGS = json.loads(sys.stdin.read())\n\
         def client(name, endpoint_url=ENDPOINT):\n\
         \x20   return boto3.client(name, endpoint_url=endpoint_url, region_name={REGION:?},\n\
         \x20       aws_access_key_id={ACCESS_KEY_ID:?}, aws_secret_access_key={SECRET_ACCESS_KEY:?})\n\
         sqs = client('sqs')\n\
         dynamodb = client('dynamodb')\n\
         events = client('events')\n\
         sns = client('sns')\n\
         s3 = client('s3')\n\
         secretsmanager = client('secretsmanager')\n\
         iam = client('iam')\n\
         ec2 = client('ec2')\n\
         lambda_ = client('lambda')\n\
         result = None\n\
         {script}\n\
         print(json.dumps(result))\n"
    );
    let mut child = Command::new(python)
        .args(["-c", &program])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.to_string_lossy()));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(args.to_string().as_bytes())
        .expect("write the script's arguments");
    let output = child.wait_with_output().expect("the boto3 script");
    assert!(
        output.status.success(),
        "the boto3 script failed ({}):\n{script}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the boto3 script printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Whether something answers HTTP on `addr`.
fn answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /moto-api/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}
