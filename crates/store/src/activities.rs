//! The `activities` table: one row per activity (`CreateActivity`), the name workers poll.

use serde_json::Value;

use crate::columns::{json_text, json_value, limit};
use crate::db::{Db, Tx};
use crate::sql::Row;
use crate::{tags, StoreError};

/// A row of `activities`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRecord {
    /// The activity's ARN, the key.
    pub arn: String,
    /// The name given at `CreateActivity`, the ARN's last part.
    pub name: String,
    /// Microseconds since the Unix epoch.
    pub created: i64,
    /// `encryptionConfiguration` as sent.
    pub encryption: Option<Value>,
}

const COLUMNS: &str = "arn, name, created, encryption";

fn record(row: &Row<'_>) -> Result<ActivityRecord, StoreError> {
    Ok(ActivityRecord {
        arn: row.get(0)?,
        name: row.get(1)?,
        created: row.get(2)?,
        encryption: json_value("encryption", row.get(3)?)?,
    })
}

/// Inserts an activity unless its ARN exists; returns the stored row either way (the new one,
/// or the existing one untouched), so that a repeated `CreateActivity` answers as the first.
pub fn insert(conn: &Tx<'_>, activity: &ActivityRecord) -> Result<ActivityRecord, StoreError> {
    conn.run(
        &format!(
            "INSERT INTO activities ({COLUMNS}) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (arn) DO NOTHING"
        ),
        &[
            &activity.arn,
            &activity.name,
            &activity.created,
            &json_text(activity.encryption.as_ref()),
        ],
    )?;
    get(conn, &activity.arn)?.ok_or(StoreError::NotFound)
}

/// The activity with this ARN, if any.
pub fn get(conn: &Db<'_>, arn: &str) -> Result<Option<ActivityRecord>, StoreError> {
    conn.opt(
        &format!("SELECT {COLUMNS} FROM activities WHERE arn = ?1"),
        &[&arn],
        record,
    )
}

/// Deletes the activity and its tags; false if there was no such activity.
pub fn delete(conn: &Tx<'_>, arn: &str) -> Result<bool, StoreError> {
    tags::delete_all(conn, arn)?;
    let changed = conn.run("DELETE FROM activities WHERE arn = ?1", &[&arn])?;
    Ok(changed > 0)
}

/// Up to `limit` activities in creation order, starting after the activity `after` (the last
/// ARN of the previous page). [`StoreError::NotFound`] if `after` names no activity (it was
/// deleted between pages, or the token is forged): the caller reports an invalid token.
pub fn list(
    conn: &Db<'_>,
    after: Option<&str>,
    limit_to: usize,
) -> Result<Vec<ActivityRecord>, StoreError> {
    let (created, arn) = match after {
        None => (i64::MIN, String::new()),
        Some(arn) => {
            let created: i64 = conn.one(
                "SELECT created FROM activities WHERE arn = ?1",
                &[&arn],
                |row| row.get(0),
            )?;
            (created, arn.to_owned())
        }
    };
    conn.all(
        &format!(
            "SELECT {COLUMNS} FROM activities WHERE (created, arn) > (?1, ?2) \
             ORDER BY created, arn LIMIT ?3"
        ),
        &[&created, &arn, &limit(limit_to)],
        record,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tags::Tag;
    use crate::{Store, StoreConfig};

    const PREFIX: &str = "arn:aws:states:us-east-1:123456789012:activity:";

    fn activity(name: &str, created: i64) -> ActivityRecord {
        ActivityRecord {
            arn: format!("{PREFIX}{name}"),
            name: name.to_owned(),
            created,
            encryption: None,
        }
    }

    #[test]
    fn insert_is_idempotent_list_pages_delete_cascades() {
        let store = Store::open(StoreConfig::in_memory()).expect("open");
        store
            .write_blocking(|tx| {
                let mut first = activity("a", 10);
                first.encryption = Some(json!({"type": "AWS_OWNED_KEY"}));
                assert_eq!(insert(tx, &first)?, first);
                // Same ARN again: the first row stays as it was.
                assert_eq!(insert(tx, &activity("a", 99))?, first);
                insert(tx, &activity("c", 20))?;
                insert(tx, &activity("b", 20))?;
                tags::put(tx, &first.arn, &[Tag::new("k", "v")])?;
                Ok(())
            })
            .unwrap();
        store
            .read_blocking(|conn| {
                let names = |page: Vec<ActivityRecord>| -> Vec<String> {
                    page.into_iter().map(|a| a.name).collect()
                };
                assert_eq!(names(list(conn, None, 2)?), ["a", "b"]);
                let after = format!("{PREFIX}b");
                assert_eq!(names(list(conn, Some(&after), 2)?), ["c"]);
                assert!(matches!(
                    list(conn, Some("arn:nope"), 2),
                    Err(StoreError::NotFound)
                ));
                assert_eq!(get(conn, &format!("{PREFIX}zz"))?, None);
                Ok(())
            })
            .unwrap();
        store
            .write_blocking(|tx| {
                let arn = format!("{PREFIX}a");
                assert!(delete(tx, &arn)?);
                assert!(!delete(tx, &arn)?);
                assert_eq!(get(tx, &arn)?, None);
                assert!(tags::list(tx, &arn)?.is_empty());
                Ok(())
            })
            .unwrap();
    }
}
