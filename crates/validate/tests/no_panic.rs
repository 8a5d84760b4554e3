//! `validate` never panics, whatever the input: arbitrary JSON, and definition-shaped objects
//! built from the States Language's own field names and values.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((".{0,8}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

const NAMES: &[&str] = &["A", "B", "C", "Next", "States.ALL", "$", "$.a", "x.$"];
const FIELDS: &[&str] = &[
    "Type",
    "Next",
    "End",
    "Resource",
    "Choices",
    "Default",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "ProcessorConfig",
    "Mode",
    "Seconds",
    "SecondsPath",
    "Timestamp",
    "Retry",
    "Catch",
    "ErrorEquals",
    "Variable",
    "StringEquals",
    "NumericEqualsPath",
    "And",
    "Or",
    "Not",
    "Condition",
    "Parameters",
    "a.$",
    "ResultPath",
    "InputPath",
    "OutputPath",
    "Assign",
    "QueryLanguage",
    "Output",
    "Arguments",
    "Items",
    "ItemsPath",
    "ItemReader",
    "ItemBatcher",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "Error",
    "Cause",
    "ErrorPath",
    "StartAt",
    "States",
    "Comment",
];
const STRINGS: &[&str] = &[
    "Task",
    "Pass",
    "Choice",
    "Wait",
    "Succeed",
    "Fail",
    "Parallel",
    "Map",
    "A",
    "B",
    "C",
    "JSONata",
    "JSONPath",
    "$",
    "$.a",
    "$$.x",
    "$v.y",
    "States.Format('{}', $.a)",
    "{% 1 + %}",
    "{% $states.input %}",
    "States.ALL",
    "DISTRIBUTED",
    "INLINE",
    "2016-03-14T01:59:00Z",
    "arn:aws:states:::lambda:invoke",
    "bad$",
];

fn asl_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(STRINGS).prop_map(|s| json!(s)),
        prop::sample::select(NAMES).prop_map(|s| json!(s)),
        (-3i64..5).prop_map(|i| json!(i)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        Just(json!(1.5)),
    ]
}

fn asl_value() -> impl Strategy<Value = Value> {
    asl_leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(FIELDS).prop_map(str::to_string),
                        prop::sample::select(NAMES).prop_map(str::to_string)
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn definition_shaped() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec((prop::sample::select(NAMES), asl_value()), 0..5),
        prop::sample::select(NAMES),
        prop::option::of(prop::sample::select(&["JSONata", "JSONPath", "x"][..])),
    )
        .prop_map(|(states, start, ql)| {
            let mut m = Map::new();
            m.insert("StartAt".into(), json!(start));
            m.insert(
                "States".into(),
                Value::Object(
                    states
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                ),
            );
            if let Some(q) = ql {
                m.insert("QueryLanguage".into(), json!(q));
            }
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics(v in any_json()) {
        let faults = switchback_validate::validate(&v);
        let _ = switchback_validate::invalid_definition_message(&faults);
    }

    #[test]
    fn definition_shaped_never_panics(v in definition_shaped()) {
        let faults = switchback_validate::validate(&v);
        let _ = switchback_validate::invalid_definition_message(&faults);
    }
}
