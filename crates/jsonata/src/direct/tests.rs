//! Direct evaluation against jsonata-core: whenever direct evaluation answers, its answer is
//! jsonata-core's, on generated data and generated expressions; and the everyday expressions it
//! is there for are answered directly.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use switchback_json::{json, Json, Number};

use super::Program;
use crate::expression::Outcome;
use crate::{Expression, Limits, SimpleEnv};

/// Both evaluators on `src`: what jsonata-core gives, and what direct evaluation gives if it
/// answers. Panics if they differ.
fn compare(src: &str, env: &SimpleEnv) -> (Result<Outcome, String>, Option<Outcome>) {
    let limits = Limits::default();
    let expression = Expression::parse(src).expect("the expression parses");
    let core = expression
        .evaluate_with_jsonata_core(&mut env.clone(), &limits)
        .map_err(|e| e.message);
    let ast = jsonata_core::parser::parse(src).expect("the expression parses");
    let direct = Program::compile(&ast)
        .and_then(|p| p.evaluate(env, &limits).ok())
        .map(|v| v.map_or(Outcome::Undefined, Outcome::Value));
    if let Some(direct) = &direct {
        assert_eq!(
            core.as_ref(),
            Ok(direct),
            "{src} over {:?} and $x = {:?}",
            env.states,
            env.variables
        );
    }
    (core, direct)
}

fn env(input: Json, x: Json) -> SimpleEnv {
    SimpleEnv::with_input(input).with_variable("x", x)
}

/// JSON with few distinct keys (so that paths find things), nested arrays, and numbers that
/// are and are not exact doubles.
fn value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(Json::from),
        (-5i64..5).prop_map(Json::from),
        Just(json!(1.0)),
        Just(json!(2.5)),
        Just(json!(-0.0)),
        Just(json!(9_007_199_254_740_993u64)),
        Just(json!(18_446_744_073_709_551_615u64)),
        prop_oneof![Just("a"), Just("b"), Just(""), Just("Ünï"), Just("ß")].prop_map(Json::from),
    ];
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Json::from),
            proptest::collection::vec((prop_oneof![Just("a"), Just("b"), Just("c")], inner), 0..4)
                .prop_map(|members| {
                    let mut object = switchback_json::Object::new();
                    for (k, v) in members {
                        object.insert(k.into(), v);
                    }
                    Json::Object(object)
                }),
        ]
    })
}

/// A path over the generated data.
fn path() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("$x"), Just("$states.input"), Just("$states.result")],
        proptest::collection::vec(prop_oneof![Just(".a"), Just(".b"), Just(".c")], 0..4),
    )
        .prop_map(|(root, steps)| format!("{root}{}", steps.concat()))
}

/// An expression of the compiled subset (and a little outside it) over paths.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => path(),
        1 => Just("1".to_string()),
        1 => Just("2.5".to_string()),
        1 => Just("'a'".to_string()),
        1 => Just("true".to_string()),
        1 => Just("null".to_string()),
        1 => Just("$y".to_string()),
    ];
    leaf.prop_recursive(3, 24, 3, |inner| {
        let two = (inner.clone(), inner.clone());
        prop_oneof![
            two.clone().prop_map(|(a, b)| format!("({a} + {b})")),
            two.clone().prop_map(|(a, b)| format!("({a} % {b})")),
            two.clone().prop_map(|(a, b)| format!("({a} / {b})")),
            two.clone().prop_map(|(a, b)| format!("({a} < {b})")),
            two.clone().prop_map(|(a, b)| format!("({a} >= {b})")),
            two.clone().prop_map(|(a, b)| format!("({a} = {b})")),
            two.clone().prop_map(|(a, b)| format!("({a} != {b})")),
            two.clone().prop_map(|(a, b)| format!("({a} and {b})")),
            two.clone().prop_map(|(a, b)| format!("({a} or {b})")),
            two.clone().prop_map(|(a, b)| format!("({a} & {b})")),
            two.clone()
                .prop_map(|(a, b)| format!("{{'k': {a}, 'l': {b}}}")),
            two.clone().prop_map(|(a, b)| format!("[{a}, [{b}], 1]")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a} ? {b} : {c})")),
            two.prop_map(|(a, b)| format!("({a} ? {b})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            (
                prop_oneof![
                    Just("sum"),
                    Just("count"),
                    Just("uppercase"),
                    Just("lowercase"),
                    Just("length"),
                    Just("exists"),
                    Just("not"),
                ],
                inner
            )
                .prop_map(|(f, a)| format!("${f}({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    /// switchback-json's `numbers_are_javascript` (remembered per value) says exactly when a
    /// number comes back from JSONata's doubles unchanged.
    #[test]
    fn numbers_are_javascript_when_doubles_give_them_back(
        n in prop_oneof![
            any::<i64>().prop_map(Number::from),
            any::<u64>().prop_map(Number::from),
            (-(1i64 << 54)..(1i64 << 54)).prop_map(Number::from),
            any::<f64>().prop_filter_map("finite", Number::from_f64),
            (-1e6f64..1e6).prop_map(f64::round).prop_filter_map("finite", Number::from_f64),
        ]
    ) {
        let round_trip = crate::convert::number(n.as_f64().unwrap_or(0.0));
        let value = Json::Number(n.clone());
        prop_assert_eq!(value.numbers_are_javascript(), round_trip == value, "{}", n);
    }

    #[test]
    fn a_path_gives_what_jsonata_core_gives(input in value(), x in value(), src in path()) {
        let (_, direct) = compare(&src, &env(input, x));
        // Paths over bound values never need jsonata-core.
        prop_assert!(direct.is_some() || src.starts_with("$states.result"), "{src}");
    }

    #[test]
    fn an_expression_gives_what_jsonata_core_gives(
        input in value(),
        x in value(),
        src in expression(),
    ) {
        let _ = compare(&src, &env(input, x));
    }
}

/// The comparison above means something only if direct evaluation answers often enough.
#[test]
fn generated_expressions_are_often_answered_directly() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (value(), value(), expression());
    let (mut answered, mut left) = (0, 0);
    for _ in 0..2000 {
        let (input, x, src) = strategy.new_tree(&mut runner).expect("a case").current();
        match compare(&src, &env(input, x)).1 {
            Some(_) => answered += 1,
            None => left += 1,
        }
    }
    // Random data makes most typed operations fail (and so go to jsonata-core): one in ten
    // answered directly is some hundreds of comparisons per run.
    assert!(
        answered * 10 >= answered + left,
        "{answered} answered, {left} left"
    );
}

#[test]
fn everyday_expressions_are_answered_directly() {
    let input = json!({
        "order": {"id": "o-1", "customer": "acme", "items": [
            {"sku": "A", "price": 0.5, "qty": 1}, {"sku": "B", "price": 1.5, "qty": 2}
        ]},
        "step": 3,
        "flag": true,
        "name": "Ada"
    });
    let env = env(input, json!({"limit": 10, "tags": ["a", "b"]}));
    for (src, expected) in [
        ("$states.input.order", None),
        ("$sum($states.input.order.items.price)", Some(json!(2))),
        ("$states.input.order.items.sku", Some(json!(["A", "B"]))),
        (
            "$uppercase($states.input.order.customer)",
            Some(json!("ACME")),
        ),
        ("$states.input.step + 1", Some(json!(4))),
        ("$states.input.step > 25", Some(json!(false))),
        (
            "$count($x.tags) = 2 and $states.input.flag",
            Some(json!(true)),
        ),
        (
            "$states.input.step < $x.limit ? 'more' : 'done'",
            Some(json!("more")),
        ),
        ("'Hello, ' & $states.input.name", Some(json!("Hello, Ada"))),
        (
            "{'id': $states.input.order.id, 'n': $count($states.input.order.items)}",
            Some(json!({"id": "o-1", "n": 2})),
        ),
        ("[$states.input.step, $x.limit]", Some(json!([3, 10]))),
        ("$exists($states.input.missing)", Some(json!(false))),
        ("$not($states.input.flag)", Some(json!(false))),
        ("$length($states.input.name) * 2", Some(json!(6))),
    ] {
        let (core, direct) = compare(src, &env);
        assert!(
            direct.is_some(),
            "{src} was left to jsonata-core ({core:?})"
        );
        if let Some(expected) = expected {
            assert_eq!(direct, Some(Outcome::Value(expected)), "{src}");
        }
    }
}

#[test]
fn a_path_result_shares_the_input() {
    let input = json!({"order": {"items": [1, 2, 3]}});
    let env = env(input.clone(), json!(null));
    let ast = jsonata_core::parser::parse("$states.input.order").expect("parses");
    let result = Program::compile(&ast)
        .expect("compiles")
        .evaluate(&env, &Limits::default())
        .expect("answers")
        .expect("defined");
    assert!(result.ptr_eq(&input["order"]));
}

#[test]
fn numbers_come_back_as_doubles_would_give_them() {
    let env = env(
        json!({"a": {"f": 2.0, "big": 9_007_199_254_740_993u64}}),
        json!(null),
    );
    let (_, direct) = compare("$states.input.a", &env);
    assert_eq!(
        direct,
        Some(Outcome::Value(
            json!({"f": 2, "big": 9_007_199_254_740_992u64})
        ))
    );
}

#[test]
fn what_jsonata_core_would_refuse_is_left_to_it() {
    let env = env(json!({"s": "text", "n": 1, "o": {}}), json!([1]));
    for src in [
        "$states.input.s + 1",
        "$states.input.n & 'x'",
        "$states.input.o > 1",
        "$states.input.missing + 1",
        "1 / 0",
        "$unbound",
        "$sum($states.input.s)",
        "$uppercase($states.input.n)",
    ] {
        let (core, direct) = compare(src, &env);
        assert_eq!(direct, None, "{src} answered directly ({core:?})");
    }
    // A variable that shadows a function is what the call calls.
    let shadowed = env.clone().with_variable("sum", json!(1));
    let (core, direct) = compare("$sum([1, 2])", &shadowed);
    assert_eq!(direct, None);
    assert!(core.is_err(), "{core:?}");
}

#[test]
fn results_past_the_memory_limit_are_left_to_jsonata_core() {
    let input = json!({"s": "abcdefghij", "n": 12.5, "a": ["abcdefghij", "klmnopqrst"]});
    let env = SimpleEnv::with_input(input);
    let evaluate = |src: &str, max_memory_bytes: usize| {
        let ast = jsonata_core::parser::parse(src).expect("the expression parses");
        let limits = Limits {
            max_memory_bytes,
            ..Limits::default()
        };
        let program = Program::compile(&ast).expect("in the compiled subset");
        program.evaluate(&env, &limits).ok()
    };
    // A string's text is bounded without counting it while six bytes per byte fit.
    assert!(evaluate("$states.input.s", 1000).is_some());
    assert!(evaluate("$states.input.s", 10).is_none());
    // Scalars other than strings fit in 64 bytes; below that jsonata-core decides.
    assert!(evaluate("$states.input.n", 64).is_some());
    assert!(evaluate("$states.input.n", 63).is_none());
    // Arrays are counted: 27 bytes.
    assert!(evaluate("$states.input.a", 27).is_some());
    assert!(evaluate("$states.input.a", 26).is_none());
}
