//! `/executions/{arn}`: one execution. A status banner with Stop and Redrive, the graph with
//! each state coloured (and labelled) by what happened to it, the details of a clicked state,
//! the iterations of each Map, a timeline to look at any earlier moment, input and output,
//! and the event history, paged.
//!
//! The page is complete when served; while the execution runs, the script follows
//! [`crate::live`] and redraws the colours, the banner and the history without a reload.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Json, Response};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use switchback_engine::ExecutionStatus;
use switchback_store::executions;

use crate::api_call::call;
use crate::pages::machine::graph_view;
use crate::pages::{api_error, frame, history, ok, status_badge};
use crate::progress::{self, Progress};
use crate::{format, paths, Console};

/// A moment and a scope, as the timeline and the iteration picker ask for them.
#[derive(Deserialize, Default)]
pub struct MomentQuery {
    /// The last event id to take into account (absent: the latest).
    pub at: Option<i64>,
    /// One Map iteration's lane, as text (absent: every lane).
    pub scope: Option<String>,
}

impl MomentQuery {
    /// The lane of the scope; text that is not a lane shows everything.
    pub fn scope(&self) -> Option<i64> {
        self.scope.as_deref().and_then(|s| s.parse().ok())
    }
}

/// `GET /executions/{arn}`.
pub async fn show(State(console): State<Console>, Path(arn): Path<String>) -> Response {
    let execution = match call(
        &console,
        "DescribeExecution",
        json!({ "executionArn": arn }),
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return api_error(&e),
    };
    let machine = match call(
        &console,
        "DescribeStateMachineForExecution",
        json!({ "executionArn": arn }),
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return api_error(&e),
    };
    // Its map runs (a Distributed Map's runs), each with a page of its own.
    let map_runs = match call(&console, "ListMapRuns", json!({ "executionArn": arn })).await {
        Ok(v) => v["mapRuns"].as_array().cloned().unwrap_or_default(),
        Err(e) => return api_error(&e),
    };
    let (id, log) = match load_log(&console, &arn).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let now = progress::progress(&log, None, None);
    let first_page = match history::page(&console, id, None).await {
        Ok(markup) => markup,
        Err(e) => return api_error(&e),
    };
    let drawing = console
        .graphs
        .svg(machine["definition"].as_str().unwrap_or_default());
    let name = execution["name"].as_str().unwrap_or_default();
    let machine_arn = execution["stateMachineArn"].as_str().unwrap_or_default();
    let machine_name = machine["name"].as_str().unwrap_or_default();
    let start_micros = log.first().map_or(0, |e| e.timestamp);
    let crumbs = match execution["mapRunArn"].as_str() {
        // A map run's child: its machine is its parent's Map state, reached by the map run.
        Some(run) => html! {
            a href=(paths::HOME) { "State machines" }
            a href=(paths::map_run(run)) { "Map run " (machine_name) }
            span { (name) }
        },
        None => html! {
            a href=(paths::HOME) { "State machines" }
            a href=(paths::machine(machine_arn)) { (machine_name) }
            span { (name) }
        },
    };
    let body = html! {
        div.execution #execution data-arn=(arn)
            data-live-url={ (paths::execution(&arn)) "/live" }
            data-base-url=(paths::execution(&arn))
            data-start=(start_micros) {
            (banner(&execution))
            section.graph-section {
                div.graph-and-details {
                    div.graph-column {
                        (legend())
                        (graph_view(&drawing))
                        (timeline(&now))
                    }
                    aside.state-details #state-details aria-live="polite" {
                        h2 { "State details" }
                        p.hint { "Select a state in the graph to see its input, output, error, retries and timing." }
                    }
                }
                (iterations(&now))
            }
            @if !map_runs.is_empty() {
                section.card #map-runs {
                    h2 { "Map runs" }
                    ul {
                        @for run in &map_runs {
                            @let run_arn = run["mapRunArn"].as_str().unwrap_or_default();
                            li { a href=(paths::map_run(run_arn)) { (run_arn.rsplit(':').nth(1).unwrap_or(run_arn)) " " (run_arn.rsplit(':').next().unwrap_or_default()) } }
                        }
                    }
                }
            }
            section.io {
                div { h2 { "Input" } pre.code #execution-input { (format::payload(execution["input"].as_str().unwrap_or("null"))) } }
                div {
                    h2 { "Output" }
                    pre.code #execution-output {
                        @if let Some(o) = execution["output"].as_str() { (format::payload(o)) }
                        @else { "—" }
                    }
                }
            }
            section #history {
                h2 { "Event history" }
                div #history-page { (first_page) }
            }
            script type="application/json" #progress-data { (maud::PreEscaped(format::script_json(&now))) }
        }
    };
    ok(frame(name, crumbs, body))
}

/// The execution's store id and its event summaries.
pub async fn load_log(
    console: &Console,
    arn: &str,
) -> Result<(i64, std::sync::Arc<Vec<crate::event_log::EventSummary>>), Response> {
    let key = arn.to_string();
    let id = console
        .app
        .store
        .read(move |c| executions::id_of(c, &key))
        .await
        .map_err(|e| api_error(&e.into()))?;
    let Some(id) = id else {
        return Err(api_error(&switchback_api::ApiError::service(
            "ExecutionDoesNotExist",
            format!("Execution Does Not Exist: '{arn}'"),
        )));
    };
    let log = console
        .events
        .load(&console.app.store, id)
        .await
        .map_err(|e| api_error(&e.into()))?;
    Ok((id, log))
}

/// The banner: status in words, times, and the buttons that apply.
fn banner(e: &Value) -> Markup {
    let status = e["status"].as_str().unwrap_or_default();
    let typed = status.parse::<ExecutionStatus>().ok();
    let duration = format::run_time(e);
    html! {
        section.banner #banner data-status=(status) {
            div.banner-main {
                h1 { (e["name"].as_str().unwrap_or_default()) }
                p { "Status: " span #execution-status { (status_badge(status)) } }
            }
            dl.facts {
                dt { "Started" } dd #started { (format::date(&e["startDate"])) }
                dt { "Stopped" } dd #stopped { @if e["stopDate"].is_null() { "—" } @else { (format::date(&e["stopDate"])) } }
                dt { "Duration" } dd #duration { (duration.as_deref().unwrap_or("—")) }
                @if let Some(n) = e["redriveCount"].as_i64().filter(|n| *n > 0) {
                    dt { "Redriven" } dd { (n) " time" @if n > 1 { "s" } }
                }
                @if let Some(error) = e["error"].as_str() { dt { "Error" } dd.error-text #execution-error { (error) } }
                @if let Some(cause) = e["cause"].as_str() { dt { "Cause" } dd.error-text #execution-cause { (cause) } }
            }
            div.head-actions {
                button.danger type="button" data-action="stop" hidden[typed != Some(ExecutionStatus::Running)] { "Stop execution" }
                button type="button" data-action="redrive"
                    hidden[!typed.is_some_and(ExecutionStatus::is_redrivable)] { "Redrive" }
                p.form-error data-error-for="banner" {}
            }
        }
    }
}

fn legend() -> Markup {
    html! {
        ul.legend aria-label="Legend" {
            @for (class, words) in [("in_progress", "In progress"), ("succeeded", "Succeeded"),
                ("failed", "Failed"), ("caught", "Caught error"), ("cancelled", "Cancelled"),
                ("not_reached", "Not reached")] {
                li data-status=(class) { span.swatch {} (words) }
            }
        }
    }
}

/// The timeline: a slider over the event ids; dragging it shows that moment.
fn timeline(now: &Progress) -> Markup {
    html! {
        div.timeline #timeline {
            label for="timeline-range" { "Timeline" }
            input #timeline-range type="range" min="1" max=(now.last.max(1)) value=(now.last.max(1)) step="1";
            button type="button" #timeline-live aria-pressed="true" { "Live" }
            p.timeline-caption #timeline-caption aria-live="polite" {}
        }
    }
}

/// The Map states' iterations, with a picker that shows one of them in the graph.
fn iterations(now: &Progress) -> Markup {
    html! {
        div.iterations #iterations hidden[now.iterations.is_empty()] {
            h2 { "Map iterations" }
            div #iteration-lists {}
            p.hint { "Open an iteration to colour the Map's body by that iteration alone." }
        }
    }
}

/// `GET /executions/{arn}/progress?at=&scope=`: the colours of one moment, as JSON.
pub async fn progress_json(
    State(console): State<Console>,
    Path(arn): Path<String>,
    Query(query): Query<MomentQuery>,
) -> Response {
    match load_log(&console, &arn).await {
        Ok((_, log)) => Json(progress::progress(&log, query.at, query.scope())).into_response(),
        Err(response) => response,
    }
}

/// The query of a state's details.
#[derive(Deserialize)]
pub struct StateQuery {
    name: String,
    at: Option<i64>,
    scope: Option<String>,
}

/// `GET /executions/{arn}/state?name=&at=&scope=`: what happened to one state, with the
/// input and output of its shown visit (read from the store only now).
pub async fn state_json(
    State(console): State<Console>,
    Path(arn): Path<String>,
    Query(query): Query<StateQuery>,
) -> Response {
    let (id, log) = match load_log(&console, &arn).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let scope = MomentQuery {
        at: query.at,
        scope: query.scope.clone(),
    }
    .scope();
    let now = progress::progress(&log, query.at, scope);
    let Some(state) = now.states.get(&query.name) else {
        return Json(
            json!({ "name": query.name, "status": "not_reached", "label": "Not reached" }),
        )
        .into_response();
    };
    let visit = &state.visit;
    let wanted: Vec<i64> = [Some(visit.entered_id), visit.exited_id]
        .into_iter()
        .flatten()
        .collect();
    let rows = match console
        .app
        .store
        .read(move |c| {
            let mut found = Vec::new();
            for event in wanted {
                found.extend(executions::events_page(c, id, Some(event - 1), 1, false)?);
            }
            Ok(found)
        })
        .await
    {
        Ok(rows) => rows,
        Err(e) => return api_error(&e.into()),
    };
    let detail = |row_id: Option<i64>, key: &str, field: &str| -> Value {
        rows.iter()
            .find(|r| Some(r.id) == row_id)
            .and_then(|r| r.details.as_deref())
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .map(|d| d[key][field].clone())
            .unwrap_or(Value::Null)
    };
    let input = detail(Some(visit.entered_id), "stateEnteredEventDetails", "input");
    let output = detail(visit.exited_id, "stateExitedEventDetails", "output");
    let end = visit
        .exited_at
        .or(now.at_time.filter(|_| now.status.is_closed()));
    Json(json!({
        "name": query.name,
        "status": state.status,
        "label": state.label,
        "visits": state.visits,
        "counts": state.counts,
        "retries": visit.retries,
        "error": visit.error,
        "cause": visit.cause,
        "enteredAt": format::micros(visit.entered_at),
        "exitedAt": visit.exited_at.map(format::micros),
        "duration": end.map(|e| format::duration(e - visit.entered_at)),
        "enteredEventId": visit.entered_id,
        "exitedEventId": visit.exited_id,
        "input": input.as_str().map(format::payload),
        "output": output.as_str().map(format::payload),
    }))
    .into_response()
}
