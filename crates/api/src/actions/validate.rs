//! ValidateStateMachineDefinition: every fault of a definition as diagnostics, without
//! creating anything. An invalid definition is a successful call with `result: FAIL`.

use serde_json::{json, Value};

use crate::definition::{self, Diagnostic};
use crate::error::ApiError;
use crate::input::{shapes, Input};
use crate::state::AppState;

/// Diagnostics returned when `maxResults` is 0 or absent (AWS's model allows 0-100).
const DEFAULT_MAX_DIAGNOSTICS: usize = 100;

fn diagnostic_json((severity, d): (&str, &Diagnostic)) -> Value {
    let mut out = json!({
        "severity": severity,
        "code": d.code,
        "message": d.message,
    });
    if let Some(l) = &d.location {
        out["location"] = json!(l);
    }
    out
}

/// `ValidateStateMachineDefinition`.
pub async fn validate_definition(_state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let text = input.req_str("definition", shapes::DEFINITION)?;
    let machine_type = input
        .opt_enum("type", &["STANDARD", "EXPRESS"])?
        .unwrap_or_else(|| "STANDARD".to_string());
    // ERROR (the default) returns the errors; WARNING the warnings too, as AWS does.
    let with_warnings = input
        .opt_enum("severity", &["ERROR", "WARNING"])?
        .as_deref()
        == Some("WARNING");
    let max = input.opt_int("maxResults", 0, 100)?;
    input.finish()?;
    let errors = definition::check(&text, &machine_type);
    let warnings = match with_warnings {
        true => definition::warnings(&text),
        false => Vec::new(),
    };
    let diagnostics: Vec<(&str, &Diagnostic)> = errors
        .iter()
        .map(|d| ("ERROR", d))
        .chain(warnings.iter().map(|d| ("WARNING", d)))
        .collect();
    let limit = match max {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(DEFAULT_MAX_DIAGNOSTICS),
        _ => DEFAULT_MAX_DIAGNOSTICS,
    };
    let truncated = diagnostics.len() > limit;
    let result = if errors.is_empty() { "OK" } else { "FAIL" };
    let shown: Vec<Value> = diagnostics
        .into_iter()
        .take(limit)
        .map(diagnostic_json)
        .collect();
    Ok(json!({
        "result": result,
        "diagnostics": shown,
        "truncated": truncated,
    }))
}
