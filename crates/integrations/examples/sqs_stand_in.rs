//! An SQS endpoint that costs (almost) nothing: it answers every `SendMessage` of the AWS JSON
//! protocol at once with a fresh `MessageId`, keeps connections alive, and counts the calls.
//!
//! The AWS-call bench (`examples/bench/sqs-overhead.sh`) measures against moto, as the users'
//! tests run; but moto serves a hundred or two calls a second and varies more between runs
//! than Switchback costs, so that figure hides the cost. Against this stand-in, the direct loop
//! and Switchback differ only by what Switchback adds to each call.
//!
//! ```text
//! cargo run --release -p switchback-integrations --example sqs_stand_in -- 127.0.0.1:0
//! ```
//!
//! It prints `listening on http://ADDR`, then serves until killed; `GET /count` answers the
//! number of messages sent so far.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let sent = Arc::new(AtomicU64::new(0));
    let app = Router::new()
        .route("/", post(send_message))
        .route("/count", get(count))
        .with_state(sent);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}

/// `AmazonSQS.SendMessage`: a `MessageId` for any body that names a queue.
async fn send_message(
    State(sent): State<Arc<AtomicU64>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, [(&'static str, String); 2], String) {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let json = [
        ("content-type", "application/x-amz-json-1.0".to_string()),
        ("x-amzn-requestid", uuid::Uuid::new_v4().to_string()),
    ];
    if target != "AmazonSQS.SendMessage" || !body.contains("\"QueueUrl\"") {
        return (
            StatusCode::BAD_REQUEST,
            json,
            r#"{"__type":"com.amazonaws.sqs#InvalidAction","message":"only SendMessage"}"#.into(),
        );
    }
    sent.fetch_add(1, Ordering::Relaxed);
    let answer = format!(
        r#"{{"MD5OfMessageBody":"00000000000000000000000000000000","MessageId":"{}"}}"#,
        uuid::Uuid::new_v4()
    );
    (StatusCode::OK, json, answer)
}

async fn count(State(sent): State<Arc<AtomicU64>>) -> String {
    sent.load(Ordering::Relaxed).to_string()
}
