//! Behaviour of each intrinsic function, through the public API.

use switchback_intrinsics::{parse, Env, EvalError};
use switchback_json::{json, Json};

/// Resolves `$.key` against a JSON object; fixed "random" bits.
struct TestEnv {
    input: Json,
    random: u64,
}

impl Env for TestEnv {
    fn resolve_path(&mut self, path: &str) -> Result<Json, EvalError> {
        let key = path.strip_prefix("$.").unwrap_or("");
        self.input.get(key).cloned().ok_or_else(|| EvalError {
            error: "States.Runtime".into(),
            cause: format!("The JsonPath argument for the field '{path}' could not be found"),
        })
    }
    fn random_u64(&mut self) -> u64 {
        self.random = self.random.wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.random
    }
}

fn eval_with(src: &str, input: Json) -> Result<Json, EvalError> {
    let mut env = TestEnv { input, random: 0 };
    parse(src).expect("parses").eval(&mut env)
}

fn ok(src: &str) -> Json {
    eval_with(src, json!({})).unwrap_or_else(|e| panic!("{src}: {e}"))
}

/// Asserts the AWS failure shape for invalid arguments.
fn invalid(src: &str) {
    let name = &src[..src.find('(').unwrap()];
    let err = eval_with(src, json!({})).expect_err(src);
    assert_eq!(err.error, "States.Runtime", "{src}");
    assert_eq!(err.cause, format!("Invalid arguments in {name}"), "{src}");
}

#[test]
fn format_renders_like_aws() {
    assert_eq!(ok("States.Format('Hello, {}', 'you')"), json!("Hello, you"));
    assert_eq!(
        ok("States.Format('{}|{}|{}|{}', null, true, -1, 3.5)"),
        json!("null|true|-1|3.5")
    );
    assert_eq!(
        ok("States.Format('no placeholders')"),
        json!("no placeholders")
    );
    let input = json!({"o": {"Arg1": 1, "Arg2": [], "s": "x", "n": {"a": [1, "b"]}}});
    assert_eq!(
        eval_with("States.Format('{}', $.o)", input).unwrap(),
        json!("{Arg1=1, Arg2=[], s=x, n={a=[1, b]}}")
    );
    assert_eq!(ok(r"States.Format('it\'s {}', 'ok')"), json!("it's ok"));
}

#[test]
fn format_rejects_mismatch_and_stray_braces() {
    invalid("States.Format('{} {}', 'a')");
    invalid("States.Format('{}', 'a', 'b')");
    invalid("States.Format('Hello {', 'a')");
    invalid("States.Format('}')");
    invalid("States.Format('Hello {{}}', 'a')");
    invalid("States.Format(1)");
    invalid("States.Format()");
}

#[test]
fn json_functions() {
    assert_eq!(
        ok("States.StringToJson('{\"a\": [1, 2.5, \"x\"]}')"),
        json!({"a": [1, 2.5, "x"]})
    );
    assert_eq!(ok("States.StringToJson('')"), Json::Null);
    assert_eq!(ok("States.StringToJson('  ')"), Json::Null);
    assert_eq!(ok("States.StringToJson('-0')"), json!(0));
    assert_eq!(ok("States.StringToJson(' true ')"), json!(true));
    invalid("States.StringToJson('{bad json}')");
    invalid("States.StringToJson('undefined')");
    invalid("States.StringToJson(123)");
    invalid("States.StringToJson('1', '2')");
    assert_eq!(
        eval_with(
            "States.JsonToString($.o)",
            json!({"o": {"b": 1, "a": [true, null, "s"]}})
        )
        .unwrap(),
        json!("{\"b\":1,\"a\":[true,null,\"s\"]}")
    );
    assert_eq!(ok("States.JsonToString('x')"), json!("\"x\""));
}

#[test]
fn json_merge_is_shallow_only() {
    let input = json!({"a": {"x": {"k": 1}, "y": 2}, "b": {"x": {"j": 2}, "z": 3}});
    assert_eq!(
        eval_with("States.JsonMerge($.a, $.b, false)", input.clone()).unwrap(),
        json!({"x": {"j": 2}, "y": 2, "z": 3})
    );
    let err = eval_with("States.JsonMerge($.a, $.b, true)", input).unwrap_err();
    assert_eq!(err.cause, "Invalid arguments in States.JsonMerge");
    invalid("States.JsonMerge(States.Array(), States.StringToJson('{}'), false)");
    invalid("States.JsonMerge(States.StringToJson('{}'), States.StringToJson('{}'))");
}

#[test]
fn array_functions() {
    assert_eq!(ok("States.Array()"), json!([]));
    assert_eq!(
        ok("States.Array(1, 'a', null, States.Array(true))"),
        json!([1, "a", null, [true]])
    );
    assert_eq!(
        ok("States.ArrayPartition(States.Array(1,2,3,4,5), 2)"),
        json!([[1, 2], [3, 4], [5]])
    );
    assert_eq!(
        ok("States.ArrayPartition(States.Array(1,2,3,4,5), 2.6)"),
        json!([[1, 2], [3, 4], [5]])
    );
    assert_eq!(ok("States.ArrayPartition(States.Array(), 3)"), json!([]));
    invalid("States.ArrayPartition(States.Array(1), 0.6)");
    invalid("States.ArrayPartition(States.Array(1), -1)");
    invalid("States.ArrayPartition('x', 2)");
    invalid("States.ArrayPartition(States.Array(1), '2')");
    assert_eq!(
        ok("States.ArrayContains(States.Array(States.Array(1), 2), States.Array(1))"),
        json!(true)
    );
    assert_eq!(
        ok("States.ArrayContains(States.Array(1, 2), 3)"),
        json!(false)
    );
    invalid("States.ArrayContains('abc', 'a')");
}

#[test]
fn array_range() {
    assert_eq!(ok("States.ArrayRange(1, 9, 2)"), json!([1, 3, 5, 7, 9]));
    assert_eq!(ok("States.ArrayRange(0, 10, 3)"), json!([0, 3, 6, 9]));
    assert_eq!(ok("States.ArrayRange(5, 1, -2)"), json!([5, 3, 1]));
    assert_eq!(ok("States.ArrayRange(5, 1, 1)"), json!([]));
    assert_eq!(ok("States.ArrayRange(3, 3, -1)"), json!([3]));
    assert_eq!(ok("States.ArrayRange(1.6, 1.4, 1)"), json!([1]));
    assert_eq!(
        ok("States.ArrayLength(States.ArrayRange(1, 1000, 1))"),
        json!(1000)
    );
    invalid("States.ArrayRange(1, 1001, 1)");
    invalid("States.ArrayRange(1, 10, 0.49)");
    invalid("States.ArrayRange('a', 5, 1)");
    invalid("States.ArrayRange(1, 5)");
}

#[test]
fn array_get_item_length_unique() {
    assert_eq!(
        ok("States.ArrayGetItem(States.Array('x', 'y'), 1)"),
        json!("y")
    );
    assert_eq!(
        ok("States.ArrayGetItem(States.Array(10, 20, 30), 1.2)"),
        json!(20)
    );
    assert_eq!(ok("States.ArrayGetItem(States.Array(), 999)"), Json::Null);
    invalid("States.ArrayGetItem(States.Array(1, 2, 3), 3)");
    invalid("States.ArrayGetItem(States.Array(1, 2, 3), -1)");
    invalid("States.ArrayGetItem(States.Array(1), '0')");
    invalid("States.ArrayGetItem('abc', 0)");
    assert_eq!(ok("States.ArrayLength(States.Array(1, 2, 3))"), json!(3));
    invalid("States.ArrayLength('abc')");
    let input =
        json!({"a": [1, 1, 1.0, "1", null, null, {"a": 1, "b": 2}, {"b": 2, "a": 1}, [1], [1]]});
    assert_eq!(
        eval_with("States.ArrayUnique($.a)", input).unwrap(),
        json!([1, 1.0, "1", null, {"a": 1, "b": 2}, [1]])
    );
}

#[test]
fn base64_and_hash() {
    assert_eq!(
        ok("States.Base64Encode('Data to encode')"),
        json!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(ok("States.Base64Encode('')"), json!(""));
    assert_eq!(
        ok("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"),
        json!("Data to encode")
    );
    assert_eq!(ok("States.Base64Decode(' YWJjZA== ')"), json!("abcd"));
    assert_eq!(ok("States.Base64Decode('4pyT')"), json!("✓"));
    invalid("States.Base64Decode(123)");
    let long = json!({"s": "a".repeat(10_001)});
    assert!(eval_with("States.Base64Encode($.s)", long.clone()).is_err());
    assert!(eval_with("States.Hash($.s, 'SHA-256')", long).is_err());
    assert_eq!(
        ok("States.Hash('hello', 'MD5')"),
        json!("5d41402abc4b2a76b9719d911017c592")
    );
    assert_eq!(
        ok("States.Hash('hello', 'SHA-1')"),
        json!("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")
    );
    assert_eq!(
        ok("States.Hash('', 'SHA-256')"),
        json!("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    invalid("States.Hash('data', 'sha-256')");
    invalid("States.Hash('data', 'SHA256')");
    invalid("States.Hash('data', 1)");
    invalid("States.Hash('data')");
}

#[test]
fn math_add_rounds_half_up_within_int32() {
    assert_eq!(ok("States.MathAdd(111, -1)"), json!(110));
    assert_eq!(ok("States.MathAdd(1.49, 1.5)"), json!(3));
    assert_eq!(ok("States.MathAdd(-1.5, 0)"), json!(-1));
    assert_eq!(ok("States.MathAdd(-2.5, 0)"), json!(-2));
    assert_eq!(ok("States.MathAdd(2147483646, 1)"), json!(2147483647));
    invalid("States.MathAdd(2147483647, 1)");
    invalid("States.MathAdd(3000000000, -1)");
    invalid("States.MathAdd('1', 2)");
    invalid("States.MathAdd(true, 2)");
    invalid("States.MathAdd(1)");
}

#[test]
fn math_random() {
    for _ in 0..3 {
        let v = ok("States.MathRandom(1, 999)").as_i64().unwrap();
        assert!((1..999).contains(&v));
    }
    // Seeded: new java.util.Random(42).nextInt(999) + 0, deterministic.
    assert_eq!(
        ok("States.MathRandom(0, 999, 42)"),
        ok("States.MathRandom(0, 999, 42)")
    );
    assert_eq!(ok("States.MathRandom(0, 100, 42)"), json!(30));
    assert_eq!(ok("States.MathRandom(1, 2)"), json!(1));
    invalid("States.MathRandom(1, 1)");
    invalid("States.MathRandom(10, 5)");
    invalid("States.MathRandom(1.4, 1.6)");
    invalid("States.MathRandom(1, 10, null)");
    invalid("States.MathRandom('a', 10)");
    invalid("States.MathRandom(1)");
}

#[test]
fn string_split_uses_each_delimiter_character() {
    assert_eq!(
        ok("States.StringSplit('This.is+a,test=string', '.+,=')"),
        json!(["This", "is", "a", "test", "string"])
    );
    assert_eq!(ok("States.StringSplit(', , ,', ',')"), json!([" ", " "]));
    assert_eq!(ok("States.StringSplit(',,,,', ',')"), json!([]));
    assert_eq!(ok("States.StringSplit('', ',')"), json!([]));
    assert_eq!(ok("States.StringSplit('abc', '')"), json!(["abc"]));
    invalid("States.StringSplit(123, ',')");
    invalid("States.StringSplit('a,b', null)");
}

#[test]
fn uuid_is_version_4() {
    let v = ok("States.UUID()");
    let s = v.as_str().unwrap();
    assert_eq!(s.len(), 36);
    let parts: Vec<_> = s.split('-').map(str::len).collect();
    assert_eq!(parts, vec![8, 4, 4, 4, 12]);
    assert_eq!(&s[14..15], "4");
    assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"));
    invalid("States.UUID(1)");
}

#[test]
fn path_errors_pass_through_unchanged() {
    let err = eval_with("States.Array(1, States.MathAdd($.missing, 1))", json!({})).unwrap_err();
    assert_eq!(err.error, "States.Runtime");
    assert_eq!(
        err.cause,
        "The JsonPath argument for the field '$.missing' could not be found"
    );
}
