//! What a function invocation returns, and the shapes Step Functions makes of it.
//!
//! Both ways of running a function (a local command, a Lambda Invoke API endpoint) produce an
//! [`InvokeResponse`], what Lambda's Invoke API answers: a status, a payload, maybe a
//! `X-Amz-Function-Error`, and headers. This module turns it into what AWS Step Functions
//! reports, which is what definitions written for AWS select from:
//!
//! - a function error: the error is the payload's `errorType` (`Lambda.Unknown` when there is
//!   none) and the cause is the payload as the function wrote it, so `Retry`/`Catch` on the
//!   function's own error names work;
//! - `lambda:invoke`: `{ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata,
//!   StatusCode}`, with the headers Lambda sends (recorded from AWS: `X-Amz-Executed-Version`,
//!   `x-amzn-Remapped-Content-Length`, `Connection`, `x-amzn-RequestId`, `Content-Length`,
//!   `Date`, `X-Amzn-Trace-Id`, `Content-Type`);
//! - the plain function ARN: the payload itself.

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use serde_json::{Map, Value};
use switchback_engine::task::TaskOutcome;

use crate::resource::FunctionRef;

/// Lambda's `InvocationType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InvocationType {
    RequestResponse,
    Event,
    DryRun,
}

impl InvocationType {
    pub fn as_str(self) -> &'static str {
        match self {
            InvocationType::RequestResponse => "RequestResponse",
            InvocationType::Event => "Event",
            InvocationType::DryRun => "DryRun",
        }
    }
}

/// One call of a function.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub function: FunctionRef,
    /// A fresh id, Lambda's request id: `AWS_REQUEST_ID`, `x-amzn-RequestId`, `RequestId`.
    pub request_id: String,
    /// The event, as JSON text.
    pub event: Bytes,
    pub invocation_type: InvocationType,
    /// `ClientContext` (base64 JSON), passed on as given.
    pub client_context: Option<String>,
    /// `LogType: Tail`: return the end of the log in `LogResult`.
    pub log_tail: bool,
    pub idempotency_key: Arc<str>,
    pub task_token: Option<Arc<str>>,
}

/// What the Invoke API answered.
#[derive(Debug, Clone)]
pub(crate) struct InvokeResponse {
    /// 200 (RequestResponse), 202 (Event) or 204 (DryRun).
    pub status: u16,
    pub payload: Bytes,
    /// `X-Amz-Function-Error` (`Unhandled` or `Handled`).
    pub function_error: Option<String>,
    pub executed_version: String,
    pub request_id: String,
    /// The response headers with AWS's spelling of their names, in the order sent.
    pub headers: Vec<(String, String)>,
    /// `X-Amz-Log-Result`: the end of the log, base64.
    pub log_result: Option<String>,
}

impl InvokeResponse {
    /// A response as Lambda would send it, for a function Switchback ran itself.
    pub fn local(
        invocation: &Invocation,
        status: u16,
        payload: Bytes,
        function_error: Option<&str>,
        log_result: Option<String>,
    ) -> InvokeResponse {
        let executed_version = executed_version(invocation.function.qualifier.as_deref());
        let mut headers = vec![
            (
                "X-Amz-Executed-Version".to_string(),
                executed_version.clone(),
            ),
            (
                "x-amzn-Remapped-Content-Length".to_string(),
                "0".to_string(),
            ),
            ("Connection".to_string(), "keep-alive".to_string()),
            (
                "x-amzn-RequestId".to_string(),
                invocation.request_id.clone(),
            ),
            ("Content-Length".to_string(), payload.len().to_string()),
            (
                "Date".to_string(),
                httpdate::fmt_http_date(SystemTime::now()),
            ),
            ("X-Amzn-Trace-Id".to_string(), trace_id()),
            ("Content-Type".to_string(), "application/json".to_string()),
        ];
        if let Some(error) = function_error {
            headers.push(("X-Amz-Function-Error".to_string(), error.to_string()));
        }
        if let Some(log) = &log_result {
            headers.push(("X-Amz-Log-Result".to_string(), log.clone()));
        }
        InvokeResponse {
            status,
            payload,
            function_error: function_error.map(str::to_string),
            executed_version,
            request_id: invocation.request_id.clone(),
            headers,
            log_result,
        }
    }

    /// How Step Functions ends the task for this response. `invoke_shape`: the
    /// `lambda:invoke` result shape rather than the bare payload.
    pub fn outcome(&self, invoke_shape: bool) -> TaskOutcome {
        if self.function_error.is_some() {
            return function_error(&self.payload);
        }
        if invoke_shape {
            TaskOutcome::Succeeded(self.invoke_result())
        } else {
            TaskOutcome::Succeeded(payload_value(&self.payload))
        }
    }

    /// The `lambda:invoke` result.
    pub fn invoke_result(&self) -> Value {
        let mut all = Map::new();
        for (name, value) in &self.headers {
            match all.get_mut(name) {
                Some(Value::Array(values)) => values.push(Value::String(value.clone())),
                _ => {
                    all.insert(
                        name.clone(),
                        Value::Array(vec![Value::String(value.clone())]),
                    );
                }
            }
        }
        // `HttpHeaders` keeps one value per name, sorted as AWS's SDK sorts them (by name,
        // ignoring case).
        let mut single: Vec<(&String, &String)> = Vec::new();
        for (name, value) in &self.headers {
            match single
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                Some(entry) => entry.1 = value,
                None => single.push((name, value)),
            }
        }
        single.sort_by_key(|(name, _)| name.to_ascii_lowercase());
        let single: Map<String, Value> = single
            .into_iter()
            .map(|(n, v)| (n.clone(), Value::String(v.clone())))
            .collect();

        let mut metadata = Map::new();
        metadata.insert("AllHttpHeaders".into(), Value::Object(all));
        metadata.insert("HttpHeaders".into(), Value::Object(single));
        metadata.insert("HttpStatusCode".into(), Value::from(self.status));

        let mut result = Map::new();
        result.insert(
            "ExecutedVersion".into(),
            Value::String(self.executed_version.clone()),
        );
        if let Some(log) = &self.log_result {
            result.insert("LogResult".into(), Value::String(log.clone()));
        }
        let payload = if self.status == 200 {
            payload_value(&self.payload)
        } else {
            // Event and DryRun invocations return no payload.
            Value::String(String::new())
        };
        result.insert("Payload".into(), payload);
        result.insert("SdkHttpMetadata".into(), Value::Object(metadata));
        let mut response_metadata = Map::new();
        response_metadata.insert("RequestId".into(), Value::String(self.request_id.clone()));
        result.insert(
            "SdkResponseMetadata".into(),
            Value::Object(response_metadata),
        );
        result.insert("StatusCode".into(), Value::from(self.status));
        Value::Object(result)
    }
}

/// `$LATEST` unless a version number was asked for (an alias would resolve to a version that
/// Switchback does not know, so it reports `$LATEST`).
fn executed_version(qualifier: Option<&str>) -> String {
    match qualifier {
        Some(q) if !q.is_empty() && q.chars().all(|c| c.is_ascii_digit()) => q.to_string(),
        _ => "$LATEST".to_string(),
    }
}

/// The payload as a JSON value: its JSON, `null` when empty, and the text as a string when it
/// is not JSON (a custom runtime may answer anything).
pub(crate) fn payload_value(payload: &[u8]) -> Value {
    let text = String::from_utf8_lossy(payload);
    if text.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned()))
}

/// A function error as Step Functions reports it: the error is the payload's `errorType`
/// (`Lambda.Unknown` without one) and the cause is the payload as written.
pub(crate) fn function_error(payload: &[u8]) -> TaskOutcome {
    let text = String::from_utf8_lossy(payload).trim().to_string();
    let error = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| {
            v.get("errorType")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "Lambda.Unknown".to_string());
    TaskOutcome::Failed { error, cause: text }
}

/// The error payload Lambda itself writes (`Runtime.ExitError`, `Sandbox.Timedout`, ...),
/// with Switchback's `extra` fields (e.g. the end of stderr) after AWS's own.
pub(crate) fn lambda_error_payload(
    error_type: &str,
    message: String,
    extra: &[(&str, String)],
) -> Bytes {
    let mut object = Map::new();
    object.insert("errorType".into(), Value::String(error_type.to_string()));
    object.insert("errorMessage".into(), Value::String(message));
    for (key, value) in extra {
        if !value.is_empty() {
            object.insert((*key).to_string(), Value::String(value.clone()));
        }
    }
    Bytes::from(Value::Object(object).to_string())
}

/// The cause of an AWS SDK service exception, as the Java SDK writes it, which is what Step
/// Functions reports: `MESSAGE (Service: AWSLambda; Status Code: 404; Error Code: CODE;
/// Request ID: ID; Proxy: null)`.
pub(crate) fn service_exception_cause(
    message: &str,
    status: u16,
    code: &str,
    request_id: &str,
) -> String {
    format!(
        "{message} (Service: AWSLambda; Status Code: {status}; Error Code: {code}; Request ID: {request_id}; Proxy: null)"
    )
}

/// A fresh request id (a UUID, as Lambda's).
pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An X-Ray trace header as Lambda returns it.
fn trace_id() -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let random = uuid::Uuid::new_v4().simple().to_string();
    let parent = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "root=1-{now:08x}-{};parent={};sampled=0",
        &random[..24],
        &parent[..16]
    )
}

/// A header name as AWS's SDK reports Lambda's headers (it keeps the server's spelling; these
/// are Lambda's); other names in the usual capitalisation.
pub(crate) fn aws_header_name(name: &str) -> String {
    let known = [
        "Connection",
        "Content-Length",
        "Content-Type",
        "Date",
        "X-Amz-Executed-Version",
        "X-Amz-Function-Error",
        "X-Amz-Log-Result",
        "x-amzn-Remapped-Content-Length",
        "x-amzn-RequestId",
        "X-Amzn-Trace-Id",
    ];
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        return (*k).to_string();
    }
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invocation() -> Invocation {
        Invocation {
            function: crate::resource::parse_function_name("pay").unwrap(),
            request_id: "6bc28136-5b43-4a5c-a1b8-4e2a1d6f2c4b".into(),
            event: Bytes::from_static(b"{}"),
            invocation_type: InvocationType::RequestResponse,
            client_context: None,
            log_tail: false,
            idempotency_key: Arc::from("k"),
            task_token: None,
        }
    }

    #[test]
    fn the_invoke_result_has_aws_shape() {
        let response = InvokeResponse::local(
            &invocation(),
            200,
            Bytes::from_static(b"{\"ok\":true}"),
            None,
            None,
        );
        let result = response.invoke_result();
        let keys: Vec<&String> = result.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "ExecutedVersion",
                "Payload",
                "SdkHttpMetadata",
                "SdkResponseMetadata",
                "StatusCode"
            ]
        );
        assert_eq!(result["Payload"], serde_json::json!({"ok": true}));
        assert_eq!(result["StatusCode"], 200);
        assert_eq!(
            result["SdkResponseMetadata"]["RequestId"],
            "6bc28136-5b43-4a5c-a1b8-4e2a1d6f2c4b"
        );
        let http = &result["SdkHttpMetadata"];
        assert_eq!(http["HttpStatusCode"], 200);
        assert_eq!(
            http["AllHttpHeaders"]["Content-Length"],
            serde_json::json!(["11"])
        );
        assert_eq!(
            http["HttpHeaders"]["x-amzn-RequestId"],
            "6bc28136-5b43-4a5c-a1b8-4e2a1d6f2c4b"
        );
        let sorted: Vec<&String> = http["HttpHeaders"].as_object().unwrap().keys().collect();
        assert_eq!(
            sorted,
            [
                "Connection",
                "Content-Length",
                "Content-Type",
                "Date",
                "X-Amz-Executed-Version",
                "x-amzn-Remapped-Content-Length",
                "x-amzn-RequestId",
                "X-Amzn-Trace-Id"
            ]
        );
    }

    #[test]
    fn function_errors_take_the_error_type() {
        let outcome = function_error(br#"{"errorType": "PaymentDeclined", "errorMessage": "no"}"#);
        assert_eq!(
            outcome,
            TaskOutcome::Failed {
                error: "PaymentDeclined".into(),
                cause: r#"{"errorType": "PaymentDeclined", "errorMessage": "no"}"#.into()
            }
        );
        let TaskOutcome::Failed { error, .. } = function_error(b"boom") else {
            panic!()
        };
        assert_eq!(error, "Lambda.Unknown");
    }

    #[test]
    fn payloads_that_are_not_json_become_strings() {
        assert_eq!(payload_value(b""), Value::Null);
        assert_eq!(payload_value(b" 0.0 "), serde_json::json!(0.0));
        assert_eq!(payload_value(b"hello"), Value::String("hello".into()));
    }

    #[test]
    fn header_names_are_spelled_as_aws_spells_them() {
        assert_eq!(aws_header_name("x-amzn-requestid"), "x-amzn-RequestId");
        assert_eq!(aws_header_name("content-type"), "Content-Type");
        assert_eq!(aws_header_name("x-custom-thing"), "X-Custom-Thing");
    }
}
