//! The pages, one module each, and what they share: the page frame and the error page.
//!
//! Pages are rendered on the server with maud, which escapes every value it inserts. Each page
//! works without its script for reading; the script adds the live parts (graph pan and zoom,
//! state details, live updates, the timeline, the forms' API calls).

pub mod execution;
pub mod history;
pub mod machine;
pub mod machines;
pub mod map_run;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use switchback_api::ApiError;
use switchback_engine::ExecutionStatus;

use crate::paths;

/// A whole page: `title` in the tab, `crumbs` above the content.
pub fn frame(title: &str, crumbs: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Switchback" }
                link rel="stylesheet" href="/assets/console.css";
                script src="/assets/console.js" defer {}
            }
            body {
                header.topbar {
                    a.brand href=(paths::HOME) { "Switchback" }
                    nav { a href=(paths::HOME) { "State machines" } }
                }
                main {
                    nav.crumbs aria-label="Breadcrumb" { (crumbs) }
                    (body)
                }
            }
        }
    }
}

/// A page as an HTTP answer.
pub fn ok(markup: Markup) -> Response {
    Html(markup.into_string()).into_response()
}

/// The page shown when the API refused: its error code and message, and a way back.
pub fn api_error(error: &ApiError) -> Response {
    let status = if error.code().ends_with("DoesNotExist") {
        StatusCode::NOT_FOUND
    } else {
        error.status()
    };
    let body = html! {
        section.error-page {
            h1 { (error.code()) }
            p.message { (error.message()) }
            p { a href=(paths::HOME) { "Back to the state machines" } }
        }
    };
    (
        status,
        ok(frame(
            error.code(),
            html! { a href=(paths::HOME) { "State machines" } },
            body,
        )),
    )
        .into_response()
}

/// An execution status in words, as the pages show it.
pub fn status_words(status: ExecutionStatus) -> &'static str {
    match status {
        ExecutionStatus::Running => "Running",
        ExecutionStatus::Succeeded => "Succeeded",
        ExecutionStatus::Failed => "Failed",
        ExecutionStatus::TimedOut => "Timed out",
        ExecutionStatus::Aborted => "Aborted",
        ExecutionStatus::PendingRedrive => "Pending redrive",
    }
}

/// A status word as the API spells it (`SUCCEEDED`, or a state machine's `ACTIVE`) as a
/// badge with its words, not colour alone.
pub fn status_badge(status: &str) -> Markup {
    let words = match status.parse::<ExecutionStatus>() {
        Ok(execution) => status_words(execution),
        Err(_) => match status {
            "ACTIVE" => "Active",
            "DELETING" => "Deleting",
            other => other,
        },
    };
    html! { span.badge data-status=(status) { (words) } }
}
