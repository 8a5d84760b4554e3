//! URL-encoding of JSON for HTTP Tasks: the query string (`QueryParameters`) and a
//! `URL_ENCODED` request body (`Transform`).
//!
//! AWS documents the four array formats with `{"array": ["a","b","c","d"]}`: `INDICES`
//! (the default) `array[0]=a&array[1]=b...`, `REPEAT` `array=a&array=b...`, `COMMAS`
//! `array=a,b,c,d`, `BRACKETS` `array[]=a&array[]=b...`. Nested objects become `key[sub]`, and
//! everything but RFC 3986's unreserved characters is percent-encoded, brackets included and a
//! space as `%20` (AWS's own example: `metadata%5Border_details%5D=monthly%20report%20data`).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

/// Everything but RFC 3986's unreserved characters is encoded.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `RequestEncodingOptions.ArrayFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArrayFormat {
    Indices,
    Repeat,
    Commas,
    Brackets,
}

impl ArrayFormat {
    pub fn parse(name: &str) -> Option<ArrayFormat> {
        match name {
            "INDICES" => Some(ArrayFormat::Indices),
            "REPEAT" => Some(ArrayFormat::Repeat),
            "COMMAS" => Some(ArrayFormat::Commas),
            "BRACKETS" => Some(ArrayFormat::Brackets),
            _ => None,
        }
    }
}

/// `object` as `key=value&...`, in the object's order.
pub(crate) fn encode(object: &Map<String, Value>, format: ArrayFormat) -> String {
    let mut pairs = Vec::new();
    for (key, value) in object {
        push(&mut pairs, key.clone(), value, format);
    }
    pairs.join("&")
}

/// One percent-encoded component.
pub(crate) fn component(text: &str) -> String {
    utf8_percent_encode(text, ENCODED).to_string()
}

fn push(pairs: &mut Vec<String>, key: String, value: &Value, format: ArrayFormat) {
    match value {
        Value::Object(fields) => {
            for (sub, v) in fields {
                push(pairs, format!("{key}[{sub}]"), v, format);
            }
        }
        Value::Array(items) => match format {
            ArrayFormat::Indices => {
                for (i, item) in items.iter().enumerate() {
                    push(pairs, format!("{key}[{i}]"), item, format);
                }
            }
            ArrayFormat::Brackets => {
                for item in items {
                    push(pairs, format!("{key}[]"), item, format);
                }
            }
            ArrayFormat::Repeat => {
                for item in items {
                    push(pairs, key.clone(), item, format);
                }
            }
            ArrayFormat::Commas => {
                if items.is_empty() {
                    return;
                }
                if items.iter().all(|i| !i.is_object() && !i.is_array()) {
                    let joined: Vec<String> =
                        items.iter().map(|i| component(&scalar_text(i))).collect();
                    pairs.push(format!("{}={}", component(&key), joined.join(",")));
                } else {
                    for item in items {
                        push(pairs, key.clone(), item, format);
                    }
                }
            }
        },
        scalar => pairs.push(format!(
            "{}={}",
            component(&key),
            component(&scalar_text(scalar))
        )),
    }
}

/// A scalar's text: strings as they are, numbers and booleans as JSON writes them, `null` as
/// nothing.
pub(crate) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enc(value: Value, format: ArrayFormat) -> String {
        encode(value.as_object().unwrap(), format)
    }

    #[test]
    fn arrays_in_each_format() {
        let body = json!({"array": ["a", "b", "c", "d"]});
        assert_eq!(
            enc(body.clone(), ArrayFormat::Indices),
            "array%5B0%5D=a&array%5B1%5D=b&array%5B2%5D=c&array%5B3%5D=d"
        );
        assert_eq!(
            enc(body.clone(), ArrayFormat::Repeat),
            "array=a&array=b&array=c&array=d"
        );
        assert_eq!(enc(body.clone(), ArrayFormat::Commas), "array=a,b,c,d");
        assert_eq!(
            enc(body, ArrayFormat::Brackets),
            "array%5B%5D=a&array%5B%5D=b&array%5B%5D=c&array%5B%5D=d"
        );
    }

    #[test]
    fn objects_nest_and_text_is_encoded_as_aws_does() {
        let body = json!({
            "description": "Monthly subscription",
            "metadata": {"order_details": "monthly report data"},
            "customer": "1234567890",
            "n": 1.5, "ok": true, "none": null
        });
        assert_eq!(
            enc(body, ArrayFormat::Indices),
            "description=Monthly%20subscription&metadata%5Border_details%5D=monthly%20report%20data&customer=1234567890&n=1.5&ok=true&none="
        );
    }
}
