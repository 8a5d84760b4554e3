//! A Task's parameters as the HTTP request of a service's operation, in the service's
//! protocol: AWS JSON, REST-JSON, REST-XML, query or EC2.
//!
//! The parameters name the operation's input members in Step Functions' PascalCase
//! ([`super::naming`]); each is found in the model and written under its wire name, by its
//! type: a timestamp as the protocol writes one (epoch seconds in JSON bodies, ISO 8601 in
//! XML, forms, URIs and query strings, an HTTP date in headers), a blob as given (base64
//! text) except where it is the whole body, `null` left out. A member the operation does not
//! have is an error that names the members it does have.
//!
//! REST protocols place members by their HTTP binding: URI labels (`{Bucket}`, greedy
//! `{Key+}`), query-string parameters, headers (and prefixed header maps such as S3's
//! `x-amz-meta-`), and the body: the payload member alone (a blob as its bytes, a structure as
//! JSON or XML) or the remaining members as one JSON object or XML element. A blob body given
//! as text is sent as that text (`text/plain; charset=UTF-8` unless the parameters give a
//! content type), any other JSON as its JSON text, as Step Functions does.

use std::fmt::Write as _;

use base64::Engine as _;
use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet};
use serde_json::{Map, Value};

use super::model::{Location, Member, Operation, Protocol, Scalar, ServiceModel, Shape, Type};
use super::naming::pascal;
use super::time;

/// Everything but the unreserved characters, as the SDKs encode URI labels and forms (the
/// query protocol's set).
const UNRESERVED: &AsciiSet = crate::aws::query_protocol::FORM_SET;
/// A greedy label (`{Key+}`) keeps its slashes.
const GREEDY: &AsciiSet = &UNRESERVED.remove(b'/');

/// One request, before it is addressed and signed.
#[derive(Debug, Default)]
pub(crate) struct WireRequest {
    pub method: &'static str,
    /// The path and query, from `/`.
    pub path_and_query: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// S3: the bucket, which a virtual-hosted address puts in the host.
    pub bucket: Option<String>,
}

/// A fault in the parameters, said for the task's cause.
pub(crate) type Fault = String;

/// The request for `operation` with `parameters`.
pub(crate) fn build(
    model: &ServiceModel,
    name: &str,
    operation: &Operation,
    parameters: &Value,
) -> Result<WireRequest, Fault> {
    let empty = Map::new();
    let given = match parameters {
        Value::Object(members) => members,
        Value::Null => &empty,
        other => {
            return Err(format!(
                "the parameters must be an object of {name}'s input members, not {}",
                kind(other)
            ))
        }
    };
    let writer = Writer { model };
    match model.protocol {
        Protocol::Json => writer.json_rpc(name, operation, given),
        Protocol::Query | Protocol::Ec2 => writer.query(name, operation, given),
        Protocol::RestJson | Protocol::RestXml => writer.rest(operation, given),
    }
}

struct Writer<'m> {
    model: &'m ServiceModel,
}

/// A structure's members that the parameters give, each with its model name and facts.
type Bound<'m, 'v> = Vec<(&'m str, &'m Member, &'v Value)>;

impl<'m> Writer<'m> {
    fn shape(&self, name: &str) -> Result<&'m Shape, Fault> {
        self.model
            .shape(name)
            .ok_or_else(|| format!("the model has no shape {name}"))
    }

    /// The members `given` names, matched to the structure's by Step Functions' names.
    fn bind<'v>(
        &self,
        shape_name: &str,
        given: &'v Map<String, Value>,
        path: &str,
    ) -> Result<Bound<'m, 'v>, Fault> {
        let Shape::Structure { members, .. } = self.shape(shape_name)? else {
            return Err(format!("{path} is not a structure"));
        };
        let mut bound = Vec::with_capacity(given.len());
        for (key, value) in given {
            let found = members
                .get_key_value(key.as_str())
                .filter(|(name, _)| pascal(name) == key.as_str())
                .or_else(|| {
                    members
                        .iter()
                        .find(|(name, _)| pascal(name) == key.as_str())
                });
            let Some((name, member)) = found else {
                let known: Vec<_> = members.keys().map(|n| pascal(n)).collect();
                return Err(format!(
                    "the field '{key}' is not a member of {path} (its members: {})",
                    known.join(", ")
                ));
            };
            if !value.is_null() {
                bound.push((name.as_str(), member, value));
            }
        }
        Ok(bound)
    }

    // ---- AWS JSON ------------------------------------------------------------------------

    fn json_rpc(
        &self,
        name: &str,
        operation: &Operation,
        given: &Map<String, Value>,
    ) -> Result<WireRequest, Fault> {
        let body = match &operation.input {
            Some(input) => self.json_structure(input, given, name)?,
            None => Value::Object(Map::new()),
        };
        let version = self.model.json.as_deref().unwrap_or("1.0");
        let target = self.model.target.as_deref().unwrap_or_default();
        Ok(WireRequest {
            method: "POST",
            path_and_query: "/".into(),
            headers: vec![
                (
                    "content-type".into(),
                    format!("application/x-amz-json-{version}"),
                ),
                ("x-amz-target".into(), format!("{target}.{name}")),
            ],
            body: Bytes::from(body.to_string()),
            bucket: None,
        })
    }

    fn json_structure(
        &self,
        shape: &str,
        given: &Map<String, Value>,
        path: &str,
    ) -> Result<Value, Fault> {
        if let Shape::Structure { document: 1, .. } = self.shape(shape)? {
            return Ok(Value::Object(given.clone()));
        }
        let mut out = Map::with_capacity(given.len());
        for (name, member, value) in self.bind(shape, given, path)? {
            if member.location != Location::Body {
                continue;
            }
            let path = format!("{path}.{}", pascal(name));
            out.insert(
                member.wire(name).to_string(),
                self.json_value(&member.ty, value, &path)?,
            );
        }
        Ok(Value::Object(out))
    }

    fn json_value(&self, ty: &Type, value: &Value, path: &str) -> Result<Value, Fault> {
        match ty {
            Type::Scalar(scalar) => json_scalar(*scalar, value, path),
            Type::Shape(shape) => match self.shape(shape)? {
                Shape::Structure { document: 1, .. } => Ok(value.clone()),
                Shape::Structure { .. } => match value {
                    Value::Object(given) => self.json_structure(shape, given, path),
                    other => Err(expected(path, "an object", other)),
                },
                Shape::List { item, .. } => match value {
                    Value::Array(items) => items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.json_value(item, v, &format!("{path}[{i}]")))
                        .collect::<Result<_, _>>()
                        .map(Value::Array),
                    other => Err(expected(path, "an array", other)),
                },
                Shape::Map { types, .. } => match value {
                    Value::Object(entries) => {
                        let mut out = Map::with_capacity(entries.len());
                        for (k, v) in entries {
                            if !v.is_null() {
                                let v = self.json_value(&types.1, v, &format!("{path}.{k}"))?;
                                out.insert(k.clone(), v);
                            }
                        }
                        Ok(Value::Object(out))
                    }
                    other => Err(expected(path, "an object", other)),
                },
            },
        }
    }

    // ---- query and EC2 -------------------------------------------------------------------

    fn query(
        &self,
        name: &str,
        operation: &Operation,
        given: &Map<String, Value>,
    ) -> Result<WireRequest, Fault> {
        let mut form = Form::default();
        form.pair("Action", name);
        form.pair("Version", &self.model.version);
        if let Some(input) = &operation.input {
            self.form_structure(&mut form, "", input, given, name)?;
        }
        Ok(WireRequest {
            method: "POST",
            path_and_query: "/".into(),
            headers: vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            )],
            body: Bytes::from(form.out),
            bucket: None,
        })
    }

    fn form_structure(
        &self,
        form: &mut Form,
        prefix: &str,
        shape: &str,
        given: &Map<String, Value>,
        path: &str,
    ) -> Result<(), Fault> {
        let ec2 = self.model.protocol == Protocol::Ec2;
        for (name, member, value) in self.bind(shape, given, path)? {
            let key = if ec2 {
                member.query_name.clone().unwrap_or_else(|| {
                    let wire = member.wire(name);
                    let mut chars = wire.chars();
                    chars.next().map_or_else(String::new, |first| {
                        first.to_uppercase().chain(chars).collect::<String>()
                    })
                })
            } else {
                member.wire(name).to_string()
            };
            let key = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            let path = format!("{path}.{}", pascal(name));
            self.form_value(form, &key, &member.ty, value, member.flattened, &path)?;
        }
        Ok(())
    }

    fn form_value(
        &self,
        form: &mut Form,
        key: &str,
        ty: &Type,
        value: &Value,
        flattened: bool,
        path: &str,
    ) -> Result<(), Fault> {
        let ec2 = self.model.protocol == Protocol::Ec2;
        match ty {
            Type::Scalar(scalar) => {
                let text = text_scalar(*scalar, value, path, TextUse::Form)?;
                form.pair(key, &text);
            }
            Type::Shape(shape) => match self.shape(shape)? {
                Shape::Structure { .. } => match value {
                    Value::Object(given) => self.form_structure(form, key, shape, given, path)?,
                    other => return Err(expected(path, "an object", other)),
                },
                Shape::List {
                    item,
                    item_name,
                    flattened: list_flattened,
                    ..
                } => {
                    let Value::Array(items) = value else {
                        return Err(expected(path, "an array", value));
                    };
                    if items.is_empty() && !ec2 {
                        form.pair(key, "");
                    }
                    for (i, v) in items.iter().enumerate() {
                        let item_key = if ec2 || flattened || *list_flattened == 1 {
                            format!("{key}.{}", i + 1)
                        } else {
                            format!(
                                "{key}.{}.{}",
                                item_name.as_deref().unwrap_or("member"),
                                i + 1
                            )
                        };
                        self.form_value(form, &item_key, item, v, false, &format!("{path}[{i}]"))?;
                    }
                }
                Shape::Map {
                    types,
                    key_name,
                    value_name,
                    flattened: map_flattened,
                    ..
                } => {
                    let Value::Object(entries) = value else {
                        return Err(expected(path, "an object", value));
                    };
                    for (i, (k, v)) in entries.iter().enumerate() {
                        let entry = if flattened || *map_flattened == 1 {
                            format!("{key}.{}", i + 1)
                        } else {
                            format!("{key}.entry.{}", i + 1)
                        };
                        form.pair(
                            &format!("{entry}.{}", key_name.as_deref().unwrap_or("key")),
                            k,
                        );
                        self.form_value(
                            form,
                            &format!("{entry}.{}", value_name.as_deref().unwrap_or("value")),
                            &types.1,
                            v,
                            false,
                            &format!("{path}.{k}"),
                        )?;
                    }
                }
            },
        }
        Ok(())
    }

    // ---- REST ----------------------------------------------------------------------------

    fn rest(
        &self,
        operation: &Operation,
        given: &Map<String, Value>,
    ) -> Result<WireRequest, Fault> {
        let Some((method, template)) = &operation.http else {
            return Err("the model gives no HTTP binding for the operation".into());
        };
        let method = match method.as_str() {
            "GET" => "GET",
            "PUT" => "PUT",
            "DELETE" => "DELETE",
            "HEAD" => "HEAD",
            "PATCH" => "PATCH",
            _ => "POST",
        };
        let mut request = WireRequest {
            method,
            ..WireRequest::default()
        };
        let (path_template, fixed_query) = template.split_once('?').unwrap_or((template, ""));
        let mut labels: Vec<(&str, String)> = Vec::new();
        let mut query: Vec<(String, String)> = Vec::new();
        let mut body_members: Map<String, Value> = Map::new();
        let mut payload: Option<(&str, &Member, &Value)> = None;
        let (input_shape, payload_name) = match &operation.input {
            Some(input) => match self.shape(input)? {
                Shape::Structure { payload, .. } => (Some(input.as_str()), payload.as_deref()),
                _ => (None, None),
            },
            None => (None, None),
        };
        let bound = match input_shape {
            Some(input) => self.bind(input, given, "the input")?,
            None => Vec::new(),
        };
        let mut has_content_type = false;
        for (name, member, value) in bound {
            let path = pascal(name).into_owned();
            let wire = member.wire(name);
            match member.location {
                Location::Uri => labels.push((
                    wire,
                    text_scalar_of(&member.ty, value, &path, TextUse::Uri)?,
                )),
                Location::Query => match (&member.ty, value) {
                    (Type::Shape(_), Value::Array(items)) => {
                        for item in items {
                            query.push((wire.into(), text_plain(item)));
                        }
                    }
                    (Type::Shape(_), Value::Object(entries)) => {
                        for (k, v) in entries {
                            query.push((k.clone(), text_plain(v)));
                        }
                    }
                    _ => query.push((
                        wire.into(),
                        text_scalar_of(&member.ty, value, &path, TextUse::Uri)?,
                    )),
                },
                Location::Header => {
                    has_content_type |= wire.eq_ignore_ascii_case("content-type");
                    let text = match (&member.ty, value) {
                        (Type::Scalar(Scalar::Json), v) => {
                            base64::engine::general_purpose::STANDARD.encode(
                                if let Value::String(s) = v {
                                    s.clone()
                                } else {
                                    v.to_string()
                                },
                            )
                        }
                        (Type::Shape(_), Value::Array(items)) => {
                            items.iter().map(text_plain).collect::<Vec<_>>().join(",")
                        }
                        (ty, v) => text_scalar_of(ty, v, &path, TextUse::Header)?,
                    };
                    request.headers.push((wire.to_ascii_lowercase(), text));
                }
                Location::Headers => {
                    let Value::Object(entries) = value else {
                        return Err(expected(&path, "an object", value));
                    };
                    for (k, v) in entries {
                        request
                            .headers
                            .push((format!("{wire}{k}").to_ascii_lowercase(), text_plain(v)));
                    }
                }
                Location::Status => {}
                Location::Body if Some(name) == payload_name => {
                    payload = Some((name, member, value))
                }
                Location::Body => {
                    body_members.insert(path, value.clone());
                }
            }
        }

        // The path: each label replaced by its value, percent-encoded.
        let mut path = String::with_capacity(path_template.len() + 32);
        let mut rest = path_template;
        while let Some(open) = rest.find('{') {
            path.push_str(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .ok_or("the model's URI template is not closed")?;
            let label = &rest[open + 1..close];
            let (label, greedy) = label
                .strip_suffix('+')
                .map_or((label, false), |l| (l, true));
            let Some((_, value)) = labels.iter().find(|(wire, _)| *wire == label) else {
                return Err(format!(
                    "the parameters lack the required field '{}'",
                    pascal(label)
                ));
            };
            if label == "Bucket" && self.model.id == "S3" {
                request.bucket = Some(value.clone());
            }
            let set = if greedy { GREEDY } else { UNRESERVED };
            path.extend(utf8_percent_encode(value, set));
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        let mut pairs: Vec<String> = fixed_query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        for (k, v) in &query {
            pairs.push(format!(
                "{}={}",
                utf8_percent_encode(k, UNRESERVED),
                utf8_percent_encode(v, UNRESERVED)
            ));
        }
        request.path_and_query = if pairs.is_empty() {
            path
        } else {
            format!("{path}?{}", pairs.join("&"))
        };

        // The body.
        let xml = self.model.protocol == Protocol::RestXml;
        if let Some((name, member, value)) = payload {
            match &member.ty {
                Type::Scalar(Scalar::Blob | Scalar::StreamingBlob) => {
                    request.body = Bytes::from(match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
                    if !has_content_type {
                        request
                            .headers
                            .push(("content-type".into(), "text/plain; charset=UTF-8".into()));
                    }
                }
                Type::Scalar(scalar) => {
                    request.body = Bytes::from(text_scalar(*scalar, value, name, TextUse::Form)?);
                }
                Type::Shape(shape) if xml => {
                    let element = member
                        .wire_name
                        .clone()
                        .or_else(|| match self.shape(shape) {
                            Ok(Shape::Structure { xml_name, .. }) => xml_name.clone(),
                            _ => None,
                        })
                        .unwrap_or_else(|| name.to_string());
                    let namespace =
                        member
                            .xml_namespace
                            .clone()
                            .or_else(|| match self.shape(shape) {
                                Ok(Shape::Structure { xml_namespace, .. }) => xml_namespace.clone(),
                                _ => None,
                            });
                    let mut out = String::new();
                    self.xml_element(
                        &mut out,
                        &element,
                        &member.ty,
                        value,
                        namespace.as_deref(),
                        name,
                    )?;
                    request.body = Bytes::from(out);
                    request
                        .headers
                        .push(("content-type".into(), "application/xml".into()));
                }
                Type::Shape(_) => {
                    let json = self.json_value(&member.ty, value, name)?;
                    request.body = Bytes::from(json.to_string());
                    request
                        .headers
                        .push(("content-type".into(), "application/json".into()));
                }
            }
        } else if let Some(input) = input_shape {
            let has_body_members = matches!(self.shape(input)?, Shape::Structure { members, .. }
                if members.values().any(|m| m.location == Location::Body));
            if xml && !body_members.is_empty() {
                let (element, namespace) = match self.shape(input)? {
                    Shape::Structure {
                        xml_name,
                        xml_namespace,
                        ..
                    } => (
                        xml_name.clone().unwrap_or_else(|| input.to_string()),
                        xml_namespace.clone().or_else(|| self.model.xmlns.clone()),
                    ),
                    _ => (input.to_string(), None),
                };
                let mut out = String::new();
                let ty = Type::Shape(input.to_string());
                self.xml_element(
                    &mut out,
                    &element,
                    &ty,
                    &Value::Object(body_members),
                    namespace.as_deref(),
                    "the input",
                )?;
                request.body = Bytes::from(out);
                request
                    .headers
                    .push(("content-type".into(), "application/xml".into()));
            } else if !xml && has_body_members {
                let body = self.json_structure(input, &body_members, "the input")?;
                request.body = Bytes::from(body.to_string());
                request
                    .headers
                    .push(("content-type".into(), "application/json".into()));
            }
        }
        Ok(request)
    }

    // ---- XML -----------------------------------------------------------------------------

    fn xml_element(
        &self,
        out: &mut String,
        element: &str,
        ty: &Type,
        value: &Value,
        namespace: Option<&str>,
        path: &str,
    ) -> Result<(), Fault> {
        out.push('<');
        out.push_str(element);
        if let Some(ns) = namespace {
            let _ = write!(out, " xmlns=\"{}\"", escape(ns));
        }
        out.push('>');
        match ty {
            Type::Scalar(scalar) => {
                out.push_str(&escape(&text_scalar(*scalar, value, path, TextUse::Xml)?));
            }
            Type::Shape(shape) => match self.shape(shape)? {
                Shape::Structure { .. } => {
                    let Value::Object(given) = value else {
                        return Err(expected(path, "an object", value));
                    };
                    for (name, member, v) in self.bind(shape, given, path)? {
                        if member.location != Location::Body || member.xml_attribute {
                            continue;
                        }
                        let path = format!("{path}.{}", pascal(name));
                        let wire = member.wire(name);
                        match (self.list_item(&member.ty), v) {
                            (Some(item), Value::Array(items)) if member.flattened => {
                                for item_value in items {
                                    self.xml_element(out, wire, item, item_value, None, &path)?;
                                }
                            }
                            _ => self.xml_element(
                                out,
                                wire,
                                &member.ty,
                                v,
                                member.xml_namespace.as_deref(),
                                &path,
                            )?,
                        }
                    }
                }
                Shape::List {
                    item, item_name, ..
                } => {
                    let Value::Array(items) = value else {
                        return Err(expected(path, "an array", value));
                    };
                    let name = item_name.as_deref().unwrap_or("member");
                    for (i, v) in items.iter().enumerate() {
                        self.xml_element(out, name, item, v, None, &format!("{path}[{i}]"))?;
                    }
                }
                Shape::Map {
                    types,
                    key_name,
                    value_name,
                    ..
                } => {
                    let Value::Object(entries) = value else {
                        return Err(expected(path, "an object", value));
                    };
                    for (k, v) in entries {
                        out.push_str("<entry>");
                        let key = key_name.as_deref().unwrap_or("key");
                        let _ = write!(out, "<{key}>{}</{key}>", escape(k));
                        let value_element = value_name.as_deref().unwrap_or("value");
                        self.xml_element(out, value_element, &types.1, v, None, path)?;
                        out.push_str("</entry>");
                    }
                }
            },
        }
        let _ = write!(out, "</{element}>");
        Ok(())
    }

    fn list_item(&self, ty: &'m Type) -> Option<&'m Type> {
        match ty {
            Type::Shape(shape) => match self.model.shape(shape) {
                Some(Shape::List { item, .. }) => Some(item),
                _ => None,
            },
            Type::Scalar(_) => None,
        }
    }
}

/// Where a scalar is written as text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextUse {
    Form,
    Xml,
    Uri,
    Header,
}

/// A scalar member's value in a JSON body.
fn json_scalar(scalar: Scalar, value: &Value, path: &str) -> Result<Value, Fault> {
    Ok(match (scalar, value) {
        (Scalar::Integer, Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| expected(path, "an integer", value))?,
        (Scalar::Float, Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| expected(path, "a number", value))?,
        (Scalar::Integer | Scalar::Float, Value::Number(_)) => value.clone(),
        (Scalar::Boolean, Value::Bool(_)) => value.clone(),
        (Scalar::Boolean, Value::String(s)) if s == "true" || s == "false" => {
            Value::Bool(s == "true")
        }
        (Scalar::Timestamp(format), v) => {
            let at = time::parse_input(v).ok_or_else(|| expected(path, "a timestamp", v))?;
            match format {
                Some(super::model::TimestampFormat::Iso8601) => Value::String(time::iso8601(at)),
                Some(super::model::TimestampFormat::HttpDate) => Value::String(time::http_date(at)),
                _ => time::epoch_seconds(at),
            }
        }
        (Scalar::Json, Value::String(_)) => value.clone(),
        (Scalar::Json, other) => Value::String(other.to_string()),
        (Scalar::String | Scalar::Blob | Scalar::StreamingBlob, Value::String(_)) => value.clone(),
        (Scalar::String, Value::Number(n)) => Value::String(n.to_string()),
        (Scalar::String, Value::Bool(b)) => Value::String(b.to_string()),
        (Scalar::Blob | Scalar::StreamingBlob, other) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(other.to_string()))
        }
        (Scalar::Integer, other) => return Err(expected(path, "an integer", other)),
        (Scalar::Float, other) => return Err(expected(path, "a number", other)),
        (Scalar::Boolean, other) => return Err(expected(path, "a boolean", other)),
        (Scalar::String, other) => return Err(expected(path, "a string", other)),
    })
}

/// A scalar member's value as text (forms, XML, URIs, headers).
fn text_scalar(scalar: Scalar, value: &Value, path: &str, used: TextUse) -> Result<String, Fault> {
    if let Scalar::Timestamp(format) = scalar {
        let at = time::parse_input(value).ok_or_else(|| expected(path, "a timestamp", value))?;
        return Ok(match (format, used) {
            (Some(super::model::TimestampFormat::UnixSeconds), _) => {
                time::epoch_seconds(at).to_string()
            }
            (Some(super::model::TimestampFormat::HttpDate), _) | (None, TextUse::Header) => {
                time::http_date(at)
            }
            _ => time::iso8601(at),
        });
    }
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other if matches!(scalar, Scalar::Json | Scalar::Blob | Scalar::StreamingBlob) => {
            Ok(other.to_string())
        }
        other => Err(expected(path, "a scalar", other)),
    }
}

fn text_scalar_of(ty: &Type, value: &Value, path: &str, used: TextUse) -> Result<String, Fault> {
    match ty {
        Type::Scalar(scalar) => text_scalar(*scalar, value, path, used),
        Type::Shape(_) => Ok(text_plain(value)),
    }
}

/// Any value as plain text: a string as itself, anything else as its JSON.
fn text_plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected(path: &str, what: &str, got: &Value) -> Fault {
    format!("the field '{path}' must be {what}, not {}", kind(got))
}

/// A query-protocol form.
#[derive(Default)]
struct Form {
    out: String,
}

impl Form {
    fn pair(&mut self, name: &str, value: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        self.out.extend(utf8_percent_encode(name, UNRESERVED));
        self.out.push('=');
        self.out.extend(utf8_percent_encode(value, UNRESERVED));
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::service;
    use super::*;
    use serde_json::json;

    fn request(service_name: &str, op: &str, parameters: Value) -> Result<WireRequest, Fault> {
        let model = service(service_name).unwrap();
        let operation = model.ops.get(op).unwrap();
        build(&model, op, operation, &parameters)
    }

    #[test]
    fn aws_json_renames_members_to_the_wire() {
        let r = request(
            "sfn",
            "StartExecution",
            json!({"StateMachineArn": "arn:sm", "Input": "{}", "Name": null}),
        )
        .unwrap();
        assert_eq!(r.method, "POST");
        assert!(r.headers.contains(&(
            "x-amz-target".into(),
            "AWSStepFunctions.StartExecution".into()
        )));
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body, json!({"stateMachineArn": "arn:sm", "input": "{}"}));
        let fault = request("sfn", "StartExecution", json!({"Nope": 1})).unwrap_err();
        assert!(
            fault.contains("'Nope'") && fault.contains("StateMachineArn"),
            "{fault}"
        );
    }

    #[test]
    fn dynamodb_attribute_values_take_the_sdk_names() {
        let r = request(
            "dynamodb",
            "PutItem",
            json!({"TableName": "t", "Item": {"a": {"Bool": true}, "b": {"Ss": ["x"]}, "c": {"Nul": true}}}),
        )
        .unwrap();
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body,
            json!({"TableName": "t", "Item": {"a": {"BOOL": true}, "b": {"SS": ["x"]}, "c": {"NULL": true}}})
        );
    }

    #[test]
    fn rest_xml_binds_uri_headers_and_payload() {
        let r = request(
            "s3",
            "PutObject",
            json!({"Bucket": "b", "Key": "a dir/f.json", "Body": ["x"], "Metadata": {"k": "v"}}),
        )
        .unwrap();
        assert_eq!(r.method, "PUT");
        assert_eq!(r.path_and_query, "/b/a%20dir/f.json");
        assert_eq!(&r.body[..], b"[\"x\"]");
        assert_eq!(r.bucket.as_deref(), Some("b"));
        assert!(r.headers.contains(&("x-amz-meta-k".into(), "v".into())));
        assert!(r
            .headers
            .contains(&("content-type".into(), "text/plain; charset=UTF-8".into())));
        let r = request(
            "s3",
            "ListObjectsV2",
            json!({"Bucket": "b", "Prefix": "p/", "MaxKeys": 2}),
        )
        .unwrap();
        assert_eq!(r.path_and_query, "/b?list-type=2&prefix=p%2F&max-keys=2");
        let r = request(
            "s3",
            "CreateBucket",
            json!({"Bucket": "b", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}),
        )
        .unwrap();
        assert_eq!(
            std::str::from_utf8(&r.body).unwrap(),
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"
        );
        assert!(request("s3", "GetObject", json!({"Bucket": "b"})).is_err());
    }

    #[test]
    fn rest_json_binds_labels_and_the_body() {
        let r = request(
            "lambda",
            "Invoke",
            json!({"FunctionName": "f", "Payload": {"a": 1}, "InvocationType": "Event"}),
        )
        .unwrap();
        assert_eq!(r.path_and_query, "/2015-03-31/functions/f/invocations");
        assert_eq!(&r.body[..], br#"{"a":1}"#);
        assert!(r
            .headers
            .contains(&("x-amz-invocation-type".into(), "Event".into())));
        let r = request("eks", "DescribeCluster", json!({"Name": "c"})).unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str()),
            ("GET", "/clusters/c")
        );
    }

    #[test]
    fn query_and_ec2_forms() {
        let r = request(
            "iam",
            "CreateRole",
            json!({"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Tags": [{"Key": "k", "Value": "v"}]}),
        )
        .unwrap();
        let form = std::str::from_utf8(&r.body).unwrap();
        assert!(
            form.starts_with("Action=CreateRole&Version=2010-05-08&"),
            "{form}"
        );
        assert!(
            form.contains("Tags.member.1.Key=k&Tags.member.1.Value=v"),
            "{form}"
        );
        let r = request(
            "ec2",
            "DescribeInstances",
            json!({"InstanceIds": ["i-1", "i-2"], "Filters": [{"Name": "n", "Values": ["a"]}]}),
        )
        .unwrap();
        let form = std::str::from_utf8(&r.body).unwrap();
        assert!(form.contains("InstanceId.1=i-1&InstanceId.2=i-2"), "{form}");
        assert!(
            form.contains("Filter.1.Name=n&Filter.1.Value.1=a"),
            "{form}"
        );
    }
}
