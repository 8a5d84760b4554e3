//! AWS service calls against a small stand-in endpoint on 127.0.0.1 that records what it is
//! sent: the AWS JSON request (target, content type, body), its SigV4 signature's scope and
//! headers, the SDK-like tries again after a 5xx, an error answer's name, and a host that does
//! not answer. (The real services, through moto, are `crates/switchback/tests/aws_services.rs`.)

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::common::{closed_port, failed, integrations, serve, succeeded, task};

/// What the stand-in endpoint was sent: each request's headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

/// An endpoint that answers the requests in turn with `answers` (status, body), then 200 `{}`.
async fn endpoint(answers: Vec<(u16, Value)>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let record = record.clone();
            let answers = answers.clone();
            async move {
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                record.lock().unwrap().push((headers, body));
                let (status, answer) = answers.lock().unwrap().next().unwrap_or((200, json!({})));
                let mut response: Response =
                    (StatusCode::from_u16(status).unwrap(), answer.to_string()).into_response();
                let headers = response.headers_mut();
                headers.insert("x-amzn-requestid", "req-7".parse().unwrap());
                headers.insert(
                    "content-type",
                    "application/x-amz-json-1.0".parse().unwrap(),
                );
                response
            }
        }),
    );
    (serve(app).await, seen)
}

fn configured(url: &str) -> (tempfile::TempDir, switchback_integrations::Integrations) {
    // Credentials come from the standard chain: here, the environment (nothing else in this
    // test binary reads these variables).
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "secret");
    std::env::set_var("AWS_SESSION_TOKEN", "session-token");
    let dir = tempfile::tempdir().unwrap();
    let config = format!("[aws]\nendpoint_url = \"{url}\"\nregion = \"eu-west-1\"\n");
    let integrations = integrations(&config, dir.path());
    (dir, integrations)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_call_is_aws_json_signed_and_tried_again_after_a_5xx() {
    let (url, seen) = endpoint(vec![
        (
            500,
            json!({"__type": "InternalFailure", "message": "try again"}),
        ),
        (200, json!({"MessageId": "m-1", "MD5OfMessageBody": "abc"})),
    ])
    .await;
    let (_dir, integrations) = configured(&url);
    let request = task(
        "arn:aws:states:::sqs:sendMessage",
        json!({"QueueUrl": "q", "MessageBody": {"a": 1}, "DelaySeconds": null}),
    );
    let output = succeeded(integrations.call(&request).await);
    assert_eq!(output["MessageId"], "m-1");
    assert_eq!(output["SdkResponseMetadata"]["RequestId"], "req-7");
    assert_eq!(output["SdkHttpMetadata"]["HttpStatusCode"], 200);

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "one try again after the 500");
    for (headers, body) in seen.iter() {
        assert_eq!(header(headers, "x-amz-target"), "AmazonSQS.SendMessage");
        assert_eq!(
            header(headers, "content-type"),
            "application/x-amz-json-1.0"
        );
        // The body as AWS sends it: the object body as JSON text, null members left out.
        assert_eq!(body, &json!({"QueueUrl": "q", "MessageBody": "{\"a\":1}"}));
        let authorization = header(headers, "authorization");
        assert!(
            authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
            "{authorization}"
        );
        assert!(
            authorization.contains("/eu-west-1/sqs/aws4_request"),
            "{authorization}"
        );
        assert!(
            authorization.contains(
                "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
            ),
            "{authorization}"
        );
        assert_eq!(header(headers, "x-amz-security-token"), "session-token");
        assert!(!header(headers, "x-amz-date").is_empty());
    }
}

#[tokio::test]
async fn an_error_answer_is_named_as_aws_names_it() {
    let (url, seen) = endpoint(vec![(
        400,
        json!({
            "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
            "message": "The conditional request failed"
        }),
    )])
    .await;
    let (_dir, integrations) = configured(&url);
    let request = task(
        "arn:aws:states:::dynamodb:putItem",
        json!({"TableName": "t", "Item": {"id": {"S": "a"}}}),
    );
    let (error, cause) = failed(integrations.call(&request).await);
    assert_eq!(error, "DynamoDB.ConditionalCheckFailedException");
    assert_eq!(
        cause,
        "The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: req-7; Proxy: null)"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "a 400 is not tried again");
    assert_eq!(
        header(&seen[0].0, "x-amz-target"),
        "DynamoDB_20120810.PutItem"
    );
}

#[tokio::test]
async fn eventbridge_is_aws_json_1_1() {
    let (url, seen) = endpoint(vec![(
        200,
        json!({"Entries": [{"EventId": "e-1"}], "FailedEntryCount": 0}),
    )])
    .await;
    let (_dir, integrations) = configured(&url);
    let request = task(
        "arn:aws:states:::events:putEvents",
        json!({"Entries": [{"Detail": {"a": 1}, "DetailType": "t", "Source": "s"}]}),
    );
    let output = succeeded(integrations.call(&request).await);
    assert_eq!(
        output,
        json!({"Entries": [{"EventId": "e-1"}], "FailedEntryCount": 0})
    );
    let seen = seen.lock().unwrap();
    assert_eq!(header(&seen[0].0, "x-amz-target"), "AWSEvents.PutEvents");
    assert_eq!(
        header(&seen[0].0, "content-type"),
        "application/x-amz-json-1.1"
    );
    assert!(header(&seen[0].0, "authorization").contains("/eu-west-1/events/aws4_request"));
}

#[tokio::test]
async fn no_answer_is_an_sdk_client_exception() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let (_dir, integrations) = configured(&url);
    let request = task(
        "arn:aws:states:::sqs:sendMessage",
        json!({"QueueUrl": "q", "MessageBody": "m"}),
    );
    let (error, cause) = failed(integrations.call(&request).await);
    assert_eq!(error, "SQS.SdkClientException");
    assert!(
        cause.starts_with("Unable to execute HTTP request: "),
        "{cause}"
    );
}
