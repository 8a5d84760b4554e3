//! The memory budget: calls that would copy the input into hundreds of megabytes fail with
//! `States.Runtime` before they build it; large but reasonable values still evaluate.

use std::time::{Duration, Instant};

use switchback_intrinsics::{parse, Env, EvalError, Limits};
use switchback_json::{json, Json};

/// Resolves `$.key` against a JSON object.
struct TestEnv {
    input: Json,
}

impl Env for TestEnv {
    fn resolve_path(&mut self, path: &str) -> Result<Json, EvalError> {
        let key = path.strip_prefix("$.").unwrap_or("");
        self.input.get(key).cloned().ok_or_else(|| EvalError {
            error: "States.Runtime".into(),
            cause: format!("no {path}"),
        })
    }
    fn random_u64(&mut self) -> u64 {
        4
    }
}

/// An input within AWS's payload limit (256 KiB): a 200 KB string, a 200 KB string of
/// comma-separated letters, a 20,000-item array and an object of 5,000 keys.
fn input() -> Json {
    let object: switchback_json::Object =
        (0..5000).map(|i| (format!("key{i}"), json!(i))).collect();
    json!({
        "big": "x".repeat(200_000),
        "csv": "a,".repeat(100_000),
        "arr": vec![0; 20_000],
        "obj": object,
    })
}

fn eval(src: &str, limits: &Limits) -> (Result<Json, EvalError>, Duration) {
    let mut env = TestEnv { input: input() };
    let call = parse(src).unwrap_or_else(|e| panic!("{}: {}", short(src), &e.message[..100]));
    let start = Instant::now();
    let r = call.eval_with_limits(&mut env, limits);
    (r, start.elapsed())
}

fn short(src: &str) -> &str {
    &src[..src.len().min(80)]
}

fn repeat(item: &str, n: usize, sep: &str) -> String {
    vec![item; n].join(sep)
}

/// Calls that would build hundreds of megabytes (or more) from that input.
fn hostile() -> Vec<String> {
    // Calls nest at most 10 deep; JsonMerge's copies add up side by side.
    let nested_merge = (0..8).fold("$.obj".to_string(), |acc, _| {
        format!("States.JsonMerge({acc}, $.obj, false)")
    });
    vec![
        format!(
            "States.Format('{}', {})",
            "{}".repeat(400),
            repeat("$.big", 400, ", ")
        ),
        format!("States.Array({})", repeat("$.big", 400, ", ")),
        format!(
            "States.Array({})",
            repeat("States.StringSplit($.csv, ',')", 40, ", ")
        ),
        format!(
            "States.Array({})",
            repeat("States.ArrayPartition($.arr, 1)", 60, ", ")
        ),
        format!("States.Array({})", repeat(&nested_merge, 40, ", ")),
        format!(
            "States.JsonToString(States.Array({}))",
            repeat("$.obj", 400, ", ")
        ),
        format!(
            "States.StringToJson(States.JsonToString(States.Array({})))",
            repeat("$.arr", 100, ", ")
        ),
        format!(
            "States.ArrayUnique(States.Array({}))",
            repeat("$.arr", 200, ", ")
        ),
    ]
}

#[test]
fn hostile_calls_fail_with_states_runtime() {
    for src in hostile() {
        let (r, took) = eval(&src, &Limits::default());
        let e = r.expect_err(short(&src));
        assert_eq!(e.error, "States.Runtime");
        assert!(
            e.cause.starts_with(
                "The memory budget of 67108864 bytes for one evaluation was exceeded in States."
            ),
            "{}",
            e.cause
        );
        // A generous deadline, not a speed goal: without the budget these calls run for
        // minutes or exhaust memory; with it they stop within a second even in a debug build,
        // and a busy machine must not fail the test.
        assert!(took < Duration::from_secs(30), "{}: {took:?}", short(&src));
    }
}

#[test]
fn reasonable_calls_still_evaluate() {
    let l = Limits::default();
    let (r, _) = eval("States.Format('<{}>', $.big)", &l);
    assert_eq!(r.unwrap().as_str().map(str::len), Some(200_002));
    let (r, _) = eval("States.ArrayLength(States.StringSplit($.csv, ','))", &l);
    assert_eq!(r.unwrap(), json!(100_000));
    let (r, _) = eval("States.ArrayLength(States.ArrayPartition($.arr, 1))", &l);
    assert_eq!(r.unwrap(), json!(20_000));
    let (r, _) = eval("States.Array($.big, $.big, $.big, $.big, $.big)", &l);
    assert_eq!(r.unwrap().as_array().map(|a| a.len()), Some(5));
    let (r, _) = eval("States.JsonMerge($.obj, $.obj, false)", &l);
    assert_eq!(r.unwrap().as_object().map(|o| o.len()), Some(5000));
}

#[test]
fn the_budget_is_configurable_per_thread() {
    let small = Limits {
        max_memory_bytes: 100_000,
    };
    let (r, _) = eval("States.Format('{}', $.big)", &small);
    assert_eq!(
        r.unwrap_err().cause,
        "The memory budget of 100000 bytes for one evaluation was exceeded in States.Format"
    );
    std::thread::spawn(move || {
        switchback_intrinsics::limits::set_thread_limits(small);
        let mut env = TestEnv { input: input() };
        let call = parse("States.Array($.big)").expect("parses");
        assert!(call.eval(&mut env).is_err());
    })
    .join()
    .expect("thread");
}
