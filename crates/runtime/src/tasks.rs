//! Task dispatch from the server.
//!
//! Task integrations (functions, HTTP, activities, nested executions, callbacks) are the next
//! piece of work; until they land, a Task state in a server execution fails with an error that
//! says so, which its Retry and Catch can handle like any other task failure.

use switchback_engine::task::{TaskOutcome, TaskRequest};

/// The error a task gets when no integration can run its resource.
pub const NO_INTEGRATION: &str = "Switchback.NoIntegration";

/// Runs a task and reports how it ended.
pub async fn dispatch(request: &TaskRequest) -> TaskOutcome {
    TaskOutcome::Failed {
        error: NO_INTEGRATION.into(),
        cause: format!(
            "No integration is configured for the resource '{}' of state '{}'. \
             Run the definition with `switchback run --mock FILE` to test it with mocked results.",
            request.resource, request.state_name
        ),
    }
}
