//! Reading an HTTP Task's Parameters into the request AWS would send.
//!
//! From AWS's "Call HTTPS APIs in Step Functions workflows": `ApiEndpoint` and `Method` (GET,
//! POST, PUT, DELETE, PATCH, OPTIONS, HEAD) are required; `Headers` may not set a list of
//! reserved headers (`Authorization`, `Host`, `x-amz-*`, ...: `States.Runtime`);
//! `QueryParameters` are URL-encoded onto the URL; `RequestBody` is sent as JSON unless
//! `Transform.RequestBodyEncoding` is `URL_ENCODED`; the connection's headers, query and body
//! parameters are merged in and win over the task's, and a string body cannot be merged with
//! connection body parameters (`States.Runtime`). Step Functions adds `User-Agent:
//! Amazon|StepFunctions|HttpInvoke|REGION`, `Range: bytes=0-262144` and, for a body,
//! `Content-Type: application/json; charset=UTF-8`.
//!
//! Unlike AWS, a connection is optional, and one that is given must be configured in
//! `[connections.NAME]` (`Events.ConnectionResource.ResourceNotFound` otherwise): Switchback
//! takes credentials from its configuration, never from the definition.

use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, RANGE, USER_AGENT};
use http::{HeaderMap, Method, Uri};
use serde_json::{Map, Value};
use switchback_engine::task::TaskOutcome;

use super::encoding::{self, ArrayFormat};
use crate::config::Settings;
use crate::resource::DEFAULT_REGION;

/// Headers a definition may not set (AWS's list; `x-forwarded-*`, `x-amz-*` and `x-amzn-*`
/// are prefixes).
const RESERVED_HEADERS: &[&str] = &[
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];
const RESERVED_PREFIXES: &[&str] = &["x-forwarded-", "x-amz-", "x-amzn-"];

/// The request to send.
#[derive(Debug)]
pub(crate) struct HttpRequest {
    pub method: Method,
    pub uri: Uri,
    /// The URL as sent, for messages.
    pub url: String,
    /// The host, lower-case, for the allow-list.
    pub host: String,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
    /// The headers the connection added (its credentials): left out of a TestState trace
    /// unless it reveals secrets.
    pub secret_headers: Vec<http::HeaderName>,
}

fn runtime(cause: String) -> TaskOutcome {
    TaskOutcome::Failed {
        error: "States.Runtime".into(),
        cause,
    }
}

/// Reads `input` (the task's Parameters) into a request.
pub(crate) fn read(input: &Value, settings: &Settings) -> Result<HttpRequest, TaskOutcome> {
    let Some(input) = input.as_object() else {
        return Err(runtime(format!(
            "An HTTP Task needs an object with `ApiEndpoint` and `Method` as its Parameters, but its input is {input}."
        )));
    };

    let endpoint = match input.get("ApiEndpoint") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        _ => {
            return Err(runtime(
                "The HTTP Task's Parameters need `ApiEndpoint`, the URL to call, as a string."
                    .into(),
            ))
        }
    };
    let method = match input.get("Method").and_then(Value::as_str) {
        Some(m @ ("GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS" | "HEAD")) => {
            Method::from_bytes(m.as_bytes()).map_err(|e| runtime(e.to_string()))?
        }
        Some(other) => {
            return Err(runtime(format!(
                "The HTTP Task's `Method` is {other:?}; it must be one of GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD."
            )))
        }
        None => {
            return Err(runtime(
                "The HTTP Task's Parameters need `Method` (GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD)."
                    .into(),
            ))
        }
    };

    let connection = match connection_arn(input) {
        Some(arn) => {
            let name = connection_name(arn);
            match name.and_then(|n| settings.connections.get(n)) {
                Some(connection) => Some(connection),
                None => {
                    return Err(TaskOutcome::Failed {
                        error: "Events.ConnectionResource.ResourceNotFound".into(),
                        cause: format!(
                            "Connection {arn} is not configured. Switchback takes an HTTP Task's credentials from its configuration, not from EventBridge: add [connections.{}] to {} with `headers`, `query`, `basic = {{ username = \"...\", password = \"...\" }}`, `bearer = \"...\"` or `api_key = {{ name = \"...\", value = \"...\" }}`.",
                            name.unwrap_or("NAME"),
                            settings.file
                        ),
                    })
                }
            }
        }
        None => None,
    };

    // Headers: the task's, then the connection's over them.
    let mut headers = HeaderMap::new();
    match input.get("Headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) => {
            for (name, value) in fields {
                let lower = name.to_ascii_lowercase();
                if RESERVED_HEADERS.contains(&lower.as_str())
                    || RESERVED_PREFIXES.iter().any(|p| lower.starts_with(p))
                {
                    return Err(runtime(format!(
                        "The header '{name}' is not allowed in an HTTP Task definition. Put credentials in a connection ([connections.NAME] in {}).",
                        settings.file
                    )));
                }
                let text = match value {
                    Value::Array(items) => items
                        .iter()
                        .map(encoding::scalar_text)
                        .collect::<Vec<_>>()
                        .join(","),
                    Value::Object(_) => {
                        return Err(runtime(format!(
                            "The value of header '{name}' must be a string, not an object."
                        )))
                    }
                    scalar => encoding::scalar_text(scalar),
                };
                let header_name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| runtime(format!("'{name}' is not a valid HTTP header name.")))?;
                let header_value = HeaderValue::from_str(&text).map_err(|_| {
                    runtime(format!(
                        "The value of header '{name}' is not a valid HTTP header value."
                    ))
                })?;
                headers.append(header_name, header_value);
            }
        }
        Some(other) => {
            return Err(runtime(format!(
                "The HTTP Task's `Headers` must be an object, not {other}."
            )))
        }
    }
    if let Some(connection) = connection {
        for (name, _) in &connection.headers {
            headers.remove(name);
        }
        for (name, value) in &connection.headers {
            headers.append(name.clone(), value.clone());
        }
    }

    // Query: the task's, then the connection's over them.
    let object_query = |mut fields: Map<String, Value>| {
        if let Some(connection) = connection {
            for (key, value) in &connection.query {
                fields.insert(key.clone(), Value::String(value.clone()));
            }
        }
        encoding::encode(&fields, ArrayFormat::Repeat)
    };
    let query = match input.get("QueryParameters") {
        None | Some(Value::Null) => object_query(Map::new()),
        Some(Value::Object(fields)) => object_query(fields.clone()),
        Some(Value::String(raw)) => {
            let mut query = raw.trim_start_matches('?').to_string();
            let extra = object_query(Map::new());
            if !extra.is_empty() {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(&extra);
            }
            query
        }
        Some(other) => {
            return Err(runtime(format!(
                "The HTTP Task's `QueryParameters` must be an object, not {other}."
            )))
        }
    };

    let (url, uri, host) = url(endpoint, &query)?;

    // Body: merged with the connection's body parameters, then serialised.
    let (url_encoded, array_format) = transform(input.get("Transform"))?;
    let connection_body = connection.map(|c| c.body.as_slice()).unwrap_or_default();
    let mut body = input.get("RequestBody").cloned();
    if !connection_body.is_empty() {
        match &mut body {
            Some(Value::String(_)) => {
                return Err(runtime(
                    "The HTTP Task's `RequestBody` is a string, so it cannot be merged with the connection's body parameters."
                        .into(),
                ))
            }
            Some(Value::Object(fields)) => {
                for (key, value) in connection_body {
                    fields.insert(key.clone(), Value::String(value.clone()));
                }
            }
            None | Some(Value::Null) => {
                body = Some(Value::Object(
                    connection_body
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect(),
                ));
            }
            Some(_) => {
                return Err(runtime(
                    "The HTTP Task's `RequestBody` must be an object to be merged with the connection's body parameters."
                        .into(),
                ))
            }
        }
    }
    let body = match body {
        None => None,
        Some(Value::String(text)) => Some(text.into_bytes()),
        Some(Value::Object(fields)) if url_encoded => {
            Some(encoding::encode(&fields, array_format).into_bytes())
        }
        Some(other) if url_encoded => {
            return Err(runtime(format!(
                "`RequestBodyEncoding` is URL_ENCODED, so `RequestBody` must be an object, not {other}."
            )))
        }
        Some(other) => Some(other.to_string().into_bytes()),
    };
    if body.is_some() && !headers.contains_key(CONTENT_TYPE) {
        let content_type = if url_encoded {
            "application/x-www-form-urlencoded"
        } else {
            "application/json; charset=UTF-8"
        };
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    let agent = format!("Amazon|StepFunctions|HttpInvoke|{DEFAULT_REGION}");
    if let Ok(agent) = HeaderValue::from_str(&agent) {
        headers.insert(USER_AGENT, agent);
    }
    headers.insert(RANGE, HeaderValue::from_static("bytes=0-262144"));

    let secret_headers = connection
        .map(|c| c.headers.iter().map(|(name, _)| name.clone()).collect())
        .unwrap_or_default();
    Ok(HttpRequest {
        method,
        uri,
        url,
        host,
        headers,
        body,
        secret_headers,
    })
}

/// `Authentication.ConnectionArn` or `InvocationConfig.ConnectionArn`.
fn connection_arn(input: &Map<String, Value>) -> Option<&str> {
    ["InvocationConfig", "Authentication"]
        .iter()
        .find_map(|key| input.get(*key)?.get("ConnectionArn")?.as_str())
        .filter(|arn| !arn.is_empty())
}

/// The NAME of `arn:aws:events:REGION:ACCOUNT:connection/NAME/ID`.
pub(crate) fn connection_name(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let rest = resource.strip_prefix("connection/")?;
    let name = rest.split('/').next()?;
    (!name.is_empty()).then_some(name)
}

/// `Transform`: whether the body is URL-encoded, and the array format.
fn transform(transform: Option<&Value>) -> Result<(bool, ArrayFormat), TaskOutcome> {
    let Some(transform) = transform.filter(|t| !t.is_null()) else {
        return Ok((false, ArrayFormat::Indices));
    };
    let url_encoded = match transform.get("RequestBodyEncoding").and_then(Value::as_str) {
        None | Some("NONE") => false,
        Some("URL_ENCODED") => true,
        Some(other) => {
            return Err(runtime(format!(
                "`Transform.RequestBodyEncoding` is {other:?}; it must be NONE or URL_ENCODED."
            )))
        }
    };
    let format = match transform
        .get("RequestEncodingOptions")
        .and_then(|o| o.get("ArrayFormat"))
        .and_then(Value::as_str)
    {
        None => ArrayFormat::Indices,
        Some(name) => ArrayFormat::parse(name).ok_or_else(|| {
            runtime(format!(
                "`Transform.RequestEncodingOptions.ArrayFormat` is {name:?}; it must be INDICES, REPEAT, COMMAS or BRACKETS."
            ))
        })?,
    };
    Ok((url_encoded, format))
}

/// The URL with the query appended, its parsed form and its host.
fn url(endpoint: &str, query: &str) -> Result<(String, Uri, String), TaskOutcome> {
    let without_fragment = endpoint.split('#').next().unwrap_or(endpoint);
    let mut url = without_fragment.to_string();
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(query);
    }
    let invalid = |why: &str| {
        runtime(format!(
            "The HTTP Task's `ApiEndpoint` {endpoint:?} is not a valid URL: {why}. Write a full URL such as \"https://api.example.com/v1/items\"."
        ))
    };
    let uri: Uri = url
        .parse()
        .map_err(|e: http::uri::InvalidUri| invalid(&e.to_string()))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(invalid("it must start with https:// or http://")),
    }
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid("it has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    Ok((url, uri, host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_names_come_from_the_arn() {
        assert_eq!(
            connection_name("arn:aws:events:us-east-1:123456789012:connection/Stripe/81210c42-8af1-456b-9c4a-6ff02fc664ac"),
            Some("Stripe")
        );
        assert_eq!(
            connection_name("arn:aws:events:us-east-1:123456789012:connection/plain"),
            Some("plain")
        );
        assert_eq!(connection_name("arn:aws:events:us-east-1:1:rule/x"), None);
        assert_eq!(connection_name("nonsense"), None);
    }
}
