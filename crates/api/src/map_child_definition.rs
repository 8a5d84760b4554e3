//! The definition a Distributed Map's child execution runs: its Map state's `ItemProcessor`,
//! taken from the parent's definition, as AWS's `DescribeStateMachineForExecution` shows it for
//! a child (the state machine "associated with the Map Run").
//!
//! Child rows do not repeat a definition (a map run may have a million children); this finds
//! it once when asked, by the map run's label: the Map state's `Label`, or its name.

use serde_json::{Map, Value};

/// The processor of the distributed Map state labelled `label` in `definition`, as a
/// definition of its own (JSON text); `None` when no such state is found.
pub fn processor_definition(definition: &str, label: &str) -> Option<String> {
    let root: Value = serde_json::from_str(definition).ok()?;
    let found = find_in(root.get("States")?.as_object()?, label)?;
    let mut processor = found.clone();
    processor.remove("ProcessorConfig");
    if let (Some(ql), false) = (
        root.get("QueryLanguage"),
        processor.contains_key("QueryLanguage"),
    ) {
        processor.insert("QueryLanguage".into(), ql.clone());
    }
    serde_json::to_string(&Value::Object(processor)).ok()
}

/// The processor of the distributed Map labelled `label` among `states`, or in the scopes
/// nested in them (Parallel branches, Map processors).
fn find_in<'v>(states: &'v Map<String, Value>, label: &str) -> Option<&'v Map<String, Value>> {
    for (name, state) in states {
        let processor = state
            .get("ItemProcessor")
            .or_else(|| state.get("Iterator"))
            .and_then(Value::as_object);
        if state.get("Type").and_then(Value::as_str) == Some("Map") {
            let distributed = processor
                .and_then(|p| p.get("ProcessorConfig"))
                .and_then(|c| c.get("Mode"))
                .and_then(Value::as_str)
                == Some("DISTRIBUTED");
            let own = state.get("Label").and_then(Value::as_str).unwrap_or(name);
            if distributed && own == label {
                return processor;
            }
        }
        let nested = processor.into_iter().chain(
            state
                .get("Branches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object),
        );
        for scope in nested {
            if let Some(found) = scope
                .get("States")
                .and_then(Value::as_object)
                .and_then(|s| find_in(s, label))
            {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_labelled_map_inside_a_branch_and_keeps_the_query_language() {
        let def = r#"{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Parallel",
            "Branches":[{"StartAt":"M","States":{"M":{"Type":"Map","Label":"Each",
            "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
            "StartAt":"X","States":{"X":{"Type":"Pass","End":true}}},"End":true}}}],"End":true}}}"#;
        let found: Value =
            serde_json::from_str(&processor_definition(def, "Each").unwrap()).unwrap();
        assert_eq!(
            found,
            serde_json::json!({"QueryLanguage": "JSONata", "StartAt": "X",
                "States": {"X": {"Type": "Pass", "End": true}}})
        );
        assert_eq!(
            processor_definition(def, "M"),
            None,
            "the label, not the name"
        );
    }

    #[test]
    fn an_unlabelled_map_goes_by_its_name_and_an_inline_one_is_not_a_map_run() {
        let def = r#"{"StartAt":"M","States":{"M":{"Type":"Map",
            "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},
            "StartAt":"X","States":{"X":{"Type":"Pass","End":true}}},"Next":"I"},
            "I":{"Type":"Map","ItemProcessor":{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}},"End":true}}}"#;
        assert!(processor_definition(def, "M").unwrap().contains("\"X\""));
        assert_eq!(processor_definition(def, "I"), None);
        assert_eq!(processor_definition("not json", "M"), None);
    }
}
