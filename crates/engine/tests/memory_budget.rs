//! The memory budget of an evaluation: a JSONata expression that builds a huge value fails its
//! state with `States.QueryEvaluationError`, an intrinsic call with `States.Runtime`, quickly
//! and before the memory it asks for is taken; large but reasonable values still work.

use std::time::{Duration, Instant};
use switchback_engine::history::EventType;

use switchback_asl::load::load_document;
use switchback_engine::{run_execution, ExecutionOutcome, ExecutionStatus, Limits, RunOptions};
use switchback_json::{json, Json};

/// Quick: well within the JSONata timeout (5 s) in a release build. A debug build on a busy
/// 2-core machine is several times slower, at worst about as slow as the timeout; there the
/// error itself (the budget's, not the timeout's) shows the budget stopped the evaluation.
const QUICK: Duration = Duration::from_millis(if cfg!(debug_assertions) {
    10_000
} else {
    1_500
});

fn run(definition: Json, input: Json) -> (ExecutionOutcome, Duration) {
    run_with(definition, input, Limits::default())
}

fn run_with(definition: Json, input: Json, limits: Limits) -> (ExecutionOutcome, Duration) {
    let machine = load_document(&definition.to_serde()).expect("a valid definition");
    let start = Instant::now();
    let outcome = run_execution(
        &machine,
        input,
        RunOptions {
            limits,
            ..RunOptions::default()
        },
    );
    (outcome, start.elapsed())
}

/// One JSONata Pass state whose output is `expr`.
fn jsonata(expr: &str) -> Json {
    json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Build",
        "States": { "Build": { "Type": "Pass", "Output": format!("{{% {expr} %}}"), "End": true } }
    })
}

/// One JSONPath Pass state whose `Parameters` hold `{"value.$": call}`.
fn intrinsic(call: &str) -> Json {
    json!({
        "StartAt": "Build",
        "States": { "Build": { "Type": "Pass", "Parameters": { "value.$": call }, "End": true } }
    })
}

/// An input within AWS's payload limit: a 200 KB string, a 200 KB list of letters, an array of
/// 20,000 zeros.
fn input() -> Json {
    json!({ "big": "x".repeat(200_000), "csv": "a,".repeat(100_000), "arr": vec![0; 20_000] })
}

/// Expressions that would build gigabytes (the figures in the report are for these).
const HOSTILE_JSONATA: &[&str] = &[
    r#"$pad("", 100000000)"#,
    r#"[1..10000000].$string($)"#,
    r#"$join([1..3000000].$string($), ",")"#,
    r#"($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f("x", 40))"#,
    r#"($a := $pad("", 10000, "x"); $b := [1..10000].$a; $string($b))"#,
    r#"($a := $pad("", 1000, "x"); $b := [1..100000].$a; $join($b, $a))"#,
    r#"($a := $pad("", 10000, "x"); [1..10000].$a)"#,
    r#"$sort([1..20000000])"#,
    r#"[1..3000000]{$string($): $}"#,
    r#"[1..1000].[[1..1000000]]"#,
    r#"($f := function($s, $n) { $n = 0 ? $s : $f($replace($s, "x", "xx"), $n - 1) }; $f("xxxx", 40))"#,
    r#"($f := function($s, $n) { $n = 0 ? $s : $f($base64encode($s), $n - 1) }; $f("xxxx", 80))"#,
    r#"$split($pad("", 5000000, "x"), "")"#,
    r#"$map([1..1000], function($i) { $pad("", 1000000) })"#,
    r#"$sort([1..9000000])"#,
];

fn hostile_intrinsics() -> Vec<String> {
    let repeat = |item: &str, n: usize| vec![item; n].join(", ");
    vec![
        format!(
            "States.Format('{}', {})",
            "{}".repeat(400),
            repeat("$.big", 400)
        ),
        format!("States.Array({})", repeat("$.big", 400)),
        format!(
            "States.Array({})",
            repeat("States.StringSplit($.csv, ',')", 40)
        ),
        format!(
            "States.Array({})",
            repeat("States.ArrayPartition($.arr, 1)", 60)
        ),
        format!(
            "States.JsonToString(States.Array({}))",
            repeat("$.big", 400)
        ),
        format!(
            "States.Array({})",
            repeat(
                "States.JsonMerge(States.JsonMerge($, $, false), $, false)",
                200
            )
        ),
    ]
}

fn assert_failed(outcome: &ExecutionOutcome, took: Duration, error: &str, what: &str) {
    let what = &what[..what.len().min(80)];
    assert_eq!(outcome.status, ExecutionStatus::Failed, "{what}");
    assert_eq!(outcome.error.as_deref(), Some(error), "{what}");
    let cause = outcome.cause.as_deref().unwrap_or_default();
    assert!(
        cause.contains("The memory budget of 67108864 bytes for one evaluation was exceeded")
            || cause.contains("D2015: The maximum sequence length"),
        "{what}: {cause}"
    );
    eprintln!("{took:>12.3?}  {what}");
    assert!(took < QUICK, "{what}: took {took:?}");
}

#[test]
fn hostile_jsonata_fails_with_query_evaluation_error() {
    for expr in HOSTILE_JSONATA {
        let (outcome, took) = run(jsonata(expr), json!({}));
        assert_failed(&outcome, took, "States.QueryEvaluationError", expr);
        let cause = outcome.cause.unwrap_or_default();
        assert!(
            cause.starts_with(
                "An error occurred while executing the state 'Build' (entered at the event id #2). \
                 The JSONata expression"
            ) && cause.contains("threw an error during evaluation."),
            "{cause}"
        );
        // AWS records the failed evaluation before the state fails.
        assert!(
            outcome
                .events
                .iter()
                .any(|e| e.kind.event_type() == EventType::EvaluationFailed),
            "{expr}"
        );
    }
}

#[test]
fn hostile_intrinsics_fail_with_states_runtime() {
    for call in hostile_intrinsics() {
        let (outcome, took) = run(intrinsic(&call), input());
        assert_failed(&outcome, took, "States.Runtime", &call);
    }
}

#[test]
fn large_but_reasonable_values_still_work() {
    for (expr, expected) in [
        (r#"$length($pad("", 1000000, "x"))"#, json!(1_000_000)),
        (r#"$count([1..100000])"#, json!(100_000)),
        (
            r#"$length($join([1..100000].$string($), ","))"#,
            json!(588_894),
        ),
        (
            r#"($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f("x", 20)))"#,
            json!(1 << 20),
        ),
        (r#"$count($keys([1..10000]{$string($): $}))"#, json!(10_000)),
    ] {
        let (outcome, _) = run(jsonata(expr), json!({}));
        assert_eq!(
            outcome.status,
            ExecutionStatus::Succeeded,
            "{expr}: {:?}",
            outcome.cause
        );
        assert_eq!(outcome.output.as_ref(), Some(&expected), "{expr}");
    }
    for (call, expected) in [
        (
            "States.ArrayLength(States.StringSplit($.csv, ','))",
            json!(100_000),
        ),
        (
            "States.ArrayLength(States.ArrayPartition($.arr, 1))",
            json!(20_000),
        ),
        (
            "States.ArrayLength(States.Array($.big, $.big, $.big))",
            json!(3),
        ),
    ] {
        let (outcome, _) = run(intrinsic(call), input());
        assert_eq!(
            outcome.status,
            ExecutionStatus::Succeeded,
            "{call}: {:?}",
            outcome.cause
        );
        assert_eq!(
            outcome.output.as_ref(),
            Some(&json!({ "value": expected })),
            "{call}"
        );
    }
}

#[test]
fn the_budget_is_configurable() {
    let small = Limits {
        max_evaluation_memory_bytes: 100_000,
        ..Limits::default()
    };
    let small_jsonata = run_with(jsonata(r#"$length($pad("", 200000))"#), json!({}), small).0;
    let small_intrinsic = run_with(
        intrinsic("States.ArrayLength(States.Array($.big))"),
        input(),
        small,
    )
    .0;
    assert_eq!(
        small_jsonata.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    assert!(small_jsonata
        .cause
        .unwrap_or_default()
        .contains("U1004: The memory budget of 100000 bytes for one evaluation was exceeded"));
    assert_eq!(small_intrinsic.error.as_deref(), Some("States.Runtime"));
    assert!(small_intrinsic.cause.unwrap_or_default().ends_with(
        "The memory budget of 100000 bytes for one evaluation was exceeded in States.Array"
    ));
    let default = run(jsonata(r#"$length($pad("", 200000))"#), json!({})).0;
    assert_eq!(default.output.as_ref(), Some(&json!(200_000)));
}
