//! AWS's optimised integrations (`arn:aws:states:::SERVICE:ACTION`) that Switchback runs, with
//! what Step Functions does to their requests and results beyond passing them through.
//!
//! The request is the Task's parameters, members in PascalCase as written (they are the
//! operation's input members), with these changes, as on AWS:
//! - `sqs:sendMessage`: a `MessageBody` that is not a string is sent as its JSON text.
//! - `sns:publish`: a `Message` that is not a string is sent as its JSON text; the call is
//!   made on the query protocol (`MessageAttributes` is a map there).
//! - `events:putEvents`: each entry's `Detail` given as an object is sent as its JSON text, and
//!   the state machine's and the execution's ARNs are appended to the entry's `Resources`.
//! - Members given as `null` are left out, as the SDK that AWS calls with leaves them out.
//!
//! The result is the operation's output, plus `SdkHttpMetadata`/`SdkResponseMetadata` for
//! SQS, SNS and DynamoDB ([`super::metadata`]). A `putEvents` whose `FailedEntryCount` is not 0
//! fails with `EventBridge.FailedEntry`, its cause the output as JSON text.

use bytes::Bytes;
use serde_json::{Map, Value};
use switchback_engine::task::{IntegrationPattern, ServiceIntegration, TaskOutcome};
use switchback_types::ExecutionArn;

use super::json_protocol::Answer;
use super::metadata::{self, ResponseHeaders};
use super::query_protocol;
use super::services::{Protocol, Service, DYNAMODB, EVENTBRIDGE, SNS, SQS};

/// What a request needs beyond the parameters as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    AsGiven,
    SqsSendMessage,
    EventsPutEvents,
    SnsPublish,
}

/// One optimised integration.
#[derive(Debug)]
pub(crate) struct Optimized {
    /// The resource's service and action, as in `arn:aws:states:::sqs:sendMessage`.
    resource_type: &'static str,
    action: &'static str,
    pub service: &'static Service,
    /// The service's operation.
    pub operation: &'static str,
    /// Whether AWS supports `.waitForTaskToken` on it.
    wait_for_task_token: bool,
    shape: Shape,
    /// On the query protocol: the input members that are maps.
    query_maps: &'static [&'static str],
}

/// The optimised integrations Switchback calls.
static OPTIMIZED: &[Optimized] = &[
    Optimized {
        resource_type: "sqs",
        action: "sendMessage",
        service: &SQS,
        operation: "SendMessage",
        wait_for_task_token: true,
        shape: Shape::SqsSendMessage,
        query_maps: &[],
    },
    Optimized {
        resource_type: "dynamodb",
        action: "getItem",
        service: &DYNAMODB,
        operation: "GetItem",
        wait_for_task_token: false,
        shape: Shape::AsGiven,
        query_maps: &[],
    },
    Optimized {
        resource_type: "dynamodb",
        action: "putItem",
        service: &DYNAMODB,
        operation: "PutItem",
        wait_for_task_token: false,
        shape: Shape::AsGiven,
        query_maps: &[],
    },
    Optimized {
        resource_type: "dynamodb",
        action: "updateItem",
        service: &DYNAMODB,
        operation: "UpdateItem",
        wait_for_task_token: false,
        shape: Shape::AsGiven,
        query_maps: &[],
    },
    Optimized {
        resource_type: "dynamodb",
        action: "deleteItem",
        service: &DYNAMODB,
        operation: "DeleteItem",
        wait_for_task_token: false,
        shape: Shape::AsGiven,
        query_maps: &[],
    },
    Optimized {
        resource_type: "events",
        action: "putEvents",
        service: &EVENTBRIDGE,
        operation: "PutEvents",
        wait_for_task_token: true,
        shape: Shape::EventsPutEvents,
        query_maps: &[],
    },
    Optimized {
        resource_type: "sns",
        action: "publish",
        service: &SNS,
        operation: "Publish",
        wait_for_task_token: true,
        shape: Shape::SnsPublish,
        query_maps: &["MessageAttributes"],
    },
];

/// The optimised integration a resource names, if Switchback calls it.
pub(crate) fn find(service: &ServiceIntegration) -> Option<&'static Optimized> {
    OPTIMIZED
        .iter()
        .find(|o| *service.resource_type == *o.resource_type && service.action == o.action)
}

impl Optimized {
    /// Whether AWS runs the integration with this pattern.
    pub fn supports(&self, pattern: IntegrationPattern) -> bool {
        match pattern {
            IntegrationPattern::RequestResponse => true,
            IntegrationPattern::WaitForTaskToken => self.wait_for_task_token,
            IntegrationPattern::Sync { .. } => false,
        }
    }

    /// The request's body: the parameters, shaped as AWS does. `execution_arn` is the
    /// execution's (for `putEvents`'s `Resources`).
    pub fn body(&self, parameters: &Value, execution_arn: &str) -> Result<Bytes, String> {
        let mut shaped = match self.shape {
            Shape::AsGiven => None,
            Shape::SqsSendMessage => as_json_text(parameters, "MessageBody"),
            Shape::SnsPublish => as_json_text(parameters, "Message"),
            Shape::EventsPutEvents => {
                let mut shaped = parameters.clone();
                if let Some(Value::Array(entries)) = shaped.get_mut("Entries") {
                    let machine_arn = state_machine_arn(execution_arn);
                    for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
                        if let Some(detail) = entry.get_mut("Detail") {
                            if detail.is_object() {
                                *detail = Value::String(detail.to_string());
                            }
                        }
                        let resources = entry
                            .entry("Resources")
                            .or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(resources) = resources {
                            if let Some(machine_arn) = &machine_arn {
                                resources.push(Value::String(machine_arn.clone()));
                            }
                            resources.push(Value::String(execution_arn.to_string()));
                        }
                    }
                }
                Some(shaped)
            }
        };
        // A member given as `null` is left out, as the SDKs leave out members they do not
        // have (the service then says what is missing, as it does to AWS).
        let has_null = |v: &Value| {
            v.as_object()
                .is_some_and(|members| members.values().any(Value::is_null))
        };
        if has_null(shaped.as_ref().unwrap_or(parameters)) {
            let mut without = shaped.take().unwrap_or_else(|| parameters.clone());
            if let Value::Object(members) = &mut without {
                members.retain(|_, v| !v.is_null());
            }
            shaped = Some(without);
        }
        let parameters = shaped.as_ref().unwrap_or(parameters);
        if let Protocol::AwsQuery { version } = self.service.protocol {
            let Value::Object(members) = parameters else {
                return Err(format!(
                    "the parameters must be an object, not {parameters}"
                ));
            };
            return Ok(Bytes::from(query_protocol::encode(
                self.operation,
                version,
                members,
                self.query_maps,
            )));
        }
        serde_json::to_vec(parameters)
            .map(Bytes::from)
            .map_err(|e| format!("the parameters cannot be sent as JSON: {e}"))
    }

    /// The task's outcome for a successful answer; `headers`: which of its headers
    /// `SdkHttpMetadata` lists (`[aws] response_headers`).
    pub fn result(&self, answer: &Answer, headers: ResponseHeaders) -> TaskOutcome {
        let output = match self.service.protocol {
            Protocol::AwsJson { .. } => parse_output(&answer.body),
            Protocol::AwsQuery { .. } => query_protocol::read_result(&answer.body, self.operation),
        };
        let mut output = match output {
            Ok(output) => output,
            Err(problem) => {
                return TaskOutcome::Failed {
                    error: format!("{}.SdkClientException", self.service.error_prefix),
                    cause: format!("Unable to unmarshall response ({problem})"),
                }
            }
        };
        if self.shape == Shape::EventsPutEvents
            && output
                .get("FailedEntryCount")
                .and_then(Value::as_u64)
                .is_some_and(|n| n > 0)
        {
            return TaskOutcome::Failed {
                error: "EventBridge.FailedEntry".into(),
                cause: Value::Object(output).to_string(),
            };
        }
        if self.service.http_metadata {
            metadata::append(
                &mut output,
                answer.status,
                &answer.headers,
                self.service,
                headers,
            );
        }
        TaskOutcome::Succeeded(Value::Object(output))
    }
}

/// The parameters with `member` as its JSON text, if it is given and not a string.
fn as_json_text(parameters: &Value, member: &str) -> Option<Value> {
    match parameters.get(member) {
        Some(value) if !value.is_string() && !value.is_null() => {
            let mut shaped = parameters.clone();
            shaped[member] = Value::String(value.to_string());
            Some(shaped)
        }
        _ => None,
    }
}

/// The output object of a response body (an empty body is `{}`).
fn parse_output(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!("expected a JSON object, got {other}")),
        Err(e) => Err(format!("the body is not JSON: {e}")),
    }
}

/// The state machine of an execution (Standard or Express), read by the vocabulary's ARN
/// parser; `None` for text that is not an execution ARN.
fn state_machine_arn(execution_arn: &str) -> Option<String> {
    execution_arn
        .parse::<ExecutionArn>()
        .ok()
        .map(|arn| arn.machine_arn())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use switchback_engine::task::Resource;

    fn optimized(arn: &str) -> &'static Optimized {
        find(Resource::parse(arn).service().unwrap()).unwrap()
    }

    fn body(arn: &str, parameters: Value) -> Value {
        let bytes = optimized(arn)
            .body(
                &parameters,
                "arn:aws:states:us-east-1:123456789012:execution:orders:run-1",
            )
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn which_resources() {
        assert_eq!(
            optimized("arn:aws:states:::dynamodb:updateItem").operation,
            "UpdateItem"
        );
        let sqs = optimized("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
        assert!(sqs.supports(IntegrationPattern::WaitForTaskToken));
        let get = optimized("arn:aws:states:::dynamodb:getItem");
        assert!(!get.supports(IntegrationPattern::WaitForTaskToken));
        let sns = optimized("arn:aws:states:::sns:publish.waitForTaskToken");
        assert!(sns.supports(IntegrationPattern::WaitForTaskToken));
        for arn in [
            "arn:aws:states:::sns:publishBatch",
            "arn:aws:states:::dynamodb:query",
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
        ] {
            assert!(
                find(Resource::parse(arn).service().unwrap()).is_none(),
                "{arn}"
            );
        }
    }

    #[test]
    fn a_message_body_object_is_sent_as_json_text() {
        let sent = body(
            "arn:aws:states:::sqs:sendMessage",
            json!({"QueueUrl": "q", "MessageBody": {"token": "t", "n": 1}}),
        );
        assert_eq!(
            sent,
            json!({"QueueUrl": "q", "MessageBody": "{\"token\":\"t\",\"n\":1}"})
        );
        let sent = body(
            "arn:aws:states:::sqs:sendMessage",
            json!({"QueueUrl": "q", "MessageBody": "text"}),
        );
        assert_eq!(sent, json!({"QueueUrl": "q", "MessageBody": "text"}));
    }

    #[test]
    fn null_members_are_left_out() {
        let sent = body(
            "arn:aws:states:::dynamodb:putItem",
            json!({"TableName": "t", "Item": null, "Key": {"id": {"NULL": true}}}),
        );
        assert_eq!(
            sent,
            json!({"TableName": "t", "Key": {"id": {"NULL": true}}})
        );
    }

    #[test]
    fn put_events_entries_name_the_execution() {
        let sent = body(
            "arn:aws:states:::events:putEvents",
            json!({"Entries": [
                {"Detail": {"Message": "a"}, "DetailType": "t", "Source": "s"},
                {"Detail": "{\"Message\": \"b\"}", "Resources": ["r"]}
            ]}),
        );
        let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:orders";
        let execution = "arn:aws:states:us-east-1:123456789012:execution:orders:run-1";
        assert_eq!(
            sent,
            json!({"Entries": [
                {"Detail": "{\"Message\":\"a\"}", "DetailType": "t", "Source": "s",
                 "Resources": [machine, execution]},
                {"Detail": "{\"Message\": \"b\"}", "Resources": ["r", machine, execution]}
            ]})
        );
    }

    #[test]
    fn failed_entries_fail_the_task() {
        let answer = Answer {
            status: http::StatusCode::OK,
            headers: http::HeaderMap::new(),
            body: Bytes::from_static(
                br#"{"Entries":[{"EventId":"e1"},{"ErrorCode":"MalformedDetail","ErrorMessage":"Detail is malformed."}],"FailedEntryCount":1}"#,
            ),
        };
        let outcome =
            optimized("arn:aws:states:::events:putEvents").result(&answer, ResponseHeaders::Aws);
        let TaskOutcome::Failed { error, cause } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(error, "EventBridge.FailedEntry");
        let cause: Value = serde_json::from_str(&cause).unwrap();
        assert_eq!(cause["FailedEntryCount"], 1);
    }

    #[test]
    fn dynamodb_results_carry_the_http_metadata() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amzn-requestid", "R".parse().unwrap());
        let answer = Answer {
            status: http::StatusCode::OK,
            headers,
            body: Bytes::from_static(b"{}"),
        };
        let outcome =
            optimized("arn:aws:states:::dynamodb:putItem").result(&answer, ResponseHeaders::Aws);
        let TaskOutcome::Succeeded(output) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(output["SdkResponseMetadata"], json!({"RequestId": "R"}));
        assert_eq!(output["SdkHttpMetadata"]["HttpStatusCode"], 200);
    }

    #[test]
    fn state_machines_of_executions() {
        assert_eq!(
            state_machine_arn("arn:aws:states:eu-west-1:1:express:m:n:id").as_deref(),
            Some("arn:aws:states:eu-west-1:1:stateMachine:m")
        );
        assert_eq!(state_machine_arn("nonsense"), None);
    }

    #[test]
    fn sns_publish_is_a_form_with_the_message_as_json_text() {
        let bytes = optimized("arn:aws:states:::sns:publish")
            .body(
                &json!({
                    "TopicArn": "arn:aws:sns:us-east-1:1:t",
                    "Message": {"Message": "HelloWorld!"},
                    "Subject": null,
                    "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "a"}}
                }),
                "arn:aws:states:us-east-1:1:execution:m:r",
            )
            .unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At\
             &Message=%7B%22Message%22%3A%22HelloWorld%21%22%7D\
             &MessageAttributes.entry.1.Name=kind\
             &MessageAttributes.entry.1.Value.DataType=String\
             &MessageAttributes.entry.1.Value.StringValue=a"
        );
    }

    #[test]
    fn sns_results_are_read_from_the_xml() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amzn-requestid", "R".parse().unwrap());
        headers.insert("content-type", "text/xml".parse().unwrap());
        headers.insert("connection", "keep-alive".parse().unwrap());
        let answer = Answer {
            status: http::StatusCode::OK,
            headers,
            body: Bytes::from_static(
                b"<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult>\
                  <ResponseMetadata><RequestId>R</RequestId></ResponseMetadata></PublishResponse>",
            ),
        };
        let outcome =
            optimized("arn:aws:states:::sns:publish").result(&answer, ResponseHeaders::Aws);
        let TaskOutcome::Succeeded(output) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(output["MessageId"], "m-1");
        assert_eq!(output["SdkResponseMetadata"], json!({"RequestId": "R"}));
        assert_eq!(
            output["SdkHttpMetadata"]["HttpHeaders"],
            json!({"connection": "keep-alive", "Content-Type": "text/xml", "x-amzn-RequestId": "R"})
        );
    }
}
