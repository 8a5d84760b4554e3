//! Loading a definition: text (JSON or YAML) to a validated [`StateMachine`].

use serde_json::Value;
use switchback_validate::Fault;

use crate::model::StateMachine;

/// Why a definition could not be loaded.
#[derive(Debug, Clone)]
pub enum LoadError {
    /// The text is neither JSON nor YAML.
    Syntax(String),
    /// The document is not a valid state machine: every fault found.
    Invalid(Vec<Fault>),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Syntax(m) => write!(f, "Invalid State Machine Definition: '{m}'"),
            LoadError::Invalid(faults) => {
                f.write_str(&switchback_validate::invalid_definition_message(faults))
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Parses definition text: JSON first (the common case), else YAML.
pub fn parse_document(text: &str) -> Result<Value, LoadError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(v),
        Err(json_err) => {
            let trimmed = text.trim_start();
            if trimmed.starts_with('{') || trimmed.starts_with('[') {
                return Err(LoadError::Syntax(format!(
                    "INVALID_JSON_DESCRIPTION: {json_err}"
                )));
            }
            serde_saphyr::from_str::<Value>(text).map_err(|e| {
                LoadError::Syntax(format!(
                    "the definition is neither JSON ({json_err}) nor YAML ({e})"
                ))
            })
        }
    }
}

/// Validates and builds a definition document.
pub fn load_document(doc: &Value) -> Result<StateMachine, LoadError> {
    let faults = switchback_validate::validate(doc);
    if !faults.is_empty() {
        return Err(LoadError::Invalid(faults));
    }
    crate::build::build(doc).map_err(LoadError::Invalid)
}

/// Loads definition text (JSON or YAML).
pub fn load_definition(text: &str) -> Result<StateMachine, LoadError> {
    load_document(&parse_document(text)?)
}
