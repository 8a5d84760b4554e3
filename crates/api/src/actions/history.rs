//! `GetExecutionHistory`: the journal of a Standard execution, paged, oldest or newest first.

use serde_json::{json, Value};
use switchback_engine::Event;
use switchback_runtime::history;

use crate::actions::executions::load;
use crate::error::ApiError;
use crate::input::{shapes, Input};
use crate::paging::{self, PageRequest};
use crate::state::AppState;

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
        .read(move |c| history::page(c, id, after, limit.saturating_add(1), reverse))
        .await?;
    let (rows, next) = paging::finish(rows, limit, &scope, |e| e.event.id.to_string());
    let events: Vec<Value> = rows
        .iter()
        .map(|stored| {
            let mut event = stored.event.to_aws_json();
            if !include_data {
                strip_data(&stored.event, &mut event);
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
fn strip_data(typed: &Event, event: &mut Value) {
    let Some(key) = typed.kind.event_type().details_key() else {
        return;
    };
    if let Some(Value::Object(d)) = event.get_mut(key) {
        for field in [
            "input",
            "output",
            "parameters",
            "inputDetails",
            "outputDetails",
        ] {
            d.remove(field);
        }
    }
}
