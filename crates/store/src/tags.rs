//! The `tags` table: key/value tags of any resource, by ARN.

use crate::columns::count;
use crate::db::{Db, Tx};
use crate::StoreError;

/// One tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The tag's key, unique per resource.
    pub key: String,
    /// The tag's value.
    pub value: String,
}

impl Tag {
    /// A tag with this key and value.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Adds tags to a resource, replacing the value of any key it already has (`TagResource`).
pub fn put(conn: &Tx<'_>, resource_arn: &str, tags: &[Tag]) -> Result<(), StoreError> {
    for tag in tags {
        conn.run(
            "INSERT INTO tags (resource_arn, key, value) VALUES (?1, ?2, ?3) \
             ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value",
            &[&resource_arn, &tag.key, &tag.value],
        )?;
    }
    Ok(())
}

/// Removes these keys from a resource (`UntagResource`); absent keys are ignored. Returns how
/// many tags were removed.
pub fn remove<K: AsRef<str>>(
    conn: &Tx<'_>,
    resource_arn: &str,
    keys: &[K],
) -> Result<usize, StoreError> {
    let mut removed = 0;
    for key in keys {
        removed += conn.run(
            "DELETE FROM tags WHERE resource_arn = ?1 AND key = ?2",
            &[&resource_arn, &key.as_ref()],
        )?;
    }
    Ok(removed)
}

/// A resource's tags, by key.
pub fn list(conn: &Db<'_>, resource_arn: &str) -> Result<Vec<Tag>, StoreError> {
    conn.all(
        "SELECT key, value FROM tags WHERE resource_arn = ?1 ORDER BY key",
        &[&resource_arn],
        |row| {
            Ok(Tag {
                key: row.get(0)?,
                value: row.get(1)?,
            })
        },
    )
}

/// How many tags a resource has (AWS allows 50).
pub fn count_for(conn: &Db<'_>, resource_arn: &str) -> Result<usize, StoreError> {
    let n: i64 = conn.one(
        "SELECT count(*) FROM tags WHERE resource_arn = ?1",
        &[&resource_arn],
        |row| row.get(0),
    )?;
    Ok(count(n))
}

/// Removes every tag of a resource; returns how many.
pub fn delete_all(conn: &Tx<'_>, resource_arn: &str) -> Result<usize, StoreError> {
    conn.run("DELETE FROM tags WHERE resource_arn = ?1", &[&resource_arn])
}

/// Removes the tags of a machine's versions and aliases (not the machine's own); used when
/// the machine is deleted, before its versions and aliases go.
pub(crate) fn delete_for_machine_family(
    conn: &Tx<'_>,
    state_machine_arn: &str,
) -> Result<usize, StoreError> {
    conn.run(
        "DELETE FROM tags WHERE resource_arn IN ( \
           SELECT arn FROM state_machine_versions WHERE state_machine_arn = ?1 \
           UNION ALL SELECT arn FROM state_machine_aliases WHERE state_machine_arn = ?1)",
        &[&state_machine_arn],
    )
}
