//! The Map state: one iteration per item (inline: recorded in the history), the output is
//! their outputs in order, and a failing iteration fails the state.

mod support;

use support::*;
use switchback_json::{json, Json};

fn doubling_map(extra: Json) -> Json {
    let mut map = json!({
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemSelector": {"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Double",
            "States": {"Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)", "i.$": "$.i"}, "End": true}}
        },
        "End": true
    });
    for (k, v) in extra.as_object().unwrap() {
        map[k.as_str()] = v.clone();
    }
    json!({"StartAt": "Each", "States": {"Each": map}})
}

#[test]
fn each_item_is_run_and_recorded() {
    let outcome = run(doubling_map(json!({})), json!({"items": [1, 2, 3]}));
    assert_succeeded(
        &outcome,
        &json!([{"n": 2, "i": 0}, {"n": 4, "i": 1}, {"n": 6, "i": 2}]),
    );
    let kinds = types(&outcome);
    assert_eq!(kinds[1], "MapStateEntered");
    assert_eq!(kinds[2], "MapStateStarted");
    for kind in [
        "MapIterationStarted",
        "MapIterationSucceeded",
        "PassStateEntered",
    ] {
        assert_eq!(kinds.iter().filter(|t| *t == kind).count(), 3, "{kind}");
    }
    assert_eq!(kinds[kinds.len() - 3], "MapStateSucceeded");
    assert_eq!(kinds[kinds.len() - 2], "MapStateExited");
    assert_well_linked(&outcome);
}

#[test]
fn one_at_a_time_gives_the_same_output() {
    let outcome = run(
        doubling_map(json!({"MaxConcurrency": 1})),
        json!({"items": [5, 6]}),
    );
    assert_succeeded(&outcome, &json!([{"n": 10, "i": 0}, {"n": 12, "i": 1}]));
}

#[test]
fn no_items_is_an_empty_output() {
    let outcome = run(doubling_map(json!({})), json!({"items": []}));
    assert_succeeded(&outcome, &json!([]));
    assert!(!types(&outcome).iter().any(|t| t == "MapIterationStarted"));
}

#[test]
fn items_that_are_not_an_array_fail() {
    let outcome = run(doubling_map(json!({})), json!({"items": {"a": 1}}));
    let cause = assert_failed(&outcome, "States.Runtime");
    assert!(
        cause.ends_with(
            r#"Invalid path '$.items' : The value at the path is not an array: {"a":1}"#
        ),
        "{cause}"
    );
}

#[test]
fn a_failing_iteration_fails_the_state() {
    let outcome = run(
        json!({
            "StartAt": "Each",
            "States": {"Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Check",
                    "States": {
                        "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}], "Default": "Good"},
                        "Bad": {"Type": "Fail", "Error": "Item.Bad", "Cause": "two"},
                        "Good": {"Type": "Succeed"}
                    }
                },
                "End": true
            }}
        }),
        json!([1, 2, 3]),
    );
    let cause = assert_failed(&outcome, "Item.Bad");
    assert_eq!(cause, "two");
    let kinds = types(&outcome);
    assert!(kinds.iter().any(|t| t == "MapIterationFailed"), "{kinds:?}");
    assert!(kinds.iter().any(|t| t == "MapStateFailed"), "{kinds:?}");
}

/// A Map makes room for its iterations' events at once: the history of a large Map is not left
/// with the slack (up to twice its size) of a buffer that doubled on the way.
#[test]
fn a_large_map_history_is_held_at_about_its_size() {
    let items: Vec<Json> = (0..3000).map(Json::from).collect();
    let mut input = json!({});
    input["items"] = Json::from(items);
    let definition = doubling_map(json!({}));
    let machine = switchback_asl::load::load_document(&definition.to_serde()).expect("valid");
    let limits = switchback_engine::Limits {
        max_history_events: 100_000,
        ..Default::default()
    };
    let outcome = switchback_engine::run_execution(
        &machine,
        input,
        switchback_engine::RunOptions {
            limits,
            ..Default::default()
        },
    );
    assert_eq!(
        outcome.events.len(),
        3000 * 4 + 6,
        "{:?} {:?}",
        outcome.error,
        outcome.cause
    );
    assert!(
        outcome.events.capacity() < outcome.events.len() + 64,
        "{} events in room for {}",
        outcome.events.len(),
        outcome.events.capacity()
    );
}

/// A distributed map over `$.items` whose children pass their input on, with `extra` fields.
fn distributed_map(extra: Json) -> Json {
    let mut map = json!({
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "Child",
            "States": {"Child": {"Type": "Pass", "End": true}}
        },
        "End": true
    });
    for (k, v) in extra.as_object().unwrap() {
        map[k.as_str()] = v.clone();
    }
    json!({"StartAt": "Each", "States": {"Each": map}})
}

#[test]
fn an_item_batcher_gives_each_child_a_batch_of_selected_items() {
    let outcome = run(
        distributed_map(json!({
            "ItemSelector": {"n.$": "$$.Map.Item.Value"},
            "ItemBatcher": {"MaxItemsPerBatchPath": "$.per", "BatchInput": {"run.$": "$.run"}}
        })),
        json!({"items": [1, 2, 3, 4, 5], "per": 2, "run": "r1"}),
    );
    assert_succeeded(
        &outcome,
        &json!([
            {"BatchInput": {"run": "r1"}, "Items": [{"n": 1}, {"n": 2}]},
            {"BatchInput": {"run": "r1"}, "Items": [{"n": 3}, {"n": 4}]},
            {"BatchInput": {"run": "r1"}, "Items": [{"n": 5}]}
        ]),
    );
}

#[test]
fn batches_by_bytes_stay_within_the_limit() {
    // `{"Items":["aaaa","bbbb"]}` is 25 bytes: a limit of 25 takes two such items a batch.
    let outcome = run(
        distributed_map(json!({"ItemBatcher": {"MaxInputBytesPerBatch": 25}})),
        json!({"items": ["aaaa", "bbbb", "cccc"]}),
    );
    assert_succeeded(
        &outcome,
        &json!([{"Items": ["aaaa", "bbbb"]}, {"Items": ["cccc"]}]),
    );
}

#[test]
fn a_batch_limit_that_is_not_a_positive_integer_fails_the_map_run() {
    let outcome = run(
        distributed_map(json!({"ItemBatcher": {"MaxItemsPerBatchPath": "$.per"}})),
        json!({"items": [1, 2], "per": 0}),
    );
    assert!(
        matches!(outcome.status, switchback_engine::ExecutionStatus::Failed),
        "{:?}",
        outcome.status
    );
    let kinds = types(&outcome);
    assert!(kinds.iter().any(|k| k == "MapRunFailed"), "{kinds:?}");
}

#[test]
fn a_writer_config_alone_formats_the_results_into_the_output() {
    let items = json!({"items": [[1, 2], 3, [4]]});
    let compact = run(
        distributed_map(
            json!({"ResultWriter": {"WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}}),
        ),
        items.clone(),
    );
    assert_succeeded(&compact, &json!([[1, 2], 3, [4]]));
    let flat = run(
        distributed_map(
            json!({"ResultWriter": {"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}}),
        ),
        items.clone(),
    );
    assert_succeeded(&flat, &json!([1, 2, 3, 4]));

    // NONE: each child's execution record, its input and output as JSON text.
    let none = run(
        distributed_map(
            json!({"ResultWriter": {"WriterConfig": {"Transformation": "NONE", "OutputType": "JSON"}}}),
        ),
        items,
    );
    assert!(
        matches!(none.status, switchback_engine::ExecutionStatus::Succeeded),
        "{:?}",
        none.status
    );
    let output = none.output.expect("an output").to_serde();
    let records = output.as_array().expect("records");
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["Input"], "[1,2]");
    assert_eq!(records[0]["Output"], "[1,2]");
    assert_eq!(records[1]["Status"], "SUCCEEDED");
    let arn = records[2]["ExecutionArn"].as_str().expect("ARN");
    let name = records[2]["Name"].as_str().expect("name");
    assert!(
        arn.contains(":execution:") && arn.ends_with(name),
        "{arn} / {name}"
    );
    assert_ne!(records[0]["Name"], records[1]["Name"]);
    assert!(records[0]["StartDate"]
        .as_str()
        .is_some_and(|d| d.ends_with('Z')));
}

#[test]
fn the_same_distributed_map_run_twice_has_two_map_runs() {
    let outcome = run(
        json!({
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "ResultPath": null,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                        "StartAt": "Child",
                        "States": {"Child": {"Type": "Pass", "End": true}}
                    },
                    "Next": "Again"
                },
                "Again": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.round", "NumericEquals": 0, "Next": "Count"}],
                    "Default": "Done"
                },
                "Count": {"Type": "Pass", "Result": 1, "ResultPath": "$.round", "Next": "Each"},
                "Done": {"Type": "Succeed"}
            }
        }),
        json!({"items": [1, 2], "round": 0}),
    );
    let arns: Vec<String> = outcome
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            switchback_engine::EventKind::MapRunStarted { map_run_arn } => {
                Some(map_run_arn.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(arns.len(), 2, "{arns:?}");
    assert_ne!(arns[0], arns[1]);
    // `mapRun:MACHINE/LABEL:ID`, the ID a UUID.
    let id = arns[0].rsplit(':').next().expect("an id");
    assert_eq!(id.len(), 36, "{id}");
}
