//! A distributed Map's `ResultWriter`: its children's results written to S3 as AWS lays them
//! out, formatted into the state's output, or both.
//!
//! With a destination (`Resource: arn:aws:states:::s3:putObject` and its `Bucket` and
//! `Prefix`), the results go to `PREFIX/MAP_RUN_ID/`: `SUCCEEDED_0.json` and `FAILED_0.json`
//! (the children's results by how they ended; `.jsonl` with `OutputType: JSONL`),
//! `PENDING_0.json` (the inputs of the children a failed map run did not start), and
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
//! Each child's record is formatted as the child ends and kept as the files' text in a spool
//! (memory, or a temporary file when large: see [`Spool`]), not as values, so a map run of a
//! million children holds none of their results. A file that would pass
//! `Limits::max_result_file_bytes` (AWS's 5 GiB by default) ends, and the results go on in the
//! next (`SUCCEEDED_1.json` ...).
//!
//! The files are written as the AWS SDK integration's S3 actions (see `s3_call`), so they go
//! wherever the configuration sends S3 calls: one `putObject` for a file of up to
//! [`PART_BYTES`], a multipart upload of parts of that size for a larger one (so no file is
//! ever held whole). Any failure is `States.ResultWriterFailed`.

use jiff::Timestamp;
use serde_json::{json, Value};
use switchback_asl::errors as names;
use switchback_asl::model::{ResultWriter, Transformation, WriterOutputType};
use switchback_json::Json;

use super::{Fault, Frame, Interpreter, StateRun};
use crate::context::iso;
use crate::items::Spool;
use crate::task::BodyAs;

/// The resource a result file of up to [`PART_BYTES`] is written with.
const PUT_OBJECT: &str = "arn:aws:states:::aws-sdk:s3:putObject";
/// The resources a larger file is written with, a part at a time.
const CREATE_MULTIPART_UPLOAD: &str = "arn:aws:states:::aws-sdk:s3:createMultipartUpload";
const UPLOAD_PART: &str = "arn:aws:states:::aws-sdk:s3:uploadPart";
const COMPLETE_MULTIPART_UPLOAD: &str = "arn:aws:states:::aws-sdk:s3:completeMultipartUpload";
const ABORT_MULTIPART_UPLOAD: &str = "arn:aws:states:::aws-sdk:s3:abortMultipartUpload";

/// The size of one part of a multipart upload (S3 takes parts of 5 MiB and more).
pub const PART_BYTES: usize = 8 * 1024 * 1024;

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
    /// Whether it was stopped (ABORTED) rather than failed.
    pub aborted: bool,
}

/// Where a map run's results are written.
struct Destination {
    bucket: String,
    /// `Prefix/MAP_RUN_ID/`.
    folder: String,
}

/// A map run's results, gathered as its children end (see the module doc).
pub(super) struct Results {
    transformation: Transformation,
    output_type: WriterOutputType,
    machine_arn: String,
    map_run_arn: String,
    max_file_bytes: u64,
    /// Without a destination: the formatted results, which are the state's output.
    kept: Option<Vec<Value>>,
    succeeded: ResultFiles,
    failed: ResultFiles,
    /// The items of children a failed map run did not start.
    pending: ResultFiles,
    /// The first failure to keep a record (a full disk).
    fault: Option<String>,
}

impl Results {
    /// Results of the map run `map_run_arn` of `machine_arn`'s map state that `writer` writes.
    pub(super) fn new(
        writer: &ResultWriter,
        machine_arn: String,
        map_run_arn: &str,
        max_file_bytes: u64,
    ) -> Results {
        let config = writer.config;
        Results {
            transformation: config.map_or(Transformation::None, |c| c.transformation),
            output_type: config.map_or(WriterOutputType::Json, |c| c.output_type),
            machine_arn,
            map_run_arn: map_run_arn.to_string(),
            max_file_bytes,
            kept: writer.destination.is_none().then(Vec::new),
            succeeded: ResultFiles::default(),
            failed: ResultFiles::default(),
            pending: ResultFiles::default(),
            fault: None,
        }
    }

    /// Adds the result of a child that ended.
    pub(super) fn add(&mut self, child: &ChildResult) {
        let mut values = Vec::new();
        format_into(
            child,
            &self.machine_arn,
            &self.map_run_arn,
            self.transformation,
            &mut values,
        );
        if let Some(kept) = &mut self.kept {
            kept.extend(values);
            return;
        }
        let files = match child.outcome.is_ok() {
            true => &mut self.succeeded,
            false => &mut self.failed,
        };
        for value in values {
            let text = value.to_string();
            if let Err(e) = files.add(&text, self.output_type, self.max_file_bytes) {
                self.fault.get_or_insert_with(|| spool_fault(&e));
            }
        }
    }

    /// Adds the input of a child that a failed map run did not start: a `PENDING` record.
    pub(super) fn add_pending(&mut self, input: &Json) {
        if self.kept.is_some() {
            return;
        }
        let record = json!({
            "Input": input.to_serde().to_string(),
            "InputDetails": {"Included": true},
            "Status": "PENDING",
        });
        let text = record.to_string();
        if let Err(e) = self
            .pending
            .add(&text, self.output_type, self.max_file_bytes)
        {
            self.fault.get_or_insert_with(|| spool_fault(&e));
        }
    }
}

/// The writer's failure when the records cannot be kept.
fn spool_fault(e: &std::io::Error) -> String {
    format!(
        "the results could not be kept in a temporary file ({e}): check the space left in the \
         temporary directory (TMPDIR)"
    )
}

/// One status's result files, as their text, one after the other in a spool.
#[derive(Debug, Default)]
struct ResultFiles {
    spool: Spool,
    /// Each closed file's length, in order.
    files: Vec<u64>,
    /// Where the open file starts in the spool, if one is open.
    open: Option<u64>,
}

impl ResultFiles {
    /// Appends a record's text, in a new file when the open one would pass `max_bytes`.
    fn add(
        &mut self,
        record: &str,
        output_type: WriterOutputType,
        max_bytes: u64,
    ) -> std::io::Result<()> {
        // The record, with the comma or bracket before it (JSON) or the newline after it.
        let added = record.len() as u64 + 1;
        if let Some(start) = self.open {
            let closing = u64::from(output_type == WriterOutputType::Json);
            if self.spool.len() - start + added + closing > max_bytes {
                self.close(output_type)?;
            }
        }
        match (self.open, output_type) {
            (None, WriterOutputType::Json) => {
                self.open = Some(self.spool.len());
                self.spool.write(b"[")?;
            }
            (None, WriterOutputType::JsonLines) => self.open = Some(self.spool.len()),
            (Some(_), WriterOutputType::Json) => self.spool.write(b",")?,
            (Some(_), WriterOutputType::JsonLines) => {}
        }
        self.spool.write(record.as_bytes())?;
        if output_type == WriterOutputType::JsonLines {
            self.spool.write(b"\n")?;
        }
        Ok(())
    }

    /// Ends the open file, if any.
    fn close(&mut self, output_type: WriterOutputType) -> std::io::Result<()> {
        let Some(start) = self.open.take() else {
            return Ok(());
        };
        if output_type == WriterOutputType::Json {
            self.spool.write(b"]")?;
        }
        self.files.push(self.spool.len() - start);
        Ok(())
    }
}

impl Interpreter<'_> {
    /// The state's output of a map run whose results `writer` writes (see the module doc).
    pub(super) async fn write_results(
        &self,
        run: &StateRun<'_>,
        writer: &ResultWriter,
        base: &Json,
        mut results: Results,
        frame: &Frame,
    ) -> Result<Json, Fault> {
        let map_run_arn = results.map_run_arn.clone();
        let Some(template) = &writer.destination else {
            let kept = results.kept.take().unwrap_or_default();
            return Ok(Json::from(Value::Array(kept)));
        };
        let request = {
            let mut env = self.env(run, base, frame);
            self.eval(run, template, &mut env)?.to_serde()
        };
        let destination = destination(&request, &map_run_arn)?;
        if let Some(fault) = results.fault.take() {
            return Err(writer_failed(fault));
        }
        let output_type = results.output_type;
        let extension = match output_type {
            WriterOutputType::Json => "json",
            WriterOutputType::JsonLines => "jsonl",
        };
        let mut listed = json!({"FAILED": [], "PENDING": [], "SUCCEEDED": []});
        let mut call = 0u32;
        for (status, files) in [
            ("SUCCEEDED", &mut results.succeeded),
            ("FAILED", &mut results.failed),
            ("PENDING", &mut results.pending),
        ] {
            files.close(output_type).map_err(|e| {
                writer_failed(format!(
                    "the results could not be kept in a temporary file: {e}"
                ))
            })?;
            for (n, &len) in files.files.iter().enumerate() {
                let key = format!("{}{status}_{n}.{extension}", destination.folder);
                self.upload(
                    run,
                    &destination.bucket,
                    &key,
                    &mut files.spool,
                    len,
                    &mut call,
                )
                .await?;
                if let Some(list) = listed[status].as_array_mut() {
                    list.push(json!({"Key": key, "Size": len}));
                }
            }
            files.spool.clear();
        }
        let manifest_key = format!("{}manifest.json", destination.folder);
        let manifest = json!({
            "DestinationBucket": destination.bucket,
            "MapRunArn": map_run_arn,
            "ResultFiles": listed,
        });
        self.put_object(
            run,
            &destination.bucket,
            &manifest_key,
            manifest.to_string(),
            call,
        )
        .await?;
        Ok(Json::from(json!({
            "MapRunArn": map_run_arn,
            "ResultWriterDetails": {"Bucket": destination.bucket, "Key": manifest_key},
        })))
    }

    /// Writes the next `len` bytes of `spool` as the object `key`: at once when small, else
    /// as a multipart upload. `call` numbers the S3 calls.
    async fn upload(
        &self,
        run: &StateRun<'_>,
        bucket: &str,
        key: &str,
        spool: &mut Spool,
        len: u64,
        call: &mut u32,
    ) -> Result<(), Fault> {
        let mut parts = Parts::new(spool, len);
        let first = parts
            .next_part()
            .map_err(|e| part_failed(bucket, key, &e))?;
        if parts.done() {
            *call += 1;
            return self.put_object(run, bucket, key, first, *call).await;
        }
        let failed =
            |why: String| writer_failed(format!("writing s3://{bucket}/{key} failed: {why}"));
        *call += 1;
        let created = self
            .s3_call(
                run,
                CREATE_MULTIPART_UPLOAD,
                json!({"Bucket": bucket, "Key": key}),
                ("result-writer", *call),
                BodyAs::Text,
            )
            .await
            .map_err(failed)?;
        let Some(upload_id) = created.get("UploadId").and_then(Value::as_str) else {
            return Err(failed("CreateMultipartUpload gave no UploadId".into()));
        };
        let mut uploaded = Vec::new();
        let mut part = Some(first);
        while let Some(body) = part.take() {
            let number = uploaded.len() + 1;
            *call += 1;
            let answer = self
                .s3_call(
                    run,
                    UPLOAD_PART,
                    json!({"Bucket": bucket, "Key": key, "UploadId": upload_id,
                           "PartNumber": number, "Body": body}),
                    ("result-writer", *call),
                    BodyAs::Text,
                )
                .await;
            let etag = match answer {
                Ok(answer) => answer.get("ETag").cloned().unwrap_or(Value::Null),
                Err(why) => {
                    self.abort_upload(run, bucket, key, upload_id, call).await;
                    return Err(failed(why));
                }
            };
            uploaded.push(json!({"ETag": etag, "PartNumber": number}));
            if !parts.done() {
                match parts.next_part() {
                    Ok(next) => part = Some(next),
                    Err(e) => {
                        self.abort_upload(run, bucket, key, upload_id, call).await;
                        return Err(part_failed(bucket, key, &e));
                    }
                }
            }
        }
        *call += 1;
        let completed = self
            .s3_call(
                run,
                COMPLETE_MULTIPART_UPLOAD,
                json!({"Bucket": bucket, "Key": key, "UploadId": upload_id,
                       "MultipartUpload": {"Parts": uploaded}}),
                ("result-writer", *call),
                BodyAs::Text,
            )
            .await;
        if let Err(why) = completed {
            self.abort_upload(run, bucket, key, upload_id, call).await;
            return Err(failed(why));
        }
        Ok(())
    }

    /// Lets S3 drop the parts of an upload that failed (best effort: the failure reported is
    /// the one that stopped the upload).
    async fn abort_upload(
        &self,
        run: &StateRun<'_>,
        bucket: &str,
        key: &str,
        upload_id: &str,
        call: &mut u32,
    ) {
        *call += 1;
        let _ = self
            .s3_call(
                run,
                ABORT_MULTIPART_UPLOAD,
                json!({"Bucket": bucket, "Key": key, "UploadId": upload_id}),
                ("result-writer", *call),
                BodyAs::Text,
            )
            .await;
    }

    /// Writes one result file (or the manifest) at once; a failure is the writer's.
    async fn put_object(
        &self,
        run: &StateRun<'_>,
        bucket: &str,
        key: &str,
        body: String,
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

/// A child's results as `transformation` keeps them, added to `out`.
fn format_into(
    child: &ChildResult,
    machine_arn: &str,
    map_run_arn: &str,
    transformation: Transformation,
    out: &mut Vec<Value>,
) {
    match (&child.outcome, transformation) {
        (Ok(output), Transformation::Compact) => out.push(output.to_serde()),
        (Ok(output), Transformation::Flatten) => match output.to_serde() {
            Value::Array(items) => out.extend(items),
            other => out.push(other),
        },
        _ => out.push(record(child, machine_arn, map_run_arn)),
    }
}

/// A file's text read back from its spool a part at a time, each part whole characters.
struct Parts<'s> {
    spool: &'s mut Spool,
    /// Bytes of the file not read from the spool yet.
    left: u64,
    /// The bytes of a character cut by the end of the last part.
    carry: Vec<u8>,
}

impl<'s> Parts<'s> {
    fn new(spool: &'s mut Spool, len: u64) -> Parts<'s> {
        Parts {
            spool,
            left: len,
            carry: Vec::new(),
        }
    }

    /// Whether the whole file was handed out.
    fn done(&self) -> bool {
        self.left == 0 && self.carry.is_empty()
    }

    /// The next part: up to [`PART_BYTES`], ending on a whole character.
    fn next_part(&mut self) -> std::io::Result<String> {
        let mut buf = std::mem::take(&mut self.carry);
        let want = (PART_BYTES as u64).min(self.left) as usize;
        let start = buf.len();
        buf.resize(start + want, 0);
        let mut filled = start;
        while filled < buf.len() {
            let n = self.spool.read_next(&mut buf[filled..])?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the results' temporary file ended early",
                ));
            }
            filled += n;
        }
        self.left -= want as u64;
        let cut = match std::str::from_utf8(&buf) {
            Ok(_) => buf.len(),
            // A character cut by the end of the part goes into the next.
            Err(e) if e.error_len().is_none() && self.left > 0 => e.valid_up_to(),
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        };
        self.carry = buf.split_off(cut);
        String::from_utf8(buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

/// The writer's failure when a file's text cannot be read back.
fn part_failed(bucket: &str, key: &str, e: &std::io::Error) -> Fault {
    writer_failed(format!(
        "writing s3://{bucket}/{key} failed: the results could not be read back from their \
         temporary file ({e})"
    ))
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
            let status = if child.aborted { "ABORTED" } else { "FAILED" };
            (status, "REDRIVABLE_BY_MAP_RUN", "")
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

    /// The files of `records` written as `output_type` within `max_bytes`, as texts.
    fn files(records: &[&str], output_type: WriterOutputType, max_bytes: u64) -> Vec<String> {
        let mut files = ResultFiles::default();
        for r in records {
            files.add(r, output_type, max_bytes).expect("kept");
        }
        files.close(output_type).expect("closed");
        let lens = files.files.clone();
        lens.iter()
            .map(|&len| {
                let mut parts = Parts::new(&mut files.spool, len);
                let mut text = String::new();
                while !parts.done() {
                    text.push_str(&parts.next_part().expect("read back"));
                }
                text
            })
            .collect()
    }

    #[test]
    fn files_hold_a_json_array_or_a_result_a_line_and_split_past_the_limit() {
        let records = [r#"{"a":1}"#, "[2]", r#""three""#];
        assert_eq!(
            files(&records, WriterOutputType::JsonLines, 1 << 20),
            ["{\"a\":1}\n[2]\n\"three\"\n"]
        );
        assert_eq!(
            files(&records, WriterOutputType::Json, 1 << 20),
            [r#"[{"a":1},[2],"three"]"#]
        );
        // `[{"a":1},[2]]` is 13 bytes: a limit of 13 keeps two records, 12 one.
        assert_eq!(
            files(&records, WriterOutputType::Json, 13),
            [r#"[{"a":1},[2]]"#, r#"["three"]"#]
        );
        assert_eq!(
            files(&records, WriterOutputType::Json, 12),
            [r#"[{"a":1}]"#, "[[2]]", r#"["three"]"#]
        );
        // A record larger than the limit still gets a file of its own.
        assert_eq!(
            files(&records, WriterOutputType::JsonLines, 4),
            ["{\"a\":1}\n", "[2]\n", "\"three\"\n"]
        );
    }

    #[test]
    fn parts_end_on_whole_characters() {
        // Records of three-byte characters, so parts of PART_BYTES cut inside one.
        let record = format!("\"{}\"", "✓".repeat(1000));
        let records: Vec<&str> = std::iter::repeat_n(record.as_str(), 9000).collect();
        let mut files_of = ResultFiles::default();
        for r in &records {
            files_of
                .add(r, WriterOutputType::JsonLines, u64::MAX)
                .expect("kept");
        }
        files_of.close(WriterOutputType::JsonLines).expect("closed");
        let len = files_of.files[0];
        assert!(len > 3 * PART_BYTES as u64);
        let mut parts = Parts::new(&mut files_of.spool, len);
        let mut total = 0;
        let mut count = 0;
        while !parts.done() {
            let part = parts.next_part().expect("a part");
            assert!(part.len() <= PART_BYTES + 3 && part.len() + 3 > PART_BYTES || parts.done());
            total += part.len();
            count += 1;
        }
        assert_eq!(total as u64, len);
        let fewest = (len as usize).div_ceil(PART_BYTES);
        assert!(count == fewest || count == fewest + 1, "{count} parts");
    }
}
