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

/// The length of `s` as a JSON string: its bytes, the quotes, and what escaping adds.
///
/// Most text needs no escaping, so it is scanned eight bytes at a time: a word with no quote,
/// backslash or control character (the only bytes JSON escapes; serde_json leaves the rest,
/// non-ASCII included, as they are) adds nothing; only a word that may hold one is counted byte
/// by byte.
fn string_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut len = 2 + bytes.len();
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if may_need_escaping(u64::from_le_bytes(word)) {
            len += escaping(chunk);
        }
    }
    len + escaping(chunks.remainder())
}

/// Whether any byte of `word` may be a quote, a backslash or below 0x20 (never false when one
/// is; now and then true when none is, which only costs a byte-by-byte look).
fn may_need_escaping(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte below n (n <= 128) sets its high bit here: "hasless" of Bit Twiddling Hacks.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGHS;
    below(word, 0x20) != 0
        || below(word ^ (ONES * u64::from(b'"')), 1) != 0
        || below(word ^ (ONES * u64::from(b'\\')), 1) != 0
}

/// What escaping adds to `bytes`, counted byte by byte.
fn escaping(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            0..=0x1f => 5,
            _ => 0,
        })
        .sum()
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
    fn strings_of_every_kind_match_their_serialised_length() {
        // Every byte value that can start or sit in UTF-8 text, at every offset of a word, among
        // plain text, so that each escape lands in a scanned word and in the remainder.
        let specials = [
            "\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{1}", "\u{1f}", "\u{7f}", "é", "€",
            "😀", " ", "~",
        ];
        for special in specials {
            for before in 0..17 {
                for after in [0, 1, 7, 8, 9] {
                    let text = format!("{}{special}{}", "a".repeat(before), "b".repeat(after));
                    let v = json!(text);
                    let expected = serde_json::to_string(&v).unwrap().len();
                    assert_eq!(json_size_within(&v, usize::MAX), Some(expected), "{text:?}");
                }
            }
        }
        let mixed: String = (0u32..0x800).filter_map(char::from_u32).collect();
        let v = json!(mixed);
        assert_eq!(
            json_size_within(&v, usize::MAX),
            Some(serde_json::to_string(&v).unwrap().len())
        );
    }

    #[test]
    fn stops_past_the_limit() {
        assert_eq!(json_size_within(&json!("abcdef"), 3), None);
    }
}
