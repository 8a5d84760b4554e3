//! With a metering allocator (as a program may install), the heap an evaluation takes is
//! bounded as well: expressions the guards do not see (a built-in passed as a value, a
//! partial application) fail with `U1004` too, and reasonable values still evaluate.

use std::alloc::System;
use std::time::{Duration, Instant};

use switchback_json::json;
use switchback_jsonata::{Expression, Limits, MeteredAlloc, Outcome, SimpleEnv};

#[global_allocator]
static ALLOC: MeteredAlloc<System> = MeteredAlloc(System);

fn eval(src: &str) -> (Result<Outcome, String>, Duration) {
    let expr = Expression::parse(src).expect("parses");
    let mut env = SimpleEnv::with_input(json!({}));
    let start = Instant::now();
    // The default memory budget, with time to spare: these tests are about memory, and a
    // debug build on a busy machine may take seconds over the larger values.
    let limits = Limits {
        timeout: Duration::from_secs(300),
        ..Limits::default()
    };
    let r = expr
        .evaluate_with_limits(&mut env, &limits)
        .map_err(|e| e.message);
    (r, start.elapsed())
}

#[test]
fn the_allocator_is_known_to_be_metered() {
    let _ = eval("1");
    assert!(switchback_jsonata::meter::installed());
}

#[test]
fn what_the_guards_miss_is_metered() {
    for src in [
        r#"$map([1..1000].$string($), $pad(?, 1000000, "x"))"#,
        r#"($p := $pad; $map([1..1000], function($i) { $p("", 1000000) }))"#,
        r#"($s := $pad("", 100000, "x"); $f := $string; $map([1..1000], function($i) { $f([$s, $i]) }))"#,
        r#"[1..200].[[1..100000]]"#,
        // Counted by growth when metered: doubling still stops at the budget.
        r#"($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f("x", 40))"#,
    ] {
        let (r, took) = eval(src);
        let m = r.expect_err(src);
        assert!(
            m.starts_with("U1004: The memory budget of 67108864 bytes"),
            "{src}: {m}"
        );
        eprintln!("{took:>12.3?}  {src}");
        assert!(took < Duration::from_secs(10), "{src}: {took:?}");
    }
}

#[test]
fn reasonable_values_still_evaluate_when_metered() {
    for (src, expected) in [
        (r#"$length($pad("", 1000000, "x"))"#, json!(1_000_000)),
        (r#"$count([1..100000])"#, json!(100_000)),
        (
            r#"$length($join([1..100000].$string($), ","))"#,
            json!(588_894),
        ),
        (
            r#"$count($map([1..100].$string($), $pad(?, 10000, "x")))"#,
            json!(100),
        ),
        (r#"$count([1..100].[[1..1000]])"#, json!(100)),
        // Grown one piece at a time: counted once when metered (5 GB if counted per step).
        (
            r#"$length($reduce([1..100000], function($acc, $i) { $acc & "abc" }, ""))"#,
            json!(300_000),
        ),
    ] {
        let (r, _) = eval(src);
        assert_eq!(r, Ok(Outcome::Value(expected)), "{src}");
    }
}
