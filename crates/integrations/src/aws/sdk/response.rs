//! A service's answer as the result Step Functions gives an `aws-sdk:*` task: the operation's
//! output members under Step Functions' PascalCase names ([`super::naming`]), read by the
//! output shape from the protocol's body (JSON or XML), and for REST protocols from the
//! headers, the status code and the payload.
//!
//! Values as Step Functions shows them: timestamps as ISO 8601 text ([`super::time::shown`]),
//! blobs as their base64 text, except a streaming body (S3's `Body`), which is its text;
//! numbers and booleans as JSON's. Members the answer does not carry are left out, except a
//! prefixed-header map (S3's `Metadata`), which is `{}` when empty, as the SDK reads it.

use http::header::HeaderMap;
use serde_json::{Map, Value};

use super::model::{Location, Operation, Protocol, Scalar, ServiceModel, Shape, Type};
use super::naming::pascal;
use super::time;
use crate::aws::query_protocol::{parse as parse_xml, Element};

/// The result of a successful call.
pub(crate) fn read(
    model: &ServiceModel,
    name: &str,
    operation: &Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, String> {
    let Some(output) = &operation.output else {
        return Ok(Value::Object(Map::new()));
    };
    let reader = Reader { model };
    match model.protocol {
        Protocol::Json => {
            let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
                Value::Object(Map::new())
            } else {
                serde_json::from_slice(body).map_err(|e| format!("the answer is not JSON: {e}"))?
            };
            Ok(reader.json(&Type::Shape(output.clone()), &value))
        }
        Protocol::Query | Protocol::Ec2 => {
            let root = parse_xml(body)?;
            let result = match (&operation.result_wrapper, model.protocol) {
                (_, Protocol::Ec2) => Some(&root),
                (Some(wrapper), _) => root.child(wrapper),
                (None, _) => None,
            };
            Ok(match result {
                Some(element) => reader.xml(&Type::Shape(output.clone()), element),
                None => Value::Object(Map::new()),
            })
        }
        Protocol::RestJson | Protocol::RestXml => reader.rest(output, name, status, headers, body),
    }
}

struct Reader<'m> {
    model: &'m ServiceModel,
}

impl Reader<'_> {
    fn json(&self, ty: &Type, value: &Value) -> Value {
        match ty {
            Type::Scalar(scalar) => json_scalar(*scalar, value),
            Type::Shape(shape) => match self.model.shape(shape) {
                Some(Shape::Structure { document: 1, .. }) => value.clone(),
                Some(Shape::Structure { members, .. }) => {
                    let Value::Object(given) = value else {
                        return value.clone();
                    };
                    let mut out = Map::with_capacity(given.len());
                    for (name, member) in members {
                        if member.location != Location::Body {
                            continue;
                        }
                        if let Some(v) = given.get(member.wire(name)).filter(|v| !v.is_null()) {
                            out.insert(pascal(name).into_owned(), self.json(&member.ty, v));
                        }
                    }
                    Value::Object(out)
                }
                Some(Shape::List { item, .. }) => match value {
                    Value::Array(items) => {
                        Value::Array(items.iter().map(|v| self.json(item, v)).collect())
                    }
                    other => other.clone(),
                },
                Some(Shape::Map { types, .. }) => match value {
                    Value::Object(entries) => Value::Object(
                        entries
                            .iter()
                            .map(|(k, v)| (k.clone(), self.json(&types.1, v)))
                            .collect(),
                    ),
                    other => other.clone(),
                },
                None => value.clone(),
            },
        }
    }

    fn xml(&self, ty: &Type, element: &Element) -> Value {
        match ty {
            Type::Scalar(scalar) => text_scalar(*scalar, &element.text),
            Type::Shape(shape) => match self.model.shape(shape) {
                Some(Shape::Structure { members, .. }) => {
                    let mut out = Map::new();
                    for (name, member) in members {
                        if member.location != Location::Body || member.xml_attribute {
                            continue;
                        }
                        let wire = member.wire(name);
                        let flattened_item = match &member.ty {
                            Type::Shape(s) => match self.model.shape(s) {
                                Some(Shape::List {
                                    item, flattened, ..
                                }) if member.flattened || *flattened == 1 => Some(item),
                                _ => None,
                            },
                            Type::Scalar(_) => None,
                        };
                        let value = match flattened_item {
                            Some(item) => {
                                let items: Vec<Value> = element
                                    .children
                                    .iter()
                                    .filter(|c| c.name == wire)
                                    .map(|c| self.xml(item, c))
                                    .collect();
                                if items.is_empty() {
                                    continue;
                                }
                                Value::Array(items)
                            }
                            None => match element.child(wire) {
                                Some(child) => self.xml(&member.ty, child),
                                None => continue,
                            },
                        };
                        out.insert(pascal(name).into_owned(), value);
                    }
                    Value::Object(out)
                }
                Some(Shape::List { item, .. }) => {
                    Value::Array(element.children.iter().map(|c| self.xml(item, c)).collect())
                }
                Some(Shape::Map {
                    types,
                    key_name,
                    value_name,
                    ..
                }) => {
                    let key = key_name.as_deref().unwrap_or("key");
                    let value = value_name.as_deref().unwrap_or("value");
                    let mut out = Map::new();
                    for entry in &element.children {
                        if let (Some(k), Some(v)) = (entry.child(key), entry.child(value)) {
                            out.insert(k.text.clone(), self.xml(&types.1, v));
                        }
                    }
                    Value::Object(out)
                }
                None => Value::String(element.text.clone()),
            },
        }
    }

    fn rest(
        &self,
        output: &str,
        name: &str,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Value, String> {
        let Some(Shape::Structure {
            members, payload, ..
        }) = self.model.shape(output)
        else {
            return Ok(Value::Object(Map::new()));
        };
        let xml = self.model.protocol == Protocol::RestXml;
        let mut out = Map::new();
        for (member_name, member) in members {
            let wire = member.wire(member_name);
            let value = match member.location {
                Location::Header => match headers.get(wire).and_then(|v| v.to_str().ok()) {
                    Some(text) => header_value(self.model, &member.ty, text),
                    None => continue,
                },
                Location::Headers => {
                    let prefix = wire.to_ascii_lowercase();
                    let map: Map<String, Value> = headers
                        .iter()
                        .filter_map(|(k, v)| {
                            let key = k.as_str().strip_prefix(prefix.as_str())?;
                            Some((key.to_string(), Value::String(v.to_str().ok()?.to_string())))
                        })
                        .collect();
                    Value::Object(map)
                }
                Location::Status => Value::from(status),
                Location::Uri | Location::Query => continue,
                Location::Body if payload.as_deref() == Some(member_name.as_str()) => {
                    match &member.ty {
                        Type::Scalar(Scalar::Blob | Scalar::StreamingBlob | Scalar::String) => {
                            Value::String(String::from_utf8_lossy(body).into_owned())
                        }
                        ty if body.is_empty() => {
                            let _ = ty;
                            continue;
                        }
                        ty if xml => self.xml(ty, &parse_xml(body)?),
                        ty => {
                            let v: Value = serde_json::from_slice(body)
                                .map_err(|e| format!("the answer is not JSON: {e}"))?;
                            self.json(ty, &v)
                        }
                    }
                }
                Location::Body => continue,
            };
            out.insert(pascal(member_name).into_owned(), value);
        }
        // Without a payload member, the body members are the body's.
        let has_body = members.values().any(|m| m.location == Location::Body);
        if payload.is_none() && has_body && !body.iter().all(u8::is_ascii_whitespace) {
            let read = if xml {
                self.xml(&Type::Shape(output.to_string()), &parse_xml(body)?)
            } else {
                let v: Value = serde_json::from_slice(body)
                    .map_err(|e| format!("the answer to {name} is not JSON: {e}"))?;
                self.json(&Type::Shape(output.to_string()), &v)
            };
            if let Value::Object(members) = read {
                out.extend(members);
            }
        }
        Ok(Value::Object(out))
    }
}

/// A scalar read from a JSON body.
fn json_scalar(scalar: Scalar, value: &Value) -> Value {
    match (scalar, value) {
        (Scalar::Timestamp(_), Value::Number(n)) => n
            .as_f64()
            .map(|s| Value::String(time::shown(aws_smithy_types::DateTime::from_secs_f64(s))))
            .unwrap_or_else(|| value.clone()),
        (Scalar::Timestamp(_), Value::String(s)) => {
            time::parse_text(s).map_or_else(|| value.clone(), |at| Value::String(time::shown(at)))
        }
        _ => value.clone(),
    }
}

/// A scalar read from XML text.
fn text_scalar(scalar: Scalar, text: &str) -> Value {
    match scalar {
        Scalar::Integer => text
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Value::String(text.to_string()), Value::from),
        Scalar::Float => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.to_string()), Value::Number),
        Scalar::Boolean => Value::Bool(text.trim() == "true"),
        Scalar::Timestamp(_) => time::parse_text(text).map_or_else(
            || Value::String(text.to_string()),
            |at| Value::String(time::shown(at)),
        ),
        _ => Value::String(text.to_string()),
    }
}

/// A header's value by its member's type.
fn header_value(model: &ServiceModel, ty: &Type, text: &str) -> Value {
    match ty {
        Type::Scalar(Scalar::Json) => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .map_or_else(|| Value::String(text.to_string()), Value::String)
        }
        Type::Scalar(scalar) => text_scalar(*scalar, text),
        Type::Shape(shape) => match model.shape(shape) {
            Some(Shape::List { .. }) => Value::Array(
                text.split(',')
                    .map(|s| Value::String(s.trim().to_string()))
                    .collect(),
            ),
            _ => Value::String(text.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::service;
    use super::*;
    use serde_json::json;

    fn result(service_name: &str, op: &str, headers: &[(&str, &str)], body: &str) -> Value {
        let model = service(service_name).unwrap();
        let operation = model.ops.get(op).unwrap();
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        read(&model, op, operation, 200, &map, body.as_bytes()).unwrap()
    }

    #[test]
    fn json_members_in_pascal_case_and_timestamps_as_text() {
        assert_eq!(
            result(
                "sfn",
                "StartExecution",
                &[],
                r#"{"executionArn":"arn:e","startDate":1709294400.5}"#
            ),
            json!({"ExecutionArn": "arn:e", "StartDate": "2024-03-01T12:00:00.500Z"})
        );
        assert_eq!(
            result(
                "dynamodb",
                "GetItem",
                &[],
                r#"{"Item":{"a":{"BOOL":true},"b":{"SS":["x"]},"c":{"NULL":true}}}"#
            ),
            json!({"Item": {"a": {"Bool": true}, "b": {"Ss": ["x"]}, "c": {"Nul": true}}})
        );
    }

    #[test]
    fn s3_get_object_reads_headers_and_the_body() {
        assert_eq!(
            result(
                "s3",
                "GetObject",
                &[
                    ("content-length", "11"),
                    ("content-type", "binary/octet-stream"),
                    ("etag", "\"e1\""),
                    ("last-modified", "Fri, 01 Mar 2024 12:00:00 GMT"),
                    ("accept-ranges", "bytes"),
                ],
                "binary data"
            ),
            json!({
                "AcceptRanges": "bytes",
                "Body": "binary data",
                "ContentLength": 11,
                "ContentType": "binary/octet-stream",
                "ETag": "\"e1\"",
                "LastModified": "2024-03-01T12:00:00Z",
                "Metadata": {}
            })
        );
    }

    #[test]
    fn xml_lists_and_query_results() {
        let listed = result(
            "s3",
            "ListObjectsV2",
            &[],
            "<ListBucketResult><Name>b</Name><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>\
             <Contents><Key>k</Key><Size>3</Size></Contents></ListBucketResult>",
        );
        assert_eq!(
            listed,
            json!({"Contents": [{"Key": "k", "Size": 3}], "IsTruncated": false, "KeyCount": 1, "Name": "b"})
        );
        let identity = result(
            "sts",
            "GetCallerIdentity",
            &[],
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123</Account>\
             <Arn>arn:x</Arn><UserId>u</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>",
        );
        assert_eq!(
            identity,
            json!({"Account": "123", "Arn": "arn:x", "UserId": "u"})
        );
        let described = result(
            "ec2",
            "DescribeVpcs",
            &[],
            "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId><isDefault>true</isDefault>\
             </item></vpcSet></DescribeVpcsResponse>",
        );
        assert_eq!(
            described,
            json!({"Vpcs": [{"IsDefault": true, "VpcId": "vpc-1"}]})
        );
    }
}
