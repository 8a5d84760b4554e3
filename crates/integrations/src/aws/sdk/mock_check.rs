//! Checks a TestState mock's result against the API model of the operation its Task state
//! calls, as AWS does.
//!
//! AWS's `TestState` takes `mock: {"result": "<JSON text>", "fieldValidationMode": ...}` and,
//! before using the result, validates it against the output shape of the service operation the
//! state's `Resource` calls ([`FieldValidationMode`]: `STRICT`, the default, also wants every
//! required member; `PRESENT` checks only the members given; `NONE` checks nothing). A
//! violation is a `ValidationException` whose message [`check_mock_result`] returns, in AWS's
//! words: `Mock result schema validation error: Field 'Entries' must be an array`.
//!
//! What is checked, with the embedded API facts ([`super::model`]):
//! - members by the names results carry: the optimised integrations' (`lambda:invoke`,
//!   `states:startExecution`, `dynamodb:*`, `events:putEvents`, `sqs:sendMessage`,
//!   `sns:publish`, `ecs:runTask`, `batch:submitJob`, `glue:startJobRun`, Athena, CodeBuild,
//!   SageMaker and EKS actions) the model's name with its first letter raised
//!   (`executionArn` is `ExecutionArn`, DynamoDB's `BOOL` stays `BOOL`); `aws-sdk:*`'s the
//!   SDK's PascalCase ([`super::naming`]: `Bool`, `Nul`);
//! - types: strings, timestamps and blobs are JSON strings (as results show them), numbers
//!   are numbers (integers whole ones), booleans booleans, lists arrays, structures and maps
//!   objects; documents and JSON text members take anything (the optimised
//!   `lambda:invoke`'s `Payload` is the model's blob: a string, as AWS checks it);
//! - enum values, length bounds (characters of a string, bytes of a blob, items of a list,
//!   entries of a map) and value bounds of numbers;
//! - in `STRICT`, the required members of each structure given, the result's own included.
//!
//! Members the model does not know are accepted (`{"random": "json"}` passes for
//! `events:putEvents`), as is a `null` member (as if left out). The first violation found is
//! the message: required members first, in the model's order, then the members given, nested
//! ones depth first, list items in order. The field a message names is the member's (the
//! last segment of its path), also for a list's items and a map's values.
//!
//! Not checked (any result is accepted): resources that name no modelled operation (Lambda
//! functions called by ARN, activities, `http:invoke`, services or actions Switchback has no
//! facts for), `.waitForTaskToken` tasks (their result is whatever the worker sends), `.sync`
//! jobs other than `states:startExecution.sync[:2]` (whose result is `DescribeExecution`'s
//! output, its `Input` and `Output` JSON under `.sync:2`), and a result that is not an object.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};
use switchback_engine::task::{Integration, IntegrationPattern, Resource, ResourceKind};

use super::model::{self, Constraint, Scalar, ServiceModel, Shape, Type};
use super::naming::pascal;

/// How strictly a mocked result is checked (`mock.fieldValidationMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldValidationMode {
    /// `STRICT` (AWS's default): required members must be given, and those given must
    /// conform.
    #[default]
    Strict,
    /// `PRESENT`: the members given must conform; missing ones are fine.
    Present,
    /// `NONE`: nothing is checked.
    None,
}

impl FieldValidationMode {
    /// The mode an API string names (`STRICT`, `PRESENT`, `NONE`).
    pub fn parse(text: &str) -> Option<FieldValidationMode> {
        match text {
            "STRICT" => Some(FieldValidationMode::Strict),
            "PRESENT" => Some(FieldValidationMode::Present),
            "NONE" => Some(FieldValidationMode::None),
            _ => None,
        }
    }

    /// The mode as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldValidationMode::Strict => "STRICT",
            FieldValidationMode::Present => "PRESENT",
            FieldValidationMode::None => "NONE",
        }
    }
}

impl fmt::Display for FieldValidationMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FieldValidationMode {
    /// AWS's words for a value outside the enum (the caller adds `1 validation error
    /// detected: `).
    type Err = String;

    fn from_str(text: &str) -> Result<FieldValidationMode, String> {
        FieldValidationMode::parse(text).ok_or_else(|| {
            format!(
                "Value '{text}' at 'mock.fieldValidationMode' failed to satisfy constraint: \
                 Member must satisfy enum value set: [STRICT, PRESENT, NONE]"
            )
        })
    }
}

/// Checks `result`, the parsed `mock.result` of a Task state whose `Resource` is `resource`,
/// against the output of the operation the resource calls. `Err` holds AWS's whole message
/// (`Mock result schema validation error: ...`) for a `ValidationException`; resources with
/// no modelled operation are not checked (see the module docs).
pub fn check_mock_result(
    resource: &str,
    result: &Value,
    mode: FieldValidationMode,
) -> Result<(), String> {
    if mode == FieldValidationMode::None {
        return Ok(());
    }
    let Some(target) = target_of(&Resource::parse(resource)) else {
        return Ok(());
    };
    let Ok(model) = model::service(&target.service) else {
        return Ok(());
    };
    let Some(output) = model
        .ops
        .get(&target.operation)
        .and_then(|op| op.output.as_deref())
    else {
        return Ok(());
    };
    let (
        Some(Shape::Structure {
            members,
            required,
            document: 0,
            ..
        }),
        Value::Object(given),
    ) = (model.shape(output), result)
    else {
        return Ok(());
    };
    let checker = Checker {
        model: &model,
        naming: target.naming,
        strict: mode == FieldValidationMode::Strict,
    };
    checker
        .structure(members, required, given, target.any)
        .map_err(|problem| format!("Mock result schema validation error: {problem}"))
}

/// How a result names the model's members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    /// The optimised integrations: the model's name, its first letter raised.
    Optimized,
    /// `aws-sdk:*`: the SDK for Java 2.x's PascalCase ([`pascal`]).
    Sdk,
}

impl Naming {
    fn name(self, member: &str) -> String {
        match self {
            Naming::Sdk => pascal(member).into_owned(),
            Naming::Optimized => {
                let mut chars = member.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_uppercase().chain(chars).collect()
                })
            }
        }
    }
}

/// The operation whose output a resource's result is.
#[derive(Debug)]
struct Target {
    /// The service's name among the embedded facts (or an alias of it).
    service: String,
    operation: String,
    naming: Naming,
    /// The output's members (model names) that take any JSON.
    any: &'static [&'static str],
}

/// One optimised integration's request-response actions, each the operation of the same name
/// whose output is the result, and the output members that take any JSON.
struct OptimizedService {
    resource_type: &'static str,
    facts: &'static str,
    actions: &'static [&'static str],
    any: &'static [&'static str],
}

/// The optimised integrations whose results are their operations' outputs as the model has
/// them. (EMR, EMR Serverless, API Gateway, Bedrock's `invokeModel`, `eks:call`/`runJob`,
/// `http:invoke` and the rest shape their results otherwise, and are not checked.)
static OPTIMIZED: &[OptimizedService] = &[
    OptimizedService {
        resource_type: "lambda",
        facts: "lambda",
        actions: &["invoke"],
        // A run gives the function's answer as JSON, but a mock is checked against the
        // model, where `Payload` is a blob: a JSON object there is refused, as on AWS
        // (reported by users of AWS's TestState; AWS's own example mocks give a string).
        any: &[],
    },
    OptimizedService {
        resource_type: "states",
        facts: "sfn",
        actions: &["startExecution"],
        any: &[],
    },
    OptimizedService {
        resource_type: "dynamodb",
        facts: "dynamodb",
        actions: &["getItem", "putItem", "updateItem", "deleteItem"],
        any: &[],
    },
    OptimizedService {
        resource_type: "events",
        facts: "eventbridge",
        actions: &["putEvents"],
        any: &[],
    },
    OptimizedService {
        resource_type: "sqs",
        facts: "sqs",
        actions: &["sendMessage"],
        // Seen accepted in any form on AWS (where `MessageId` must be a string).
        any: &["MD5OfMessageBody"],
    },
    OptimizedService {
        resource_type: "sns",
        facts: "sns",
        actions: &["publish"],
        any: &[],
    },
    OptimizedService {
        resource_type: "ecs",
        facts: "ecs",
        actions: &["runTask"],
        any: &[],
    },
    OptimizedService {
        resource_type: "batch",
        facts: "batch",
        actions: &["submitJob"],
        any: &[],
    },
    OptimizedService {
        resource_type: "glue",
        facts: "glue",
        actions: &["startJobRun"],
        any: &[],
    },
    OptimizedService {
        resource_type: "athena",
        facts: "athena",
        actions: &[
            "startQueryExecution",
            "stopQueryExecution",
            "getQueryExecution",
            "getQueryResults",
        ],
        any: &[],
    },
    OptimizedService {
        resource_type: "codebuild",
        facts: "codebuild",
        actions: &[
            "startBuild",
            "stopBuild",
            "batchDeleteBuilds",
            "batchGetReports",
            "startBuildBatch",
            "stopBuildBatch",
            "retryBuildBatch",
            "deleteBuildBatch",
        ],
        any: &[],
    },
    OptimizedService {
        resource_type: "sagemaker",
        facts: "sagemaker",
        actions: &[
            "createEndpoint",
            "createEndpointConfig",
            "createHyperParameterTuningJob",
            "createLabelingJob",
            "createModel",
            "createProcessingJob",
            "createTrainingJob",
            "createTransformJob",
            "updateEndpoint",
        ],
        any: &[],
    },
    OptimizedService {
        resource_type: "eks",
        facts: "eks",
        actions: &[
            "createCluster",
            "deleteCluster",
            "createFargateProfile",
            "deleteFargateProfile",
            "createNodegroup",
            "deleteNodegroup",
        ],
        any: &[],
    },
];

/// The operation whose output `resource`'s result is, if Switchback knows it.
fn target_of(resource: &Resource) -> Option<Target> {
    let ResourceKind::Service(service) = resource.kind() else {
        return None;
    };
    let pattern = resource.pattern();
    if service.integration == Integration::AwsSdk {
        // AWS offers neither `.sync` nor a result of its own for `.waitForTaskToken` here.
        if pattern != IntegrationPattern::RequestResponse {
            return None;
        }
        return Some(Target {
            service: service.resource_type.strip_prefix("aws-sdk:")?.to_string(),
            operation: upper_first(&service.action),
            naming: Naming::Sdk,
            any: &[],
        });
    }
    match pattern {
        IntegrationPattern::RequestResponse => {
            let optimized = OPTIMIZED.iter().find(|o| {
                o.resource_type == &*service.resource_type
                    && o.actions.contains(&service.action.as_str())
            })?;
            Some(Target {
                service: optimized.facts.to_string(),
                operation: upper_first(&service.action),
                naming: Naming::Optimized,
                any: optimized.any,
            })
        }
        // A nested execution run to its end: the result is DescribeExecution's output, its
        // input and output as JSON rather than text under `.sync:2`.
        IntegrationPattern::Sync { json_output } if &*service.resource_type == "states" => {
            (service.action == "startExecution").then(|| Target {
                service: "sfn".into(),
                operation: "DescribeExecution".into(),
                naming: Naming::Optimized,
                any: if json_output {
                    &["input", "output"]
                } else {
                    &[]
                },
            })
        }
        _ => None,
    }
}

/// `getObject` → `GetObject`.
fn upper_first(action: &str) -> String {
    Naming::Optimized.name(action)
}

/// Walks a result along the model.
struct Checker<'m> {
    model: &'m ServiceModel,
    naming: Naming,
    strict: bool,
}

impl Checker<'_> {
    /// A structure's members: required ones first (in `STRICT`), then those given.
    fn structure(
        &self,
        members: &std::collections::BTreeMap<String, model::Member>,
        required: &[String],
        given: &Map<String, Value>,
        any: &[&str],
    ) -> Result<(), String> {
        if self.strict {
            for name in required {
                let field = self.naming.name(name);
                if given.get(&field).is_none_or(Value::is_null) {
                    return Err(format!("Required field '{field}' is missing"));
                }
            }
        }
        for (name, member) in members {
            let field = self.naming.name(name);
            let Some(value) = given.get(&field).filter(|v| !v.is_null()) else {
                continue;
            };
            if any.contains(&name.as_str()) {
                continue;
            }
            self.value(&field, &member.ty, member.constraint, value)?;
        }
        Ok(())
    }

    /// One value of type `ty` (with the constraints at `constraint`), named `field` in
    /// messages.
    fn value(
        &self,
        field: &str,
        ty: &Type,
        constraint: Option<usize>,
        value: &Value,
    ) -> Result<(), String> {
        let bounds = self.model.constraint(constraint);
        let shape = match ty {
            Type::Scalar(scalar) => {
                scalar_type(field, *scalar, value)?;
                if *scalar != Scalar::Json {
                    if let Some(bounds) = bounds {
                        check_bounds(field, *scalar, bounds, value)?;
                    }
                }
                return Ok(());
            }
            Type::Shape(name) => match self.model.shape(name) {
                Some(shape) => shape,
                None => return Ok(()),
            },
        };
        match shape {
            Shape::Structure { document: 1, .. } => Ok(()),
            Shape::Structure {
                members, required, ..
            } => {
                let Value::Object(given) = value else {
                    return Err(must_be(field, "an object"));
                };
                self.structure(members, required, given, &[])
            }
            Shape::List {
                item,
                item_constraint,
                ..
            } => {
                let Value::Array(items) = value else {
                    return Err(must_be(field, "an array"));
                };
                self.elements(field, bounds, items.iter(), item, *item_constraint)
            }
            Shape::Map {
                types,
                value_constraint,
                ..
            } => {
                let Value::Object(entries) = value else {
                    return Err(must_be(field, "an object"));
                };
                self.elements(field, bounds, entries.values(), &types.1, *value_constraint)
            }
        }
    }

    /// A list's items or a map's values: their count within the bounds, each of its type
    /// (a `null` one is left out, as a `null` member is).
    fn elements<'v>(
        &self,
        field: &str,
        bounds: Option<&Constraint>,
        elements: impl ExactSizeIterator<Item = &'v Value>,
        typ: &Type,
        constraint: Option<usize>,
    ) -> Result<(), String> {
        if let Some(bounds) = bounds {
            check_length(field, bounds, elements.len(), elements.len())?;
        }
        elements
            .filter(|v| !v.is_null())
            .try_for_each(|v| self.value(field, typ, constraint, v))
    }
}

fn must_be(field: &str, what: &str) -> String {
    format!("Field '{field}' must be {what}")
}

/// Whether `value` has the JSON type a scalar shows as in results.
fn scalar_type(field: &str, scalar: Scalar, value: &Value) -> Result<(), String> {
    match scalar {
        Scalar::Json => Ok(()),
        Scalar::String | Scalar::Blob | Scalar::StreamingBlob | Scalar::Timestamp(_) => match value
        {
            Value::String(_) => Ok(()),
            _ => Err(must_be(field, "a string")),
        },
        Scalar::Boolean => match value {
            Value::Bool(_) => Ok(()),
            _ => Err(must_be(field, "a boolean")),
        },
        Scalar::Float => match value {
            Value::Number(_) => Ok(()),
            _ => Err(must_be(field, "a number")),
        },
        Scalar::Integer => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => Ok(()),
            Value::Number(_) => Err(must_be(field, "an integer")),
            _ => Err(must_be(field, "a number")),
        },
    }
}

/// A scalar's enum values and bounds (its type already checked).
fn check_bounds(
    field: &str,
    scalar: Scalar,
    bounds: &Constraint,
    value: &Value,
) -> Result<(), String> {
    match (scalar, value) {
        (Scalar::String, Value::String(text)) => {
            if !bounds.values.is_empty() && !bounds.values.iter().any(|v| v == text) {
                return Err(format!("Field '{field}' is not an expected value"));
            }
            let length = text.chars().count();
            check_length(field, bounds, length, length)
        }
        (Scalar::Blob | Scalar::StreamingBlob, Value::String(text)) => {
            // Shown as base64 text: at least as long as the bytes it holds, so the text's
            // length bounds it from below and the decoded bytes from above.
            use base64::Engine as _;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_or(text.len(), |bytes| bytes.len());
            check_length(field, bounds, text.len(), decoded)
        }
        (Scalar::Integer | Scalar::Float, Value::Number(n)) => {
            let (Some((min, max)), Some(n)) = (bounds.range, n.as_f64()) else {
                return Ok(());
            };
            if min.is_some_and(|min| n < min) {
                return Err(format!("Field '{field}' is less than the minimum value"));
            }
            if max.is_some_and(|max| n > max) {
                return Err(format!("Field '{field}' exceeds the maximum value"));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A length against its bounds: `at_least` against the minimum, `at_most` the maximum.
fn check_length(
    field: &str,
    bounds: &Constraint,
    at_least: usize,
    at_most: usize,
) -> Result<(), String> {
    let Some((min, max)) = bounds.length else {
        return Ok(());
    };
    if min.is_some_and(|min| (at_least as u64) < min) {
        return Err(format!(
            "Field '{field}' is smaller than the minimum length"
        ));
    }
    if max.is_some_and(|max| (at_most as u64) > max) {
        return Err(format!("Field '{field}' exceeds the maximum length"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use FieldValidationMode::{None as Unchecked, Present, Strict};

    const PUT_EVENTS: &str = "arn:aws:states:::events:putEvents";
    const START_EXECUTION: &str = "arn:aws:states:::states:startExecution";
    const INVOKE: &str = "arn:aws:states:::lambda:invoke";

    fn check(resource: &str, result: Value, mode: FieldValidationMode) -> Result<(), String> {
        check_mock_result(resource, &result, mode)
    }

    /// The message of a failed check, without AWS's common prefix.
    fn problem(resource: &str, result: Value, mode: FieldValidationMode) -> String {
        let message = check(resource, result.clone(), mode)
            .expect_err(&format!("{resource} accepted {result}"));
        message
            .strip_prefix("Mock result schema validation error: ")
            .unwrap_or_else(|| panic!("not AWS's prefix: {message}"))
            .to_string()
    }

    #[test]
    fn modes_by_their_api_names() {
        for (text, mode) in [
            ("STRICT", Strict),
            ("PRESENT", Present),
            ("NONE", Unchecked),
        ] {
            assert_eq!(text.parse::<FieldValidationMode>(), Ok(mode));
            assert_eq!(mode.as_str(), text);
            assert_eq!(mode.to_string(), text);
        }
        assert_eq!(FieldValidationMode::default(), Strict);
        assert_eq!(FieldValidationMode::parse("strict"), Option::None);
        let refused = "LENIENT".parse::<FieldValidationMode>().unwrap_err();
        assert!(refused.contains("[STRICT, PRESENT, NONE]"), "{refused}");
    }

    #[test]
    fn wrong_types_in_aws_words() {
        for mode in [Strict, Present] {
            assert_eq!(
                problem(PUT_EVENTS, json!({"Entries": "one entry"}), mode),
                "Field 'Entries' must be an array"
            );
            assert_eq!(
                problem(PUT_EVENTS, json!({"Entries": [{"EventId": 42}]}), mode),
                "Field 'EventId' must be a string"
            );
            assert_eq!(
                problem(
                    PUT_EVENTS,
                    json!({"Entries": [{"EventId": "e-1"}, {"EventId": {"id": "e-2"}}]}),
                    mode
                ),
                "Field 'EventId' must be a string"
            );
            assert_eq!(
                problem(INVOKE, json!({"StatusCode": "OK"}), mode),
                "Field 'StatusCode' must be a number"
            );
            assert_eq!(
                problem(
                    "arn:aws:states:::dynamodb:putItem",
                    json!({"ConsumedCapacity": {"TableName": "t", "CapacityUnits": "2.5"}}),
                    mode
                ),
                "Field 'CapacityUnits' must be a number"
            );
            assert_eq!(
                problem(
                    "arn:aws:states:::aws-sdk:s3:getObject",
                    json!({"ContentLength": "1024"}),
                    mode
                ),
                "Field 'ContentLength' must be a number"
            );
            assert_eq!(
                problem(
                    "arn:aws:states:::aws-sdk:kms:encrypt",
                    json!({"CiphertextBlob": [1, 2, 3]}),
                    mode
                ),
                "Field 'CiphertextBlob' must be a string"
            );
            assert_eq!(
                problem(
                    START_EXECUTION,
                    json!({"ExecutionArn": "arn:e", "StartDate": false}),
                    mode
                ),
                "Field 'StartDate' must be a string"
            );
            assert_eq!(
                problem(
                    START_EXECUTION,
                    json!({"ExecutionArn": "arn:e", "StartDate": 1700000000}),
                    mode
                ),
                "Field 'StartDate' must be a string"
            );
        }
        assert_eq!(
            problem(START_EXECUTION, json!({"ExecutionArn": 17}), Present),
            "Field 'ExecutionArn' must be a string"
        );
        // The other JSON types.
        assert_eq!(
            problem(
                "arn:aws:states:::aws-sdk:s3:getObject",
                json!({"DeleteMarker": "yes"}),
                Strict
            ),
            "Field 'DeleteMarker' must be a boolean"
        );
        assert_eq!(
            problem(
                "arn:aws:states:::aws-sdk:lambda:getFunction",
                json!({"Configuration": ["x"]}),
                Strict
            ),
            "Field 'Configuration' must be an object"
        );
        assert_eq!(
            problem(
                "arn:aws:states:::dynamodb:getItem",
                json!({"Item": "id=1"}),
                Strict
            ),
            "Field 'Item' must be an object"
        );
        assert_eq!(
            problem(INVOKE, json!({"StatusCode": 200.5}), Strict),
            "Field 'StatusCode' must be an integer"
        );
        assert_eq!(check(INVOKE, json!({"StatusCode": 200.0}), Strict), Ok(()));
    }

    #[test]
    fn required_members_in_strict_mode_only() {
        // The first required member missing is the one named.
        assert_eq!(
            problem(START_EXECUTION, json!({}), Strict),
            "Required field 'ExecutionArn' is missing"
        );
        assert_eq!(
            problem(START_EXECUTION, json!({"StartDate": true}), Strict),
            "Required field 'ExecutionArn' is missing"
        );
        // The optimised integrations name members in PascalCase: camelCase ones are unknown.
        let camel = json!({"executionArn": "arn:e", "startDate": "2025-01-01T00:00:00Z"});
        assert_eq!(
            problem(START_EXECUTION, camel.clone(), Strict),
            "Required field 'ExecutionArn' is missing"
        );
        assert_eq!(
            problem(
                START_EXECUTION,
                json!({"ExecutionArn": "arn:e", "StartDate": null}),
                Strict
            ),
            "Required field 'StartDate' is missing"
        );
        // Nested structures' required members too (Batch's SubmitJob needs both).
        assert_eq!(
            problem(
                "arn:aws:states:::batch:submitJob",
                json!({"JobName": "j"}),
                Strict
            ),
            "Required field 'JobId' is missing"
        );
        for result in [
            json!({}),
            camel,
            json!({"StartDate": "2025-01-01T00:00:00Z"}),
        ] {
            assert_eq!(check(START_EXECUTION, result, Present), Ok(()));
        }
    }

    #[test]
    fn none_checks_nothing() {
        for (resource, result) in [
            (START_EXECUTION, json!({})),
            (
                START_EXECUTION,
                json!({"ExecutionArn": "arn:e", "StartDate": true}),
            ),
            (PUT_EVENTS, json!({"Entries": "one entry"})),
            (INVOKE, json!({"StatusCode": "OK"})),
        ] {
            assert_eq!(check(resource, result, Unchecked), Ok(()));
        }
    }

    #[test]
    fn enums_lengths_and_ranges() {
        for mode in [Strict, Present] {
            assert_eq!(
                problem(
                    "arn:aws:states:::aws-sdk:s3:getObject",
                    json!({"StorageClass": "PARCHMENT"}),
                    mode
                ),
                "Field 'StorageClass' is not an expected value"
            );
            assert_eq!(
                problem(
                    "arn:aws:states:::aws-sdk:kms:encrypt",
                    json!({"CiphertextBlob": ""}),
                    mode
                ),
                "Field 'CiphertextBlob' is smaller than the minimum length"
            );
            assert_eq!(
                problem(
                    "arn:aws:states:::aws-sdk:lambda:getFunction",
                    json!({"Configuration": {"MemorySize": 64}}),
                    mode
                ),
                "Field 'MemorySize' is less than the minimum value"
            );
            assert_eq!(
                problem(
                    "arn:aws:states:::aws-sdk:lambda:getFunction",
                    json!({"Configuration": {"MemorySize": 1_000_000}}),
                    mode
                ),
                "Field 'MemorySize' exceeds the maximum value"
            );
        }
        // A list's items have their own enum (Lambda's architectures), and the list its
        // length (at most one).
        let get_function = "arn:aws:states:::aws-sdk:lambda:getFunction";
        assert_eq!(
            problem(
                get_function,
                json!({"Configuration": {"Architectures": ["sparc"]}}),
                Strict
            ),
            "Field 'Architectures' is not an expected value"
        );
        assert_eq!(
            problem(
                get_function,
                json!({"Configuration": {"Architectures": ["arm64", "x86_64"]}}),
                Strict
            ),
            "Field 'Architectures' exceeds the maximum length"
        );
        assert_eq!(
            problem(
                PUT_EVENTS,
                json!({"Entries": [{"EventId": "e".repeat(65)}]}),
                Strict
            ),
            "Field 'EventId' exceeds the maximum length"
        );
        // A blob's bounds are its bytes: base64 text longer than the bound can hold fewer.
        let encrypt = "arn:aws:states:::aws-sdk:kms:encrypt";
        let most = "A".repeat(6144 / 3 * 4);
        assert_eq!(
            check(encrypt, json!({ "CiphertextBlob": most }), Strict),
            Ok(())
        );
        assert_eq!(
            problem(encrypt, json!({ "CiphertextBlob": most + "AAAA" }), Strict),
            "Field 'CiphertextBlob' exceeds the maximum length"
        );
        assert_eq!(
            check(
                "arn:aws:states:::aws-sdk:lambda:getFunction",
                json!({"Configuration": {"MemorySize": 128, "Architectures": ["arm64"]}}),
                Strict
            ),
            Ok(())
        );
    }

    #[test]
    fn unknown_members_are_accepted() {
        for mode in [Strict, Present] {
            for result in [
                json!({"random": "json"}),
                json!({}),
                json!({"Entries": [{"EventId": "e-1", "Extra": [1, 2]}], "Note": 1}),
            ] {
                assert_eq!(check(PUT_EVENTS, result, mode), Ok(()));
            }
        }
        // As are results that are not objects (AWS's words for them are not known).
        assert_eq!(check(PUT_EVENTS, json!("done"), Strict), Ok(()));
        assert_eq!(check(START_EXECUTION, json!([1, 2]), Strict), Ok(()));
    }

    #[test]
    fn results_as_the_optimised_integrations_give_them() {
        let at = "2025-01-01T00:00:00.000Z";
        for (resource, result) in [
            (
                INVOKE,
                json!({"ExecutedVersion": "$LATEST", "StatusCode": 200,
                       "Payload": "{\"ok\": true, \"items\": [1, 2]}",
                       "SdkHttpMetadata": {"HttpStatusCode": 200},
                       "SdkResponseMetadata": {"RequestId": "r"}}),
            ),
            (INVOKE, json!({"StatusCode": 200, "Payload": "text"})),
            (
                START_EXECUTION,
                json!({"ExecutionArn": "arn:aws:states:us-east-1:1:execution:m:e", "StartDate": at}),
            ),
            (
                "arn:aws:states:::states:startExecution.sync",
                json!({"ExecutionArn": "arn:e", "StateMachineArn": "arn:m", "Name": "e",
                       "Status": "SUCCEEDED", "StartDate": at, "StopDate": at,
                       "Input": "{}", "InputDetails": {"Included": true},
                       "Output": "{\"a\":1}", "OutputDetails": {"Included": true}}),
            ),
            (
                "arn:aws:states:::states:startExecution.sync:2",
                json!({"ExecutionArn": "arn:e", "StateMachineArn": "arn:m", "Name": "e",
                       "Status": "SUCCEEDED", "StartDate": at, "StopDate": at,
                       "Input": {}, "Output": {"a": 1}}),
            ),
            (
                "arn:aws:states:::dynamodb:getItem",
                json!({"Item": {"id": {"S": "1"}, "n": {"N": "2"}, "ok": {"BOOL": true},
                                "none": {"NULL": true}, "tags": {"SS": ["a"]},
                                "m": {"M": {"x": {"L": [{"S": "y"}]}}}},
                       "SdkHttpMetadata": {"HttpStatusCode": 200}}),
            ),
            (
                "arn:aws:states:::dynamodb:putItem",
                json!({"ConsumedCapacity": {"TableName": "t", "CapacityUnits": 1.0}}),
            ),
            (
                "arn:aws:states:::dynamodb:updateItem",
                json!({"Attributes": {"count": {"N": "3"}}}),
            ),
            ("arn:aws:states:::dynamodb:deleteItem", json!({})),
            (
                PUT_EVENTS,
                json!({"Entries": [{"EventId": "11710aed-b79e-4468-a20b-bb3c0c3b4860"}],
                       "FailedEntryCount": 0}),
            ),
            (
                "arn:aws:states:::sqs:sendMessage",
                json!({"MD5OfMessageBody": "3bcb6e8e", "MessageId": "m-1"}),
            ),
            ("arn:aws:states:::sns:publish", json!({"MessageId": "m-1"})),
            (
                "arn:aws:states:::ecs:runTask",
                json!({"Tasks": [{"TaskArn": "arn:t", "LastStatus": "PROVISIONING",
                                  "CreatedAt": at, "Containers": [{"Name": "app"}]}],
                       "Failures": []}),
            ),
            (
                "arn:aws:states:::batch:submitJob",
                json!({"JobArn": "arn:j", "JobId": "j-1", "JobName": "job"}),
            ),
            (
                "arn:aws:states:::glue:startJobRun",
                json!({"JobRunId": "jr_1"}),
            ),
            (
                "arn:aws:states:::athena:startQueryExecution",
                json!({"QueryExecutionId": "q-1"}),
            ),
        ] {
            assert_eq!(
                check(resource, result.clone(), Strict),
                Ok(()),
                "{resource}: {result}"
            );
        }
        // The JSON of `.sync:2` is text under `.sync`.
        assert_eq!(
            problem(
                "arn:aws:states:::states:startExecution.sync",
                json!({"ExecutionArn": "arn:e", "StateMachineArn": "arn:m",
                       "Status": "SUCCEEDED", "StartDate": at, "Output": {"a": 1}}),
                Strict
            ),
            "Field 'Output' must be a string"
        );
        assert_eq!(
            problem(
                "arn:aws:states:::states:startExecution.sync:2",
                json!({"ExecutionArn": "arn:e", "StartDate": at}),
                Strict
            ),
            "Required field 'StateMachineArn' is missing"
        );
        assert_eq!(
            problem(
                "arn:aws:states:::ecs:runTask",
                json!({"Tasks": [{"TaskArn": "arn:t", "CreatedAt": 1700000000000_u64}]}),
                Strict
            ),
            "Field 'CreatedAt' must be a string"
        );
    }

    #[test]
    fn results_as_aws_sdk_tasks_give_them() {
        let at = "2025-01-01T00:00:00Z";
        for (resource, result) in [
            (
                "arn:aws:states:::aws-sdk:s3:getObject",
                json!({"Body": "hello", "ContentLength": 5, "ContentType": "text/plain",
                       "ETag": "\"e1\"", "LastModified": at, "Metadata": {},
                       "StorageClass": "STANDARD"}),
            ),
            (
                "arn:aws:states:::aws-sdk:kms:encrypt",
                json!({"CiphertextBlob": "AQIDBA==", "KeyId": "arn:k",
                       "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
            ),
            (
                "arn:aws:states:::aws-sdk:dynamodb:getItem",
                json!({"Item": {"ok": {"Bool": true}, "none": {"Nul": true}, "s": {"Ss": ["a"]}}}),
            ),
            (
                "arn:aws:states:::aws-sdk:sfn:startExecution",
                json!({"ExecutionArn": "arn:e", "StartDate": at}),
            ),
            (
                "arn:aws:states:::aws-sdk:stepfunctions:startExecution",
                json!({"ExecutionArn": "arn:e", "StartDate": at}),
            ),
            (
                "arn:aws:states:::aws-sdk:lambda:invoke",
                json!({"StatusCode": 200, "Payload": "{\"ok\":true}"}),
            ),
        ] {
            assert_eq!(
                check(resource, result.clone(), Strict),
                Ok(()),
                "{resource}: {result}"
            );
        }
        // The SDK's names: DynamoDB's `Bool`, not `BOOL` (which is unknown there, so passes).
        assert_eq!(
            problem(
                "arn:aws:states:::aws-sdk:dynamodb:getItem",
                json!({"Item": {"ok": {"Bool": "yes"}}}),
                Strict
            ),
            "Field 'Bool' must be a boolean"
        );
        assert_eq!(
            problem(
                "arn:aws:states:::aws-sdk:sfn:startExecution",
                json!({}),
                Strict
            ),
            "Required field 'ExecutionArn' is missing"
        );
        // The Lambda API's Payload is a blob: text, for the optimised integration too.
        for resource in ["arn:aws:states:::aws-sdk:lambda:invoke", INVOKE] {
            assert_eq!(
                problem(resource, json!({"Payload": {"ok": true}}), Strict),
                "Field 'Payload' must be a string"
            );
        }
    }

    #[test]
    fn unmodelled_resources_are_not_checked() {
        let wrong = json!({"Entries": 1, "StatusCode": "x", "ExecutionArn": 1, "Payload": 1});
        for resource in [
            "arn:aws:lambda:us-east-1:123456789012:function:pay",
            "arn:aws:lambda:us-east-1:123456789012:function:pay:live",
            "arn:aws:states:us-east-1:123456789012:activity:approve",
            "arn:aws:states:::http:invoke",
            "arn:aws:states:::events:putEvents.waitForTaskToken",
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken",
            "arn:aws:states:::glue:startJobRun.sync",
            "arn:aws:states:::ecs:runTask.sync",
            "arn:aws:states:::batch:submitJob.sync",
            "arn:aws:states:::aws-sdk:nosuchservice:doThing",
            "arn:aws:states:::aws-sdk:s3:noSuchAction",
            "arn:aws:states:::eks:call",
            "arn:aws:states:::elasticmapreduce:createCluster",
            "arn:aws:states:::apigateway:invoke",
            "arn:aws:states:::nosuch:thing",
            "not an arn",
        ] {
            for mode in [Strict, Present] {
                assert_eq!(check(resource, wrong.clone(), mode), Ok(()), "{resource}");
                assert_eq!(check(resource, json!({}), mode), Ok(()), "{resource}");
            }
        }
    }
}
