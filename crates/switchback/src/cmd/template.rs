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
    let doc = parse_template(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
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
    } else if let Some(Value::Array(sub)) = props.get("DefinitionString") {
        // `!Sub [TEXT, {NAME: VALUE}]`: the text, its own variables filled later.
        let text = sub.first().and_then(Value::as_str).unwrap_or_default();
        (text.to_string(), path.to_path_buf())
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
    let tags = substitution_tags(&text, resource);
    let world = World {
        resources,
        parameters: doc.get("Parameters").and_then(Value::as_object),
        mappings: doc.get("Mappings").and_then(Value::as_object),
        conditions: doc.get("Conditions").and_then(Value::as_object),
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
    // A `DefinitionString` is given with `!Sub`: its other `${...}` are the template's
    // references (its `DefinitionSubstitutions` are left for the caller to fill).
    let definition = match (props.get("Definition"), props.get("DefinitionString")) {
        // An inline `Definition`'s values may be `!Sub` strings (CloudFormation fills them).
        (Some(inline), _) if definition.contains("${") => {
            let keep = substitutions
                .keys()
                .map(|k| (k.clone(), Value::String(format!("${{{k}}}"))))
                .collect();
            let filled = world.fill_subs(inline, &keep);
            serde_json::to_string_pretty(&filled)?
        }
        (_, Some(string)) if definition.contains("${") => {
            let mut variables = string
                .as_array()
                .and_then(|a| a.get(1))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for key in substitutions.keys() {
                variables.insert(key.clone(), Value::String(format!("${{{key}}}")));
            }
            world.sub_with(&definition, Some(&variables))
        }
        _ => definition,
    };
    Ok(TemplateMachine {
        definition,
        origin,
        substitutions,
    })
}

/// A template, JSON or YAML. A key given twice keeps its last value, as SAM's reader (and
/// so `sam deploy`) does: published templates that deploy have such slips.
fn parse_template(text: &str) -> std::result::Result<Value, String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(v);
    }
    let yaml = |text: &str| {
        let mut options = serde_saphyr::Options::default();
        options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
        serde_saphyr::from_str_with_options::<Value>(text, options)
    };
    match yaml(text) {
        Ok(v) => Ok(v),
        // A slip in a part that says nothing of the state machines (its `Outputs`, say, that
        // a more lenient YAML reader such as SAM's accepts) does not keep them from being read.
        Err(e) => yaml(&machine_sections(text))
            .map_err(|_| format!("the template is neither JSON nor YAML: {e}")),
    }
}

/// The template's top-level sections that can bear on a state machine (`Resources`,
/// `Parameters`, `Mappings`, `Conditions`, `Globals`, ...), without the others (`Outputs`,
/// `Metadata`, `Description`).
fn machine_sections(text: &str) -> String {
    const OTHERS: [&str; 3] = ["Outputs:", "Metadata:", "Description:"];
    let mut kept = String::with_capacity(text.len());
    let mut keeping = true;
    for line in text.lines() {
        let top_level = !line.starts_with([' ', '\t', '#', '-']) && !line.trim().is_empty();
        if top_level {
            keeping = !OTHERS.iter().any(|o| line.starts_with(o));
        }
        if keeping {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

fn is_state_machine(r: &Value) -> bool {
    matches!(
        r.get("Type").and_then(Value::as_str),
        Some("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine")
    )
}

/// The short-form tag (`Ref`, `GetAtt`, `Sub` ...) of each `KEY: !Tag ...` line of the
/// resource's `DefinitionSubstitutions` (the YAML reader keeps values, not tags; a key may
/// appear elsewhere in the template with another tag).
fn substitution_tags(text: &str, resource: &str) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines
        .iter()
        .position(|l| l.trim_end() == format!("{}{resource}:", " ".repeat(indent(l))))
    else {
        return tags;
    };
    let resource_indent = indent(lines[start]);
    let in_resource = lines[start + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) > resource_indent);
    let mut block: Option<usize> = None;
    let mut block_lines = Vec::new();
    for line in in_resource {
        match block {
            None if line.trim_start().starts_with("DefinitionSubstitutions:") => {
                block = Some(indent(line));
            }
            None => {}
            Some(_) if line.trim().is_empty() => {}
            Some(at) if indent(line) > at => block_lines.push(*line),
            Some(_) => break,
        }
    }
    for line in block_lines {
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
    mappings: Option<&'t serde_json::Map<String, Value>>,
    conditions: Option<&'t serde_json::Map<String, Value>>,
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
            // `!GetAtt` over lines: `- Resource` then `- Attribute`.
            (Value::Array(a), Some("GetAtt")) => self.attribute(
                a.first().and_then(Value::as_str).unwrap_or_default(),
                a.get(1).and_then(Value::as_str).unwrap_or("Arn"),
            ),
            (Value::Array(a), Some("Join")) => self.join(a),
            (Value::Array(a), Some("FindInMap")) => self.find_in_map(a),
            (Value::Array(a), Some("Select")) => self.select(a),
            (Value::Array(a), Some("Sub")) => self.sub_with(
                a.first().and_then(Value::as_str).unwrap_or_default(),
                a.get(1).and_then(Value::as_object),
            ),
            (Value::Array(a), _) => self.untagged(a),
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
                } else if let Some(Value::Array(a)) = o.get("Fn::Join") {
                    self.join(a)
                } else if let Some(Value::Array(a)) = o.get("Fn::FindInMap") {
                    self.find_in_map(a)
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

    /// `Fn::Join`: `[delimiter, [part, ...]]`, each part a literal or an intrinsic function.
    fn join(&self, args: &[Value]) -> String {
        let delimiter = args.first().and_then(Value::as_str).unwrap_or_default();
        let parts = args.get(1).and_then(Value::as_array);
        parts
            .into_iter()
            .flatten()
            .map(|part| self.value(part, None))
            .collect::<Vec<_>>()
            .join(delimiter)
    }

    /// `Fn::Select`: `[index, list]`, the list usually a `!Split [delimiter, text]`.
    fn select(&self, args: &[Value]) -> String {
        let index = args.first().and_then(Value::as_u64).unwrap_or(0) as usize;
        let items: Vec<String> = match args.get(1) {
            Some(Value::Array(split)) if split.len() == 2 && split[0].is_string() => {
                let delimiter = split[0].as_str().unwrap_or_default();
                let text = self.untagged_text(&split[1]);
                text.split(delimiter).map(str::to_string).collect()
            }
            Some(Value::Array(list)) => list.iter().map(|v| self.untagged_text(v)).collect(),
            _ => Vec::new(),
        };
        items.get(index).cloned().unwrap_or_default()
    }

    /// A list whose function's tag the YAML reader dropped, read by its shape: `[TEXT,
    /// {VARIABLES}]` is a `!Sub`, `[N, [...]]` a `!Select`, `[MAP, KEY, KEY]` a `!FindInMap` of
    /// a mapping the template has, `[CONDITION, THEN, ELSE]` an `!If` (its `ELSE`: conditions
    /// are not evaluated); otherwise its texts joined.
    fn untagged(&self, a: &[Value]) -> String {
        let is_condition = |v: &Value| {
            v.as_str()
                .is_some_and(|c| self.conditions.is_some_and(|m| m.contains_key(c)))
        };
        let is_mapping = |v: &Value| {
            v.as_str()
                .is_some_and(|m| self.mappings.is_some_and(|ms| ms.contains_key(m)))
        };
        match a {
            [Value::String(text), Value::Object(vars)] if text.contains("${") => {
                self.sub_with(text, Some(vars))
            }
            [Value::Number(_), Value::Array(_)] => self.select(a),
            [m, _, _] if is_mapping(m) => self.find_in_map(a),
            [c, _, otherwise] if is_condition(c) => self.untagged_text(otherwise),
            _ => a
                .iter()
                .map(|v| self.untagged_text(v))
                .collect::<Vec<_>>()
                .join(""),
        }
    }

    /// A value whose tag may have been dropped: a `Name.Attr` of a resource is its
    /// attribute, a text with `${...}` a `!Sub`, anything else its value.
    fn untagged_text(&self, v: &Value) -> String {
        match v {
            Value::String(s) => match s.split_once('.') {
                Some((id, attr)) if self.resources.contains_key(id) && !attr.contains('.') => {
                    self.attribute(id, attr)
                }
                _ if s.contains("${") => self.sub(s),
                _ => s.clone(),
            },
            other => self.value(other, None),
        }
    }

    /// `Fn::FindInMap`: `[map, top key, second key]` in the template's `Mappings` (a pseudo
    /// parameter as a key is its stand-in); the keys joined when the map has no such entry.
    fn find_in_map(&self, args: &[Value]) -> String {
        let key = |i: usize| {
            let k = args.get(i).and_then(Value::as_str).unwrap_or_default();
            if k.starts_with("AWS::") {
                pseudo(k)
            } else {
                k.to_string()
            }
        };
        let found = self
            .mappings
            .and_then(|m| m.get(&key(0)))
            .and_then(|m| m.get(key(1)))
            .and_then(|m| m.get(key(2)));
        match found {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => format!("{}-{}", key(1), key(2)),
        }
    }

    /// `value` with its strings' `${...}` filled as `!Sub` fills them (`variables` first).
    fn fill_subs(&self, value: &Value, variables: &serde_json::Map<String, Value>) -> Value {
        match value {
            Value::String(s) if s.contains("${") => {
                Value::String(self.sub_with(s, Some(variables)))
            }
            Value::Array(a) => {
                Value::Array(a.iter().map(|v| self.fill_subs(v, variables)).collect())
            }
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), self.fill_subs(v, variables)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// `${AWS::Region}`, `${Name}` and `${Name.Attr}` in a `!Sub` string.
    fn sub(&self, s: &str) -> String {
        self.sub_with(s, None)
    }

    /// A `!Sub` string with its own variables (`!Sub [TEXT, {NAME: VALUE}]`) first.
    fn sub_with(&self, s: &str, variables: Option<&serde_json::Map<String, Value>>) -> String {
        fill_references(s, |name| match name.split_once('.') {
            _ if variables.is_some_and(|v| v.contains_key(name)) => {
                match variables.and_then(|v| v.get(name)) {
                    // Left as it is, for the caller to fill.
                    Some(Value::String(kept)) if *kept == format!("${{{name}}}") => kept.clone(),
                    Some(v) => self.untagged_text(v),
                    None => String::new(),
                }
            }
            _ if name.starts_with("AWS::") => pseudo(name),
            Some((id, attr)) => self.attribute(id, attr),
            None => self.reference(name),
        })
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
            "AWS::StepFunctions::Activity" => {
                format!("arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}")
            }
            "AWS::Batch::JobQueue" => format!("arn:aws:batch:{REGION}:{ACCOUNT}:job-queue/{name}"),
            "AWS::Batch::JobDefinition" => {
                format!("arn:aws:batch:{REGION}:{ACCOUNT}:job-definition/{name}:1")
            }
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

    /// A name given with `!Sub` (`${AWS::StackName}-orders`, `${Prefix}-orders`): its pseudo
    /// parameters and parameters filled (not other resources, which could lead back here).
    fn plain_sub(&self, s: &str) -> String {
        fill_references(s, |name| {
            let param = self.parameters.and_then(|p| p.get(name));
            match param.and_then(|p| p.get("Default")) {
                _ if name.starts_with("AWS::") => pseudo(name),
                Some(Value::String(d)) => d.clone(),
                Some(d) => d.to_string(),
                None => name.to_string(),
            }
        })
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
        .map(|name| self.plain_sub(name))
        .unwrap_or_else(|| id.to_string());
        (kind, name)
    }
}

/// `text` with each `${NAME}` replaced by `resolve(NAME)` (an unclosed `${` is kept).
fn fill_references(text: &str, resolve: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(&resolve(&after[..end]));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
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
        Listed: !GetAtt
          - Validate
          - Arn
        Joined: !Join ["-", [!Ref Stage, orders]]
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
        assert_eq!(
            m.substitutions["Listed"],
            "arn:aws:lambda:us-east-1:123456789012:function:validate-order"
        );
        let e = read(&dir.join("template.yaml"), "Nope").err().unwrap();
        assert!(e.to_string().contains("its state machines: Orders"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_slip_outside_the_machines_does_not_keep_them_from_being_read() {
        let text = "Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\nOutputs:\n  Sample:\n    Value: \"{\n      \\\"a\\\": 1\n    }\"\n";
        assert!(
            serde_saphyr::from_str::<Value>(text).is_err(),
            "the Outputs slip, as in a published sample"
        );
        let doc = parse_template(text).expect("read without its Outputs");
        assert!(doc["Resources"]["M"].is_object());
        assert!(doc.get("Outputs").is_none());
    }

    /// Shapes seen in AWS's published workflow templates: names given with `!Sub`, an
    /// activity's `Ref`, `!Select`/`!Split`, `!Sub [TEXT, {VARS}]` definitions, inline
    /// definitions with `!Sub` values, a key used elsewhere with another tag, a key twice.
    #[test]
    fn published_template_shapes_get_their_stand_ins() {
        let dir = std::env::temp_dir().join(format!("sb-template-pub-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("template.yaml"),
            r#"
AWSTemplateFormatVersion: '2010-09-09'
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Prefix: {Type: String, Default: demo}
Resources:
  Sampler:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${Prefix}-sampling"
  Worker:
    Type: AWS::StepFunctions::Activity
    Properties: {Name: work}
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: orders}
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          SamplerArn: !Ref Sampler
  ByFile:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: m.asl.json
      DefinitionSubstitutions:
        SamplerArn: !GetAtt Sampler.Arn
        ActivityArn: !Ref Worker
        TableName: !Select [1, !Split ['/', !GetAtt Table.Arn]]
  BySub:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub
        - '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${fn}", "Parameters": {"Region": "${AWS::Region}"}, "End": true}}}'
        - fn: !GetAtt Sampler.Arn
  Inline:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A:
            Type: Task
            Resource: !Sub arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:aws-sdk:s3:getObject
            End: true
"#,
        )
        .unwrap();
        std::fs::write(dir.join("m.asl.json"), "{}").unwrap();
        let path = dir.join("template.yaml");
        let m = read(&path, "ByFile").unwrap();
        assert_eq!(
            m.substitutions["SamplerArn"],
            "arn:aws:lambda:us-east-1:123456789012:function:demo-sampling"
        );
        assert_eq!(
            m.substitutions["ActivityArn"],
            "arn:aws:states:us-east-1:123456789012:activity:work"
        );
        assert_eq!(m.substitutions["TableName"], "orders");
        let m = read(&path, "BySub").unwrap();
        let doc: Value = serde_json::from_str(&m.definition).unwrap();
        assert_eq!(
            doc["States"]["A"]["Resource"],
            "arn:aws:lambda:us-east-1:123456789012:function:demo-sampling"
        );
        assert_eq!(doc["States"]["A"]["Parameters"]["Region"], "us-east-1");
        let m = read(&path, "Inline").unwrap();
        let doc: Value = serde_json::from_str(&m.definition).unwrap();
        assert_eq!(
            doc["States"]["A"]["Resource"],
            "arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
