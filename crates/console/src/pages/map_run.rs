//! `/map-runs/{arn}`: one run of a Distributed Map. Its status, limits and counts (items and
//! child executions, as `DescribeMapRun` gives them), its progress, its failed children first,
//! then its children, each a link to its own execution page (a child is an execution with its
//! own graph and history). Express children are counted but not kept, as in AWS.

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::{json, Value};

use crate::api_call::call;
use crate::pages::machine::execution_table;
use crate::pages::{api_error, frame, ok, status_badge};
use crate::{format, paths, Console};

/// How many children the page lists (failed ones, then all): the rest are a `ListExecutions
/// --map-run-arn` away.
const LISTED: u32 = 100;

/// `GET /map-runs/{arn}`.
pub async fn show(State(console): State<Console>, Path(arn): Path<String>) -> Response {
    let run = match call(&console, "DescribeMapRun", json!({ "mapRunArn": arn })).await {
        Ok(v) => v,
        Err(e) => return api_error(&e),
    };
    let failed = match call(
        &console,
        "ListExecutions",
        json!({ "mapRunArn": arn, "statusFilter": "FAILED", "maxResults": LISTED }),
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return api_error(&e),
    };
    let children = match call(
        &console,
        "ListExecutions",
        json!({ "mapRunArn": arn, "maxResults": LISTED }),
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return api_error(&e),
    };
    let parent = run["executionArn"].as_str().unwrap_or_default();
    let label = arn
        .parse::<switchback_types::MapRunArn>()
        .map(|a| a.label)
        .unwrap_or_default();
    let title = format!("Map run {label}");
    let crumbs = html! {
        a href=(paths::HOME) { "State machines" }
        a href=(paths::execution(parent)) { (parent.rsplit(':').next().unwrap_or_default()) }
        span { (title) }
    };
    let kept = children["executions"]
        .as_array()
        .is_some_and(|a| !a.is_empty());
    let body = html! {
        section.banner #map-run data-arn=(arn) data-status=(run["status"].as_str().unwrap_or_default()) {
            div.banner-main {
                h1 { (title) }
                p { "Status: " span #map-run-status { (status_badge(run["status"].as_str().unwrap_or_default())) } }
            }
            dl.facts {
                dt { "Started" } dd { (format::date(&run["startDate"])) }
                dt { "Stopped" } dd { @if run["stopDate"].is_null() { "—" } @else { (format::date(&run["stopDate"])) } }
                dt { "Max concurrency" } dd #max-concurrency { (run["maxConcurrency"]) }
                dt { "Tolerated failures" } dd { (run["toleratedFailureCount"]) " or " (run["toleratedFailurePercentage"]) "%" }
            }
        }
        (progress_bar(&run["executionCounts"]))
        section.card {
            h2 { "Counts" }
            (counts_table(&run))
        }
        @if failed["executions"].as_array().is_some_and(|a| !a.is_empty()) {
            section.card #failed-children {
                h2 { "Failed child executions" }
                (execution_table(&failed))
            }
        }
        section.card #children {
            h2 { "Child executions" }
            @if kept {
                (execution_table(&children))
                @if children["nextToken"].is_string() {
                    p.hint { "The first " (LISTED) " are listed; the others: aws stepfunctions list-executions --map-run-arn " (arn) }
                }
            } @else {
                p.empty { "No child executions are kept: Express children are counted, not recorded." }
            }
        }
    };
    ok(frame(&title, crumbs, body))
}

/// How far the run is: its ended children over all of them.
fn progress_bar(counts: &Value) -> Markup {
    let n = |k: &str| counts[k].as_u64().unwrap_or(0);
    let ended = n("succeeded") + n("failed") + n("timedOut") + n("aborted");
    let total = n("total").max(1);
    html! {
        div.map-run-progress {
            progress #map-run-progress max=(total) value=(ended) {}
            span { (ended) " of " (n("total")) " child executions ended" }
        }
    }
}

/// Items and child executions, by where they stand.
fn counts_table(run: &Value) -> Markup {
    const COLUMNS: [(&str, &str); 7] = [
        ("pending", "Pending"),
        ("running", "Running"),
        ("succeeded", "Succeeded"),
        ("failed", "Failed"),
        ("timedOut", "Timed out"),
        ("aborted", "Aborted"),
        ("total", "Total"),
    ];
    html! {
        table.list #map-run-counts {
            thead { tr { th {} @for (_, words) in COLUMNS { th { (words) } } } }
            tbody {
                @for (key, words) in [("itemCounts", "Items"), ("executionCounts", "Child executions")] {
                    tr data-counts=(key) {
                        th { (words) }
                        @for (column, _) in COLUMNS { td data-count=(column) { (run[key][column].as_u64().unwrap_or(0)) } }
                    }
                }
            }
        }
    }
}
