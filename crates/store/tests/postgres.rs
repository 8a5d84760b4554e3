//! The typed functions on PostgreSQL: tags, activities, executions and task tokens written and
//! read back through the statement boundary, inside transactions on a real server, in the
//! store's PostgreSQL schema.
//!
//! The server is `SWITCHBACK_TEST_POSTGRES` (a connection string), by default
//! `host=127.0.0.1 port=5432 user=postgres dbname=test`. Each test works in a schema of its
//! own, dropped at the end. Without a server the tests skip, except on CI (`CI` set), where
//! `.ci/run` makes sure one runs.

use std::io::Write;

mod common;

use switchback_store::activities::{self, ActivityRecord};
use switchback_store::executions::{self, Ending};
use switchback_store::postgres::{create_schema, in_transaction};
use switchback_store::tags::{self, Tag};
use switchback_store::task_tokens::{self, TaskToken, TokenKind};
use switchback_store::StoreError;
use switchback_types::ExecutionStatus;

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
            "CREATE SCHEMA {schema}; SET search_path TO {schema};"
        ))
        .expect("create the test schema");
    create_schema(&mut client).expect("the store's tables");
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

#[test]
fn executions_and_task_tokens_live_their_lives_on_postgres() {
    let Some((mut client, schema)) = client("executions") else {
        return;
    };
    let mut record = common::execution_record("e1", r#"{"a":1}"#);
    record.id = 41;
    let id = in_transaction(&mut client, |tx| executions::insert(tx, &record)).expect("insert");
    assert_eq!(id, 41, "the id given comes back (RETURNING id)");
    // The same ARN again is a unique violation, as on SQLite.
    let again = in_transaction(&mut client, |tx| {
        let mut twin = common::execution_record("e1", "{}");
        twin.id = 42;
        executions::insert(tx, &twin)
    });
    assert!(again.is_err_and(|e| e.is_unique_violation()));
    let running = in_transaction(&mut client, |tx| executions::running(tx)).expect("running");
    assert_eq!(running.iter().map(|r| r.0).collect::<Vec<_>>(), [41]);

    let token = TaskToken {
        token: "tok-1".into(),
        execution_id: id,
        task_key: format!("{}:5", record.arn),
        kind: TokenKind::Callback,
        status: "SCHEDULED".into(),
        activity_arn: None,
        input: None,
        worker_name: None,
        child_execution_id: None,
        heartbeat_seconds: Some(30),
        last_beat: 100,
        outcome: None,
        created: 100,
    };
    let stored = in_transaction(&mut client, |tx| {
        task_tokens::register(tx, &token)?;
        // A re-dispatch finds the row it registered before.
        task_tokens::register(tx, &token)
    })
    .expect("register");
    assert_eq!(stored, token);
    let answered = in_transaction(&mut client, |tx| {
        task_tokens::answer(tx, "tok-1", r#"{"output":{"ok":true}}"#)
    })
    .expect("answer");
    assert!(answered);
    let row = in_transaction(&mut client, |tx| task_tokens::by_key(tx, &token.task_key))
        .expect("by key")
        .expect("the row");
    assert_eq!(row.outcome.as_deref(), Some(r#"{"output":{"ok":true}}"#));

    let ending = Ending {
        status: ExecutionStatus::Succeeded,
        output: Some(r#"{"done":true}"#.into()),
        error: None,
        cause: None,
        stop_date: 200,
    };
    let finished =
        in_transaction(&mut client, |tx| executions::finish(tx, id, &ending)).expect("finish");
    assert!(finished);
    let read = in_transaction(&mut client, |tx| executions::get(tx, id))
        .expect("get")
        .expect("the execution");
    assert_eq!(read.status, ExecutionStatus::Succeeded);
    assert_eq!(read.output.as_deref(), Some(r#"{"done":true}"#));
    assert_eq!(read.stop_date, Some(200));
    let running = in_transaction(&mut client, |tx| executions::running(tx)).expect("running");
    assert!(running.is_empty());
    drop_schema(client, &schema);
}

/// PostgreSQL's schema has the tables and columns SQLite's migrations leave, no more, no less:
/// a migration that adds a column fails this test until `postgres_schema.sql` has it too.
#[test]
fn the_postgres_schema_keeps_step_with_the_sqlite_migrations() {
    let Some((mut client, schema)) = client("schema") else {
        return;
    };
    let store = switchback_store::Store::open(switchback_store::StoreConfig::in_memory())
        .expect("open SQLite");
    let mut sqlite: Vec<(String, String)> = store
        .read_blocking(|db| {
            let conn = db.sql();
            let mut tables = conn.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?;
            let names: Vec<String> = tables
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut columns = Vec::new();
            for table in names {
                let mut info = conn.prepare(&format!("PRAGMA table_info({table})"))?;
                let found: Vec<String> = info
                    .query_map([], |r| r.get(1))?
                    .collect::<Result<_, _>>()?;
                columns.extend(found.into_iter().map(|c| (table.clone(), c)));
            }
            Ok(columns)
        })
        .expect("SQLite's columns");
    let mut postgres: Vec<(String, String)> = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = $1",
            &[&schema],
        )
        .expect("PostgreSQL's columns")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    // The version bookkeeping is SQLite's own (PRAGMA user_version needs no table).
    sqlite.sort();
    postgres.sort();
    assert_eq!(postgres, sqlite);
    drop_schema(client, &schema);
}
