//! Stock JSONata as workflows use it, through this crate's boundary: values in and out,
//! `undefined`, functions, numbers, errors in jsonata-js form, and the cost of one evaluation.

mod common;

use common::{eval, value};
use switchback_json::json;
use switchback_jsonata::{Expression, Outcome, SimpleEnv};

#[test]
fn common_features() {
    let input =
        json!({"a": 1, "names": ["x", "y"], "orders": [{"p": 3, "q": 2}, {"p": 5, "q": 1}]});
    let cases = [
        ("$states.input.a + 1", json!(2)),
        ("$count($states.input.names)", json!(2)),
        (
            "$map($states.input.names, function($n){$uppercase($n)})",
            json!(["X", "Y"]),
        ),
        ("$join($states.input.names, '-')", json!("x-y")),
        ("$string($states.input.a)", json!("1")),
        (
            "{'n': $states.input.a, 'l': [1, 2]}",
            json!({"n": 1, "l": [1, 2]}),
        ),
        (
            "$filter($states.input.orders, function($o){$o.p > 4}).q",
            json!(1),
        ),
        (
            "$reduce([1, 2, 3], function($acc, $x){$acc + $x})",
            json!(6),
        ),
        ("$sort([3, 1, 2])", json!([1, 2, 3])),
        ("$states.input.names ~> $join(',')", json!("x,y")),
        ("($x := 2; $y := 3; $x * $y)", json!(6)),
        ("$match('abc', /b/).match", json!("b")),
        ("[1..4]", json!([1, 2, 3, 4])),
        ("$sum($states.input.orders.(p * q))", json!(11)),
        ("6 / 2", json!(3)),
        ("0.1 + 0.2", json!(0.30000000000000004)),
        ("1000000 * 1000000", json!(1_000_000_000_000i64)),
        ("$states.input.orders[0]", json!({"p": 3, "q": 2})),
    ];
    for (src, expected) in cases {
        assert_eq!(value(input.clone(), src), expected, "{src}");
    }
}

#[test]
fn outcomes() {
    assert_eq!(
        eval(json!({}), "$states.input.missing"),
        Ok(Outcome::Undefined)
    );
    assert_eq!(eval(json!({}), "function($x){$x}"), Ok(Outcome::Function));
    assert_eq!(eval(json!({}), "$sum"), Ok(Outcome::Function));
    // Inside structures, undefined fields are dropped and functions follow JSON.stringify.
    assert_eq!(
        value(json!({}), "{'a': $nothing, 'b': 1, 'f': $sum}"),
        json!({"b": 1})
    );
}

#[test]
fn errors_in_jsonata_js_form() {
    assert_eq!(
        eval(json!({}), "'a' + 1").unwrap_err(),
        "T2001: The left side of the + operator must evaluate to a number"
    );
    assert_eq!(
        eval(json!({}), "$nosuch()").unwrap_err(),
        "T1006: Attempted to invoke a non-function"
    );
    let e = Expression::parse("(1 + ").unwrap_err();
    assert!(e.message.starts_with('S'), "{}", e.message);
}

#[test]
fn variables_are_bound_by_name() {
    let mut env = SimpleEnv::with_input(json!({})).with_variable("x", json!({"y": [1, 2]}));
    let out = Expression::parse("$x.y[1] + $count($x.y)")
        .unwrap()
        .evaluate(&mut env)
        .unwrap();
    assert_eq!(out, Outcome::Value(json!(4)));
}

#[test]
fn expression_is_shareable_across_threads() {
    let expr = std::sync::Arc::new(Expression::parse("$states.input.n * 2").unwrap());
    let handles: Vec<_> = (0..4)
        .map(|n| {
            let expr = expr.clone();
            std::thread::spawn(move || {
                expr.evaluate(&mut SimpleEnv::with_input(json!({"n": n})))
                    .unwrap()
            })
        })
        .collect();
    for (n, h) in handles.into_iter().enumerate() {
        assert_eq!(h.join().unwrap(), Outcome::Value(json!(n * 2)));
    }
}

#[test]
fn cost_of_a_trivial_evaluation() {
    let expr = Expression::parse("$states.input.a + 1").unwrap();
    let mut env = SimpleEnv::with_input(json!({"a": 1}));
    let n = 2_000;
    let start = std::time::Instant::now();
    for _ in 0..n {
        expr.evaluate(&mut env).unwrap();
    }
    let each = start.elapsed() / n;
    println!("one evaluate of `$states.input.a + 1`: {each:?}");
    // Generous bound for unoptimised builds on a shared machine.
    assert!(each < std::time::Duration::from_millis(5), "{each:?}");
}
