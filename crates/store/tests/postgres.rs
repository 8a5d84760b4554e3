//! The typed functions on PostgreSQL: tags and activities written and read back through the
//! statement boundary, inside transactions on a real server.
//!
//! The server is `SWITCHBACK_TEST_POSTGRES` (a connection string), by default
//! `host=127.0.0.1 port=5432 user=postgres dbname=test`. Each test works in a schema of its
//! own, dropped at the end. Without a server the tests skip, except on CI (`CI` set), where
//! `.ci/run` makes sure one runs.

use std::io::Write;

use switchback_store::activities::{self, ActivityRecord};
use switchback_store::postgres::in_transaction;
use switchback_store::tags::{self, Tag};
use switchback_store::StoreError;

/// A client on the test server, in a fresh schema holding the tables these tests use; `None`
/// (after saying why) when there is no server and not on CI.
fn client(test: &str) -> Option<(postgres::Client, String)> {
    let url = std::env::var("SWITCHBACK_TEST_POSTGRES")
        .unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres dbname=test".into());
    let mut client = match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(client) => client,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{test}: no PostgreSQL at '{url}' ({e}): required on CI (.ci/run starts one)"
            );
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {test}: no PostgreSQL at '{url}': {e}"
            );
            return None;
        }
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let schema = format!("sb_{test}_{}_{nanos}", std::process::id());
    client
        .batch_execute(&format!(
            "CREATE SCHEMA {schema}; SET search_path TO {schema};
             CREATE TABLE tags (resource_arn TEXT NOT NULL, key TEXT NOT NULL,
               value TEXT NOT NULL, PRIMARY KEY (resource_arn, key));
             CREATE TABLE activities (arn TEXT PRIMARY KEY, name TEXT NOT NULL,
               created BIGINT NOT NULL, encryption TEXT);"
        ))
        .expect("create the test schema");
    Some((client, schema))
}

fn drop_schema(mut client: postgres::Client, schema: &str) {
    let _ = client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
}

#[test]
fn tags_are_put_listed_counted_and_removed_on_postgres() {
    let Some((mut client, schema)) = client("tags") else {
        return;
    };
    let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
    in_transaction(&mut client, |tx| {
        tags::put(tx, arn, &[Tag::new("team", "a"), Tag::new("env", "dev")])?;
        // The same key again: its value is replaced.
        tags::put(tx, arn, &[Tag::new("team", "b")])
    })
    .expect("put");
    let listed = in_transaction(&mut client, |tx| {
        Ok((tags::list(tx, arn)?, tags::count_for(tx, arn)?))
    })
    .expect("list");
    assert_eq!(
        listed,
        (vec![Tag::new("env", "dev"), Tag::new("team", "b")], 2)
    );
    let removed =
        in_transaction(&mut client, |tx| tags::remove(tx, arn, &["env", "nope"])).expect("remove");
    assert_eq!(removed, 1);
    // A failing transaction leaves nothing of its work.
    let failed = in_transaction(&mut client, |tx| {
        tags::delete_all(tx, arn)?;
        Err::<(), _>(StoreError::NotFound)
    });
    assert!(matches!(failed, Err(StoreError::NotFound)));
    let left = in_transaction(&mut client, |tx| tags::list(tx, arn)).expect("list");
    assert_eq!(left, vec![Tag::new("team", "b")]);
    drop_schema(client, &schema);
}

#[test]
fn activities_are_inserted_once_and_paged_on_postgres() {
    let Some((mut client, schema)) = client("activities") else {
        return;
    };
    let prefix = "arn:aws:states:us-east-1:123456789012:activity:";
    let activity = |name: &str, created: i64| ActivityRecord {
        arn: format!("{prefix}{name}"),
        name: name.to_owned(),
        created,
        encryption: None,
    };
    let mut first = activity("a", 10);
    first.encryption = Some(serde_json::json!({"type": "AWS_OWNED_KEY"}));
    let stored = in_transaction(&mut client, |tx| {
        let stored = activities::insert(tx, &first)?;
        // The same ARN again: the first row stays as it was.
        assert_eq!(activities::insert(tx, &activity("a", 99))?, stored);
        activities::insert(tx, &activity("c", 20))?;
        activities::insert(tx, &activity("b", 20))?;
        Ok(stored)
    })
    .expect("insert");
    assert_eq!(stored, first);
    let (page, next) = in_transaction(&mut client, |tx| {
        let page = activities::list(tx, None, 2)?;
        let next = activities::list(tx, Some(&page[1].arn), 2)?;
        Ok((page, next))
    })
    .expect("list");
    let names = |p: &[ActivityRecord]| p.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&page), ["a", "b"]);
    assert_eq!(names(&next), ["c"]);
    let unknown = in_transaction(&mut client, |tx| {
        activities::list(tx, Some(&format!("{prefix}gone")), 2)
    });
    assert!(matches!(unknown, Err(StoreError::NotFound)));
    drop_schema(client, &schema);
}
