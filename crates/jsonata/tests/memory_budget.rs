//! The memory budget: expressions that build huge values fail with `U1004` quickly, well
//! before they take the memory they ask for; large but reasonable values still evaluate.

use std::time::{Duration, Instant};

use switchback_json::json;
use switchback_jsonata::{Expression, Limits, Outcome, SimpleEnv};

/// Quick: well within the JSONata timeout (5 s) in a release build. A debug build on a busy
/// 2-core machine is several times slower, at worst about as slow as the timeout; there the
/// error itself (the budget's, not the timeout's) shows the budget stopped the evaluation.
const QUICK: Duration = Duration::from_millis(if cfg!(debug_assertions) {
    10_000
} else {
    1_500
});

fn eval(src: &str) -> (Result<Outcome, String>, Duration) {
    let expr = Expression::parse(src).expect("parses");
    let mut env = SimpleEnv::with_input(json!({"s": "abc"}));
    let start = Instant::now();
    let r = expr
        .evaluate_with_limits(&mut env, &Limits::default())
        .map_err(|e| e.message);
    (r, start.elapsed())
}

fn assert_over_budget(src: &str) {
    let (r, took) = eval(src);
    match r {
        Err(m) => assert!(
            m.starts_with("U1004: The memory budget of 67108864 bytes") || m.starts_with("D2015"),
            "{src}: {m}"
        ),
        Ok(_) => panic!("{src}: evaluated"),
    }
    eprintln!("{took:>12.3?}  {src}");
    assert!(took < QUICK, "{src}: took {took:?}");
}

/// Expressions that would build gigabytes.
pub const HOSTILE: &[&str] = &[
    r#"$pad("", 100000000)"#,
    r#"$pad("", -1e300, "xyz")"#,
    r#"[1..10000000].$string($)"#,
    r#"$join([1..3000000].$string($), ",")"#,
    r#"($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f("x", 40))"#,
    r#"($f := function($s, $n) { $n = 0 ? $s : $f($string([$s, $s]), $n - 1) }; $f("x", 40))"#,
    r#"($a := $pad("", 10000, "x"); $b := [1..10000].$a; $string($b))"#,
    r#"($a := $pad("", 10000, "x"); $b := [1..10000].$a; $join($b))"#,
    r#"($a := $pad("", 1000, "x"); $b := [1..100000].$a; $join($b, $a))"#,
    r#"($a := $pad("", 10000, "x"); [1..10000].$a)"#,
    r#"($a := [1..1000]; $b := [1..1000].[$a]; $c := [1..1000].[$b]; $c)"#,
    r#"$sort([1..20000000])"#,
    r#"[1..3000000]{$string($): $}"#,
    r#"[1..1000].[[1..1000000]]"#,
    r#"($a := $pad("", 10000, "x"); $b := [1..10000].$a; $b ~> $string())"#,
    r#"($a := $pad("", 10000, "x"); $b := [1..10000].$a; $b ~> $join("-"))"#,
    r#"$pad("", 70000000) ~> $length()"#,
    r#""x" ~> $pad(100000000)"#,
    r#"($f := function($s, $n) { $n = 0 ? $s : $f($replace($s, "x", "xx"), $n - 1) }; $f("xxxx", 40))"#,
    r#"($r := $pad("", 1000, "x"); $f := function($s, $n) { $n = 0 ? $s : $f($replace($s, /x/, $r), $n - 1) }; $f("xxxx", 40))"#,
    r#"($f := function($s, $n) { $n = 0 ? $s : $f($base64encode($s), $n - 1) }; $f("xxxx", 80))"#,
    r#"$split($pad("", 5000000, "x"), "")"#,
    r#"$map([1..1000], function($i) { $pad("", 1000000) })"#,
    r#"$sort([1..9000000])"#,
];

#[test]
fn hostile_expressions_fail_quickly() {
    for src in HOSTILE {
        assert_over_budget(src);
    }
}

#[test]
fn reasonable_values_still_evaluate() {
    for (src, len) in [
        (r#"$length($pad("", 1000000, "x"))"#, 1_000_000usize),
        (r#"$count([1..100000])"#, 100_000),
        (r#"$length($join([1..100000].$string($), ","))"#, 588_894),
        (
            r#"($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f("x", 20)))"#,
            1 << 20,
        ),
        (r#"$count($keys([1..10000]{$string($): $}))"#, 10_000),
        (r#"$length($string([1..100000]))"#, 588_896),
        (r#"$count($split($pad("", 1000000, "x,"), ","))"#, 500_001),
        (
            r#"$length($replace($pad("", 1000000, "x"), "x", "yy"))"#,
            2_000_000,
        ),
        (
            r#"$length($base64encode($pad("", 1000000, "x")))"#,
            1_333_336,
        ),
        (r#"$length(($join(?, "-"))(["a", "b"]))"#, 3),
        (r#"$length(["a", "b"] ~> $join("-"))"#, 3),
    ] {
        let (r, took) = eval(src);
        assert_eq!(r, Ok(Outcome::Value(json!(len))), "{src}");
        assert!(took < Duration::from_secs(5), "{src}: {took:?}");
    }
    let (r, _) = eval(r#"$pad("", 1000000, "x")"#);
    assert!(
        matches!(r, Ok(Outcome::Value(switchback_json::Json::String(s))) if s.len() == 1_000_000)
    );
}

#[test]
fn the_budget_is_configurable() {
    let expr = Expression::parse(r#"$pad("", 2000, "x")"#).expect("parses");
    let mut env = SimpleEnv::with_input(json!({}));
    let small = Limits {
        max_memory_bytes: 1000,
        ..Limits::default()
    };
    let e = expr.evaluate_with_limits(&mut env, &small).unwrap_err();
    assert_eq!(
        e.message,
        "U1004: The memory budget of 1000 bytes for one evaluation was exceeded. \
         Check for values growing without bound"
    );
    switchback_jsonata::limits::set_thread_limits(small);
    assert!(expr.evaluate(&mut env).is_err());
    switchback_jsonata::limits::set_thread_limits(Limits::default());
    assert!(expr.evaluate(&mut env).is_ok());
}
