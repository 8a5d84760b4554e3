//! Writing a [`Json`] as compact JSON text, as serde_json writes it, without serde.
//!
//! The engine writes payloads as text all the time: every history event holds its state's
//! input or output as JSON text, and a stored payload is written again to be split. serde_json's
//! writer looks up every byte of every string in its escape table; most strings need no
//! escaping at all, which [`string_len`] tells eight bytes at a time, and are then copied
//! whole. Strings that do need escaping, and numbers, are still written by serde_json, so the
//! text is byte for byte what serde_json writes.

use crate::size::string_len;
use crate::Json;

impl Json {
    /// Appends this value's compact JSON text (what `to_string` gives) to `out`.
    pub fn write_compact(&self, out: &mut Vec<u8>) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(true) => out.extend_from_slice(b"true"),
            Json::Bool(false) => out.extend_from_slice(b"false"),
            Json::Number(n) => serde_write(n, out),
            Json::String(s) => write_string(s, out),
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_compact(out);
                }
                out.push(b']');
            }
            Json::Object(map) => {
                out.push(b'{');
                for (i, (key, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_string(key, out);
                    out.push(b':');
                    item.write_compact(out);
                }
                out.push(b'}');
            }
        }
    }
}

/// Appends `s` as a JSON string (quoted, escaped as serde_json escapes).
pub fn write_string(s: &str, out: &mut Vec<u8>) {
    if string_len(s) == s.len() + 2 {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_write(s, out);
    }
}

fn serde_write<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // A number or a string always serialises; an impossible failure writes `null` rather
    // than bad JSON.
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use crate::Json;

    #[test]
    fn writes_what_serde_json_writes() {
        let texts = [
            r#"{"a":[1,-2,3.5,1e300,-0.0,18446744073709551615],"b":{"c":null,"d":true,"e":false}}"#,
            r#"["plain","quote \" backslash \\ slash /","\u0001\u001f\n\t","é € 😀",""]"#,
            r#"{"":{},"k":[]}"#,
        ];
        for text in texts {
            let value: serde_json::Value = serde_json::from_str(text).expect("valid");
            let json = Json::from(value.clone());
            let mut out = Vec::new();
            json.write_compact(&mut out);
            assert_eq!(String::from_utf8(out).expect("UTF-8"), value.to_string());
        }
    }
}
