//! The event history table, one page of [`PAGE_SIZE`] events at a time: an execution with
//! 10,000 events is read and drawn a page at a time, never dumped whole.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use switchback_api::ApiError;
use switchback_engine::history::EventType;
use switchback_runtime::history::{self, StoredEvent};

use crate::pages::api_error;
use crate::pages::execution::load_log;
use crate::{format, Console};

/// Events per page.
pub const PAGE_SIZE: usize = 100;

/// Which page: the events after `after` (exclusive), oldest first.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    after: Option<i64>,
}

/// `GET /executions/{arn}/events?after=N`: one page of the table, as an HTML fragment.
pub async fn fragment(
    State(console): State<Console>,
    Path(arn): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    let (id, _) = match load_log(&console, &arn).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match page(&console, id, query.after).await {
        Ok(markup) => Html(markup.into_string()).into_response(),
        Err(e) => api_error(&e),
    }
}

/// The page of execution `id` (store id) after event `after`.
pub async fn page(console: &Console, id: i64, after: Option<i64>) -> Result<Markup, ApiError> {
    let after = after.unwrap_or(0).max(0);
    let (rows, first, total) = console
        .app
        .store
        .read(move |c| {
            let rows = history::page(c, id, Some(after), PAGE_SIZE + 1, false)?;
            let first = history::page(c, id, None, 1, false)?;
            let total = history::last_id(c, id)?;
            Ok((rows, first, total))
        })
        .await?;
    let start = first
        .first()
        .map_or(0, |e| e.event.timestamp.as_microsecond());
    let more = rows.len() > PAGE_SIZE;
    let shown = &rows[..rows.len().min(PAGE_SIZE)];
    let last_shown = shown.last().map_or(after, |e| e.event.id as i64);
    Ok(html! {
        p.paging-info data-last-shown=(last_shown) data-total=(total) {
            @if shown.is_empty() { "No events." } @else {
                "Events " (shown[0].event.id) "–" (last_shown) " of " (total)
            }
        }
        table.list.events #event-table {
            thead { tr { th.num { "ID" } th { "Type" } th { "Step" } th { "Elapsed" } th { "Time" } } }
            tbody { @for row in shown { (event_row(row, start)) } }
        }
        nav.paging {
            @if after > 0 {
                a href="#history" data-history-after=(after.saturating_sub(PAGE_SIZE as i64).max(0)) { "Previous page" }
            }
            @if more {
                a href="#history" data-history-after=(last_shown) { "Next page" }
            }
        }
    })
}

fn event_row(stored: &StoredEvent, start: i64) -> Markup {
    let event = &stored.event;
    let kind = event.kind.event_type();
    let step = event.kind.state_name().unwrap_or_default();
    let details = kind.details_key().and_then(|key| {
        let json = event.to_aws_json();
        json.get(key)
            .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
    });
    let failed = kind.is_state_failure()
        || matches!(
            kind,
            EventType::ExecutionFailed | EventType::ExecutionTimedOut | EventType::MapRunFailed
        );
    let at = event.timestamp.as_microsecond();
    html! {
        tr data-event-id=(event.id) data-type=(kind) class=[failed.then_some("failure")] {
            td.num { (event.id) }
            td {
                @if let Some(d) = &details {
                    details { summary { (kind) } pre.code { (d) } }
                } @else { (kind) }
            }
            td { (step) }
            td { (format::duration(at - start)) }
            td { (format::micros(at)) }
        }
    }
}
