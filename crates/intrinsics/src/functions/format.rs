//! `States.Format(template, values...)`.
//!
//! Each `{}` in the template is replaced by the next value. The count of `{}` must equal the
//! count of values, and any other `{` or `}` (a lone brace, `{{}}`) fails, as AWS does.
//!
//! Values render the way AWS's Java implementation prints them: strings raw, `null`, numbers
//! and booleans as JSON, objects as `{key=value, key=value}` and arrays as `[a, b]` (Java's
//! `Map`/`List` `toString`), with nested strings unquoted. A recorded AWS case pins
//! `{"Arg1": 1, "Arg2": []}` to `{Arg1=1, Arg2=[]}`.

use switchback_json::Json;

use super::Args;
use crate::EvalError;

pub(super) fn format(args: &Args) -> Result<Json, EvalError> {
    let template = args.string(0)?;
    let values = &args.values[1..];
    let pieces = split_template(template).ok_or_else(|| args.invalid())?;
    if pieces.len() != values.len() + 1 {
        return Err(args.invalid());
    }
    let mut out = String::from(pieces[0]);
    for (value, piece) in values.iter().zip(&pieces[1..]) {
        render(value, &mut out);
        out.push_str(piece);
    }
    Ok(Json::from(out))
}

/// The literal text between placeholders (`n` placeholders give `n + 1` pieces), or `None`
/// when a brace is not part of a `{}` pair.
fn split_template(template: &str) -> Option<Vec<&str>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let bytes = template.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'}') => {
                pieces.push(&template[start..i]);
                i += 2;
                start = i;
            }
            b'{' | b'}' => return None,
            _ => i += 1,
        }
    }
    pieces.push(&template[start..]);
    Some(pieces)
}

/// Appends `value` as Java's `toString` of the parsed JSON would print it.
fn render(value: &Json, out: &mut String) {
    match value {
        Json::String(s) => out.push_str(s),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, out);
            }
            out.push(']');
        }
        Json::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                render(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}
