//! Functions behind a Lambda Invoke API endpoint: `POST {url}/2015-03-31/functions/{NAME}/
//! invocations[?Qualifier=Q]`, as `sam local start-lambda`, the Lambda runtime interface
//! emulator and other local Lambda servers serve it.
//!
//! The request carries what the AWS SDK sends (`X-Amz-Invocation-Type`, `X-Amz-Log-Type`,
//! `X-Amz-Client-Context`) plus `X-Switchback-Idempotency-Key`. Failures are named as Step
//! Functions names AWS SDK exceptions of the Lambda client:
//!
//! - an error status: `Lambda.<ErrorCode>` (from `x-amzn-ErrorType` or the body's `__type`;
//!   by status otherwise: 404 `ResourceNotFoundException`, 429 `TooManyRequestsException`,
//!   else `ServiceException`), cause in the Java SDK's words;
//! - the endpoint cannot be reached: `Lambda.SdkClientException` ("Unable to execute HTTP
//!   request: ..."), which is what AWS's SDK raises when it gets no response, and which the
//!   retriers AWS recommends for Lambda tasks already match;
//! - no answer within `timeout_seconds`: `Lambda.ClientExecutionTimeoutException`.

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use switchback_engine::task::TaskOutcome;

use super::result::{
    aws_header_name, request_id as fresh_request_id, service_exception_cause, Invocation,
    InvokeResponse,
};
use crate::config::Endpoint;
use crate::http_client::{describe, Client};

/// Characters left as they are in a path segment or query value: RFC 3986's unreserved set.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The most of a response read (Lambda's 6 MB limit, and some).
const MAX_RESPONSE_BYTES: usize = 7 * 1024 * 1024;

/// Invokes the function at `endpoint`. `Err` is how the task ends when Lambda (the endpoint)
/// fails, as opposed to the function.
pub(crate) async fn invoke(
    client: Result<&Client, &str>,
    endpoint: &Endpoint,
    invocation: &Invocation,
    config_file: &str,
) -> Result<InvokeResponse, TaskOutcome> {
    let url = format!(
        "{}{}",
        endpoint.base,
        path(
            &invocation.function.name,
            invocation.function.qualifier.as_deref()
        )
    );
    let unreachable = |detail: String| {
        TaskOutcome::Failed {
        error: "Lambda.SdkClientException".into(),
        cause: format!(
            "Unable to execute HTTP request: {detail}. Switchback could not reach the Lambda Invoke API at {} (`{}` in {config_file}): start that endpoint (for example `sam local start-lambda`) or correct the URL.",
            endpoint.base, endpoint.field
        ),
    }
    };
    let client = client.map_err(|e| unreachable(e.to_string()))?;

    let mut request = Request::builder().method(Method::POST).uri(&url);
    for (name, value) in headers(invocation) {
        request = request.header(name, value);
    }
    let request = request
        .header("X-Switchback-Idempotency-Key", &*invocation.idempotency_key)
        .body(Full::new(invocation.event.clone()))
        .map_err(|e| unreachable(format!("invalid request to {url}: {e}")))?;

    let exchange = async {
        let response = client.request(request).await.map_err(|e| describe(&e))?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| format!("reading the response: {e}"))?
            .to_bytes();
        Ok::<_, String>((parts, body))
    };
    let (parts, body) = match tokio::time::timeout(endpoint.timeout, exchange).await {
        Ok(Ok(done)) => done,
        Ok(Err(detail)) => return Err(unreachable(detail)),
        Err(_) => {
            return Err(TaskOutcome::Failed {
                error: "Lambda.ClientExecutionTimeoutException".into(),
                cause: format!(
                    "Client execution did not complete before the specified timeout configuration. The function at {url} did not answer within {} s; raise `timeout_seconds` next to `{}` in {config_file} if it needs longer.",
                    endpoint.timeout.as_secs(),
                    endpoint.field
                ),
            })
        }
    };
    read_answer(parts.status, &parts.headers, body)
}

/// The Invoke API's path and query for `function_name` (a name or an ARN) and `qualifier`.
pub(crate) fn path(function_name: &str, qualifier: Option<&str>) -> String {
    let mut path = format!(
        "/2015-03-31/functions/{}/invocations",
        utf8_percent_encode(function_name, UNRESERVED)
    );
    if let Some(qualifier) = qualifier {
        path.push_str("?Qualifier=");
        path.push_str(&utf8_percent_encode(qualifier, UNRESERVED).to_string());
    }
    path
}

/// The headers the AWS SDK sends with an Invoke call.
pub(crate) fn headers(invocation: &Invocation) -> impl Iterator<Item = (&'static str, String)> {
    [
        ("Content-Type", Some("application/json".to_string())),
        (
            "X-Amz-Invocation-Type",
            Some(invocation.invocation_type.as_str().to_string()),
        ),
        (
            "X-Amz-Log-Type",
            Some(if invocation.log_tail { "Tail" } else { "None" }.to_string()),
        ),
        ("X-Amz-Client-Context", invocation.client_context.clone()),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name, v)))
}

/// Reads the Invoke API's answer: the function's response, or how the task ends when Lambda
/// (the endpoint) failed, as opposed to the function.
pub(crate) fn read_answer(
    status: StatusCode,
    headers: &http::HeaderMap,
    body: Bytes,
) -> Result<InvokeResponse, TaskOutcome> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let request_id = header("x-amzn-requestid")
        .or_else(|| header("x-amz-request-id"))
        .unwrap_or_else(fresh_request_id);

    if !status.is_success() {
        return Err(service_error(status, headers, &body, &request_id));
    }

    let spelled = headers
        .iter()
        .filter_map(|(name, value)| {
            value
                .to_str()
                .ok()
                .map(|v| (aws_header_name(name.as_str()), v.to_string()))
        })
        .collect();
    Ok(InvokeResponse {
        status: status.as_u16(),
        payload: body,
        function_error: header("x-amz-function-error").filter(|e| !e.is_empty()),
        executed_version: header("x-amz-executed-version").unwrap_or_else(|| "$LATEST".to_string()),
        request_id,
        headers: spelled,
        log_result: header("x-amz-log-result"),
    })
}

/// An error status of the Invoke API, as Step Functions reports the SDK's exception.
fn service_error(
    status: StatusCode,
    headers: &http::HeaderMap,
    body: &Bytes,
    request_id: &str,
) -> TaskOutcome {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let field = |names: &[&str]| {
        json.as_ref().and_then(|j| {
            names
                .iter()
                .find_map(|n| j.get(*n).and_then(Value::as_str).map(str::to_string))
        })
    };
    let code = headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(':').next().unwrap_or(v).to_string())
        .or_else(|| {
            field(&["__type", "code", "Code"])
                .map(|t| t.rsplit('#').next().unwrap_or(&t).to_string())
        })
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| {
            match status.as_u16() {
                404 => "ResourceNotFoundException",
                429 => "TooManyRequestsException",
                _ => "ServiceException",
            }
            .to_string()
        });
    let message = field(&["message", "Message", "errorMessage"]).unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body).trim().to_string();
        if text.is_empty() {
            status.canonical_reason().unwrap_or("Error").to_string()
        } else {
            text
        }
    });
    TaskOutcome::Failed {
        error: format!("Lambda.{code}"),
        cause: service_exception_cause(&message, status.as_u16(), &code, request_id),
    }
}
