//! The conformance test: every case of `../shared/conformance/cases` (executions recorded
//! against real AWS Step Functions) runs through the interpreter, and its outcome (status and
//! output, or error and cause) and history are compared with AWS's by the corpus's rules.
//!
//! It prints a table per category and fails when fewer cases pass than the baseline committed
//! in `conformance-baseline.json`, so fidelity only ratchets up. Raise the baseline when a
//! change makes more cases pass (`SWITCHBACK_CONFORMANCE_WRITE_BASELINE=1` writes it).
//!
//! Cases that need Lambda functions (`functions` key) are skipped here, as the corpus's own
//! runner skips them; they belong to the Task integrations.

mod support;

use serde_json::{json, Value};
use support::corpus::{self, BaselineKeys, CaseResult};
use switchback_asl::load::load_document;
use switchback_engine::{run_execution, RunOptions};

fn run_case(case: &Value) -> CaseResult {
    let machine = match load_document(&case["definition"]) {
        Ok(m) => m,
        Err(e) => return CaseResult::failed(case, format!("definition rejected: {e}")),
    };
    let input = if case["input_omitted"] == json!(true) {
        json!({})
    } else {
        case["input"].clone()
    };
    let run = run_execution(
        &machine,
        input,
        RunOptions {
            seed: 7,
            express: case["type"] == json!("EXPRESS"),
            ..RunOptions::default()
        },
    );
    let mut actual = run.to_json();
    let events = actual
        .get_mut("events")
        .map(Value::take)
        .and_then(|e| match e {
            Value::Array(a) => Some(a),
            _ => None,
        })
        .unwrap_or_default();
    // The API returns the output as JSON text; compare as the corpus's runner does.
    actual["output"] = Value::String(actual["output"].to_string());
    corpus::score(case, &actual, Some(&events))
}

#[test]
fn conformance_corpus() {
    let Some(selection) = corpus::select_cases() else {
        return;
    };
    let cases = selection.cases;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = cases.len().div_ceil(threads).max(1);
    let mut results: Vec<CaseResult> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|c| {
                            std::panic::catch_unwind(|| run_case(c))
                                .unwrap_or_else(|_| CaseResult::failed(c, "PANIC".into()))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_by(|a, b| a.id.cmp(&b.id));
    let total = corpus::report(&results, selection.skipped_lambda);
    if selection.filter.is_some() {
        return;
    }
    corpus::ratchet(
        &BaselineKeys {
            name: "in-process",
            outcome: "outcome_pass",
            history: "history_pass",
            cases: "cases",
        },
        total,
    );
}
