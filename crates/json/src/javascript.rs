//! Whether a value's numbers are JavaScript's: what JSONata (whose numbers are doubles) gives
//! back unchanged.
//!
//! JSONata reads every number as a double and writes an integral double as an integer, so a
//! value that passes through it comes back with `1.0` as `1`, `-0.0` as `0` and integers past
//! 2^53 rounded. An engine that hands JSONata's path results over without converting them must
//! know whether that would change anything; the answer is remembered by each array and object
//! ([`crate::memo`]), so a large input is walked once, not at every expression that reads it.

use crate::{Json, Number};

impl Json {
    /// Whether every number in this value reads the same after a round trip through a double
    /// written as JavaScript writes it: an integer a double holds exactly, or a double that is
    /// not an integer (or too large for a 64-bit integer).
    pub fn numbers_are_javascript(&self) -> bool {
        match self {
            Json::Number(n) => is_javascript(n),
            Json::Array(items) => items.memo().javascript().unwrap_or_else(|| {
                let yes = items.iter().all(Json::numbers_are_javascript);
                items.memo().set_javascript(yes);
                yes
            }),
            Json::Object(members) => members.memo().javascript().unwrap_or_else(|| {
                let yes = members.values().all(Json::numbers_are_javascript);
                members.memo().set_javascript(yes);
                yes
            }),
            Json::Null | Json::Bool(_) | Json::String(_) => true,
        }
    }
}

/// 2^63 and 2^64, exactly.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// Whether `n` reads back the same through a double (an integral double within the 64-bit
/// integers is written as an integer).
fn is_javascript(n: &Number) -> bool {
    if let Some(i) = n.as_i64() {
        let f = i as f64;
        // Exact, and within the range where the double is written back as an i64.
        f < TWO_63 && f as i64 == i
    } else if let Some(u) = n.as_u64() {
        let f = u as f64;
        f < TWO_64 && f as u64 == u
    } else {
        let f = n.as_f64().unwrap_or(0.0);
        // An integral double in the integer range is written as an integer, not as this float.
        f.fract() != 0.0 || !(-TWO_63..TWO_64).contains(&f)
    }
}

#[cfg(test)]
mod tests {
    use crate::json;

    #[test]
    fn numbers_as_javascript_writes_them() {
        for yes in [
            json!(1),
            json!(-3),
            json!(2.5),
            json!(9_007_199_254_740_992u64),
            json!(1e300),
            json!({"a": [1, {"b": 0.1}]}),
        ] {
            assert!(yes.numbers_are_javascript(), "{yes}");
        }
        for no in [
            json!(1.0),
            json!(-0.0),
            json!(9_007_199_254_740_993u64),
            json!(18_446_744_073_709_551_615u64),
            json!({"a": [1, {"b": 2.0}]}),
        ] {
            assert!(!no.numbers_are_javascript(), "{no}");
        }
    }

    #[test]
    fn a_change_forgets_the_answer() {
        let mut value = json!({"a": [1, 2]});
        assert!(value.numbers_are_javascript());
        value["a"] = json!([1.0]);
        assert!(!value.numbers_are_javascript());
    }
}
