//! A mocked Map state in TestState: how many iterations it has, the failures it tolerates,
//! whether `stateConfiguration.mapIterationFailureCount` is past them, and the Map fields
//! of DEBUG's inspection data (`maxConcurrency`, `toleratedFailureCount`, `afterItemsPath`).
//!
//! A mocked Map's iterations do not run, so these are read off the state's fields and the
//! state's input here. As AWS's TestState answers, a failure count fails the Map state only
//! when the state declares a tolerance; the failure is `States.ExceedToleratedFailureThreshold`,
//! which the state's Retry and Catch then judge.

use serde_json::{json, Map, Value};
use switchback_json::Json;

/// The error a map run past its tolerated failures fails with, and its cause.
pub const EXCEEDED: (&str, &str) = (
    "States.ExceedToleratedFailureThreshold",
    "The specified tolerated failure threshold was exceeded",
);

/// The state's value of `field`: the number given, or the number `field + "Path"` selects
/// from the input (JSONPath states).
fn number(state: &Value, input: &Json, field: &str) -> Option<f64> {
    if let Some(n) = state.get(field).and_then(Value::as_f64) {
        return Some(n);
    }
    let path = state.get(format!("{field}Path"))?.as_str()?;
    switchback_jsonpath::Path::parse(path)
        .ok()?
        .select(input)
        .ok()?
        .to_serde()
        .as_f64()
}

/// The failures the Map state tolerates: a count and a percentage, each if declared.
pub fn tolerance(state: &Value, input: &Json) -> (Option<f64>, Option<f64>) {
    (
        number(state, input, "ToleratedFailureCount"),
        number(state, input, "ToleratedFailurePercentage"),
    )
}

/// Whether `failures` of `iterations` are more than the state tolerates. A state that
/// declares no tolerance is not failed by a failure count (as AWS's TestState answers).
pub fn exceeds(
    failures: u64,
    iterations: Option<u64>,
    tolerance: (Option<f64>, Option<f64>),
) -> bool {
    let (count, pct) = tolerance;
    if failures == 0 || (count.is_none() && pct.is_none()) {
        return false;
    }
    let within_count = count.is_some_and(|c| failures as f64 <= c);
    let within_pct = pct.is_some_and(|p| match iterations {
        Some(n) if n > 0 => failures as f64 * 100.0 / n as f64 <= p,
        _ => false,
    });
    !(within_count || within_pct)
}

/// The items the Map state iterates over, where the request tells: the data its ItemReader
/// would read (`mapItemReaderData`, a JSON array or JSON Lines), or its `ItemsPath` (or the
/// whole input) in a JSONPath state, or its `Items` when they are given as an array.
pub fn items(state: &Value, input: &Json, reader_data: Option<&str>) -> Option<Vec<Value>> {
    if state.get("ItemReader").is_some() {
        let data = reader_data?;
        if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(data) {
            return Some(items);
        }
        return data
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).ok())
            .collect();
    }
    if let Some(Value::Array(items)) = state.get("Items") {
        return Some(items.clone());
    }
    if state.get("Items").is_some() {
        return None; // a JSONata expression: not worked out here
    }
    let path = state
        .get("ItemsPath")
        .and_then(Value::as_str)
        .unwrap_or("$");
    match switchback_jsonpath::Path::parse(path)
        .ok()?
        .select(input)
        .ok()?
        .to_serde()
    {
        Value::Array(items) => Some(items),
        _ => None,
    }
}

/// The Map fields of DEBUG's inspection data.
pub fn inspection(state: &Value, input: &Json, jsonpath: bool) -> Map<String, Value> {
    let mut data = Map::new();
    let concurrency = number(state, input, "MaxConcurrency").unwrap_or(0.0);
    data.insert("maxConcurrency".into(), json!(concurrency as i64));
    let (count, pct) = tolerance(state, input);
    if let Some(c) = count {
        data.insert("toleratedFailureCount".into(), json!(c as i64));
    }
    if let Some(p) = pct {
        data.insert("toleratedFailurePercentage".into(), json!(p));
    }
    if jsonpath && state.get("ItemsPath").is_some() {
        let after_input = match state.get("InputPath") {
            Some(Value::String(p)) => switchback_jsonpath::Path::parse(p)
                .ok()
                .and_then(|path| path.select(input).ok()),
            Some(Value::Null) => Some(Json::Object(Default::default())),
            _ => Some(input.clone()),
        };
        if let Some(after_input) = after_input {
            if let Some(items) = items(state, &after_input, None) {
                data.insert(
                    "afterItemsPath".into(),
                    json!(Value::Array(items).to_string()),
                );
            }
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(v: Value) -> Json {
        Json::from(v)
    }

    #[test]
    fn a_failure_count_fails_the_map_only_past_a_declared_tolerance() {
        assert!(!exceeds(2, Some(3), (None, None)), "no tolerance declared");
        assert!(!exceeds(1, Some(3), (Some(1.0), None)));
        assert!(exceeds(2, Some(3), (Some(1.0), None)));
        assert!(
            !exceeds(2, Some(3), (Some(1.0), Some(70.0))),
            "the percentage suffices"
        );
        assert!(exceeds(3, Some(3), (None, Some(50.0))));
        assert!(!exceeds(0, Some(3), (Some(0.0), None)));
    }

    #[test]
    fn tolerance_and_concurrency_come_from_fields_or_paths() {
        let state = json!({"Type": "Map", "ToleratedFailureCountPath": "$.t", "MaxConcurrency": 4, "ItemsPath": "$.xs"});
        let i = input(json!({"t": 2, "xs": ["a", "b"]}));
        assert_eq!(tolerance(&state, &i), (Some(2.0), None));
        let data = inspection(&state, &i, true);
        assert_eq!(data["maxConcurrency"], json!(4));
        assert_eq!(data["toleratedFailureCount"], json!(2));
        assert_eq!(data["afterItemsPath"], json!(r#"["a","b"]"#));
    }

    #[test]
    fn items_come_from_the_reader_data_the_items_path_or_the_items() {
        let reader = json!({"Type": "Map", "ItemReader": {}});
        let i = input(json!({}));
        assert_eq!(
            items(&reader, &i, Some("[1, 2, 3]")).map(|v| v.len()),
            Some(3)
        );
        assert_eq!(
            items(&reader, &i, Some("{\"a\":1}\n{\"a\":2}\n")).map(|v| v.len()),
            Some(2)
        );
        assert_eq!(items(&reader, &i, None), None);
        let listed = json!({"Type": "Map", "Items": [1, 2]});
        assert_eq!(items(&listed, &i, None).map(|v| v.len()), Some(2));
        let whole = json!({"Type": "Map"});
        assert_eq!(
            items(&whole, &input(json!([1])), None).map(|v| v.len()),
            Some(1)
        );
    }
}
