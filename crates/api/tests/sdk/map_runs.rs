//! Distributed Map runs and their child executions, through the SDK: Standard children are
//! executions of their own (listed by map run, described, with their own histories), map
//! runs count them, and a redriven parent redrives only its failed children.

use std::time::Duration;

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType, MapRunStatus};
use aws_sdk_sfn::Client;
use serde_json::{json, Value};

use crate::callbacks::wait_done;
use crate::{create_machine, setup};

const WITHIN: Duration = Duration::from_secs(20);

/// A distributed map whose children fail on the item `{"fail": true}`.
fn failing_on_flag(execution_type: &str, tolerated: u32) -> String {
    json!({
        "StartAt": "M",
        "States": {"M": {
            "Type": "Map", "Label": "Each", "ItemsPath": "$.items",
            "ToleratedFailureCount": tolerated,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
                "StartAt": "Check",
                "States": {
                    "Check": {"Type": "Choice", "Choices": [
                        {"Variable": "$.fail", "BooleanEquals": true, "Next": "Boom"}],
                        "Default": "Done"},
                    "Boom": {"Type": "Fail", "Error": "Item.Bad", "Cause": "a bad item"},
                    "Done": {"Type": "Pass", "Parameters": {"seen.$": "$.n"}, "End": true}
                }
            },
            "End": true
        }}
    })
    .to_string()
}

fn items(n: usize, failing: usize) -> String {
    let items: Vec<Value> = (0..n)
        .map(|i| json!({"n": i, "fail": i == failing}))
        .collect();
    json!({ "items": items }).to_string()
}

async fn only_map_run(client: &Client, execution: &str) -> String {
    let runs = client
        .list_map_runs()
        .execution_arn(execution)
        .send()
        .await
        .expect("list map runs");
    assert_eq!(runs.map_runs.len(), 1);
    runs.map_runs[0].map_run_arn.clone()
}

async fn children(client: &Client, map_run: &str) -> Vec<aws_sdk_sfn::types::ExecutionListItem> {
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_executions()
            .map_run_arn(map_run)
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .expect("list children");
        all.extend(page.executions);
        token = page.next_token;
        if token.is_none() {
            return all;
        }
    }
}

async fn history_types(client: &Client, arn: &str) -> Vec<(i64, i64, HistoryEventType)> {
    let h = client
        .get_execution_history()
        .execution_arn(arn)
        .send()
        .await
        .expect("history");
    h.events
        .iter()
        .map(|e| (e.id, e.previous_event_id, e.r#type.clone()))
        .collect()
}

#[tokio::test]
async fn standard_children_are_executions_of_their_own_and_the_map_run_counts_them() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "kids", &failing_on_flag("STANDARD", 1)).await;
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(items(5, 3))
        .send()
        .await
        .unwrap();
    let d = wait_done(&client, &started.execution_arn, WITHIN).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded, "{:?}", d.error);
    let output: Value = serde_json::from_str(d.output.as_deref().unwrap()).unwrap();
    assert_eq!(
        output,
        json!([{"seen": 0}, {"seen": 1}, {"seen": 2}, null, {"seen": 4}])
    );

    let map_run = only_map_run(&client, &started.execution_arn).await;
    let run = client
        .describe_map_run()
        .map_run_arn(&map_run)
        .send()
        .await
        .unwrap();
    assert_eq!(run.status, MapRunStatus::Succeeded);
    assert_eq!(run.max_concurrency, 10_000);
    assert_eq!(run.tolerated_failure_count, 1);
    let counts = run.execution_counts.expect("execution counts");
    assert_eq!(
        (
            counts.total,
            counts.succeeded,
            counts.failed,
            counts.running,
            counts.pending
        ),
        (5, 4, 1, 0, 0)
    );
    let counts = run.item_counts.expect("item counts");
    assert_eq!((counts.total, counts.succeeded, counts.failed), (5, 4, 1));

    // The children: listed by map run (paged), named as AWS names them.
    let kids = children(&client, &map_run).await;
    assert_eq!(kids.len(), 5);
    let machine_arn = format!("{arn}/Each");
    let mut failed = Vec::new();
    for kid in &kids {
        assert_eq!(kid.map_run_arn.as_deref(), Some(map_run.as_str()));
        assert_eq!(kid.item_count, Some(1));
        assert_eq!(kid.state_machine_arn, machine_arn);
        assert!(
            kid.execution_arn
                .starts_with(&machine_arn.replace(":stateMachine:", ":execution:")),
            "{}",
            kid.execution_arn
        );
        if kid.status == ExecutionStatus::Failed {
            failed.push(kid.execution_arn.clone());
        } else {
            assert_eq!(kid.status, ExecutionStatus::Succeeded);
        }
    }
    assert_eq!(failed.len(), 1);
    // A child described: its input, output or error, and its map run.
    let bad = client
        .describe_execution()
        .execution_arn(&failed[0])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.map_run_arn.as_deref(), Some(map_run.as_str()));
    assert_eq!(bad.error.as_deref(), Some("Item.Bad"));
    assert_eq!(bad.cause.as_deref(), Some("a bad item"));
    let input: Value = serde_json::from_str(bad.input.as_deref().unwrap()).unwrap();
    assert_eq!(input, json!({"n": 3, "fail": true}));
    // The state machine it ran: its Map state's processor, named for the map run.
    let machine = client
        .describe_state_machine_for_execution()
        .execution_arn(&failed[0])
        .send()
        .await
        .unwrap();
    assert_eq!(machine.map_run_arn.as_deref(), Some(map_run.as_str()));
    assert_eq!(machine.label.as_deref(), Some("Each"));
    assert_eq!(machine.state_machine_arn, machine_arn);
    let processor: Value = serde_json::from_str(&machine.definition).unwrap();
    assert_eq!(processor["StartAt"], "Check");
    assert!(processor.get("ProcessorConfig").is_none());
    // Its own history, numbered from 1.
    let events = history_types(&client, &failed[0]).await;
    let kinds: Vec<HistoryEventType> = events.iter().map(|e| e.2.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            HistoryEventType::ExecutionStarted,
            HistoryEventType::ChoiceStateEntered,
            HistoryEventType::ChoiceStateExited,
            HistoryEventType::FailStateEntered,
            HistoryEventType::ExecutionFailed,
        ]
    );
    let ids: Vec<i64> = events.iter().map(|e| e.0).collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
    let good = kids
        .iter()
        .find(|k| k.status == ExecutionStatus::Succeeded)
        .unwrap();
    let d = client
        .describe_execution()
        .execution_arn(&good.execution_arn)
        .send()
        .await
        .unwrap();
    let out: Value = serde_json::from_str(d.output.as_deref().unwrap()).unwrap();
    assert!(out["seen"].is_u64(), "{out}");
    // The parent's history holds the map run, not its children's states.
    let parent = history_types(&client, &started.execution_arn).await;
    assert!(!parent
        .iter()
        .any(|e| e.2 == HistoryEventType::ChoiceStateEntered));
    // Listing the parent's machine does not list the children.
    let listed = client
        .list_executions()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.executions.len(), 1);
    // The children took their ids where every execution takes its own: a new start after
    // them is stored as any other.
    let again = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(items(2, 99))
        .send()
        .await
        .expect("a start after the children");
    let d = wait_done(&client, &again.execution_arn, WITHIN).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
}

#[tokio::test]
async fn express_children_leave_no_executions_but_are_counted() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "quick", &failing_on_flag("EXPRESS", 0)).await;
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(items(3, 99))
        .send()
        .await
        .unwrap();
    let d = wait_done(&client, &started.execution_arn, WITHIN).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    let map_run = only_map_run(&client, &started.execution_arn).await;
    assert!(children(&client, &map_run).await.is_empty());
    let run = client
        .describe_map_run()
        .map_run_arn(&map_run)
        .send()
        .await
        .unwrap();
    let counts = run.execution_counts.expect("execution counts");
    assert_eq!((counts.total, counts.succeeded, counts.failed), (3, 3, 0));
}

#[tokio::test]
async fn listing_children_needs_one_arn_and_a_map_run_that_exists() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "lonely", crate::PASS).await;
    let missing = arn.replace(":stateMachine:", ":mapRun:") + "/Each:0000";
    let (code, _) = crate::code_of(client.list_executions().map_run_arn(&missing).send().await);
    assert_eq!(code, "ResourceNotFound");
    let (code, _) = crate::code_of(
        client
            .list_executions()
            .map_run_arn(&missing)
            .state_machine_arn(&arn)
            .send()
            .await,
    );
    assert_eq!(code, "ValidationException");
}

/// A distributed map whose children each call an activity: the test plays the worker.
fn calling_activity(activity: &str) -> String {
    calling_activity_as(activity, "STANDARD")
}

fn calling_activity_as(activity: &str, execution_type: &str) -> String {
    json!({
        "StartAt": "M",
        "States": {"M": {
            "Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": activity, "End": true}}
            },
            "End": true
        }}
    })
    .to_string()
}

/// Takes `n` activity tasks; fails those whose input has `"bad": true`, succeeds the others
/// with their `n` doubled.
async fn work(client: &Client, activity: &str, n: usize, fail_bad: bool) -> usize {
    let mut failed = 0;
    for _ in 0..n {
        let task = client
            .get_activity_task()
            .activity_arn(activity)
            .send()
            .await
            .expect("get activity task");
        let token = task.task_token.expect("a task");
        let input: Value = serde_json::from_str(task.input.as_deref().unwrap_or("{}")).unwrap();
        if fail_bad && input["bad"] == json!(true) {
            failed += 1;
            client
                .send_task_failure()
                .task_token(&token)
                .error("Worker.Broke")
                .send()
                .await
                .expect("failure");
        } else {
            client
                .send_task_success()
                .task_token(&token)
                .output(json!({"doubled": input["n"].as_i64().unwrap_or(-1) * 2}).to_string())
                .send()
                .await
                .expect("success");
        }
    }
    failed
}

/// Takes activity tasks, succeeding each, until one whose input has `"bad": true`, which it
/// fails; returns how many succeeded before.
async fn work_until_bad(client: &Client, activity: &str) -> usize {
    let mut succeeded = 0;
    loop {
        let task = client
            .get_activity_task()
            .activity_arn(activity)
            .send()
            .await
            .expect("get activity task");
        let token = task.task_token.expect("a task");
        let input: Value = serde_json::from_str(task.input.as_deref().unwrap_or("{}")).unwrap();
        if input["bad"] == json!(true) {
            client
                .send_task_failure()
                .task_token(&token)
                .error("Worker.Broke")
                .send()
                .await
                .expect("failure");
            return succeeded;
        }
        client
            .send_task_success()
            .task_token(&token)
            .output(json!({"doubled": input["n"].as_i64().unwrap_or(-1) * 2}).to_string())
            .send()
            .await
            .expect("success");
        succeeded += 1;
    }
}

/// Starts a map run (children of `execution_type`) over three items calling an activity,
/// the second of them bad, and works it until the bad one fails the run: the activity, the
/// failed parent's ARN, and how many children succeeded first.
async fn fail_a_map_run(client: &Client, execution_type: &str) -> (String, String, usize) {
    let name = format!("redrive-{}", execution_type.to_lowercase());
    let activity = client
        .create_activity()
        .name(format!("{name}-doubler"))
        .send()
        .await
        .unwrap()
        .activity_arn;
    let arn = create_machine(
        client,
        &name,
        &calling_activity_as(&activity, execution_type),
    )
    .await;
    let input = json!({"items": [{"n": 1}, {"n": 2, "bad": true}, {"n": 3}]}).to_string();
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(input)
        .send()
        .await
        .unwrap();
    // Tasks are worked until the bad one fails: the map run tolerates no failure, so it
    // fails at once and the child still running (if any) is stopped, as AWS's does.
    let succeeded = work_until_bad(client, &activity).await;
    let d = wait_done(client, &started.execution_arn, WITHIN).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(
        d.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    (activity, started.execution_arn, succeeded)
}

/// Redrives the failed parent, works the `rerun` tasks its children ask for again (none
/// fails now), and checks it succeeds with every item's output.
async fn redrive_to_success(client: &Client, parent: &str, activity: &str, rerun: usize) {
    client
        .redrive_execution()
        .execution_arn(parent)
        .send()
        .await
        .expect("redrive");
    assert_eq!(work(client, activity, rerun, false).await, 0);
    let d = wait_done(client, parent, WITHIN).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded, "{:?}", d.cause);
    let output: Value = serde_json::from_str(d.output.as_deref().unwrap()).unwrap();
    assert_eq!(
        output,
        json!([{"doubled": 2}, {"doubled": 4}, {"doubled": 6}])
    );
}

#[tokio::test]
async fn a_redriven_parent_redrives_only_its_failed_children() {
    let (_s, client) = setup().await;
    let (activity, started, succeeded) = fail_a_map_run(&client, "STANDARD").await;
    let map_run = only_map_run(&client, &started).await;
    let before = children(&client, &map_run).await;
    assert_eq!(before.len(), 3);
    let count = |status: ExecutionStatus| before.iter().filter(|k| k.status == status).count();
    assert_eq!(count(ExecutionStatus::Succeeded), succeeded);
    assert_eq!(count(ExecutionStatus::Failed), 1);
    assert_eq!(count(ExecutionStatus::Aborted), 2 - succeeded);
    let run = client
        .describe_map_run()
        .map_run_arn(&map_run)
        .send()
        .await
        .unwrap();
    let counts = run.execution_counts.expect("counts");
    assert_eq!(
        (counts.succeeded, counts.failed, counts.aborted),
        (succeeded as i64, 1, 2 - succeeded as i64)
    );
    let mut histories = Vec::new();
    for kid in &before {
        histories.push(history_types(&client, &kid.execution_arn).await);
    }

    // Only the failed and stopped children ask for work again.
    redrive_to_success(&client, &started, &activity, 3 - succeeded).await;

    // The parent redrove its map run (the same one), which counts it.
    let parent = history_types(&client, &started).await;
    assert!(parent
        .iter()
        .any(|e| e.2 == HistoryEventType::MapRunRedriven));
    assert_eq!(
        parent
            .iter()
            .filter(|e| e.2 == HistoryEventType::MapRunStarted)
            .count(),
        1
    );
    assert_eq!(only_map_run(&client, &started).await, map_run);
    let run = client
        .describe_map_run()
        .map_run_arn(&map_run)
        .send()
        .await
        .unwrap();
    assert_eq!(run.redrive_count, Some(1));
    assert!(run.redrive_date.is_some());
    assert_eq!(run.status, MapRunStatus::Succeeded);
    let after = children(&client, &map_run).await;
    assert_eq!(after.len(), 3, "the same children, no new ones");
    for (kid, was) in before.iter().zip(&histories) {
        let now = history_types(&client, &kid.execution_arn).await;
        let d = client
            .describe_execution()
            .execution_arn(&kid.execution_arn)
            .send()
            .await
            .unwrap();
        assert_eq!(d.status, ExecutionStatus::Succeeded);
        if kid.status == ExecutionStatus::Succeeded {
            assert_eq!(&now, was, "a child that had succeeded did not run again");
            assert_eq!(d.redrive_count, Some(0));
        } else {
            assert_eq!(d.redrive_count, Some(1));
            assert!(now.starts_with(&was[..]));
            assert!(now
                .iter()
                .any(|e| e.2 == HistoryEventType::ExecutionRedriven));
            assert_eq!(now.last().unwrap().2, HistoryEventType::ExecutionSucceeded);
            let ids: Vec<i64> = now.iter().map(|e| e.0).collect();
            assert_eq!(ids, (1..=now.len() as i64).collect::<Vec<_>>());
        }
    }
}

/// Express children leave no executions, yet a redrive still reruns only those that did not
/// succeed: the parent keeps which succeeded, and their outputs, when its map run fails.
#[tokio::test]
async fn a_redriven_parent_reruns_only_its_failed_express_children() {
    let (_s, client) = setup().await;
    let (activity, started, succeeded) = fail_a_map_run(&client, "EXPRESS").await;
    let map_run = only_map_run(&client, &started).await;
    assert!(children(&client, &map_run).await.is_empty());
    // Only the children that did not succeed ask for work again.
    redrive_to_success(&client, &started, &activity, 3 - succeeded).await;
    let parent = history_types(&client, &started).await;
    assert!(parent
        .iter()
        .any(|e| e.2 == HistoryEventType::MapRunRedriven));
    let run = client
        .describe_map_run()
        .map_run_arn(&map_run)
        .send()
        .await
        .unwrap();
    assert_eq!(run.redrive_count, Some(1));
    assert_eq!(run.status, MapRunStatus::Succeeded);
    let counts = run.execution_counts.expect("counts");
    assert_eq!((counts.total, counts.succeeded, counts.failed), (3, 3, 0));
    // No more work was asked for than the failed children's.
    let extra = tokio::time::timeout(
        Duration::from_millis(300),
        client.get_activity_task().activity_arn(&activity).send(),
    )
    .await;
    if let Ok(Ok(task)) = extra {
        assert!(task.task_token.is_none(), "an extra task: {:?}", task.input);
    }
}

#[tokio::test]
async fn stopping_the_parent_aborts_its_running_children_and_its_map_run() {
    let (_s, client) = setup().await;
    let activity = client
        .create_activity()
        .name("never-answered")
        .send()
        .await
        .unwrap()
        .activity_arn;
    let arn = create_machine(&client, "stop-kids", &calling_activity(&activity)).await;
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(json!({"items": [{"n": 1}, {"n": 2}, {"n": 3}]}).to_string())
        .send()
        .await
        .unwrap();
    // Every child waits for a worker that never comes.
    let deadline = std::time::Instant::now() + WITHIN;
    let map_run = loop {
        let runs = client
            .list_map_runs()
            .execution_arn(&started.execution_arn)
            .send()
            .await
            .unwrap();
        if let Some(run) = runs.map_runs.first() {
            let run = run.map_run_arn.clone();
            if children(&client, &run).await.len() == 3 {
                break run;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the children did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    client
        .stop_execution()
        .execution_arn(&started.execution_arn)
        .send()
        .await
        .expect("stop");
    let d = wait_done(&client, &started.execution_arn, WITHIN).await;
    assert_eq!(d.status, ExecutionStatus::Aborted);
    for kid in children(&client, &map_run).await {
        assert_eq!(
            kid.status,
            ExecutionStatus::Aborted,
            "{}",
            kid.execution_arn
        );
        let events = history_types(&client, &kid.execution_arn).await;
        assert_eq!(events.last().unwrap().2, HistoryEventType::ExecutionAborted);
        let ids: Vec<i64> = events.iter().map(|e| e.0).collect();
        assert_eq!(ids, (1..=events.len() as i64).collect::<Vec<_>>());
    }
    let run = client
        .describe_map_run()
        .map_run_arn(&map_run)
        .send()
        .await
        .unwrap();
    assert_eq!(run.status, MapRunStatus::Aborted);
    assert!(run.stop_date.is_some());
}

#[tokio::test]
async fn update_map_run_changes_a_running_map_runs_concurrency_and_tolerance() {
    let (_s, client) = setup().await;
    let activity = client
        .create_activity()
        .name("updated")
        .send()
        .await
        .unwrap()
        .activity_arn;
    let mut definition: Value = serde_json::from_str(&calling_activity(&activity)).unwrap();
    definition["States"]["M"]["MaxConcurrency"] = json!(1);
    let arn = create_machine(&client, "update-kids", &definition.to_string()).await;
    let input = json!({"items": [{"n": 1, "bad": true}, {"n": 2}, {"n": 3}, {"n": 4}]});
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(input.to_string())
        .send()
        .await
        .unwrap();
    // One child at a time: the first asks for work, and no other does.
    let first = client
        .get_activity_task()
        .activity_arn(&activity)
        .send()
        .await
        .expect("the first task");
    let first_token = first.task_token.expect("a task");
    let map_run = only_map_run(&client, &started.execution_arn).await;
    assert_eq!(children(&client, &map_run).await.len(), 1);
    let run = client
        .describe_map_run()
        .map_run_arn(&map_run)
        .send()
        .await
        .unwrap();
    assert_eq!(run.max_concurrency, 1);
    let counts = run.execution_counts.unwrap();
    assert_eq!((counts.running, counts.pending), (1, 3));

    // Four at a time, and one failure tolerated: the other three start while the first waits.
    client
        .update_map_run()
        .map_run_arn(&map_run)
        .max_concurrency(4)
        .tolerated_failure_count(1)
        .send()
        .await
        .expect("update");
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let task = client
            .get_activity_task()
            .activity_arn(&activity)
            .send()
            .await
            .expect("a task");
        tokens.push(task.task_token.expect("a task"));
    }
    // All four run at once, none answered yet.
    let kids = children(&client, &map_run).await;
    let running = kids
        .iter()
        .filter(|k| k.status == ExecutionStatus::Running)
        .count();
    assert_eq!(running, 4);
    client
        .send_task_failure()
        .task_token(&first_token)
        .error("Worker.Broke")
        .send()
        .await
        .expect("failure");
    for token in tokens {
        client
            .send_task_success()
            .task_token(token)
            .output("{}")
            .send()
            .await
            .expect("success");
    }
    let d = wait_done(&client, &started.execution_arn, WITHIN).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded, "{:?}", d.cause);
}

#[tokio::test]
async fn stopping_one_child_aborts_it_alone_and_its_map_run_counts_it_as_a_failure() {
    let (_s, client) = setup().await;
    let activity = client
        .create_activity()
        .name("answered-later")
        .send()
        .await
        .unwrap()
        .activity_arn;
    let definition = json!({
        "StartAt": "M",
        "States": {"M": {
            "Type": "Map", "ItemsPath": "$.items", "ToleratedFailureCount": 1,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": activity, "End": true}}
            },
            "End": true
        }}
    });
    let arn = create_machine(&client, "stop-one-kid", &definition.to_string()).await;
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(json!({"items": [{"n": 1}, {"n": 2}, {"n": 3}]}).to_string())
        .send()
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + WITHIN;
    let (map_run, kids) = loop {
        let runs = client
            .list_map_runs()
            .execution_arn(&started.execution_arn)
            .send()
            .await
            .unwrap();
        if let Some(run) = runs.map_runs.first() {
            let run = run.map_run_arn.clone();
            let kids = children(&client, &run).await;
            if kids.len() == 3 {
                break (run, kids);
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the children did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // One child stopped by its own ARN: it alone ends ABORTED, with the error and cause given.
    let stopped = &kids[0].execution_arn;
    client
        .stop_execution()
        .execution_arn(stopped)
        .error("Stop.ByHand")
        .cause("stopped by hand")
        .send()
        .await
        .expect("stop a child");
    let kid = client
        .describe_execution()
        .execution_arn(stopped)
        .send()
        .await
        .unwrap();
    assert_eq!(kid.status, ExecutionStatus::Aborted);
    assert_eq!(kid.error.as_deref(), Some("Stop.ByHand"));
    let events = history_types(&client, stopped).await;
    assert_eq!(events.last().unwrap().2, HistoryEventType::ExecutionAborted);
    let ids: Vec<i64> = events.iter().map(|e| e.0).collect();
    assert_eq!(ids, (1..=events.len() as i64).collect::<Vec<_>>());
    // The others go on: their work done, the parent succeeds (one failure tolerated).
    assert_eq!(work(&client, &activity, 2, false).await, 0);
    let d = wait_done(&client, &started.execution_arn, WITHIN).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded, "{d:?}");
    let statuses: Vec<ExecutionStatus> = children(&client, &map_run)
        .await
        .into_iter()
        .map(|k| k.status)
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == ExecutionStatus::Aborted)
            .count(),
        1
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == ExecutionStatus::Succeeded)
            .count(),
        2
    );
    let run = client
        .describe_map_run()
        .map_run_arn(&map_run)
        .send()
        .await
        .unwrap();
    let counts = run.execution_counts.expect("counts");
    let after = history_types(&client, stopped).await;
    assert_eq!(
        after, events,
        "the stopped child's history is as it was when it stopped"
    );
    assert_eq!((counts.succeeded, counts.aborted, counts.total), (2, 1, 3));
}

#[tokio::test]
async fn a_map_run_past_its_tolerance_fails_at_once_leaving_the_rest_pending() {
    let (_s, client) = setup().await;
    // One child at a time, the sixth of 1,000 failing, no failure tolerated: the map run
    // fails with the sixth, and the 994 children after it are never started.
    let mut definition: Value = serde_json::from_str(&failing_on_flag("STANDARD", 0)).unwrap();
    definition["States"]["M"]["MaxConcurrency"] = json!(1);
    let arn = create_machine(&client, "fail-fast", &definition.to_string()).await;
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(items(1000, 5))
        .send()
        .await
        .unwrap();
    let d = wait_done(&client, &started.execution_arn, WITHIN).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(
        d.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    let map_run = only_map_run(&client, &started.execution_arn).await;
    assert_eq!(children(&client, &map_run).await.len(), 6);
    let run = client
        .describe_map_run()
        .map_run_arn(&map_run)
        .send()
        .await
        .unwrap();
    assert_eq!(run.status, MapRunStatus::Failed);
    let counts = run.execution_counts.expect("counts");
    assert_eq!(
        (
            counts.succeeded,
            counts.failed,
            counts.pending,
            counts.total
        ),
        (5, 1, 994, 1000)
    );
}
