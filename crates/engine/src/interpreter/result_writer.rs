//! A distributed Map's `ResultWriter`: its children's results written to S3 as AWS lays them
//! out, formatted into the state's output, or both.
//!
//! With a destination (`Resource: arn:aws:states:::s3:putObject` and its `Bucket` and
//! `Prefix`), the results go to `PREFIX/MAP_RUN_ID/`: `SUCCEEDED_0.json` and `FAILED_0.json`
//! (the children's results by how they ended; `.jsonl` with `OutputType: JSONL`), and
//! `manifest.json`, which names the bucket, the map run and each file with its size. The
//! state's output is then `{"MapRunArn": ..., "ResultWriterDetails": {"Bucket", "Key"}}`, the
//! key being the manifest's. Without one (a `WriterConfig` alone), the formatted results are
//! the state's output.
//!
//! `Transformation`: `NONE` (the default) keeps each child's execution record (its ARN, name,
//! input and output as JSON text, status, dates); `COMPACT` keeps each output alone;
//! `FLATTEN` keeps outputs too, an array output's elements taking its place. A failed child's
//! record is kept whole whatever the transformation, as AWS does.
//!
//! The files are written as the AWS SDK integration's `s3:putObject` (see `s3_call`), so they
//! go wherever the configuration sends S3 calls. Any failure is
//! `States.ResultWriterFailed`.
//!
//! Not yet: the files are not split past AWS's 5 GB, and there is no `PENDING_n.json` (a map
//! run here never ends with children still to run).

use jiff::Timestamp;
use serde_json::{json, Value};
use switchback_asl::errors as names;
use switchback_asl::model::{ResultWriter, Transformation, WriterOutputType};
use switchback_json::Json;

use super::{Fault, Frame, Interpreter, StateRun};
use crate::context::iso;
use crate::task::BodyAs;

/// The resource the result files are written with.
const PUT_OBJECT: &str = "arn:aws:states:::aws-sdk:s3:putObject";

/// How one child of a map run ended, as its result record needs it.
#[derive(Debug)]
pub(super) struct ChildResult {
    /// The child's execution name (a UUID).
    pub name: String,
    /// Its input.
    pub input: Json,
    /// When it started and ended.
    pub start: Timestamp,
    pub stop: Timestamp,
    /// Its output, or how it failed.
    pub outcome: Result<Json, Fault>,
}

/// Where a map run's results are written.
struct Destination {
    bucket: String,
    /// `Prefix/MAP_RUN_ID/`.
    folder: String,
}

impl Interpreter<'_> {
    /// The state's output of a map run whose results `writer` writes (see the module doc).
    pub(super) async fn write_results(
        &self,
        run: &StateRun<'_>,
        writer: &ResultWriter,
        base: &Json,
        map_run_arn: &str,
        children: &[ChildResult],
        frame: &Frame,
    ) -> Result<Json, Fault> {
        let config = writer.config;
        let transformation = config.map_or(Transformation::None, |c| c.transformation);
        let Some(template) = &writer.destination else {
            let results = self.formatted(children.iter(), map_run_arn, transformation);
            return Ok(Json::from(Value::Array(results)));
        };
        let request = {
            let mut env = self.env(run, base, frame);
            self.eval(run, template, &mut env)?.to_serde()
        };
        let destination = destination(&request, map_run_arn)?;
        let output_type = config.map_or(WriterOutputType::Json, |c| c.output_type);
        let extension = match output_type {
            WriterOutputType::Json => "json",
            WriterOutputType::JsonLines => "jsonl",
        };
        let mut files = json!({"FAILED": [], "PENDING": [], "SUCCEEDED": []});
        for (file, (status, succeeded)) in [("SUCCEEDED", true), ("FAILED", false)]
            .into_iter()
            .enumerate()
        {
            let group = children.iter().filter(|c| c.outcome.is_ok() == succeeded);
            let results = self.formatted(group, map_run_arn, transformation);
            if results.is_empty() {
                continue;
            }
            let body = file_text(&results, output_type);
            let key = format!("{}{status}_0.{extension}", destination.folder);
            self.put_object(run, &destination.bucket, &key, &body, file as u32)
                .await?;
            if let Some(list) = files[status].as_array_mut() {
                list.push(json!({"Key": key, "Size": body.len()}));
            }
        }
        let manifest_key = format!("{}manifest.json", destination.folder);
        let manifest = json!({
            "DestinationBucket": destination.bucket,
            "MapRunArn": map_run_arn,
            "ResultFiles": files,
        });
        self.put_object(
            run,
            &destination.bucket,
            &manifest_key,
            &manifest.to_string(),
            2,
        )
        .await?;
        Ok(Json::from(json!({
            "MapRunArn": map_run_arn,
            "ResultWriterDetails": {"Bucket": destination.bucket, "Key": manifest_key},
        })))
    }

    /// The children's results as `transformation` keeps them.
    fn formatted<'c>(
        &self,
        children: impl Iterator<Item = &'c ChildResult>,
        map_run_arn: &str,
        transformation: Transformation,
    ) -> Vec<Value> {
        let machine = self.machine_arn().to_string();
        let mut out = Vec::new();
        for child in children {
            match (&child.outcome, transformation) {
                (Ok(output), Transformation::Compact) => out.push(output.to_serde()),
                (Ok(output), Transformation::Flatten) => match output.to_serde() {
                    Value::Array(items) => out.extend(items),
                    other => out.push(other),
                },
                _ => out.push(record(child, &machine, map_run_arn)),
            }
        }
        out
    }

    /// Writes one result file; a failure is the writer's.
    async fn put_object(
        &self,
        run: &StateRun<'_>,
        bucket: &str,
        key: &str,
        body: &str,
        file: u32,
    ) -> Result<(), Fault> {
        let input = json!({"Bucket": bucket, "Key": key, "Body": body});
        self.s3_call(
            run,
            PUT_OBJECT,
            input,
            ("result-writer", file),
            BodyAs::Text,
        )
        .await
        .map(drop)
        .map_err(|why| writer_failed(format!("writing s3://{bucket}/{key} failed: {why}")))
    }
}

/// `Bucket` and `Prefix` from the writer's request, and the map run's folder under them.
fn destination(request: &Value, map_run_arn: &str) -> Result<Destination, Fault> {
    let Some(bucket) = request.get("Bucket").and_then(Value::as_str) else {
        return Err(writer_failed(
            "the ResultWriter's Parameters must give the Bucket (a string) to write to",
        ));
    };
    let prefix = match request.get("Prefix") {
        None | Some(Value::Null) => "",
        Some(Value::String(p)) => p.as_str(),
        Some(_) => return Err(writer_failed("the ResultWriter's Prefix must be a string")),
    };
    let id = map_run_arn.rsplit(':').next().unwrap_or(map_run_arn);
    let prefix = prefix.trim_end_matches('/');
    let folder = if prefix.is_empty() {
        format!("{id}/")
    } else {
        format!("{prefix}/{id}/")
    };
    Ok(Destination {
        bucket: bucket.to_string(),
        folder,
    })
}

/// A child's execution record, as the results of `Transformation: NONE` hold it.
fn record(child: &ChildResult, machine_arn: &str, map_run_arn: &str) -> Value {
    let execution_arn = child_execution_arn(map_run_arn, &child.name);
    let mut r = serde_json::Map::new();
    r.insert("ExecutionArn".into(), json!(execution_arn));
    r.insert("Input".into(), json!(child.input.to_serde().to_string()));
    r.insert("InputDetails".into(), json!({"Included": true}));
    r.insert("Name".into(), json!(child.name));
    let (status, redrive, reason) = match &child.outcome {
        Ok(output) => {
            r.insert("Output".into(), json!(output.to_serde().to_string()));
            r.insert("OutputDetails".into(), json!({"Included": true}));
            (
                "SUCCEEDED",
                "NOT_REDRIVABLE",
                "Execution is SUCCEEDED and cannot be redriven",
            )
        }
        Err(fault) => {
            r.insert("Error".into(), json!(fault.error));
            r.insert("Cause".into(), json!(fault.cause));
            ("FAILED", "REDRIVABLE_BY_MAP_RUN", "")
        }
    };
    r.insert("RedriveCount".into(), json!(0));
    r.insert("RedriveStatus".into(), json!(redrive));
    if !reason.is_empty() {
        r.insert("RedriveStatusReason".into(), json!(reason));
    }
    r.insert("StartDate".into(), json!(iso(child.start)));
    r.insert("StateMachineArn".into(), json!(machine_arn));
    r.insert("Status".into(), json!(status));
    r.insert("StopDate".into(), json!(iso(child.stop)));
    Value::Object(r)
}

/// A map run child's execution ARN: the map run's, as an execution, with the child's name.
fn child_execution_arn(map_run_arn: &str, name: &str) -> String {
    let as_execution = map_run_arn.replacen(":mapRun:", ":execution:", 1);
    match as_execution.rsplit_once(':') {
        Some((head, _)) => format!("{head}:{name}"),
        None => as_execution,
    }
}

/// A result file's text: a JSON array, or JSON Lines.
fn file_text(results: &[Value], output_type: WriterOutputType) -> String {
    match output_type {
        WriterOutputType::Json => Value::Array(results.to_vec()).to_string(),
        WriterOutputType::JsonLines => {
            let mut text = String::new();
            for r in results {
                text.push_str(&r.to_string());
                text.push('\n');
            }
            text
        }
    }
}

fn writer_failed(cause: impl Into<String>) -> Fault {
    Fault::new(names::RESULT_WRITER_FAILED, cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_named_in_their_map_runs_execution_space() {
        assert_eq!(
            child_execution_arn(
                "arn:aws:states:us-east-1:123456789012:mapRun:Orders/Each:run-1",
                "c-1"
            ),
            "arn:aws:states:us-east-1:123456789012:execution:Orders/Each:c-1"
        );
    }

    #[test]
    fn results_go_to_the_prefix_and_the_map_runs_id() {
        let arn = "arn:aws:states:us-east-1:1:mapRun:M/L:run-9";
        let d = destination(&json!({"Bucket": "b", "Prefix": "jobs/"}), arn).expect("ok");
        assert_eq!((d.bucket.as_str(), d.folder.as_str()), ("b", "jobs/run-9/"));
        let d = destination(&json!({"Bucket": "b"}), arn).expect("ok");
        assert_eq!(d.folder, "run-9/");
        assert!(destination(&json!({"Prefix": "p"}), arn).is_err());
    }

    #[test]
    fn json_lines_files_hold_a_result_a_line() {
        let results = [json!({"a": 1}), json!([2])];
        assert_eq!(
            file_text(&results, WriterOutputType::JsonLines),
            "{\"a\":1}\n[2]\n"
        );
        assert_eq!(
            file_text(&results, WriterOutputType::Json),
            "[{\"a\":1},[2]]"
        );
    }
}
