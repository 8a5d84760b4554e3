//! CreateStateMachine, DescribeStateMachine, UpdateStateMachine, DeleteStateMachine and
//! ListStateMachines.
//!
//! Revisions: a machine starts at its *initial revision*, which AWS never names (no `revisionId`
//! in its descriptions, as recorded on AWS); every update that changes something starts a new
//! revision with a fresh UUID. The initial revision is stored as the empty string
//! ([`INITIAL_REVISION`]) and hidden in every answer.

use serde_json::{json, Map, Value};
use switchback_store::state_machines::{
    self as machines, StateMachineRecord, StateMachineStatus, StateMachineType,
};
use switchback_store::versions::{self, VersionRecord};
use switchback_store::{executions, tags as store_tags, Db, StoreError, Tx};

use crate::actions::tags::read_tags;
use crate::actions::versions::{find_for_revision, new_version, version_limit_check};
use crate::arn::{self, Qualifier};
use crate::definition;
use crate::error::ApiError;
use crate::input::{shapes, Input};
use crate::names;
use crate::paging::{self, PageRequest};
use crate::settings;
use crate::state::AppState;
use crate::time::{epoch_seconds, now_micros};

/// The stored revision id of a machine that was never updated: AWS shows none.
pub const INITIAL_REVISION: &str = "";

/// The `revisionId` to show for a stored revision, if any.
pub fn shown_revision(revision_id: &str) -> Option<&str> {
    (revision_id != INITIAL_REVISION).then_some(revision_id)
}

/// The machine types AWS accepts.
const TYPES: &[&str] = &["STANDARD", "EXPRESS"];

/// Refuses a role ARN that is not an ARN at all (AWS checks the prefix).
fn check_role_arn(role_arn: &str) -> Result<(), ApiError> {
    if role_arn.starts_with("arn:") && role_arn.splitn(6, ':').count() == 6 {
        Ok(())
    } else {
        Err(ApiError::invalid_arn(format!(
            "Invalid ARN prefix: {role_arn}"
        )))
    }
}

/// Loads the machine an unqualified ARN names, refusing a missing or DELETING one.
pub(crate) fn active_machine(
    conn: &Db<'_>,
    machine_arn: &str,
    shown_arn: &str,
) -> Result<Result<StateMachineRecord, ApiError>, StoreError> {
    Ok(match machines::get(conn, machine_arn)? {
        None => Err(ApiError::state_machine_does_not_exist(shown_arn)),
        Some(m) if m.status == StateMachineStatus::Deleting => {
            Err(ApiError::state_machine_deleting(shown_arn))
        }
        Some(m) => Ok(m),
    })
}

/// Parses an ARN that must name an unqualified state machine.
pub(crate) fn unqualified(arn_text: &str) -> Result<arn::StateMachineArn, ApiError> {
    let parsed = arn::parse_state_machine(arn_text)?;
    if parsed.qualifier != Qualifier::None {
        return Err(ApiError::invalid_arn(format!(
            "Qualified state machine ARNs are not valid in this context: {arn_text}"
        )));
    }
    Ok(parsed)
}

/// `CreateStateMachine`.
pub async fn create(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let name = input.req_str("name", shapes::NAME)?;
    let definition = input.req_str("definition", shapes::DEFINITION)?;
    let role_arn = input.req_str("roleArn", shapes::ARN)?;
    let machine_type = input
        .opt_enum("type", TYPES)?
        .unwrap_or_else(|| "STANDARD".to_string());
    let logging = settings::logging(&mut input)?;
    let tags = read_tags(&mut input, "tags")?;
    let tracing = settings::tracing(&mut input)?;
    let publish = input.opt_bool("publish")?.unwrap_or(false);
    let version_description = input.opt_str("versionDescription", shapes::DESCRIPTION)?;
    let encryption = settings::encryption(&mut input)?;
    input.finish()?;

    names::check_name(&name)?;
    check_role_arn(&role_arn)?;
    if version_description.is_some() && !publish {
        return Err(ApiError::validation_message(
            "Version description can only be set when publish is true",
        ));
    }
    if let Some(tags) = &tags {
        if tags.len() > state.config.max_tags_per_resource {
            return Err(ApiError::too_many_tags(
                &state.config.identity.state_machine_arn(&name).to_string(),
                state.config.max_tags_per_resource,
            ));
        }
    }
    definition::require_valid(&definition, &machine_type)?;

    let machine_type = machine_type
        .parse::<StateMachineType>()
        .map_err(|_| ApiError::internal("unknown machine type after validation"))?;
    let arn = state.config.identity.state_machine_arn(&name).to_string();
    let now = now_micros();
    let record = StateMachineRecord {
        arn: arn.clone(),
        name,
        machine_type,
        definition,
        role_arn,
        description: None,
        status: StateMachineStatus::Active,
        revision_id: INITIAL_REVISION.to_string(),
        created: now,
        updated: None,
        logging: Some(logging.unwrap_or_else(settings::default_logging)),
        tracing: Some(tracing.unwrap_or_else(settings::default_tracing)),
        encryption,
        next_version: 1,
    };
    let outcome = state
        .store
        .write(move |tx| {
            if let Some(existing) = machines::get(tx, &record.arn)? {
                return idempotent_create(tx, existing, &record, publish, version_description);
            }
            machines::insert(tx, &record)?;
            if let Some(tags) = &tags {
                store_tags::put(tx, &record.arn, tags)?;
            }
            let version = if publish {
                let version = new_version(tx, &record, version_description, now)?;
                Some(version.arn)
            } else {
                None
            };
            Ok(Ok((record.created, version)))
        })
        .await??;
    let (created, version_arn) = outcome;
    tracing::info!(arn = %arn, "state machine created");
    let mut out = json!({
        "stateMachineArn": arn,
        "creationDate": epoch_seconds(created),
    });
    if let Some(v) = version_arn {
        out["stateMachineVersionArn"] = Value::String(v);
    }
    Ok(out)
}

/// A create for a name that exists: the same request again answers as the first did; any
/// difference in what AWS compares (definition text, type, logging, tracing, encryption,
/// publish and its description; not the role nor the tags) is `StateMachineAlreadyExists`.
fn idempotent_create(
    tx: &Tx<'_>,
    existing: StateMachineRecord,
    asked: &StateMachineRecord,
    publish: bool,
    version_description: Option<String>,
) -> Result<Result<(i64, Option<String>), ApiError>, StoreError> {
    if existing.status == StateMachineStatus::Deleting {
        return Ok(Err(ApiError::state_machine_deleting(&existing.arn)));
    }
    let same = existing.definition == asked.definition
        && existing.machine_type == asked.machine_type
        && existing.logging == asked.logging
        && existing.tracing == asked.tracing
        && existing.encryption == asked.encryption;
    if !same {
        return Ok(Err(ApiError::state_machine_already_exists(&existing.arn)));
    }
    let published = find_for_revision(tx, &existing.arn, &existing.revision_id)?;
    match (publish, published) {
        (false, None) => Ok(Ok((existing.created, None))),
        (true, Some(v)) if v.description == version_description => {
            Ok(Ok((existing.created, Some(v.arn))))
        }
        _ => Ok(Err(ApiError::state_machine_already_exists(&existing.arn))),
    }
}

/// The description of a machine (or of one of its versions, when `version` is given).
fn describe_json(machine: &StateMachineRecord, version: Option<&VersionRecord>) -> Value {
    let mut out = Map::new();
    let (arn, definition, role, revision, created, logging, tracing, encryption) = match version {
        Some(v) => (
            &v.arn,
            &v.definition,
            &v.role_arn,
            &v.revision_id,
            v.created,
            &v.logging,
            &v.tracing,
            &v.encryption,
        ),
        None => (
            &machine.arn,
            &machine.definition,
            &machine.role_arn,
            &machine.revision_id,
            machine.created,
            &machine.logging,
            &machine.tracing,
            &machine.encryption,
        ),
    };
    out.insert("stateMachineArn".into(), json!(arn));
    out.insert("name".into(), json!(machine.name));
    out.insert("status".into(), json!(machine.status.as_str()));
    out.insert("definition".into(), json!(definition));
    out.insert("roleArn".into(), json!(role));
    out.insert("type".into(), json!(machine.machine_type.as_str()));
    out.insert("creationDate".into(), epoch_seconds(created));
    out.insert(
        "loggingConfiguration".into(),
        logging.clone().unwrap_or_else(settings::default_logging),
    );
    out.insert(
        "tracingConfiguration".into(),
        tracing.clone().unwrap_or_else(settings::default_tracing),
    );
    if let Some(r) = shown_revision(revision) {
        out.insert("revisionId".into(), json!(r));
    }
    if let Some(d) = version.and_then(|v| v.description.as_ref()) {
        out.insert("description".into(), json!(d));
    }
    if let Some(e) = encryption {
        out.insert("encryptionConfiguration".into(), e.clone());
    }
    Value::Object(out)
}

/// `DescribeStateMachine`: a machine, one of its versions, or a Distributed Map state of it.
pub async fn describe(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineArn", shapes::ARN)?;
    input.opt_enum("includedData", &["ALL_DATA", "METADATA_ONLY"])?;
    input.finish()?;
    let parsed = arn::parse_state_machine(&arn_text)?;
    let machine_arn = parsed.machine_arn().clone();
    let qualifier = parsed.qualifier.clone();
    let shown = arn_text.clone();
    let found = state
        .store
        .read(move |conn| {
            let Some(machine) = machines::get(conn, &machine_arn)? else {
                return Ok(None);
            };
            match qualifier {
                Qualifier::Version(n) => {
                    let v = versions::get(conn, &arn::version_arn(&machine_arn, n))?;
                    Ok(v.map(|v| describe_json(&machine, Some(&v))))
                }
                Qualifier::None => Ok(Some(describe_json(&machine, None))),
                Qualifier::Label(label) => {
                    let mut out = describe_json(&machine, None);
                    out["stateMachineArn"] = Value::String(shown);
                    out["label"] = Value::String(label);
                    Ok(Some(out))
                }
                // An alias is not a state machine: describe it with DescribeStateMachineAlias.
                Qualifier::Alias(_) => Ok(None),
            }
        })
        .await?;
    found.ok_or_else(|| ApiError::state_machine_does_not_exist(&arn_text))
}

/// `UpdateStateMachine`.
pub async fn update(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineArn", shapes::ARN)?;
    let definition = input.opt_str("definition", shapes::DEFINITION)?;
    let role_arn = input.opt_str("roleArn", shapes::ARN)?;
    let logging = settings::logging(&mut input)?;
    let tracing = settings::tracing(&mut input)?;
    let publish = input.opt_bool("publish")?.unwrap_or(false);
    let version_description = input.opt_str("versionDescription", shapes::DESCRIPTION)?;
    let encryption = settings::encryption(&mut input)?;
    input.finish()?;

    let parsed = unqualified(&arn_text)?;
    if definition.is_none()
        && role_arn.is_none()
        && logging.is_none()
        && tracing.is_none()
        && encryption.is_none()
    {
        return Err(ApiError::missing_required_parameter(
            "Either the definition, the role ARN, the LoggingConfiguration, or the \
             TracingConfiguration must be specified",
        ));
    }
    if version_description.is_some() && !publish {
        return Err(ApiError::validation_message(
            "Version description can only be set when publish is true",
        ));
    }
    if let Some(role) = &role_arn {
        check_role_arn(role)?;
    }

    // The definition is checked against the machine's type, which only the store knows.
    let machine_arn = parsed.machine_arn();
    let current = state
        .store
        .read({
            let machine_arn = machine_arn.clone();
            let shown = arn_text.clone();
            move |conn| active_machine(conn, &machine_arn, &shown)
        })
        .await??;
    if let Some(d) = &definition {
        definition::require_valid(d, current.machine_type.as_str())?;
    }

    let now = now_micros();
    let shown = arn_text.clone();
    let (revision, version_arn) = state
        .store
        .write(move |tx| {
            let mut machine = match active_machine(tx, &machine_arn, &shown)? {
                Ok(m) => m,
                Err(e) => return Ok(Err(e)),
            };
            let mut changed = false;
            if let Some(d) = definition {
                changed |= machine.definition != d;
                machine.definition = d;
            }
            if let Some(r) = role_arn {
                changed |= machine.role_arn != r;
                machine.role_arn = r;
            }
            if let Some(l) = logging {
                changed |= machine.logging.as_ref() != Some(&l);
                machine.logging = Some(l);
            }
            if let Some(t) = tracing {
                changed |= machine.tracing.as_ref() != Some(&t);
                machine.tracing = Some(t);
            }
            if let Some(e) = encryption {
                changed |= machine.encryption.as_ref() != Some(&e);
                machine.encryption = Some(e);
            }
            if changed {
                machine.revision_id = crate::ids::uuid_v4();
            }
            machine.updated = Some(now);
            machines::update(tx, &machine)?;
            let version_arn = if publish {
                match find_for_revision(tx, &machine.arn, &machine.revision_id)? {
                    Some(v) => Some(v.arn),
                    None => {
                        if let Err(e) = version_limit_check(tx, &machine.arn)? {
                            return Ok(Err(e));
                        }
                        Some(new_version(tx, &machine, version_description, now)?.arn)
                    }
                }
            } else {
                None
            };
            Ok(Ok((machine.revision_id, version_arn)))
        })
        .await??;
    tracing::info!(arn = %arn_text, "state machine updated");
    let mut out = json!({ "updateDate": epoch_seconds(now) });
    if let Some(r) = shown_revision(&revision) {
        out["revisionId"] = json!(r);
    }
    if let Some(v) = version_arn {
        out["stateMachineVersionArn"] = json!(v);
    }
    Ok(out)
}

/// `DeleteStateMachine`. AWS marks the machine DELETING and removes it once its executions
/// have ended; with none running it is removed at once (with its versions, aliases and tags).
/// Deleting a machine that does not exist succeeds, as on AWS.
pub async fn delete(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineArn", shapes::ARN)?;
    input.finish()?;
    let parsed = arn::parse_state_machine(&arn_text)?;
    if parsed.qualifier != Qualifier::None {
        return Err(ApiError::validation_message(format!(
            "DeleteStateMachine takes an unqualified state machine ARN; delete versions with \
             DeleteStateMachineVersion and aliases with DeleteStateMachineAlias. Received: \
             {arn_text}"
        )));
    }
    let machine_arn = parsed.machine_arn();
    let outcome = state
        .store
        .write(move |tx| finish_or_mark_deleting(tx, &machine_arn))
        .await?;
    tracing::info!(arn = %arn_text, ?outcome, "state machine delete");
    Ok(json!({}))
}

/// What a delete did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// There was no such machine.
    Absent,
    /// Executions still run: the machine is DELETING.
    MarkedDeleting,
    /// The machine and its versions, aliases and tags are gone.
    Removed,
}

/// Removes a machine if none of its executions runs, else marks it DELETING. The runtime calls
/// this again when the last execution of a DELETING machine ends, to finish the deletion.
pub fn finish_or_mark_deleting(
    tx: &Tx<'_>,
    machine_arn: &str,
) -> Result<DeleteOutcome, StoreError> {
    if machines::get(tx, machine_arn)?.is_none() {
        return Ok(DeleteOutcome::Absent);
    }
    if executions::has_running(tx, machine_arn)? {
        machines::set_status(tx, machine_arn, StateMachineStatus::Deleting)?;
        Ok(DeleteOutcome::MarkedDeleting)
    } else {
        machines::delete_with_dependents(tx, machine_arn)?;
        Ok(DeleteOutcome::Removed)
    }
}

/// `ListStateMachines`: by name (AWS's order), paged.
pub async fn list(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let (limit, token) = paging::read(&mut input)?;
    input.finish()?;
    const SCOPE: &str = "ListStateMachines";
    let page = PageRequest::decode(limit, token.as_deref(), SCOPE)?;
    // One more than asked: `paging::finish` tells from it whether there is a next page.
    let fetch = page.limit.saturating_add(1);
    let rows = state
        .store
        .read(move |conn| machines::list_by_arn(conn, page.after.as_deref(), fetch))
        .await?;
    let (rows, next) = paging::finish(rows, limit, SCOPE, |m| m.arn.clone());
    let items: Vec<Value> = rows
        .into_iter()
        .map(|m| {
            json!({
                "stateMachineArn": m.arn,
                "name": m.name,
                "type": m.machine_type.as_str(),
                "creationDate": epoch_seconds(m.created),
            })
        })
        .collect();
    let mut out = json!({ "stateMachines": items });
    if let Some(t) = next {
        out["nextToken"] = json!(t);
    }
    Ok(out)
}
