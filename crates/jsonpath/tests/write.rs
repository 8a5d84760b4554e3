//! ResultPath writes.

use switchback_json::{json, Json};
use switchback_jsonpath::{Path, WriteError};

fn write(src: &str, target: Json, value: Json) -> Result<Json, WriteError> {
    Path::parse(src).unwrap().write(target, value)
}

#[test]
fn root_replaces_everything() {
    assert_eq!(write("$", json!({"a": 1}), json!("x")).unwrap(), json!("x"));
}

#[test]
fn sets_and_creates_objects() {
    let input = json!({"comment": "This is a test"});
    assert_eq!(
        write("$.taskresult", input, json!("Hello")).unwrap(),
        json!({"comment": "This is a test", "taskresult": "Hello"})
    );
    assert_eq!(
        write("$.a.b.c", json!({"x": 1}), json!(2)).unwrap(),
        json!({"x": 1, "a": {"b": {"c": 2}}})
    );
    assert_eq!(
        write("$.a.b", json!({"a": {"b": 1, "z": 0}}), json!([1])).unwrap(),
        json!({"a": {"b": [1], "z": 0}})
    );
    assert_eq!(
        write("$['b c']", json!({}), json!(null)).unwrap(),
        json!({"b c": null})
    );
}

#[test]
fn keeps_member_order_when_replacing() {
    let out = write("$.a", json!({"a": 1, "b": 2}), json!(3)).unwrap();
    assert_eq!(serde_json::to_string(&out).unwrap(), r#"{"a":3,"b":2}"#);
}

#[test]
fn non_object_intermediates_fail() {
    assert_eq!(
        write("$.a.b", json!({"a": "str"}), json!(1)),
        Err(WriteError::MissingProperty {
            normalized: "$['a']['b']".into()
        })
    );
    assert_eq!(
        write("$.a.b.c", json!({"a": {"b": 5}}), json!(1)),
        Err(WriteError::MissingProperty {
            normalized: "$['a']['b']['c']".into()
        })
    );
    assert!(write("$.a", json!("input is a string"), json!(1)).is_err());
    assert!(write("$.a", json!(null), json!(1)).is_err());
    assert!(write("$.a.b", json!({"a": null}), json!(1)).is_err());
}

#[test]
fn indexes_replace_existing_elements() {
    assert_eq!(
        write("$.a[1]", json!({"a": [1, 2, 3]}), json!("x")).unwrap(),
        json!({"a": [1, "x", 3]})
    );
    assert_eq!(
        write("$.a[-1].b", json!({"a": [{}, {"b": 0}]}), json!(1)).unwrap(),
        json!({"a": [{}, {"b": 1}]})
    );
    assert_eq!(
        write("$.a[0].n.m", json!({"a": [{}]}), json!(1)).unwrap(),
        json!({"a": [{"n": {"m": 1}}]})
    );
    assert_eq!(
        write("$.a[3]", json!({"a": [1]}), json!(1)),
        Err(WriteError::MissingProperty {
            normalized: "$['a'][3]".into()
        })
    );
    // A missing array cannot be created.
    assert!(write("$.a[0]", json!({}), json!(1)).is_err());
    assert!(write("$.a.b[0]", json!({}), json!(1)).is_err());
}

#[test]
fn failed_write_in_place_leaves_target_unchanged() {
    let mut target = json!({"a": {"x": 1}});
    let p = Path::parse("$.a.new.deeper[0]").unwrap();
    assert!(p.write_in_place(&mut target, json!(1)).is_err());
    assert_eq!(target, json!({"a": {"x": 1}}));
}

#[test]
fn not_writable() {
    for src in [
        "$$.Execution",
        "$var.a",
        "$var",
        "$..a",
        "$.a[*]",
        "$.a[0,1]",
        "$['a','b']",
        "$[?(@.a)]",
        "$.a[1:]",
    ] {
        assert_eq!(
            write(src, json!({}), json!(1)),
            Err(WriteError::NotWritable),
            "{src}"
        );
    }
}
