//! Switchback's web console: every state machine, its workflow graph, and every execution
//! watched live, served by `switchback serve` on the same address as the API.
//!
//! The console is a client of the same API the SDKs use: pages read through
//! [`switchback_api::actions::dispatch`] (so they show exactly what `DescribeExecution` or
//! `ListExecutions` would), and the browser changes things by calling the Step Functions API
//! itself (`POST /` with `X-Amz-Target`), so creating a machine or starting an execution from
//! the page follows the same validation and errors as the CLI. Only the colouring of a
//! running execution reads the store directly ([`event_log`]), because it asks for the whole
//! history many times a second.
//!
//! Layout:
//! - [`routes`]: the URL scheme and its handlers;
//! - [`pages`]: one module per page, rendered with maud (compile-time templates, escaped);
//! - [`progress`]: from history events to what happened to each state at any moment;
//! - [`live`]: server-sent events while an execution runs;
//! - [`login`]: signing in with the server's access keys, when it has some;
//! - [`graphs`]: the workflow drawing (`switchback-graph`), cached per definition;
//! - [`assets`]: the one stylesheet and one script, compiled into the binary: no build step,
//!   no external files, no internet.

pub mod api_call;
pub mod assets;
pub mod event_log;
pub mod format;
pub mod graphs;
pub mod live;
pub mod login;
pub mod pages;
pub mod paths;
pub mod progress;
pub mod routes;

use std::sync::Arc;

use switchback_api::AppState;
use tokio::sync::watch;

pub use routes::router;

/// What every console handler shares: the API's state and the console's caches.
#[derive(Clone)]
pub struct Console {
    /// The store, runtime and settings the API runs on.
    pub app: AppState,
    /// Workflow drawings by definition.
    pub graphs: Arc<graphs::GraphCache>,
    /// Event summaries of recently viewed executions.
    pub events: Arc<event_log::EventLogCache>,
    /// Turns true when the server stops: live streams end, so that the server's drain of
    /// requests in flight is not held up by browsers that would watch forever.
    pub closing: watch::Receiver<bool>,
}

impl Console {
    /// A console over the API's state; `closing` turns true when the server stops.
    pub fn new(app: AppState, closing: watch::Receiver<bool>) -> Console {
        Console {
            app,
            graphs: Arc::default(),
            events: Arc::default(),
            closing,
        }
    }
}
