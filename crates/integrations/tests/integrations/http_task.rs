//! The HTTP Task against a small axum server on 127.0.0.1.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use switchback_engine::task::TaskOutcome;

use crate::common::{closed_port, failed, integrations, serve, succeeded, task};

const HTTP: &str = "arn:aws:states:::http:invoke";

/// Answers with what it received.
async fn echo(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let mut seen = Map::new();
    for (name, value) in &headers {
        seen.insert(
            name.as_str().to_string(),
            Value::String(value.to_str().unwrap_or_default().to_string()),
        );
    }
    let reply = json!({
        "method": method.as_str(),
        "path": uri.path(),
        "query": uri.query(),
        "headers": seen,
        "body": String::from_utf8_lossy(&body),
    });
    ([("content-type", "application/json")], reply.to_string()).into_response()
}

async fn server() -> String {
    let app = Router::new()
        .route("/echo", any(echo))
        .route(
            "/missing",
            get(|| async { (StatusCode::NOT_FOUND, "no such thing") }),
        )
        .route(
            "/text",
            get(|| async { ([("content-type", "text/plain")], "hello") }),
        )
        .route(
            "/binary",
            get(|| async {
                (
                    [("content-type", "application/octet-stream")],
                    vec![0u8, 159, 146],
                )
            }),
        )
        .route(
            "/cookies",
            get(|| async {
                let mut headers = HeaderMap::new();
                headers.append("set-cookie", "a=1".parse().unwrap());
                headers.append("set-cookie", "b=2".parse().unwrap());
                (headers, "[1, 2]")
            }),
        );
    serve(app).await
}

/// What every test against the local server needs: HTTP Tasks refuse loopback addresses
/// unless the configuration allows them.
const LOCAL: &str = "allow_private_addresses = true";

/// The connections of these tests, and `http` as the body of the `[http]` table.
fn config(http: &str) -> String {
    format!(
        r#"
        [connections.basic_svc]
        basic = {{ username = "user", password = "pa:ss" }}
        headers = {{ X-Tenant = "from-connection" }}
        query = {{ api-version = "2" }}
        body = {{ Mode = "connection" }}

        [connections.keyed]
        api_key = {{ name = "x-api-key", value = "secret" }}

        [connections.token]
        bearer = "abc.def"

        [http]
        {http}
        "#
    )
}

fn connection(name: &str) -> Value {
    json!({"ConnectionArn": format!("arn:aws:events:us-east-1:123456789012:connection/{name}/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")})
}

#[tokio::test]
async fn get_with_query_parameters_returns_aws_result_shape() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let integrations = integrations(&config(LOCAL), dir.path());
    let result = succeeded(
        integrations
            .call(&task(
                HTTP,
                json!({
                    "ApiEndpoint": format!("{base}/echo?fixed=1"),
                    "Method": "GET",
                    "QueryParameters": {"q": "a b&c", "tags": ["x", "y"], "n": 3}
                }),
            ))
            .await,
    );
    assert_eq!(result["StatusCode"], 200);
    assert_eq!(result["StatusText"], "OK");
    assert_eq!(
        result["Headers"]["content-type"],
        json!(["application/json"])
    );
    let keys: Vec<&String> = result.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["Headers", "ResponseBody", "StatusCode", "StatusText"]
    );
    let seen = &result["ResponseBody"];
    assert_eq!(seen["method"], "GET");
    assert_eq!(seen["query"], "fixed=1&q=a%20b%26c&tags=x&tags=y&n=3");
    assert_eq!(
        seen["headers"]["user-agent"],
        "Amazon|StepFunctions|HttpInvoke|us-east-1"
    );
    assert_eq!(seen["headers"]["range"], "bytes=0-262144");
    assert_eq!(seen["body"], "");
}

#[tokio::test]
async fn post_sends_json_bodies_and_strings_as_they_are() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let integrations = integrations(&config(LOCAL), dir.path());
    let result = succeeded(
        integrations
            .call(&task(
                HTTP,
                json!({
                    "ApiEndpoint": format!("{base}/echo"),
                    "Method": "POST",
                    "Headers": {"X-Custom": "1", "X-Count": 2},
                    "RequestBody": {"b": 1, "a": [true, null]}
                }),
            ))
            .await,
    );
    let seen = &result["ResponseBody"];
    assert_eq!(seen["method"], "POST");
    assert_eq!(seen["body"], r#"{"b":1,"a":[true,null]}"#);
    assert_eq!(
        seen["headers"]["content-type"],
        "application/json; charset=UTF-8"
    );
    assert_eq!(seen["headers"]["x-custom"], "1");
    assert_eq!(seen["headers"]["x-count"], "2");

    let result = succeeded(
        integrations
            .call(&task(
                HTTP,
                json!({
                    "ApiEndpoint": format!("{base}/echo"),
                    "Method": "PUT",
                    "Headers": {"Content-Type": "text/plain"},
                    "RequestBody": "raw text"
                }),
            ))
            .await,
    );
    assert_eq!(result["ResponseBody"]["body"], "raw text");
    assert_eq!(
        result["ResponseBody"]["headers"]["content-type"],
        "text/plain"
    );
}

#[tokio::test]
async fn url_encoded_bodies_follow_each_array_format() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let integrations = integrations(&config(LOCAL), dir.path());
    for (format, expected) in [
        (
            Some("INDICES"),
            "array%5B0%5D=a&array%5B1%5D=b&meta%5Bnote%5D=x%20y",
        ),
        (None, "array%5B0%5D=a&array%5B1%5D=b&meta%5Bnote%5D=x%20y"),
        (Some("REPEAT"), "array=a&array=b&meta%5Bnote%5D=x%20y"),
        (Some("COMMAS"), "array=a,b&meta%5Bnote%5D=x%20y"),
        (
            Some("BRACKETS"),
            "array%5B%5D=a&array%5B%5D=b&meta%5Bnote%5D=x%20y",
        ),
    ] {
        let mut transform = json!({"RequestBodyEncoding": "URL_ENCODED"});
        if let Some(format) = format {
            transform["RequestEncodingOptions"] = json!({"ArrayFormat": format});
        }
        let result = succeeded(
            integrations
                .call(&task(
                    HTTP,
                    json!({
                        "ApiEndpoint": format!("{base}/echo"),
                        "Method": "POST",
                        "Headers": {"Content-Type": "application/x-www-form-urlencoded"},
                        "RequestBody": {"array": ["a", "b"], "meta": {"note": "x y"}},
                        "Transform": transform
                    }),
                ))
                .await,
        );
        assert_eq!(result["ResponseBody"]["body"], expected, "{format:?}");
        assert_eq!(
            result["ResponseBody"]["headers"]["content-type"],
            "application/x-www-form-urlencoded"
        );
    }
}

#[tokio::test]
async fn an_error_status_fails_with_its_code() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let integrations = integrations(&config(LOCAL), dir.path());
    let outcome = integrations
        .call(&task(
            HTTP,
            json!({"ApiEndpoint": format!("{base}/missing"), "Method": "GET"}),
        ))
        .await;
    assert_eq!(
        failed(outcome),
        (
            "States.Http.StatusCode.404".to_string(),
            "Not Found".to_string()
        )
    );
}

#[tokio::test]
async fn responses_that_are_text_multi_valued_or_binary() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let integrations = integrations(&config(LOCAL), dir.path());
    let text = succeeded(
        integrations
            .call(&task(
                HTTP,
                json!({"ApiEndpoint": format!("{base}/text"), "Method": "GET"}),
            ))
            .await,
    );
    assert_eq!(text["ResponseBody"], "hello");
    let cookies = succeeded(
        integrations
            .call(&task(
                HTTP,
                json!({"ApiEndpoint": format!("{base}/cookies"), "Method": "GET"}),
            ))
            .await,
    );
    assert_eq!(cookies["Headers"]["set-cookie"], json!(["a=1", "b=2"]));
    // text/plain by axum's default for &str: not parsed.
    assert_eq!(cookies["ResponseBody"], "[1, 2]");
    let (error, _) = failed(
        integrations
            .call(&task(
                HTTP,
                json!({"ApiEndpoint": format!("{base}/binary"), "Method": "GET"}),
            ))
            .await,
    );
    assert_eq!(error, "States.Runtime");
}

#[tokio::test]
async fn a_connection_adds_credentials_headers_query_and_body_and_wins() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let integrations = integrations(&config(LOCAL), dir.path());
    let result = succeeded(
        integrations
            .call(&task(
                HTTP,
                json!({
                    "ApiEndpoint": format!("{base}/echo"),
                    "Method": "POST",
                    "Authentication": connection("basic_svc"),
                    "Headers": {"x-tenant": "from-definition", "X-Other": "kept"},
                    "QueryParameters": {"api-version": "1", "page": 2},
                    "RequestBody": {"Mode": "definition", "Job": "x"}
                }),
            ))
            .await,
    );
    let seen = &result["ResponseBody"];
    // base64("user:pa:ss")
    assert_eq!(seen["headers"]["authorization"], "Basic dXNlcjpwYTpzcw==");
    assert_eq!(seen["headers"]["x-tenant"], "from-connection");
    assert_eq!(seen["headers"]["x-other"], "kept");
    assert_eq!(seen["query"], "api-version=2&page=2");
    assert_eq!(seen["body"], r#"{"Mode":"connection","Job":"x"}"#);

    for (name, header, value) in [
        ("keyed", "x-api-key", "secret"),
        ("token", "authorization", "Bearer abc.def"),
    ] {
        let result = succeeded(
            integrations
                .call(&task(
                    HTTP,
                    json!({
                        "ApiEndpoint": format!("{base}/echo"),
                        "Method": "GET",
                        "InvocationConfig": connection(name),
                    }),
                ))
                .await,
        );
        assert_eq!(result["ResponseBody"]["headers"][header], value, "{name}");
    }
}

#[tokio::test]
async fn definitions_cannot_bring_their_own_credentials_or_unknown_connections() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let integrations = integrations(&config(LOCAL), dir.path());
    let (error, cause) = failed(
        integrations
            .call(&task(
                HTTP,
                json!({
                    "ApiEndpoint": format!("{base}/echo"),
                    "Method": "GET",
                    "Authentication": connection("ghost"),
                }),
            ))
            .await,
    );
    assert_eq!(error, "Events.ConnectionResource.ResourceNotFound");
    assert!(cause.contains("[connections.ghost]"), "{cause}");
    assert!(cause.contains("switchback.toml"), "{cause}");

    let (error, cause) = failed(
        integrations
            .call(&task(
                HTTP,
                json!({
                    "ApiEndpoint": format!("{base}/echo"),
                    "Method": "GET",
                    "Headers": {"Authorization": "Basic abc"},
                }),
            ))
            .await,
    );
    assert_eq!(error, "States.Runtime");
    assert!(cause.contains("'Authorization'"), "{cause}");

    let (error, _) = failed(
        integrations
            .call(&task(
                HTTP,
                json!({"ApiEndpoint": format!("{base}/echo"), "Method": "FETCH"}),
            ))
            .await,
    );
    assert_eq!(error, "States.Runtime");
}

#[tokio::test]
async fn the_allow_list_refuses_other_hosts_and_admits_its_own() {
    let base = server().await;
    let dir = tempfile::tempdir().unwrap();
    let refusing = integrations(&config("allowed_hosts = [\"api.example.com\"]"), dir.path());
    let request = task(
        HTTP,
        json!({"ApiEndpoint": format!("{base}/echo"), "Method": "GET"}),
    );
    let (error, cause) = failed(refusing.call(&request).await);
    assert_eq!(error, "States.Permissions");
    assert!(cause.contains("'127.0.0.1'"), "{cause}");
    assert!(cause.contains("allowed_hosts"), "{cause}");
    assert!(cause.contains("switchback.toml"), "{cause}");

    // An exact entry admits its host even though it is a loopback address.
    let admitting = integrations(&config("allowed_hosts = [\"127.0.0.1\"]"), dir.path());
    succeeded(admitting.call(&request).await);
}

#[tokio::test]
async fn an_unreachable_host_is_a_socket_error() {
    let dir = tempfile::tempdir().unwrap();
    let integrations = integrations(&config(LOCAL), dir.path());
    let port = closed_port();
    let (error, cause) = failed(
        integrations
            .call(&task(
                HTTP,
                json!({"ApiEndpoint": format!("http://127.0.0.1:{port}/x"), "Method": "GET"}),
            ))
            .await,
    );
    assert_eq!(error, "States.Http.Socket");
    assert!(
        cause.contains(&format!("http://127.0.0.1:{port}/x")),
        "{cause}"
    );
    assert!(cause.to_lowercase().contains("refused"), "{cause}");
}

/// A server that counts the requests it receives, and its base URL.
async fn counting_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = hits.clone();
    let app = Router::new().route(
        "/count",
        get(move || {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::SeqCst);
                ([("content-type", "application/json")], "{\"counted\":true}")
            }
        }),
    );
    (serve(app).await, hits)
}

#[track_caller]
fn refused(outcome: TaskOutcome, address: &str) -> String {
    let (error, cause) = failed(outcome);
    assert_eq!(error, "States.Http.Socket", "{cause}");
    assert!(cause.contains("refused to connect"), "{cause}");
    assert!(cause.contains(address), "{cause}");
    assert!(cause.contains("switchback.toml"), "{cause}");
    cause
}

#[tokio::test]
async fn loopback_and_metadata_addresses_are_refused_by_default() {
    let (base, hits) = counting_server().await;
    let port = base.rsplit(':').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let default = integrations("", dir.path());

    // By address, and by a name that resolves to loopback.
    for url in [
        format!("{base}/count"),
        format!("http://localhost:{port}/count"),
    ] {
        let outcome = default
            .call(&task(HTTP, json!({"ApiEndpoint": url, "Method": "GET"})))
            .await;
        let cause = refused(outcome, "a loopback address");
        assert!(cause.contains("allow_private_addresses = true"), "{cause}");
        assert!(cause.contains(&format!(":{port}\"")), "{cause}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the server was called");

    // Cloud metadata, over IPv4 and IPv6, and the private network: refused before any packet
    // is sent (so these tests need no network).
    for (url, address) in [
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254"),
        ("http://[::ffff:169.254.169.254]/", "169.254.169.254"),
        ("http://10.1.2.3:8080/", "10.1.2.3"),
        ("http://0.0.0.0/", "0.0.0.0"),
    ] {
        let outcome = default
            .call(&task(HTTP, json!({"ApiEndpoint": url, "Method": "GET"})))
            .await;
        refused(outcome, address);
    }
}

#[tokio::test]
async fn allow_private_addresses_admits_loopback_but_not_metadata() {
    let (base, hits) = counting_server().await;
    let port = base.rsplit(':').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let private = integrations("[http]\nallow_private_addresses = true", dir.path());
    for url in [
        format!("{base}/count"),
        format!("http://localhost:{port}/count"),
    ] {
        let result = succeeded(
            private
                .call(&task(HTTP, json!({"ApiEndpoint": url, "Method": "GET"})))
                .await,
        );
        assert_eq!(result["ResponseBody"]["counted"], true);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    let outcome = private
        .call(&task(
            HTTP,
            json!({"ApiEndpoint": "http://169.254.169.254/latest/meta-data/", "Method": "GET"}),
        ))
        .await;
    let cause = refused(outcome, "a cloud metadata service address");
    assert!(
        cause.contains("even with `allow_private_addresses`"),
        "{cause}"
    );
}

#[tokio::test]
async fn an_allow_list_entry_with_a_port_admits_that_port_only() {
    let (base, hits) = counting_server().await;
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let listed = integrations(
        &format!("[http]\nallowed_hosts = [\"127.0.0.1:{port}\", \"localhost:{port}\"]"),
        dir.path(),
    );
    for host in ["127.0.0.1", "localhost"] {
        succeeded(
            listed
                .call(&task(
                    HTTP,
                    json!({"ApiEndpoint": format!("http://{host}:{port}/count"), "Method": "GET"}),
                ))
                .await,
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    // The same host on a port the list does not name.
    let (error, cause) = failed(
        listed
            .call(&task(
                HTTP,
                json!({"ApiEndpoint": format!("http://127.0.0.1:{}/count", if port == u16::MAX { 1 } else { port + 1 }), "Method": "GET"}),
            ))
            .await,
    );
    assert_eq!(error, "States.Permissions", "{cause}");
    assert!(cause.contains("allowed_hosts"), "{cause}");
}

#[tokio::test]
async fn a_redirect_to_a_private_address_is_not_followed() {
    // The private server, which must never be called.
    let (private_base, private_hits) = counting_server().await;
    let target = format!("{private_base}/count");
    let app = Router::new().route(
        "/go",
        get(move || {
            let target = target.clone();
            async move { (StatusCode::FOUND, [("location", target)], "") }
        }),
    );
    let public_base = serve(app).await;
    let public_port = public_base.rsplit(':').next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Only the redirecting server is allowed (as a public host would be by default).
    let listed = integrations(
        &format!("[http]\nallowed_hosts = [\"127.0.0.1:{public_port}\"]"),
        dir.path(),
    );
    let (error, cause) = failed(
        listed
            .call(&task(
                HTTP,
                json!({"ApiEndpoint": format!("{public_base}/go"), "Method": "GET"}),
            ))
            .await,
    );
    // Redirects are not followed: the 302 is the task's status, as any status outside 2xx.
    assert_eq!(error, "States.Http.StatusCode.302", "{cause}");
    assert_eq!(
        private_hits.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );

    // Were the redirect followed, the hop would be a new connection through the same guard,
    // which refuses the private server wherever the request comes from.
    let default = integrations("", dir.path());
    let outcome = default
        .call(&task(
            HTTP,
            json!({"ApiEndpoint": format!("{private_base}/count"), "Method": "GET"}),
        ))
        .await;
    refused(outcome, "a loopback address");
    assert_eq!(private_hits.load(Ordering::SeqCst), 0);
}
