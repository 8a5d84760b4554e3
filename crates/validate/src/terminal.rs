//! Fail: `Error`/`ErrorPath` and `Cause`/`CausePath`, each pair mutually exclusive. (Succeed has
//! nothing of its own beyond the shared input/output fields.)

use crate::ctx::{Ctx, Ql};
use crate::fields;
use crate::paths::{self, Kind};
use crate::state::St;

pub(crate) fn check_fail(cx: &mut Ctx, st: &mut St<'_>) {
    let (obj, path) = (st.obj, st.path);
    st.out.terminal = true;
    fields::exclusive(cx, obj, path, &["Error", "ErrorPath"]);
    fields::exclusive(cx, obj, path, &["Cause", "CausePath"]);
    fields::string(cx, obj, path, "Error");
    fields::string(cx, obj, path, "Cause");
    if st.ql == Ql::JsonPath {
        paths::path_field(
            cx,
            obj,
            path,
            "ErrorPath",
            Kind::ReferenceOrIntrinsic,
            false,
        );
        paths::path_field(
            cx,
            obj,
            path,
            "CausePath",
            Kind::ReferenceOrIntrinsic,
            false,
        );
    }
}
