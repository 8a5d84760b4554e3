//! What TestState refuses before it runs anything, with AWS's words: a mock where nothing can
//! be mocked, a Map or Parallel state without one, a mocked result of the wrong shape for a
//! Map or Parallel state, and a `stateConfiguration` that does not fit the request.
//!
//! The messages are AWS's, as its TestState answered them (recorded against AWS in public
//! parity suites): tools and tests that look for them find them here too.

use serde_json::Value;

use crate::error::ApiError;

/// What a TestState request asks of the state, as far as these rules need it.
pub struct Request<'a> {
    /// The tested state's definition.
    pub state: &'a Value,
    /// The mock's result (parsed), if the mock gives one.
    pub mock_result: Option<&'a Value>,
    /// Whether a mock (result or error) is given.
    pub mocked: bool,
    /// `revealSecrets`.
    pub reveal_secrets: bool,
    /// `stateConfiguration.mapIterationFailureCount`.
    pub map_failures: Option<u64>,
    /// `stateConfiguration.errorCausedByState`.
    pub error_caused_by: Option<&'a str>,
    /// How many iterations the Map state has, where the request tells.
    pub map_iterations: Option<u64>,
}

/// The state's `Type`.
pub fn kind(state: &Value) -> &str {
    state
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Checks every rule; the first broken one is the answer.
pub fn check(r: &Request<'_>) -> Result<(), ApiError> {
    let kind = kind(r.state);
    let container = matches!(kind, "Map" | "Parallel");
    if r.mocked && !container && kind != "Task" {
        return Err(ApiError::validation_message(format!(
            "State type '{kind}' is not supported when a mock is specified"
        )));
    }
    if !r.mocked && container {
        return Err(ApiError::invalid_definition(
            "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        ));
    }
    if r.mocked && r.reveal_secrets {
        return Err(ApiError::validation_message(
            "TestState does not support RevealSecrets when a mock is specified.",
        ));
    }
    if let Some(result) = r.mock_result {
        mocked_result_shape(r.state, kind, result)?;
    }
    if let Some(failures) = r.map_failures {
        if !r.mocked {
            return Err(ApiError::validation_message(
                "TestState does not support MapIterationFailureCount when a mock is not specified.",
            ));
        }
        if r.map_iterations.is_some_and(|n| failures > n) {
            return Err(ApiError::validation_message(
                "Map iteration failure count must be less than or equal to the number of Map iterations",
            ));
        }
    }
    if let Some(name) = r.error_caused_by {
        error_caused_by(r.state, kind, name)?;
    }
    Ok(())
}

/// A Map state's mocked result is its output: an array, or (with a `ResultWriter`) the
/// object that says where the results went. A Parallel state's is one output per branch.
fn mocked_result_shape(state: &Value, kind: &str, result: &Value) -> Result<(), ApiError> {
    let writes = state.get("ResultWriter").is_some();
    match kind {
        "Map" if writes && !result.is_object() => Err(ApiError::validation_message(
            "Mocked result must be a JSON object.",
        )),
        "Map" if !writes && !result.is_array() => Err(ApiError::validation_message(
            "Mocked result must be an array.",
        )),
        "Parallel" => {
            let Some(items) = result.as_array() else {
                return Err(ApiError::validation_message(
                    "Mocked result must be an array.",
                ));
            };
            let branches = state
                .get("Branches")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if items.len() != branches {
                return Err(ApiError::validation_message(
                    "Mocked result must contain the same number of items as number of Parallel branches.",
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `errorCausedByState` names the state, inside the tested Map's iterations or Parallel's
/// branches, that a mocked error comes from: it must be one of them.
fn error_caused_by(state: &Value, kind: &str, name: &str) -> Result<(), ApiError> {
    if !matches!(kind, "Map" | "Parallel") {
        return Err(ApiError::validation_message(
            "stateConfiguration.errorCausedByState is only for a Map or Parallel state",
        ));
    }
    if inner_scopes(state).any(|s| holds_state(s, name)) {
        return Ok(());
    }
    Err(ApiError::validation_message(format!(
        "stateConfiguration.errorCausedByState names '{name}', which is not a state of the {kind} state's {}",
        if kind == "Map" { "ItemProcessor" } else { "branches" }
    )))
}

/// Whether the scope (a machine, an ItemProcessor, a branch) holds a state `name` at any level.
fn holds_state(scope: &Value, name: &str) -> bool {
    super::find_state(scope, name).is_some()
}

/// The scopes inside a state: a Map's `ItemProcessor` (or `Iterator`), a Parallel's branches.
pub fn inner_scopes(state: &Value) -> impl Iterator<Item = &Value> {
    ["ItemProcessor", "Iterator"]
        .into_iter()
        .filter_map(|k| state.get(k))
        .chain(
            state
                .get("Branches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(state: &Value) -> Request<'_> {
        Request {
            state,
            mock_result: None,
            mocked: false,
            reveal_secrets: false,
            map_failures: None,
            error_caused_by: None,
            map_iterations: None,
        }
    }

    fn message(r: &Request<'_>) -> String {
        check(r)
            .err()
            .map(|e| e.message().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn only_tasks_maps_and_parallels_take_a_mock_and_containers_need_one() {
        let pass = json!({"Type": "Pass", "End": true});
        let mut r = request(&pass);
        assert!(check(&r).is_ok());
        r.mocked = true;
        assert_eq!(
            message(&r),
            "State type 'Pass' is not supported when a mock is specified"
        );
        let map = json!({"Type": "Map", "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Pass", "End": true}}}, "End": true});
        let r = request(&map);
        assert!(message(&r).starts_with("TestState API does not support Map or Parallel"));
    }

    #[test]
    fn a_mocked_result_has_the_shape_of_the_state_output() {
        let map = json!({"Type": "Map", "End": true});
        let object = json!({"a": 1});
        let mut r = request(&map);
        r.mocked = true;
        r.mock_result = Some(&object);
        assert_eq!(message(&r), "Mocked result must be an array.");
        let writer = json!({"Type": "Map", "ResultWriter": {}, "End": true});
        let array = json!([1]);
        let mut r = request(&writer);
        r.mocked = true;
        r.mock_result = Some(&array);
        assert_eq!(message(&r), "Mocked result must be a JSON object.");
        let parallel = json!({"Type": "Parallel", "Branches": [{}, {}], "End": true});
        let mut r = request(&parallel);
        r.mocked = true;
        r.mock_result = Some(&array);
        assert_eq!(
            message(&r),
            "Mocked result must contain the same number of items as number of Parallel branches."
        );
    }

    #[test]
    fn map_failures_need_a_mock_and_at_most_the_iterations() {
        let map = json!({"Type": "Map", "End": true});
        let mut r = request(&map);
        r.map_failures = Some(1);
        r.mocked = true;
        r.map_iterations = Some(3);
        assert!(check(&r).is_ok());
        r.map_failures = Some(4);
        assert_eq!(
            message(&r),
            "Map iteration failure count must be less than or equal to the number of Map iterations"
        );
        let task =
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
        let mut r = request(&task);
        r.map_failures = Some(0);
        assert_eq!(
            message(&r),
            "TestState does not support MapIterationFailureCount when a mock is not specified."
        );
    }

    #[test]
    fn the_state_an_error_is_caused_by_is_inside_the_container() {
        let map = json!({"Type": "Map", "ItemProcessor": {"StartAt": "W", "States": {
            "W": {"Type": "Parallel", "Branches": [{"StartAt": "Deep", "States": {"Deep": {"Type": "Pass", "End": true}}}], "End": true}}}, "End": true});
        let mut r = request(&map);
        r.mocked = true;
        r.error_caused_by = Some("Deep");
        assert!(check(&r).is_ok());
        r.error_caused_by = Some("Nowhere");
        assert!(message(&r).contains("'Nowhere'"));
    }
}
