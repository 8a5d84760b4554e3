//! CreateStateMachineAlias, DescribeStateMachineAlias, UpdateStateMachineAlias,
//! DeleteStateMachineAlias and ListStateMachineAliases.
//!
//! An alias routes executions to one version, or splits them between two by weight (the
//! weights summing to 100). Its ARN is the machine's with `:<alias name>` appended. The checks
//! and their messages follow what AWS answered in recorded runs.

use serde_json::{json, Value};
use switchback_store::aliases::{self, AliasRecord, RoutingEntry};
use switchback_store::{versions, Db, StoreError};

use crate::actions::state_machines::active_machine;
use crate::arn::{self, Qualifier};
use crate::error::{constraint, ApiError, ConstraintValue};
use crate::input::{as_object, check_len, nested_int, nested_str, shapes, Input};
use crate::names;
use crate::paging::{self, PageRequest};
use crate::state::AppState;
use crate::time::{epoch_seconds, now_micros};

/// AWS's limit of aliases per state machine.
pub const MAX_ALIASES: usize = 100;

/// Reads `routingConfiguration` with its model constraints (1-2 entries, each a version ARN and
/// a weight of 0-100); `None` when absent. The service's own rules are checked by
/// [`check_routing`].
fn read_routing(input: &mut Input) -> Result<Option<Vec<RoutingEntry>>, ApiError> {
    let Some(items) = input.opt_list("routingConfiguration")? else {
        return Ok(None);
    };
    let mut entries = Vec::with_capacity(items.len());
    let mut shown = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let obj = as_object(item)?;
        let base = format!("routingConfiguration.{}.member", i + 1);
        let arn = nested_str(obj, "stateMachineVersionArn")?;
        let weight = nested_int(obj, "weight")?;
        match arn {
            None => input.violation(constraint(
                ConstraintValue::Null,
                &format!("{base}.stateMachineVersionArn"),
                "Member must not be null",
            )),
            Some(a) => {
                if let Some(v) =
                    check_len(&format!("{base}.stateMachineVersionArn"), a, shapes::ARN)
                {
                    input.violation(v);
                }
            }
        }
        match weight {
            None => input.violation(constraint(
                ConstraintValue::Null,
                &format!("{base}.weight"),
                "Member must not be null",
            )),
            Some(w) if w < 0 => input.violation(constraint(
                ConstraintValue::Shown(&w.to_string()),
                &format!("{base}.weight"),
                "Member must have value greater than or equal to 0",
            )),
            Some(w) if w > 100 => input.violation(constraint(
                ConstraintValue::Shown(&w.to_string()),
                &format!("{base}.weight"),
                "Member must have value less than or equal to 100",
            )),
            Some(_) => {}
        }
        let arn = arn.unwrap_or_default().to_string();
        let weight = weight.unwrap_or(0);
        shown.push(format!(
            "RoutingConfigurationListItem(stateMachineVersionArn={arn}, weight={weight})"
        ));
        entries.push(RoutingEntry {
            version_arn: arn,
            weight: u32::try_from(weight.clamp(0, 100)).unwrap_or(0),
        });
    }
    let listed = format!("[{}]", shown.join(", "));
    if items.is_empty() {
        input.violation(constraint(
            ConstraintValue::Shown(&listed),
            "routingConfiguration",
            "Member must have length greater than or equal to 1",
        ));
    } else if items.len() > 2 {
        input.violation(constraint(
            ConstraintValue::Shown(&listed),
            "routingConfiguration",
            "Member must have length less than or equal to 2",
        ));
    }
    Ok(Some(entries))
}

/// The service's rules on a routing configuration: version ARNs only, distinct, of one machine,
/// weights summing to 100. Returns the machine they belong to.
fn check_routing(routing: &[RoutingEntry]) -> Result<String, ApiError> {
    let arns: Vec<&str> = routing.iter().map(|r| r.version_arn.as_str()).collect();
    let received = format!("[{}]", arns.join(", "));
    let mut machine: Option<String> = None;
    for a in &arns {
        let parsed = arn::parse_state_machine(a)
            .ok()
            .filter(|p| matches!(p.qualifier, Qualifier::Version(_)));
        let Some(parsed) = parsed else {
            return Err(ApiError::validation_message(format!(
                "Routing configuration must contain state machine version ARNs. Received: {received}"
            )));
        };
        match &machine {
            None => machine = Some(parsed.machine_arn()),
            Some(m) if *m != parsed.machine_arn() => {
                return Err(ApiError::validation_message(format!(
                    "Routing configuration must contain state machine version ARNs of the same \
                     state machine. Received: {received}"
                )))
            }
            Some(_) => {}
        }
    }
    if arns.len() == 2 && arns[0] == arns[1] {
        return Err(ApiError::validation_message(format!(
            "Routing configuration must contain distinct state machine version ARNs. Received: \
             {received}"
        )));
    }
    let weights: Vec<String> = routing.iter().map(|r| r.weight.to_string()).collect();
    let sum: u32 = routing.iter().map(|r| r.weight).sum();
    if sum != 100 {
        return Err(ApiError::validation_message(format!(
            "Sum of routing configuration weights must equal 100. Received: [{}]",
            weights.join(", ")
        )));
    }
    machine.ok_or_else(|| ApiError::validation_message("Routing configuration is empty"))
}

/// Every routed version must exist.
fn versions_exist(
    conn: &Db<'_>,
    routing: &[RoutingEntry],
) -> Result<Result<(), ApiError>, StoreError> {
    for r in routing {
        if versions::get(conn, &r.version_arn)?.is_none() {
            return Ok(Err(ApiError::resource_not_found(format!(
                "Resource not found: '{}'",
                r.version_arn
            ))));
        }
    }
    Ok(Ok(()))
}

/// The alias an ARN names: `(machine ARN, alias name)`.
fn alias_arn_parts(arn_text: &str) -> Result<(String, String), ApiError> {
    let parsed = arn::parse_state_machine(arn_text)?;
    let machine_arn = parsed.machine_arn();
    match parsed.qualifier {
        Qualifier::Alias(name) => Ok((machine_arn, name)),
        _ => Err(ApiError::invalid_arn(format!(
            "Not a state machine alias ARN: {arn_text}"
        ))),
    }
}

fn not_found() -> ApiError {
    ApiError::resource_not_found("Request references a resource that does not exist.")
}

/// `CreateStateMachineAlias`. The same request again returns the same alias; the same name
/// with another description or routing is a `ConflictException`.
pub async fn create(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let description = input.opt_str("description", shapes::DESCRIPTION)?;
    let name = input.req_str("name", shapes::NAME)?;
    if let Some(v) = names::alias_name_violation("name", &name) {
        input.violation(v);
    }
    let routing = read_routing(&mut input)?;
    if routing.is_none() {
        input.missing("routingConfiguration");
    }
    input.finish()?;
    let routing = routing.unwrap_or_default();
    let machine_arn = check_routing(&routing)?;
    let alias_arn = arn::alias_arn(&machine_arn, &name);
    let now = now_micros();
    let record = AliasRecord {
        arn: alias_arn,
        state_machine_arn: machine_arn.clone(),
        name,
        description,
        routing,
        created: now,
        updated: Some(now),
    };
    let created = state
        .store
        .write(move |tx| {
            // A missing machine has no versions: ResourceNotFound, as AWS's model has it.
            if let Err(e) = versions_exist(tx, &record.routing)? {
                return Ok(Err(e));
            }
            if let Err(e) = active_machine(tx, &machine_arn, &machine_arn)? {
                return Ok(Err(e));
            }
            if let Some(existing) = aliases::get(tx, &record.arn)? {
                if existing.description == record.description && existing.routing == record.routing
                {
                    return Ok(Ok((existing.arn, existing.created)));
                }
                return Ok(Err(ApiError::conflict(
                    "Failed to create alias because an alias with the same name and a different \
                     routing configuration already exists.",
                )));
            }
            let count = aliases::list(tx, &machine_arn, None, MAX_ALIASES)?.len();
            if count >= MAX_ALIASES {
                return Ok(Err(ApiError::service(
                    "ServiceQuotaExceededException",
                    format!("The state machine {machine_arn} already has {MAX_ALIASES} aliases"),
                )));
            }
            aliases::insert(tx, &record)?;
            tracing::info!(arn = %record.arn, "state machine alias created");
            Ok(Ok((record.arn, record.created)))
        })
        .await??;
    Ok(json!({
        "stateMachineAliasArn": created.0,
        "creationDate": epoch_seconds(created.1),
    }))
}

/// `DescribeStateMachineAlias`.
pub async fn describe(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineAliasArn", shapes::ARN)?;
    input.finish()?;
    let (machine_arn, name) = alias_arn_parts(&arn_text)?;
    let key = arn::alias_arn(&machine_arn, &name);
    let alias = state
        .store
        .read(move |conn| aliases::get(conn, &key))
        .await?
        .ok_or_else(not_found)?;
    let mut out = json!({
        "stateMachineAliasArn": alias.arn,
        "name": alias.name,
        "routingConfiguration": alias.routing.iter().map(|r| json!({
            "stateMachineVersionArn": r.version_arn,
            "weight": r.weight,
        })).collect::<Vec<_>>(),
        "creationDate": epoch_seconds(alias.created),
        "updateDate": epoch_seconds(alias.updated.unwrap_or(alias.created)),
    });
    if let Some(d) = alias.description {
        out["description"] = json!(d);
    }
    Ok(out)
}

/// `UpdateStateMachineAlias`: a new description, a new routing, or both.
pub async fn update(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineAliasArn", shapes::ARN)?;
    let description = input.opt_str("description", shapes::DESCRIPTION)?;
    let routing = read_routing(&mut input)?;
    input.finish()?;
    let (machine_arn, name) = alias_arn_parts(&arn_text)?;
    let key = arn::alias_arn(&machine_arn, &name);
    if description.is_none() && routing.is_none() {
        return Err(ApiError::validation_message(
            "Either the description or the RoutingConfiguration must be specified",
        ));
    }
    if let Some(r) = &routing {
        let routed_machine = check_routing(r)?;
        if routed_machine != machine_arn {
            return Err(ApiError::validation_message(format!(
                "Routing configuration must contain state machine version ARNs of the alias's \
                 state machine {machine_arn}"
            )));
        }
    }
    let now = now_micros();
    state
        .store
        .write(move |tx| {
            let Some(mut alias) = aliases::get(tx, &key)? else {
                return Ok(Err(not_found()));
            };
            if let Err(e) = active_machine(tx, &machine_arn, &machine_arn)? {
                return Ok(Err(e));
            }
            if let Some(r) = routing {
                if let Err(e) = versions_exist(tx, &r)? {
                    return Ok(Err(e));
                }
                alias.routing = r;
            }
            if let Some(d) = description {
                alias.description = Some(d);
            }
            alias.updated = Some(now);
            aliases::update(tx, &alias)?;
            Ok(Ok(()))
        })
        .await??;
    Ok(json!({ "updateDate": epoch_seconds(now) }))
}

/// `DeleteStateMachineAlias`: deleting an alias that does not exist succeeds, as on AWS.
pub async fn delete(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineAliasArn", shapes::ARN)?;
    input.finish()?;
    let (machine_arn, name) = alias_arn_parts(&arn_text)?;
    let key = arn::alias_arn(&machine_arn, &name);
    state
        .store
        .write(move |tx| {
            if aliases::delete(tx, &key)? {
                tracing::info!(arn = %key, "state machine alias deleted");
            }
            Ok(())
        })
        .await?;
    Ok(json!({}))
}

/// `ListStateMachineAliases`: the aliases of a machine in creation order, or, for a version
/// ARN, the aliases that route to that version (as AWS documents).
pub async fn list(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineArn", shapes::ARN)?;
    let (limit, token) = paging::read(&mut input)?;
    input.finish()?;
    let parsed = arn::parse_state_machine(&arn_text)?;
    let version = match parsed.qualifier {
        Qualifier::None => None,
        Qualifier::Version(n) => Some(arn::version_arn(&parsed.machine_arn(), n)),
        _ => {
            return Err(ApiError::invalid_arn(format!(
                "Not a state machine or version ARN: {arn_text}"
            )))
        }
    };
    let scope = format!("ListStateMachineAliases:{arn_text}");
    let page = PageRequest::decode(limit, token.as_deref(), &scope)?;
    let machine_arn = parsed.machine_arn();
    let shown_token = token.clone().unwrap_or_default();
    let rows = state
        .store
        .read(move |conn| {
            if let Err(e) = active_machine(conn, &machine_arn, &arn_text)? {
                return Ok(Err(e));
            }
            if let Some(v) = &version {
                if versions::get(conn, v)?.is_none() {
                    return Ok(Err(ApiError::state_machine_does_not_exist(&arn_text)));
                }
            }
            // Page through the machine's aliases, keeping those that route to the version.
            let mut after = page.after.clone();
            let mut kept = Vec::new();
            loop {
                let batch = match aliases::list(conn, &machine_arn, after.as_deref(), MAX_ALIASES) {
                    Ok(b) => b,
                    Err(StoreError::NotFound) => {
                        return Ok(Err(ApiError::invalid_token(&shown_token)))
                    }
                    Err(e) => return Err(e),
                };
                let done = batch.len() < MAX_ALIASES;
                after = batch.last().map(|a| a.arn.clone());
                kept.extend(batch.into_iter().filter(|a| match &version {
                    None => true,
                    Some(v) => a.routing.iter().any(|r| &r.version_arn == v),
                }));
                if done || kept.len() > page.limit {
                    break;
                }
            }
            kept.truncate(page.limit.saturating_add(1));
            Ok(Ok(kept))
        })
        .await??;
    let (rows, next) = paging::finish(rows, limit, &scope, |a| a.arn.clone());
    let items: Vec<Value> = rows
        .into_iter()
        .map(|a| {
            json!({
                "stateMachineAliasArn": a.arn,
                "creationDate": epoch_seconds(a.created),
            })
        })
        .collect();
    let mut out = json!({ "stateMachineAliases": items });
    if let Some(t) = next {
        out["nextToken"] = json!(t);
    }
    Ok(out)
}
