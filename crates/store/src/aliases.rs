//! The `state_machine_aliases` table: named pointers that route executions to one or two
//! versions by weight.

use serde::{Deserialize, Serialize};

use crate::columns::{count, limit, one_row};
use crate::db::{Db, Tx};
use crate::sql::Row;
use crate::StoreError;

/// One route of an alias. Serialized as AWS spells it (`stateMachineVersionArn`, `weight`),
/// which is also how the `routing` column stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingEntry {
    /// The version that receives this share of the executions.
    #[serde(rename = "stateMachineVersionArn")]
    pub version_arn: String,
    /// Percentage of executions, 0-100.
    pub weight: u32,
}

/// A row of `state_machine_aliases`.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRecord {
    /// The machine's ARN with `:<name>` appended.
    pub arn: String,
    /// The ARN of the state machine the alias belongs to.
    pub state_machine_arn: String,
    /// The alias's name, the last part of its ARN.
    pub name: String,
    /// The description given at creation or the last update, if any.
    pub description: Option<String>,
    /// The versions the alias routes to (one or two), with their weights.
    pub routing: Vec<RoutingEntry>,
    /// Microseconds since the Unix epoch.
    pub created: i64,
    /// When the alias was last updated, in microseconds since the Unix epoch; `None` if never.
    pub updated: Option<i64>,
}

const COLUMNS: &str = "arn, state_machine_arn, name, description, routing, created, updated";

fn record(row: &Row<'_>) -> Result<AliasRecord, StoreError> {
    let routing: String = row.get(4)?;
    Ok(AliasRecord {
        arn: row.get(0)?,
        state_machine_arn: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        routing: serde_json::from_str(&routing).map_err(|error| {
            StoreError::Corrupt(format!("column routing is not a routing list: {error}"))
        })?,
        created: row.get(5)?,
        updated: row.get(6)?,
    })
}

fn routing_text(routing: &[RoutingEntry]) -> Result<String, StoreError> {
    serde_json::to_string(routing)
        .map_err(|error| StoreError::Corrupt(format!("routing cannot be serialized: {error}")))
}

/// Inserts an alias; [`StoreError::Conflict`] if its ARN exists.
pub fn insert(conn: &Tx<'_>, alias: &AliasRecord) -> Result<(), StoreError> {
    let routing = routing_text(&alias.routing)?;
    conn.run(
        &format!(
            "INSERT INTO state_machine_aliases ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        ),
        &[
            &alias.arn,
            &alias.state_machine_arn,
            &alias.name,
            &alias.description,
            &routing,
            &alias.created,
            &alias.updated,
        ],
    )
    .map_err(|e| e.or_conflict(|| format!("alias {} already exists", alias.arn)))?;
    Ok(())
}

/// The alias with this ARN, if any.
pub fn get(conn: &Db<'_>, arn: &str) -> Result<Option<AliasRecord>, StoreError> {
    conn.opt(
        &format!("SELECT {COLUMNS} FROM state_machine_aliases WHERE arn = ?1"),
        &[&arn],
        record,
    )
}

/// Stores the alias's description, routing and update time (the rest is fixed at creation);
/// [`StoreError::NotFound`] if there is no such alias.
pub fn update(conn: &Tx<'_>, alias: &AliasRecord) -> Result<(), StoreError> {
    let routing = routing_text(&alias.routing)?;
    let changed = conn.run(
        "UPDATE state_machine_aliases SET description = ?2, routing = ?3, updated = ?4 \
         WHERE arn = ?1",
        &[&alias.arn, &alias.description, &routing, &alias.updated],
    )?;
    one_row(changed)
}

/// Deletes one alias; false if there was none.
pub fn delete(conn: &Tx<'_>, arn: &str) -> Result<bool, StoreError> {
    let changed = conn.run("DELETE FROM state_machine_aliases WHERE arn = ?1", &[&arn])?;
    Ok(changed > 0)
}

/// Deletes every alias of a machine; returns how many.
pub fn delete_for_machine(conn: &Tx<'_>, state_machine_arn: &str) -> Result<usize, StoreError> {
    conn.run(
        "DELETE FROM state_machine_aliases WHERE state_machine_arn = ?1",
        &[&state_machine_arn],
    )
}

/// How many aliases a machine has (AWS allows 100).
pub fn count_for_machine(conn: &Db<'_>, state_machine_arn: &str) -> Result<usize, StoreError> {
    let n: i64 = conn.one(
        "SELECT count(*) FROM state_machine_aliases WHERE state_machine_arn = ?1",
        &[&state_machine_arn],
        |row| row.get(0),
    )?;
    Ok(count(n))
}

/// Up to `limit` aliases of a machine in creation order, starting after the alias `after`
/// (the last ARN of the previous page). [`StoreError::NotFound`] if `after` names no alias of
/// this machine.
pub fn list(
    conn: &Db<'_>,
    state_machine_arn: &str,
    after: Option<&str>,
    limit_to: usize,
) -> Result<Vec<AliasRecord>, StoreError> {
    let (created, arn) = match after {
        None => (i64::MIN, String::new()),
        Some(arn) => {
            let created: i64 = conn.one(
                "SELECT created FROM state_machine_aliases \
                 WHERE arn = ?1 AND state_machine_arn = ?2",
                &[&arn, &state_machine_arn],
                |row| row.get(0),
            )?;
            (created, arn.to_owned())
        }
    };
    conn.all(
        &format!(
            "SELECT {COLUMNS} FROM state_machine_aliases \
             WHERE state_machine_arn = ?1 AND (created, arn) > (?2, ?3) \
             ORDER BY created, arn LIMIT ?4"
        ),
        &[&state_machine_arn, &created, &arn, &limit(limit_to)],
        record,
    )
}

/// The ARNs of the aliases whose routing names this version: AWS refuses to delete a version
/// while an alias routes to it.
pub fn referencing_version(conn: &Db<'_>, version_arn: &str) -> Result<Vec<String>, StoreError> {
    conn.all(
        "SELECT DISTINCT a.arn FROM state_machine_aliases AS a, json_each(a.routing) AS r \
         WHERE json_extract(r.value, '$.stateMachineVersionArn') = ?1 ORDER BY a.arn",
        &[&version_arn],
        |row| row.get(0),
    )
}
