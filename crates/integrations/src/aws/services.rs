//! The AWS services Switchback calls, as facts: how each is reached (endpoint prefix, SigV4
//! signing name, protocol) and how Step Functions names its errors.
//!
//! The facts come from AWS's published API models (the `aws.protocols`, `sigv4` and `endpoint`
//! traits of each service's Smithy model: protocol, target prefix, signing name, endpoint
//! prefix) and, for the error names, from the exception classes of the AWS SDK for Java 1.x,
//! which Step Functions' optimised integrations report: `<Service>.<ExceptionClass>` for an
//! error the service models (`DynamoDB.ConditionalCheckFailedException`), the service's base
//! exception for any other (`DynamoDB.AmazonDynamoDBException` for a `ValidationException`),
//! and `<Service>.SdkClientException` when no answer came. The recorded AWS cases in
//! `../shared/conformance/aws-services/` show each kind.

/// How a service's operations are called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// AWS JSON 1.0 or 1.1: `POST /` with `X-Amz-Target: <target_prefix>.<Operation>`.
    AwsJson {
        /// `"1.0"` or `"1.1"`.
        version: &'static str,
        target_prefix: &'static str,
    },
    /// The AWS query protocol: `POST /` with a form `Action=<Operation>&Version=<version>&...`,
    /// XML answers.
    AwsQuery { version: &'static str },
}

/// One AWS service.
#[derive(Debug)]
pub(crate) struct Service {
    /// The name of `[aws.services.KEY]` and of AWS's config files (`services` sections), in
    /// lowercase; `AWS_ENDPOINT_URL_<KEY in uppercase>` names its endpoint.
    pub key: &'static str,
    /// The host's first label on AWS: `https://<prefix>.<region>.amazonaws.com`.
    pub endpoint_prefix: &'static str,
    /// SigV4's service name.
    pub signing_name: &'static str,
    pub protocol: Protocol,
    /// The first part of Step Functions' error names (`DynamoDB`, `SQS`, `EventBridge`).
    pub error_prefix: &'static str,
    /// The SDK for Java's service name, in causes: `(Service: AmazonDynamoDBv2; ...)`.
    pub sdk_name: &'static str,
    /// The SDK for Java's base exception: the error name of errors the service does not
    /// model.
    pub base_exception: &'static str,
    /// The error codes the service models, each with its exception class.
    pub modeled: &'static [(&'static str, &'static str)],
    /// Whether optimised integration results carry `SdkHttpMetadata` and
    /// `SdkResponseMetadata` (SQS, SNS and DynamoDB do; EventBridge does not).
    pub http_metadata: bool,
    /// How the service's servers spell header names where they differ from the common
    /// spelling (lowercase name, spelling), for `SdkHttpMetadata`.
    pub header_spellings: &'static [(&'static str, &'static str)],
    /// Whether the service's AWS endpoint sends a `Server` header (DynamoDB's `Server:
    /// Server`), so that `SdkHttpMetadata` keeps it under `[aws] response_headers = "aws"`;
    /// on the others a `Server` header is the emulator's web server (moto's `Werkzeug/...`).
    pub server_header: bool,
}

/// Amazon SQS, over AWS JSON 1.0 (SQS's JSON protocol; moto 5 and ElasticMQ speak it too).
pub(crate) static SQS: Service = Service {
    key: "sqs",
    endpoint_prefix: "sqs",
    signing_name: "sqs",
    protocol: Protocol::AwsJson {
        version: "1.0",
        target_prefix: "AmazonSQS",
    },
    error_prefix: "SQS",
    sdk_name: "AmazonSQS",
    base_exception: "AmazonSQSException",
    // The JSON protocol's codes, and the query protocol's that `x-amzn-query-error` carries.
    modeled: &[
        ("QueueDoesNotExist", "QueueDoesNotExistException"),
        (
            "AWS.SimpleQueueService.NonExistentQueue",
            "QueueDoesNotExistException",
        ),
        ("InvalidMessageContents", "InvalidMessageContentsException"),
        ("UnsupportedOperation", "UnsupportedOperationException"),
        (
            "AWS.SimpleQueueService.UnsupportedOperation",
            "UnsupportedOperationException",
        ),
        ("RequestThrottled", "RequestThrottledException"),
        ("InvalidAddress", "InvalidAddressException"),
        ("InvalidSecurity", "InvalidSecurityException"),
        ("KmsAccessDenied", "KmsAccessDeniedException"),
        ("KmsDisabled", "KmsDisabledException"),
        ("KmsInvalidKeyUsage", "KmsInvalidKeyUsageException"),
        ("KmsInvalidState", "KmsInvalidStateException"),
        ("KmsNotFound", "KmsNotFoundException"),
        ("KmsOptInRequired", "KmsOptInRequiredException"),
        ("KmsThrottled", "KmsThrottledException"),
    ],
    http_metadata: true,
    // As recorded from SQS's JSON protocol on AWS.
    header_spellings: &[("connection", "connection")],
    server_header: false,
};

/// Amazon DynamoDB, over AWS JSON 1.0.
pub(crate) static DYNAMODB: Service = Service {
    key: "dynamodb",
    endpoint_prefix: "dynamodb",
    signing_name: "dynamodb",
    protocol: Protocol::AwsJson {
        version: "1.0",
        target_prefix: "DynamoDB_20120810",
    },
    error_prefix: "DynamoDB",
    sdk_name: "AmazonDynamoDBv2",
    base_exception: "AmazonDynamoDBException",
    modeled: &[
        (
            "ConditionalCheckFailedException",
            "ConditionalCheckFailedException",
        ),
        (
            "ProvisionedThroughputExceededException",
            "ProvisionedThroughputExceededException",
        ),
        ("ResourceNotFoundException", "ResourceNotFoundException"),
        (
            "ItemCollectionSizeLimitExceededException",
            "ItemCollectionSizeLimitExceededException",
        ),
        (
            "TransactionConflictException",
            "TransactionConflictException",
        ),
        ("RequestLimitExceeded", "RequestLimitExceededException"),
        ("InternalServerError", "InternalServerErrorException"),
        (
            "InternalServerErrorException",
            "InternalServerErrorException",
        ),
        ("ResourceInUseException", "ResourceInUseException"),
        ("LimitExceededException", "LimitExceededException"),
        (
            "TransactionCanceledException",
            "TransactionCanceledException",
        ),
        (
            "TransactionInProgressException",
            "TransactionInProgressException",
        ),
        (
            "IdempotentParameterMismatchException",
            "IdempotentParameterMismatchException",
        ),
        (
            "ReplicatedWriteConflictException",
            "ReplicatedWriteConflictException",
        ),
    ],
    http_metadata: true,
    header_spellings: &[],
    server_header: true,
};

/// Amazon EventBridge, over AWS JSON 1.1.
pub(crate) static EVENTBRIDGE: Service = Service {
    key: "eventbridge",
    endpoint_prefix: "events",
    signing_name: "events",
    protocol: Protocol::AwsJson {
        version: "1.1",
        target_prefix: "AWSEvents",
    },
    error_prefix: "EventBridge",
    sdk_name: "AmazonEventBridge",
    base_exception: "AmazonEventBridgeException",
    modeled: &[
        ("InternalException", "InternalException"),
        ("ResourceNotFoundException", "ResourceNotFoundException"),
        (
            "ConcurrentModificationException",
            "ConcurrentModificationException",
        ),
        ("LimitExceededException", "LimitExceededException"),
        ("ManagedRuleException", "ManagedRuleException"),
        ("OperationDisabledException", "OperationDisabledException"),
    ],
    http_metadata: false,
    header_spellings: &[],
    server_header: false,
};

/// Amazon SNS, over the AWS query protocol.
pub(crate) static SNS: Service = Service {
    key: "sns",
    endpoint_prefix: "sns",
    signing_name: "sns",
    protocol: Protocol::AwsQuery {
        version: "2010-03-31",
    },
    error_prefix: "SNS",
    sdk_name: "AmazonSNS",
    base_exception: "AmazonSNSException",
    modeled: &[
        ("AuthorizationError", "AuthorizationErrorException"),
        ("EndpointDisabled", "EndpointDisabledException"),
        ("InternalError", "InternalErrorException"),
        ("InvalidParameter", "InvalidParameterException"),
        ("ParameterValueInvalid", "InvalidParameterValueException"),
        ("InvalidSecurity", "InvalidSecurityException"),
        ("KMSAccessDenied", "KMSAccessDeniedException"),
        ("KMSDisabled", "KMSDisabledException"),
        ("KMSInvalidState", "KMSInvalidStateException"),
        ("KMSNotFound", "KMSNotFoundException"),
        ("KMSOptInRequired", "KMSOptInRequiredException"),
        ("KMSThrottling", "KMSThrottlingException"),
        ("NotFound", "NotFoundException"),
        (
            "PlatformApplicationDisabled",
            "PlatformApplicationDisabledException",
        ),
        ("Throttled", "ThrottledException"),
        ("ValidationException", "ValidationException"),
    ],
    http_metadata: true,
    // As recorded from SNS on AWS.
    header_spellings: &[("connection", "connection")],
    server_header: false,
};

/// The services Switchback calls.
#[cfg(test)]
static SERVICES: [&Service; 4] = [&SQS, &DYNAMODB, &EVENTBRIDGE, &SNS];

/// The names `[aws.services.NAME]` accepts and whose `AWS_ENDPOINT_URL_<NAME>` is read: the
/// services called today and the ones AWS's optimised integrations name, so that a
/// configuration written ahead of them is accepted and a misspelt one is not.
pub(crate) const KNOWN_KEYS: &[&str] = &[
    "sqs",
    "dynamodb",
    "eventbridge",
    "sns",
    "s3",
    "lambda",
    "sfn",
    "ecs",
    "batch",
    "glue",
    "sagemaker",
    "athena",
    "codebuild",
    "api_gateway",
    "execute_api",
    "secrets_manager",
    "ssm",
    "sts",
    "kms",
    "kinesis",
    "firehose",
    "cloudwatch",
    "cloudwatch_logs",
    "scheduler",
];

/// The service with this config key.
#[cfg(test)]
pub(crate) fn by_key(key: &str) -> Option<&'static Service> {
    SERVICES.iter().copied().find(|s| s.key == key)
}

/// Every configuration key: the optimised integrations' and those of the services `aws-sdk:*`
/// reaches (AWS's service ids in lowercase, spaces as `_`: `secrets_manager`, `auto_scaling`).
pub(crate) fn known_keys() -> impl Iterator<Item = &'static str> {
    KNOWN_KEYS
        .iter()
        .copied()
        .chain(super::sdk_config_keys().filter(|k| !KNOWN_KEYS.contains(k)))
}

/// The config key a `[aws.services.NAME]` table means: NAME itself in lowercase with `-` as
/// `_`, or the name Step Functions' resources use where it differs (`events`, `states`), or
/// the key without its underscores (`autoscaling` is `auto_scaling`).
pub(crate) fn config_key(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    let lower = match lower.as_str() {
        "events" => "eventbridge",
        "states" | "stepfunctions" => "sfn",
        "secretsmanager" => "secrets_manager",
        "apigateway" => "api_gateway",
        "logs" => "cloudwatch_logs",
        other => other,
    };
    known_keys()
        .find(|k| *k == lower)
        .or_else(|| known_keys().find(|k| k.replace('_', "") == lower.replace('_', "")))
}

/// `AWS_ENDPOINT_URL_<KEY>`: the key in uppercase.
pub(crate) fn endpoint_variable(key: &str) -> String {
    format!("AWS_ENDPOINT_URL_{}", key.to_ascii_uppercase())
}

impl Service {
    /// The exception class of an error code the service models.
    pub fn modeled_exception(&self, code: &str) -> Option<&'static str> {
        self.modeled
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, class)| *class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_variables() {
        assert_eq!(config_key("events"), Some("eventbridge"));
        assert_eq!(config_key("DynamoDB"), Some("dynamodb"));
        assert_eq!(config_key("dynamo"), None);
        assert_eq!(endpoint_variable("dynamodb"), "AWS_ENDPOINT_URL_DYNAMODB");
        assert_eq!(config_key("autoscaling"), Some("auto_scaling"));
        assert_eq!(config_key("s3"), Some("s3"));
        assert_eq!(config_key("iam"), Some("iam"));
        for service in SERVICES {
            assert!(KNOWN_KEYS.contains(&service.key), "{}", service.key);
            assert_eq!(by_key(service.key).map(|s| s.key), Some(service.key));
        }
    }
}
