//! A state machine read from a SAM or CloudFormation template, and the `${KEY}` placeholders of
//! a definition filled in (`DefinitionSubstitutions`, as CloudFormation fills them at deploy).
//!
//! A template's substitution values are often intrinsic functions (`!Ref OrdersTable`,
//! `!GetAtt ValidateFunction.Arn`, `!Sub ...`), which only a deployment resolves. Here each
//! gets a stand-in in the shape the real value has (a table name, a function ARN in account
//! 123456789012, us-east-1), made from the resource it names, so that a definition runs and
//! validates locally; `--sub KEY=VALUE` gives any value for real. A parameter's `Ref` is its
//! `Default`.
//!
//! Why not a YAML library's CloudFormation support: the YAML reader drops the short-form tags
//! (`!Ref X` reads as `X`), so the tags of the substitution lines are read from the text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// The account and region of the stand-ins (Switchback's default identity).
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

/// A state machine of a template: its definition text and its substitutions.
pub struct TemplateMachine {
    /// The definition text, placeholders not yet filled.
    pub definition: String,
    /// Where the definition came from (the template, or its `DefinitionUri` file).
    pub origin: PathBuf,
    /// `DefinitionSubstitutions`, each resolved to its value or stand-in.
    pub substitutions: BTreeMap<String, String>,
}

/// Reads the state machine `resource` of the template at `path`.
pub fn read(path: &Path, resource: &str) -> Result<TemplateMachine> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read template {}", path.display()))?;
    let doc = switchback_asl::load::parse_document(&text)
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let resources = doc
        .get("Resources")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("{}: the template has no Resources", path.display()))?;
    let Some(machine) = resources.get(resource) else {
        let machines: Vec<&str> = resources
            .iter()
            .filter(|(_, r)| is_state_machine(r))
            .map(|(k, _)| k.as_str())
            .collect();
        bail!(
            "{}: no resource '{resource}'; its state machines: {}",
            path.display(),
            if machines.is_empty() {
                "none".to_string()
            } else {
                machines.join(", ")
            }
        );
    };
    if !is_state_machine(machine) {
        bail!(
            "{}: '{resource}' is a {}, not a state machine",
            path.display(),
            machine
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or("resource")
        );
    }
    let props = machine.get("Properties").cloned().unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("."));
    let (definition, origin) = if let Some(d) = props.get("Definition") {
        (serde_json::to_string_pretty(d)?, path.to_path_buf())
    } else if let Some(Value::String(s)) = props.get("DefinitionString") {
        (s.clone(), path.to_path_buf())
    } else if let Some(Value::String(uri)) = props.get("DefinitionUri") {
        let file = dir.join(uri);
        let text = std::fs::read_to_string(&file).with_context(|| {
            format!(
                "cannot read {} (the DefinitionUri of '{resource}')",
                file.display()
            )
        })?;
        (text, file)
    } else {
        bail!(
            "{}: '{resource}' has no Definition, DefinitionString or local DefinitionUri",
            path.display()
        );
    };
    let tags = substitution_tags(&text);
    let world = World {
        resources,
        parameters: doc.get("Parameters").and_then(Value::as_object),
    };
    let mut substitutions = BTreeMap::new();
    if let Some(subs) = props
        .get("DefinitionSubstitutions")
        .and_then(Value::as_object)
    {
        for (key, value) in subs {
            let resolved = world.value(value, tags.get(key).map(String::as_str));
            substitutions.insert(key.clone(), resolved);
        }
    }
    Ok(TemplateMachine {
        definition,
        origin,
        substitutions,
    })
}

fn is_state_machine(r: &Value) -> bool {
    matches!(
        r.get("Type").and_then(Value::as_str),
        Some("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine")
    )
}

/// The short-form tag (`Ref`, `GetAtt`, `Sub` ...) of each `KEY: !Tag ...` line.
fn substitution_tags(text: &str) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    for line in text.lines() {
        let Some((key, rest)) = line.trim().split_once(':') else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(tagged) = rest.strip_prefix('!') {
            let tag: String = tagged.chars().take_while(|c| c.is_alphanumeric()).collect();
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            tags.insert(key.to_string(), tag);
        }
    }
    tags
}

/// The template's resources and parameters, to make stand-ins from.
struct World<'t> {
    resources: &'t serde_json::Map<String, Value>,
    parameters: Option<&'t serde_json::Map<String, Value>>,
}

impl World<'_> {
    /// A substitution's value: a literal as it is, an intrinsic function's stand-in.
    fn value(&self, value: &Value, tag: Option<&str>) -> String {
        match (value, tag) {
            (Value::String(s), Some("Ref")) => self.reference(s),
            (Value::String(s), Some("GetAtt")) => {
                let (id, attr) = s.split_once('.').unwrap_or((s, "Arn"));
                self.attribute(id, attr)
            }
            (Value::String(s), Some("Sub")) => self.sub(s),
            (Value::String(s), _) => s.clone(),
            (Value::Object(o), _) => {
                if let Some(Value::String(id)) = o.get("Ref") {
                    self.reference(id)
                } else if let Some(att) = o.get("Fn::GetAtt") {
                    match att {
                        Value::Array(a) => self.attribute(
                            a.first().and_then(Value::as_str).unwrap_or_default(),
                            a.get(1).and_then(Value::as_str).unwrap_or("Arn"),
                        ),
                        Value::String(s) => {
                            let (id, attr) = s.split_once('.').unwrap_or((s, "Arn"));
                            self.attribute(id, attr)
                        }
                        _ => value.to_string(),
                    }
                } else if let Some(Value::String(s)) = o.get("Fn::Sub") {
                    self.sub(s)
                } else {
                    value.to_string()
                }
            }
            (other, _) => match other {
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => other.to_string(),
            },
        }
    }

    /// `${AWS::Region}`, `${Name}` and `${Name.Attr}` in a `!Sub` string.
    fn sub(&self, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = &after[..end];
            out.push_str(&match name.split_once('.') {
                _ if name.starts_with("AWS::") => pseudo(name),
                Some((id, attr)) => self.attribute(id, attr),
                None => self.reference(name),
            });
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A resource's (or parameter's) `Ref`.
    fn reference(&self, id: &str) -> String {
        if id.starts_with("AWS::") {
            return pseudo(id);
        }
        if let Some(p) = self.parameters.and_then(|p| p.get(id)) {
            return match p.get("Default") {
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => id.to_string(),
            };
        }
        let (kind, name) = self.resource(id);
        match kind {
            "AWS::SQS::Queue" => format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"),
            "AWS::SNS::Topic" => format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}"),
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
                format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}")
            }
            "AWS::S3::Bucket" => name.to_lowercase(),
            _ => name,
        }
    }

    /// A resource's `Fn::GetAtt` of `attr`.
    fn attribute(&self, id: &str, attr: &str) -> String {
        let (kind, name) = self.resource(id);
        match (kind, attr) {
            ("AWS::Lambda::Function" | "AWS::Serverless::Function", "Arn") => {
                format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
            }
            ("AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable", "Arn") => {
                format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}")
            }
            ("AWS::SQS::Queue", "Arn") => format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"),
            ("AWS::SQS::Queue", "QueueUrl") => {
                format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}")
            }
            ("AWS::SNS::Topic", "TopicArn") => format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}"),
            ("AWS::S3::Bucket", "Arn") => format!("arn:aws:s3:::{}", name.to_lowercase()),
            ("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine", "Arn") => {
                format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}")
            }
            ("AWS::Events::EventBus", "Arn") => {
                format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}")
            }
            (_, "Name" | "TopicName" | "QueueName") => name,
            _ => format!("{id}.{attr}"),
        }
    }

    /// A resource's type, and its name (its name property when literal, else its logical id).
    fn resource(&self, id: &str) -> (&str, String) {
        let Some(r) = self.resources.get(id) else {
            return ("", id.to_string());
        };
        let kind = r.get("Type").and_then(Value::as_str).unwrap_or_default();
        let name = [
            "FunctionName",
            "TableName",
            "QueueName",
            "TopicName",
            "BucketName",
            "StateMachineName",
            "Name",
        ]
        .iter()
        .find_map(|p| r.get("Properties")?.get(*p)?.as_str())
        .unwrap_or(id)
        .to_string();
        (kind, name)
    }
}

/// A pseudo parameter's stand-in.
fn pseudo(name: &str) -> String {
    match name {
        "AWS::Region" => REGION.into(),
        "AWS::AccountId" => ACCOUNT.into(),
        "AWS::Partition" => "aws".into(),
        "AWS::URLSuffix" => "amazonaws.com".into(),
        "AWS::StackName" => "local-stack".into(),
        other => other.into(),
    }
}

/// Fills the `${KEY}` placeholders of `text` with `values`; returns the text and the
/// placeholders left unfilled.
pub fn substitute(text: &str, values: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut left = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let key = &after[..end];
                match values.get(key) {
                    Some(v) => out.push_str(v),
                    None => {
                        if !left.iter().any(|k| k == key) {
                            left.push(key.to_string());
                        }
                        out.push_str(&rest[start..start + 2 + end + 1]);
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    (out, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_the_rest_reported() {
        let values: BTreeMap<String, String> = [("Table".to_string(), "orders".to_string())]
            .into_iter()
            .collect();
        let (text, left) = substitute(r#"{"T": "${Table}", "F": "${Fn}", "X": "$.a"}"#, &values);
        assert_eq!(text, r#"{"T": "orders", "F": "${Fn}", "X": "$.a"}"#);
        assert_eq!(left, ["Fn"]);
    }

    #[test]
    fn a_sam_templates_intrinsics_get_stand_ins_shaped_like_the_real_values() {
        let dir = std::env::temp_dir().join(format!("sb-template-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sm")).unwrap();
        std::fs::write(
            dir.join("template.yaml"),
            r#"
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  OrdersTable:
    Type: AWS::Serverless::SimpleTable
  Validate:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: validate-order}
  Orders:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: sm/orders.asl.json
      DefinitionSubstitutions:
        TableName: !Ref OrdersTable
        FunctionArn: !GetAtt Validate.Arn
        Topic: !Sub "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alerts-${Stage}"
        Literal: plain
"#,
        )
        .unwrap();
        std::fs::write(dir.join("sm/orders.asl.json"), "{}").unwrap();
        let m = read(&dir.join("template.yaml"), "Orders").unwrap();
        assert_eq!(
            m.origin,
            dir.join("template.yaml")
                .parent()
                .unwrap()
                .join("sm/orders.asl.json")
        );
        assert_eq!(m.substitutions["TableName"], "OrdersTable");
        assert_eq!(
            m.substitutions["FunctionArn"],
            "arn:aws:lambda:us-east-1:123456789012:function:validate-order"
        );
        assert_eq!(
            m.substitutions["Topic"],
            "arn:aws:sns:us-east-1:123456789012:alerts-dev"
        );
        assert_eq!(m.substitutions["Literal"], "plain");
        let e = read(&dir.join("template.yaml"), "Nope").err().unwrap();
        assert!(e.to_string().contains("its state machines: Orders"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
