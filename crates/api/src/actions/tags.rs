//! TagResource, UntagResource and ListTagsForResource, and the reading of `tags` members
//! shared with CreateStateMachine.
//!
//! Tags live on unqualified state machines (AWS refuses a version or alias ARN with
//! `ResourceNotFound`, as recorded on AWS) and on activities.

use serde_json::{json, Value};
use switchback_store::tags::{self as store_tags, Tag};
use switchback_store::{activities, state_machines as machines, Db, StoreError};

use crate::arn::{self, Qualifier, TaggableArn};
use crate::error::{constraint, ApiError, ConstraintValue};
use crate::input::{as_object, check_len, nested_str, shapes, wrong_type, Input};
use crate::state::AppState;

/// Reads a list of `{key, value}` tags (`None` when absent), with the model's constraints on
/// each (`tags.1.member.key`: 1-128, value: 0-256). A key given twice keeps its last value.
pub fn read_tags(input: &mut Input, field: &str) -> Result<Option<Vec<Tag>>, ApiError> {
    let Some(items) = input.opt_list(field)? else {
        return Ok(None);
    };
    let mut tags: Vec<Tag> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let obj = as_object(item)?;
        let base = format!("{field}.{}.member", i + 1);
        let key = nested_str(obj, "key")?;
        let value = nested_str(obj, "value")?;
        match key {
            Some(k) => {
                if let Some(v) = check_len(&format!("{base}.key"), k, shapes::TAG_KEY) {
                    input.violation(v);
                }
            }
            None => input.violation(constraint(
                ConstraintValue::Null,
                &format!("{base}.key"),
                "Member must not be null",
            )),
        }
        if let Some(v) = value {
            if let Some(violation) = check_len(&format!("{base}.value"), v, shapes::TAG_VALUE) {
                input.violation(violation);
            }
        }
        let tag = Tag::new(key.unwrap_or_default(), value.unwrap_or_default());
        match tags.iter_mut().find(|t| t.key == tag.key) {
            Some(existing) => existing.value = tag.value,
            None => tags.push(tag),
        }
    }
    Ok(Some(tags))
}

/// A resource that carries tags.
enum Taggable {
    /// An unqualified state machine, by ARN.
    Machine(String),
    /// An activity, by ARN.
    Activity(String),
}

impl Taggable {
    fn arn(&self) -> &str {
        match self {
            Taggable::Machine(a) | Taggable::Activity(a) => a,
        }
    }

    fn exists(&self, conn: &Db<'_>) -> Result<bool, StoreError> {
        Ok(match self {
            Taggable::Machine(a) => machines::get(conn, a)?.is_some(),
            Taggable::Activity(a) => activities::get(conn, a)?.is_some(),
        })
    }
}

/// The resource a tag action names; a qualified machine ARN is not found.
fn taggable(arn_text: &str) -> Result<Taggable, ApiError> {
    let not_found = || ApiError::resource_not_found(format!("Resource not found: '{arn_text}'"));
    match arn::parse_taggable(arn_text)? {
        TaggableArn::StateMachine(m) if m.qualifier == Qualifier::None => {
            Ok(Taggable::Machine(m.machine_arn()))
        }
        TaggableArn::Activity(a) => Ok(Taggable::Activity(a.to_string())),
        TaggableArn::StateMachine(_) => Err(not_found()),
    }
}

/// `TagResource`: adds tags, replacing the values of keys already there.
pub async fn tag(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("resourceArn", shapes::ARN)?;
    let tags = read_tags(&mut input, "tags")?;
    if tags.is_none() {
        input.missing("tags");
    }
    input.finish()?;
    let tags = tags.unwrap_or_default();
    let resource = taggable(&arn_text)?;
    let limit = state.config.max_tags_per_resource;
    state
        .store
        .write(move |tx| {
            if !resource.exists(tx)? {
                return Ok(Err(ApiError::resource_not_found(format!(
                    "Resource not found: '{arn_text}'"
                ))));
            }
            let existing = store_tags::list(tx, resource.arn())?;
            let added = tags
                .iter()
                .filter(|t| !existing.iter().any(|e| e.key == t.key))
                .count();
            if existing.len() + added > limit {
                return Ok(Err(ApiError::too_many_tags(&arn_text, limit)));
            }
            store_tags::put(tx, resource.arn(), &tags)?;
            Ok(Ok(()))
        })
        .await??;
    Ok(json!({}))
}

/// `UntagResource`: removes keys; keys the resource lacks are ignored.
pub async fn untag(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("resourceArn", shapes::ARN)?;
    let keys = match input.opt_list("tagKeys")? {
        None => {
            input.missing("tagKeys");
            Vec::new()
        }
        Some(items) => {
            let mut keys = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let Value::String(k) = item else {
                    return Err(wrong_type(item, "String"));
                };
                if let Some(v) = check_len(&format!("tagKeys.{}.member", i + 1), k, shapes::TAG_KEY)
                {
                    input.violation(v);
                }
                keys.push(k.clone());
            }
            keys
        }
    };
    input.finish()?;
    let resource = taggable(&arn_text)?;
    state
        .store
        .write(move |tx| {
            if !resource.exists(tx)? {
                return Ok(Err(ApiError::resource_not_found(format!(
                    "Resource not found: '{arn_text}'"
                ))));
            }
            store_tags::remove(tx, resource.arn(), &keys)?;
            Ok(Ok(()))
        })
        .await??;
    Ok(json!({}))
}

/// `ListTagsForResource`.
pub async fn list(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("resourceArn", shapes::ARN)?;
    input.finish()?;
    let resource = taggable(&arn_text)?;
    let tags = state
        .store
        .read(move |conn| {
            if !resource.exists(conn)? {
                return Ok(Err(ApiError::resource_not_found(format!(
                    "Resource not found: '{arn_text}'"
                ))));
            }
            Ok(Ok(store_tags::list(conn, resource.arn())?))
        })
        .await??;
    let items: Vec<Value> = tags
        .into_iter()
        .map(|t| json!({"key": t.key, "value": t.value}))
        .collect();
    Ok(json!({ "tags": items }))
}
