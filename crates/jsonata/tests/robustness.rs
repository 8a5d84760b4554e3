//! Parsing never panics, and evaluation of whatever parses ends (value or error) within the
//! limits: arbitrary text, JSONata-flavoured text, deep nesting and runaway expressions.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use switchback_json::json;
use switchback_jsonata::{Expression, Limits, SimpleEnv};

fn small_limits() -> Limits {
    Limits {
        timeout: Duration::from_millis(200),
        max_depth: 300,
        max_sequence_length: 10_000,
        max_memory_bytes: 64 * 1024 * 1024,
    }
}

fn env() -> SimpleEnv {
    SimpleEnv::with_input(json!({"a": 1, "b": [1, 2, {"c": "x"}], "s": "text"}))
        .with_variable("v", json!({"k": [true, null, 2.5]}))
}

fn parse_and_maybe_eval(src: &str) {
    if let Ok(expr) = Expression::parse(src) {
        let _ = expr.evaluate_with_limits(&mut env(), &small_limits());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(src in any::<String>()) {
        parse_and_maybe_eval(&src);
    }

    #[test]
    fn jsonata_like_text_never_panics(
        src in proptest::string::string_regex(
            r#"[$a-z0-9 .,:;=<>!?&|*/%+\-()\[\]{}'"`~^#@]{0,40}"#
        ).unwrap()
    ) {
        parse_and_maybe_eval(&src);
    }

    #[test]
    fn composed_expressions_never_panic(
        parts in proptest::collection::vec(prop_oneof![
            Just("$states.input.a"), Just("$states.input.b"), Just("$v.k"), Just("$"),
            Just("["), Just("]"), Just("("), Just(")"), Just("{"), Just("}"), Just(","),
            Just("+"), Just("-"), Just("*"), Just("/"), Just("&"), Just("="), Just(".."),
            Just("$map("), Just("$sum("), Just("$string("), Just("$partition("), Just("$range("),
            Just("$hash("), Just("$parse("), Just("$random("), Just("$uuid("), Just("1"), Just("'x'"),
            Just("function($x){$x}"), Just(":="), Just("$f"), Just("?"), Just(":"), Just(";"),
            Just("~>"), Just("[0]"), Just(".c"), Just("$count("), Just("$sort("), Just("'SHA-1'"),
        ], 0..16)
    ) {
        parse_and_maybe_eval(&parts.concat());
    }
}

#[test]
fn deep_nesting_is_an_error_or_a_value_not_a_crash() {
    for n in [100, 1_000, 10_000] {
        for (open, close) in [("(", ")"), ("[", "]"), ("{'a':", "}"), ("-", "")] {
            let src = format!("{}1{}", open.repeat(n), close.repeat(n));
            parse_and_maybe_eval(&src);
            parse_and_maybe_eval(&open.repeat(n));
        }
    }
}

#[test]
fn runaway_recursion_fails_in_bounded_time() {
    let limits = Limits {
        timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    for src in [
        "($f := function($n){$f($n+1)}; $f(0))",
        "($f := function($n){1 + $f($n+1)}; $f(0))",
        "($f := function($l){$f($append($l, $l))}; $f([1]))",
    ] {
        let start = Instant::now();
        let r = Expression::parse(src)
            .unwrap()
            .evaluate_with_limits(&mut env(), &limits);
        assert!(r.is_err(), "{src}: {r:?}");
        assert!(start.elapsed() < Duration::from_secs(5), "{src}");
    }
}

#[test]
fn ordinary_recursion_works_within_default_limits() {
    let r = Expression::parse("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(500))")
        .unwrap()
        .evaluate(&mut env())
        .unwrap();
    assert_eq!(r, switchback_jsonata::Outcome::Value(json!(500)));
}
