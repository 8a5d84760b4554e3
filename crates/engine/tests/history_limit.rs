//! The history limit: an execution that would write more events than `max_history_events`
//! fails with `States.Runtime`, and its history holds exactly that many events, the last one
//! `ExecutionFailed`, whether one lane or many were writing when the limit came.

use switchback_asl::load::load_document;
use switchback_engine::history::EventType;
use switchback_engine::{run_execution, ExecutionStatus, Limits, RunOptions};
use switchback_json::{json, Json};

fn run_with_limit(definition: Json, input: Json, max_history_events: usize) {
    let machine = load_document(&definition.to_serde()).expect("a valid definition");
    let outcome = run_execution(
        &machine,
        input,
        RunOptions {
            limits: Limits {
                max_history_events,
                ..Limits::default()
            },
            ..RunOptions::default()
        },
    );
    assert_eq!(
        outcome.status,
        ExecutionStatus::Failed,
        "{:?}",
        outcome.cause
    );
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        outcome.events.len(),
        max_history_events,
        "the history must stop at exactly the limit"
    );
    let last = outcome.events.last().expect("events");
    assert_eq!(last.id, max_history_events as u64);
    assert_eq!(last.kind.event_type(), EventType::ExecutionFailed);
    for (i, e) in outcome.events.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1, "ids are 1..n");
    }
}

/// A loop that never ends while `$.go` is true: Pass, then a Choice back to it (state names
/// end with `tag`, so several loops can share a definition).
fn endless_loop_named(tag: &str) -> Json {
    let (step, again, done) = (
        format!("Step{tag}"),
        format!("Again{tag}"),
        format!("Done{tag}"),
    );
    json!({
        "StartAt": step,
        "States": {
            step.clone(): { "Type": "Pass", "Next": again },
            again: {
                "Type": "Choice",
                "Choices": [{ "Variable": "$.go", "BooleanEquals": true, "Next": step }],
                "Default": done
            },
            done: { "Type": "Succeed" }
        }
    })
}

fn endless_loop() -> Json {
    endless_loop_named("")
}

#[test]
fn a_loop_stops_at_exactly_the_limit() {
    for limit in [10, 11, 50, 51, 1000] {
        run_with_limit(endless_loop(), json!({ "go": true }), limit);
    }
}

#[test]
fn a_map_stops_at_exactly_the_limit() {
    let definition = json!({
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "One",
                    "States": {
                        "One": { "Type": "Pass", "Next": "Two" },
                        "Two": { "Type": "Pass", "End": true }
                    }
                },
                "End": true
            }
        }
    });
    let items: Vec<u32> = (0..500).collect();
    for limit in [60, 61, 333] {
        run_with_limit(definition.clone(), json!(items), limit);
    }
}

#[test]
fn parallel_loops_stop_at_exactly_the_limit() {
    let branches: Vec<Json> = ["A", "B", "C"]
        .into_iter()
        .map(endless_loop_named)
        .collect();
    let definition = json!({
        "StartAt": "Both",
        "States": { "Both": { "Type": "Parallel", "Branches": branches, "End": true } }
    });
    for limit in [40, 41, 200] {
        run_with_limit(definition.clone(), json!({ "go": true }), limit);
    }
}

#[test]
fn an_execution_under_the_limit_is_not_touched() {
    let machine = load_document(&endless_loop().to_serde()).expect("a valid definition");
    let outcome = run_execution(
        &machine,
        json!({ "go": false }),
        RunOptions {
            limits: Limits {
                max_history_events: 8,
                ..Limits::default()
            },
            ..RunOptions::default()
        },
    );
    // Started, Pass in/out, Choice in/out, Succeed in/out, Succeeded: 8 events, at the limit.
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(outcome.events.len(), 8);
}
