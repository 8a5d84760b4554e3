//! A service's error answer as Step Functions reports it, so that `Retry` and `Catch` written
//! for AWS match the same names here.
//!
//! - The service answered with an error: `<Service>.<Exception>`, where the exception is the
//!   class the AWS SDK for Java 1.x gives the error code if the service models it
//!   (`DynamoDB.ConditionalCheckFailedException`), else the service's base exception
//!   (`DynamoDB.AmazonDynamoDBException`). The cause is the SDK's message:
//!   `<message> (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: <code>; Request ID:
//!   <id>; Proxy: null)`.
//! - No answer (the host does not resolve, the connection fails): `<Service>.SdkClientException`
//!   with `Unable to execute HTTP request: <what happened>`.
//!
//! Error codes come from the query protocol's `<Error><Code>` (SNS: `NotFound` is
//! `SNS.NotFoundException`), AWS JSON's `__type` (without its `namespace#`), else the
//! `x-amzn-ErrorType` header; SQS's JSON protocol also gives the query protocol's code in
//! `x-amzn-query-error`, which is the one AWS's causes show.

use http::header::HeaderMap;
use http::StatusCode;
use serde_json::Value;
use switchback_engine::task::TaskOutcome;

use super::metadata::request_id;
use super::query_protocol;
use super::services::{Protocol, Service};

/// An error answer of a service: its code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceError {
    /// The code as the SDK for Java sees it (the query protocol's for SQS).
    pub code: String,
    /// The code of the JSON protocol, without its namespace.
    pub json_code: String,
    pub message: String,
    /// The request id the body gives (the query protocol's `<RequestId>`), for when no header
    /// does.
    pub request_id: String,
}

/// Reads an error answer of `service`.
pub(crate) fn parse(service: &Service, headers: &HeaderMap, body: &[u8]) -> ServiceError {
    match service.protocol {
        Protocol::AwsJson { .. } => parse_json(headers, body),
        Protocol::AwsQuery { .. } => match query_protocol::read_error(body) {
            Some(error) => ServiceError {
                json_code: error.code.clone(),
                code: error.code,
                message: error.message,
                request_id: error.request_id,
            },
            None => ServiceError {
                code: String::new(),
                json_code: String::new(),
                message: String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned(),
                request_id: String::new(),
            },
        },
    }
}

/// Reads an AWS JSON error answer.
pub(crate) fn parse_json(headers: &HeaderMap, body: &[u8]) -> ServiceError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let field = |names: &[&str]| {
        parsed.as_ref().and_then(|v| {
            names
                .iter()
                .find_map(|n| v.get(*n).and_then(Value::as_str).map(str::to_string))
        })
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let raw = field(&["__type", "code", "Code"])
        .or_else(|| header("x-amzn-errortype").map(str::to_string))
        .unwrap_or_default();
    let json_code = shape_name(&raw).to_string();
    let code = header("x-amzn-query-error")
        .and_then(|q| q.split(';').next())
        .filter(|q| !q.is_empty())
        .map_or_else(|| json_code.clone(), str::to_string);
    let message = field(&["message", "Message", "errorMessage"]).unwrap_or_else(|| {
        if parsed.is_none() && !body.is_empty() {
            String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned()
        } else {
            String::new()
        }
    });
    ServiceError {
        code,
        json_code,
        message,
        request_id: String::new(),
    }
}

/// `com.amazonaws.dynamodb.v20120810#ValidationException` and
/// `ValidationException:http://internal.amazon.com/...` are `ValidationException`.
fn shape_name(raw: &str) -> &str {
    let name = raw.rsplit_once('#').map_or(raw, |(_, name)| name);
    name.split_once(':').map_or(name, |(name, _)| name).trim()
}

/// The task's failure for an error answer.
pub(crate) fn failed(
    service: &Service,
    status: StatusCode,
    headers: &HeaderMap,
    error: &ServiceError,
) -> TaskOutcome {
    let exception = service
        .modeled_exception(&error.code)
        .or_else(|| service.modeled_exception(&error.json_code))
        .unwrap_or(service.base_exception);
    let code = if error.code.is_empty() {
        "null"
    } else {
        &error.code
    };
    let message = if error.message.is_empty() {
        "null"
    } else {
        &error.message
    };
    TaskOutcome::Failed {
        error: format!("{}.{exception}", service.error_prefix),
        cause: format!(
            "{message} (Service: {}; Status Code: {}; Error Code: {code}; Request ID: {}; Proxy: null)",
            service.sdk_name,
            status.as_u16(),
            Some(request_id(headers))
                .filter(|id| !id.is_empty())
                .unwrap_or(&error.request_id),
        ),
    }
}

/// The task's failure when no answer came.
pub(crate) fn no_answer(service: &Service, what: &str) -> TaskOutcome {
    TaskOutcome::Failed {
        error: format!("{}.SdkClientException", service.error_prefix),
        cause: format!("Unable to execute HTTP request: {what}"),
    }
}

/// Whether the SDK would try the call again: the service was busy or throttled the call.
pub(crate) fn is_retryable(status: StatusCode, error: &ServiceError) -> bool {
    status.is_server_error()
        || matches!(
            error.json_code.as_str(),
            "ThrottlingException"
                | "Throttling"
                | "ThrottledException"
                | "Throttled"
                | "RequestThrottledException"
                | "RequestThrottled"
                | "TooManyRequestsException"
                | "ProvisionedThroughputExceededException"
                | "RequestLimitExceeded"
                | "TransactionInProgressException"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::services::{DYNAMODB, SNS, SQS};

    fn outcome(service: &Service, headers: &[(&str, &str)], body: &str) -> (String, String) {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let error = parse(service, &map, body.as_bytes());
        match failed(service, StatusCode::BAD_REQUEST, &map, &error) {
            TaskOutcome::Failed { error, cause } => (error, cause),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn modeled_errors_keep_their_name() {
        let (error, cause) = outcome(
            &DYNAMODB,
            &[("x-amzn-requestid", "R1")],
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#,
        );
        assert_eq!(error, "DynamoDB.ConditionalCheckFailedException");
        assert_eq!(
            cause,
            "The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: R1; Proxy: null)"
        );
        let (error, _) = outcome(
            &DYNAMODB,
            &[],
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
        );
        assert_eq!(error, "DynamoDB.ResourceNotFoundException");
    }

    #[test]
    fn other_errors_take_the_base_exception() {
        let (error, cause) = outcome(
            &DYNAMODB,
            &[("x-amzn-requestid", "R2")],
            r#"{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected"}"#,
        );
        assert_eq!(error, "DynamoDB.AmazonDynamoDBException");
        assert!(cause.contains("Error Code: ValidationException; Request ID: R2"));
    }

    #[test]
    fn sqs_reports_the_query_code() {
        let (error, cause) = outcome(
            &SQS,
            &[(
                "x-amzn-query-error",
                "AWS.SimpleQueueService.NonExistentQueue;Sender",
            )],
            r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#,
        );
        assert_eq!(error, "SQS.QueueDoesNotExistException");
        assert!(
            cause.contains("Error Code: AWS.SimpleQueueService.NonExistentQueue;"),
            "{cause}"
        );
        // The code in a header, and a body that is not JSON.
        let (error, cause) = outcome(
            &SQS,
            &[("x-amzn-errortype", "InvalidParameterValue:http://x")],
            "bad",
        );
        assert_eq!(error, "SQS.AmazonSQSException");
        assert!(cause.starts_with("bad (Service: AmazonSQS;"), "{cause}");
    }

    #[test]
    fn sns_errors_are_read_from_the_xml() {
        let (error, cause) = outcome(
            &SNS,
            &[],
            "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code>\
             <Message>Topic does not exist</Message></Error><RequestId>R3</RequestId></ErrorResponse>",
        );
        assert_eq!(error, "SNS.NotFoundException");
        assert_eq!(
            cause,
            "Topic does not exist (Service: AmazonSNS; Status Code: 400; Error Code: NotFound; Request ID: R3; Proxy: null)"
        );
        let (error, cause) = outcome(
            &SNS,
            &[("x-amzn-requestid", "R4")],
            "<ErrorResponse><Error><Code>InvalidParameter</Code><Message>Invalid parameter: \
             The MessageGroupId parameter is required for FIFO topics</Message></Error>\
             </ErrorResponse>",
        );
        assert_eq!(error, "SNS.InvalidParameterException");
        assert!(cause.ends_with("Error Code: InvalidParameter; Request ID: R4; Proxy: null)"));
        let (error, _) = outcome(
            &SNS,
            &[],
            "<ErrorResponse><Error><Code>OptedOut</Code></Error></ErrorResponse>",
        );
        assert_eq!(error, "SNS.AmazonSNSException");
    }
}
