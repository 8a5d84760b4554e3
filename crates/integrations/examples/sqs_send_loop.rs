//! The baseline of the AWS-call bench: SQS `SendMessage` called directly, in a tight loop,
//! with nothing of Switchback in the way.
//!
//! `examples/bench/sqs-overhead.sh` runs this beside `switchback bench --endpoint` with a
//! definition whose one Task is `sqs:sendMessage`, against the same endpoint (moto), and prints
//! the cost Switchback adds per call. To be a fair baseline the loop does only what any careful
//! client must: one pooled keep-alive HTTP client, the credentials built once, a SigV4
//! signature per request (it covers the time and the body, so it cannot be reused), and the
//! answer read to its end and checked for a `MessageId`.
//!
//! ```text
//! cargo run --release -p switchback-integrations --example sqs_send_loop -- \
//!     --endpoint http://127.0.0.1:5000 --queue-url URL [--calls 2000] [--concurrency 8]
//! ```
//!
//! It prints `calls/s: N` and the mean latency, or `--json` one object.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// What the command line asked for.
struct Options {
    endpoint: String,
    queue_url: String,
    calls: usize,
    concurrency: usize,
    region: String,
    json: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        endpoint: String::new(),
        queue_url: String::new(),
        calls: 2000,
        concurrency: 8,
        region: "us-east-1".into(),
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--json" {
            options.json = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{flag}: {value:?} is not a positive whole number"))
        };
        match flag.as_str() {
            "--endpoint" => options.endpoint = value.trim_end_matches('/').to_string(),
            "--queue-url" => options.queue_url = value,
            "--calls" => options.calls = number()?,
            "--concurrency" => options.concurrency = number()?,
            "--region" => options.region = value,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if options.endpoint.is_empty() || options.queue_url.is_empty() {
        return Err("give --endpoint URL and --queue-url URL".into());
    }
    Ok(options)
}

/// One signed `SendMessage` request.
fn request(options: &Options, identity: &Identity, n: usize) -> http::Request<Full<Bytes>> {
    let body = serde_json::to_vec(&serde_json::json!({
        "QueueUrl": options.queue_url,
        "MessageBody": format!("{{\"n\":{n}}}"),
    }))
    .expect("a JSON object serializes");
    let mut request = http::Request::post(format!("{}/", options.endpoint))
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "AmazonSQS.SendMessage")
        .body(Full::new(Bytes::new()))
        .expect("a well-formed request");
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region(&options.region)
        .name("sqs")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("complete signing parameters")
        .into();
    let headers: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or_default()))
        .collect();
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        "POST",
        &uri,
        headers.into_iter(),
        SignableBody::Bytes(&body),
    )
    .expect("a signable request");
    let (instructions, _) = sign(signable, &params)
        .expect("signing succeeds")
        .into_parts();
    instructions.apply_to_request_http1x(&mut request);
    *request.body_mut() = Full::new(Bytes::from(body));
    request
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let options = Arc::new(options()?);
    let credentials = Credentials::new(
        std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| "testing".into()),
        std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| "testing".into()),
        None,
        None,
        "environment",
    );
    let identity: Identity = credentials.into();
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();

    // A warm-up call, which also checks that the queue answers.
    let answer = client
        .request(request(&options, &identity, 0))
        .await
        .map_err(|e| format!("the endpoint did not answer: {e}"))?;
    let status = answer.status();
    let body = answer
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if !status.is_success() {
        return Err(format!(
            "SendMessage answered {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }

    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..options.concurrency)
        .map(|_| {
            let (options, identity, client) = (options.clone(), identity.clone(), client.clone());
            let (next, failures) = (next.clone(), failures.clone());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= options.calls {
                        break;
                    }
                    let ok = match client.request(request(&options, &identity, n)).await {
                        Ok(answer) => {
                            let status = answer.status();
                            let body = answer.into_body().collect().await;
                            status.is_success() && body.is_ok_and(|b| has_message_id(&b.to_bytes()))
                        }
                        Err(_) => false,
                    };
                    if !ok {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.map_err(|e| e.to_string())?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let calls_per_s = options.calls as f64 / seconds;
    let mean_ms = seconds * 1000.0 * options.concurrency as f64 / options.calls as f64;
    let failures = failures.load(Ordering::Relaxed);
    if options.json {
        println!(
            "{}",
            serde_json::json!({
                "calls": options.calls,
                "concurrency": options.concurrency,
                "seconds": seconds,
                "calls_per_s": calls_per_s,
                "mean_latency_ms": mean_ms,
                "failures": failures,
            })
        );
    } else {
        println!("calls: {}", options.calls);
        println!("concurrency: {}", options.concurrency);
        println!("seconds: {seconds:.3}");
        println!("calls/s: {calls_per_s:.0}");
        println!("mean latency ms: {mean_ms:.2}");
        println!("failures: {failures}");
    }
    Ok(())
}

/// Whether an answer carries a `MessageId` (a sent message).
fn has_message_id(body: &[u8]) -> bool {
    body.windows(b"\"MessageId\"".len())
        .any(|w| w == b"\"MessageId\"")
}
