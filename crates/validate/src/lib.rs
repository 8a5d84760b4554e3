//! Validation of a state machine definition before it runs, as AWS does at
//! CreateStateMachine: every fault at once, each with the JSON Pointer-style path of its place.
//!
//! STUB: the interface is fixed; the implementation is being written.

use serde_json::Value;

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Where: `/States/Check/Choices/0/Next` (empty for the top level).
    pub path: String,
    /// AWS's code for the kind of fault, e.g. `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`.
    pub code: String,
    /// What is wrong, for a person.
    pub message: String,
}

/// Checks a parsed definition document. Empty when it is valid.
pub fn validate(_definition: &Value) -> Vec<Fault> {
    Vec::new()
}

/// AWS's InvalidDefinition message for a list of faults.
pub fn invalid_definition_message(faults: &[Fault]) -> String {
    let mut s = String::from("Invalid State Machine Definition: ");
    let parts: Vec<String> = faults
        .iter()
        .map(|f| format!("'{}: {} at {}'", f.code, f.message, f.path))
        .collect();
    s.push_str(&parts.join(", "));
    s
}
