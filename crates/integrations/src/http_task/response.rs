//! An HTTP Task's response as Step Functions reports it.
//!
//! The result, as AWS documents it (TestState example): `{"Headers": {"content-type":
//! ["application/json"], ...}, "ResponseBody": <the JSON, parsed, or the text>, "StatusCode":
//! 200, "StatusText": "OK"}`, header names in lower case and each value a list. A status
//! outside 2xx fails the task with `States.Http.StatusCode.<code>`; AWS's cause is then only
//! the status text (the body is not kept, as users of the HTTP Task report). A binary response
//! (`application/octet-stream`, `image/*`, `video/*`, `audio/*`) or one that is not text fails
//! with `States.Runtime`, as AWS documents.

use bytes::Bytes;
use http::response::Parts;
use serde_json::{Map, Value};
use switchback_engine::task::TaskOutcome;

/// How the task ends for this response.
pub(crate) fn outcome(parts: &Parts, body: &Bytes) -> TaskOutcome {
    let content_type = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.to_ascii_lowercase());
    let media_type = content_type
        .as_deref()
        .map(|ct| ct.split(';').next().unwrap_or(ct).trim().to_string());
    if let Some(media) = &media_type {
        if media == "application/octet-stream"
            || media.starts_with("image/")
            || media.starts_with("video/")
            || media.starts_with("audio/")
        {
            return TaskOutcome::Failed {
                error: "States.Runtime".into(),
                cause: format!(
                    "The HTTP Task's response has the content type {media}; an HTTP Task accepts only text responses."
                ),
            };
        }
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return TaskOutcome::Failed {
            error: "States.Runtime".into(),
            cause: "The HTTP Task's response body cannot be read as text (it is not UTF-8).".into(),
        };
    };

    let status_text = parts
        .extensions
        .get::<hyper::ext::ReasonPhrase>()
        .and_then(|r| std::str::from_utf8(r.as_bytes()).ok())
        .map(str::to_string)
        .or_else(|| parts.status.canonical_reason().map(str::to_string))
        .unwrap_or_default();

    if !parts.status.is_success() {
        return TaskOutcome::Failed {
            error: format!("States.Http.StatusCode.{}", parts.status.as_u16()),
            cause: status_text,
        };
    }

    let mut headers = Map::new();
    for name in parts.headers.keys() {
        let values: Vec<Value> = parts
            .headers
            .get_all(name)
            .iter()
            .map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        headers.insert(name.as_str().to_string(), Value::Array(values));
    }

    let json_like = match &media_type {
        None => true,
        Some(media) => media == "application/json" || media.ends_with("+json"),
    };
    let response_body = if json_like && !text.trim().is_empty() {
        serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
    } else {
        Value::String(text.to_string())
    };

    let mut result = Map::new();
    result.insert("Headers".into(), Value::Object(headers));
    result.insert("ResponseBody".into(), response_body);
    result.insert("StatusCode".into(), Value::from(parts.status.as_u16()));
    result.insert("StatusText".into(), Value::String(status_text));
    TaskOutcome::Succeeded(Value::Object(result))
}
