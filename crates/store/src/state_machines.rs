//! The `state_machines` table: one row per state machine, its current definition and settings.

use serde_json::Value;

use crate::columns::{json_text, json_value, limit, one_row, text_enum};
use crate::db::{Db, Tx};
use crate::sql::Row;
use crate::{aliases, tags, versions, StoreError};

/// A state machine's type, fixed at creation: the vocabulary's, stored as its AWS spelling.
pub use switchback_types::StateMachineType;

/// Reads a stored machine type; an unknown spelling means a corrupt row.
pub(crate) fn machine_type_column(text: &str) -> Result<StateMachineType, StoreError> {
    text.parse()
        .map_err(|e: switchback_types::UnknownWord| StoreError::Corrupt(e.to_string()))
}

text_enum! {
    /// A state machine's lifecycle status.
    StateMachineStatus {
        /// Usable.
        Active = "ACTIVE",
        /// `DeleteStateMachine` was called; running executions may still finish.
        Deleting = "DELETING",
    }
}

/// A row of `state_machines`.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineRecord {
    /// The machine's unqualified ARN, the key.
    pub arn: String,
    /// The machine's name, the last part of its ARN.
    pub name: String,
    /// STANDARD or EXPRESS, fixed at creation.
    pub machine_type: StateMachineType,
    /// The current definition (ASL), as text.
    pub definition: String,
    /// The IAM role executions run with.
    pub role_arn: String,
    /// The machine's description, if any.
    pub description: Option<String>,
    /// Active, or being deleted.
    pub status: StateMachineStatus,
    /// Changes with every update; versions record the revision they were published from.
    pub revision_id: String,
    /// Microseconds since the Unix epoch.
    pub created: i64,
    /// When it was last updated, in microseconds since the Unix epoch; `None` if never.
    pub updated: Option<i64>,
    /// `loggingConfiguration` as sent.
    pub logging: Option<Value>,
    /// `tracingConfiguration` as sent.
    pub tracing: Option<Value>,
    /// `encryptionConfiguration` as sent.
    pub encryption: Option<Value>,
    /// The number the next published version gets; numbers are never reused.
    pub next_version: i64,
}

/// What `ListStateMachines` shows: no definition, which may be up to 1 MiB.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineSummary {
    /// The machine's unqualified ARN.
    pub arn: String,
    /// The machine's name.
    pub name: String,
    /// STANDARD or EXPRESS.
    pub machine_type: StateMachineType,
    /// Active, or being deleted.
    pub status: StateMachineStatus,
    /// When it was created, in microseconds since the Unix epoch.
    pub created: i64,
}

const COLUMNS: &str = "arn, name, type, definition, role_arn, description, status, revision_id, \
                       created, updated, logging, tracing, encryption, next_version";

fn record(row: &Row<'_>) -> Result<StateMachineRecord, StoreError> {
    Ok(StateMachineRecord {
        arn: row.get(0)?,
        name: row.get(1)?,
        machine_type: machine_type_column(&row.get::<String>(2)?)?,
        definition: row.get(3)?,
        role_arn: row.get(4)?,
        description: row.get(5)?,
        status: StateMachineStatus::from_column(&row.get::<String>(6)?)?,
        revision_id: row.get(7)?,
        created: row.get(8)?,
        updated: row.get(9)?,
        logging: json_value("logging", row.get(10)?)?,
        tracing: json_value("tracing", row.get(11)?)?,
        encryption: json_value("encryption", row.get(12)?)?,
        next_version: row.get(13)?,
    })
}

/// Inserts a new state machine; [`StoreError::Conflict`] if its ARN exists.
pub fn insert(conn: &Tx<'_>, machine: &StateMachineRecord) -> Result<(), StoreError> {
    conn.run(
        &format!(
            "INSERT INTO state_machines ({COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        ),
        &[
            &machine.arn,
            &machine.name,
            &machine.machine_type.as_str(),
            &machine.definition,
            &machine.role_arn,
            &machine.description,
            &machine.status.as_str(),
            &machine.revision_id,
            &machine.created,
            &machine.updated,
            &json_text(machine.logging.as_ref()),
            &json_text(machine.tracing.as_ref()),
            &json_text(machine.encryption.as_ref()),
            &machine.next_version,
        ],
    )
    .map_err(|e| e.or_conflict(|| format!("state machine {} already exists", machine.arn)))?;
    Ok(())
}

/// The state machine with this ARN, if any.
pub fn get(conn: &Db<'_>, arn: &str) -> Result<Option<StateMachineRecord>, StoreError> {
    conn.opt(
        &format!("SELECT {COLUMNS} FROM state_machines WHERE arn = ?1"),
        &[&arn],
        record,
    )
}

/// What starting an execution needs of a machine: no configuration members, which would be
/// parsed from JSON on every start for nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineToStart {
    /// The machine's unqualified ARN.
    pub arn: String,
    /// The machine's name.
    pub name: String,
    /// STANDARD or EXPRESS.
    pub machine_type: StateMachineType,
    /// The current definition (ASL), as text.
    pub definition: String,
    /// The IAM role executions run with.
    pub role_arn: String,
    /// Active, or being deleted.
    pub status: StateMachineStatus,
    /// The machine's current revision.
    pub revision_id: String,
}

/// The machine `arn` as [`MachineToStart`]: the read of every `StartExecution`.
pub fn get_to_start(conn: &Db<'_>, arn: &str) -> Result<Option<MachineToStart>, StoreError> {
    conn.opt(
        "SELECT arn, name, type, definition, role_arn, status, revision_id \
         FROM state_machines WHERE arn = ?1",
        &[&arn],
        |row| {
            Ok(MachineToStart {
                arn: row.get(0)?,
                name: row.get(1)?,
                machine_type: machine_type_column(&row.get::<String>(2)?)?,
                definition: row.get(3)?,
                role_arn: row.get(4)?,
                status: StateMachineStatus::from_column(&row.get::<String>(5)?)?,
                revision_id: row.get(6)?,
            })
        },
    )
}

/// Stores every field of `machine` except `arn` (the key), `created` and `next_version`
/// (owned by [`take_next_version`]); [`StoreError::NotFound`] if there is no such machine.
pub fn update(conn: &Tx<'_>, machine: &StateMachineRecord) -> Result<(), StoreError> {
    let changed = conn.run(
        "UPDATE state_machines SET name = ?2, type = ?3, definition = ?4, role_arn = ?5, \
         description = ?6, status = ?7, revision_id = ?8, updated = ?9, logging = ?10, \
         tracing = ?11, encryption = ?12 WHERE arn = ?1",
        &[
            &machine.arn,
            &machine.name,
            &machine.machine_type.as_str(),
            &machine.definition,
            &machine.role_arn,
            &machine.description,
            &machine.status.as_str(),
            &machine.revision_id,
            &machine.updated,
            &json_text(machine.logging.as_ref()),
            &json_text(machine.tracing.as_ref()),
            &json_text(machine.encryption.as_ref()),
        ],
    )?;
    one_row(changed)
}

/// Sets the status only; [`StoreError::NotFound`] if there is no such machine.
pub fn set_status(conn: &Tx<'_>, arn: &str, status: StateMachineStatus) -> Result<(), StoreError> {
    let changed = conn.run(
        "UPDATE state_machines SET status = ?2 WHERE arn = ?1",
        &[&arn, &status.as_str()],
    )?;
    one_row(changed)
}

/// Allocates the next version number of a machine (1, 2, ...; never reused, even after a
/// version is deleted, as on AWS); [`StoreError::NotFound`] if there is no such machine.
pub fn take_next_version(conn: &Tx<'_>, arn: &str) -> Result<i64, StoreError> {
    conn.one(
        "UPDATE state_machines SET next_version = next_version + 1 WHERE arn = ?1 \
         RETURNING next_version - 1",
        &[&arn],
        |row| row.get(0),
    )
}

/// Deletes the machine's row only; false if there was none.
pub fn delete(conn: &Tx<'_>, arn: &str) -> Result<bool, StoreError> {
    let changed = conn.run("DELETE FROM state_machines WHERE arn = ?1", &[&arn])?;
    Ok(changed > 0)
}

/// Deletes the machine with its versions, its aliases, and the tags of all of them; false if
/// there was no such machine (its dependents are deleted anyway). Executions are kept: AWS
/// still describes them after the machine is gone.
pub fn delete_with_dependents(conn: &Tx<'_>, arn: &str) -> Result<bool, StoreError> {
    tags::delete_for_machine_family(conn, arn)?;
    aliases::delete_for_machine(conn, arn)?;
    versions::delete_for_machine(conn, arn)?;
    tags::delete_all(conn, arn)?;
    delete(conn, arn)
}

/// Up to `limit` machines in creation order, starting after the machine `after` (the last
/// ARN of the previous page). [`StoreError::NotFound`] if `after` names no machine (it was
/// deleted between pages, or the token is forged): the caller reports an invalid token.
pub fn list(
    conn: &Db<'_>,
    after: Option<&str>,
    limit_to: usize,
) -> Result<Vec<StateMachineSummary>, StoreError> {
    let (created, arn) = match after {
        None => (i64::MIN, String::new()),
        Some(arn) => {
            let created: i64 = conn.one(
                "SELECT created FROM state_machines WHERE arn = ?1",
                &[&arn],
                |row| row.get(0),
            )?;
            (created, arn.to_owned())
        }
    };
    conn.all(
        "SELECT arn, name, type, status, created FROM state_machines \
         WHERE (created, arn) > (?1, ?2) ORDER BY created, arn LIMIT ?3",
        &[&created, &arn, &limit(limit_to)],
        summary,
    )
}

/// Up to `limit` machines in ARN order, starting after the ARN `after` (exclusive; it need not
/// exist). This is `ListStateMachines`' order: within an account and region, by name.
pub fn list_by_arn(
    conn: &Db<'_>,
    after: Option<&str>,
    limit_to: usize,
) -> Result<Vec<StateMachineSummary>, StoreError> {
    conn.all(
        "SELECT arn, name, type, status, created FROM state_machines \
         WHERE arn > ?1 ORDER BY arn LIMIT ?2",
        &[&after.unwrap_or_default(), &limit(limit_to)],
        summary,
    )
}

/// A [`StateMachineSummary`] from the columns `arn, name, type, status, created`.
fn summary(row: &Row<'_>) -> Result<StateMachineSummary, StoreError> {
    Ok(StateMachineSummary {
        arn: row.get(0)?,
        name: row.get(1)?,
        machine_type: machine_type_column(&row.get::<String>(2)?)?,
        status: StateMachineStatus::from_column(&row.get::<String>(3)?)?,
        created: row.get(4)?,
    })
}
