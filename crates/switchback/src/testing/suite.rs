//! The test file: a definition and its cases, in YAML or JSON.
//!
//! ```yaml
//! definition: order.asl.json        # relative to this file; by default found by its name
//! mocks:                            # for every case (short form: state -> responses)
//!   Validate Order: {Return: {valid: true}}
//! cases:
//!   - name: an order in stock ships
//!     input: {orderId: ORD-1}
//!     mocks:                        # added to the file's, state by state
//!       Check Inventory: {Return: {Payload: {inStock: true}}}
//!     context: {execution_name: t1, start_time: "2025-01-01T00:00:00Z", type: STANDARD}
//!     expect:
//!       status: SUCCEEDED
//!       output_contains: {shipment: {carrier: UPS}}
//!       path: [Validate Order, Check Inventory, In Stock?, Process Payment, Ship Order]
//!       states: {Ship Order: {input_contains: {orderId: ORD-1}}}
//!       calls: {Process Payment: 1}
//!       variables: {attempts: 1}
//! ```
//!
//! Unknown fields are errors (a misspelt expectation must not pass silently), and so is a mock
//! that names no Task state of the definition.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::{Map, Value};

/// One test file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// The definition, relative to the test file; by default `NAME.asl.json` (or `.asl.yaml`,
    /// `.json`, `.yaml`) beside `NAME.test.yaml`.
    pub definition: Option<PathBuf>,
    /// Or a SAM or CloudFormation template holding the state machine (relative to the test
    /// file), with `resource` its logical ID.
    pub template: Option<PathBuf>,
    /// The state machine's logical ID in `template`.
    pub resource: Option<String>,
    /// Values of the definition's `${KEY}` placeholders (over the template's).
    #[serde(default)]
    pub substitutions: BTreeMap<String, String>,
    /// Mocks every case starts from, in the short form (state name -> responses).
    #[serde(default)]
    pub mocks: Map<String, Value>,
    /// The cases, run in order.
    pub cases: Vec<Case>,
}

/// One case: an execution and what it must do.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Its name in the report.
    pub name: String,
    /// The execution input (default `{}`).
    pub input: Option<Value>,
    /// Mocks added to the file's, state by state (short form).
    #[serde(default)]
    pub mocks: Map<String, Value>,
    /// A mock file in AWS's local-emulator form, relative to the test file (instead of
    /// `mocks`), with `test_case` naming its test case.
    pub mock_file: Option<PathBuf>,
    /// The test case of `mock_file`.
    pub test_case: Option<String>,
    /// The execution's name and start time.
    #[serde(default)]
    pub context: RunContext,
    /// What the execution must do.
    pub expect: Expect,
}

/// What the execution sees of its own run in `$$`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunContext {
    /// `$$.Execution.Name` (default: the case's position, `case-1` ...).
    pub execution_name: Option<String>,
    /// `$$.Execution.StartTime`, RFC 3339 (default [`DEFAULT_START_TIME`], so that a test reads
    /// the same every day).
    pub start_time: Option<String>,
    /// `STANDARD` (the default) or `EXPRESS`: what the execution's ARN and context show.
    #[serde(rename = "type")]
    pub execution_type: Option<String>,
}

/// When a case's execution starts unless it says otherwise.
pub const DEFAULT_START_TIME: &str = "2025-01-01T00:00:00Z";

/// A case's expectations; each one given is checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub status: Option<String>,
    /// The output, exactly.
    pub output: Option<Value>,
    /// The output holds at least these fields (recursively).
    pub output_contains: Option<Value>,
    /// The error, exactly.
    pub error: Option<String>,
    /// The cause, exactly.
    pub cause: Option<String>,
    /// The cause holds this text.
    pub cause_contains: Option<String>,
    /// The states entered, in order (each entry of a state, at every level).
    pub path: Option<Vec<String>>,
    /// Expectations of single states (their first entry).
    #[serde(default)]
    pub states: BTreeMap<String, StateExpect>,
    /// How many times each Task state was called (retries included).
    #[serde(default)]
    pub calls: BTreeMap<String, u64>,
    /// Each variable's last assigned value (`Assign`, at any level).
    #[serde(default)]
    pub variables: BTreeMap<String, Value>,
}

/// Expectations of one state.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateExpect {
    /// Its input, exactly.
    pub input: Option<Value>,
    /// Its input holds at least these fields.
    pub input_contains: Option<Value>,
    /// Its output, exactly.
    pub output: Option<Value>,
    /// Its output holds at least these fields.
    pub output_contains: Option<Value>,
    /// How many times it was entered (0: never).
    pub entered: Option<u64>,
}

/// The statuses an expectation may name.
const STATUSES: [&str; 4] = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];

impl TestFile {
    /// Reads a test file (YAML or JSON).
    pub fn read(path: &Path) -> Result<TestFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read test file {}", path.display()))?;
        let doc = switchback_asl::load::parse_document(&text)
            .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let file: TestFile = serde_json::from_value(doc)
            .map_err(|e| anyhow!("{}: not a test file: {e}", path.display()))?;
        if file.cases.is_empty() {
            bail!("{}: the file has no cases", path.display());
        }
        if file.template.is_some() != file.resource.is_some() {
            bail!("{}: give template and resource together", path.display());
        }
        if file.template.is_some() && file.definition.is_some() {
            bail!(
                "{}: give either definition or template with resource, not both",
                path.display()
            );
        }
        for case in &file.cases {
            if let Some(status) = &case.expect.status {
                if !STATUSES.contains(&status.as_str()) {
                    bail!(
                        "{}: case '{}': status must be one of {}, not '{status}'",
                        path.display(),
                        case.name,
                        STATUSES.join(", ")
                    );
                }
            }
            if let Some(t) = &case.context.execution_type {
                if t != "STANDARD" && t != "EXPRESS" {
                    bail!(
                        "{}: case '{}': context.type must be STANDARD or EXPRESS, not '{t}'",
                        path.display(),
                        case.name
                    );
                }
            }
            if case.mock_file.is_some() && !case.mocks.is_empty() {
                bail!(
                    "{}: case '{}': give mocks either inline (mocks) or in a file (mock_file), not both",
                    path.display(),
                    case.name
                );
            }
        }
        Ok(file)
    }

    /// The definition's path: as the file says, or found beside it by its name.
    pub fn definition_path(&self, test_file: &Path) -> Result<PathBuf> {
        let dir = test_file.parent().unwrap_or(Path::new("."));
        if let Some(p) = &self.definition {
            return Ok(dir.join(p));
        }
        let file_name = test_file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let stem = file_name.split(".test.").next().unwrap_or(file_name);
        let tried: Vec<PathBuf> = ["asl.json", "asl.yaml", "asl.yml", "json", "yaml", "yml"]
            .iter()
            .map(|ext| dir.join(format!("{stem}.{ext}")))
            .collect();
        tried.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
            anyhow!(
                "{}: no definition found (tried {}): name it with `definition: FILE`",
                test_file.display(),
                tried
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }
}

/// The test files under `paths` (files as given; directories searched for `*.test.yaml`,
/// `*.test.yml` and `*.test.json`), in a stable order.
pub fn find_test_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut found)?;
        } else if p.is_file() {
            found.push(p.clone());
        } else {
            bail!("{}: no such file or directory", p.display());
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Adds the test files under `dir` (not under hidden directories or `target`).
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, found)?;
            }
        } else if [".test.yaml", ".test.yml", ".test.json"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// The names of the Task states of a definition document, at every level.
pub fn task_states(doc: &Value) -> Vec<String> {
    let mut names = Vec::new();
    collect_tasks(doc, &mut names);
    names.sort();
    names
}

fn collect_tasks(scope: &Value, names: &mut Vec<String>) {
    let Some(states) = scope.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        if state.get("Type").and_then(Value::as_str) == Some("Task") {
            names.push(name.clone());
        }
        for nested in ["ItemProcessor", "Iterator"] {
            if let Some(n) = state.get(nested) {
                collect_tasks(n, names);
            }
        }
        for branch in state
            .get("Branches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_tasks(branch, names);
        }
    }
}

/// Checks that every mock names a Task state; the fault says which one was meant.
pub fn check_mock_names(mocks: &Map<String, Value>, tasks: &[String]) -> Result<()> {
    for name in mocks.keys() {
        if tasks.iter().any(|t| t == name) {
            continue;
        }
        let hint = tasks
            .iter()
            .min_by_key(|t| edit_distance(t, name))
            .filter(|t| edit_distance(t, name) <= name.chars().count().max(3) / 3 + 1)
            .map(|t| format!("; did you mean '{t}'?"))
            .unwrap_or_else(|| {
                format!(
                    "; its Task states are: {}",
                    if tasks.is_empty() {
                        "none".into()
                    } else {
                        tasks.join(", ")
                    }
                )
            });
        bail!("the mock '{name}' names no Task state of the definition{hint}");
    }
    Ok(())
}

/// Levenshtein distance, for the "did you mean" of a misspelt mock.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn task_states_are_found_at_every_level() {
        let doc = json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "r", "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "r", "End": true}}}
            ], "Next": "M"},
            "M": {"Type": "Map", "ItemProcessor": {"StartAt": "C", "States": {
                "C": {"Type": "Task", "Resource": "r", "End": true}}}, "End": true}
        }});
        assert_eq!(task_states(&doc), ["A", "B", "C"]);
    }

    #[test]
    fn a_misspelt_mock_is_refused_with_the_name_meant() {
        let tasks = vec!["Validate Order".to_string(), "Ship Order".to_string()];
        let mocks = |name: &str| {
            let mut m = Map::new();
            m.insert(name.into(), json!({"Return": 1}));
            m
        };
        assert!(check_mock_names(&mocks("Ship Order"), &tasks).is_ok());
        let e = check_mock_names(&mocks("Validate Ordr"), &tasks).unwrap_err();
        assert!(
            e.to_string().contains("did you mean 'Validate Order'"),
            "{e}"
        );
        let e = check_mock_names(&mocks("Something Else Entirely"), &tasks).unwrap_err();
        assert!(
            e.to_string()
                .contains("its Task states are: Validate Order, Ship Order"),
            "{e}"
        );
    }
}
