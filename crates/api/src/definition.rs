//! Checking a definition as CreateStateMachine, UpdateStateMachine and
//! ValidateStateMachineDefinition do: every fault, each with AWS's code and location.
//!
//! The API takes definitions as JSON text only, as AWS does (YAML is a convenience of the CLI).
//! Locations: the validator writes the top level as an empty path; AWS prints it as `/`
//! (`These fields are required: [States] at /`), except for `MISSING_END_STATE`, which AWS
//! reports with no location at all. That one rule is applied here.

use serde_json::Value;
use switchback_asl::Resource;
use switchback_validate::{codes, Fault};

use crate::error::ApiError;

/// One problem found in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// AWS's code, e.g. `SCHEMA_VALIDATION_FAILED`.
    pub code: String,
    /// Where, e.g. `/States/A/Next`; `None` when AWS gives no location.
    pub location: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl From<Fault> for Diagnostic {
    fn from(f: Fault) -> Self {
        let location = if !f.path.is_empty() {
            Some(f.path)
        } else if f.code == codes::MISSING_END_STATE {
            None
        } else {
            Some("/".to_string())
        };
        Diagnostic {
            code: f.code,
            location,
            message: f.message,
        }
    }
}

/// Every fault of `text` for a machine of `machine_type` (`STANDARD` or `EXPRESS`); empty when
/// the definition is valid.
pub fn check(text: &str, machine_type: &str) -> Vec<Diagnostic> {
    if text.trim().is_empty() {
        return vec![not_an_object()];
    }
    let doc: Value = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            return vec![Diagnostic {
                code: "INVALID_JSON_DESCRIPTION".to_string(),
                location: Some(format!(
                    "[Source: (String); line: {}, column: {}]",
                    e.line(),
                    e.column()
                )),
                message: e.to_string(),
            }]
        }
    };
    if !doc.is_object() {
        return vec![not_an_object()];
    }
    let mut out: Vec<Diagnostic> = match switchback_asl::load::load_document(&doc) {
        Ok(_) => Vec::new(),
        Err(switchback_asl::LoadError::Invalid(faults)) => {
            faults.into_iter().map(Diagnostic::from).collect()
        }
        Err(switchback_asl::LoadError::Syntax(message)) => vec![Diagnostic {
            code: "INVALID_JSON_DESCRIPTION".to_string(),
            location: None,
            message,
        }],
    };
    if machine_type == "EXPRESS" {
        express_faults(&doc, "", &mut out);
    }
    out
}

/// The warnings of `text` (AWS's `NO_DOLLAR`, `NO_PATH`, `PASS_RESULT_IS_STATIC`): what is
/// valid but probably not meant. None when the text is not a JSON object.
pub fn warnings(text: &str) -> Vec<Diagnostic> {
    match serde_json::from_str::<Value>(text) {
        Ok(doc) if doc.is_object() => switchback_validate::warnings(&doc)
            .into_iter()
            .map(Diagnostic::from)
            .collect(),
        _ => Vec::new(),
    }
}

fn not_an_object() -> Diagnostic {
    Diagnostic {
        code: codes::SCHEMA_VALIDATION_FAILED.to_string(),
        location: None,
        message: "Definition must be a valid JSON object".to_string(),
    }
}

/// Walks every state (nested machines included) for Task resources Express cannot run.
fn express_faults(machine: &Value, path: &str, out: &mut Vec<Diagnostic>) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        let state_path = format!("{path}/States/{name}");
        if state.get("Type").and_then(Value::as_str) == Some("Task") {
            if let Some(resource) = state.get("Resource").and_then(Value::as_str) {
                // The integration patterns an Express machine cannot run (`.sync`, `.sync:2`,
                // `.waitForTaskToken`): AWS refuses them at creation.
                if let Some(suffix) = Resource::parse(resource).pattern().suffix() {
                    out.push(Diagnostic {
                        code: codes::SCHEMA_VALIDATION_FAILED.to_string(),
                        location: Some(format!("{state_path}/Resource")),
                        // AWS's message ends with a space.
                        message: format!(
                            "Express state machine does not support '{suffix}' service integration "
                        ),
                    });
                }
            }
        }
        if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
            for (i, branch) in branches.iter().enumerate() {
                express_faults(branch, &format!("{state_path}/Branches[{i}]"), out);
            }
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = state.get(key) {
                express_faults(processor, &format!("{state_path}/{key}"), out);
            }
        }
    }
}

/// The `InvalidDefinition` error for a non-empty list of diagnostics, in AWS's format.
pub fn invalid_definition(diagnostics: &[Diagnostic]) -> ApiError {
    let faults: Vec<Fault> = diagnostics
        .iter()
        .map(|d| Fault {
            path: d.location.clone().unwrap_or_default(),
            code: d.code.clone(),
            message: d.message.clone(),
        })
        .collect();
    ApiError::invalid_definition(switchback_validate::invalid_definition_message(&faults))
}

/// Checks a definition for create or update: `Ok` when valid, else `InvalidDefinition`.
pub fn require_valid(text: &str, machine_type: &str) -> Result<(), ApiError> {
    let diagnostics = check(text, machine_type);
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(invalid_definition(&diagnostics))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#;

    #[test]
    fn valid_definition_has_no_faults() {
        assert!(check(PASS, "STANDARD").is_empty());
        assert!(require_valid(PASS, "EXPRESS").is_ok());
    }

    #[test]
    fn top_level_faults_are_located_at_root() {
        let e = require_valid(r#"{"StartAt":"A"}"#, "STANDARD").unwrap_err();
        assert_eq!(e.code(), "InvalidDefinition");
        assert_eq!(
            e.message(),
            "Invalid State Machine Definition: \
             'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
        );
    }

    #[test]
    fn not_json_or_not_object() {
        let d = check("not a definition", "STANDARD");
        assert_eq!(d[0].code, "INVALID_JSON_DESCRIPTION");
        let d = check("", "STANDARD");
        assert_eq!(d[0].message, "Definition must be a valid JSON object");
        assert_eq!(d[0].location, None);
        assert_eq!(check("[1]", "STANDARD")[0].code, "SCHEMA_VALIDATION_FAILED");
    }

    #[test]
    fn express_refuses_callbacks() {
        let def = r#"{"StartAt":"T","States":{"T":{"Type":"Task",
            "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#;
        assert!(check(def, "STANDARD").is_empty());
        let d = check(def, "EXPRESS");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].location.as_deref(), Some("/States/T/Resource"));
        assert_eq!(
            d[0].message,
            "Express state machine does not support '.waitForTaskToken' service integration "
        );
    }
}
