//! PublishStateMachineVersion, ListStateMachineVersions and DeleteStateMachineVersion, and the
//! publishing shared with CreateStateMachine and UpdateStateMachine (`publish: true`).
//!
//! A version is an immutable snapshot of one revision of a machine. Publishing a revision that
//! already has a version returns that version (AWS's idempotent publish); version numbers are
//! never reused, even after a version is deleted.

use serde_json::{json, Value};
use switchback_store::state_machines::{self as machines, StateMachineRecord};
use switchback_store::versions::{self, VersionRecord};
use switchback_store::{aliases, Db, StoreError, Tx};

use crate::actions::state_machines::{active_machine, shown_revision, unqualified};
use crate::arn::{self, Qualifier};
use crate::error::ApiError;
use crate::input::{shapes, Input};
use crate::paging::{self, PageRequest};
use crate::state::AppState;
use crate::time::{epoch_seconds, now_micros};

/// AWS's limit of versions per state machine.
pub const MAX_VERSIONS: usize = 1000;

/// The machine's version for its revision `revision_id`, if one was published: only the latest
/// version can be (later revisions always get new ids).
pub(crate) fn find_for_revision(
    conn: &Db<'_>,
    machine_arn: &str,
    revision_id: &str,
) -> Result<Option<VersionRecord>, StoreError> {
    Ok(versions::latest(conn, machine_arn)?.filter(|v| v.revision_id == revision_id))
}

/// Refuses a new version past AWS's quota.
pub(crate) fn version_limit_check(
    conn: &Db<'_>,
    machine_arn: &str,
) -> Result<Result<(), ApiError>, StoreError> {
    if versions::count_for_machine(conn, machine_arn)? >= MAX_VERSIONS {
        return Ok(Err(ApiError::service(
            "ServiceQuotaExceededException",
            format!(
                "The state machine {machine_arn} already has {MAX_VERSIONS} versions: delete some \
                 before publishing another"
            ),
        )));
    }
    Ok(Ok(()))
}

/// Publishes the machine's current revision as a new version.
pub(crate) fn new_version(
    tx: &Tx<'_>,
    machine: &StateMachineRecord,
    description: Option<String>,
    now: i64,
) -> Result<VersionRecord, StoreError> {
    let number = machines::take_next_version(tx, &machine.arn)?;
    let version = VersionRecord {
        arn: arn::version_arn(&machine.arn, u64::try_from(number).unwrap_or(0)),
        state_machine_arn: machine.arn.clone(),
        version: number,
        definition: machine.definition.clone(),
        role_arn: machine.role_arn.clone(),
        machine_type: machine.machine_type,
        description,
        revision_id: machine.revision_id.clone(),
        created: now,
        logging: machine.logging.clone(),
        tracing: machine.tracing.clone(),
        encryption: machine.encryption.clone(),
    };
    versions::insert(tx, &version)?;
    tracing::info!(arn = %version.arn, "state machine version published");
    Ok(version)
}

/// `PublishStateMachineVersion`.
pub async fn publish(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineArn", shapes::ARN)?;
    let revision = input.opt_str("revisionId", shapes::REVISION_ID)?;
    let description = input.opt_str("description", shapes::DESCRIPTION)?;
    input.finish()?;
    let machine_arn = unqualified(&arn_text)?.machine_arn();
    let now = now_micros();
    let version = state
        .store
        .write(move |tx| {
            let machine = match active_machine(tx, &machine_arn, &arn_text)? {
                Ok(m) => m,
                Err(e) => return Ok(Err(e)),
            };
            if let Some(asked) = &revision {
                if *asked != machine.revision_id {
                    return Ok(Err(ApiError::conflict(format!(
                        "Failed to publish the State Machine version for revision {asked}. \
                         The current State Machine revision is {}.",
                        shown_revision(&machine.revision_id).unwrap_or("INITIAL")
                    ))));
                }
            }
            if let Some(existing) = find_for_revision(tx, &machine.arn, &machine.revision_id)? {
                return Ok(Ok(existing));
            }
            if let Err(e) = version_limit_check(tx, &machine.arn)? {
                return Ok(Err(e));
            }
            Ok(Ok(new_version(tx, &machine, description, now)?))
        })
        .await??;
    Ok(json!({
        "stateMachineVersionArn": version.arn,
        "creationDate": epoch_seconds(version.created),
    }))
}

/// `ListStateMachineVersions`: newest first, paged. A machine that does not exist has no
/// versions (AWS's model gives this action no "does not exist" error).
pub async fn list(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineArn", shapes::ARN)?;
    let (limit, token) = paging::read(&mut input)?;
    input.finish()?;
    let machine_arn = unqualified(&arn_text)?.machine_arn();
    let scope = format!("ListStateMachineVersions:{machine_arn}");
    let page = PageRequest::decode(limit, token.as_deref(), &scope)?;
    let shown_token = token.clone().unwrap_or_default();
    let rows = state
        .store
        .read(move |conn| {
            match versions::list(
                conn,
                &machine_arn,
                page.after.as_deref(),
                page.limit.saturating_add(1),
            ) {
                Ok(rows) => Ok(Ok(rows)),
                // The version the token points after is gone.
                Err(StoreError::NotFound) => Ok(Err(ApiError::invalid_token(&shown_token))),
                Err(e) => Err(e),
            }
        })
        .await??;
    let (rows, next) = paging::finish(rows, limit, &scope, |v| v.arn.clone());
    let items: Vec<Value> = rows
        .into_iter()
        .map(|v| {
            json!({
                "stateMachineVersionArn": v.arn,
                "creationDate": epoch_seconds(v.created),
            })
        })
        .collect();
    let mut out = json!({ "stateMachineVersions": items });
    if let Some(t) = next {
        out["nextToken"] = json!(t);
    }
    Ok(out)
}

/// `DeleteStateMachineVersion`: refused while an alias routes to the version; deleting a
/// version that does not exist succeeds, as on AWS.
pub async fn delete(state: &AppState, body: Value) -> Result<Value, ApiError> {
    let mut input = Input::new(body)?;
    let arn_text = input.req_str("stateMachineVersionArn", shapes::LONG_ARN)?;
    input.finish()?;
    let parsed = arn::parse_state_machine(&arn_text)?;
    let Qualifier::Version(number) = parsed.qualifier else {
        return Err(ApiError::invalid_arn(format!(
            "Not a state machine version ARN: {arn_text}"
        )));
    };
    let version_arn = arn::version_arn(&parsed.machine_arn(), number);
    state
        .store
        .write(move |tx| {
            let referencing = aliases::referencing_version(tx, &version_arn)?;
            if !referencing.is_empty() {
                let names: Vec<&str> = referencing
                    .iter()
                    .map(|a| a.rsplit(':').next().unwrap_or(a.as_str()))
                    .collect();
                return Ok(Err(ApiError::conflict(format!(
                    "Version to be deleted must not be referenced by an alias. Current list of \
                     aliases referencing this version: [{}]",
                    names.join(", ")
                ))));
            }
            if versions::delete(tx, &version_arn)? {
                tracing::info!(arn = %version_arn, "state machine version deleted");
            }
            Ok(Ok(()))
        })
        .await??;
    Ok(json!({}))
}
