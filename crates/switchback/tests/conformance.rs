//! The conformance test: every case of `../shared/conformance/cases` (executions recorded
//! against real AWS Step Functions) runs through the interpreter, and its outcome (status and
//! output, or error and cause) and history are compared with AWS's by the corpus's rules.
//!
//! It prints a table per category and fails when fewer cases pass than the baseline committed
//! in `conformance-baseline.json`, so fidelity only ratchets up. Raise the baseline when a
//! change makes more cases pass (`SWITCHBACK_CONFORMANCE_WRITE_BASELINE=1` writes it).
//!
//! Cases that need Lambda functions (`functions` key, `lambda/**`) run with fixture functions
//! (`tests/functions/*.py`, see `support/functions.rs`) through Switchback's real function
//! integration, given to the run as its task handler; they are counted under their own
//! `lambda_*` baseline keys. A case whose function description has no fixture is skipped.

mod support;

use std::sync::Arc;

use serde_json::{json, Value};
use support::corpus::{self, BaselineKeys, CaseResult};
use support::functions::{self, CaseFunctions};
use switchback_asl::load::load_document;
use switchback_engine::{run_execution, RunOptions, TaskHandler};

/// Runs one case; `functions`: the fixture functions of a case that needs Lambda functions.
fn run_case(case: &Value, functions: Option<&CaseFunctions>) -> CaseResult {
    let machine = match load_document(&case["definition"]) {
        Ok(m) => m,
        Err(e) => return CaseResult::failed(case, format!("definition rejected: {e}")),
    };
    let input = if case["input_omitted"] == json!(true) {
        json!({})
    } else {
        case["input"].clone()
    };
    let tasks = match functions {
        None => None,
        Some(functions) => match functions::integrations(functions) {
            Ok(integrations) => Some(Arc::new(integrations) as Arc<dyn TaskHandler>),
            Err(e) => return CaseResult::failed(case, format!("fixture functions: {e}")),
        },
    };
    let run = run_execution(
        &machine,
        input,
        RunOptions {
            seed: 7,
            express: case["type"] == json!("EXPRESS"),
            start_time: Some(corpus::pinned_clock()),
            tasks,
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
    let cases: Vec<(&Value, Option<&CaseFunctions>)> = selection
        .cases
        .iter()
        .map(|c| (c, None))
        .chain(
            selection
                .lambda_cases
                .iter()
                .map(|l| (&l.case, Some(&l.functions))),
        )
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = cases.len().div_ceil(threads).max(1);
    let mut results: Vec<CaseResult> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&(c, f)| {
                            std::panic::catch_unwind(|| run_case(c, f))
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
    let totals = corpus::report(&results, selection.skipped_lambda);
    if selection.filter.is_some() {
        return;
    }
    let (lambda, base): (Vec<&CaseResult>, Vec<&CaseResult>) = results
        .iter()
        .partition(|r| corpus::is_lambda_category(&r.category));
    corpus::ratchet(
        &BaselineKeys {
            name: "in-process",
            outcome: "outcome_pass",
            history: "history_pass",
            cases: "cases",
            outcome_failing: "outcome_failing",
            history_failing: "history_failing",
        },
        &base,
        totals.base,
    );
    corpus::ratchet(
        &BaselineKeys {
            name: "in-process lambda/**",
            outcome: "lambda_outcome_pass",
            history: "lambda_history_pass",
            cases: "lambda_cases",
            outcome_failing: "lambda_outcome_failing",
            history_failing: "lambda_history_failing",
        },
        &lambda,
        totals.lambda,
    );
}
