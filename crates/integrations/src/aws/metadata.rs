//! The `SdkHttpMetadata` and `SdkResponseMetadata` members that AWS adds to the results of
//! the SQS, SNS and DynamoDB optimised integrations (Step Functions calls them with the AWS
//! SDK for Java, whose response metadata they are):
//!
//! ```json
//! "SdkHttpMetadata": {
//!   "AllHttpHeaders": {"Content-Type": ["application/x-amz-json-1.0"], ...},
//!   "HttpHeaders": {"Content-Type": "application/x-amz-json-1.0", ...},
//!   "HttpStatusCode": 200
//! },
//! "SdkResponseMetadata": {"RequestId": "..."}
//! ```
//!
//! They are made from the real response: its headers with all their values, then each with
//! its last value in case-insensitive order (Java's `TreeMap(CASE_INSENSITIVE_ORDER)`), the
//! status, and the request id header; the shape itself is built by
//! [`append_sdk_metadata`], which the runtime's nested executions share. HTTP/1 header names
//! arrive lowercased from hyper, so the names AWS's servers spell with capitals are given back
//! their spelling (`Content-Type`, `x-amzn-RequestId`), as each service spells them (SQS's
//! `connection` is lowercase, DynamoDB's `Connection` is not); other names stay as they came.
//!
//! # Which headers: `[aws] response_headers`
//!
//! On AWS, `SdkHttpMetadata` lists what AWS's endpoint for the service answered, and AWS's
//! endpoints send a small, fixed set of headers (recorded from AWS: SQS, SNS and Step
//! Functions send `Content-Length`, `Content-Type`, `Date`, `connection` and
//! `x-amzn-RequestId`; DynamoDB adds `Server` and `x-amz-crc32`; Lambda `X-Amz-Executed-Version`,
//! `X-Amzn-Trace-Id` and `x-amzn-Remapped-Content-Length`). A local emulator answers through a
//! web server that adds its own: moto sends `Server: Werkzeug/...` (and its own `server:
//! amazon.com`) and `Access-Control-Allow-Origin: *` on every service. Users who test locally
//! want the outputs they would get on AWS (a state that passes `$` on, or a test that compares
//! outputs, would otherwise see headers AWS never sends), so by default (`"aws"`) only the
//! headers AWS's endpoint sends are kept: the common ones (`Content-Type`, `Content-Length`,
//! `Date`, `Connection`, `ETag`), every AWS protocol header (`x-amz-*`, `x-amzn-*`), and
//! `Server` only for the services whose AWS endpoint sends it
//! ([`Service::server_header`](super::services::Service::server_header)); CORS headers
//! (`Access-Control-*`) never. The transport is described as AWS's endpoints answer an SDK:
//! each header once, `connection: keep-alive` (AWS keeps the SDK's pooled connection open;
//! moto's development web server closes every connection, which says nothing about the
//! service), and DynamoDB's `Server: Server` (moto sends two `Server` headers of its own).
//! `response_headers = "endpoint"` keeps every header, for who
//! wants the endpoint's raw answer.

use http::header::HeaderMap;
use http::StatusCode;
use serde_json::{Map, Value};
use switchback_engine::task::append_sdk_metadata;

use super::services::Service;

/// `[aws] response_headers`: which headers of a service's answer `SdkHttpMetadata` lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum ResponseHeaders {
    /// Those AWS's endpoint for the service sends (the default).
    #[default]
    Aws,
    /// Every header the endpoint answered with.
    Endpoint,
}

impl ResponseHeaders {
    /// The setting's values, as written in `switchback.toml`.
    pub const CHOICES: [(&'static str, ResponseHeaders); 2] = [
        ("aws", ResponseHeaders::Aws),
        ("endpoint", ResponseHeaders::Endpoint),
    ];

    /// The setting written as `text`, if it is one of [`CHOICES`](Self::CHOICES).
    pub fn parse(text: &str) -> Option<ResponseHeaders> {
        Self::CHOICES
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, value)| *value)
    }
}

/// Header names as AWS's servers spell them.
const SPELLINGS: &[(&str, &str)] = &[
    ("content-type", "Content-Type"),
    ("content-length", "Content-Length"),
    ("date", "Date"),
    ("server", "Server"),
    ("connection", "Connection"),
    ("etag", "ETag"),
    ("x-amzn-requestid", "x-amzn-RequestId"),
    ("x-amz-request-id", "x-amz-request-id"),
    ("x-amz-crc32", "x-amz-crc32"),
    ("x-amz-id-2", "x-amz-id-2"),
    ("x-amzn-trace-id", "X-Amzn-Trace-Id"),
    ("x-amz-executed-version", "X-Amz-Executed-Version"),
    (
        "x-amzn-remapped-content-length",
        "x-amzn-Remapped-Content-Length",
    ),
    ("x-amz-function-error", "X-Amz-Function-Error"),
    ("x-amz-log-result", "X-Amz-Log-Result"),
];

/// The headers every AWS endpoint may send besides its protocol headers (`x-amz-*`,
/// `x-amzn-*`), lowercase.
const AWS_COMMON: &[&str] = &[
    "content-type",
    "content-length",
    "date",
    "connection",
    "etag",
];

/// Whether AWS's endpoint for `service` sends the header `name` (lowercase).
fn sent_by_aws(name: &str, service: &Service) -> bool {
    AWS_COMMON.contains(&name)
        || name.starts_with("x-amz-")
        || name.starts_with("x-amzn-")
        || (name == "server" && service.server_header)
}

/// The name of a header as AWS spells it: the service's own spelling, else the common one.
fn spelled<'a>(name: &'a str, service: &[(&'static str, &'static str)]) -> &'a str {
    service
        .iter()
        .chain(SPELLINGS)
        .find(|(lower, _)| *lower == name)
        .map_or(name, |(_, spelled)| spelled)
}

/// The request id of a response: `x-amzn-RequestId`, else `x-amz-request-id`.
pub(crate) fn request_id(headers: &HeaderMap) -> &str {
    headers
        .get("x-amzn-requestid")
        .or_else(|| headers.get("x-amz-request-id"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Appends `SdkHttpMetadata` and `SdkResponseMetadata` to the result of a call to `service`,
/// with the headers `which` says (see the module's documentation), each spelled as the
/// service spells it.
pub(crate) fn append(
    result: &mut Map<String, Value>,
    status: StatusCode,
    headers: &HeaderMap,
    service: &Service,
    which: ResponseHeaders,
) {
    let aws = which == ResponseHeaders::Aws;
    let listed: Vec<(&str, Vec<String>)> = headers
        .keys()
        .filter(|name| !aws || sent_by_aws(name.as_str(), service))
        .map(|name| {
            let mut values: Vec<String> = headers
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect();
            if aws {
                // AWS's endpoints send each header once, and keep the SDK's connection open.
                if values.len() > 1 {
                    values.drain(..values.len() - 1);
                }
                if name == http::header::CONNECTION {
                    values = vec!["keep-alive".to_string()];
                }
                // DynamoDB's endpoint names itself `Server: Server`.
                if name == http::header::SERVER {
                    values = vec!["Server".to_string()];
                }
            }
            (spelled(name.as_str(), service.header_spellings), values)
        })
        .collect();
    append_sdk_metadata(result, status.as_u16(), &listed, request_id(headers));
}

#[cfg(test)]
mod tests {
    use super::super::services::{DYNAMODB, SNS, SQS};
    use super::*;
    use serde_json::json;

    /// Headers as moto answers: its web server's and CORS headers with AWS's.
    fn moto_headers(extra: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.append("server", "Werkzeug/3.1.8 Python/3.11.7".parse().unwrap());
        headers.append("server", "amazon.com".parse().unwrap());
        headers.insert("date", "Wed, 02 Dec 2026 20:08:48 GMT".parse().unwrap());
        headers.insert(
            "content-type",
            "application/x-amz-json-1.0".parse().unwrap(),
        );
        headers.insert("x-amzn-requestid", "req-1".parse().unwrap());
        for (name, value) in extra {
            headers.insert(*name, value.parse().unwrap());
        }
        headers.insert("content-length", "2".parse().unwrap());
        headers.insert("access-control-allow-origin", "*".parse().unwrap());
        headers.insert("connection", "close".parse().unwrap());
        headers
    }

    fn names(result: &Map<String, Value>, member: &str) -> Vec<String> {
        result["SdkHttpMetadata"][member]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn the_members_aws_adds() {
        let mut result = Map::new();
        result.insert("MessageId".into(), json!("m"));
        append(
            &mut result,
            StatusCode::OK,
            &moto_headers(&[]),
            &SQS,
            ResponseHeaders::Aws,
        );
        assert_eq!(
            Value::Object(result.clone()),
            json!({
                "MessageId": "m",
                "SdkHttpMetadata": {
                    "AllHttpHeaders": {
                        "Date": ["Wed, 02 Dec 2026 20:08:48 GMT"],
                        "Content-Type": ["application/x-amz-json-1.0"],
                        "x-amzn-RequestId": ["req-1"],
                        "Content-Length": ["2"],
                        "connection": ["keep-alive"]
                    },
                    "HttpHeaders": {
                        "connection": "keep-alive",
                        "Content-Length": "2",
                        "Content-Type": "application/x-amz-json-1.0",
                        "Date": "Wed, 02 Dec 2026 20:08:48 GMT",
                        "x-amzn-RequestId": "req-1"
                    },
                    "HttpStatusCode": 200
                },
                "SdkResponseMetadata": {"RequestId": "req-1"}
            })
        );
        // Case-insensitive order, as Java's TreeMap.
        assert_eq!(
            names(&result, "HttpHeaders"),
            [
                "connection",
                "Content-Length",
                "Content-Type",
                "Date",
                "x-amzn-RequestId"
            ]
        );
    }

    #[test]
    fn aws_keeps_what_each_aws_endpoint_sends() {
        // SQS and SNS: the set recorded from AWS, without moto's Server and CORS headers.
        for service in [&SQS, &SNS] {
            let mut result = Map::new();
            append(
                &mut result,
                StatusCode::OK,
                &moto_headers(&[]),
                service,
                ResponseHeaders::Aws,
            );
            assert_eq!(
                names(&result, "HttpHeaders"),
                [
                    "connection",
                    "Content-Length",
                    "Content-Type",
                    "Date",
                    "x-amzn-RequestId"
                ],
                "{}",
                service.key
            );
        }
        // DynamoDB's endpoint sends Server (moto's two values are one header name) and its
        // checksum; the CORS header still goes.
        let mut result = Map::new();
        append(
            &mut result,
            StatusCode::OK,
            &moto_headers(&[("x-amz-crc32", "2745614147")]),
            &DYNAMODB,
            ResponseHeaders::Aws,
        );
        assert_eq!(
            names(&result, "HttpHeaders"),
            [
                "Connection",
                "Content-Length",
                "Content-Type",
                "Date",
                "Server",
                "x-amz-crc32",
                "x-amzn-RequestId"
            ]
        );
        assert_eq!(
            result["SdkHttpMetadata"]["AllHttpHeaders"]["Server"],
            json!(["Server"])
        );
        // AWS's protocol headers pass, whatever their name; other headers do not.
        let mut result = Map::new();
        append(
            &mut result,
            StatusCode::OK,
            &moto_headers(&[
                ("x-amz-id-2", "id2"),
                ("x-amzn-trace-id", "Root=1"),
                ("etag", "\"e\""),
                ("set-cookie", "a=1"),
                ("access-control-expose-headers", "x"),
                ("vary", "Origin"),
            ]),
            &SQS,
            ResponseHeaders::Aws,
        );
        assert_eq!(
            names(&result, "HttpHeaders"),
            [
                "connection",
                "Content-Length",
                "Content-Type",
                "Date",
                "ETag",
                "x-amz-id-2",
                "x-amzn-RequestId",
                "X-Amzn-Trace-Id"
            ]
        );
    }

    #[test]
    fn endpoint_keeps_every_header() {
        let mut headers = moto_headers(&[]);
        headers.append("set-cookie", "a=1".parse().unwrap());
        headers.append("set-cookie", "b=2".parse().unwrap());
        let mut result = Map::new();
        append(
            &mut result,
            StatusCode::OK,
            &headers,
            &SQS,
            ResponseHeaders::Endpoint,
        );
        assert_eq!(
            names(&result, "AllHttpHeaders"),
            [
                "Server",
                "Date",
                "Content-Type",
                "x-amzn-RequestId",
                "Content-Length",
                "access-control-allow-origin",
                "connection",
                "set-cookie"
            ]
        );
        let all = &result["SdkHttpMetadata"]["AllHttpHeaders"];
        assert_eq!(
            all["Server"],
            json!(["Werkzeug/3.1.8 Python/3.11.7", "amazon.com"])
        );
        assert_eq!(all["set-cookie"], json!(["a=1", "b=2"]));
        let one = &result["SdkHttpMetadata"]["HttpHeaders"];
        assert_eq!(one["Server"], "amazon.com");
        assert_eq!(one["set-cookie"], "b=2");
        assert_eq!(one["access-control-allow-origin"], "*");
    }

    #[test]
    fn the_setting_s_words() {
        assert_eq!(ResponseHeaders::parse("aws"), Some(ResponseHeaders::Aws));
        assert_eq!(
            ResponseHeaders::parse("endpoint"),
            Some(ResponseHeaders::Endpoint)
        );
        assert_eq!(ResponseHeaders::parse("all"), None);
        assert_eq!(ResponseHeaders::default(), ResponseHeaders::Aws);
    }
}
