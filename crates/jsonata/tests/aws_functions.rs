//! AWS's extra JSONata functions: `$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`,
//! checked against recorded AWS executions where there are some
//! (shared/conformance/cases/intrinsic_functions/*jsonata*, and the `States.Hash` /
//! `States.StringToJson` cases for the digests and parsing the JSONata functions stand in for).

mod common;

use common::{eval, eval_in, value};
use switchback_json::{json, Json};
use switchback_jsonata::{Outcome, SimpleEnv};

#[test]
fn partition_matches_recorded_cases() {
    // test_array_jsonata.test_array_partition__0..19
    let cases: &[(Json, i64, Json)] = &[
        (json!([0]), 1, json!([[0]])),
        (json!([0]), 2, json!([[0]])),
        (json!([0]), 5, json!([[0]])),
        (json!([0, 1]), 1, json!([[0], [1]])),
        (json!([0, 1]), 2, json!([[0, 1]])),
        (json!([0, 1]), 5, json!([[0, 1]])),
        (json!([0, 1, 2]), 1, json!([[0], [1], [2]])),
        (json!([0, 1, 2]), 2, json!([[0, 1], [2]])),
        (json!([0, 1, 2]), 3, json!([[0, 1, 2]])),
        (json!([0, 1, 2]), 4, json!([[0, 1, 2]])),
        (json!([0, 1, 2, 3]), 1, json!([[0], [1], [2], [3]])),
        (json!([0, 1, 2, 3]), 2, json!([[0, 1], [2, 3]])),
        (json!([0, 1, 2, 3]), 3, json!([[0, 1, 2], [3]])),
        (json!([0, 1, 2, 3]), 4, json!([[0, 1, 2, 3]])),
        (json!([0, 1, 2, 3]), 5, json!([[0, 1, 2, 3]])),
    ];
    for (fst, snd, expected) in cases {
        let input = json!({"FunctionInput": {"fst": fst, "snd": snd}});
        let src = "$partition($states.input.FunctionInput.fst, $states.input.FunctionInput.snd)";
        assert_eq!(&value(input, src), expected, "{fst} / {snd}");
    }
}

#[test]
fn partition_rejects_bad_sizes() {
    assert!(eval(json!({}), "$partition([1,2], 0)").is_err());
    assert!(eval(json!({}), "$partition([1,2], 1.5)").is_err());
    assert!(eval(json!({}), "$partition([1,2], 'a')").is_err());
    assert_eq!(
        eval(json!({}), "$partition($states.input.nope, 2)"),
        Ok(Outcome::Undefined)
    );
}

#[test]
fn range_matches_recorded_cases() {
    // test_array_jsonata.test_array_range__0..3: a one-item result is the bare item.
    let cases: &[(i64, i64, i64, Json)] = &[
        (0, 9, 3, json!([0, 3, 6, 9])),
        (0, 10, 3, json!([0, 3, 6, 9])),
        (1, 9, 9, json!(1)),
        (1, 9, 2, json!([1, 3, 5, 7, 9])),
    ];
    for (a, b, c, expected) in cases {
        let input = json!({"FunctionInput": {"fst": a, "snd": b, "trd": c}});
        let src = "$range($states.input.FunctionInput.fst, $states.input.FunctionInput.snd, $states.input.FunctionInput.trd)";
        assert_eq!(&value(input, src), expected, "{a} {b} {c}");
    }
}

#[test]
fn range_other_shapes() {
    assert_eq!(
        value(json!({}), "$range(0, 10, 2)"),
        json!([0, 2, 4, 6, 8, 10])
    );
    assert_eq!(value(json!({}), "$range(10, 0, -5)"), json!([10, 5, 0]));
    assert_eq!(value(json!({}), "$range(0, 1, 0.5)"), json!([0, 0.5, 1]));
    assert_eq!(value(json!({}), "[$range(5, 0, 1)]"), json!([]));
    assert!(eval(json!({}), "$range(0, 10, 0)").is_err());
    assert!(eval(json!({}), "$range(0, 1e12, 1)").is_err());
}

#[test]
fn hash_matches_recorded_digests() {
    // test_hash__0..4 (States.Hash of "input data"; $hash is its JSONata counterpart).
    let cases = [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
        ("SHA-384", "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"),
        ("SHA-512", "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"),
    ];
    for (alg, digest) in cases {
        let input = json!({"FunctionInput": {"fst": "input data", "snd": alg}});
        let src = "$hash($states.input.FunctionInput.fst, $states.input.FunctionInput.snd)";
        assert_eq!(value(input, src), json!(digest), "{alg}");
    }
    assert!(eval(json!({}), "$hash('x', 'SHA-3')").is_err());
    assert!(eval(json!({}), "$hash(1, 'MD5')").is_err());
}

#[test]
fn random_is_in_range_and_seeded_is_deterministic() {
    let mut env = SimpleEnv::with_input(json!({}));
    for _ in 0..100 {
        let Ok(Outcome::Value(Json::Number(n))) = eval_in(&mut env, "$random()") else {
            panic!("not a number")
        };
        let n = n.as_f64().unwrap();
        assert!((0.0..1.0).contains(&n));
    }
    let a = value(json!({}), "$random(42)");
    let b = value(json!({"x": 1}), "$random(42)");
    assert_eq!(a, b);
    assert_ne!(
        value(json!({}), "$random(42)"),
        value(json!({}), "$random(43)")
    );
    // Two unseeded draws in one evaluation differ.
    let pair = value(json!({}), "[$random(), $random()]");
    assert_ne!(pair[0], pair[1]);
    // The draws come from the engine: a different seed, a different value.
    let mut e1 = SimpleEnv::with_input(json!({}));
    let mut e2 = SimpleEnv::with_input(json!({}));
    e2.seed = 99;
    assert_ne!(eval_in(&mut e1, "$random()"), eval_in(&mut e2, "$random()"));
}

#[test]
fn random_seeded_is_not_a_function() {
    // test_math_operations_jsonata.test_math_random_seeded__0
    let err = eval(
        json!({"FunctionInput": "fst"}),
        "$randomSeeded($states.input.FunctionInput.fst)",
    )
    .unwrap_err();
    assert_eq!(err, "T1006: Attempted to invoke a non-function");
}

#[test]
fn uuid_is_v4() {
    let mut env = SimpleEnv::with_input(json!({}));
    let mut seen = std::collections::HashSet::new();
    for _ in 0..50 {
        let Ok(Outcome::Value(Json::String(u))) = eval_in(&mut env, "$uuid()") else {
            panic!("not a string")
        };
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12],
            "{u}"
        );
        assert!(u
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert!(parts[2].starts_with('4'), "{u}");
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "{u}");
        assert!(seen.insert(u));
    }
}

#[test]
fn parse_matches_string_to_json_cases() {
    // test_string_to_json__0..9 (States.StringToJson; $parse is its JSONata counterpart).
    let cases: &[(&str, Json)] = &[
        ("", json!(null)),
        (" ", json!(null)),
        ("null", json!(null)),
        ("-0", json!(0)),
        ("1", json!(1)),
        ("1.1", json!(1.1)),
        ("true", json!(true)),
        ("\"HelloWorld\"", json!("HelloWorld")),
        ("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"])),
        (
            "{\"Arg1\": 1, \"Arg2\": []}",
            json!({"Arg1": 1, "Arg2": []}),
        ),
    ];
    for (text, expected) in cases {
        let got = value(
            json!({"FunctionInput": text}),
            "$parse($states.input.FunctionInput)",
        );
        assert_eq!(&got, expected, "{text:?}");
    }
    assert!(eval(json!({"s": "{"}), "$parse($states.input.s)").is_err());
    assert_eq!(
        value(
            json!({"s": "{\"a\":{\"b\":[1,2]}}"}),
            "$parse($states.input.s).a.b[1]"
        ),
        json!(2)
    );
}

#[test]
fn eval_is_not_offered() {
    assert_eq!(
        eval(json!({}), "$eval('1 + 1')").unwrap_err(),
        "T1006: Attempted to invoke a non-function"
    );
}
