//! `SdkHttpMetadata` and `SdkResponseMetadata`: the members Step Functions adds to the results
//! of the optimised integrations it calls with the AWS SDK for Java (SQS, SNS, DynamoDB, Step
//! Functions itself), the SDK's metadata of the service's HTTP answer:
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
//! One builder for every task that reports them: the integrations from a real answer (which
//! headers, and how each is spelled, is theirs to say), the runtime's nested executions from
//! the answer the Step Functions API would give.

use serde_json::{Map, Value};

/// Appends `SdkHttpMetadata` and `SdkResponseMetadata` to a task's result.
///
/// `headers`: each header of the answer as the service spells its name, with all its values,
/// in the order the answer gave them. `AllHttpHeaders` lists them so; `HttpHeaders` gives each
/// its last value, in case-insensitive order of names (the SDK's
/// `TreeMap(CASE_INSENSITIVE_ORDER)`). `request_id` is `SdkResponseMetadata`'s `RequestId`.
pub fn append_sdk_metadata(
    result: &mut Map<String, Value>,
    status: u16,
    headers: &[(&str, Vec<String>)],
    request_id: &str,
) {
    let mut all = Map::with_capacity(headers.len());
    let mut last: Vec<(&str, &str)> = Vec::with_capacity(headers.len());
    for (name, values) in headers {
        last.push((name, values.last().map_or("", String::as_str)));
        all.insert(
            name.to_string(),
            Value::Array(values.iter().cloned().map(Value::String).collect()),
        );
    }
    last.sort_by_cached_key(|(name, _)| name.to_ascii_lowercase());
    let one: Map<String, Value> = last
        .into_iter()
        .map(|(name, value)| (name.to_string(), Value::String(value.to_string())))
        .collect();

    let mut http = Map::with_capacity(3);
    http.insert("AllHttpHeaders".into(), Value::Object(all));
    http.insert("HttpHeaders".into(), Value::Object(one));
    http.insert("HttpStatusCode".into(), Value::from(status));
    result.insert("SdkHttpMetadata".into(), Value::Object(http));

    let mut response = Map::with_capacity(1);
    response.insert("RequestId".into(), Value::String(request_id.to_string()));
    result.insert("SdkResponseMetadata".into(), Value::Object(response));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn all_values_then_the_last_in_case_insensitive_order() {
        let mut result = Map::new();
        result.insert("MessageId".into(), json!("m"));
        append_sdk_metadata(
            &mut result,
            200,
            &[
                ("x-amzn-RequestId", vec!["r".into()]),
                ("connection", vec!["keep-alive".into()]),
                ("Set-Cookie", vec!["a=1".into(), "b=2".into()]),
                ("Content-Type", vec!["application/x-amz-json-1.0".into()]),
            ],
            "r",
        );
        assert_eq!(
            Value::Object(result.clone()),
            json!({
                "MessageId": "m",
                "SdkHttpMetadata": {
                    "AllHttpHeaders": {
                        "x-amzn-RequestId": ["r"],
                        "connection": ["keep-alive"],
                        "Set-Cookie": ["a=1", "b=2"],
                        "Content-Type": ["application/x-amz-json-1.0"]
                    },
                    "HttpHeaders": {
                        "connection": "keep-alive",
                        "Content-Type": "application/x-amz-json-1.0",
                        "Set-Cookie": "b=2",
                        "x-amzn-RequestId": "r"
                    },
                    "HttpStatusCode": 200
                },
                "SdkResponseMetadata": {"RequestId": "r"}
            })
        );
        let order: Vec<&String> = result["SdkHttpMetadata"]["HttpHeaders"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            order,
            [
                "connection",
                "Content-Type",
                "Set-Cookie",
                "x-amzn-RequestId"
            ]
        );
    }
}
