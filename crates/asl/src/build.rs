//! Builds the [`StateMachine`] model from a definition document that passed validation.
//!
//! Validation has already reported faults with AWS's messages; this pass still never assumes
//! a field is well formed (a definition that slipped past a rule gets a fault here, never a
//! panic), and it resolves names to indexes and compiles every expression once.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};
use switchback_jsonpath::Path;
use switchback_validate::Fault;

use crate::choice::ChoiceRule;
use crate::model::*;
use crate::resource::Resource;
use crate::template::Template;

type Obj = Map<String, Value>;

/// Builds the model, or returns the faults found on the way.
pub fn build(doc: &Value) -> Result<StateMachine, Vec<Fault>> {
    let mut b = Builder { faults: Vec::new() };
    let machine = b.machine(doc);
    match machine {
        Some(m) if b.faults.is_empty() => Ok(m),
        _ => {
            if b.faults.is_empty() {
                b.fault("", "the definition could not be read");
            }
            Err(b.faults)
        }
    }
}

struct Builder {
    faults: Vec<Fault>,
}

impl Builder {
    fn fault(&mut self, path: &str, message: impl Into<String>) {
        self.faults.push(Fault {
            path: path.to_string(),
            code: "SCHEMA_VALIDATION_FAILED".into(),
            message: message.into(),
        });
    }

    fn machine(&mut self, doc: &Value) -> Option<StateMachine> {
        let Value::Object(top) = doc else {
            self.fault("", "the definition must be a JSON object");
            return None;
        };
        let ql = self.query_language(top, QueryLanguage::JsonPath, "");
        let scope = self.scope(top, ql, "")?;
        Some(StateMachine {
            scope,
            timeout_seconds: top.get("TimeoutSeconds").and_then(Value::as_u64),
            comment: top
                .get("Comment")
                .and_then(Value::as_str)
                .map(str::to_string),
            source: doc.clone(),
        })
    }

    fn query_language(&mut self, obj: &Obj, inherited: QueryLanguage, path: &str) -> QueryLanguage {
        match obj.get("QueryLanguage").and_then(Value::as_str) {
            Some("JSONata") => QueryLanguage::Jsonata,
            Some("JSONPath") => QueryLanguage::JsonPath,
            None => inherited,
            Some(other) => {
                self.fault(
                    &format!("{path}/QueryLanguage"),
                    format!("unknown QueryLanguage '{other}'"),
                );
                inherited
            }
        }
    }

    /// A `{StartAt, States}` object: the top level, a branch or an item processor.
    fn scope(&mut self, obj: &Obj, ql: QueryLanguage, path: &str) -> Option<Scope> {
        let Some(Value::Object(states)) = obj.get("States") else {
            self.fault(path, "'States' must be an object");
            return None;
        };
        let index: HashMap<String, usize> = states
            .keys()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let start = match obj
            .get("StartAt")
            .and_then(Value::as_str)
            .and_then(|s| index.get(s))
        {
            Some(&i) => i,
            None => {
                self.fault(&format!("{path}/StartAt"), "'StartAt' must name a state");
                return None;
            }
        };
        let mut built = Vec::with_capacity(states.len());
        for (name, state) in states {
            let spath = format!("{path}/States/{name}");
            if let Some(s) = self.state(name, state, ql, &index, &spath) {
                built.push(s);
            }
        }
        (built.len() == states.len()).then_some(Scope {
            states: built,
            start,
            index,
        })
    }

    /// The field `key` of `o` as a list of objects, each with its own fault path
    /// (`/States/P/Branches/0`). A missing field is an empty list when `optional`.
    fn object_list<'v>(
        &mut self,
        o: &'v Obj,
        key: &str,
        optional: bool,
        path: &str,
    ) -> Option<Vec<(String, &'v Obj)>> {
        let items = match o.get(key) {
            Some(Value::Array(items)) => items,
            None if optional => return Some(Vec::new()),
            _ => {
                self.fault(&format!("{path}/{key}"), "must be an array of objects");
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let ipath = format!("{path}/{key}/{i}");
            let Value::Object(obj) = item else {
                self.fault(&ipath, "must be an object");
                return None;
            };
            out.push((ipath, obj));
        }
        Some(out)
    }

    fn target(
        &mut self,
        v: Option<&Value>,
        index: &HashMap<String, usize>,
        path: &str,
    ) -> Option<usize> {
        match v.and_then(Value::as_str).and_then(|n| index.get(n)) {
            Some(&i) => Some(i),
            None => {
                self.fault(path, "must name a state in the same scope");
                None
            }
        }
    }

    fn state(
        &mut self,
        name: &str,
        v: &Value,
        inherited: QueryLanguage,
        index: &HashMap<String, usize>,
        path: &str,
    ) -> Option<State> {
        let Value::Object(o) = v else {
            self.fault(path, "a state must be an object");
            return None;
        };
        let ql = self.query_language(o, inherited, path);
        let transition = if o.get("End").and_then(Value::as_bool) == Some(true) {
            Some(Transition::End)
        } else if o.contains_key("Next") {
            Some(Transition::Next(self.target(
                o.get("Next"),
                index,
                &format!("{path}/Next"),
            )?))
        } else {
            None
        };
        let kind = self.kind(o, ql, index, path)?;
        let io = self.data_flow(o, ql, path)?;
        let retry = self.retriers(o, path)?;
        let catch = self.catchers(o, ql, index, path)?;
        let assign = self.assign(o.get("Assign"), ql, &format!("{path}/Assign"))?;
        Some(State {
            name: name.into(),
            query_language: ql,
            kind,
            io,
            transition,
            retry,
            catch,
            assign,
        })
    }

    fn assign(
        &mut self,
        v: Option<&Value>,
        ql: QueryLanguage,
        path: &str,
    ) -> Option<Option<Template>> {
        match v {
            None => Some(None),
            Some(v) => self.template(v, ql, "Assign", path).map(Some),
        }
    }

    fn template(
        &mut self,
        v: &Value,
        ql: QueryLanguage,
        field: &str,
        path: &str,
    ) -> Option<Template> {
        let compiled = match ql {
            QueryLanguage::JsonPath => Template::jsonpath(v),
            QueryLanguage::Jsonata => Template::jsonata(v, field),
        };
        compiled.map_err(|m| self.fault(path, m)).ok()
    }

    fn opt_template(
        &mut self,
        o: &Obj,
        key: &str,
        ql: QueryLanguage,
        path: &str,
    ) -> Option<Option<Template>> {
        match o.get(key) {
            None => Some(None),
            Some(v) => self
                .template(v, ql, key, &format!("{path}/{key}"))
                .map(Some),
        }
    }

    /// `InputPath`/`OutputPath`/`ResultPath`: absent, null, or a path.
    fn path_field(&mut self, o: &Obj, key: &str, path: &str) -> Option<Option<Option<Path>>> {
        match o.get(key) {
            None => Some(None),
            Some(Value::Null) => Some(Some(None)),
            Some(Value::String(s)) => match Path::parse(s) {
                Ok(p) => Some(Some(Some(p))),
                Err(e) => {
                    self.fault(&format!("{path}/{key}"), e.message);
                    None
                }
            },
            Some(_) => {
                self.fault(&format!("{path}/{key}"), "must be a path or null");
                None
            }
        }
    }

    fn path(&mut self, v: &Value, path: &str) -> Option<Path> {
        match v.as_str().map(Path::parse) {
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                self.fault(path, e.message);
                None
            }
            None => {
                self.fault(path, "must be a path");
                None
            }
        }
    }

    fn data_flow(&mut self, o: &Obj, ql: QueryLanguage, path: &str) -> Option<DataFlow> {
        let mut io = DataFlow::default();
        match ql {
            QueryLanguage::JsonPath => {
                io.input_path = self.path_field(o, "InputPath", path)?;
                io.output_path = self.path_field(o, "OutputPath", path)?;
                io.result_path = self.path_field(o, "ResultPath", path)?;
                // A Map's `Parameters` is its item selector (older form), not the task input.
                if o.get("Type").and_then(Value::as_str) != Some("Map") {
                    io.parameters = self.opt_template(o, "Parameters", ql, path)?;
                }
                io.result_selector = self.opt_template(o, "ResultSelector", ql, path)?;
            }
            QueryLanguage::Jsonata => {
                io.parameters = self.opt_template(o, "Arguments", ql, path)?;
                io.output = self.opt_template(o, "Output", ql, path)?;
            }
        }
        Some(io)
    }

    fn number(
        &mut self,
        o: &Obj,
        key: &str,
        ql: QueryLanguage,
        path: &str,
    ) -> Option<Option<NumberSource>> {
        let path_key = format!("{key}Path");
        if let Some(v) = o.get(&path_key) {
            return self
                .path(v, &format!("{path}/{path_key}"))
                .map(|p| Some(NumberSource::Path(p)));
        }
        match o.get(key) {
            None => Some(None),
            Some(Value::Number(n)) => Some(Some(NumberSource::Literal(n.as_f64().unwrap_or(0.0)))),
            Some(v @ Value::String(_)) if ql == QueryLanguage::Jsonata => self
                .template(v, ql, key, &format!("{path}/{key}"))
                .map(|t| Some(NumberSource::Expr(t))),
            Some(_) => {
                self.fault(&format!("{path}/{key}"), "must be a number");
                None
            }
        }
    }

    fn string(
        &mut self,
        o: &Obj,
        key: &str,
        ql: QueryLanguage,
        path: &str,
    ) -> Option<Option<StringSource>> {
        let path_key = format!("{key}Path");
        if let Some(v) = o.get(&path_key) {
            let Some(src) = v.as_str() else {
                self.fault(&format!("{path}/{path_key}"), "must be a path");
                return None;
            };
            return match Template::dynamic_string(src, &path_key) {
                Ok(Template::Path { path: p, .. }) => Some(Some(StringSource::Path(p))),
                Ok(t) => Some(Some(StringSource::Expr(t))),
                Err(m) => {
                    self.fault(&format!("{path}/{path_key}"), m);
                    None
                }
            };
        }
        match o.get(key) {
            None => Some(None),
            Some(v @ Value::String(s)) => {
                if ql == QueryLanguage::Jsonata && switchback_jsonata::strip_delimiters(s).is_some()
                {
                    self.template(v, ql, key, &format!("{path}/{key}"))
                        .map(|t| Some(StringSource::Expr(t)))
                } else {
                    Some(Some(StringSource::Literal(s.clone())))
                }
            }
            Some(_) => {
                self.fault(&format!("{path}/{key}"), "must be a string");
                None
            }
        }
    }

    fn kind(
        &mut self,
        o: &Obj,
        ql: QueryLanguage,
        index: &HashMap<String, usize>,
        path: &str,
    ) -> Option<StateKind> {
        let ty = o.get("Type").and_then(Value::as_str).unwrap_or("");
        Some(match ty {
            "Pass" => StateKind::Pass {
                result: o.get("Result").map(switchback_json::Json::from),
            },
            "Succeed" => StateKind::Succeed,
            "Fail" => StateKind::Fail {
                error: self.string(o, "Error", ql, path)?,
                cause: self.string(o, "Cause", ql, path)?,
            },
            "Wait" => {
                let how = if o.contains_key("Seconds") || o.contains_key("SecondsPath") {
                    WaitFor::Seconds(self.number(o, "Seconds", ql, path)??)
                } else {
                    WaitFor::Timestamp(self.string(o, "Timestamp", ql, path)??)
                };
                StateKind::Wait(how)
            }
            "Task" => StateKind::Task(Box::new(TaskSpec {
                resource: Arc::new(Resource::parse(
                    o.get("Resource")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                )),
                timeout_seconds: self.number(o, "TimeoutSeconds", ql, path)?,
                heartbeat_seconds: self.number(o, "HeartbeatSeconds", ql, path)?,
                credentials: o.get("Credentials").cloned(),
            })),
            "Choice" => self.choice(o, ql, index, path)?,
            "Parallel" => {
                let branches = self.object_list(o, "Branches", false, path)?;
                let mut built = Vec::with_capacity(branches.len());
                for (bpath, bo) in branches {
                    let bql = self.query_language(bo, ql, &bpath);
                    built.push(self.scope(bo, bql, &bpath)?);
                }
                StateKind::Parallel { branches: built }
            }
            "Map" => StateKind::Map(Box::new(self.map(o, ql, path)?)),
            other => {
                self.fault(
                    &format!("{path}/Type"),
                    format!("unknown state type '{other}'"),
                );
                return None;
            }
        })
    }

    fn choice(
        &mut self,
        o: &Obj,
        ql: QueryLanguage,
        index: &HashMap<String, usize>,
        path: &str,
    ) -> Option<StateKind> {
        let rules = self.object_list(o, "Choices", false, path)?;
        let mut choices = Vec::with_capacity(rules.len());
        for (rpath, ro) in rules {
            let rule = match ql {
                QueryLanguage::Jsonata => {
                    let cond = ro.get("Condition").cloned().unwrap_or(Value::Null);
                    ChoiceRule::Condition(self.template(
                        &cond,
                        ql,
                        "Condition",
                        &format!("{rpath}/Condition"),
                    )?)
                }
                QueryLanguage::JsonPath => match ChoiceRule::from_object(ro) {
                    Ok(rule) => rule,
                    Err(m) => {
                        self.fault(&rpath, m);
                        return None;
                    }
                },
            };
            let next = self.target(ro.get("Next"), index, &format!("{rpath}/Next"))?;
            let assign = self.assign(ro.get("Assign"), ql, &format!("{rpath}/Assign"))?;
            let output = match ro.get("Output") {
                Some(v) => Some(self.template(v, ql, "Output", &format!("{rpath}/Output"))?),
                None => None,
            };
            choices.push(ChoiceBranch {
                rule,
                next,
                assign,
                output,
            });
        }
        let default = match o.get("Default") {
            Some(d) => Some(self.target(Some(d), index, &format!("{path}/Default"))?),
            None => None,
        };
        Some(StateKind::Choice { choices, default })
    }

    fn map(&mut self, o: &Obj, ql: QueryLanguage, path: &str) -> Option<MapSpec> {
        let (key, proc) = match (o.get("ItemProcessor"), o.get("Iterator")) {
            (Some(Value::Object(p)), _) => ("ItemProcessor", p),
            (_, Some(Value::Object(p))) => ("Iterator", p),
            _ => {
                self.fault(path, "a Map state needs an 'ItemProcessor'");
                return None;
            }
        };
        let ppath = format!("{path}/{key}");
        let pql = self.query_language(proc, ql, &ppath);
        let processor = self.scope(proc, pql, &ppath)?;
        let mode = match proc
            .get("ProcessorConfig")
            .and_then(|c| c.get("Mode"))
            .and_then(Value::as_str)
        {
            Some("DISTRIBUTED") => MapMode::Distributed,
            _ => MapMode::Inline,
        };
        let child_execution_type = match proc
            .get("ProcessorConfig")
            .and_then(|c| c.get("ExecutionType"))
            .and_then(Value::as_str)
        {
            Some("EXPRESS") => ChildExecutionType::Express,
            _ => ChildExecutionType::Standard,
        };
        let items_path = match o.get("ItemsPath") {
            Some(v) => Some(self.path(v, &format!("{path}/ItemsPath"))?),
            None => None,
        };
        let items = self.opt_template(o, "Items", ql, path)?;
        let selector_key = if o.contains_key("ItemSelector") {
            "ItemSelector"
        } else {
            "Parameters"
        };
        let item_selector = self.opt_template(o, selector_key, ql, path)?;
        Some(MapSpec {
            processor,
            mode,
            child_execution_type,
            items_path,
            items,
            item_selector,
            max_concurrency: self.number(o, "MaxConcurrency", ql, path)?,
            tolerated_failure_count: self.number(o, "ToleratedFailureCount", ql, path)?,
            tolerated_failure_percentage: self.number(o, "ToleratedFailurePercentage", ql, path)?,
            label: o.get("Label").and_then(Value::as_str).map(str::to_string),
            item_reader: match o.get("ItemReader") {
                Some(Value::Object(r)) => {
                    Some(self.item_reader(r, ql, &format!("{path}/ItemReader"))?)
                }
                Some(_) => {
                    self.fault(&format!("{path}/ItemReader"), "must be an object");
                    return None;
                }
                None => None,
            },
            item_batcher: match o.get("ItemBatcher") {
                Some(Value::Object(b)) => {
                    let bpath = format!("{path}/ItemBatcher");
                    Some(ItemBatcher {
                        max_items_per_batch: self.number(b, "MaxItemsPerBatch", ql, &bpath)?,
                        max_input_bytes_per_batch: self.number(
                            b,
                            "MaxInputBytesPerBatch",
                            ql,
                            &bpath,
                        )?,
                        batch_input: self.opt_template(b, "BatchInput", ql, &bpath)?,
                    })
                }
                Some(_) => {
                    self.fault(&format!("{path}/ItemBatcher"), "must be an object");
                    return None;
                }
                None => None,
            },
            result_writer: match o.get("ResultWriter") {
                Some(Value::Object(w)) => {
                    Some(self.result_writer(w, ql, &format!("{path}/ResultWriter"))?)
                }
                Some(_) => {
                    self.fault(&format!("{path}/ResultWriter"), "must be an object");
                    return None;
                }
                None => None,
            },
        })
    }

    /// A Map's `ResultWriter`: an S3 destination, a `WriterConfig`, or both.
    fn result_writer(&mut self, w: &Obj, ql: QueryLanguage, path: &str) -> Option<ResultWriter> {
        let request_key = match ql {
            QueryLanguage::JsonPath => "Parameters",
            QueryLanguage::Jsonata => "Arguments",
        };
        let destination = match w.get("Resource") {
            None => None,
            Some(Value::String(r)) if r == "arn:aws:states:::s3:putObject" => {
                match self.opt_template(w, request_key, ql, path)? {
                    Some(t) => Some(t),
                    None => {
                        self.fault(
                            &format!("{path}/{request_key}"),
                            "a ResultWriter with a Resource needs the Bucket and Prefix to write to",
                        );
                        return None;
                    }
                }
            }
            Some(_) => {
                self.fault(
                    &format!("{path}/Resource"),
                    "a ResultWriter writes with arn:aws:states:::s3:putObject",
                );
                return None;
            }
        };
        let config = match w.get("WriterConfig") {
            None => None,
            Some(Value::Object(c)) => {
                let cpath = format!("{path}/WriterConfig");
                let output_type = match c.get("OutputType").map(|v| v.as_str()) {
                    None | Some(Some("JSON")) => WriterOutputType::Json,
                    Some(Some("JSONL")) => WriterOutputType::JsonLines,
                    Some(_) => {
                        self.fault(&format!("{cpath}/OutputType"), "must be JSON or JSONL");
                        return None;
                    }
                };
                let transformation = match c.get("Transformation").map(|v| v.as_str()) {
                    None | Some(Some("NONE")) => Transformation::None,
                    Some(Some("COMPACT")) => Transformation::Compact,
                    Some(Some("FLATTEN")) => Transformation::Flatten,
                    Some(_) => {
                        self.fault(
                            &format!("{cpath}/Transformation"),
                            "must be NONE, COMPACT or FLATTEN",
                        );
                        return None;
                    }
                };
                Some(WriterConfig {
                    output_type,
                    transformation,
                })
            }
            Some(_) => {
                self.fault(&format!("{path}/WriterConfig"), "must be an object");
                return None;
            }
        };
        if destination.is_none() && config.is_none() {
            self.fault(
                path,
                "a ResultWriter needs a Resource with its Parameters, a WriterConfig, or both",
            );
            return None;
        }
        Some(ResultWriter {
            destination,
            config,
        })
    }

    /// A Map's `ItemReader`: its resource, request and `ReaderConfig`.
    fn item_reader(&mut self, r: &Obj, ql: QueryLanguage, path: &str) -> Option<ItemReader> {
        let resource = match r.get("Resource").and_then(Value::as_str) {
            Some(text) => match ItemSource::from_resource(text) {
                Some(source) => source,
                None => {
                    self.fault(
                        &format!("{path}/Resource"),
                        format!(
                            "an ItemReader reads with arn:aws:states:::s3:getObject or \
                             arn:aws:states:::s3:listObjectsV2, not '{text}'"
                        ),
                    );
                    return None;
                }
            },
            None => {
                self.fault(&format!("{path}/Resource"), "must be a string");
                return None;
            }
        };
        let request_key = match ql {
            QueryLanguage::JsonPath => "Parameters",
            QueryLanguage::Jsonata => "Arguments",
        };
        let parameters = self.opt_template(r, request_key, ql, path)?;
        let config = match r.get("ReaderConfig") {
            Some(Value::Object(c)) => self.reader_config(c, ql, &format!("{path}/ReaderConfig"))?,
            Some(_) => {
                self.fault(&format!("{path}/ReaderConfig"), "must be an object");
                return None;
            }
            None => ReaderConfig::default(),
        };
        if config.transformation == ReaderTransformation::LoadAndFlatten
            && resource != ItemSource::S3ListObjectsV2
        {
            self.fault(
                &format!("{path}/ReaderConfig/Transformation"),
                "LOAD_AND_FLATTEN is for an ItemReader with arn:aws:states:::s3:listObjectsV2",
            );
            return None;
        }
        if resource == ItemSource::S3GetObject
            && config.input_type.is_none()
            && config.manifest_type != Some(ManifestType::S3Inventory)
        {
            self.fault(
                &format!("{path}/ReaderConfig"),
                "an ItemReader with s3:getObject needs ReaderConfig.InputType",
            );
            return None;
        }
        Some(ItemReader {
            resource,
            parameters,
            config,
        })
    }

    /// `ReaderConfig`: `InputType` with its CSV fields, and `MaxItems(Path)`.
    fn reader_config(&mut self, c: &Obj, ql: QueryLanguage, path: &str) -> Option<ReaderConfig> {
        let input_type = match c.get("InputType").map(|v| v.as_str()) {
            None => None,
            Some(Some("JSON")) => Some(ReaderInputType::Json),
            Some(Some("JSONL")) => Some(ReaderInputType::JsonLines),
            Some(Some("MANIFEST")) => Some(ReaderInputType::Manifest),
            Some(Some("PARQUET")) => Some(ReaderInputType::Parquet),
            Some(Some("CSV")) => Some(ReaderInputType::Csv(self.csv_config(c, path)?)),
            Some(_) => {
                self.fault(
                    &format!("{path}/InputType"),
                    "must be one of CSV, JSON, JSONL, MANIFEST, PARQUET",
                );
                return None;
            }
        };
        let manifest_type = match c.get("ManifestType").map(|v| v.as_str()) {
            None => None,
            Some(Some("S3_INVENTORY")) => Some(ManifestType::S3Inventory),
            Some(Some("ATHENA_DATA")) => Some(ManifestType::AthenaData),
            Some(_) => {
                self.fault(
                    &format!("{path}/ManifestType"),
                    "must be ATHENA_DATA or S3_INVENTORY",
                );
                return None;
            }
        };
        match (manifest_type, &input_type) {
            (Some(ManifestType::S3Inventory), Some(_)) => {
                self.fault(
                    &format!("{path}/InputType"),
                    "ManifestType S3_INVENTORY takes no InputType: an S3 inventory report is CSV",
                );
                return None;
            }
            (
                Some(ManifestType::AthenaData),
                None | Some(ReaderInputType::Json | ReaderInputType::Manifest),
            ) => {
                self.fault(
                    &format!("{path}/InputType"),
                    "ManifestType ATHENA_DATA needs InputType CSV, JSONL or PARQUET",
                );
                return None;
            }
            _ => {}
        }
        let input_type = match (c.get("ItemsPointer"), input_type) {
            (None, input_type) => input_type,
            (Some(Value::String(p)), Some(ReaderInputType::Json))
                if p.is_empty() || p.starts_with('/') =>
            {
                Some(ReaderInputType::JsonAt(p.clone()))
            }
            (Some(Value::String(p)), Some(ReaderInputType::Json)) => {
                self.fault(
                    &format!("{path}/ItemsPointer"),
                    format!("'{p}' is not a JSON Pointer: it must be empty or start with '/'"),
                );
                return None;
            }
            (Some(_), Some(ReaderInputType::Json)) => {
                self.fault(&format!("{path}/ItemsPointer"), "must be a string");
                return None;
            }
            (Some(_), _) => {
                self.fault(
                    &format!("{path}/ItemsPointer"),
                    "ItemsPointer is for InputType JSON",
                );
                return None;
            }
        };
        let transformation = match c.get("Transformation").map(|v| v.as_str()) {
            None | Some(Some("NONE")) => ReaderTransformation::None,
            Some(Some("LOAD_AND_FLATTEN")) => ReaderTransformation::LoadAndFlatten,
            Some(_) => {
                self.fault(
                    &format!("{path}/Transformation"),
                    "must be NONE or LOAD_AND_FLATTEN",
                );
                return None;
            }
        };
        if transformation == ReaderTransformation::LoadAndFlatten
            && !matches!(
                input_type,
                Some(
                    ReaderInputType::Csv(_)
                        | ReaderInputType::Json
                        | ReaderInputType::JsonAt(_)
                        | ReaderInputType::JsonLines
                        | ReaderInputType::Parquet
                )
            )
        {
            self.fault(
                &format!("{path}/InputType"),
                "Transformation LOAD_AND_FLATTEN needs InputType CSV, JSON, JSONL or PARQUET",
            );
            return None;
        }
        Some(ReaderConfig {
            input_type,
            max_items: self.number(c, "MaxItems", ql, path)?,
            manifest_type,
            transformation,
        })
    }

    /// The CSV fields of a `ReaderConfig`.
    fn csv_config(&mut self, c: &Obj, path: &str) -> Option<CsvConfig> {
        let delimiter = match c.get("CSVDelimiter") {
            None => CsvDelimiter::default(),
            Some(v) => match v.as_str().and_then(CsvDelimiter::from_name) {
                Some(d) => d,
                None => {
                    self.fault(
                        &format!("{path}/CSVDelimiter"),
                        "must be one of COMMA, PIPE, SEMICOLON, SPACE, TAB",
                    );
                    return None;
                }
            },
        };
        let header = match c.get("CSVHeaderLocation").map(|v| v.as_str()) {
            None | Some(Some("FIRST_ROW")) => CsvHeader::FirstRow,
            Some(Some("GIVEN")) => {
                let names = c.get("CSVHeaders").and_then(Value::as_array).and_then(|a| {
                    a.iter()
                        .map(|n| n.as_str().map(str::to_string))
                        .collect::<Option<Vec<String>>>()
                });
                match names {
                    Some(names) => CsvHeader::Given(names),
                    None => {
                        self.fault(
                            &format!("{path}/CSVHeaders"),
                            "CSVHeaderLocation GIVEN needs CSVHeaders, an array of strings",
                        );
                        return None;
                    }
                }
            }
            Some(_) => {
                self.fault(
                    &format!("{path}/CSVHeaderLocation"),
                    "must be FIRST_ROW or GIVEN",
                );
                return None;
            }
        };
        Some(CsvConfig { header, delimiter })
    }

    fn retriers(&mut self, o: &Obj, path: &str) -> Option<Vec<Retrier>> {
        let list = self.object_list(o, "Retry", true, path)?;
        let mut out = Vec::with_capacity(list.len());
        for (rpath, r) in list {
            out.push(Retrier {
                error_equals: self.error_equals(r, &rpath)?,
                interval_seconds: r
                    .get("IntervalSeconds")
                    .and_then(Value::as_f64)
                    .unwrap_or(1.0),
                max_attempts: r
                    .get("MaxAttempts")
                    .and_then(Value::as_u64)
                    .map_or(3, |n| u32::try_from(n).unwrap_or(u32::MAX)),
                backoff_rate: r.get("BackoffRate").and_then(Value::as_f64).unwrap_or(2.0),
                max_delay_seconds: r.get("MaxDelaySeconds").and_then(Value::as_f64),
                jitter_full: r.get("JitterStrategy").and_then(Value::as_str) == Some("FULL"),
            });
        }
        Some(out)
    }

    fn error_equals(&mut self, r: &Obj, path: &str) -> Option<Vec<String>> {
        match r.get("ErrorEquals") {
            Some(Value::Array(names)) => Some(
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            ),
            _ => {
                self.fault(
                    &format!("{path}/ErrorEquals"),
                    "must be an array of error names",
                );
                None
            }
        }
    }

    fn catchers(
        &mut self,
        o: &Obj,
        ql: QueryLanguage,
        index: &HashMap<String, usize>,
        path: &str,
    ) -> Option<Vec<Catcher>> {
        let list = self.object_list(o, "Catch", true, path)?;
        let mut out = Vec::with_capacity(list.len());
        for (cpath, co) in list {
            let error_equals = self.error_equals(co, &cpath)?;
            let next = self.target(co.get("Next"), index, &format!("{cpath}/Next"))?;
            let result_path = self.path_field(co, "ResultPath", &cpath)?;
            let output = match (ql, co.get("Output")) {
                (QueryLanguage::Jsonata, Some(v)) => {
                    Some(self.template(v, ql, "Output", &format!("{cpath}/Output"))?)
                }
                _ => None,
            };
            let assign = self.assign(co.get("Assign"), ql, &format!("{cpath}/Assign"))?;
            out.push(Catcher {
                error_equals,
                next,
                result_path,
                output,
                assign,
            });
        }
        Some(out)
    }
}

#[cfg(test)]
mod item_reader_tests {
    use super::*;
    use serde_json::json;

    /// A distributed Map state whose `ItemReader` is `reader`, built.
    fn map_with(reader: Value) -> Result<StateMachine, Vec<Fault>> {
        build(&json!({
            "StartAt": "M",
            "States": {"M": {
                "Type": "Map",
                "ItemReader": reader,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": true}}
                },
                "End": true
            }}
        }))
    }

    fn reader_of(machine: &StateMachine) -> ItemReader {
        match &machine.scope.states[0].kind {
            StateKind::Map(spec) => spec.item_reader.clone().expect("an ItemReader"),
            other => panic!("not a Map: {other:?}"),
        }
    }

    fn fault_of(reader: Value) -> String {
        let faults = map_with(reader).expect_err("refused");
        faults
            .iter()
            .map(|f| format!("{}: {}", f.path, f.message))
            .collect()
    }

    #[test]
    fn csv_reader_configs_are_typed() {
        let machine = map_with(json!({
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {
                "InputType": "CSV",
                "CSVHeaderLocation": "GIVEN",
                "CSVHeaders": ["a", "b"],
                "CSVDelimiter": "PIPE",
                "MaxItemsPath": "$.max"
            },
            "Parameters": {"Bucket.$": "$.bucket", "Key": "k.csv"}
        }))
        .expect("builds");
        let reader = reader_of(&machine);
        assert_eq!(reader.resource, ItemSource::S3GetObject);
        assert!(reader.parameters.is_some());
        assert_eq!(
            reader.config.input_type,
            Some(ReaderInputType::Csv(CsvConfig {
                header: CsvHeader::Given(vec!["a".into(), "b".into()]),
                delimiter: CsvDelimiter::Pipe,
            }))
        );
        assert!(matches!(
            reader.config.max_items,
            Some(NumberSource::Path(_))
        ));

        // FIRST_ROW and COMMA are the defaults.
        let machine = map_with(json!({
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "MaxItems": 5}
        }))
        .expect("builds");
        let reader = reader_of(&machine);
        assert_eq!(
            reader.config.input_type,
            Some(ReaderInputType::Csv(CsvConfig {
                header: CsvHeader::FirstRow,
                delimiter: CsvDelimiter::Comma,
            }))
        );
        assert!(matches!(reader.config.max_items, Some(NumberSource::Literal(n)) if n == 5.0));
    }

    #[test]
    fn other_input_types_and_listing_need_no_csv_fields() {
        for (input_type, expected) in [
            ("JSON", ReaderInputType::Json),
            ("JSONL", ReaderInputType::JsonLines),
            ("MANIFEST", ReaderInputType::Manifest),
            ("PARQUET", ReaderInputType::Parquet),
        ] {
            let machine = map_with(json!({
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": input_type}
            }))
            .expect("builds");
            assert_eq!(reader_of(&machine).config.input_type, Some(expected));
        }
        let machine = map_with(json!({
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            "Parameters": {"Bucket": "b", "Prefix": "p/"}
        }))
        .expect("builds");
        let reader = reader_of(&machine);
        assert_eq!(reader.resource, ItemSource::S3ListObjectsV2);
        assert_eq!(reader.config.input_type, None);
    }

    #[test]
    fn faulty_readers_are_refused_with_the_path_of_the_fault() {
        let get = "arn:aws:states:::s3:getObject";
        assert!(
            fault_of(json!({"Resource": get, "ReaderConfig": {"InputType": "XML"}}))
                .contains("/ReaderConfig/InputType")
        );
        assert!(fault_of(json!({"Resource": get, "ReaderConfig": {
            "InputType": "CSV", "CSVHeaderLocation": "GIVEN"
        }}))
        .contains("/ReaderConfig/CSVHeaders"));
        assert!(fault_of(json!({"Resource": get, "ReaderConfig": {
            "InputType": "CSV", "CSVDelimiter": "COLON"
        }}))
        .contains("/ReaderConfig/CSVDelimiter"));
        assert!(fault_of(json!({"Resource": get})).contains("needs ReaderConfig.InputType"));
        assert!(
            fault_of(json!({"Resource": "arn:aws:states:::s3:putObject"}))
                .contains("/ItemReader/Resource")
        );
        assert!(
            fault_of(json!({"Resource": get, "ReaderConfig": {"ManifestType": "ORC"}}))
                .contains("/ReaderConfig/ManifestType")
        );
        assert!(fault_of(json!({"Resource": get, "ReaderConfig": {
            "ManifestType": "S3_INVENTORY", "InputType": "CSV"
        }}))
        .contains("takes no InputType"));
        assert!(fault_of(json!({"Resource": get, "ReaderConfig": {
            "ManifestType": "ATHENA_DATA", "InputType": "JSON"
        }}))
        .contains("needs InputType CSV, JSONL or PARQUET"));
        assert!(fault_of(json!({"Resource": get, "ReaderConfig": {
            "InputType": "JSONL", "ItemsPointer": "/a"
        }}))
        .contains("ItemsPointer is for InputType JSON"));
        assert!(fault_of(json!({"Resource": get, "ReaderConfig": {
            "InputType": "JSON", "ItemsPointer": "a"
        }}))
        .contains("not a JSON Pointer"));
        let list = "arn:aws:states:::s3:listObjectsV2";
        assert!(fault_of(json!({"Resource": list, "ReaderConfig": {
            "Transformation": "LOAD_AND_FLATTEN"
        }}))
        .contains("LOAD_AND_FLATTEN needs InputType"));
        assert!(fault_of(json!({"Resource": get, "ReaderConfig": {
            "InputType": "JSON", "Transformation": "LOAD_AND_FLATTEN"
        }}))
        .contains("LOAD_AND_FLATTEN is for an ItemReader with"));
        assert!(
            fault_of(json!({"Resource": list, "ReaderConfig": {"Transformation": "FLAT"}}))
                .contains("/ReaderConfig/Transformation")
        );
    }

    #[test]
    fn manifests_are_read_by_their_type() {
        let get = "arn:aws:states:::s3:getObject";
        let machine =
            map_with(json!({"Resource": get, "ReaderConfig": {"ManifestType": "S3_INVENTORY"}}))
                .expect("builds without an InputType");
        let config = &reader_of(&machine).config;
        assert_eq!(config.manifest_type, Some(ManifestType::S3Inventory));
        assert_eq!(config.input_type, None);
        let machine = map_with(json!({"Resource": get, "ReaderConfig": {
            "ManifestType": "ATHENA_DATA", "InputType": "JSONL"
        }}))
        .expect("builds");
        let config = &reader_of(&machine).config;
        assert_eq!(config.manifest_type, Some(ManifestType::AthenaData));
        assert_eq!(config.input_type, Some(ReaderInputType::JsonLines));
        let machine = map_with(json!({"Resource": get, "ReaderConfig": {
            "InputType": "JSON", "ItemsPointer": "/a/b"
        }}))
        .expect("builds");
        let config = &reader_of(&machine).config;
        assert_eq!(
            config.input_type,
            Some(ReaderInputType::JsonAt("/a/b".into()))
        );
    }
}
