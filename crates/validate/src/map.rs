//! Map: the item processor (`ItemProcessor`, or its deprecated form `Iterator`) is a nested
//! machine of its own scope; the rest are the item source (`ItemsPath` / `Items` /
//! `ItemReader`), the per-item input (`ItemSelector` / `Parameters`), batching, concurrency,
//! failure tolerance and result writing (the last ones for distributed mode).

use serde_json::{Map, Value};

use crate::ctx::{key, Ctx, Ql};
use crate::errors;
use crate::fields::{self, type_fault};
use crate::machine::{self, Scope};
use crate::paths::{self, Kind};
use crate::query;
use crate::state::St;

/// Maximum length of a distributed Map's `Label`.
const MAX_LABEL: usize = 40;

pub(crate) fn check(cx: &mut Ctx, st: &mut St<'_>) {
    let (obj, path, ql) = (st.obj, st.path, st.ql);
    match (obj.get("ItemProcessor"), obj.get("Iterator")) {
        (None, None) => cx.schema(path, "These fields are required: [ItemProcessor]"),
        (Some(_), Some(_)) => cx.schema(
            path,
            "Only one of these fields may be present: [ItemProcessor, Iterator]",
        ),
        _ => {}
    }
    for field in ["ItemProcessor", "Iterator"] {
        if let Some(p) = obj.get(field) {
            let pp = key(path, field);
            machine::validate_nested(cx, p, &pp, Scope::Processor);
            if let Some(cfg) = p.as_object().and_then(|m| m.get("ProcessorConfig")) {
                processor_config(cx, cfg, &key(&pp, "ProcessorConfig"));
            }
        }
    }

    fields::exclusive(cx, obj, path, &["ItemSelector", "Parameters"]);
    fields::exclusive(cx, obj, path, &["MaxConcurrency", "MaxConcurrencyPath"]);
    fields::exclusive(
        cx,
        obj,
        path,
        &["ToleratedFailureCount", "ToleratedFailureCountPath"],
    );
    fields::exclusive(
        cx,
        obj,
        path,
        &[
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        ],
    );
    fields::integer(cx, obj, path, "MaxConcurrency", 0, ql);
    fields::integer(cx, obj, path, "ToleratedFailureCount", 0, ql);
    fields::number(
        cx,
        obj,
        path,
        "ToleratedFailurePercentage",
        0.0,
        Some(100.0),
        ql,
    );
    fields::bounded_string(cx, obj, path, "Label", MAX_LABEL);

    match ql {
        Ql::JsonPath => {
            paths::path_field(cx, obj, path, "ItemsPath", Kind::Reference, false);
            for f in [
                "MaxConcurrencyPath",
                "ToleratedFailureCountPath",
                "ToleratedFailurePercentagePath",
            ] {
                paths::path_field(cx, obj, path, f, Kind::Reference, false);
            }
            paths::object_template(cx, obj, path, "ItemSelector");
        }
        Ql::Jsonata => {
            if let Some(items) = obj.get("Items") {
                if !(items.is_array() || fields::is_jsonata_string(items)) {
                    cx.schema(
                        &key(path, "Items"),
                        "The value for the field 'Items' must be an ARRAY or a JSONata expression",
                    );
                }
            }
        }
    }

    if let Some(r) = fields::object(cx, obj, path, "ItemReader") {
        let p = key(path, "ItemReader");
        fields::only(
            cx,
            r,
            &p,
            &["Resource", "ReaderConfig", "Parameters", "Arguments"],
        );
        fields::require(cx, r, &p, &["Resource"]);
        side_resource(cx, r, &p, ql);
        if let Some(c) = fields::object(cx, r, &p, "ReaderConfig") {
            fields::exclusive(
                cx,
                c,
                &key(&p, "ReaderConfig"),
                &["MaxItems", "MaxItemsPath"],
            );
        }
    }
    if let Some(w) = fields::object(cx, obj, path, "ResultWriter") {
        let p = key(path, "ResultWriter");
        fields::only(
            cx,
            w,
            &p,
            &["Resource", "Parameters", "Arguments", "WriterConfig"],
        );
        side_resource(cx, w, &p, ql);
        fields::object(cx, w, &p, "WriterConfig");
    }
    if let Some(b) = fields::object(cx, obj, path, "ItemBatcher") {
        item_batcher(cx, b, &key(path, "ItemBatcher"), ql);
    }
    errors::retry(cx, st);
    errors::catch(cx, st);
}

/// `Mode` INLINE or DISTRIBUTED; a distributed processor names its child executions' type.
fn processor_config(cx: &mut Ctx, v: &Value, path: &str) {
    let Value::Object(m) = v else {
        type_fault(cx, path, "ProcessorConfig", "OBJECT");
        return;
    };
    fields::only(cx, m, path, &["Mode", "ExecutionType"]);
    let mode = fields::one_of(cx, m, path, "Mode", &["INLINE", "DISTRIBUTED"]);
    fields::one_of(cx, m, path, "ExecutionType", &["STANDARD", "EXPRESS"]);
    if mode.as_deref() == Some("DISTRIBUTED") {
        fields::require(cx, m, path, &["ExecutionType"]);
    }
}

/// ItemReader / ResultWriter: a service `Resource` and its request, in the state's language.
fn side_resource(cx: &mut Ctx, m: &Map<String, Value>, path: &str, ql: Ql) {
    fields::string(cx, m, path, "Resource");
    for k in m.keys() {
        query::wrong_language(cx, path, k, ql);
    }
    // In JSONata states the generic walk of the state's fields already parsed the expressions.
    if ql == Ql::JsonPath {
        if let Some(p) = m.get("Parameters") {
            paths::template(cx, p, &key(path, "Parameters"));
        }
    }
}

/// ItemBatcher: item-count and byte-size limits, each static or a path, plus `BatchInput`.
fn item_batcher(cx: &mut Ctx, m: &Map<String, Value>, path: &str, ql: Ql) {
    fields::only(
        cx,
        m,
        path,
        &[
            "MaxItemsPerBatch",
            "MaxItemsPerBatchPath",
            "MaxInputBytesPerBatch",
            "MaxInputBytesPerBatchPath",
            "BatchInput",
        ],
    );
    fields::exclusive(cx, m, path, &["MaxItemsPerBatch", "MaxItemsPerBatchPath"]);
    fields::exclusive(
        cx,
        m,
        path,
        &["MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"],
    );
    fields::integer(cx, m, path, "MaxItemsPerBatch", 1, ql);
    fields::integer(cx, m, path, "MaxInputBytesPerBatch", 1, ql);
    match ql {
        Ql::JsonPath => {
            for f in ["MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"] {
                paths::path_field(cx, m, path, f, Kind::Reference, false);
            }
            if let Some(b) = m.get("BatchInput") {
                paths::template(cx, b, &key(path, "BatchInput"));
            }
        }
        Ql::Jsonata => {
            for f in ["MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"] {
                if m.contains_key(f) {
                    query::wrong_language(cx, path, f, ql);
                }
            }
        }
    }
}
