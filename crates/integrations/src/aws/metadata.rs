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
//! They are made from the real response: every header with all its values, then each with its
//! last value in case-insensitive order (Java's `TreeMap(CASE_INSENSITIVE_ORDER)`), the status,
//! and the request id header. HTTP/1 header names arrive lowercased from hyper, so the names
//! AWS's servers spell with capitals are given back their spelling (`Content-Type`,
//! `x-amzn-RequestId`), as each service spells them (SQS's `connection` is lowercase,
//! DynamoDB's `Connection` is not); other names stay as they came.

use http::header::HeaderMap;
use http::StatusCode;
use serde_json::{Map, Value};

/// Header names as AWS's servers spell them.
const SPELLINGS: &[(&str, &str)] = &[
    ("content-type", "Content-Type"),
    ("content-length", "Content-Length"),
    ("date", "Date"),
    ("server", "Server"),
    ("connection", "Connection"),
    ("x-amzn-requestid", "x-amzn-RequestId"),
    ("x-amz-request-id", "x-amz-request-id"),
    ("x-amz-crc32", "x-amz-crc32"),
    ("x-amz-id-2", "x-amz-id-2"),
    ("x-amzn-trace-id", "X-Amzn-Trace-Id"),
];

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

/// Appends `SdkHttpMetadata` and `SdkResponseMetadata` to a result. `spellings`: the
/// service's own spellings of header names, over the common ones.
pub(crate) fn append(
    result: &mut Map<String, Value>,
    status: StatusCode,
    headers: &HeaderMap,
    spellings: &[(&'static str, &'static str)],
) {
    let mut all = Map::with_capacity(headers.keys_len());
    let mut last: Vec<(&str, &str)> = Vec::with_capacity(headers.keys_len());
    for name in headers.keys() {
        let values: Vec<Value> = headers
            .get_all(name)
            .iter()
            .map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let spelled_name = spelled(name.as_str(), spellings);
        last.push((
            spelled_name,
            headers
                .get_all(name)
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
        ));
        all.insert(spelled_name.to_string(), Value::Array(values));
    }
    last.sort_by_cached_key(|(name, _)| name.to_ascii_lowercase());
    let one: Map<String, Value> = last
        .into_iter()
        .map(|(name, value)| (name.to_string(), Value::String(value.to_string())))
        .collect();

    let mut http = Map::with_capacity(3);
    http.insert("AllHttpHeaders".into(), Value::Object(all));
    http.insert("HttpHeaders".into(), Value::Object(one));
    http.insert("HttpStatusCode".into(), Value::from(status.as_u16()));
    result.insert("SdkHttpMetadata".into(), Value::Object(http));

    let mut response = Map::with_capacity(1);
    response.insert(
        "RequestId".into(),
        Value::String(request_id(headers).to_string()),
    );
    result.insert("SdkResponseMetadata".into(), Value::Object(response));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_members_aws_adds() {
        let mut headers = HeaderMap::new();
        headers.insert("x-amzn-requestid", "req-1".parse().unwrap());
        headers.insert(
            "content-type",
            "application/x-amz-json-1.0".parse().unwrap(),
        );
        headers.insert("content-length", "2".parse().unwrap());
        headers.append("set-cookie", "a=1".parse().unwrap());
        headers.append("set-cookie", "b=2".parse().unwrap());
        let mut result = Map::new();
        result.insert("MessageId".into(), json!("m"));
        append(&mut result, StatusCode::OK, &headers, &[]);
        assert_eq!(
            Value::Object(result.clone()),
            json!({
                "MessageId": "m",
                "SdkHttpMetadata": {
                    "AllHttpHeaders": {
                        "x-amzn-RequestId": ["req-1"],
                        "Content-Type": ["application/x-amz-json-1.0"],
                        "Content-Length": ["2"],
                        "set-cookie": ["a=1", "b=2"]
                    },
                    "HttpHeaders": {
                        "Content-Length": "2",
                        "Content-Type": "application/x-amz-json-1.0",
                        "set-cookie": "b=2",
                        "x-amzn-RequestId": "req-1"
                    },
                    "HttpStatusCode": 200
                },
                "SdkResponseMetadata": {"RequestId": "req-1"}
            })
        );
        // Case-insensitive order, as Java's TreeMap.
        let order: Vec<&String> = result["SdkHttpMetadata"]["HttpHeaders"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            order,
            [
                "Content-Length",
                "Content-Type",
                "set-cookie",
                "x-amzn-RequestId"
            ]
        );
    }
}
