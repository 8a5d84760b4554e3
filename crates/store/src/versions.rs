//! The `state_machine_versions` table: immutable, numbered snapshots of a state machine.

use serde_json::Value;

use crate::columns::{count, json_text, json_value, limit};
use crate::db::{Db, Tx};
use crate::sql::Row;
use crate::state_machines::StateMachineType;
use crate::StoreError;

/// A row of `state_machine_versions`.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRecord {
    /// The machine's ARN with `:<version>` appended.
    pub arn: String,
    /// The unqualified machine.
    pub state_machine_arn: String,
    /// The version's number: 1, 2, ... per machine, never reused.
    pub version: i64,
    /// The definition (ASL) as it was when published, as text.
    pub definition: String,
    /// The IAM role as it was when published.
    pub role_arn: String,
    /// The machine's type (STANDARD or EXPRESS).
    pub machine_type: StateMachineType,
    /// The version's own description (`versionDescription`).
    pub description: Option<String>,
    /// The machine's revision this version was published from.
    pub revision_id: String,
    /// Microseconds since the Unix epoch.
    pub created: i64,
    /// The machine's `loggingConfiguration` when published, as sent.
    pub logging: Option<Value>,
    /// The machine's `tracingConfiguration` when published, as sent.
    pub tracing: Option<Value>,
    /// The machine's `encryptionConfiguration` when published, as sent.
    pub encryption: Option<Value>,
}

/// What `ListStateMachineVersions` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionSummary {
    /// The version's ARN.
    pub arn: String,
    /// The version's number.
    pub version: i64,
    /// When it was published, in microseconds since the Unix epoch.
    pub created: i64,
}

const COLUMNS: &str = "arn, state_machine_arn, version, definition, role_arn, type, description, \
                       revision_id, created, logging, tracing, encryption";

fn record(row: &Row<'_>) -> Result<VersionRecord, StoreError> {
    Ok(VersionRecord {
        arn: row.get(0)?,
        state_machine_arn: row.get(1)?,
        version: row.get(2)?,
        definition: row.get(3)?,
        role_arn: row.get(4)?,
        machine_type: crate::state_machines::machine_type_column(&row.get::<String>(5)?)?,
        description: row.get(6)?,
        revision_id: row.get(7)?,
        created: row.get(8)?,
        logging: json_value("logging", row.get(9)?)?,
        tracing: json_value("tracing", row.get(10)?)?,
        encryption: json_value("encryption", row.get(11)?)?,
    })
}

/// Inserts a version; [`StoreError::Conflict`] if its ARN or (machine, number) exists.
pub fn insert(conn: &Tx<'_>, version: &VersionRecord) -> Result<(), StoreError> {
    conn.run(
        &format!(
            "INSERT INTO state_machine_versions ({COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        ),
        &[
            &version.arn,
            &version.state_machine_arn,
            &version.version,
            &version.definition,
            &version.role_arn,
            &version.machine_type.as_str(),
            &version.description,
            &version.revision_id,
            &version.created,
            &json_text(version.logging.as_ref()),
            &json_text(version.tracing.as_ref()),
            &json_text(version.encryption.as_ref()),
        ],
    )
    .map_err(|e| e.or_conflict(|| format!("version {} already exists", version.arn)))?;
    Ok(())
}

/// The version with this ARN, if any.
pub fn get(conn: &Db<'_>, arn: &str) -> Result<Option<VersionRecord>, StoreError> {
    conn.opt(
        &format!("SELECT {COLUMNS} FROM state_machine_versions WHERE arn = ?1"),
        &[&arn],
        record,
    )
}

/// The machine's highest-numbered version, if it has one. `PublishStateMachineVersion`
/// compares its revision with the machine's to return it instead of publishing a duplicate.
pub fn latest(conn: &Db<'_>, state_machine_arn: &str) -> Result<Option<VersionRecord>, StoreError> {
    conn.opt(
        &format!(
            "SELECT {COLUMNS} FROM state_machine_versions WHERE state_machine_arn = ?1 \
             ORDER BY version DESC LIMIT 1"
        ),
        &[&state_machine_arn],
        record,
    )
}

/// Up to `limit` versions of a machine, newest first, starting after the version `after`
/// (the last ARN of the previous page). [`StoreError::NotFound`] if `after` names no version
/// of this machine.
pub fn list(
    conn: &Db<'_>,
    state_machine_arn: &str,
    after: Option<&str>,
    limit_to: usize,
) -> Result<Vec<VersionSummary>, StoreError> {
    let below: i64 = match after {
        None => i64::MAX,
        Some(arn) => conn.one(
            "SELECT version FROM state_machine_versions \
             WHERE arn = ?1 AND state_machine_arn = ?2",
            &[&arn, &state_machine_arn],
            |row| row.get(0),
        )?,
    };
    conn.all(
        "SELECT arn, version, created FROM state_machine_versions \
         WHERE state_machine_arn = ?1 AND version < ?2 ORDER BY version DESC LIMIT ?3",
        &[&state_machine_arn, &below, &limit(limit_to)],
        |row| {
            Ok(VersionSummary {
                arn: row.get(0)?,
                version: row.get(1)?,
                created: row.get(2)?,
            })
        },
    )
}

/// How many versions a machine has (AWS allows 1,000).
pub fn count_for_machine(conn: &Db<'_>, state_machine_arn: &str) -> Result<usize, StoreError> {
    let n: i64 = conn.one(
        "SELECT count(*) FROM state_machine_versions WHERE state_machine_arn = ?1",
        &[&state_machine_arn],
        |row| row.get(0),
    )?;
    Ok(count(n))
}

/// Deletes one version; false if there was none. Callers check
/// [`aliases::referencing_version`](crate::aliases::referencing_version) first: AWS refuses
/// to delete a version an alias routes to.
pub fn delete(conn: &Tx<'_>, arn: &str) -> Result<bool, StoreError> {
    let changed = conn.run("DELETE FROM state_machine_versions WHERE arn = ?1", &[&arn])?;
    Ok(changed > 0)
}

/// Deletes every version of a machine; returns how many.
pub fn delete_for_machine(conn: &Tx<'_>, state_machine_arn: &str) -> Result<usize, StoreError> {
    conn.run(
        "DELETE FROM state_machine_versions WHERE state_machine_arn = ?1",
        &[&state_machine_arn],
    )
}
