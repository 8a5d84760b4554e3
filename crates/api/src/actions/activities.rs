//! CreateActivity, DescribeActivity, DeleteActivity and ListActivities.
//!
//! As on AWS:
//! - `CreateActivity` is idempotent by name: the same name again answers with the existing ARN
//!   and creation date, and its `tags` are ignored (not updated). A different
//!   `encryptionConfiguration` is `ActivityAlreadyExists` (AWS: "EncryptionConfiguration may
//!   not be updated").
//! - `DeleteActivity` of an activity that does not exist succeeds.
//! - `DescribeActivity` shows `encryptionConfiguration` only when one was given.
//! - `ListActivities` lists in creation order, paged.

use serde_json::{json, Value};
use switchback_store::activities::{self as store_activities, ActivityRecord};
use switchback_store::{tags as store_tags, StoreError};

use crate::actions::tags::read_tags;
use crate::arn;
use crate::error::ApiError;
use crate::input::{shapes, Input};
use crate::names;
use crate::paging::{self, PageRequest};
use crate::settings;
use crate::state::AppState;
use crate::time::{epoch_seconds, now_micros};

/// The encryption an activity effectively has: none given means AWS's own key.
fn effective_encryption(encryption: Option<&Value>) -> Value {
    encryption
        .cloned()
        .unwrap_or_else(|| json!({"type": "AWS_OWNED_KEY"}))
}

/// `CreateActivity`.
pub async fn create(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let name = input.req_str("name", shapes::NAME)?;
    let tags = read_tags(&mut input, "tags")?;
    let encryption = settings::encryption(&mut input)?;
    input.finish()?;

    names::check_name(&name)?;
    let arn = state.config.identity.activity_arn(&name).to_string();
    let limit = state.config.max_tags_per_resource;
    if tags.as_ref().is_some_and(|t| t.len() > limit) {
        return Err(ApiError::too_many_tags(&arn, limit));
    }
    let record = ActivityRecord {
        arn: arn.clone(),
        name,
        created: now_micros(),
        encryption,
    };
    let stored = state
        .store
        .write(move |tx| {
            if let Some(existing) = store_activities::get(tx, &record.arn)? {
                let same = effective_encryption(existing.encryption.as_ref())
                    == effective_encryption(record.encryption.as_ref());
                return Ok(if same {
                    Ok(existing)
                } else {
                    Err(ApiError::activity_already_exists(&existing.arn))
                });
            }
            let stored = store_activities::insert(tx, &record)?;
            if let Some(tags) = &tags {
                store_tags::put(tx, &stored.arn, tags)?;
            }
            Ok(Ok(stored))
        })
        .await??;
    tracing::info!(arn = %arn, "activity created");
    Ok(json!({
        "activityArn": stored.arn,
        "creationDate": epoch_seconds(stored.created),
    }))
}

/// `DescribeActivity`.
pub async fn describe(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("activityArn", shapes::ARN)?;
    input.finish()?;
    let parsed = arn::parse_activity(&arn_text)?;
    let found = state
        .store
        .read(move |conn| store_activities::get(conn, &parsed.to_string()))
        .await?;
    let Some(activity) = found else {
        return Err(ApiError::activity_does_not_exist(&arn_text));
    };
    let mut out = json!({
        "activityArn": activity.arn,
        "name": activity.name,
        "creationDate": epoch_seconds(activity.created),
    });
    if let Some(e) = activity.encryption {
        out["encryptionConfiguration"] = e;
    }
    Ok(out)
}

/// `DeleteActivity`: removes the activity and its tags; an unknown activity is no error.
pub async fn delete(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("activityArn", shapes::ARN)?;
    input.finish()?;
    let parsed = arn::parse_activity(&arn_text)?;
    let removed = state
        .store
        .write(move |tx| store_activities::delete(tx, &parsed.to_string()))
        .await?;
    tracing::info!(arn = %arn_text, removed, "activity delete");
    Ok(json!({}))
}

/// `ListActivities`: in creation order, paged.
pub async fn list(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let (limit, token) = paging::read(&mut input)?;
    input.finish()?;
    const SCOPE: &str = "ListActivities";
    let page = PageRequest::decode(limit, token.as_deref(), SCOPE)?;
    let after = page.after.clone();
    let rows = state
        .store
        .read(move |conn| {
            match store_activities::list(conn, after.as_deref(), page.limit.saturating_add(1)) {
                // The activity the token points after is gone (or the token is forged).
                Err(StoreError::NotFound) => Ok(None),
                other => other.map(Some),
            }
        })
        .await?;
    let Some(rows) = rows else {
        return Err(ApiError::invalid_token(
            token.as_deref().unwrap_or_default(),
        ));
    };
    let (rows, next) = paging::finish(rows, limit, SCOPE, |a| a.arn.clone());
    let items: Vec<Value> = rows
        .into_iter()
        .map(|a| {
            json!({
                "activityArn": a.arn,
                "name": a.name,
                "creationDate": epoch_seconds(a.created),
            })
        })
        .collect();
    let mut out = json!({ "activities": items });
    if let Some(t) = next {
        out["nextToken"] = json!(t);
    }
    Ok(out)
}
