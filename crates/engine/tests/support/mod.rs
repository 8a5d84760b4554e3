//! Shared by the engine's state tests: one-shot runs of small definitions (on the virtual
//! clock, with mocked tasks) and what to check in their histories.

#![allow(dead_code)]

use switchback_asl::load::load_document;
use switchback_engine::mock::Mocks;
use switchback_engine::{run_execution, ExecutionOutcome, ExecutionStatus, RunOptions};
use switchback_json::Json;

/// Runs a definition to its end.
pub fn run(definition: Json, input: Json) -> ExecutionOutcome {
    run_mocked(definition, input, switchback_json::json!({}))
}

/// Runs a definition whose tasks are answered by mocks (`{"State": [response, ...]}`).
pub fn run_mocked(definition: Json, input: Json, mocks: Json) -> ExecutionOutcome {
    let machine = load_document(&definition.to_serde()).expect("a valid definition");
    run_execution(
        &machine,
        input,
        RunOptions {
            mocks: Mocks::from_json(&mocks.to_serde(), None).expect("valid mocks"),
            ..RunOptions::default()
        },
    )
}

/// The event types of a history, in order.
pub fn types(outcome: &ExecutionOutcome) -> Vec<String> {
    outcome
        .events
        .iter()
        .map(|e| e.kind.event_type().to_string())
        .collect()
}

/// The execution succeeded with `output`.
pub fn assert_succeeded(outcome: &ExecutionOutcome, output: &Json) {
    assert_eq!(
        outcome.status,
        ExecutionStatus::Succeeded,
        "{:?}: {:?} {:?}",
        types(outcome),
        outcome.error,
        outcome.cause
    );
    assert!(
        outcome.output.as_ref().is_some_and(|o| o == output),
        "output {:?}, expected {output}",
        outcome.output
    );
}

/// The execution failed with `error`; returns its cause.
pub fn assert_failed(outcome: &ExecutionOutcome, error: &str) -> String {
    assert_eq!(
        outcome.status,
        ExecutionStatus::Failed,
        "{:?}: {:?}",
        types(outcome),
        outcome.output
    );
    assert_eq!(outcome.error.as_deref(), Some(error), "{:?}", outcome.cause);
    assert_eq!(
        types(outcome).last().map(String::as_str),
        Some("ExecutionFailed")
    );
    outcome.cause.clone().unwrap_or_default()
}

/// Ids are 1..n, and each event follows one that came before it.
pub fn assert_well_linked(outcome: &ExecutionOutcome) {
    for (i, e) in outcome.events.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1, "ids are 1..n");
        assert!(
            e.previous_event_id < e.id,
            "event {} follows a later one",
            e.id
        );
    }
}
