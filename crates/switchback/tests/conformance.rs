//! The conformance test: every case of `../shared/conformance/cases` (executions recorded
//! against real AWS Step Functions) runs through the interpreter, and its outcome (status and
//! output, or error and cause) and history are compared with AWS's by the corpus's rules.
//!
//! It prints a table per category and fails when fewer cases pass than the baseline committed
//! in `conformance-baseline.json`, so fidelity only ratchets up. Raise the baseline when a
//! change makes more cases pass (`SWITCHBACK_CONFORMANCE_WRITE_BASELINE=1` writes it).
//!
//! Cases that need Lambda functions (`functions` key) are skipped here, as the corpus's own
//! runner skips them; they belong to the Task integrations.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::compare::Matcher;
use switchback_asl::load::load_document;
use switchback_engine::{run_execution, RunOptions};

struct CaseResult {
    id: String,
    category: String,
    outcome: bool,
    history: Option<bool>,
    detail: Option<String>,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cases_dir() -> PathBuf {
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

fn run_case(case: &Value) -> CaseResult {
    let id = case["id"].as_str().unwrap_or("?").to_string();
    let category = case["category"].as_str().unwrap_or("?").to_string();
    let expected = &case["expected"];
    let placeholders: Vec<String> = case["placeholders"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let matcher = Matcher::new(placeholders);
    let mut result = CaseResult {
        id,
        category,
        outcome: false,
        history: None,
        detail: None,
    };
    let has_events = expected.get("events").is_some();
    let machine = match load_document(&case["definition"]) {
        Ok(m) => m,
        Err(e) => {
            result.detail = Some(format!("definition rejected: {e}"));
            result.history = has_events.then_some(false);
            return result;
        }
    };
    let input = if case["input_omitted"] == json!(true) {
        json!({})
    } else {
        case["input"].clone()
    };
    let run = run_execution(
        &machine,
        input,
        RunOptions {
            seed: 7,
            ..RunOptions::default()
        },
    );
    let actual = run.to_json();
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
            // The API returns the output as JSON text; compare as the corpus's runner does.
            let act_out = Value::String(actual["output"].to_string());
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
    result.outcome = diff.is_none();
    result.detail = diff;
    if let Some(exp_events) = expected.get("events").and_then(Value::as_array) {
        let act_events = actual["events"].as_array().cloned().unwrap_or_default();
        match matcher.compare_history(exp_events, &act_events) {
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

#[test]
fn conformance_corpus() {
    let dir = cases_dir();
    let mut files = Vec::new();
    collect(&dir, &mut files);
    if files.is_empty() {
        eprintln!(
            "conformance: no cases under {} (is ../shared beside the repository?); skipped",
            dir.display()
        );
        return;
    }
    files.sort();
    let filter = std::env::var("SWITCHBACK_CONFORMANCE_FILTER").ok();
    let mut cases = Vec::new();
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
        if case.get("functions").is_some() {
            skipped_lambda += 1;
            continue;
        }
        if filter
            .as_deref()
            .is_some_and(|s| !case["id"].as_str().unwrap_or("").contains(s))
        {
            continue;
        }
        cases.push(case);
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = cases.len().div_ceil(threads).max(1);
    let mut results: Vec<CaseResult> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|c| {
                            std::panic::catch_unwind(|| run_case(c)).unwrap_or_else(|_| {
                                CaseResult {
                                    id: c["id"].as_str().unwrap_or("?").to_string(),
                                    category: c["category"].as_str().unwrap_or("?").to_string(),
                                    outcome: false,
                                    history: c["expected"].get("events").map(|_| false),
                                    detail: Some("PANIC".into()),
                                }
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    results.sort_by(|a, b| a.id.cmp(&b.id));

    let mut per: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for r in &results {
        let p = per.entry(&r.category).or_default();
        p[1] += 1;
        p[0] += usize::from(r.outcome);
        if let Some(h) = r.history {
            p[3] += 1;
            p[2] += usize::from(h);
        }
    }
    let mut total = [0usize; 4];
    println!("{:<28} {:>14} {:>14}", "category", "outcome", "history");
    for (cat, p) in &per {
        println!(
            "{cat:<28} {:>14} {:>14}",
            format!("{}/{}", p[0], p[1]),
            format!("{}/{}", p[2], p[3])
        );
        for i in 0..4 {
            total[i] += p[i];
        }
    }
    println!(
        "{:<28} {:>14} {:>14}",
        "TOTAL",
        format!("{}/{}", total[0], total[1]),
        format!("{}/{}", total[2], total[3])
    );
    println!("(skipped {skipped_lambda} cases that need Lambda functions)");
    for r in &results {
        if !r.outcome || r.history == Some(false) {
            let d = r.detail.clone().unwrap_or_default();
            println!("FAIL {}: {}", r.id, d.chars().take(400).collect::<String>());
        }
    }
    if filter.is_some() {
        return;
    }
    let baseline_path = workspace_root().join("conformance-baseline.json");
    if std::env::var("SWITCHBACK_CONFORMANCE_WRITE_BASELINE").is_ok() {
        let b = json!({"outcome_pass": total[0], "history_pass": total[2], "cases": total[1]});
        std::fs::write(
            &baseline_path,
            format!("{}\n", serde_json::to_string_pretty(&b).unwrap_or_default()),
        )
        .expect("write the baseline");
    }
    let baseline: Value = std::fs::read_to_string(&baseline_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(json!({"outcome_pass": 0, "history_pass": 0}));
    let need_outcome = baseline["outcome_pass"].as_u64().unwrap_or(0) as usize;
    let need_history = baseline["history_pass"].as_u64().unwrap_or(0) as usize;
    assert!(
        total[0] >= need_outcome && total[2] >= need_history,
        "conformance dropped below the baseline: outcome {}/{} (baseline {need_outcome}), history {}/{} (baseline {need_history})",
        total[0],
        total[1],
        total[2],
        total[3]
    );
}
