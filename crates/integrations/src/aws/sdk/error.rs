//! An `aws-sdk:*` call's failure as Step Functions reports it, so that `Retry` and `Catch`
//! written for AWS match the same names here (AWS's documentation: "the resulting Error field
//! will be composed of the service name and error name", both in PascalCase, the error name
//! always ending in `Exception`, e.g. `S3.BucketAlreadyExistsException`).
//!
//! - The service answered with an error code it models: `<Sdk>.<Shape>Exception`
//!   (`S3.NoSuchKeyException`, `Sfn.InvalidTokenException`, `DynamoDb.ResourceNotFoundException`).
//! - Any other code: the service's base exception, `<Sdk>.<Sdk>Exception`
//!   (`DynamoDb.DynamoDbException` for a `ValidationException`).
//! - No answer: `<Sdk>.SdkClientException`.
//!
//! The cause is the SDK for Java 2.x's message: `<message> (Service: <Sdk>, Status Code: <n>,
//! Request ID: <id>[, Extended Request ID: <id2>]) (SDK Attempt Count: <tries>)`. AWS's
//! recordings since late 2025 end with the attempt count; earlier ones do not.
//!
//! Codes are read as the protocol carries them: AWS JSON's `__type` (or `x-amzn-ErrorType`),
//! REST-JSON's `x-amzn-ErrorType` (or the body's `code`), the XML `<Error><Code>` of REST-XML,
//! query and EC2 answers. An S3 `HEAD` answer has no body: its status names the error, as the
//! SDK names it (404 on `HeadObject` is `NoSuchKey`, on `HeadBucket` `NoSuchBucket`).

use http::StatusCode;
use switchback_engine::task::TaskOutcome;

use super::model::{Protocol, ServiceModel};
use crate::aws::errors;
use crate::aws::json_protocol::Answer;
use crate::aws::query_protocol::{parse as parse_xml, Element};

/// How a call's failures are named: as `aws-sdk:*` tasks name them (the SDK for Java 2.x), or
/// as the optimised integrations do (the SDK for Java 1.x: `Glue.EntityNotFoundException`,
/// else `Glue.AWSGlueException`, with a cause `<message> (Service: AWSGlue; Status Code: 400;
/// Error Code: <code>; Request ID: <id>; Proxy: null)`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Naming {
    Sdk2,
    Sdk1 {
        /// The first part of error names (`Glue`, `ECS`, `Batch`).
        prefix: &'static str,
        /// The SDK 1.x's service name in causes (`AWSGlue`, `AmazonECS`).
        service: &'static str,
        /// The SDK 1.x's base exception, for codes the service does not model.
        base: &'static str,
    },
}

/// An error answer's code, message and ids.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub code: String,
    pub message: Option<String>,
    pub request_id: String,
}

/// Reads an error answer to `operation`.
pub(crate) fn parse(model: &ServiceModel, operation: &str, answer: &Answer) -> Found {
    let header = |name: &str| {
        answer
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let request_id = {
        let id = header("x-amzn-requestid");
        if id.is_empty() {
            header("x-amz-request-id")
        } else {
            id
        }
    };
    match model.protocol {
        Protocol::Json | Protocol::RestJson => {
            let error = errors::parse_json(&answer.headers, &answer.body);
            Found {
                // Java's SDK 2.x matches the JSON code (SQS's query code is only for causes).
                code: if error.json_code.is_empty() {
                    error.code
                } else {
                    error.json_code
                },
                message: Some(error.message).filter(|m| !m.is_empty()),
                request_id,
            }
        }
        Protocol::RestXml | Protocol::Query | Protocol::Ec2 => {
            let parsed = parse_xml(&answer.body).ok();
            let error = parsed.as_ref().and_then(error_element);
            let text = |name: &str| {
                error
                    .and_then(|e| e.child(name))
                    .map(|c| c.text.clone())
                    .filter(|t| !t.is_empty())
            };
            let body_id = text("RequestId")
                .or_else(|| text("RequestID"))
                .or_else(|| {
                    parsed
                        .as_ref()
                        .and_then(|r| r.child("RequestId").or_else(|| r.child("RequestID")))
                        .map(|c| c.text.clone())
                })
                .unwrap_or_default();
            let code =
                text("Code").unwrap_or_else(|| status_code_name(model, operation, answer.status));
            Found {
                code,
                message: text("Message"),
                request_id: if request_id.is_empty() {
                    body_id
                } else {
                    request_id
                },
            }
        }
    }
}

/// `<Error>` itself (S3), `<ErrorResponse><Error>` (query), `<Response><Errors><Error>` (EC2).
fn error_element(root: &Element) -> Option<&Element> {
    if root.name == "Error" {
        return Some(root);
    }
    root.child("Error")
        .or_else(|| root.child("Errors").and_then(|e| e.child("Error")))
}

/// The code of an answer without a body, by its status.
fn status_code_name(model: &ServiceModel, operation: &str, status: StatusCode) -> String {
    match (model.id.as_str(), operation, status.as_u16()) {
        ("S3", "HeadObject" | "GetObject", 404) => "NoSuchKey".into(),
        ("S3", "HeadBucket", 404) => "NoSuchBucket".into(),
        (_, _, 404) => "NotFound".into(),
        (_, _, 403) => "Forbidden".into(),
        (_, _, 400) => "BadRequest".into(),
        _ => status
            .canonical_reason()
            .unwrap_or("Unknown")
            .replace(' ', ""),
    }
}

/// The exception class Step Functions names for `code`.
pub(crate) fn exception(model: &ServiceModel, code: &str) -> String {
    match model.errors.get(code) {
        Some(shape) if shape.ends_with("Exception") => shape.clone(),
        Some(shape) => format!("{shape}Exception"),
        None => format!("{}Exception", model.sdk),
    }
}

/// The task's failure for an error answer.
pub(crate) fn failed(
    model: &ServiceModel,
    naming: &Naming,
    answer: &Answer,
    found: &Found,
    tries: u32,
) -> TaskOutcome {
    if let Naming::Sdk1 {
        prefix,
        service,
        base,
    } = naming
    {
        let exception = match model.errors.get(&found.code) {
            Some(shape) if shape.ends_with("Exception") => shape.clone(),
            Some(shape) => format!("{shape}Exception"),
            None => base.to_string(),
        };
        let or_null = |s: &str| {
            if s.is_empty() {
                "null".to_string()
            } else {
                s.to_string()
            }
        };
        return TaskOutcome::Failed {
            error: format!("{prefix}.{exception}"),
            cause: format!(
                "{} (Service: {service}; Status Code: {}; Error Code: {}; Request ID: {}; Proxy: null)",
                found.message.as_deref().unwrap_or("null"),
                answer.status.as_u16(),
                or_null(&found.code),
                or_null(&found.request_id),
            ),
        };
    }
    let extended = answer
        .headers
        .get("x-amz-id-2")
        .and_then(|v| v.to_str().ok())
        .map(|id| format!(", Extended Request ID: {id}"))
        .unwrap_or_default();
    TaskOutcome::Failed {
        error: format!("{}.{}", model.sdk, exception(model, &found.code)),
        cause: format!(
            "{} (Service: {}, Status Code: {}, Request ID: {}{extended}) (SDK Attempt Count: {tries})",
            found.message.as_deref().unwrap_or("null"),
            model.sdk,
            answer.status.as_u16(),
            if found.request_id.is_empty() {
                "null"
            } else {
                &found.request_id
            },
        ),
    }
}

/// The task's failure when no answer came or it could not be read.
pub(crate) fn client_failure(
    model: &ServiceModel,
    naming: &Naming,
    what: &str,
    tries: u32,
) -> TaskOutcome {
    if let Naming::Sdk1 { prefix, .. } = naming {
        return TaskOutcome::Failed {
            error: format!("{prefix}.SdkClientException"),
            cause: what.to_string(),
        };
    }
    TaskOutcome::Failed {
        error: format!("{}.SdkClientException", model.sdk),
        cause: format!("{what} (SDK Attempt Count: {tries})"),
    }
}

/// Whether the SDK would try the call again: the service was busy or throttled it.
pub(crate) fn is_retryable(status: StatusCode, found: &Found) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || matches!(
            found.code.as_str(),
            "ThrottlingException"
                | "Throttling"
                | "ThrottledException"
                | "RequestThrottledException"
                | "TooManyRequestsException"
                | "ProvisionedThroughputExceededException"
                | "RequestLimitExceeded"
                | "SlowDown"
                | "RequestTimeout"
        )
}

#[cfg(test)]
mod tests {
    use super::super::model::service;
    use super::*;
    use bytes::Bytes;
    use http::header::HeaderMap;

    fn outcome(
        name: &str,
        op: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (String, String) {
        let model = service(name).unwrap();
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let answer = Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: Bytes::from(body.to_string()),
        };
        let found = parse(&model, op, &answer);
        match failed(&model, &Naming::Sdk2, &answer, &found, 1) {
            TaskOutcome::Failed { error, cause } => (error, cause),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_as_step_functions_gives_them() {
        let (error, cause) = outcome(
            "s3",
            "GetObject",
            404,
            &[("x-amz-request-id", "R1"), ("x-amz-id-2", "X2")],
            "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
        );
        assert_eq!(error, "S3.NoSuchKeyException");
        assert_eq!(
            cause,
            "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: R1, Extended Request ID: X2) (SDK Attempt Count: 1)"
        );
        let (error, cause) = outcome(
            "dynamodb",
            "PutItem",
            400,
            &[("x-amzn-requestid", "R2")],
            r#"{"__type":"com.amazon.coral.validate#ValidationException","message":"bad"}"#,
        );
        assert_eq!(error, "DynamoDb.DynamoDbException");
        assert_eq!(
            cause,
            "bad (Service: DynamoDb, Status Code: 400, Request ID: R2) (SDK Attempt Count: 1)"
        );
        let (error, _) = outcome(
            "sfn",
            "SendTaskSuccess",
            400,
            &[],
            r#"{"__type":"com.amazonaws.swf.service.v2.model#InvalidToken","message":"Invalid Token"}"#,
        );
        assert_eq!(error, "Sfn.InvalidTokenException");
        let (error, _) = outcome("s3", "HeadObject", 404, &[], "");
        assert_eq!(error, "S3.NoSuchKeyException");
        let (error, cause) = outcome(
            "iam",
            "GetRole",
            404,
            &[],
            "<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>no role</Message></Error><RequestId>R3</RequestId></ErrorResponse>",
        );
        assert_eq!(error, "Iam.NoSuchEntityException");
        assert!(cause.contains("Request ID: R3"), "{cause}");
    }
}
