//! Bad requests over raw HTTP/1.1: each gets an AWS-shaped JSON error, and the connection
//! stays open for the next request.

mod common;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 connection to the server.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// The `Host` header sent: `localhost:PORT`, a name of this server.
    host: String,
}

/// A parsed response.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The error name after `#`, as the SDKs read it.
    fn error_code(&self) -> String {
        let t = self.json()["__type"].as_str().expect("__type").to_string();
        t.rsplit('#').next().unwrap_or_default().to_string()
    }
}

impl Conn {
    async fn open(server: &common::Server) -> Conn {
        Conn {
            stream: TcpStream::connect(server.addr).await.expect("connect"),
            buf: Vec::new(),
            host: format!("localhost:{}", server.addr.port()),
        }
    }

    /// Sends a request (with `Content-Length`) and reads its response.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        self.stream
            .write_all(head.as_bytes())
            .await
            .expect("write head");
        self.stream.write_all(body).await.expect("write body");
        self.read_response().await
    }

    /// Sends an action with the usual headers.
    async fn action(&mut self, action: &str, body: &[u8]) -> Response {
        let target = format!("AWSStepFunctions.{action}");
        self.send(
            "POST",
            "/",
            &[
                ("X-Amz-Target", &target),
                ("Content-Type", "application/x-amz-json-1.0"),
                ("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=00"),
            ],
            body,
        )
        .await
    }

    async fn fill(&mut self) {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..n]);
    }

    async fn read_response(&mut self) -> Response {
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            self.fill().await;
        };
        let head = String::from_utf8(self.buf[..head_end].to_vec()).expect("text head");
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .expect("content-length");
        self.buf.drain(..head_end + 4);
        while self.buf.len() < length {
            self.fill().await;
        }
        let body: Vec<u8> = self.buf.drain(..length).collect();
        Response {
            status,
            headers,
            body,
        }
    }

    /// Proves the connection still works: a valid request on it succeeds.
    async fn still_works(&mut self) {
        let r = self.action("ListStateMachines", b"{}").await;
        assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
        assert!(r.json()["stateMachines"].is_array());
    }
}

#[tokio::test]
async fn healthz_answers_ok() {
    let server = common::start().await;
    let mut c = Conn::open(&server).await;
    let r = c.send("GET", "/healthz", &[], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"ok");
    c.still_works().await;
}

#[tokio::test]
async fn malformed_json() {
    let server = common::start().await;
    let mut c = Conn::open(&server).await;
    for body in [&b"{"[..], b"{\"name\": }", b"\xff\xfe", b"not json"] {
        let r = c.action("ListStateMachines", body).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
        assert_eq!(r.error_code(), "SerializationException");
        assert_eq!(
            r.json()["__type"],
            "com.amazon.coral.service#SerializationException"
        );
        assert!(r.json()["message"].is_string());
        c.still_works().await;
    }
    // A body that is JSON but not an object.
    let r = c.action("ListStateMachines", b"[1, 2]").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "SerializationException");
    c.still_works().await;
}

#[tokio::test]
async fn unknown_action_and_missing_target() {
    let server = common::start().await;
    let mut c = Conn::open(&server).await;
    let r = c.action("MakeCoffee", b"{}").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "UnknownOperationException");
    c.still_works().await;

    let r = c
        .send("POST", "/", &[("Content-Type", "application/json")], b"{}")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "UnknownOperationException");
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("X-Amz-Target"));
    c.still_works().await;

    let r = c
        .send(
            "POST",
            "/",
            &[("X-Amz-Target", "DynamoDB_20120810.ListTables")],
            b"{}",
        )
        .await;
    assert_eq!(r.error_code(), "UnknownOperationException");
    c.still_works().await;

    let r = c.send("GET", "/nowhere", &[], b"").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.error_code(), "UnknownOperationException");
    c.still_works().await;
}

#[tokio::test]
async fn any_content_type_is_accepted() {
    let server = common::start().await;
    let mut c = Conn::open(&server).await;
    for content_type in [
        "application/json",
        "text/plain",
        "application/x-amz-json-1.1",
    ] {
        let r = c
            .send(
                "POST",
                "/",
                &[
                    ("X-Amz-Target", "AWSStepFunctions.ListStateMachines"),
                    ("Content-Type", content_type),
                ],
                b"{}",
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
        assert!(r.header("x-amzn-requestid").is_some());
    }
    // No body at all counts as {}.
    let r = c.action("ListStateMachines", b"").await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn oversized_body() {
    let server = common::start_with(switchback_api::ApiConfig {
        max_request_bytes: 64 * 1024,
        ..Default::default()
    })
    .await;
    let mut c = Conn::open(&server).await;
    let definition = "x".repeat(64 * 1024);
    let body = serde_json::json!({"definition": definition}).to_string();
    let r = c
        .action("ValidateStateMachineDefinition", body.as_bytes())
        .await;
    assert_eq!(r.status, 413);
    assert_eq!(r.error_code(), "RequestEntityTooLargeException");
    assert!(r.json()["message"].as_str().unwrap().contains("65536"));
    c.still_works().await;

    // The default limit is 1 MiB.
    let server = common::start().await;
    let mut c = Conn::open(&server).await;
    let body = vec![b' '; 1024 * 1024 + 1];
    let r = c.action("ListStateMachines", &body).await;
    assert_eq!(r.status, 413);
    c.still_works().await;
}

#[tokio::test]
async fn wrong_types_and_missing_members() {
    let server = common::start().await;
    let mut c = Conn::open(&server).await;
    let cases: &[(&str, &str, &str)] = &[
        (
            "ListStateMachines",
            r#"{"maxResults": "ten"}"#,
            "STRING_VALUE can not be converted to an Integer",
        ),
        (
            "ListStateMachines",
            r#"{"nextToken": 5}"#,
            "NUMBER_VALUE can not be converted to String",
        ),
        (
            "CreateStateMachine",
            r#"{"name": {}, "definition": "{}", "roleArn": "r"}"#,
            "Start of structure or map found where not expected.",
        ),
        (
            "CreateStateMachine",
            r#"{"name": "n", "definition": "{}", "roleArn": "r", "tags": {"a": "b"}}"#,
            "Start of structure or map found where not expected.",
        ),
        (
            "CreateStateMachine",
            r#"{"name": "n", "definition": "{}", "roleArn": "r", "publish": "yes"}"#,
            "STRING_VALUE can not be converted to Boolean",
        ),
        (
            "TagResource",
            r#"{"resourceArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x", "tags": [5]}"#,
            "NUMBER_VALUE can not be converted to a structure",
        ),
    ];
    for (action, body, message) in cases {
        let r = c.action(action, body.as_bytes()).await;
        assert_eq!(r.status, 400, "{action} {body}");
        assert_eq!(r.error_code(), "SerializationException", "{action} {body}");
        assert_eq!(r.json()["message"], *message, "{action} {body}");
        c.still_works().await;
    }

    let r = c
        .action("CreateStateMachine", br#"{"definition": "{}"}"#)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "ValidationException");
    assert_eq!(
        r.json()["__type"],
        "com.amazon.coral.validate#ValidationException"
    );
    assert_eq!(
        r.json()["message"],
        "2 validation errors detected: \
         Value null at 'name' failed to satisfy constraint: Member must not be null; \
         Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
    );
    c.still_works().await;

    let r = c.action("DescribeStateMachine", b"{}").await;
    assert_eq!(r.error_code(), "ValidationException");
    c.still_works().await;

    // An AWS-named error from the service itself, through the same path.
    let r = c
        .action(
            "DescribeStateMachine",
            br#"{"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:none"}"#,
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["__type"],
        "com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist"
    );
    c.still_works().await;
}

#[tokio::test]
async fn create_and_describe_over_raw_http() {
    let server = common::start().await;
    let mut c = Conn::open(&server).await;
    let body = serde_json::json!({
        "name": "raw",
        "definition": r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#,
        "roleArn": "arn:aws:iam::123456789012:role/any",
    });
    let r = c
        .action("CreateStateMachine", body.to_string().as_bytes())
        .await;
    assert_eq!(r.status, 200);
    let created = r.json();
    // Epoch seconds as a JSON number with milliseconds.
    let date = created["creationDate"].as_f64().expect("a number");
    assert!(date > 1.6e9 && date < 4.0e9, "{date}");
    let r = c
        .action(
            "DescribeStateMachine",
            serde_json::json!({"stateMachineArn": created["stateMachineArn"]})
                .to_string()
                .as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["creationDate"], created["creationDate"]);
    assert_eq!(r.json()["status"], "ACTIVE");
}

/// DNS rebinding: a request whose `Host` names another site is refused before it acts, with
/// an AWS-shaped 403; the loopback names on the server's port, and their `sync-` forms that
/// the SDKs use for StartSyncExecution and TestState, are served.
#[tokio::test]
async fn a_foreign_host_is_refused() {
    let server = common::start().await;
    let port = server.addr.port();
    let definition = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#;
    let create = serde_json::json!({
        "name": "rebound",
        "definition": definition,
        "roleArn": "arn:aws:iam::123456789012:role/any",
    })
    .to_string();
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("sync-evil.example:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
    ] {
        let mut c = Conn::open(&server).await;
        c.host = host.clone();
        let r = c.action("CreateStateMachine", create.as_bytes()).await;
        assert_eq!(
            r.status,
            403,
            "{host}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.error_code(), "AccessDeniedException", "{host}");
        let message = r.json()["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains("allowed_hosts"), "{message}");
        // The console's pages and the unknown paths too.
        let mut c = Conn::open(&server).await;
        c.host = host.clone();
        let r = c.send("GET", "/anything", &[], b"").await;
        assert_eq!(r.status, 403, "{host}");
    }
    // Nothing was created.
    let mut c = Conn::open(&server).await;
    let r = c.action("ListStateMachines", b"{}").await;
    assert_eq!(r.json()["stateMachines"], serde_json::json!([]));

    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("sync-127.0.0.1:{port}"),
        format!("sync-localhost:{port}"),
    ] {
        let mut c = Conn::open(&server).await;
        c.host = host.clone();
        let r = c.action("ListStateMachines", b"{}").await;
        assert_eq!(
            r.status,
            200,
            "{host}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    // The health check answers any host: probes send all sorts.
    let mut c = Conn::open(&server).await;
    c.host = "10.0.0.9".into();
    let r = c.send("GET", "/healthz", &[], b"").await;
    assert_eq!(r.status, 200);
}

/// A name of `allowed_hosts` is served, on any port.
#[tokio::test]
async fn an_allowed_host_is_served() {
    let mut config = switchback_api::ApiConfig::default();
    config.hosts.allowed =
        vec![switchback_api::hosts::AllowedHost::parse("sfn.internal.example").expect("an entry")];
    let server = common::start_with(config).await;
    for (host, status) in [
        ("sfn.internal.example", 200),
        ("sfn.internal.example:443", 200),
        ("sync-sfn.internal.example:443", 200),
        ("other.internal.example", 403),
    ] {
        let mut c = Conn::open(&server).await;
        c.host = host.into();
        let r = c.action("ListStateMachines", b"{}").await;
        assert_eq!(
            r.status,
            status,
            "{host}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
}
