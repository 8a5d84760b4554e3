//! An HTTP Task's exchange as TestState's `TRACE` level shows it: `inspectionData.request`
//! (`protocol`, `method`, `url`, `headers`, `body`) and `inspectionData.response`
//! (`protocol`, `statusCode`, `statusMessage`, `headers`, `body`), every field a string, the
//! headers as one `[Name: value, Name: value]` text.
//!
//! The headers a connection adds (its credentials) are left out unless the caller reveals
//! secrets (TestState's `revealSecrets`), as AWS leaves out what its EventBridge connection
//! adds.

use bytes::Bytes;
use http::response::Parts;
use http::HeaderMap;
use serde_json::{json, Value};

use super::request::HttpRequest;

/// The request as sent.
pub(crate) fn request(http: &HttpRequest, reveal_secrets: bool) -> Value {
    let shown = |name: &http::HeaderName| reveal_secrets || !http.secret_headers.contains(name);
    json!({
        "protocol": protocol(http),
        "method": http.method.as_str(),
        "url": http.url,
        "headers": headers(&http.headers, shown),
        "body": http
            .body
            .as_deref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default(),
    })
}

/// The response as received.
pub(crate) fn response(http: &HttpRequest, parts: &Parts, body: &Bytes) -> Value {
    let message = parts
        .extensions
        .get::<hyper::ext::ReasonPhrase>()
        .and_then(|r| std::str::from_utf8(r.as_bytes()).ok())
        .map(str::to_string)
        .or_else(|| parts.status.canonical_reason().map(str::to_string))
        .unwrap_or_default();
    json!({
        "protocol": protocol(http),
        "statusCode": parts.status.as_u16().to_string(),
        "statusMessage": message,
        "headers": headers(&parts.headers, |_| true),
        "body": String::from_utf8_lossy(body),
    })
}

fn protocol(http: &HttpRequest) -> &str {
    http.uri.scheme_str().unwrap_or("https")
}

/// `[Name: value, Name: value]`, in the order the headers were set.
fn headers(map: &HeaderMap, shown: impl Fn(&http::HeaderName) -> bool) -> String {
    let pairs: Vec<String> = map
        .iter()
        .filter(|(name, _)| shown(name))
        .map(|(name, value)| format!("{}: {}", name, String::from_utf8_lossy(value.as_bytes())))
        .collect();
    format!("[{}]", pairs.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderName, HeaderValue, Method, Uri};

    fn sent() -> HttpRequest {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.insert("authorization", HeaderValue::from_static("Bearer s3cret"));
        HttpRequest {
            method: Method::POST,
            uri: Uri::from_static("http://127.0.0.1:9/orders"),
            url: "http://127.0.0.1:9/orders".into(),
            host: "127.0.0.1".into(),
            headers,
            body: Some(br#"{"id":1}"#.to_vec()),
            secret_headers: vec![HeaderName::from_static("authorization")],
        }
    }

    #[test]
    fn the_connection_s_headers_are_shown_only_when_secrets_are_revealed() {
        let hidden = request(&sent(), false);
        assert_eq!(hidden["protocol"], "http");
        assert_eq!(hidden["method"], "POST");
        assert_eq!(hidden["headers"], "[content-type: application/json]");
        assert_eq!(hidden["body"], r#"{"id":1}"#);
        let revealed = request(&sent(), true);
        assert_eq!(
            revealed["headers"],
            "[content-type: application/json, authorization: Bearer s3cret]"
        );
    }
}
