//! The configuration members of a state machine: `loggingConfiguration`,
//! `tracingConfiguration` and `encryptionConfiguration`.
//!
//! Switchback does not ship logs to CloudWatch, trace to X-Ray or encrypt with KMS; it checks
//! these members as AWS does and echoes them back in its descriptions, so that tools which
//! set them (CloudFormation, Terraform, CDK) round-trip cleanly. Each is stored normalised:
//! defaults filled in, so that two requests meaning the same thing compare equal (the
//! idempotency check of CreateStateMachine compares them).

use serde_json::{json, Map, Value};

use crate::error::{constraint, ApiError, ConstraintValue};
use crate::input::{as_object, check_len, nested_bool, nested_int, nested_str, shapes, Input};

/// AWS's log levels.
const LOG_LEVELS: &[&str] = &["ALL", "ERROR", "FATAL", "OFF"];
/// AWS's encryption types.
const ENCRYPTION_TYPES: &[&str] = &["AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY"];

/// What a machine shows when no logging configuration was given.
pub fn default_logging() -> Value {
    json!({"level": "OFF", "includeExecutionData": false})
}

/// What a machine shows when no tracing configuration was given.
pub fn default_tracing() -> Value {
    json!({"enabled": false})
}

/// Reads and checks `loggingConfiguration`; `None` when absent.
pub fn logging(input: &mut Input) -> Result<Option<Value>, ApiError> {
    let Some(obj) = input.opt_object("loggingConfiguration")? else {
        return Ok(None);
    };
    let level = nested_str(&obj, "level")?.unwrap_or("OFF").to_string();
    if !LOG_LEVELS.contains(&level.as_str()) {
        input.violation(constraint(
            ConstraintValue::Shown(&level),
            "loggingConfiguration.level",
            &format!(
                "Member must satisfy enum value set: [{}]",
                LOG_LEVELS.join(", ")
            ),
        ));
    }
    let include = nested_bool(&obj, "includeExecutionData")?.unwrap_or(false);
    let destinations = match obj.get("destinations") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => return Err(crate::input::wrong_type(other, "a list")),
    };
    let mut cleaned = Vec::new();
    for (i, d) in destinations.iter().enumerate() {
        let d = as_object(d)?;
        let group = match d.get("cloudWatchLogsLogGroup") {
            None | Some(Value::Null) => None,
            Some(g) => Some(as_object(g)?),
        };
        let arn = match group {
            Some(g) => nested_str(g, "logGroupArn")?,
            None => None,
        };
        if let Some(arn) = arn {
            let field = format!(
                "loggingConfiguration.destinations.{}.member.cloudWatchLogsLogGroup.logGroupArn",
                i + 1
            );
            if let Some(v) = check_len(&field, arn, shapes::ARN) {
                input.violation(v);
            }
        }
        cleaned.push(match arn {
            Some(arn) => json!({"cloudWatchLogsLogGroup": {"logGroupArn": arn}}),
            None => json!({}),
        });
    }
    // An unknown level is already a violation; the destination rule applies to real levels.
    if LOG_LEVELS.contains(&level.as_str()) && level != "OFF" && cleaned.len() != 1 {
        return Err(ApiError::invalid_logging_configuration(
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        ));
    }
    let mut out = Map::new();
    out.insert("level".into(), Value::String(level));
    out.insert("includeExecutionData".into(), Value::Bool(include));
    if !cleaned.is_empty() {
        out.insert("destinations".into(), Value::Array(cleaned));
    }
    Ok(Some(Value::Object(out)))
}

/// Reads and checks `tracingConfiguration`; `None` when absent.
pub fn tracing(input: &mut Input) -> Result<Option<Value>, ApiError> {
    let Some(obj) = input.opt_object("tracingConfiguration")? else {
        return Ok(None);
    };
    let enabled = nested_bool(&obj, "enabled")?.unwrap_or(false);
    Ok(Some(json!({ "enabled": enabled })))
}

/// Reads and checks `encryptionConfiguration`; `None` when absent.
pub fn encryption(input: &mut Input) -> Result<Option<Value>, ApiError> {
    let Some(obj) = input.opt_object("encryptionConfiguration")? else {
        return Ok(None);
    };
    let kind = nested_str(&obj, "type")?.map(str::to_string);
    match &kind {
        None => input.violation(constraint(
            ConstraintValue::Null,
            "encryptionConfiguration.type",
            "Member must not be null",
        )),
        Some(k) if !ENCRYPTION_TYPES.contains(&k.as_str()) => input.violation(constraint(
            ConstraintValue::Shown(k),
            "encryptionConfiguration.type",
            &format!(
                "Member must satisfy enum value set: [{}]",
                ENCRYPTION_TYPES.join(", ")
            ),
        )),
        Some(_) => {}
    }
    let key = nested_str(&obj, "kmsKeyId")?.map(str::to_string);
    if let Some(k) = &key {
        if let Some(v) = check_len(
            "encryptionConfiguration.kmsKeyId",
            k,
            crate::input::Len::new(1, 2048),
        ) {
            input.violation(v);
        }
    }
    let period = nested_int(&obj, "kmsDataKeyReusePeriodSeconds")?;
    if let Some(p) = period {
        if !(60..=900).contains(&p) {
            let rule = if p < 60 {
                "Member must have value greater than or equal to 60"
            } else {
                "Member must have value less than or equal to 900"
            };
            input.violation(constraint(
                ConstraintValue::Shown(&p.to_string()),
                "encryptionConfiguration.kmsDataKeyReusePeriodSeconds",
                rule,
            ));
        }
    }
    match (kind.as_deref(), &key) {
        (Some("CUSTOMER_MANAGED_KMS_KEY"), None) => {
            return Err(ApiError::invalid_encryption_configuration(
                "Invalid Encryption Configuration: kmsKeyId is required when type is \
                 CUSTOMER_MANAGED_KMS_KEY",
            ))
        }
        (Some("AWS_OWNED_KEY"), Some(_)) => {
            return Err(ApiError::invalid_encryption_configuration(
                "Invalid Encryption Configuration: kmsKeyId must not be set when type is \
                 AWS_OWNED_KEY",
            ))
        }
        _ => {}
    }
    let mut out = Map::new();
    if let Some(k) = key {
        out.insert("kmsKeyId".into(), Value::String(k));
    }
    if let Some(p) = period {
        out.insert("kmsDataKeyReusePeriodSeconds".into(), Value::from(p));
    }
    out.insert("type".into(), kind.map_or(Value::Null, Value::String));
    Ok(Some(Value::Object(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logging_is_normalised_and_checked() {
        let mut i = Input::new(json!({"loggingConfiguration": {}})).unwrap();
        assert_eq!(logging(&mut i).unwrap(), Some(default_logging()));
        let mut i = Input::new(json!({"loggingConfiguration": {"level": "ALL"}})).unwrap();
        assert_eq!(
            logging(&mut i).unwrap_err().code(),
            "InvalidLoggingConfiguration"
        );
        let mut i = Input::new(json!({"loggingConfiguration": {"level": "LOUD"}})).unwrap();
        logging(&mut i).unwrap();
        assert_eq!(i.finish().unwrap_err().code(), "ValidationException");
        let mut i = Input::new(json!({"loggingConfiguration": {"level": "ERROR",
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:x"}}]}}))
        .unwrap();
        let v = logging(&mut i).unwrap().unwrap();
        assert_eq!(
            v["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"],
            "arn:aws:logs:x"
        );
    }

    #[test]
    fn tracing_and_encryption() {
        let mut i = Input::new(json!({"tracingConfiguration": {"enabled": true}})).unwrap();
        assert_eq!(tracing(&mut i).unwrap(), Some(json!({"enabled": true})));
        let mut i = Input::new(json!({"tracingConfiguration": {"enabled": "yes"}})).unwrap();
        assert_eq!(
            tracing(&mut i).unwrap_err().code(),
            "SerializationException"
        );
        let mut i =
            Input::new(json!({"encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY"}}))
                .unwrap();
        assert_eq!(
            encryption(&mut i).unwrap_err().code(),
            "InvalidEncryptionConfiguration"
        );
        let mut i =
            Input::new(json!({"encryptionConfiguration": {"type": "AWS_OWNED_KEY"}})).unwrap();
        assert_eq!(
            encryption(&mut i).unwrap(),
            Some(json!({"type": "AWS_OWNED_KEY"}))
        );
    }
}
