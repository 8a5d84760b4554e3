//! `switchback mock init DEFINITION`: writes a test file to start from (`NAME.test.yaml`
//! beside the definition): a mock for every Task state, in the shape its integration returns
//! (a Lambda invoke's `StatusCode` and `Payload`, an SQS `MessageId` ...), and one case to fill
//! in. Writing mocks by hand, key by key, was most of the time a first test took.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::input::DefinitionSource;

#[derive(Args)]
pub struct MockArgs {
    #[command(subcommand)]
    pub command: MockCommand,
}

#[derive(Subcommand)]
pub enum MockCommand {
    /// Write a test file with a mock for every Task state of a definition.
    Init(InitArgs),
}

#[derive(Args)]
pub struct InitArgs {
    /// The state machine definition (JSON or YAML); or give --template and --resource.
    #[arg(required_unless_present = "template")]
    pub definition: Option<PathBuf>,
    #[command(flatten)]
    pub source: DefinitionSource,
    /// Where to write [default: NAME.test.yaml beside the definition]; `-` for standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: MockArgs) -> Result<ExitCode> {
    match args.command {
        MockCommand::Init(init) => run_init(init),
    }
}

fn run_init(args: InitArgs) -> Result<ExitCode> {
    let (text, origin) = args.source.text(args.definition.as_deref())?;
    let doc = switchback_asl::load::parse_document(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", origin.display()))?;
    let tasks = tasks_of(&doc);
    let stem = origin
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('.').next())
        .unwrap_or("definition")
        .to_string();
    let out_path = match &args.output {
        Some(p) => p.clone(),
        None => origin
            .parent()
            .unwrap_or(Path::new("."))
            .join(format!("{stem}.test.yaml")),
    };
    let definition_line = match (&args.source.template, &args.source.resource) {
        (Some(t), Some(r)) => format!(
            "template: {}\nresource: {}\n",
            yaml_string(&relative(t, &out_path)),
            yaml_string(r)
        ),
        _ => format!(
            "definition: {}\n",
            yaml_string(&relative(&origin, &out_path))
        ),
    };
    let text = skeleton(&stem, &definition_line, &tasks);
    if out_path == Path::new("-") {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if out_path.exists() && !args.force {
        bail!(
            "{} exists: pass --force to replace it, or -o FILE to write elsewhere",
            out_path.display()
        );
    }
    std::fs::write(&out_path, text)
        .with_context(|| format!("cannot write {}", out_path.display()))?;
    println!(
        "wrote {} ({} Task state mock(s)): fill in the mocks and expectations, then run `switchback test {}`",
        out_path.display(),
        tasks.len(),
        out_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `path` as the test file at `test_file` names it: relative to its directory when it is in
/// it, else as given.
fn relative(path: &Path, test_file: &Path) -> String {
    let dir = test_file.parent().unwrap_or(Path::new("."));
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}

/// The Task states of a definition, at every level, with their `Resource`.
fn tasks_of(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(doc, &mut out);
    out
}

fn collect(scope: &Value, out: &mut Vec<(String, String)>) {
    let Some(states) = scope.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        if state.get("Type").and_then(Value::as_str) == Some("Task") {
            let resource = state
                .get("Resource")
                .and_then(Value::as_str)
                .unwrap_or_default();
            out.push((name.clone(), resource.to_string()));
        }
        for nested in ["ItemProcessor", "Iterator"] {
            if let Some(n) = state.get(nested) {
                collect(n, out);
            }
        }
        for b in state
            .get("Branches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect(b, out);
        }
    }
}

/// What a Task state's integration returns, in shape (values to fill in).
fn sample_result(resource: &str) -> Value {
    let action = resource
        .strip_prefix("arn:aws:states:::")
        .unwrap_or_default()
        .split('.')
        .next()
        .unwrap_or_default();
    match action {
        "lambda:invoke" => json!({"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": {}}),
        "sqs:sendMessage" => {
            json!({"MessageId": "00000000-0000-0000-0000-000000000000", "MD5OfMessageBody": "d41d8cd98f00b204e9800998ecf8427e"})
        }
        "sns:publish" => json!({"MessageId": "00000000-0000-0000-0000-000000000000"}),
        "dynamodb:getItem" => json!({"Item": {}}),
        "dynamodb:putItem" | "dynamodb:updateItem" | "dynamodb:deleteItem" => json!({}),
        "events:putEvents" => {
            json!({"Entries": [{"EventId": "00000000-0000-0000-0000-000000000000"}], "FailedEntryCount": 0})
        }
        "states:startExecution" => json!({
            "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:run-1",
            "StartDate": "2025-01-01T00:00:00.000Z"
        }),
        "http:invoke" | "apigateway:invoke" => {
            json!({"StatusCode": 200, "StatusText": "OK", "Headers": {}, "ResponseBody": {}})
        }
        _ => json!({}),
    }
}

/// The test file's text.
fn skeleton(stem: &str, definition_line: &str, tasks: &[(String, String)]) -> String {
    let mut out = format!(
        "# Tests of {stem}, written by `switchback mock init`: fill in the mocks and the\n\
         # expectations, then run `switchback test`. Each mock answers its Task state: one\n\
         # response, or a list (one per call, the last one repeating); a response is\n\
         # {{Return: VALUE}} or {{Throw: {{Error: NAME, Cause: TEXT}}}}.\n{definition_line}\n"
    );
    if tasks.is_empty() {
        out.push_str("# The definition has no Task state: nothing to mock.\n");
    } else {
        out.push_str("mocks:\n");
        for (name, resource) in tasks {
            out.push_str(&format!(
                "  # {}\n  {}:\n    Return: {}\n",
                if resource.is_empty() {
                    "(no Resource)"
                } else {
                    resource
                },
                yaml_string(name),
                sample_result(resource)
            ));
        }
    }
    out.push_str(
        "\ncases:\n  - name: the first case\n    input: {}\n    expect:\n      status: SUCCEEDED\n",
    );
    out
}

/// Text as a YAML scalar: JSON's quoting, which YAML reads the same.
fn yaml_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_integration_gets_a_mock_of_its_shape_and_the_skeleton_reads_as_a_test_file() {
        let doc = json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Next": "C"},
            "C": {"Type": "Map", "ItemProcessor": {"StartAt": "D", "States": {
                "D": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}}, "End": true}
        }});
        let tasks = tasks_of(&doc);
        assert_eq!(tasks.len(), 3);
        let text = skeleton("order", "definition: \"order.asl.json\"\n", &tasks);
        let parsed = switchback_asl::load::parse_document(&text).expect("YAML");
        assert_eq!(parsed["mocks"]["A"]["Return"]["StatusCode"], 200);
        assert!(parsed["mocks"]["B"]["Return"]["MessageId"].is_string());
        assert_eq!(parsed["mocks"]["D"]["Return"], json!({}));
        assert_eq!(parsed["cases"][0]["expect"]["status"], "SUCCEEDED");
    }
}
