//! The AWS query protocol, the protocol of SNS (and of SQS before its JSON protocol, STS, IAM,
//! ...): `POST /` with the input as a form (`Content-Type: application/x-www-form-urlencoded;
//! charset=utf-8`, `Action=<Operation>&Version=<API version>&<members>`), the output as XML
//! (`<OpResponse><OpResult>...</OpResult><ResponseMetadata>...`), errors as XML
//! (`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`).
//!
//! The form: a Task's parameters are the operation's input members in PascalCase, so they are
//! written out as the SDKs write them, by their shape: a structure's member as
//! `Name.Member`, a list's items as `Name.member.N`, a map's entries as `Name.entry.N.Name` and
//! `Name.entry.N.Value` (which members are maps is given, from the service's model, e.g.
//! SNS's `MessageAttributes`), numbers and booleans as their text, `null` left out. Names
//! and values are percent-encoded as the SDKs encode them (all but `A-Z a-z 0-9 - . _ ~`).
//!
//! The XML is read with `xmlparser`, a small pull parser that is already in the build (the AWS
//! SDK's own XML decoder, `aws-smithy-xml`, which aws-config's STS client uses, is built on it);
//! `aws-smithy-xml` itself does not expose its tokens, so a structure of unknown members cannot
//! be read with it, and `quick-xml` would add a second XML parser for a few elements. Results
//! are small and flat: an element with child elements is an object of them (a repeated name,
//! or list items named `member`, an array), a leaf element is its text.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};
use xmlparser::{ElementEnd, Token, Tokenizer};

/// What the SDKs percent-encode in a query-protocol form: all but the unreserved characters.
pub(crate) const FORM_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The form body of a call of `action` with `parameters`; `maps` names the members that are
/// maps (the others that are objects are structures).
pub(crate) fn encode(
    action: &str,
    version: &str,
    parameters: &Map<String, Value>,
    maps: &[&str],
) -> String {
    let mut form = Form::default();
    form.pair("Action", action);
    form.pair("Version", version);
    for (name, value) in parameters {
        form.value(name, value, maps.contains(&name.as_str()));
    }
    form.out
}

#[derive(Default)]
struct Form {
    out: String,
}

impl Form {
    fn pair(&mut self, name: &str, value: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        self.out.extend(utf8_percent_encode(name, FORM_SET));
        self.out.push('=');
        self.out.extend(utf8_percent_encode(value, FORM_SET));
    }

    fn value(&mut self, name: &str, value: &Value, is_map: bool) {
        match value {
            Value::Null => {}
            Value::String(s) => self.pair(name, s),
            Value::Bool(b) => self.pair(name, if *b { "true" } else { "false" }),
            Value::Number(n) => self.pair(name, &n.to_string()),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.value(&format!("{name}.member.{}", i + 1), item, false);
                }
            }
            Value::Object(members) if is_map => {
                for (i, (key, item)) in members.iter().enumerate() {
                    let entry = format!("{name}.entry.{}", i + 1);
                    self.pair(&format!("{entry}.Name"), key);
                    self.value(&format!("{entry}.Value"), item, false);
                }
            }
            Value::Object(members) => {
                for (member, item) in members {
                    self.value(&format!("{name}.{member}"), item, false);
                }
            }
        }
    }
}

/// One XML element: its local name, its child elements, its text.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The element as JSON: its text if it has no child elements, else an object of them.
    fn to_json(&self) -> Value {
        if self.children.is_empty() {
            return Value::String(self.text.clone());
        }
        if self.children.iter().all(|c| c.name == "member") {
            return Value::Array(self.children.iter().map(Element::to_json).collect());
        }
        let mut members = Map::new();
        for child in &self.children {
            let value = child.to_json();
            match members.get_mut(&child.name) {
                Some(Value::Array(items)) => items.push(value),
                Some(first) => *first = Value::Array(vec![first.take(), value]),
                None => {
                    members.insert(child.name.clone(), value);
                }
            }
        }
        Value::Object(members)
    }
}

/// The document's root element.
pub(crate) fn parse(body: &[u8]) -> Result<Element, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("the body is not UTF-8: {e}"))?;
    let mut stack: Vec<Element> = Vec::new();
    for token in Tokenizer::from(text) {
        match token.map_err(|e| format!("the body is not XML: {e}"))? {
            Token::ElementStart { local, .. } => stack.push(Element {
                name: local.as_str().to_string(),
                ..Element::default()
            }),
            Token::ElementEnd {
                end: ElementEnd::Close(..) | ElementEnd::Empty,
                ..
            } => {
                let done = stack.pop().ok_or("the body's XML is not well formed")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Token::Text { text } => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&unescape(text.as_str())?);
                }
            }
            Token::Cdata { text, .. } => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(text.as_str());
                }
            }
            _ => {}
        }
    }
    Err("the body has no complete XML element".into())
}

/// Text with XML's five entities and character references replaced.
fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..]
            .find(';')
            .ok_or_else(|| format!("an unterminated entity in {text:?}"))?;
        let entity = &rest[at + 1..at + end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => entity
                .strip_prefix("#x")
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32)
                .ok_or_else(|| format!("an unknown entity &{entity}; in {text:?}"))?,
        };
        out.push(c);
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The output of a successful call of `action`: the members of `<{action}Result>` (none if
/// the response has no result element).
pub(crate) fn read_result(body: &[u8], action: &str) -> Result<Map<String, Value>, String> {
    let root = parse(body)?;
    if root.name != format!("{action}Response") {
        return Err(format!("expected <{action}Response>, got <{}>", root.name));
    }
    match root.child(&format!("{action}Result")).map(Element::to_json) {
        Some(Value::Object(members)) => Ok(members),
        _ => Ok(Map::new()),
    }
}

/// An error answer: `<ErrorResponse><Error><Code/><Message/></Error><RequestId/>`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct QueryError {
    pub code: String,
    pub message: String,
    pub request_id: String,
}

/// Reads an error answer (`None` if the body is not one).
pub(crate) fn read_error(body: &[u8]) -> Option<QueryError> {
    let root = parse(body).ok()?;
    // `<ErrorResponse><Error>`, or (older services) `<Response><Errors><Error>`.
    let error = root
        .child("Error")
        .or_else(|| root.child("Errors").and_then(|e| e.child("Error")))?;
    Some(QueryError {
        code: error.child_text("Code").unwrap_or_default().to_string(),
        message: error.child_text("Message").unwrap_or_default().to_string(),
        request_id: root
            .child_text("RequestId")
            .or_else(|| root.child_text("RequestID"))
            .unwrap_or_default()
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forms_by_shape() {
        let parameters = json!({
            "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Message": "{\"a\":\"b c&d=e+f\"}",
            "Subject": null,
            "MessageAttributes": {
                "kind": {"DataType": "String", "StringValue": "order é"},
                "n": {"DataType": "Number", "StringValue": "1"}
            },
            "Nested": {"Flag": true, "Count": 3, "Items": ["x", "y"]}
        });
        let form = encode(
            "Publish",
            "2010-03-31",
            parameters.as_object().unwrap(),
            &["MessageAttributes"],
        );
        assert_eq!(
            form.split('&').collect::<Vec<_>>(),
            [
                "Action=Publish",
                "Version=2010-03-31",
                "TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At",
                "Message=%7B%22a%22%3A%22b%20c%26d%3De%2Bf%22%7D",
                "MessageAttributes.entry.1.Name=kind",
                "MessageAttributes.entry.1.Value.DataType=String",
                "MessageAttributes.entry.1.Value.StringValue=order%20%C3%A9",
                "MessageAttributes.entry.2.Name=n",
                "MessageAttributes.entry.2.Value.DataType=Number",
                "MessageAttributes.entry.2.Value.StringValue=1",
                "Nested.Flag=true",
                "Nested.Count=3",
                "Nested.Items.member.1=x",
                "Nested.Items.member.2=y",
            ]
        );
    }

    #[test]
    fn results_are_read() {
        let body = br#"<?xml version="1.0"?>
<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult>
    <MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId>
    <SequenceNumber>10000000000000003000</SequenceNumber>
  </PublishResult>
  <ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata>
</PublishResponse>"#;
        assert_eq!(
            Value::Object(read_result(body, "Publish").unwrap()),
            json!({
                "MessageId": "567910cd-659e-55d4-8ccb-5aaf14679dc0",
                "SequenceNumber": "10000000000000003000"
            })
        );
        let body =
            b"<ListResponse><ListResult><Topics><member><TopicArn>a&amp;b</TopicArn></member>\
<member><TopicArn><![CDATA[c<d]]></TopicArn></member></Topics><Next/></ListResult></ListResponse>";
        assert_eq!(
            Value::Object(read_result(body, "List").unwrap()),
            json!({"Topics": [{"TopicArn": "a&b"}, {"TopicArn": "c<d"}], "Next": ""})
        );
        assert!(read_result(b"<Other/>", "Publish").is_err());
        assert!(read_result(b"{}", "Publish").is_err());
        assert!(read_result(b"<PublishResponse><a>", "Publish").is_err());
    }

    #[test]
    fn errors_are_read() {
        let body = br#"<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist &#x263A;</Message></Error>
  <RequestId>9dd01905-5012-5f99-8663-4b3ecd0dfaef</RequestId>
</ErrorResponse>"#;
        assert_eq!(
            read_error(body),
            Some(QueryError {
                code: "NotFound".into(),
                message: "Topic does not exist \u{263A}".into(),
                request_id: "9dd01905-5012-5f99-8663-4b3ecd0dfaef".into(),
            })
        );
        assert_eq!(read_error(b"not xml"), None);
        assert_eq!(read_error(b"<PublishResponse/>"), None);
    }
}
