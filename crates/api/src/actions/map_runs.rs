//! DescribeMapRun, ListMapRuns and UpdateMapRun: the runs of Distributed Map states.

use serde_json::{json, Value};
use switchback_store::executions;
use switchback_types::ExecutionStatus;

use crate::actions::executions::load;
use crate::error::ApiError;
use crate::input::{shapes, Input};
use crate::paging::{self, PageRequest};
use crate::state::AppState;
use crate::time::epoch_seconds;

fn map_run_does_not_exist(arn: &str) -> ApiError {
    ApiError::resource_not_found(format!("Resource not found: '{arn}'"))
}

fn parse_counts(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_else(|| {
            json!({"pending": 0, "running": 0, "succeeded": 0, "failed": 0, "timedOut": 0,
                   "aborted": 0, "total": 0, "resultsWritten": 0, "failuresNotRedrivable": 0,
                   "pendingRedrive": 0})
        })
}

/// Counts a running map run's children by their rows' statuses; those not started yet are
/// pending.
fn live_counts(counts: &mut Value, children: &[(ExecutionStatus, i64)]) {
    let mut started = 0;
    for key in ["running", "succeeded", "failed", "timedOut", "aborted"] {
        counts[key] = json!(0);
    }
    for (status, n) in children {
        let key = match status {
            ExecutionStatus::Running => "running",
            ExecutionStatus::Succeeded => "succeeded",
            ExecutionStatus::Failed => "failed",
            ExecutionStatus::TimedOut => "timedOut",
            ExecutionStatus::Aborted => "aborted",
            _ => continue,
        };
        counts[key] = json!(n);
        started += n;
    }
    let total = counts["total"].as_i64().unwrap_or(0).max(started);
    counts["total"] = json!(total);
    counts["pending"] = json!(total - started);
}

/// `DescribeMapRun`.
pub async fn describe_map_run(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn = input.req_str("mapRunArn", shapes::LONG_ARN)?;
    input.finish()?;
    let owned = arn.clone();
    let (run, children) = state
        .store
        .read(move |c| {
            let Some(run) = executions::get_map_run(c, &owned)? else {
                return Ok(None);
            };
            let children = executions::map_run_counts(c, &owned)?;
            Ok(Some((run, children)))
        })
        .await?
        .ok_or_else(|| map_run_does_not_exist(&arn))?;
    let mut item_counts = parse_counts(run.item_counts.as_deref());
    let mut execution_counts = parse_counts(run.execution_counts.as_deref());
    if run.status == "RUNNING" && !children.is_empty() {
        // Standard children are kept: their rows say how far the run is.
        let same = item_counts["total"] == execution_counts["total"];
        live_counts(&mut execution_counts, &children);
        if same {
            item_counts = execution_counts.clone();
        }
    }
    let mut out = json!({
        "mapRunArn": run.arn,
        "executionArn": run.execution_arn,
        "status": run.status,
        "startDate": epoch_seconds(run.start_date),
        "maxConcurrency": run.max_concurrency,
        "toleratedFailurePercentage": run.tolerated_failure_percentage,
        "toleratedFailureCount": run.tolerated_failure_count,
        "itemCounts": item_counts,
        "executionCounts": execution_counts,
        "redriveCount": run.redrive_count,
    });
    if let Some(d) = run.stop_date {
        out["stopDate"] = epoch_seconds(d);
    }
    if let Some(d) = run.redrive_date {
        out["redriveDate"] = epoch_seconds(d);
    }
    Ok(out)
}

/// `ListMapRuns`: an execution's map runs, paged.
pub async fn list_map_runs(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("executionArn", shapes::ARN)?;
    let (limit, token) = paging::read(&mut input)?;
    input.finish()?;
    let execution = load(state, &arn_text).await?;
    let scope = format!("ListMapRuns:{arn_text}");
    let page = PageRequest::decode(limit, token.as_deref(), &scope)?;
    let exec_arn = execution.arn.clone();
    let rows = state
        .store
        .read(move |c| {
            executions::list_map_runs(c, &exec_arn, page.after.as_deref(), limit.saturating_add(1))
        })
        .await?;
    let (rows, next) = paging::finish(rows, limit, &scope, |r| r.arn.clone());
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut m = json!({
                "executionArn": r.execution_arn,
                "mapRunArn": r.arn,
                "stateMachineArn": execution.state_machine_arn,
                "startDate": epoch_seconds(r.start_date),
            });
            if let Some(d) = r.stop_date {
                m["stopDate"] = epoch_seconds(d);
            }
            m
        })
        .collect();
    let mut out = json!({ "mapRuns": items });
    if let Some(t) = next {
        out["nextToken"] = json!(t);
    }
    Ok(out)
}

/// `UpdateMapRun`: changes a run's concurrency and failure tolerance.
pub async fn update_map_run(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn = input.req_str("mapRunArn", shapes::LONG_ARN)?;
    let max_concurrency = input.opt_int("maxConcurrency", 0, i64::from(i32::MAX))?;
    let tolerated_count = input.opt_int("toleratedFailureCount", 0, i64::from(i32::MAX))?;
    let tolerated_pct = match input.raw("toleratedFailurePercentage") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(p) if (0.0..=100.0).contains(&p) => Some(p),
            _ => {
                input.violation(format!(
                    "Value '{n}' at 'toleratedFailurePercentage' failed to satisfy constraint: \
                     Member must have value between 0 and 100"
                ));
                None
            }
        },
        Some(other) => return Err(crate::input::wrong_type(other, "Float")),
    };
    input.finish()?;
    if max_concurrency.is_none() && tolerated_count.is_none() && tolerated_pct.is_none() {
        return Err(ApiError::validation_message(
            "Must provide at least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount",
        ));
    }
    let shown = arn.clone();
    let found = state
        .store
        .write(move |tx| {
            let Some(mut run) = executions::get_map_run(tx, &arn)? else {
                return Ok(None);
            };
            if let Some(m) = max_concurrency {
                run.max_concurrency = m;
            }
            if let Some(c) = tolerated_count {
                run.tolerated_failure_count = c;
            }
            if let Some(p) = tolerated_pct {
                run.tolerated_failure_percentage = p;
            }
            executions::put_map_run(tx, &run)?;
            // A parent parked while its children wait is woken to look at the new limits.
            let parent = executions::id_of(tx, &run.execution_arn)?;
            if let Some(parent) = parent {
                executions::wake_now(tx, parent)?;
            }
            Ok(Some((run, parent)))
        })
        .await?;
    let Some((run, parent)) = found else {
        return Err(map_run_does_not_exist(&shown));
    };
    state.runtime.map_run_updated(
        parent,
        &run.arn,
        switchback_engine::MapRunConfig {
            max_concurrency: run.max_concurrency.max(0) as u64,
            tolerated_failure_count: run.tolerated_failure_count.max(0) as u64,
            tolerated_failure_percentage: run.tolerated_failure_percentage,
        },
    );
    Ok(json!({}))
}
