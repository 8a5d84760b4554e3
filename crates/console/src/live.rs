//! `GET /executions/{arn}/live`: server-sent events while an execution runs.
//!
//! The stream looks at the store a few times a second (only the events added since its last
//! look are read, see [`crate::event_log`]) and sends the progress whenever something new
//! happened: a `progress` event with the same JSON as `/progress`. It ends after the event
//! that closes the execution. Reading the store rather than listening to the runtime means a
//! parked execution, one woken after a restart, and one run by another process on the same
//! data all show up alike.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream};

use crate::pages::execution::{load_log, MomentQuery};
use crate::progress;
use crate::Console;

/// How often the store is looked at.
const POLL: Duration = Duration::from_millis(250);

/// Where a stream stands.
struct Follow {
    console: Console,
    /// The execution's store id.
    id: i64,
    scope: Option<i64>,
    /// The last event sent (-1: nothing sent yet).
    sent: i64,
    done: bool,
}

/// `GET /executions/{arn}/live?scope=`.
pub async fn follow(
    State(console): State<Console>,
    Path(arn): Path<String>,
    Query(query): Query<MomentQuery>,
) -> Response {
    let id = match load_log(&console, &arn).await {
        Ok((id, _)) => id,
        Err(response) => return response,
    };
    let start = Follow {
        console,
        id,
        scope: query.scope(),
        sent: -1,
        done: false,
    };
    Sse::new(updates(start))
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn updates(start: Follow) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(start, |mut f| async move {
        if f.done {
            return None;
        }
        loop {
            if f.sent >= 0 {
                let mut closing = f.console.closing.clone();
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    // A dropped sender (no server to stop) disables this branch.
                    Ok(_) = closing.wait_for(|c| *c) => return None,
                }
            }
            let log = match f.console.events.load(&f.console.app.store, f.id).await {
                Ok(log) => log,
                // The store is closing: end the stream.
                Err(_) => return None,
            };
            let last = log.last().map_or(0, |e| e.id);
            if last == f.sent {
                continue;
            }
            let now = progress::progress(&log, None, f.scope);
            f.sent = last;
            f.done = now.status.is_closed();
            let event = Event::default()
                .event("progress")
                .retry(Duration::from_secs(2))
                .id(last.to_string())
                .json_data(&now)
                .unwrap_or_else(|_| Event::default().comment("unserialisable progress"));
            return Some((Ok(event), f));
        }
    })
}
