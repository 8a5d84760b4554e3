//! AWS JSON 1.0 and 1.1, the protocol of DynamoDB, SQS (its JSON protocol), EventBridge,
//! Step Functions and many more: `POST /` with the operation in `X-Amz-Target:
//! <prefix>.<Operation>`, the input as a JSON object in the body (members in PascalCase, as a
//! Task's parameters already are), the output likewise, errors with `__type`.
//!
//! A service on the AWS query protocol (SNS) is sent the same way, with its form as the body
//! and the form's content type instead of `X-Amz-Target` ([`super::query_protocol`]).
//!
//! One request is made on the crate's pooled HTTP client (connections are kept and reused
//! between calls), signed just before it goes.

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE, HOST};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};

use super::services::{Protocol, Service};
use super::settings::Endpoint;
use super::signing::{sign_request, SigningStyle};
use crate::http_client::{describe, Client};

/// How long one request may wait for its answer (the SDK for Java's socket timeout is 50 s).
pub(crate) const ANSWER_LIMIT: Duration = Duration::from_secs(60);

/// The answer to a request.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Why no answer came.
pub(crate) enum NoAnswer {
    /// The request could not be made (e.g. signing): not worth trying again.
    Request(String),
    /// No answer arrived (connection, DNS, TLS, timeout): worth trying again.
    Transport(String),
}

/// Sends one signed call of `operation` with `body` (the input as JSON, or for a service on
/// the query protocol, its form).
pub(crate) async fn send(
    client: &Client,
    endpoint: &Endpoint<'_>,
    service: &Service,
    operation: &str,
    region: &str,
    credentials: &aws_credential_types::Credentials,
    body: Bytes,
) -> Result<Answer, NoAnswer> {
    let host = host_of(&endpoint.url)
        .ok_or_else(|| NoAnswer::Request(format!("the endpoint {} has no host", endpoint.url)))?;
    let request = Request::builder()
        .method(Method::POST)
        .uri(endpoint.url.clone())
        .header(HOST, host);
    let request = match service.protocol {
        Protocol::AwsJson {
            version,
            target_prefix,
        } => request
            .header(
                CONTENT_TYPE,
                match version {
                    "1.1" => HeaderValue::from_static("application/x-amz-json-1.1"),
                    _ => HeaderValue::from_static("application/x-amz-json-1.0"),
                },
            )
            .header("x-amz-target", format!("{target_prefix}.{operation}")),
        // The operation is in the form (query_protocol.rs).
        Protocol::AwsQuery { .. } => request.header(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
        ),
    };
    let mut request = request
        .body(())
        .map_err(|e| NoAnswer::Request(format!("could not make the request: {e}")))?;
    sign_request(
        &mut request,
        &body,
        credentials,
        service.signing_name,
        region,
        SigningStyle::Standard,
    )
    .map_err(NoAnswer::Request)?;
    exchange(client, request.map(|()| Full::new(body)), &endpoint.url).await
}

/// Sends a signed request on the pooled client and reads the whole answer, waiting at most
/// [`ANSWER_LIMIT`]. Shared by every AWS protocol's calls.
pub(crate) async fn exchange(
    client: &Client,
    request: Request<Full<Bytes>>,
    url: &http::Uri,
) -> Result<Answer, NoAnswer> {
    exchange_within(client, request, url, ANSWER_LIMIT).await
}

/// [`exchange`], waiting at most `limit` (a Lambda function may take 15 minutes to answer).
pub(crate) async fn exchange_within(
    client: &Client,
    request: Request<Full<Bytes>>,
    url: &http::Uri,
    limit: Duration,
) -> Result<Answer, NoAnswer> {
    let exchange = async {
        let response = client
            .request(request)
            .await
            .map_err(|e| NoAnswer::Transport(describe(&e)))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| NoAnswer::Transport(describe(&e)))?
            .to_bytes();
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    match tokio::time::timeout(limit, exchange).await {
        Ok(answer) => answer,
        Err(_) => Err(NoAnswer::Transport(format!(
            "Read timed out (no answer from {url} within {} s)",
            limit.as_secs()
        ))),
    }
}

/// The `Host` header of a URL: its host, with the port unless it is the scheme's default.
pub(crate) fn host_of(url: &http::Uri) -> Option<String> {
    let host = url.host()?;
    let default_port = match url.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    Some(match url.port_u16() {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers() {
        let host = |u: &str| host_of(&u.parse().unwrap()).unwrap();
        assert_eq!(host("http://127.0.0.1:5000/"), "127.0.0.1:5000");
        assert_eq!(host("http://localhost:80/"), "localhost");
        assert_eq!(
            host("https://sqs.us-east-1.amazonaws.com/"),
            "sqs.us-east-1.amazonaws.com"
        );
        assert_eq!(host("https://x.example:8443/"), "x.example:8443");
    }
}
