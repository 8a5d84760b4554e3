//! `GetExecutionHistory`: the journal of a Standard execution, paged, oldest or newest first.

use serde_json::{json, Value};
use switchback_runtime::events::row_to_aws_json;
use switchback_store::executions;

use crate::actions::executions::load;
use crate::error::ApiError;
use crate::input::{shapes, Input};
use crate::paging::{self, PageRequest};
use crate::state::AppState;
use crate::time::epoch_seconds;

/// `GetExecutionHistory`.
pub async fn get_execution_history(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("executionArn", shapes::ARN)?;
    let (limit, token) = paging::read(&mut input)?;
    let reverse = input.opt_bool("reverseOrder")?.unwrap_or(false);
    let include_data = input.opt_bool("includeExecutionData")?.unwrap_or(true);
    input.finish()?;
    let execution = load(state, &arn_text).await?;
    let scope = format!("GetExecutionHistory:{arn_text}:{reverse}");
    let page = PageRequest::decode(limit, token.as_deref(), &scope)?;
    let after = match page.after.as_deref() {
        None => None,
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| ApiError::invalid_token(token.as_deref().unwrap_or_default()))?,
        ),
    };
    let id = execution.id;
    let rows = state
        .store
        .read(move |c| executions::events_page(c, id, after, limit.saturating_add(1), reverse))
        .await?;
    let (rows, next) = paging::finish(rows, limit, &scope, |e| e.id.to_string());
    let events: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut event = row_to_aws_json(row, epoch_seconds(row.timestamp));
            if !include_data {
                strip_data(&mut event);
            }
            event
        })
        .collect();
    let mut out = json!({ "events": events });
    if let Some(t) = next {
        out["nextToken"] = json!(t);
    }
    Ok(out)
}

/// Without execution data, the details keep their shape but lose inputs and outputs.
fn strip_data(event: &mut Value) {
    let Value::Object(m) = event else { return };
    for (key, details) in m.iter_mut() {
        if !key.ends_with("EventDetails") {
            continue;
        }
        if let Value::Object(d) = details {
            for field in ["input", "output", "parameters"] {
                d.remove(field);
            }
            d.remove("inputDetails");
            d.remove("outputDetails");
        }
    }
}
