//! `/state-machines/{arn}`: one state machine (or version): its graph, its definition in JSON
//! and YAML, its versions and aliases, and its executions with status filters and paging.
//! Starting an execution and updating the definition are forms on this page.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use serde_json::{json, Value};
use switchback_engine::ExecutionStatus;

use crate::api_call::call;
use crate::pages::machines::definition_field;
use crate::pages::{api_error, frame, ok, status_badge, status_words};
use crate::{format, paths, Console};

/// How many executions one page lists.
const PAGE_SIZE: u64 = 50;

/// The statuses the executions list filters by.
const FILTERS: [ExecutionStatus; 5] = [
    ExecutionStatus::Running,
    ExecutionStatus::Succeeded,
    ExecutionStatus::Failed,
    ExecutionStatus::TimedOut,
    ExecutionStatus::Aborted,
];

/// The query of the executions list.
#[derive(Deserialize, Default)]
pub struct MachineQuery {
    /// Only executions in this status.
    status: Option<String>,
    /// The API's paging token.
    next: Option<String>,
}

/// `GET /state-machines/{arn}`.
pub async fn show(
    State(console): State<Console>,
    Path(arn): Path<String>,
    Query(query): Query<MachineQuery>,
) -> Response {
    let machine = match call(
        &console,
        "DescribeStateMachine",
        json!({ "stateMachineArn": arn }),
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return api_error(&e),
    };
    let unqualified = unqualified(&arn, &machine);
    let mut list_request = json!({ "stateMachineArn": arn, "maxResults": PAGE_SIZE });
    if let Some(status) = query.status.as_deref().filter(|s| !s.is_empty()) {
        list_request["statusFilter"] = json!(status);
    }
    if let Some(next) = &query.next {
        list_request["nextToken"] = json!(next);
    }
    let express = machine["type"] == "EXPRESS";
    let executions = if express {
        Ok(json!({ "executions": [] }))
    } else {
        call(&console, "ListExecutions", list_request).await
    };
    let executions = match executions {
        Ok(v) => v,
        Err(e) => return api_error(&e),
    };
    let versions = call(
        &console,
        "ListStateMachineVersions",
        json!({ "stateMachineArn": unqualified }),
    )
    .await
    .unwrap_or_default();
    let aliases = call(
        &console,
        "ListStateMachineAliases",
        json!({ "stateMachineArn": unqualified }),
    )
    .await
    .unwrap_or_default();
    let definition = machine["definition"].as_str().unwrap_or_default();
    let drawing = console.graphs.svg(definition);
    let name = machine["name"].as_str().unwrap_or_default();
    let crumbs = html! { a href=(paths::HOME) { "State machines" } span { (name) } };
    let body = html! {
        section.page-head {
            div {
                h1 { (name) " " @if let Some(v) = version_number(&arn) { span.version { "version " (v) } } }
                p.arn { (arn) }
            }
            div.head-actions {
                button.primary type="button" data-action="toggle" data-target="start-form" { "Start execution" }
                @if version_number(&arn).is_none() {
                    button type="button" data-action="toggle" data-target="update-form" { "Edit definition" }
                }
            }
        }
        dl.facts {
            dt { "Type" } dd { (machine["type"].as_str().unwrap_or_default()) }
            dt { "Status" } dd { (status_badge(machine["status"].as_str().unwrap_or_default())) }
            dt { "Created" } dd { (format::date(&machine["creationDate"])) }
            dt { "Role" } dd { (machine["roleArn"].as_str().unwrap_or_default()) }
        }
        (start_form(&arn, express))
        @if version_number(&arn).is_none() { (update_form(&arn, definition)) }
        section.graph-section {
            h2 { "Graph" }
            (graph_view(&drawing))
        }
        section #executions {
            h2 { "Executions" }
            @if express {
                p.empty { "Express executions are not recorded (as in AWS): start one to see its result here." }
                pre.result #sync-result hidden {}
            } @else {
                (filters(&arn, query.status.as_deref()))
                (execution_table(&executions))
                @if let Some(next) = executions["nextToken"].as_str() {
                    p.paging {
                        a href=(next_link(&arn, query.status.as_deref(), next)) { "Next page" }
                    }
                }
            }
        }
        section #definition-view {
            h2 { "Definition" }
            div.tabs role="tablist" {
                button type="button" role="tab" aria-selected="true" data-tab="definition-json" { "JSON" }
                button type="button" role="tab" aria-selected="false" data-tab="definition-yaml" { "YAML" }
            }
            pre.code #definition-json { (format::payload(definition)) }
            pre.code #definition-yaml hidden { (yaml(definition)) }
        }
        (versions_and_aliases(&versions, &aliases))
    };
    ok(frame(name, crumbs, body))
}

/// The unqualified machine ARN (a version's ARN without its `:N`).
fn unqualified(arn: &str, machine: &Value) -> String {
    match version_number(arn) {
        Some(_) => arn.rsplit_once(':').map_or(arn, |(m, _)| m).to_string(),
        None => machine["stateMachineArn"]
            .as_str()
            .unwrap_or(arn)
            .to_string(),
    }
}

/// The version number of a version ARN (`...:stateMachine:Name:3`).
fn version_number(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    (parts.len() == 8 && parts[7].bytes().all(|b| b.is_ascii_digit())).then(|| parts[7])
}

/// The graph in its pan-and-zoom viewport, or why it could not be drawn.
pub fn graph_view(drawing: &Result<String, String>) -> Markup {
    html! {
        @match drawing {
            Ok(svg) => {
                div.graph-viewport data-graph tabindex="0" aria-label="Workflow graph: drag or scroll to pan, Ctrl and scroll or + and - to zoom" {
                    div.graph-tools {
                        button type="button" data-zoom="in" title="Zoom in" { "+" }
                        button type="button" data-zoom="out" title="Zoom out" { "−" }
                        button type="button" data-zoom="fit" title="Fit to view" { "Fit" }
                    }
                    (PreEscaped(svg))
                }
            }
            Err(why) => { p.error { "The graph could not be drawn: " (why) } }
        }
    }
}

fn filters(arn: &str, current: Option<&str>) -> Markup {
    let base = paths::machine(arn);
    html! {
        nav.filters aria-label="Filter executions by status" {
            a href={ (base) "#executions" } aria-current=[current.is_none().then_some("true")] { "All" }
            @for status in FILTERS {
                a href={ (base) "?status=" (status) "#executions" }
                    aria-current=[(current == Some(status.as_str())).then_some("true")] { (status_words(status)) }
            }
        }
    }
}

fn next_link(arn: &str, status: Option<&str>, next: &str) -> String {
    let mut link = format!("{}?next={}", paths::machine(arn), paths::segment(next));
    if let Some(s) = status {
        link.push_str("&status=");
        link.push_str(&paths::segment(s));
    }
    link.push_str("#executions");
    link
}

pub(crate) fn execution_table(executions: &Value) -> Markup {
    let list = executions["executions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    html! {
        @if list.is_empty() {
            p.empty { "No executions." }
        } @else {
            table.list #execution-list {
                thead { tr { th { "Name" } th { "Status" } th { "Started" } th { "Duration" } } }
                tbody {
                    @for e in &list {
                        @let arn = e["executionArn"].as_str().unwrap_or_default();
                        tr data-arn=(arn) {
                            td { a href=(paths::execution(arn)) { (e["name"].as_str().unwrap_or_default()) } }
                            td { (status_badge(e["status"].as_str().unwrap_or_default())) }
                            td { (format::date(&e["startDate"])) }
                            td { (format::run_time(e).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    }
}

/// The start form: a name (optional) and the input, checked as JSON while it is typed.
fn start_form(arn: &str, express: bool) -> Markup {
    html! {
        form.card #start-form hidden data-form="start-execution" data-arn=(arn) data-express=(express) novalidate {
            h2 { "Start an execution" }
            div.field {
                label for="execution-name" { "Name (optional)" }
                input #execution-name name="name" maxlength="80" autocomplete="off";
                p.field-error data-error-for="name" {}
            }
            div.field {
                label for="execution-input" { "Input (JSON)" }
                textarea #execution-input name="input" rows="8" spellcheck="false" data-json { "{}" }
                p.field-error data-error-for="input" {}
            }
            div.actions {
                button.primary type="submit" { "Start" }
                p.form-error data-error-for="form" {}
            }
        }
    }
}

/// The update form: the definition, validated before `UpdateStateMachine` is called.
fn update_form(arn: &str, definition: &str) -> Markup {
    html! {
        form.card #update-form hidden data-form="update-machine" data-arn=(arn) novalidate {
            h2 { "Edit the definition" }
            (definition_field(&format::payload(definition)))
            div.actions {
                button.primary type="submit" { "Save" }
                p.form-error data-error-for="form" {}
            }
        }
    }
}

fn yaml(definition: &str) -> String {
    serde_json::from_str::<Value>(definition)
        .ok()
        .and_then(|v| serde_saphyr::to_string(&v).ok())
        .unwrap_or_else(|| definition.to_string())
}

fn versions_and_aliases(versions: &Value, aliases: &Value) -> Markup {
    let versions = versions["stateMachineVersions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let aliases = aliases["stateMachineAliases"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    html! {
        section #versions {
            h2 { "Versions" }
            @if versions.is_empty() { p.empty { "No versions published." } } @else {
                table.list { thead { tr { th { "Version" } th { "Created" } } } tbody {
                    @for v in &versions {
                        @let arn = v["stateMachineVersionArn"].as_str().unwrap_or_default();
                        tr { td { a href=(paths::machine(arn)) { (version_number(arn).unwrap_or(arn)) } }
                             td { (format::date(&v["creationDate"])) } }
                    }
                } }
            }
        }
        section #aliases {
            h2 { "Aliases" }
            @if aliases.is_empty() { p.empty { "No aliases." } } @else {
                table.list { thead { tr { th { "Alias" } th { "Created" } } } tbody {
                    @for a in &aliases {
                        @let arn = a["stateMachineAliasArn"].as_str().unwrap_or_default();
                        tr { td { (arn.rsplit(':').next().unwrap_or(arn)) } td { (format::date(&a["creationDate"])) } }
                    }
                } }
            }
        }
    }
}
