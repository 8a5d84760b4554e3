//! TestState's `TRACE` level: an HTTP Task's raw request and response (`inspectionData`'s
//! `request` and `response`), caught on the way through the integrations.
//!
//! The tested state's calls go through [`Tracing`], which asks the integrations for each
//! call's exchange ([`TaskHandler::call_traced`]) and keeps the last one for the answer.

use std::sync::{Arc, Mutex};

use serde_json::Value;
use switchback_engine::driver::DriverFuture;
use switchback_engine::run::{StopJobFuture, TaskHandler};
use switchback_engine::task::{Resource, TaskOutcome, TaskRequest};

/// The integrations, with each HTTP exchange kept.
pub struct Tracing {
    /// The server's integrations.
    inner: Arc<dyn TaskHandler + Send + Sync>,
    /// `revealSecrets`: whether a connection's headers are shown.
    reveal_secrets: bool,
    /// The last exchange seen.
    seen: Arc<Mutex<Option<Value>>>,
}

impl Tracing {
    pub fn new(inner: Arc<dyn TaskHandler + Send + Sync>, reveal_secrets: bool) -> Tracing {
        Tracing {
            inner,
            reveal_secrets,
            seen: Arc::default(),
        }
    }

    /// Where the exchange lands, to read once the run is over.
    pub fn seen(&self) -> Arc<Mutex<Option<Value>>> {
        self.seen.clone()
    }
}

impl TaskHandler for Tracing {
    fn call(&self, request: TaskRequest) -> DriverFuture<'static, TaskOutcome> {
        let call = self.inner.call_traced(request, self.reveal_secrets);
        let seen = self.seen.clone();
        Box::pin(async move {
            let (outcome, exchange) = call.await;
            if let (Some(exchange), Ok(mut slot)) = (exchange, seen.lock()) {
                *slot = Some(exchange);
            }
            outcome
        })
    }

    fn delivers_token(&self, resource: &Resource) -> bool {
        self.inner.delivers_token(resource)
    }

    fn polls(&self, resource: &Resource) -> bool {
        self.inner.polls(resource)
    }

    fn stop_job(&self, request: TaskRequest) -> StopJobFuture {
        self.inner.stop_job(request)
    }
}

/// Adds the exchange kept (if any) to the answer's inspection data.
pub fn add(answer: &mut Value, seen: &Mutex<Option<Value>>) {
    let Some(Value::Object(exchange)) = seen.lock().ok().and_then(|mut s| s.take()) else {
        return;
    };
    if let Some(data) = answer
        .get_mut("inspectionData")
        .and_then(Value::as_object_mut)
    {
        data.extend(exchange);
    }
}
