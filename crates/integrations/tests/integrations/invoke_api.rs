//! Functions behind a Lambda Invoke API endpoint, served here by a small axum server that
//! answers as Lambda (and `sam local start-lambda`) does.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use crate::common::{closed_port, failed, integrations, serve, succeeded, task, IDEMPOTENCY_KEY};

const REQUEST_ID: &str = "3f1c2a9e-5a47-4c1e-9e0b-9d1d3c7b8a21";

async fn invoke(Path(name): Path<String>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let lambda_headers = [
        ("x-amzn-RequestId", REQUEST_ID),
        ("X-Amz-Executed-Version", "$LATEST"),
        ("Content-Type", "application/json"),
    ];
    match name.as_str() {
        "echo" | "other" => {
            let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let reply = json!({
                "function": name,
                "event": event,
                "query": uri.query(),
                "invocationType": header("x-amz-invocation-type"),
                "idempotencyKey": header("x-switchback-idempotency-key"),
            });
            (lambda_headers, reply.to_string()).into_response()
        }
        "decline" => (
            [
                ("x-amzn-RequestId", REQUEST_ID),
                ("X-Amz-Function-Error", "Unhandled"),
            ],
            r#"{"errorMessage": "card declined", "errorType": "PaymentDeclined"}"#,
        )
            .into_response(),
        "untyped" => (
            [("X-Amz-Function-Error", "Handled")],
            r#"{"errorMessage": "something"}"#,
        )
            .into_response(),
        "throttled" => (
            StatusCode::TOO_MANY_REQUESTS,
            [("x-amzn-RequestId", REQUEST_ID)],
            r#"{"__type": "TooManyRequestsException", "message": "Rate Exceeded."}"#,
        )
            .into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            (lambda_headers, "{}").into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            [
                ("x-amzn-RequestId", REQUEST_ID),
                ("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/"),
            ],
            format!(
                r#"{{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:012345678901:function:{name}"}}"#
            ),
        )
            .into_response(),
    }
}

async fn lambda() -> String {
    serve(Router::new().route("/2015-03-31/functions/{name}/invocations", post(invoke))).await
}

fn setup(url: &str) -> (tempfile::TempDir, switchback_integrations::Integrations) {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        r#"
        [functions.echo]
        url = "{url}/"

        [functions.decline]
        url = "{url}"

        [functions.untyped]
        url = "{url}"

        [functions.throttled]
        url = "{url}"

        [functions.ghost]
        url = "{url}"

        [functions.slow]
        url = "{url}"
        timeout_seconds = 1

        [lambda]
        endpoint = "{url}"
        "#
    );
    let integrations = integrations(&toml, dir.path());
    (dir, integrations)
}

#[tokio::test]
async fn the_plain_form_returns_the_body() {
    let url = lambda().await;
    let (_dir, integrations) = setup(&url);
    let result = succeeded(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:echo:live",
                json!({"a": [1, 2]}),
            ))
            .await,
    );
    assert_eq!(result["function"], "echo");
    assert_eq!(result["event"], json!({"a": [1, 2]}));
    assert_eq!(result["query"], "Qualifier=live");
    assert_eq!(result["invocationType"], "RequestResponse");
    assert_eq!(result["idempotencyKey"], IDEMPOTENCY_KEY);
}

#[tokio::test]
async fn lambda_invoke_wraps_the_body_with_the_real_headers() {
    let url = lambda().await;
    let (_dir, integrations) = setup(&url);
    let result = succeeded(
        integrations
            .call(&task(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "echo", "Payload": {"n": 1}, "Qualifier": "7"}),
            ))
            .await,
    );
    assert_eq!(result["Payload"]["event"], json!({"n": 1}));
    assert_eq!(result["Payload"]["query"], "Qualifier=7");
    assert_eq!(result["ExecutedVersion"], "$LATEST");
    assert_eq!(result["StatusCode"], 200);
    assert_eq!(result["SdkResponseMetadata"]["RequestId"], REQUEST_ID);
    let headers = &result["SdkHttpMetadata"]["HttpHeaders"];
    assert_eq!(headers["x-amzn-RequestId"], REQUEST_ID);
    assert_eq!(headers["Content-Type"], "application/json");
    assert_eq!(
        result["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amz-Executed-Version"],
        json!(["$LATEST"])
    );
}

#[tokio::test]
async fn function_errors_are_named_by_their_error_type() {
    let url = lambda().await;
    let (_dir, integrations) = setup(&url);
    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "decline", "Payload": {}}),
            ))
            .await,
    );
    assert_eq!(error, "PaymentDeclined");
    assert_eq!(
        cause,
        r#"{"errorMessage": "card declined", "errorType": "PaymentDeclined"}"#
    );

    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:untyped",
                json!({}),
            ))
            .await,
    );
    assert_eq!(error, "Lambda.Unknown");
    assert_eq!(cause, r#"{"errorMessage": "something"}"#);
}

#[tokio::test]
async fn service_errors_are_named_as_the_sdk_names_them() {
    let url = lambda().await;
    let (_dir, integrations) = setup(&url);
    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:ghost",
                json!({}),
            ))
            .await,
    );
    assert_eq!(error, "Lambda.ResourceNotFoundException");
    assert_eq!(
        cause,
        format!("Function not found: arn:aws:lambda:us-east-1:012345678901:function:ghost (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {REQUEST_ID}; Proxy: null)")
    );

    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:throttled",
                json!({}),
            ))
            .await,
    );
    assert_eq!(error, "Lambda.TooManyRequestsException");
    assert!(cause.starts_with("Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException;"), "{cause}");
}

#[tokio::test]
async fn unconfigured_names_go_to_the_default_endpoint() {
    let url = lambda().await;
    let (_dir, integrations) = setup(&url);
    let result = succeeded(
        integrations
            .call(&task(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:other", "Payload": 5}),
            ))
            .await,
    );
    assert_eq!(result["Payload"]["function"], "other");
    assert_eq!(result["Payload"]["event"], 5);
}

#[tokio::test]
async fn a_slow_endpoint_times_out_on_the_client() {
    let url = lambda().await;
    let (_dir, integrations) = setup(&url);
    let started = std::time::Instant::now();
    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:slow",
                json!({}),
            ))
            .await,
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(error, "Lambda.ClientExecutionTimeoutException");
    assert!(cause.contains("functions.slow.url"), "{cause}");
}

#[tokio::test]
async fn an_unreachable_endpoint_says_which_url_and_what_to_do() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let (_dir, integrations) = setup(&url);
    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:echo",
                json!({}),
            ))
            .await,
    );
    assert_eq!(error, "Lambda.SdkClientException");
    assert!(
        cause.starts_with("Unable to execute HTTP request: "),
        "{cause}"
    );
    assert!(cause.contains(&url), "{cause}");
    assert!(
        cause.contains("`functions.echo.url` in switchback.toml"),
        "{cause}"
    );
    assert!(cause.contains("sam local start-lambda"), "{cause}");
}
