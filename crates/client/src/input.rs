//! [`ExecutionInput`]: an execution's input, encoded once for the many requests that carry it.
//!
//! The API carries an execution's input as JSON text inside a JSON string, so every quote of
//! the input is escaped in the request. A bench that starts thousands of executions with the
//! same 250 KB input would otherwise write the input as text and then escape that text for
//! every request: on a two-core machine the client's share of the cores is the server's loss.

use serde_json::Value;

/// An execution's input as the request carries it: its JSON text, escaped and quoted as a
/// JSON string.
#[derive(Debug, Clone)]
pub struct ExecutionInput {
    literal: String,
}

impl ExecutionInput {
    /// The input `value`, encoded.
    pub fn new(value: &Value) -> ExecutionInput {
        ExecutionInput::from_text(&value.to_string())
    }

    /// The input JSON `text` as it is (not checked: the server answers a bad one with
    /// `InvalidExecutionInput`).
    pub fn from_text(text: &str) -> ExecutionInput {
        ExecutionInput {
            literal: Value::from(text).to_string(),
        }
    }

    /// The quoted, escaped JSON string.
    pub(crate) fn literal(&self) -> &str {
        &self.literal
    }
}

/// A request body of string members written as they are, and `input` spliced in already
/// encoded; `None` members are left out.
pub(crate) fn body_with_input(members: &[(&str, Option<&str>)], input: &ExecutionInput) -> Vec<u8> {
    let mut body = Vec::with_capacity(input.literal().len() + 256);
    body.push(b'{');
    for (name, value) in members {
        if let Some(value) = value {
            push_string(&mut body, name);
            body.push(b':');
            push_string(&mut body, value);
            body.push(b',');
        }
    }
    body.extend_from_slice(b"\"input\":");
    body.extend_from_slice(input.literal().as_bytes());
    body.push(b'}');
    body
}

fn push_string(body: &mut Vec<u8>, s: &str) {
    body.extend_from_slice(Value::from(s).to_string().as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_body_with_an_encoded_input_reads_back_as_the_members_and_the_input_text() {
        let input = json!({"a": "quote \" and \\ backslash", "n": [1, 2.5]});
        let encoded = ExecutionInput::new(&input);
        let body = body_with_input(
            &[("stateMachineArn", Some("arn:x")), ("name", None)],
            &encoded,
        );
        let read: Value = serde_json::from_slice(&body).expect("a JSON body");
        assert_eq!(read["stateMachineArn"], "arn:x");
        assert!(read.get("name").is_none());
        let text = read["input"].as_str().expect("input is a string");
        assert_eq!(serde_json::from_str::<Value>(text).expect("JSON"), input);
    }
}
