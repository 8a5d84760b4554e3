//! Wait: exactly one of `Seconds`, `SecondsPath`, `Timestamp`, `TimestampPath`.

use crate::ctx::{key, Ctx, Ql};
use crate::fields::{self, type_fault};
use crate::paths::{self, Kind};
use crate::state::St;
use crate::timestamp::is_asl_timestamp;

const WAYS: &[&str] = &["Seconds", "SecondsPath", "Timestamp", "TimestampPath"];

pub(crate) fn check(cx: &mut Ctx, st: &mut St<'_>) {
    let (obj, path, ql) = (st.obj, st.path, st.ql);
    let present = WAYS.iter().filter(|w| obj.contains_key(**w)).count();
    if present == 0 {
        cx.schema(
            path,
            "One of these fields is required: [Seconds, SecondsPath, Timestamp, TimestampPath]",
        );
    }
    fields::exclusive(cx, obj, path, WAYS);
    fields::integer(cx, obj, path, "Seconds", 0, ql);
    if let Some(v) = obj.get("Timestamp") {
        let p = key(path, "Timestamp");
        match v.as_str() {
            Some(_) if ql == Ql::Jsonata && fields::is_jsonata_string(v) => {}
            Some(s) if is_asl_timestamp(s) => {}
            Some(_) => cx.schema(
                &p,
                "The value for the field 'Timestamp' must be a valid ISO-8601 timestamp",
            ),
            None => type_fault(cx, &p, "Timestamp", "STRING"),
        }
    }
    if ql == Ql::JsonPath {
        paths::path_field(cx, obj, path, "SecondsPath", Kind::Reference, false);
        paths::path_field(cx, obj, path, "TimestampPath", Kind::Reference, false);
    }
}
