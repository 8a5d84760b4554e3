//! The AWS JSON 1.0 protocol as the SDKs speak it.
//!
//! Every action is `POST /` with `X-Amz-Target: AWSStepFunctions.<Action>` and a JSON body;
//! the answer is JSON with content type `application/x-amz-json-1.0`. Any content type is
//! accepted. Signatures are checked when the server has access keys ([`crate::sigv4`]);
//! otherwise any (or no) `Authorization` header is accepted. Every request must name this
//! server in its `Host` ([`crate::hosts`]).
//!
//! Bad requests never panic and never cost the client its connection: the body is always read
//! to its end (an oversized one is drained and discarded, up to a bound), and every failure is
//! answered with an AWS-shaped JSON error (see [`crate::error`]).

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{HeaderMap, HeaderName, HeaderValue, CONNECTION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::{Bytes, BytesMut};
use futures::FutureExt;
use http_body_util::BodyExt;
use serde_json::Value;
use switchback_json::Json;

use crate::actions;
use crate::error::ApiError;
use crate::state::AppState;

/// The content type of every answer.
pub const CONTENT_TYPE_JSON: &str = "application/x-amz-json-1.0";
/// The prefix of `X-Amz-Target` for this service.
pub const TARGET_PREFIX: &str = "AWSStepFunctions.";
/// How much of an oversized body is drained (and discarded) so that the connection can carry
/// the next request; beyond this the connection is closed after the answer.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// The API's router: `POST /` for the actions, `GET /healthz` for liveness probes. Requests
/// whose `Host` does not name the server are refused ([`crate::hosts`]).
pub fn router(state: AppState) -> Router {
    crate::child_start::ApiChildStarter::install(&state);
    let config = state.config.clone();
    let router = Router::new()
        .route("/", post(handle))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .with_state(state);
    crate::hosts::guard_hosts(router, &config)
}

async fn healthz() -> &'static str {
    "ok"
}

/// Anything but `POST /` or `GET /healthz`: an AWS-shaped 404.
async fn not_found(request: Request) -> Response {
    // Read the body so the connection stays usable.
    let _ = read_body(request.into_body(), 0).await;
    let error = ApiError::unknown_operation("No action is served at this path or method");
    let mut response = json_response(StatusCode::NOT_FOUND, &error.body());
    add_request_id(&mut response);
    response
}

/// The body as read: complete, or too large (and how much was left unread).
enum ReadBody {
    Complete(Bytes),
    TooLarge { drained: bool },
    Failed,
}

/// Reads the whole body, keeping at most `limit` bytes; an oversized body is drained.
async fn read_body(mut body: Body, limit: usize) -> ReadBody {
    let mut buf = BytesMut::new();
    let mut seen: usize = 0;
    let mut over = false;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return ReadBody::Failed;
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        seen = seen.saturating_add(data.len());
        if seen > limit {
            over = true;
            buf.clear();
            if seen > limit.saturating_add(DRAIN_LIMIT) {
                return ReadBody::TooLarge { drained: false };
            }
        } else {
            buf.extend_from_slice(&data);
        }
    }
    if over {
        ReadBody::TooLarge { drained: true }
    } else {
        ReadBody::Complete(buf.freeze())
    }
}

/// The action named by `X-Amz-Target`.
fn target_action(headers: &HeaderMap) -> Result<&str, ApiError> {
    let Some(value) = headers.get("x-amz-target") else {
        return Err(ApiError::unknown_operation(
            "Missing X-Amz-Target header: expected AWSStepFunctions.<Action>",
        ));
    };
    let target = value
        .to_str()
        .map_err(|_| ApiError::unknown_operation("X-Amz-Target is not readable text"))?;
    match target.strip_prefix(TARGET_PREFIX) {
        Some(action) if !action.is_empty() => Ok(action),
        _ => Err(ApiError::unknown_operation(format!(
            "Unknown operation: '{target}'"
        ))),
    }
}

/// Parses the body: empty counts as `{}`; anything else must be JSON.
///
/// A large body is read with `Json`'s reader, then handed on as serde_json's value: such a
/// body is mostly a StartExecution's `input`, a JSON text inside a JSON string with an escaped
/// quote every ten bytes or so, and `Json`'s reader decodes that string in about 3.5M
/// instructions per 275 KB body where serde_json's took 4.2M (callgrind). A small body (a
/// status poll) is read by serde_json directly: there the conversion would cost more than the
/// reading saves.
fn parse_body(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    let body = if bytes.len() >= LARGE_BODY {
        Json::parse_slice(bytes).map(|body| body.to_serde())
    } else {
        serde_json::from_slice(bytes)
    };
    body.map_err(|e| ApiError::serialization(format!("Request body is not valid JSON: {e}")))
}

/// Bodies from this many bytes are read with `Json`'s reader (see [`parse_body`]).
const LARGE_BODY: usize = 16 * 1024;

async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let limit = state.config.max_request_bytes;
    let (result, keep_alive, action) = match read_body(body, limit).await {
        ReadBody::TooLarge { drained } => (Err(ApiError::request_too_large(limit)), drained, None),
        ReadBody::Failed => (
            Err(ApiError::serialization(
                "The request body could not be read",
            )),
            false,
            None,
        ),
        ReadBody::Complete(bytes) => match authenticate(&state, &parts, &bytes)
            .and_then(|()| target_action(&parts.headers))
        {
            Err(e) => (Err(e), true, None),
            Ok(action) => {
                let result = match parse_body(&bytes) {
                    Ok(body) => run_action(&state, action, body).await,
                    Err(e) => Err(e),
                };
                (result, true, Some(action.to_string()))
            }
        },
    };
    let action = action.as_deref().unwrap_or("-");
    let mut response = match result {
        Ok(value) => {
            tracing::debug!(
                action,
                elapsed_us = started.elapsed().as_micros() as u64,
                "ok"
            );
            json_response(StatusCode::OK, &value)
        }
        Err(error) => {
            if error.status() == StatusCode::SERVICE_UNAVAILABLE {
                // Expected while the disk is full or the server stops: one line per request
                // would flood the log; the store says once that it cannot write.
                tracing::debug!(
                    action,
                    code = error.code(),
                    message = error.message(),
                    "unavailable"
                );
            } else if error.is_internal() {
                tracing::error!(
                    action,
                    code = error.code(),
                    message = error.message(),
                    "failed"
                );
            } else {
                tracing::debug!(
                    action,
                    code = error.code(),
                    message = error.message(),
                    "refused"
                );
            }
            json_response(error.status(), &error.body())
        }
    };
    add_request_id(&mut response);
    if !keep_alive {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// With access keys configured, the request must carry a valid SigV4 signature
/// ([`crate::sigv4`]), or, without an `Authorization` header, come from a signed-in console
/// page ([`crate::sessions`]: session cookie, anti-forgery token, same origin); without keys,
/// anything goes.
fn authenticate(
    state: &AppState,
    parts: &axum::http::request::Parts,
    body: &[u8],
) -> Result<(), ApiError> {
    let Some(auth) = &state.config.auth else {
        return Ok(());
    };
    let has_authorization = parts
        .headers
        .contains_key(axum::http::header::AUTHORIZATION);
    let has_session =
        crate::sessions::cookie(&parts.headers, crate::sessions::SESSION_COOKIE).is_some();
    if !has_authorization && has_session {
        let key = crate::sessions::check_console_change(auth, &parts.headers)?;
        tracing::trace!(access_key_id = %key, "console session verified");
        return Ok(());
    }
    let key = crate::sigv4::verify(
        &auth.keys,
        &state.config.identity.region,
        std::time::SystemTime::now(),
        parts,
        body,
    )?;
    tracing::trace!(access_key_id = %key, "signature verified");
    Ok(())
}

/// Runs a handler; a panic inside it (a bug) becomes an `InternalFailure` answer instead of a
/// dropped connection.
async fn run_action(state: &AppState, action: &str, body: Value) -> Result<Value, ApiError> {
    let run = std::panic::AssertUnwindSafe(actions::dispatch(state, action, body));
    match run.catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(action, panic = %what, "handler panicked");
            Err(ApiError::internal(
                "The server failed to handle the request",
            ))
        }
    }
}

/// An error answer as every path of the server sends it: AWS's JSON body, its status, and a
/// request id.
pub fn error_response(error: &ApiError) -> Response {
    let mut response = json_response(error.status(), &error.body());
    add_request_id(&mut response);
    response
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE_JSON));
    response
}

fn add_request_id(response: &mut Response) {
    /// Named once: a `&str` name would be parsed and checked on every answer.
    static REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
    if let Ok(id) = HeaderValue::from_str(&crate::ids::uuid_v4()) {
        response.headers_mut().insert(&REQUEST_ID, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let mut h = HeaderMap::new();
        assert_eq!(
            target_action(&h).unwrap_err().code(),
            "UnknownOperationException"
        );
        h.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSStepFunctions.ListStateMachines"),
        );
        assert_eq!(target_action(&h).unwrap(), "ListStateMachines");
        h.insert(
            "x-amz-target",
            HeaderValue::from_static("DynamoDB_20120810.ListTables"),
        );
        assert!(target_action(&h).is_err());
    }

    #[test]
    fn bodies() {
        assert_eq!(parse_body(b"").unwrap(), serde_json::json!({}));
        assert_eq!(
            parse_body(b" {\"a\":1}").unwrap(),
            serde_json::json!({"a": 1})
        );
        assert_eq!(
            parse_body(b"{").unwrap_err().code(),
            "SerializationException"
        );
    }
}
