//! The size of a value as compact JSON, without serialising it.
//!
//! AWS limits payloads by their serialised size; checking every state's output by serialising
//! it would double the cost of a transition, so the size is counted by walking the value, and
//! the walk stops as soon as the limit is passed.

use serde_json::Value;

/// The compact JSON size of `v`, or `None` once it exceeds `limit`.
pub fn json_size_within(v: &Value, limit: usize) -> Option<usize> {
    let mut total = 0usize;
    add(v, &mut total, limit).then_some(total)
}

fn add(v: &Value, total: &mut usize, limit: usize) -> bool {
    *total += match v {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Number(n) => number_len(n),
        Value::String(s) => string_len(s),
        Value::Array(items) => {
            *total += 2 + items.len().saturating_sub(1);
            for item in items {
                if !add(item, total, limit) {
                    return false;
                }
            }
            0
        }
        Value::Object(map) => {
            *total += 2 + map.len().saturating_sub(1) + map.len();
            for (k, item) in map {
                *total += string_len(k);
                if !add(item, total, limit) {
                    return false;
                }
            }
            0
        }
    };
    *total <= limit
}

fn number_len(n: &serde_json::Number) -> usize {
    if let Some(i) = n.as_i64() {
        let mut buf = itoa_len(i.unsigned_abs());
        if i < 0 {
            buf += 1;
        }
        buf
    } else if let Some(u) = n.as_u64() {
        itoa_len(u)
    } else {
        n.to_string().len()
    }
}

fn itoa_len(mut u: u64) -> usize {
    let mut len = 1;
    while u >= 10 {
        u /= 10;
        len += 1;
    }
    len
}

fn string_len(s: &str) -> usize {
    let mut len = 2 + s.len();
    for b in s.bytes() {
        len += match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            0..=0x1f => 5,
            _ => 0,
        };
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_serialised_length() {
        for v in [
            json!(null),
            json!({"a": [1, -20, 3.5, true, false, null], "b\"c": "x\ny\u{1}é"}),
            json!([]),
            json!({}),
            json!(u64::MAX),
            json!(i64::MIN),
        ] {
            let expected = serde_json::to_string(&v).unwrap().len();
            assert_eq!(json_size_within(&v, usize::MAX), Some(expected), "{v}");
        }
    }

    #[test]
    fn stops_past_the_limit() {
        assert_eq!(json_size_within(&json!("abcdef"), 3), None);
    }
}
