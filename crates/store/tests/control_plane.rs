//! The typed control-plane functions: round trips, updates, paging, cascading delete.

use serde_json::json;
use switchback_store::aliases::{self, AliasRecord, RoutingEntry};
use switchback_store::state_machines::{
    self, StateMachineRecord, StateMachineStatus, StateMachineType,
};
use switchback_store::tags::{self, Tag};
use switchback_store::versions::{self, VersionRecord};
use switchback_store::{Store, StoreConfig, StoreError};

const PREFIX: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:";

fn store() -> Store {
    Store::open(StoreConfig::in_memory()).expect("open")
}

fn machine(name: &str, created: i64) -> StateMachineRecord {
    StateMachineRecord {
        arn: format!("{PREFIX}{name}"),
        name: name.to_owned(),
        machine_type: StateMachineType::Standard,
        definition: r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#.to_owned(),
        role_arn: "arn:aws:iam::123456789012:role/r".to_owned(),
        description: Some("d".to_owned()),
        status: StateMachineStatus::Active,
        revision_id: "rev-1".to_owned(),
        created,
        updated: None,
        logging: Some(json!({"level": "OFF", "includeExecutionData": false})),
        tracing: Some(json!({"enabled": false})),
        encryption: None,
        next_version: 1,
    }
}

fn version(machine: &StateMachineRecord, number: i64) -> VersionRecord {
    VersionRecord {
        arn: format!("{}:{number}", machine.arn),
        state_machine_arn: machine.arn.clone(),
        version: number,
        definition: machine.definition.clone(),
        role_arn: machine.role_arn.clone(),
        machine_type: machine.machine_type,
        description: Some(format!("v{number}")),
        revision_id: format!("rev-{number}"),
        created: 1_000 + number,
        logging: machine.logging.clone(),
        tracing: None,
        encryption: Some(json!({"type": "AWS_OWNED_KEY"})),
    }
}

fn alias(machine: &StateMachineRecord, name: &str, created: i64, to: &[(i64, u32)]) -> AliasRecord {
    AliasRecord {
        arn: format!("{}:{name}", machine.arn),
        state_machine_arn: machine.arn.clone(),
        name: name.to_owned(),
        description: None,
        routing: to
            .iter()
            .map(|(v, weight)| RoutingEntry {
                version_arn: format!("{}:{v}", machine.arn),
                weight: *weight,
            })
            .collect(),
        created,
        updated: None,
    }
}

#[tokio::test]
async fn state_machine_round_trip_update_and_status() {
    let store = store();
    let original = machine("m", 10);
    let stored = original.clone();
    store
        .write(move |tx| state_machines::insert(tx, &stored))
        .await
        .expect("insert");
    let arn = original.arn.clone();
    let read = store
        .read(move |c| state_machines::get(c, &arn))
        .await
        .expect("get");
    assert_eq!(read.as_ref(), Some(&original));
    // The start's read: the same fields, without the configuration members.
    let arn = original.arn.clone();
    let to_start = store
        .read(move |c| state_machines::get_to_start(c, &arn))
        .await
        .expect("get_to_start")
        .expect("found");
    assert_eq!(
        (
            to_start.arn,
            to_start.name,
            to_start.machine_type,
            to_start.definition
        ),
        (
            original.arn.clone(),
            original.name.clone(),
            original.machine_type,
            original.definition.clone()
        )
    );
    assert_eq!(
        (to_start.role_arn, to_start.status, to_start.revision_id),
        (
            original.role_arn.clone(),
            original.status,
            original.revision_id.clone()
        )
    );
    let none = store
        .read(|c| state_machines::get_to_start(c, "arn:aws:states:us-east-1:1:stateMachine:no"))
        .await
        .expect("get_to_start");
    assert!(none.is_none());

    let again = original.clone();
    let duplicate = store
        .write(move |tx| state_machines::insert(tx, &again))
        .await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(m)) if m.contains("already exists")));

    let mut changed = original.clone();
    changed.definition = "{}".to_owned();
    changed.revision_id = "rev-2".to_owned();
    changed.updated = Some(20);
    changed.encryption = Some(json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k"}));
    changed.next_version = 99; // not written by update
    let update = changed.clone();
    store
        .write(move |tx| {
            state_machines::update(tx, &update)?;
            state_machines::set_status(tx, &update.arn, StateMachineStatus::Deleting)
        })
        .await
        .expect("update");
    let arn = original.arn.clone();
    let read = store
        .read(move |c| state_machines::get(c, &arn))
        .await
        .expect("get")
        .expect("present");
    assert_eq!(read.definition, "{}");
    assert_eq!(read.updated, Some(20));
    assert_eq!(read.encryption, changed.encryption);
    assert_eq!(read.status, StateMachineStatus::Deleting);
    assert_eq!(read.next_version, 1);

    let missing = machine("missing", 1);
    let result = store
        .write(move |tx| state_machines::update(tx, &missing))
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)));
    let result = store
        .write(|tx| state_machines::set_status(tx, "nope", StateMachineStatus::Active))
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)));
    let none = store
        .read(|c| state_machines::get(c, "nope"))
        .await
        .expect("get");
    assert!(none.is_none());
}

#[tokio::test]
async fn version_numbers_are_allocated_and_never_reused() {
    let store = store();
    let m = machine("m", 1);
    let arn = m.arn.clone();
    let numbers = store
        .write(move |tx| {
            state_machines::insert(tx, &m)?;
            let a = state_machines::take_next_version(tx, &m.arn)?;
            let b = state_machines::take_next_version(tx, &m.arn)?;
            Ok((a, b))
        })
        .await
        .expect("allocate");
    assert_eq!(numbers, (1, 2));
    let next = store
        .write(move |tx| state_machines::take_next_version(tx, &arn))
        .await
        .expect("allocate");
    assert_eq!(next, 3);
    let missing = store
        .write(|tx| state_machines::take_next_version(tx, "nope"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn state_machines_page_in_creation_order() {
    let store = store();
    // Created out of name order, two with the same timestamp (ordered by ARN then).
    let created = [("c", 1), ("a", 2), ("e", 3), ("b", 3), ("d", 5)];
    store
        .write(move |tx| {
            for (name, at) in created {
                state_machines::insert(tx, &machine(name, at))?;
            }
            Ok(())
        })
        .await
        .expect("insert");
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let cursor = after.clone();
        let page = store
            .read(move |c| state_machines::list(c, cursor.as_deref(), 2))
            .await
            .expect("list");
        assert!(page.len() <= 2);
        names.extend(page.iter().map(|m| m.name.clone()));
        match page.last() {
            Some(last) if page.len() == 2 => after = Some(last.arn.clone()),
            _ => break,
        }
    }
    assert_eq!(names, ["c", "a", "b", "e", "d"]);

    let first = store
        .read(|c| state_machines::list(c, None, 10))
        .await
        .expect("list");
    assert_eq!(first[0].machine_type, StateMachineType::Standard);
    assert_eq!(first[0].status, StateMachineStatus::Active);
    assert_eq!(first[0].created, 1);

    let gone = store
        .read(|c| state_machines::list(c, Some("arn:deleted"), 2))
        .await;
    assert!(matches!(gone, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn state_machines_page_in_arn_order_after_any_arn() {
    let store = store();
    store
        .write(|tx| {
            for (name, at) in [("c", 1), ("a", 2), ("b", 3)] {
                state_machines::insert(tx, &machine(name, at))?;
            }
            Ok(())
        })
        .await
        .expect("insert");
    let names = |after: Option<&str>, limit| {
        let store = store.clone();
        let after = after.map(|name| format!("{PREFIX}{name}"));
        async move {
            let page = store
                .read(move |c| state_machines::list_by_arn(c, after.as_deref(), limit))
                .await
                .expect("list");
            page.into_iter().map(|m| m.name).collect::<Vec<_>>()
        }
    };
    assert_eq!(names(None, 2).await, ["a", "b"]);
    assert_eq!(names(Some("a"), 10).await, ["b", "c"]);
    // The cursor need not name a machine (it may have been deleted since).
    assert_eq!(names(Some("bb"), 10).await, ["c"]);
}

#[tokio::test]
async fn versions_round_trip_latest_and_page_newest_first() {
    let store = store();
    let m = machine("m", 1);
    let other = machine("other", 2);
    let (m2, other2) = (m.clone(), other.clone());
    store
        .write(move |tx| {
            state_machines::insert(tx, &m2)?;
            state_machines::insert(tx, &other2)?;
            for n in 1..=5 {
                versions::insert(tx, &version(&m2, n))?;
            }
            versions::insert(tx, &version(&other2, 1))
        })
        .await
        .expect("insert");

    let v3 = version(&m, 3);
    let arn = v3.arn.clone();
    let read = store
        .read(move |c| versions::get(c, &arn))
        .await
        .expect("get");
    assert_eq!(read, Some(v3.clone()));

    let dup = store.write(move |tx| versions::insert(tx, &v3)).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));

    let machine_arn = m.arn.clone();
    let latest = store
        .read(move |c| versions::latest(c, &machine_arn))
        .await
        .expect("latest")
        .expect("has versions");
    assert_eq!(latest.version, 5);
    let none = store
        .read(|c| versions::latest(c, "no-machine"))
        .await
        .expect("latest");
    assert!(none.is_none());

    let machine_arn = m.arn.clone();
    let pages = store
        .read(move |c| {
            let first = versions::list(c, &machine_arn, None, 2)?;
            let second = versions::list(c, &machine_arn, Some(&first[1].arn), 2)?;
            let third = versions::list(c, &machine_arn, Some(&second[1].arn), 2)?;
            Ok([first, second, third])
        })
        .await
        .expect("list");
    let numbers: Vec<Vec<i64>> = pages
        .iter()
        .map(|p| p.iter().map(|v| v.version).collect())
        .collect();
    assert_eq!(numbers, [vec![5, 4], vec![3, 2], vec![1]]);
    assert_eq!(pages[0][0].created, 1_005);

    let machine_arn = m.arn.clone();
    let other_version = version(&other, 1).arn;
    let wrong_cursor = store
        .read(move |c| versions::list(c, &machine_arn, Some(&other_version), 2))
        .await;
    assert!(matches!(wrong_cursor, Err(StoreError::NotFound)));

    let machine_arn = m.arn.clone();
    let v2 = version(&m, 2).arn;
    let (deleted, count) = store
        .write(move |tx| {
            let deleted = versions::delete(tx, &v2)? && !versions::delete(tx, &v2)?;
            Ok((deleted, versions::count_for_machine(tx, &machine_arn)?))
        })
        .await
        .expect("delete");
    assert!(deleted);
    assert_eq!(count, 4);
}

#[tokio::test]
async fn aliases_round_trip_update_page_and_reference_versions() {
    let store = store();
    let m = machine("m", 1);
    let m2 = m.clone();
    store
        .write(move |tx| {
            state_machines::insert(tx, &m2)?;
            aliases::insert(tx, &alias(&m2, "prod", 30, &[(1, 90), (2, 10)]))?;
            aliases::insert(tx, &alias(&m2, "beta", 10, &[(2, 100)]))?;
            aliases::insert(tx, &alias(&m2, "dev", 20, &[(3, 100)]))?;
            aliases::insert(tx, &alias(&machine("other", 1), "x", 1, &[(2, 100)]))
        })
        .await
        .expect("insert");

    let prod = alias(&m, "prod", 30, &[(1, 90), (2, 10)]);
    let arn = prod.arn.clone();
    let read = store
        .read(move |c| aliases::get(c, &arn))
        .await
        .expect("get");
    assert_eq!(read, Some(prod.clone()));

    let raw: String = store
        .read({
            let arn = prod.arn.clone();
            move |c| {
                Ok(c.sql().query_row(
                    "SELECT routing FROM state_machine_aliases WHERE arn = ?1",
                    [arn],
                    |r| r.get(0),
                )?)
            }
        })
        .await
        .expect("raw");
    assert!(
        raw.contains("\"stateMachineVersionArn\""),
        "AWS spelling: {raw}"
    );

    let dup = prod.clone();
    let result = store.write(move |tx| aliases::insert(tx, &dup)).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))));

    let machine_arn = m.arn.clone();
    let pages = store
        .read(move |c| {
            let first = aliases::list(c, &machine_arn, None, 2)?;
            let second = aliases::list(c, &machine_arn, Some(&first[1].arn), 2)?;
            Ok((first, second))
        })
        .await
        .expect("list");
    let names: Vec<&str> = pages
        .0
        .iter()
        .chain(pages.1.iter())
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["beta", "dev", "prod"]);
    let machine_arn = m.arn.clone();
    let count = store
        .read(move |c| aliases::count_for_machine(c, &machine_arn))
        .await
        .expect("count");
    assert_eq!(count, 3);

    let v2 = format!("{}:2", m.arn);
    let referencing = store
        .read(move |c| aliases::referencing_version(c, &v2))
        .await
        .expect("referencing");
    // `other:x` routes to `other`'s version 2, a different ARN.
    assert_eq!(
        referencing,
        [format!("{}:beta", m.arn), format!("{}:prod", m.arn)]
    );

    let mut updated = prod.clone();
    updated.routing = vec![RoutingEntry {
        version_arn: format!("{}:1", m.arn),
        weight: 100,
    }];
    updated.description = Some("now".to_owned());
    updated.updated = Some(40);
    let write = updated.clone();
    store
        .write(move |tx| aliases::update(tx, &write))
        .await
        .expect("update");
    let arn = prod.arn.clone();
    let read = store
        .read(move |c| aliases::get(c, &arn))
        .await
        .expect("get");
    assert_eq!(read, Some(updated));

    let missing = alias(&m, "missing", 1, &[]);
    let result = store.write(move |tx| aliases::update(tx, &missing)).await;
    assert!(matches!(result, Err(StoreError::NotFound)));
    let arn = prod.arn.clone();
    let deleted = store
        .write(move |tx| Ok((aliases::delete(tx, &arn)?, aliases::delete(tx, &arn)?)))
        .await
        .expect("delete");
    assert_eq!(deleted, (true, false));
}

#[tokio::test]
async fn tags_put_replace_remove_list() {
    let store = store();
    let arn = format!("{PREFIX}m");
    let a = arn.clone();
    store
        .write(move |tx| {
            tags::put(tx, &a, &[Tag::new("team", "x"), Tag::new("env", "dev")])?;
            tags::put(tx, &a, &[Tag::new("env", "prod"), Tag::new("cost", "1")])?;
            tags::put(tx, "another", &[Tag::new("env", "other")])
        })
        .await
        .expect("put");
    let a = arn.clone();
    let listed = store.read(move |c| tags::list(c, &a)).await.expect("list");
    assert_eq!(
        listed,
        [
            Tag::new("cost", "1"),
            Tag::new("env", "prod"),
            Tag::new("team", "x")
        ]
    );
    let a = arn.clone();
    let (removed, left) = store
        .write(move |tx| {
            let removed = tags::remove(tx, &a, &["env", "absent", "cost"])?;
            Ok((removed, tags::count_for(tx, &a)?))
        })
        .await
        .expect("remove");
    assert_eq!((removed, left), (2, 1));
    let other = store
        .read(|c| tags::list(c, "another"))
        .await
        .expect("list");
    assert_eq!(other, [Tag::new("env", "other")]);
}

#[tokio::test]
async fn deleting_a_machine_takes_its_versions_aliases_and_tags() {
    let store = store();
    let m = machine("m", 1);
    let keep = machine("m-other", 2);
    let (m2, keep2) = (m.clone(), keep.clone());
    store
        .write(move |tx| {
            for machine in [&m2, &keep2] {
                state_machines::insert(tx, machine)?;
                versions::insert(tx, &version(machine, 1))?;
                aliases::insert(tx, &alias(machine, "a", 1, &[(1, 100)]))?;
                tags::put(tx, &machine.arn, &[Tag::new("k", "v")])?;
                tags::put(tx, &version(machine, 1).arn, &[Tag::new("k", "v")])?;
                tags::put(tx, &format!("{}:a", machine.arn), &[Tag::new("k", "v")])?;
            }
            Ok(())
        })
        .await
        .expect("insert");
    let arn = m.arn.clone();
    let deleted = store
        .write(move |tx| state_machines::delete_with_dependents(tx, &arn))
        .await
        .expect("delete");
    assert!(deleted);
    let counts = |prefix: String| {
        move |c: &switchback_store::Db<'_>| -> Result<[i64; 4], StoreError> {
            let count = |sql: &str| -> Result<i64, StoreError> {
                Ok(c.sql()
                    .query_row(sql, [format!("{prefix}%")], |r| r.get(0))?)
            };
            Ok([
                count("SELECT count(*) FROM state_machines WHERE arn LIKE ?1")?,
                count("SELECT count(*) FROM state_machine_versions WHERE arn LIKE ?1")?,
                count("SELECT count(*) FROM state_machine_aliases WHERE arn LIKE ?1")?,
                count("SELECT count(*) FROM tags WHERE resource_arn LIKE ?1")?,
            ])
        }
    };
    let gone = store
        .read(counts(format!("{}:", m.arn)))
        .await
        .expect("count");
    assert_eq!(gone, [0, 0, 0, 0]);
    let machine_row = store
        .read({
            let arn = m.arn.clone();
            move |c| state_machines::get(c, &arn)
        })
        .await
        .expect("get");
    assert!(machine_row.is_none());
    let tags_left = store
        .read({
            let arn = m.arn.clone();
            move |c| tags::list(c, &arn)
        })
        .await
        .expect("tags");
    assert!(tags_left.is_empty());
    let kept = store.read(counts(keep.arn.clone())).await.expect("count");
    assert_eq!(kept, [1, 1, 1, 3]);

    let again = store
        .write(|tx| state_machines::delete_with_dependents(tx, "nope"))
        .await
        .expect("delete");
    assert!(!again);
}
