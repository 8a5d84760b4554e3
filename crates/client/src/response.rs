//! Turning an HTTP response into a JSON value or a [`ClientError`].

use serde_json::{Map, Value};

use crate::ClientError;

/// Decodes a response of `action`: a 2xx body as JSON (an empty body as `{}`, as some actions
/// answer), an error status as [`ClientError::Api`] when it is AWS-shaped.
///
/// `header_kind` is the `x-amzn-errortype` header, which AWS sends beside `__type` and which
/// some servers send instead of it.
pub fn decode(
    action: &str,
    status: u16,
    header_kind: Option<&str>,
    body: &[u8],
) -> Result<Value, ClientError> {
    if (200..300).contains(&status) {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Map::new()));
        }
        return serde_json::from_slice(body).map_err(|e| ClientError::Decode {
            action: action.to_string(),
            reason: format!("body is not JSON ({e}): {}", excerpt(body)),
        });
    }
    let doc: Option<Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        doc.as_ref()
            .and_then(|d| d.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let kind = field("__type")
        .map(|t| error_name(&t).to_string())
        .or_else(|| header_kind.map(|h| header_error_name(h).to_string()))
        .filter(|k| !k.is_empty());
    match kind {
        Some(kind) => Err(ClientError::Api {
            kind,
            message: field("message")
                .or_else(|| field("Message"))
                .unwrap_or_default(),
            status,
        }),
        None => Err(ClientError::Status {
            action: action.to_string(),
            status,
            body: excerpt(body),
        }),
    }
}

/// `com.amazonaws.states#ExecutionDoesNotExist` to `ExecutionDoesNotExist`.
fn error_name(type_field: &str) -> &str {
    type_field.rsplit('#').next().unwrap_or(type_field)
}

/// The header form may carry a suffix after `:` (`Name:http://internal.amazon.com/...`).
fn header_error_name(header: &str) -> &str {
    error_name(header.split(':').next().unwrap_or(header))
}

/// The start of a body as text, for error messages.
fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 500;
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn success_is_json() {
        let v = decode("X", 200, None, br#"{"a":1}"#).expect("ok");
        assert_eq!(v, json!({"a": 1}));
        assert_eq!(decode("X", 200, None, b"").expect("ok"), json!({}));
    }

    #[test]
    fn qualified_and_bare_error_types() {
        for body in [
            r#"{"__type":"com.amazonaws.states#ExecutionDoesNotExist","message":"nope"}"#,
            r#"{"__type":"ExecutionDoesNotExist","Message":"nope"}"#,
        ] {
            match decode("X", 400, None, body.as_bytes()) {
                Err(ClientError::Api {
                    kind,
                    message,
                    status,
                }) => {
                    assert_eq!(kind, "ExecutionDoesNotExist");
                    assert_eq!(message, "nope");
                    assert_eq!(status, 400);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn header_kind_is_the_fallback() {
        let err = decode("X", 500, Some("InternalFailure:http://x"), b"{}").expect_err("error");
        assert_eq!(err.api_kind(), Some("InternalFailure"));
    }

    #[test]
    fn non_aws_error_body_keeps_the_status() {
        let err = decode("X", 502, None, b"Bad Gateway").expect_err("error");
        assert!(
            matches!(err, ClientError::Status { status: 502, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn non_json_success_is_a_decode_error() {
        let err = decode("X", 200, None, b"<html>").expect_err("error");
        assert!(matches!(err, ClientError::Decode { .. }), "{err:?}");
    }
}
