//! The state machine model: what the engine runs.
//!
//! Every state name is resolved to an index in its [`Scope`] when the definition loads, so the
//! engine never looks a name up while running, and every path, intrinsic call and JSONata
//! expression is parsed once.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use switchback_jsonpath::Path;

use crate::choice::ChoiceRule;
use crate::resource::Resource;
use crate::template::Template;

/// Which query language a state uses for its data flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

/// A whole state machine.
#[derive(Debug, Clone)]
pub struct StateMachine {
    /// The top-level states.
    pub scope: Scope,
    /// `TimeoutSeconds` of the whole execution.
    pub timeout_seconds: Option<u64>,
    /// `Comment`.
    pub comment: Option<String>,
    /// The definition as loaded (the API returns it; the console draws it).
    pub source: Value,
}

/// A set of states with a start: the top level, a Parallel branch, or a Map's item processor.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The states in definition order.
    pub states: Vec<State>,
    /// Index of `StartAt` in `states`.
    pub start: usize,
    /// Name to index.
    pub index: HashMap<String, usize>,
}

impl Scope {
    /// The state called `name`.
    pub fn get(&self, name: &str) -> Option<&State> {
        self.index.get(name).map(|&i| &self.states[i])
    }
}

/// Where a state goes when it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// `Next`: index of a state in the same scope.
    Next(usize),
    /// `End: true`.
    End,
}

/// One state.
#[derive(Debug, Clone)]
pub struct State {
    /// The state's name (shared with the history events that name it).
    pub name: std::sync::Arc<str>,
    /// The query language in force for this state.
    pub query_language: QueryLanguage,
    /// What kind of state, with its own fields.
    pub kind: StateKind,
    /// Data flow fields shared by most states.
    pub io: DataFlow,
    /// `Next` / `End` (None for Choice, Succeed, Fail).
    pub transition: Option<Transition>,
    /// `Retry`, in order.
    pub retry: Vec<Retrier>,
    /// `Catch`, in order.
    pub catch: Vec<Catcher>,
    /// `Assign`.
    pub assign: Option<Template>,
}

/// The input/output processing fields. Absent fields mean their defaults (`$` for paths).
#[derive(Debug, Clone, Default)]
pub struct DataFlow {
    /// `InputPath` (JSONPath): `None` = `$`; `Some(None)` = null (empty object).
    pub input_path: Option<Option<Path>>,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata).
    pub parameters: Option<Template>,
    /// `ResultSelector` (JSONPath).
    pub result_selector: Option<Template>,
    /// `ResultPath` (JSONPath): `None` = `$`; `Some(None)` = null (discard the result).
    pub result_path: Option<Option<Path>>,
    /// `OutputPath` (JSONPath): `None` = `$`; `Some(None)` = null (empty object).
    pub output_path: Option<Option<Path>>,
    /// `Output` (JSONata).
    pub output: Option<Template>,
}

/// A number given literally, by a path, or by a JSONata expression.
#[derive(Debug, Clone)]
pub enum NumberSource {
    Literal(f64),
    Path(Path),
    Expr(Template),
}

/// A string given literally, by a path, or by an intrinsic/JSONata template.
#[derive(Debug, Clone)]
pub enum StringSource {
    Literal(String),
    Path(Path),
    Expr(Template),
}

/// What kind of state, with the fields only that kind has.
#[derive(Debug, Clone)]
pub enum StateKind {
    Pass {
        /// `Result`: replaces the input as the state's result.
        result: Option<switchback_json::Json>,
    },
    Task(Box<TaskSpec>),
    Choice {
        choices: Vec<ChoiceBranch>,
        /// `Default`: index of the state to go to when no rule matches.
        default: Option<usize>,
    },
    Wait(WaitFor),
    Succeed,
    Fail {
        error: Option<StringSource>,
        cause: Option<StringSource>,
    },
    Parallel {
        branches: Vec<Scope>,
    },
    Map(Box<MapSpec>),
}

impl StateKind {
    /// The `Type` as AWS spells it (and as history event names start).
    pub fn type_name(&self) -> &'static str {
        match self {
            StateKind::Pass { .. } => "Pass",
            StateKind::Task(_) => "Task",
            StateKind::Choice { .. } => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed => "Succeed",
            StateKind::Fail { .. } => "Fail",
            StateKind::Parallel { .. } => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}

/// A Task state's own fields.
#[derive(Debug, Clone)]
pub struct TaskSpec {
    /// `Resource`, read once ([`Resource`]); shared with every dispatch of the task.
    pub resource: Arc<Resource>,
    /// `TimeoutSeconds` / `TimeoutSecondsPath` / JSONata.
    pub timeout_seconds: Option<NumberSource>,
    /// `HeartbeatSeconds` / `HeartbeatSecondsPath` / JSONata.
    pub heartbeat_seconds: Option<NumberSource>,
    /// `Credentials`, kept as given.
    pub credentials: Option<Value>,
}

/// How long a Wait state waits.
#[derive(Debug, Clone)]
pub enum WaitFor {
    Seconds(NumberSource),
    Timestamp(StringSource),
}

/// One rule of a Choice state, with where it leads.
#[derive(Debug, Clone)]
pub struct ChoiceBranch {
    pub rule: ChoiceRule,
    /// Index of the `Next` state.
    pub next: usize,
    /// `Assign` on the rule (taken when it matches).
    pub assign: Option<Template>,
    /// `Output` on the rule (JSONata).
    pub output: Option<Template>,
}

/// Whether a Map runs its iterations inside the execution or as child executions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapMode {
    Inline,
    Distributed,
}

/// What a distributed map's children are (`ProcessorConfig.ExecutionType`): Standard children
/// are executions of their own, kept, listable and resumed from their histories; Express
/// children run in memory and leave no record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChildExecutionType {
    #[default]
    Standard,
    Express,
}

/// A Map state's own fields.
#[derive(Debug, Clone)]
pub struct MapSpec {
    /// `ItemProcessor` (or the older `Iterator`).
    pub processor: Scope,
    pub mode: MapMode,
    /// `ProcessorConfig.ExecutionType` of a distributed map (Standard when not given).
    pub child_execution_type: ChildExecutionType,
    /// `ItemsPath` (JSONPath).
    pub items_path: Option<Path>,
    /// `Items` (JSONata or literal array).
    pub items: Option<Template>,
    /// `ItemSelector` (or the older `Parameters`).
    pub item_selector: Option<Template>,
    pub max_concurrency: Option<NumberSource>,
    pub tolerated_failure_count: Option<NumberSource>,
    pub tolerated_failure_percentage: Option<NumberSource>,
    /// `Label` (distributed).
    pub label: Option<String>,
    /// `ItemReader`: where a distributed map reads its items, instead of its input.
    pub item_reader: Option<ItemReader>,
    /// `ItemBatcher`: a distributed map's children each take a batch of items.
    pub item_batcher: Option<ItemBatcher>,
    /// `ResultWriter`: where and how a distributed map's results are written.
    pub result_writer: Option<ResultWriter>,
}

/// A Map state's `ItemReader`: an S3 action whose answer holds the items.
#[derive(Debug, Clone)]
pub struct ItemReader {
    /// `Resource`: which action reads.
    pub resource: ItemSource,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): the action's request (`Bucket`,
    /// `Key`, `Prefix`, ...), evaluated against the state's input.
    pub parameters: Option<Template>,
    /// `ReaderConfig`.
    pub config: ReaderConfig,
}

/// A Map state's `ItemBatcher`: items grouped into batches, one child execution each.
#[derive(Debug, Clone)]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch(Path)`: at most this many items a batch.
    pub max_items_per_batch: Option<NumberSource>,
    /// `MaxInputBytesPerBatch(Path)`: at most this many bytes of a batch's JSON text.
    pub max_input_bytes_per_batch: Option<NumberSource>,
    /// `BatchInput`: the same value in every batch, beside its items.
    pub batch_input: Option<Template>,
}

/// A Map state's `ResultWriter`: the children's results exported to S3, formatted, or both.
#[derive(Debug, Clone)]
pub struct ResultWriter {
    /// `Parameters` / `Arguments` of `Resource: arn:aws:states:::s3:putObject` (`Bucket`,
    /// `Prefix`): where the results go; `None` when only `WriterConfig` is given (the results
    /// are formatted into the state's output instead).
    pub destination: Option<Template>,
    /// `WriterConfig`; `None` when not given.
    pub config: Option<WriterConfig>,
}

/// `ResultWriter.WriterConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterConfig {
    /// `OutputType`: the result files as a JSON array (`JSON`) or JSON Lines (`JSONL`).
    pub output_type: WriterOutputType,
    /// `Transformation`: what of each child's result is kept.
    pub transformation: Transformation,
}

/// `WriterConfig.OutputType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriterOutputType {
    /// `JSON` (the default): each file a JSON array.
    #[default]
    Json,
    /// `JSONL`: each file JSON Lines.
    JsonLines,
}

/// `WriterConfig.Transformation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transformation {
    /// `NONE`: each child's output with its execution's metadata.
    None,
    /// `COMPACT`: each child's output alone.
    Compact,
    /// `FLATTEN`: each child's output alone, arrays flattened into the list.
    Flatten,
}

/// The action an `ItemReader` reads with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemSource {
    /// `arn:aws:states:::s3:getObject`: one object, its content decoded as `InputType` says.
    S3GetObject,
    /// `arn:aws:states:::s3:listObjectsV2`: the objects under a prefix, one item each.
    S3ListObjectsV2,
}

impl ItemSource {
    /// The source a `Resource` names, if it is one an `ItemReader` takes.
    pub fn from_resource(resource: &str) -> Option<ItemSource> {
        match resource {
            "arn:aws:states:::s3:getObject" => Some(ItemSource::S3GetObject),
            "arn:aws:states:::s3:listObjectsV2" => Some(ItemSource::S3ListObjectsV2),
            _ => None,
        }
    }
}

/// An `ItemReader`'s `ReaderConfig`.
#[derive(Debug, Clone, Default)]
pub struct ReaderConfig {
    /// `InputType`: how an object's content is decoded (`None`: not given, as for
    /// `listObjectsV2`).
    pub input_type: Option<ReaderInputType>,
    /// `MaxItems` / `MaxItemsPath`: read at most this many items (0: all).
    pub max_items: Option<NumberSource>,
    /// `ManifestType`: the object is a manifest listing the objects that hold the items.
    pub manifest_type: Option<ManifestType>,
    /// `Transformation`: what a listing's items are.
    pub transformation: ReaderTransformation,
}

/// `ReaderConfig.Transformation` of an `s3:listObjectsV2` reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReaderTransformation {
    /// `NONE` (the default): an item per object listed, its metadata.
    #[default]
    None,
    /// `LOAD_AND_FLATTEN`: the items in the objects listed, each read as `InputType` says.
    LoadAndFlatten,
}

/// `ReaderConfig.ManifestType`: what kind of manifest the object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestType {
    /// `S3_INVENTORY`: an S3 inventory `manifest.json` (as `InputType: MANIFEST`).
    S3Inventory,
    /// `ATHENA_DATA`: the manifest of an Athena `UNLOAD`, its objects read as `InputType`.
    AthenaData,
}

/// `ReaderConfig.InputType`, with the fields of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderInputType {
    /// `JSON`: the object is a JSON array of items.
    Json,
    /// `JSON` with `ItemsPointer`: the items are the array at this JSON Pointer (RFC 6901) in
    /// the object.
    JsonAt(String),
    /// `JSONL`: JSON Lines, an item a line.
    JsonLines,
    /// `CSV`: a text-delimited file, an item a row.
    Csv(CsvConfig),
    /// `MANIFEST`: an S3 inventory manifest, whose data files list the items.
    Manifest,
    /// `PARQUET`: Parquet files listed by an Athena manifest.
    Parquet,
}

/// How a text-delimited file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvConfig {
    /// `CSVHeaderLocation` (with `CSVHeaders`): where the column names come from.
    pub header: CsvHeader,
    /// `CSVDelimiter`: what separates fields.
    pub delimiter: CsvDelimiter,
}

/// Where a CSV file's column names come from (`CSVHeaderLocation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvHeader {
    /// `FIRST_ROW` (the default): the file's first row.
    FirstRow,
    /// `GIVEN`: `CSVHeaders`; the file's first row is then an item like the others.
    Given(Vec<String>),
}

/// What separates a CSV file's fields (`CSVDelimiter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvDelimiter {
    /// `COMMA` (the default).
    #[default]
    Comma,
    /// `PIPE`: `|`.
    Pipe,
    /// `SEMICOLON`: `;`.
    Semicolon,
    /// `SPACE`.
    Space,
    /// `TAB`.
    Tab,
}

impl CsvDelimiter {
    /// The delimiter as `CSVDelimiter` names it.
    pub fn from_name(name: &str) -> Option<CsvDelimiter> {
        Some(match name {
            "COMMA" => CsvDelimiter::Comma,
            "PIPE" => CsvDelimiter::Pipe,
            "SEMICOLON" => CsvDelimiter::Semicolon,
            "SPACE" => CsvDelimiter::Space,
            "TAB" => CsvDelimiter::Tab,
            _ => return None,
        })
    }

    /// The byte it stands for.
    pub fn byte(self) -> u8 {
        match self {
            CsvDelimiter::Comma => b',',
            CsvDelimiter::Pipe => b'|',
            CsvDelimiter::Semicolon => b';',
            CsvDelimiter::Space => b' ',
            CsvDelimiter::Tab => b'\t',
        }
    }
}

/// One entry of `Retry`.
#[derive(Debug, Clone)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: f64,
    pub max_attempts: u32,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<f64>,
    pub jitter_full: bool,
}

/// One entry of `Catch`.
#[derive(Debug, Clone)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    /// Index of the `Next` state.
    pub next: usize,
    /// `ResultPath` (JSONPath): `None` = `$`; `Some(None)` = null.
    pub result_path: Option<Option<Path>>,
    /// `Output` (JSONata).
    pub output: Option<Template>,
    pub assign: Option<Template>,
}
