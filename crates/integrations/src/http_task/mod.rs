//! The HTTP Task: `arn:aws:states:::http:invoke`, calling any HTTP(S) API.
//!
//! The request is built as AWS builds it ([`request`]), sent with the crate's pooled HTTP Task
//! client, and the response shaped as AWS shapes it ([`response`]). What differs from AWS is
//! where trust comes from: credentials come from `[connections.NAME]` in the configuration;
//! `[http] allowed_hosts` can limit the hosts (and ports) a definition may call, the way an
//! execution role's `states:InvokeHTTPEndpoint` policy does on AWS (so a host not in the list
//! fails with `States.Permissions`); and, whatever the list, the client's connector refuses
//! loopback, private, link-local and cloud metadata addresses unless the configuration allows
//! them ([`guard`]: the reasons, and the settings that allow them).
//!
//! AWS stops an HTTP Task after 60 seconds with `States.Http.Socket`; Switchback does the same,
//! and reports a connection that cannot be made (refused, unreachable, DNS, TLS, or an address
//! the guard refuses) under that name too, with the host and what to check in the cause.

mod encoding;
pub(crate) mod guard;
mod request;
mod response;
mod trace;

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use switchback_engine::task::{TaskOutcome, TaskRequest};

use crate::http_client::{describe, is_connect_error, CONNECT_TIMEOUT};
use crate::Shared;

/// AWS's limit on an HTTP Task request.
const HTTP_TASK_TIMEOUT: Duration = Duration::from_secs(60);
/// The most of a response read; more than the 256 KiB a result may have, so the engine's size
/// check reports a large one as AWS does.
const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// Runs one HTTP Task.
pub(crate) async fn call(shared: &Shared, task: &TaskRequest) -> TaskOutcome {
    call_traced(shared, task, None).await.0
}

/// Runs one HTTP Task and, when `trace` says how (whether to reveal the connection's
/// headers), reports the exchange as TestState's TRACE shows it (see [`trace`]).
pub(crate) async fn call_traced(
    shared: &Shared,
    task: &TaskRequest,
    trace: Option<bool>,
) -> (TaskOutcome, Option<serde_json::Value>) {
    let http = match request::read(&task.input, &shared.settings) {
        Ok(http) => http,
        Err(outcome) => return (outcome, None),
    };
    let traced_request = trace.map(|reveal| trace::request(&http, reveal));
    let (outcome, response) = exchange(shared, task, &http).await;
    let traced = traced_request.map(|request| {
        let mut exchange = serde_json::Map::new();
        exchange.insert("request".into(), request);
        if let Some((parts, body)) = &response {
            exchange.insert("response".into(), trace::response(&http, parts, body));
        }
        serde_json::Value::Object(exchange)
    });
    (outcome, traced)
}

/// Sends the request; how the task ends, and the response when one came.
async fn exchange(
    shared: &Shared,
    task: &TaskRequest,
    http: &request::HttpRequest,
) -> (TaskOutcome, Option<(http::response::Parts, Bytes)>) {
    let settings = &shared.settings;
    let port = http.uri.port_u16().unwrap_or(match http.uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    if !settings.http.host_allowed(&http.host, port) {
        let entry = if http.host.contains(':') {
            format!("[{}]:{port}", http.host)
        } else {
            format!("{}:{port}", http.host)
        };
        return (TaskOutcome::Failed {
            error: "States.Permissions".into(),
            cause: format!(
                "The HTTP Task may not call {}: the host '{}' (port {port}) is not in `allowed_hosts` of the [http] table in {}. Add \"{}\" (or \"{entry}\" for this port only) to that list to allow it.",
                http.url, http.host, settings.file, http.host
            ),
        }, None);
    }
    let socket = |detail: String| TaskOutcome::Failed {
        error: "States.Http.Socket".into(),
        cause: detail,
    };
    let client = match shared.http_task_client() {
        Ok(client) => client,
        Err(e) => {
            return (
                socket(format!("Switchback could not call {}: {e}", http.url)),
                None,
            )
        }
    };

    let mut builder = http::Request::builder()
        .method(http.method.clone())
        .uri(http.uri.clone());
    if let Some(headers) = builder.headers_mut() {
        *headers = http.headers.clone();
    }
    let request = match builder.body(Full::new(Bytes::from(
        http.body.clone().unwrap_or_default(),
    ))) {
        Ok(request) => request,
        Err(e) => {
            return (
                TaskOutcome::Failed {
                    error: "States.Runtime".into(),
                    cause: format!("The HTTP Task's request to {} is not valid: {e}", http.url),
                },
                None,
            )
        }
    };

    let exchange = async {
        let response = client.request(request).await.map_err(|e| {
            if let Some(refused) = guard::refusal(&e) {
                refused.cause(&http.url)
            } else if is_connect_error(&e) {
                format!(
                    "Switchback could not connect to {} for {}: {}. Check that the server is running and that `ApiEndpoint` is right (connections time out after {} seconds).",
                    http.host,
                    http.url,
                    describe(&e),
                    CONNECT_TIMEOUT.as_secs()
                )
            } else {
                format!("The request to {} failed: {}", http.url, describe(&e))
            }
        })?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map(|b| Some(b.to_bytes()))
            .or_else(|e| {
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    Ok(None)
                } else {
                    Err(format!("Reading the response of {} failed: {e}", http.url))
                }
            })?;
        Ok::<_, String>((parts, body))
    };
    match tokio::time::timeout(HTTP_TASK_TIMEOUT, exchange).await {
        Err(_) => (
            socket(format!(
                "The request to {} timed out after {} seconds, the limit of an HTTP Task.",
                http.url,
                HTTP_TASK_TIMEOUT.as_secs()
            )),
            None,
        ),
        Ok(Err(detail)) => (socket(detail), None),
        Ok(Ok((_, None))) => (
            TaskOutcome::Failed {
                error: "States.DataLimitExceeded".into(),
                cause: format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    task.resource
                ),
            },
            None,
        ),
        Ok(Ok((parts, Some(body)))) => {
            let outcome = response::outcome(&parts, &body);
            (outcome, Some((parts, body)))
        }
    }
}
