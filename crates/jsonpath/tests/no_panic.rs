//! Property tests: parsing never panics, and neither do selecting and writing.

use proptest::prelude::*;
use switchback_json::{json, Json};
use switchback_jsonpath::Path;

/// Strings built from the characters paths are made of, plus anything.
fn path_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("$".to_string()),
        Just("$$".to_string()),
        Just(".".to_string()),
        Just("..".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("*".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("?(".to_string()),
        Just(")".to_string()),
        Just("@".to_string()),
        Just(":".to_string()),
        Just(",".to_string()),
        Just("-".to_string()),
        Just(" ".to_string()),
        Just("==".to_string()),
        Just("<".to_string()),
        Just("!".to_string()),
        Just("&&".to_string()),
        Just("||".to_string()),
        Just("in".to_string()),
        Just("{".to_string()),
        "[0-9]{1,3}",
        "[a-zé_]{1,4}",
        "\\PC{0,3}",
    ];
    prop::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

/// Small JSON documents.
fn doc() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-5i64..5).prop_map(|n| json!(n)),
        "[a-c]{0,2}".prop_map(Json::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::from),
            prop::collection::vec(("[a-c]", inner), 0..4)
                .prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn parse_never_panics_on_anything(s in "\\PC*") {
        let _ = Path::parse(&s);
    }

    #[test]
    fn parse_select_write_never_panic(s in path_like(), d in doc()) {
        if let Ok(p) = Path::parse(&s) {
            let selected = p.select(&d);
            let _ = p.select_ref(&d);
            let _ = p.normalized();
            if !p.is_definite() {
                prop_assert!(matches!(selected, Ok(Json::Array(_))));
            }
            if let (Some(r), Ok(v)) = (p.select_ref(&d), &selected) {
                prop_assert_eq!(r, v);
            }
            let _ = p.write(d.clone(), json!(1));
        }
    }

    #[test]
    fn written_value_can_be_read_back(names in prop::collection::vec("[a-c]", 1..4), d in doc()) {
        let src = format!("$.{}", names.join("."));
        let p = Path::parse(&src).unwrap();
        if let Ok(out) = p.write(d, json!("written")) {
            prop_assert_eq!(p.select(&out).unwrap(), json!("written"));
        }
    }
}
