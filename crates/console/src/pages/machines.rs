//! `/`: every state machine with its execution counts, and the form that creates one.

use std::collections::HashMap;
use switchback_engine::ExecutionStatus;

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use serde_json::{json, Value};
use switchback_store::executions;

use crate::api_call::call;
use crate::pages::{api_error, frame, ok};
use crate::{format, paths, Console};

/// How many machines one page lists.
const PAGE_SIZE: u64 = 100;

/// The query of the list: the API's paging token.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    next: Option<String>,
}

/// Execution counts by machine ARN and status.
/// The statuses counted for each state machine, in the table's column order.
const COUNTED: [ExecutionStatus; 5] = [
    ExecutionStatus::Running,
    ExecutionStatus::Succeeded,
    ExecutionStatus::Failed,
    ExecutionStatus::TimedOut,
    ExecutionStatus::Aborted,
];

type Counts = HashMap<String, HashMap<ExecutionStatus, i64>>;

/// `GET /`.
pub async fn list(State(console): State<Console>, Query(query): Query<ListQuery>) -> Response {
    let mut request = json!({ "maxResults": PAGE_SIZE });
    if let Some(token) = &query.next {
        request["nextToken"] = json!(token);
    }
    let listed = match call(&console, "ListStateMachines", request).await {
        Ok(v) => v,
        Err(e) => return api_error(&e),
    };
    let counts = match console.app.store.read(executions::counts_by_status).await {
        Ok(rows) => group(rows),
        Err(e) => return api_error(&e.into()),
    };
    let machines = listed["stateMachines"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let body = html! {
        section.page-head {
            h1 { "State machines" }
            button.primary type="button" data-action="toggle" data-target="create-form" {
                "Create state machine"
            }
        }
        (create_form())
        @if machines.is_empty() {
            p.empty { "No state machines yet. Create one here, or with "
                code { "aws stepfunctions create-state-machine --endpoint-url http://127.0.0.1:8083" } "." }
        } @else {
            table.list #machines {
                thead { tr {
                    th { "Name" } th { "Type" } th { "Created" }
                    th.num { "Running" } th.num { "Succeeded" } th.num { "Failed" }
                    th.num { "Timed out" } th.num { "Aborted" }
                } }
                tbody {
                    @for m in &machines { (row(m, &counts)) }
                }
            }
        }
        @if let Some(next) = listed["nextToken"].as_str() {
            p.paging { a href={ "/?next=" (crate::paths::segment(next)) } { "Next page" } }
        }
    };
    ok(frame(
        "State machines",
        html! { span { "State machines" } },
        body,
    ))
}

fn group(rows: Vec<(String, ExecutionStatus, i64)>) -> Counts {
    let mut counts: Counts = HashMap::new();
    for (machine, status, n) in rows {
        counts.entry(machine).or_default().insert(status, n);
    }
    counts
}

fn row(m: &Value, counts: &Counts) -> maud::Markup {
    let arn = m["stateMachineArn"].as_str().unwrap_or_default();
    let of = |status: ExecutionStatus| {
        counts
            .get(arn)
            .and_then(|c| c.get(&status))
            .copied()
            .unwrap_or(0)
    };
    html! {
        tr data-arn=(arn) {
            td { a href=(paths::machine(arn)) { (m["name"].as_str().unwrap_or_default()) } }
            td { (m["type"].as_str().unwrap_or_default()) }
            td { (format::date(&m["creationDate"])) }
            @for status in COUNTED {
                td.num data-count=(status) { (of(status)) }
            }
        }
    }
}

/// The create form. The script validates the definition with
/// `ValidateStateMachineDefinition` (faults shown with their path next to the field), then
/// calls `CreateStateMachine`; nothing is created while a fault remains.
fn create_form() -> maud::Markup {
    html! {
        form.card #create-form hidden data-form="create-machine" novalidate {
            h2 { "Create a state machine" }
            div.field {
                label for="machine-name" { "Name" }
                input #machine-name name="name" required maxlength="80" autocomplete="off";
                p.field-error data-error-for="name" {}
            }
            div.field {
                label for="machine-type" { "Type" }
                select #machine-type name="type" {
                    option value="STANDARD" selected { "Standard" }
                    option value="EXPRESS" { "Express" }
                }
            }
            (definition_field(""))
            div.actions {
                button.primary type="submit" { "Create" }
                p.form-error data-error-for="form" {}
            }
        }
    }
}

/// The definition editor: paste, or upload a file (JSON or YAML).
pub fn definition_field(current: &str) -> maud::Markup {
    html! {
        div.field {
            label for="definition" { "Definition (Amazon States Language, JSON or YAML)" }
            textarea #definition name="definition" rows="16" spellcheck="false" { (current) }
            div.upload {
                label for="definition-file" { "or upload a file: " }
                input #definition-file type="file" accept=".json,.yaml,.yml,.asl.json,application/json" data-fills="definition";
            }
            ul.field-error.diagnostics data-error-for="definition" {}
        }
    }
}
