//! The size of a value as compact JSON, without serialising it, remembered by arrays and
//! objects.
//!
//! AWS limits payloads by their serialised size (256 KB by default) and the engine checks every
//! state's output. Counting by walking is much cheaper than serialising; remembering the count
//! in each array and object makes it cheaper still, because most outputs are new small objects
//! around large parts that were already counted.

use crate::{Json, Number};

impl Json {
    /// The length of this value's compact JSON text (as `to_string` would write it).
    pub fn size(&self) -> usize {
        self.size_within(usize::MAX).unwrap_or(usize::MAX)
    }

    /// The length of this value's compact JSON text, or `None` once it is known to exceed
    /// `limit`. Stops counting there, so a huge value costs no more than `limit` bytes' worth.
    pub fn size_within(&self, limit: usize) -> Option<usize> {
        let mut total = 0usize;
        add(self, &mut total, limit).then_some(total)
    }
}

/// Adds `v`'s size to `total`; false once `total` exceeds `limit`.
fn add(v: &Json, total: &mut usize, limit: usize) -> bool {
    match v {
        Json::Null => *total += 4,
        Json::Bool(b) => *total += if *b { 4 } else { 5 },
        Json::Number(n) => *total += number_len(n),
        Json::String(s) => *total += string_len(s),
        Json::Array(items) => {
            if let Some(n) = items.memo().size() {
                *total += n;
            } else {
                let start = *total;
                *total += 2 + items.len().saturating_sub(1);
                for item in items.iter() {
                    if !add(item, total, limit) {
                        return false;
                    }
                }
                items.memo().set_size(*total - start);
            }
        }
        Json::Object(map) => {
            if let Some(n) = map.memo().size() {
                *total += n;
            } else {
                let start = *total;
                *total += 2 + map.len().saturating_sub(1) + map.len();
                for (k, item) in map.iter() {
                    *total += string_len(k);
                    if !add(item, total, limit) {
                        return false;
                    }
                }
                map.memo().set_size(*total - start);
            }
        }
    }
    *total <= limit
}

pub(crate) fn number_len(n: &Number) -> usize {
    if let Some(i) = n.as_i64() {
        digits(i.unsigned_abs()) + usize::from(i < 0)
    } else if let Some(u) = n.as_u64() {
        digits(u)
    } else {
        // As serde_json writes a float (JSON has no infinities), without building a String.
        zmij::Buffer::new()
            .format_finite(n.as_f64().unwrap_or(0.0))
            .len()
    }
}

fn digits(mut u: u64) -> usize {
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
pub fn string_len(s: &str) -> usize {
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
    // The last bytes (all of a short string, as keys mostly are) one by one: fewer than
    // eight, a plain loop costs less than padding them into a word with a copy.
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
        .map(|&b| usize::from(ESCAPE_EXTRA[usize::from(b)]))
        .sum()
}

/// What escaping adds to each byte: `\"`, `\\` and the short escapes one byte, other control
/// characters five (`\u00XX`), the rest nothing. A table, so that counting is a load per byte.
static ESCAPE_EXTRA: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = 5;
        b += 1;
    }
    let mut short = [b'"', b'\\', b'\n', b'\r', b'\t', 0x08, 0x0c].as_slice();
    while let [first, rest @ ..] = short {
        table[*first as usize] = 1;
        short = rest;
    }
    table
};
