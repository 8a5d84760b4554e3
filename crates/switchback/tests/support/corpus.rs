//! What the conformance tests share: finding and selecting the cases, scoring one execution
//! against its case (the corpus's `run.py` rules, by way of [`Matcher`]), printing the table
//! and ratcheting the totals against `conformance-baseline.json`.
//!
//! `conformance.rs` runs the cases in-process, `conformance_server.rs` through the API; each
//! has its own keys in the baseline file. The `lambda/**` cases (which need Lambda functions)
//! run with the fixture functions of [`super::functions`] and are counted apart from the
//! others, under their own `lambda_*` keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::compare::Matcher;
use super::functions::{self, CaseFunctions};

/// How one case went.
pub struct CaseResult {
    pub id: String,
    pub category: String,
    /// Status and output (or error and cause) as AWS's.
    pub outcome: bool,
    /// The history as AWS's; `None` when the case recorded no history.
    pub history: Option<bool>,
    /// The first difference, when there is one.
    pub detail: Option<String>,
}

impl CaseResult {
    /// A case that produced nothing to score (definition refused, API error, panic...): the
    /// outcome fails, and so does the history if one was recorded.
    pub fn failed(case: &Value, detail: String) -> CaseResult {
        CaseResult {
            id: case_id(case),
            category: case["category"].as_str().unwrap_or("?").to_string(),
            outcome: false,
            history: case["expected"].get("events").map(|_| false),
            detail: Some(detail),
        }
    }
}

/// When the corpus's inputs were made: the moment every case runs at.
///
/// A case's input was captured by running LocalStack's test, and a test that builds a timestamp
/// from "now" built it then: `base/test_wait_timestamppath[*]` waits until this very moment,
/// and `base/test_timestamp_too_far_in_future_boundary[24856]` until 24,856 days after it.
/// AWS's answer (recorded earlier, with the timestamps as placeholders; see `recorded`) is
/// relative to that "now", so the cases run on a clock pinned here, and mean the same on any
/// date. `SWITCHBACK_CONFORMANCE_CLOCK` (an RFC 3339 timestamp) pins it elsewhere, for a
/// corpus captured at another moment.
const INPUTS_MADE_AT: &str = "2026-11-21T05:25:19Z";

/// The moment the conformance cases run at (see [`INPUTS_MADE_AT`]).
pub fn pinned_clock() -> jiff::Timestamp {
    let text = std::env::var("SWITCHBACK_CONFORMANCE_CLOCK")
        .unwrap_or_else(|_| INPUTS_MADE_AT.to_string());
    text.parse().unwrap_or_else(|e| {
        panic!("SWITCHBACK_CONFORMANCE_CLOCK must be an RFC 3339 timestamp, got {text:?}: {e}")
    })
}

fn case_id(case: &Value) -> String {
    case["id"].as_str().unwrap_or("?").to_string()
}

/// The repository's root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The cases' directory: `SWITCHBACK_CONFORMANCE_CASES`, by default `../shared/conformance/cases`
/// beside the repository.
pub fn cases_dir() -> PathBuf {
    std::env::var_os("SWITCHBACK_CONFORMANCE_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/conformance/cases"))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// A case that needs Lambda functions, with the fixture functions that stand for them.
pub struct LambdaCase {
    pub case: Value,
    pub functions: CaseFunctions,
}

/// The cases a run scores.
pub struct Selection {
    /// The cases that need no Lambda function, in the order of their files' paths.
    pub cases: Vec<Value>,
    /// The cases that need Lambda functions, all of them known to [`functions::FIXTURES`].
    pub lambda_cases: Vec<LambdaCase>,
    /// Cases left out because a function's description has no fixture.
    pub skipped_lambda: usize,
    /// `SWITCHBACK_CONFORMANCE_FILTER`: only the cases whose id contains it (and no ratchet).
    pub filter: Option<String>,
}

/// Reads the cases: every case file under [`cases_dir`] (those that need Lambda functions
/// only when every function's description has a fixture), and only those matching
/// `SWITCHBACK_CONFORMANCE_FILTER` when it is set. `None` (after saying so) when there are no
/// case files at all.
pub fn select_cases() -> Option<Selection> {
    let dir = cases_dir();
    let mut files = Vec::new();
    collect(&dir, &mut files);
    if files.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "conformance: no cases under {}: required on CI (../shared beside the repository)",
            dir.display()
        );
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: conformance: no cases under {} (is ../shared beside the repository?)",
            dir.display()
        );
        return None;
    }
    files.sort();
    let filter = std::env::var("SWITCHBACK_CONFORMANCE_FILTER").ok();
    let mut cases = Vec::new();
    let mut lambda_cases = Vec::new();
    let mut skipped_lambda = 0;
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if case.get("definition").is_none() || case.get("expected").is_none() {
            continue;
        }
        if filter
            .as_deref()
            .is_some_and(|s| !case["id"].as_str().unwrap_or("").contains(s))
        {
            continue;
        }
        if case.get("functions").is_some() {
            match functions::case_functions(&case) {
                Ok(functions) => lambda_cases.push(LambdaCase { case, functions }),
                Err(description) => {
                    println!(
                        "skipped {}: no fixture function for {description:?}",
                        case_id(&case)
                    );
                    skipped_lambda += 1;
                }
            }
            continue;
        }
        cases.push(case);
    }
    Some(Selection {
        cases,
        lambda_cases,
        skipped_lambda,
        filter,
    })
}

/// The matcher of a case, with its own placeholders.
fn matcher(case: &Value) -> Matcher {
    let placeholders: Vec<String> = case["placeholders"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Matcher::new(placeholders)
}

/// Scores an execution against its case, as `run.py`'s `score` does.
///
/// `actual` has the API's shape: `status`, `output` as JSON text, `error`, `cause` (absent or
/// null when there are none). `events` is the history, `None` when there is none to compare.
pub fn score(case: &Value, actual: &Value, events: Option<&[Value]>) -> CaseResult {
    let matcher = matcher(case);
    let expected = &case["expected"];
    let status = actual["status"].as_str().unwrap_or("");
    let exp_status = expected["status"].as_str().unwrap_or("");
    let mut diff = None;
    if status != exp_status {
        diff = Some(format!(
            "status: expected {exp_status}, got {status} (error={:?}, cause={:?})",
            actual.get("error"),
            actual
                .get("cause")
                .map(|c| c.to_string().chars().take(200).collect::<String>())
        ));
    } else if exp_status == "SUCCEEDED" {
        if let Some(exp_out) = expected.get("output") {
            let act_out = actual.get("output").cloned().unwrap_or(Value::Null);
            diff = matcher.values_match(exp_out, &act_out, "output");
        }
    } else {
        for k in ["error", "cause"] {
            let act = actual.get(k).cloned().unwrap_or(Value::Null);
            let present = !matches!(&act, Value::Null) && act != json!("");
            if expected.get(k).is_some() || present {
                let exp = expected.get(k).cloned().unwrap_or(Value::Null);
                if let Some(d) = matcher.values_match(&exp, &act, k) {
                    diff = Some(d);
                    break;
                }
            }
        }
    }
    let mut result = CaseResult {
        id: case_id(case),
        category: case["category"].as_str().unwrap_or("?").to_string(),
        outcome: diff.is_none(),
        history: None,
        detail: diff,
    };
    if let Some(exp_events) = expected.get("events").and_then(Value::as_array) {
        let found = match events {
            None => Some("no history returned".to_string()),
            Some(act_events) => matcher.compare_history(exp_events, act_events),
        };
        match found {
            None => result.history = Some(true),
            Some(d) => {
                result.history = Some(false);
                let prefix = result
                    .detail
                    .take()
                    .map(|o| format!("{o} | "))
                    .unwrap_or_default();
                result.detail = Some(format!("{prefix}history: {d}"));
            }
        }
    }
    result
}

/// Totals: outcome passes, cases, history passes, cases with a history.
pub type Totals = [usize; 4];

/// Whether a category is one of the cases that need Lambda functions (`lambda/...`).
pub fn is_lambda_category(category: &str) -> bool {
    category.starts_with("lambda/")
}

/// The totals of a run: the cases without Lambda functions, and the `lambda/**` cases.
pub struct RunTotals {
    pub base: Totals,
    pub lambda: Totals,
}

/// Prints the table per category, the totals (without Lambda functions, the `lambda/**`
/// cases, all) and one line per failing case; returns the totals. `results` must be sorted by
/// id.
pub fn report(results: &[CaseResult], skipped_lambda: usize) -> RunTotals {
    let mut per: BTreeMap<&str, Totals> = BTreeMap::new();
    for r in results {
        let p = per.entry(&r.category).or_default();
        p[1] += 1;
        p[0] += usize::from(r.outcome);
        if let Some(h) = r.history {
            p[3] += 1;
            p[2] += usize::from(h);
        }
    }
    let mut base = [0usize; 4];
    let mut lambda = [0usize; 4];
    let line = |name: &str, p: &Totals| {
        println!(
            "{name:<36} {:>14} {:>14}",
            format!("{}/{}", p[0], p[1]),
            format!("{}/{}", p[2], p[3])
        );
    };
    println!("{:<36} {:>14} {:>14}", "category", "outcome", "history");
    for (cat, p) in &per {
        line(cat, p);
        let total = if is_lambda_category(cat) {
            &mut lambda
        } else {
            &mut base
        };
        for i in 0..4 {
            total[i] += p[i];
        }
    }
    let all: Totals = std::array::from_fn(|i| base[i] + lambda[i]);
    line("TOTAL without Lambda functions", &base);
    line("TOTAL lambda/** (fixture functions)", &lambda);
    line("TOTAL", &all);
    println!(
        "(skipped {skipped_lambda} cases that need Lambda functions with no fixture function)"
    );
    for r in results {
        if !r.outcome || r.history == Some(false) {
            let d = r.detail.clone().unwrap_or_default();
            println!("FAIL {}: {}", r.id, d.chars().take(400).collect::<String>());
        }
    }
    RunTotals { base, lambda }
}

/// The keys of one run's numbers in `conformance-baseline.json`.
pub struct BaselineKeys {
    /// What the run is, for the failure message.
    pub name: &'static str,
    pub outcome: &'static str,
    pub history: &'static str,
    pub cases: &'static str,
    /// The ids of the cases whose outcome, then history, is known to differ from AWS's.
    pub outcome_failing: &'static str,
    pub history_failing: &'static str,
}

/// The ids of the results that fail by `failed`, sorted.
fn failing_ids(results: &[&CaseResult], failed: impl Fn(&CaseResult) -> bool) -> Vec<String> {
    let mut ids: Vec<String> = results
        .iter()
        .filter(|r| failed(r))
        .map(|r| r.id.clone())
        .collect();
    ids.sort();
    ids
}

/// Fails when a case that passed in the baseline fails now (naming every such case), or when
/// the totals fall below the baseline's. With `SWITCHBACK_CONFORMANCE_WRITE_BASELINE` set, first
/// writes this run's totals and failing case ids under `keys` (the file's other keys are kept).
///
/// `results` are the run's cases of this kind (`total` their totals).
pub fn ratchet(keys: &BaselineKeys, results: &[&CaseResult], total: Totals) {
    let baseline_path = workspace_root().join("conformance-baseline.json");
    let read = || -> Map<String, Value> {
        std::fs::read_to_string(&baseline_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    };
    let outcome_failing = failing_ids(results, |r| !r.outcome);
    let history_failing = failing_ids(results, |r| r.history == Some(false));
    if std::env::var("SWITCHBACK_CONFORMANCE_WRITE_BASELINE").is_ok() {
        let mut b = read();
        b.insert(keys.outcome.into(), json!(total[0]));
        b.insert(keys.history.into(), json!(total[2]));
        b.insert(keys.cases.into(), json!(total[1]));
        b.insert(keys.outcome_failing.into(), json!(outcome_failing));
        b.insert(keys.history_failing.into(), json!(history_failing));
        std::fs::write(
            &baseline_path,
            format!(
                "{}\n",
                serde_json::to_string_pretty(&Value::Object(b)).unwrap_or_default()
            ),
        )
        .expect("write the baseline");
    }
    let baseline = read();
    let known = |k: &str| -> std::collections::BTreeSet<String> {
        baseline
            .get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (known_outcome, known_history) = (known(keys.outcome_failing), known(keys.history_failing));
    let mut regressed: Vec<String> = outcome_failing
        .iter()
        .filter(|id| !known_outcome.contains(*id))
        .map(|id| format!("{id} (outcome)"))
        .collect();
    regressed.extend(
        history_failing
            .iter()
            .filter(|id| !known_history.contains(*id))
            .map(|id| format!("{id} (history)")),
    );
    let need = |k: &str| baseline.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
    let need_outcome = need(keys.outcome);
    let need_history = need(keys.history);
    assert!(
        regressed.is_empty() && total[0] >= need_outcome && total[2] >= need_history,
        "{} conformance regressed: outcome {}/{} (baseline {need_outcome}), history {}/{} (baseline {need_history}); \
         cases that passed in the baseline and fail now ({}): {}",
        keys.name,
        total[0],
        total[1],
        total[2],
        total[3],
        regressed.len(),
        regressed.join(", ")
    );
    let fixed = known_outcome.len().saturating_sub(outcome_failing.len())
        + known_history.len().saturating_sub(history_failing.len());
    if fixed > 0 {
        println!(
            "{}: {fixed} known failures pass now; raise the baseline with \
             SWITCHBACK_CONFORMANCE_WRITE_BASELINE=1",
            keys.name
        );
    }
}
