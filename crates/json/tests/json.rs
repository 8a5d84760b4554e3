//! The shared JSON value: sharing, copy-on-write, remembered sizes, text and conversions.

use switchback_json::{json, Json};

#[test]
fn a_clone_shares_and_a_change_copies_only_the_changed_value() {
    let original = json!({"big": {"records": [1, 2, 3]}, "n": 1});
    let mut copy = original.clone();
    assert!(copy.ptr_eq(&original));
    copy.as_object_mut()
        .unwrap()
        .insert("n".into(), Json::from(2));
    assert_eq!(original["n"], json!(1));
    assert_eq!(copy["n"], json!(2));
    assert!(
        copy["big"].ptr_eq(&original["big"]),
        "the untouched part stays shared"
    );
}

#[test]
fn sizes_match_the_serialised_length_and_follow_changes() {
    for v in [
        json!(null),
        json!({"a": [1, -20, 3.5, true, false, null], "b\"c": "x\ny\u{1}é"}),
        json!([]),
        json!({}),
        json!(u64::MAX),
        json!(i64::MIN),
        json!([0.1, 1e300, -2.5e-7, 1.0, -0.0, 123456.789]),
        json!([[[{"deep": ["\u{7f}", "😀", "\\"]}]]]),
    ] {
        assert_eq!(v.size(), v.to_string().len(), "{v}");
        assert_eq!(
            v.size(),
            serde_json::to_string(&v.to_serde()).unwrap().len()
        );
    }
    let mut v = json!({"a": {"b": [1, 2]}});
    assert_eq!(v.size(), v.to_string().len());
    v.as_object_mut().unwrap()["a"]
        .as_object_mut()
        .unwrap()
        .insert("c".into(), json!("more text"));
    assert_eq!(v.size(), v.to_string().len(), "a change forgets the size");
}

#[test]
fn strings_of_every_kind_match_their_serialised_length() {
    let specials = [
        "\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{1}", "\u{1f}", "\u{7f}", "é", "€",
        "😀", " ", "~",
    ];
    for special in specials {
        for before in 0..17 {
            for after in [0, 1, 7, 8, 9] {
                let text = format!("{}{special}{}", "a".repeat(before), "b".repeat(after));
                let v = Json::from(text.as_str());
                assert_eq!(v.size(), v.to_string().len(), "{text:?}");
            }
        }
    }
}

#[test]
fn counting_stops_past_the_limit() {
    assert_eq!(json!("abcdef").size_within(3), None);
    assert_eq!(json!(["abcdef", "ghi"]).size_within(10), None);
    assert_eq!(json!(["abcdef", "ghi"]).size_within(100), Some(16));
}

#[test]
fn text_round_trips_in_key_order_as_serde_json_writes_it() {
    let text = r#"{"z":1,"a":[true,null,{"k":"v\"q"}],"m":-2.5,"big":18446744073709551615}"#;
    let v = Json::parse(text).unwrap();
    assert_eq!(v.to_string(), text);
    let serde: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(v, serde);
    assert_eq!(Json::from(serde.clone()), v);
    assert_eq!(v.to_serde(), serde);
    assert_eq!(
        format!("{v:#}"),
        serde_json::to_string_pretty(&serde).unwrap()
    );
}

#[test]
fn objects_compare_as_maps_and_indexing_reads_null_when_missing() {
    assert_eq!(json!({"a": 1, "b": 2}), json!({"b": 2, "a": 1}));
    assert_ne!(json!({"a": 1}), json!({"a": 1, "b": 2}));
    let v = json!({"a": [10, 20]});
    assert_eq!(v["a"][1], json!(20));
    assert!(v["missing"]["deeper"].is_null());
    assert_eq!(v.get("a").and_then(|a| a.get(0)), Some(&json!(10)));
    assert_eq!(v.get("missing"), None);
}

#[test]
fn malformed_text_is_an_error_not_a_panic() {
    for text in ["{", "[1,", "{\"a\" 1}", "nul", "\"\\x\""] {
        assert!(Json::parse(text).is_err(), "{text}");
    }
}

#[test]
fn parsed_objects_keep_serde_jsons_member_order_and_duplicate_rule() {
    for text in [
        r#"{"a":1,"b":2,"a":3}"#,
        r#"{"z":{"y":[1,{"x":null,"w":"v","x":true}]},"k":{}}"#,
        r#"{"m0":0,"m1":1,"m2":2,"m3":3,"m4":4,"m5":5,"m6":6,"m7":7,"m8":8,"m9":9,"m1":"again"}"#,
        r#"{"\u0041":1,"A":2,"long key past the cached length of thirty-two bytes":3}"#,
    ] {
        let ours = Json::parse(text).expect("parses");
        let theirs: serde_json::Value = serde_json::from_str(text).expect("parses");
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap(),
            "{text}"
        );
        assert_eq!(ours.size(), serde_json::to_string(&theirs).unwrap().len());
    }
}

#[test]
fn string_lengths_match_serde_json_for_every_ascii_byte_anywhere() {
    // Each ASCII character at each place of strings of up to 17 bytes: inside the eight-byte
    // words and in the bytes after them, which are counted one by one.
    for byte in 0u8..0x80 {
        let c = char::from(byte);
        for len in 1..18 {
            for at in 0..len {
                let text: String = (0..len).map(|i| if i == at { c } else { 'x' }).collect();
                let expected = serde_json::to_string(&text)
                    .expect("a string serialises")
                    .len();
                assert_eq!(switchback_json::string_len(&text), expected, "{text:?}");
            }
        }
    }
}
