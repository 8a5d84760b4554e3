//! Validation of a state machine definition before it runs, as AWS does at
//! CreateStateMachine: every fault at once, each with the path of its place.
//!
//! The checks work on the raw JSON document rather than on a typed model, so that a definition
//! with many problems still yields all of them (a typed parse would stop at the first), and so
//! that every fault can name the exact place it was found.
//!
//! Paths follow what AWS prints: `/States/A/Next`, with array elements written as
//! `/States/C/Choices[0]/Next` (AWS's own form, measured on ValidateStateMachineDefinition).
//!
//! Layout: [`machine`] checks a state machine or a nested one (Parallel branch, Map processor),
//! including transitions and reachability; [`state`] checks what every state shares and
//! dispatches to one module per state type; [`errors`] checks Retry and Catch; [`paths`] checks
//! JSONPath fields and payload templates; [`query`] holds the JSONPath-vs-JSONata rules and the
//! `{% %}` expression checks; [`assign`] checks variable assignments; [`fields`] holds the small
//! type and range checks everything else uses.

mod assign;
mod choice;
mod ctx;
mod errors;
mod fields;
mod machine;
mod map;
mod parallel;
mod paths;
mod query;
mod state;
mod task;
mod terminal;
mod timestamp;
mod wait;
pub mod warnings;

use serde_json::Value;

pub use timestamp::is_asl_timestamp;
pub use warnings::warnings;

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Where: `/States/Check/Choices[0]/Next` (empty for the top level).
    pub path: String,
    /// AWS's code for the kind of fault, e.g. `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`.
    pub code: String,
    /// What is wrong, for a person.
    pub message: String,
}

/// AWS's fault codes, as they appear in InvalidDefinition messages and in
/// ValidateStateMachineDefinition diagnostics.
pub mod codes {
    /// A field has the wrong type or value, is missing, or is not supported where it is.
    pub const SCHEMA_VALIDATION_FAILED: &str = "SCHEMA_VALIDATION_FAILED";
    /// A transition names no state in its scope, or a state cannot be reached
    /// (AWS uses this one code for both).
    pub const MISSING_TRANSITION_TARGET: &str = "MISSING_TRANSITION_TARGET";
    /// No state of a (sub-)machine can end it.
    pub const MISSING_END_STATE: &str = "MISSING_END_STATE";
    /// Two states share a name anywhere in the machine, nested ones included.
    pub const DUPLICATE_STATE_NAME: &str = "DUPLICATE_STATE_NAME";
    /// A `{% %}` expression does not parse.
    pub const INVALID_JSONATA_EXPRESSION: &str = "INVALID_JSONATA_EXPRESSION";
}

/// Checks a parsed definition document. Empty when it is valid.
pub fn validate(definition: &Value) -> Vec<Fault> {
    let mut cx = ctx::Ctx::default();
    machine::validate_top(&mut cx, definition);
    cx.faults
}

/// AWS's InvalidDefinition message for a list of faults.
///
/// AWS quotes the whole list once and separates the diagnostics with `, `:
/// `Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3
/// at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at
/// /States/pass2'`. A diagnostic without a location (e.g. `MISSING_END_STATE`) has no ` at`.
pub fn invalid_definition_message(faults: &[Fault]) -> String {
    let parts: Vec<String> = faults
        .iter()
        .map(|f| {
            if f.path.is_empty() {
                format!("{}: {}", f.code, f.message)
            } else {
                format!("{}: {} at {}", f.code, f.message, f.path)
            }
        })
        .collect();
    format!("Invalid State Machine Definition: '{}'", parts.join(", "))
}
