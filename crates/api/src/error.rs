//! The errors of the API, in the shape AWS's SDKs parse.
//!
//! On the wire an error is an HTTP status plus `{"__type": "<namespace>#<Name>", "message": ...}`.
//! The SDKs (aws-sdk-*, botocore) keep only the part after `#` (and drop anything after a `:`),
//! so the namespace is cosmetic; it is still the one AWS sends, so that logs and raw clients see
//! what they would see against AWS:
//! - Step Functions' own exceptions: `com.amazonaws.swf.service.v2.model#...`;
//! - model-constraint violations (lengths, ranges, patterns, required members):
//!   `com.amazon.coral.validate#ValidationException`, with Coral's message format
//!   `1 validation error detected: Value '...' at 'field' failed to satisfy constraint: ...`;
//! - protocol-level failures (unreadable JSON, wrong member types, unknown action):
//!   `com.amazon.coral.service#...`.
//!
//! Client errors are HTTP 400 (409 for `ConflictException`, as AWS documents), internal ones 500.
//!
//! A write refused because the data directory's disk is full is neither: it is answered like
//! AWS's own temporary unavailability, HTTP 503 `ServiceUnavailable` (one of the common errors
//! every AWS API documents). The SDKs retry a 503 with back-off, and a retried
//! `StartExecution` with the same name and input is idempotent, so a short outage costs the
//! caller nothing; a long one ends in an error whose message says what to do. Nothing of a
//! refused request is stored, so no action answers 200 unless it was committed.

use axum::http::StatusCode;
use serde_json::{json, Value};

/// Namespace of Step Functions' own exceptions.
const SFN: &str = "com.amazonaws.swf.service.v2.model";
/// Namespace of model-constraint violations.
const CORAL_VALIDATE: &str = "com.amazon.coral.validate";
/// Namespace of the protocol layer's errors.
const CORAL_SERVICE: &str = "com.amazon.coral.service";

/// An error answer of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    namespace: &'static str,
    code: &'static str,
    message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    fn new(
        status: StatusCode,
        namespace: &'static str,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            namespace,
            code,
            message: message.into(),
        }
    }

    /// A Step Functions exception answered with HTTP 400.
    pub fn service(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, SFN, code, message)
    }

    /// The error's name as the SDKs see it, e.g. `StateMachineDoesNotExist`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// True for a server-side failure (HTTP 5xx).
    pub fn is_internal(&self) -> bool {
        self.status.is_server_error()
    }

    /// The JSON body sent to the client.
    pub fn body(&self) -> Value {
        json!({
            "__type": format!("{}#{}", self.namespace, self.code),
            "message": self.message,
        })
    }

    // ----- protocol layer -----

    /// The body is not JSON, or a member has the wrong JSON type. Coral's messages for a type
    /// mismatch are Jackson's (`STRING_VALUE can not be converted to an Integer`, ...).
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CORAL_SERVICE,
            "SerializationException",
            message,
        )
    }

    /// `X-Amz-Target` is missing or names no action of this service.
    pub fn unknown_operation(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CORAL_SERVICE,
            "UnknownOperationException",
            message,
        )
    }

    /// The request body is larger than the server accepts. AWS answers 413 from its front end.
    pub fn request_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            CORAL_SERVICE,
            "RequestEntityTooLargeException",
            format!("Request body is larger than the limit of {limit} bytes"),
        )
    }

    /// Something failed inside the server: the client can retry, the details go to the log.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            CORAL_SERVICE,
            "InternalFailure",
            message,
        )
    }

    /// The server cannot take the request now, but will later without anyone restarting it:
    /// HTTP 503, retried by the SDKs.
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            CORAL_SERVICE,
            "ServiceUnavailable",
            message,
        )
    }

    // ----- access: hosts and authentication -----

    /// The request is refused before any action runs: its `Host` does not name this server
    /// (see [`crate::hosts`]), or the console's cross-site protection caught it. HTTP 403.
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            CORAL_SERVICE,
            "AccessDeniedException",
            message,
        )
    }

    /// Authentication is on and the request carries no `Authorization` header (AWS: HTTP
    /// 403, "Missing Authentication Token").
    pub fn missing_authentication_token() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            CORAL_SERVICE,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
    }

    /// A console request without a live session (HTTP 401, so that the console's script
    /// knows to sign in again); the SDKs read it as `MissingAuthenticationTokenException`.
    pub fn login_required(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            CORAL_SERVICE,
            "MissingAuthenticationTokenException",
            message,
        )
    }

    /// The access key id is not one of the server's keys (AWS's message).
    pub fn unrecognized_client() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CORAL_SERVICE,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    }

    /// The signature does not match, is out of date, or is scoped to another region, service
    /// or day.
    pub fn invalid_signature(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CORAL_SERVICE,
            "InvalidSignatureException",
            message,
        )
    }

    /// The `Authorization` header is not a complete SigV4 header.
    pub fn incomplete_signature(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            CORAL_SERVICE,
            "IncompleteSignatureException",
            message,
        )
    }

    // ----- model constraints -----

    /// One or more constraint violations, each as built by [`constraint`]; Coral numbers them
    /// and joins them with `; `.
    pub fn validation(violations: &[String]) -> Self {
        let noun = if violations.len() == 1 {
            "error"
        } else {
            "errors"
        };
        Self::new(
            StatusCode::BAD_REQUEST,
            CORAL_VALIDATE,
            "ValidationException",
            format!(
                "{} validation {noun} detected: {}",
                violations.len(),
                violations.join("; ")
            ),
        )
    }

    /// A `ValidationException` raised by the service's own checks (not the model's), whose
    /// message AWS words freely, e.g. `Version description can only be set when publish is true`.
    pub fn validation_message(message: impl Into<String>) -> Self {
        Self::service("ValidationException", message)
    }

    // ----- Step Functions exceptions, with AWS's messages -----

    /// `Invalid Arn: '<detail>'`.
    pub fn invalid_arn(detail: impl std::fmt::Display) -> Self {
        Self::service("InvalidArn", format!("Invalid Arn: '{detail}'"))
    }

    /// `Invalid Name: '<name>'`.
    pub fn invalid_name(name: &str) -> Self {
        Self::service("InvalidName", format!("Invalid Name: '{name}'"))
    }

    /// `Invalid State Machine Definition: '...'` (the message is built by the caller).
    pub fn invalid_definition(message: impl Into<String>) -> Self {
        Self::service("InvalidDefinition", message)
    }

    /// `State Machine Does Not Exist: '<arn>'`.
    pub fn state_machine_does_not_exist(arn: &str) -> Self {
        Self::service(
            "StateMachineDoesNotExist",
            format!("State Machine Does Not Exist: '{arn}'"),
        )
    }

    /// `State Machine Already Exists: '<arn>'`.
    pub fn state_machine_already_exists(arn: &str) -> Self {
        Self::service(
            "StateMachineAlreadyExists",
            format!("State Machine Already Exists: '{arn}'"),
        )
    }

    /// `State Machine is being deleted: '<arn>'`.
    pub fn state_machine_deleting(arn: &str) -> Self {
        Self::service(
            "StateMachineDeleting",
            format!("State Machine is being deleted: '{arn}'"),
        )
    }

    /// `Activity Does Not Exist: '<arn>'`.
    pub fn activity_does_not_exist(arn: &str) -> Self {
        Self::service(
            "ActivityDoesNotExist",
            format!("Activity Does Not Exist: '{arn}'"),
        )
    }

    /// `Activity Already Exists: '<arn>'` (a create that would change its encryption).
    pub fn activity_already_exists(arn: &str) -> Self {
        Self::service(
            "ActivityAlreadyExists",
            format!("Activity Already Exists: '{arn}'"),
        )
    }

    /// The action does not apply to this type of state machine.
    pub fn state_machine_type_not_supported() -> Self {
        Self::service(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        )
    }

    /// `Request references a resource that does not exist.` (aliases) or a custom message.
    pub fn resource_not_found(message: impl Into<String>) -> Self {
        Self::service("ResourceNotFound", message)
    }

    /// A concurrent or conflicting change: HTTP 409 as AWS documents.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, SFN, "ConflictException", message)
    }

    /// A required combination of parameters is missing.
    pub fn missing_required_parameter(message: impl Into<String>) -> Self {
        Self::service("MissingRequiredParameter", message)
    }

    /// Too many tags on one resource.
    pub fn too_many_tags(arn: &str, limit: usize) -> Self {
        Self::service(
            "TooManyTags",
            format!("Too many tags on resource '{arn}': at most {limit} are allowed"),
        )
    }

    /// The `nextToken` was not one this server issued for this listing.
    pub fn invalid_token(token: &str) -> Self {
        Self::service("InvalidToken", format!("Invalid Token: '{token}'"))
    }

    /// The tracing configuration is not an `enabled` boolean.
    pub fn invalid_tracing_configuration(message: impl Into<String>) -> Self {
        Self::service("InvalidTracingConfiguration", message)
    }

    /// The logging configuration is inconsistent.
    pub fn invalid_logging_configuration(message: impl Into<String>) -> Self {
        Self::service("InvalidLoggingConfiguration", message)
    }

    /// The encryption configuration is inconsistent.
    pub fn invalid_encryption_configuration(message: impl Into<String>) -> Self {
        Self::service("InvalidEncryptionConfiguration", message)
    }
}

/// A store failure is the server's problem, never the client's: 500, details logged. A full
/// disk is 503 with what to do (the store logs it once when it starts, so it is not logged
/// again for every request refused).
impl From<switchback_store::StoreError> for ApiError {
    fn from(e: switchback_store::StoreError) -> Self {
        match e {
            switchback_store::StoreError::Full { dir, .. } => {
                tracing::debug!(data_dir = %dir.display(), "request refused: no disk space");
                ApiError::service_unavailable(format!(
                    "Switchback cannot write to its data directory {}: no space is left on \
                     its disk (or a disk quota or file size limit is reached). Nothing of this \
                     request was stored. Free disk space there and retry: the server resumes \
                     by itself, without a restart; reads keep working meanwhile",
                    dir.display()
                ))
            }
            e => {
                tracing::error!(error = %e, "store failure");
                ApiError::internal("The store failed to complete the request")
            }
        }
    }
}

/// One Coral constraint violation: `Value '<v>' at '<field>' failed to satisfy constraint:
/// <rule>`. A sensitive member (a definition, a description) is not echoed: `Value at ...`.
/// A missing required member reads `Value null at '<field>' ...`.
pub fn constraint(value: ConstraintValue<'_>, field: &str, rule: &str) -> String {
    match value {
        ConstraintValue::Shown(v) => {
            format!("Value '{v}' at '{field}' failed to satisfy constraint: {rule}")
        }
        ConstraintValue::Hidden => {
            format!("Value at '{field}' failed to satisfy constraint: {rule}")
        }
        ConstraintValue::Null => {
            format!("Value null at '{field}' failed to satisfy constraint: {rule}")
        }
    }
}

/// How a violated value appears in a constraint message.
#[derive(Debug, Clone, Copy)]
pub enum ConstraintValue<'a> {
    /// Quoted as is.
    Shown(&'a str),
    /// A sensitive member: not echoed.
    Hidden,
    /// The member is missing.
    Null,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_counts_its_violations() {
        let one = ApiError::validation(&["a".into()]);
        assert_eq!(one.message(), "1 validation error detected: a");
        let two = ApiError::validation(&["a".into(), "b".into()]);
        assert_eq!(two.message(), "2 validation errors detected: a; b");
    }

    #[test]
    fn body_has_namespaced_type_and_message() {
        let e = ApiError::state_machine_does_not_exist("arn:x");
        assert_eq!(
            e.body(),
            json!({
                "__type": "com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist",
                "message": "State Machine Does Not Exist: 'arn:x'"
            })
        );
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert_eq!(ApiError::conflict("x").status(), StatusCode::CONFLICT);
    }

    #[test]
    fn full_disk_is_service_unavailable_naming_the_directory() {
        let e = ApiError::from(switchback_store::StoreError::Full {
            dir: "/var/lib/switchback".into(),
            reason: "database or disk is full".into(),
        });
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code(), "ServiceUnavailable");
        assert!(e.is_internal());
        assert!(
            e.message().contains("/var/lib/switchback") && e.message().contains("Free disk space"),
            "{}",
            e.message()
        );
        assert_eq!(
            e.body()["__type"],
            "com.amazon.coral.service#ServiceUnavailable"
        );
        // Any other store failure stays an internal failure.
        let other = ApiError::from(switchback_store::StoreError::Corrupt("x".into()));
        assert_eq!(other.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(other.code(), "InternalFailure");
    }

    #[test]
    fn constraint_messages() {
        assert_eq!(
            constraint(
                ConstraintValue::Shown("1001"),
                "maxResults",
                "Member must have value less than or equal to 1000"
            ),
            "Value '1001' at 'maxResults' failed to satisfy constraint: \
             Member must have value less than or equal to 1000"
        );
        assert_eq!(
            constraint(ConstraintValue::Null, "name", "Member must not be null"),
            "Value null at 'name' failed to satisfy constraint: Member must not be null"
        );
    }
}
