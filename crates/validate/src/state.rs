//! What every state shares: `Type`, the fields allowed for its type and language, `Next`/`End`,
//! the input/output fields, `Assign`; then the per-type checks.

use serde_json::{Map, Value};

use crate::ctx::{key, Ctx, Ql};
use crate::machine::Edge;
use crate::paths::{self, Kind};
use crate::{assign, choice, fields, map, parallel, query, task, terminal, wait};

/// The state types AWS knows, in the order its message lists them.
const TYPES: &[&str] = &[
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// What the scope needs to know about a state after checking it.
#[derive(Default)]
pub(crate) struct Outcome {
    pub edges: Vec<Edge>,
    /// The state can end its machine (`End: true`, Succeed, Fail).
    pub terminal: bool,
}

/// One state being checked.
pub(crate) struct St<'a> {
    pub obj: &'a Map<String, Value>,
    pub path: &'a str,
    pub ql: Ql,
    pub out: Outcome,
}

impl St<'_> {
    /// Records a transition written at `obj[field]` of `at` (if it is a string).
    pub(crate) fn edge(&mut self, cx: &mut Ctx, obj: &Map<String, Value>, at: &str, field: &str) {
        if let Some(t) = fields::string(cx, obj, at, field) {
            self.out.edges.push(Edge {
                target: t.to_string(),
                path: key(at, field),
            });
        }
    }
}

/// Fields of each type, beyond Type, Comment and QueryLanguage. Both languages' fields are
/// listed; [`query::wrong_language`] refuses the other language's ones.
fn type_fields(ty: &str) -> &'static [&'static str] {
    match ty {
        "Task" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Resource",
            "Parameters",
            "Arguments",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
        ],
        "Pass" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Result",
            "Parameters",
            "ResultPath",
        ],
        "Choice" => &[
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Choices",
            "Default",
        ],
        "Wait" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Seconds",
            "SecondsPath",
            "Timestamp",
            "TimestampPath",
        ],
        "Succeed" => &["InputPath", "OutputPath", "Output"],
        "Fail" => &["Error", "ErrorPath", "Cause", "CausePath"],
        "Parallel" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Branches",
            "Parameters",
            "Arguments",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
        ],
        "Map" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "Parameters",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "Label",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
        ],
        _ => &[],
    }
}

/// Fields whose values are not expressions or are checked by their own module, so the generic
/// JSONata walk leaves them alone.
const NOT_EXPRESSIONS: &[&str] = &[
    "Type",
    "Comment",
    "QueryLanguage",
    "Next",
    "End",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "Choices",
    "Default",
    "Catch",
    "Retry",
    "Resource",
    "Assign",
    "Label",
];

/// Checks one state at `path`.
pub(crate) fn validate(cx: &mut Ctx, v: &Value, path: &str) -> Outcome {
    let Value::Object(obj) = v else {
        cx.schema(path, "The value for a state must be an OBJECT");
        return Outcome {
            terminal: true,
            ..Outcome::default()
        };
    };
    let ql = query::state_language(cx, obj, path);
    let mut st = St {
        obj,
        path,
        ql,
        out: Outcome::default(),
    };
    let ty = match obj.get("Type") {
        None => {
            cx.schema(path, "These fields are required: [Type]");
            None
        }
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) => Some(t.as_str()),
        Some(_) => {
            cx.schema(
                &key(path, "Type"),
                format!(
                    "The field 'Type' should have one of these values: [{}]",
                    TYPES.join(", ")
                ),
            );
            None
        }
    };
    let Some(ty) = ty else {
        // Without a type nothing else can be judged; keep its transitions so that the states it
        // leads to are not also reported as unreachable, and do not claim a missing end.
        if obj.get("Next").is_some_and(Value::is_string) {
            st.edge(cx, obj, path, "Next");
        }
        st.out.terminal = true;
        return st.out;
    };

    let allowed = type_fields(ty);
    for k in obj.keys() {
        if matches!(k.as_str(), "Type" | "Comment" | "QueryLanguage") {
            continue;
        }
        if !allowed.contains(&k.as_str()) {
            cx.schema(path, format!("Field '{k}' is not supported"));
        } else {
            query::wrong_language(cx, path, k, ql);
        }
    }
    fields::string(cx, obj, path, "Comment");

    if allowed.contains(&"Next") {
        flow(cx, &mut st);
    }
    io(cx, &mut st);
    if let Some(a) = obj.get("Assign") {
        if allowed.contains(&"Assign") {
            assign::check(cx, a, &key(path, "Assign"), ql);
        }
    }

    match ty {
        "Task" => task::check(cx, &mut st),
        "Pass" => {}
        "Choice" => choice::check(cx, &mut st),
        "Wait" => wait::check(cx, &mut st),
        "Succeed" => st.out.terminal = true,
        "Fail" => terminal::check_fail(cx, &mut st),
        "Parallel" => parallel::check(cx, &mut st),
        "Map" => map::check(cx, &mut st),
        _ => {}
    }
    st.out
}

/// Exactly one of `Next` or `End: true`, for the types that continue.
fn flow(cx: &mut Ctx, st: &mut St<'_>) {
    let (obj, path) = (st.obj, st.path);
    let end = match obj.get("End") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            fields::type_fault(cx, &key(path, "End"), "End", "BOOLEAN");
            true
        }
    };
    let next = obj.contains_key("Next");
    match (next, end) {
        (true, true) => cx.schema(path, "Only one of 'Next' or 'End' may be present"),
        (false, false) => cx.schema(path, "One of 'Next' or 'End: true' is required"),
        _ => {}
    }
    if next {
        st.edge(cx, obj, path, "Next");
    }
    if end {
        st.out.terminal = true;
    }
}

/// The input/output fields every type but Fail has, per language.
fn io(cx: &mut Ctx, st: &mut St<'_>) {
    let (obj, path) = (st.obj, st.path);
    match st.ql {
        Ql::JsonPath => {
            paths::path_field(cx, obj, path, "InputPath", Kind::Any, true);
            paths::path_field(cx, obj, path, "OutputPath", Kind::Any, true);
            paths::path_field(cx, obj, path, "ResultPath", Kind::Result, true);
            if let Some(p) = obj.get("Parameters") {
                paths::template(cx, p, &key(path, "Parameters"));
            }
            paths::object_template(cx, obj, path, "ResultSelector");
        }
        Ql::Jsonata => {
            for (k, v) in obj {
                if !NOT_EXPRESSIONS.contains(&k.as_str()) {
                    query::expressions(cx, v, &key(path, k));
                }
            }
        }
    }
}
