//! Reading through the API: the console shows what the API answers, errors included.

use serde_json::Value;
use switchback_api::{actions, ApiError};

use crate::Console;

/// Runs API action `action` with request `body`, as a client's request would.
pub async fn call(console: &Console, action: &str, body: Value) -> Result<Value, ApiError> {
    actions::dispatch(&console.app, action, body).await
}
