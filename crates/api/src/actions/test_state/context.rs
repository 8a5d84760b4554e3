//! TestState's `context`: the context object the tested state sees as `$$` (JSONata:
//! `$states.context`), given whole, as AWS takes it: `$$` is exactly the object given (an
//! empty object gives an empty `$$`).
//!
//! AWS checks its shape first, and so does this, with AWS's messages: only `Execution`,
//! `State`, `StateMachine` and (for a `.sync` or `.waitForTaskToken` task) `Task`, each with
//! its own fields; `Map` cannot be given.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// The fields each part of the context object may have, and whether each must be a string.
const PARTS: [(&str, &[(&str, bool)]); 4] = [
    (
        "Execution",
        &[
            ("Id", true),
            ("Input", false),
            ("Name", true),
            ("RoleArn", true),
            ("StartTime", true),
            ("RedriveCount", false),
            ("RedriveTime", true),
        ],
    ),
    (
        "State",
        &[("EnteredTime", true), ("Name", true), ("RetryCount", false)],
    ),
    ("StateMachine", &[("Id", true), ("Name", true)]),
    ("Task", &[("Token", true)]),
];

/// Parses and checks the `context` text for the tested `state`.
pub fn parse(text: &str, state: &Value) -> Result<Value, ApiError> {
    let context: Value = serde_json::from_str(text)
        .map_err(|e| invalid(&format!("the context is not valid JSON: {e}")))?;
    let Value::Object(parts) = &context else {
        return Err(invalid("the context must be a JSON object"));
    };
    for (name, value) in parts {
        if name == "Map" {
            return Err(invalid(
                "'Map' field is not supported when mocking a Context object",
            ));
        }
        let Some((_, fields)) = PARTS.iter().find(|(part, _)| part == name) else {
            return Err(invalid(&format!("Field '{name}' is not allowed")));
        };
        if name == "Task" && !waits(state) {
            return Err(invalid(
                "Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern",
            ));
        }
        let Value::Object(members) = value else {
            return Err(invalid(&format!("{name} must be an object")));
        };
        check_members(name, members, fields)?;
    }
    Ok(context)
}

/// Each member of a part is one it may have, a string where it must be.
fn check_members(
    part: &str,
    members: &Map<String, Value>,
    fields: &[(&str, bool)],
) -> Result<(), ApiError> {
    for (field, value) in members {
        let Some((_, string)) = fields.iter().find(|(f, _)| f == field) else {
            return Err(invalid(&format!("Field '{field}' is not allowed")));
        };
        if *string && !value.is_string() {
            return Err(invalid(&format!("{part}.{field} must be a string")));
        }
    }
    Ok(())
}

/// Whether the state is a Task that waits: `.sync` or `.waitForTaskToken`.
fn waits(state: &Value) -> bool {
    state.get("Type").and_then(Value::as_str) == Some("Task")
        && state
            .get("Resource")
            .and_then(Value::as_str)
            .is_some_and(|r| r.contains(".sync") || r.ends_with(".waitForTaskToken"))
}

fn invalid(what: &str) -> ApiError {
    ApiError::validation_message(format!("Invalid Context object provided: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(resource: &str) -> Value {
        json!({"Type": "Task", "Resource": resource, "End": true})
    }

    fn message(context: Value, state: &Value) -> String {
        parse(&context.to_string(), state)
            .err()
            .map(|e| e.message().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn the_context_is_taken_whole_when_its_shape_is_aws_s() {
        let lambda = task("arn:aws:states:::lambda:invoke");
        let given =
            json!({"Execution": {"Id": "arn", "Input": {"a": 1}}, "State": {"RetryCount": 2}});
        assert_eq!(parse(&given.to_string(), &lambda).ok(), Some(given));
        assert_eq!(parse("{}", &lambda).ok(), Some(json!({})));
    }

    #[test]
    fn a_context_of_another_shape_is_refused_with_aws_s_words() {
        let lambda = task("arn:aws:states:::lambda:invoke");
        assert_eq!(
            message(json!({"Execution": {"Id": 1}}), &lambda),
            "Invalid Context object provided: Execution.Id must be a string"
        );
        assert_eq!(
            message(json!({"Map": {}}), &lambda),
            "Invalid Context object provided: 'Map' field is not supported when mocking a Context object"
        );
        assert_eq!(
            message(json!({"Execution": {"pokemon": 1}}), &lambda),
            "Invalid Context object provided: Field 'pokemon' is not allowed"
        );
        assert_eq!(
            message(json!({"Elsewhere": {}}), &lambda),
            "Invalid Context object provided: Field 'Elsewhere' is not allowed"
        );
        assert!(message(json!({"Task": {"Token": "t"}}), &lambda).contains("'Task'"));
        let waiting = task("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
        assert!(parse(r#"{"Task": {"Token": "t"}}"#, &waiting).is_ok());
    }
}
