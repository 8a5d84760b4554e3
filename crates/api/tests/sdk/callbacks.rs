//! Callbacks (`.waitForTaskToken`) and activities through the SDK: tokens, heartbeats,
//! timeouts, an activity worker loop, and answers before and after a restart.

use std::time::{Duration, Instant};

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent, HistoryEventType};
use aws_sdk_sfn::Client;
use serde_json::{json, Value};

use crate::common::{self, Options};
use crate::{client_for, code_of, create_machine, setup};

/// A callback task on a queue: Switchback does not deliver the message, the token waits.
fn callback_machine(extra: Value) -> String {
    let mut task = json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
            "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}
        },
        "Catch": [{"ErrorEquals": ["Rejected"], "ResultPath": "$.rejection", "Next": "Rejected"}],
        "End": true
    });
    if let (Value::Object(t), Value::Object(e)) = (&mut task, extra) {
        t.extend(e);
    }
    json!({
        "StartAt": "Approve",
        "States": {
            "Approve": task,
            "Rejected": {"Type": "Pass", "End": true}
        }
    })
    .to_string()
}

async fn history(client: &Client, arn: &str) -> Vec<HistoryEvent> {
    client
        .get_execution_history()
        .execution_arn(arn)
        .send()
        .await
        .expect("history")
        .events
}

/// Waits for the task token the execution's latest scheduled task carries.
pub async fn token_of(client: &Client, arn: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        for e in history(client, arn).await.iter().rev() {
            if let Some(d) = &e.task_scheduled_event_details {
                let params: Value = serde_json::from_str(&d.parameters).expect("parameters");
                if let Some(t) = params["MessageBody"]["token"].as_str() {
                    return t.to_string();
                }
            }
        }
        assert!(Instant::now() < deadline, "no task token in {arn}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn wait_done(
    client: &Client,
    arn: &str,
    within: Duration,
) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    let deadline = Instant::now() + within;
    loop {
        let d = client
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
            .expect("describe");
        if d.status != ExecutionStatus::Running {
            return d;
        }
        assert!(Instant::now() < deadline, "{arn} still running");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn start(client: &Client, machine: &str, input: &str) -> String {
    client
        .start_execution()
        .state_machine_arn(machine)
        .input(input)
        .send()
        .await
        .expect("start")
        .execution_arn
}

fn types(events: &[HistoryEvent]) -> Vec<HistoryEventType> {
    events.iter().map(|e| e.r#type.clone()).collect()
}

/// The token appears in the history (`TaskScheduled`) in the same commit as the row that
/// answers it: answered the moment it is seen, it is never `TaskDoesNotExist`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_seen_in_the_history_can_be_answered_at_once() {
    let (_s, client) = setup().await;
    let machine = create_machine(&client, "eager", &callback_machine(json!({}))).await;
    let mut answered = Vec::new();
    for round in 0..40 {
        let (client, machine) = (client.clone(), machine.clone());
        answered.push(tokio::spawn(async move {
            let arn = start(&client, &machine, &format!(r#"{{"order": {round}}}"#)).await;
            let deadline = Instant::now() + Duration::from_secs(20);
            let token = loop {
                let found = history(&client, &arn).await.iter().find_map(|e| {
                    let d = e.task_scheduled_event_details.as_ref()?;
                    let params: Value = serde_json::from_str(&d.parameters).ok()?;
                    params["MessageBody"]["token"].as_str().map(str::to_string)
                });
                if let Some(token) = found {
                    break token;
                }
                assert!(Instant::now() < deadline, "no task token in {arn}");
                tokio::task::yield_now().await;
            };
            let sent = client
                .send_task_success()
                .task_token(&token)
                .output("{}")
                .send()
                .await;
            if sent.is_err() {
                return Err(format!("{arn}: {:?}", code_of(sent)));
            }
            let d = wait_done(&client, &arn, Duration::from_secs(20)).await;
            if d.status == ExecutionStatus::Succeeded {
                Ok(())
            } else {
                Err(format!("{arn}: {:?}", d.status))
            }
        }));
    }
    for task in answered {
        if let Err(e) = task.await.expect("a round panicked") {
            panic!("a token seen in the history could not be answered: {e}");
        }
    }
}

#[tokio::test]
async fn a_task_token_resumes_the_execution_once() {
    let (_s, client) = setup().await;
    let machine = create_machine(&client, "approve", &callback_machine(json!({}))).await;
    let arn = start(&client, &machine, r#"{"order": 7}"#).await;
    let token = token_of(&client, &arn).await;
    client
        .send_task_success()
        .task_token(&token)
        .output(r#"{"approved": true}"#)
        .send()
        .await
        .expect("send task success");
    let d = wait_done(&client, &arn, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(d.output.as_deref(), Some(r#"{"approved":true}"#));
    let events = history(&client, &arn).await;
    assert_eq!(
        types(&events),
        vec![
            HistoryEventType::ExecutionStarted,
            HistoryEventType::TaskStateEntered,
            HistoryEventType::TaskScheduled,
            HistoryEventType::TaskStarted,
            HistoryEventType::TaskSubmitted,
            HistoryEventType::TaskSucceeded,
            HistoryEventType::TaskStateExited,
            HistoryEventType::ExecutionSucceeded,
        ]
    );
    // A token answers once.
    let (code, message) = code_of(
        client
            .send_task_success()
            .task_token(&token)
            .output("{}")
            .send()
            .await,
    );
    assert_eq!(code, "TaskTimedOut");
    assert_eq!(
        message,
        "Task Timed Out: 'Provided task does not exist anymore'"
    );
    let (code, _) = code_of(
        client
            .send_task_success()
            .task_token("not-a-token")
            .output("{}")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidToken");
    let (code, _) = code_of(
        client
            .send_task_heartbeat()
            .task_token("0".repeat(44))
            .send()
            .await,
    );
    assert_eq!(code, "TaskDoesNotExist");
}

#[tokio::test]
async fn a_task_failure_is_caught_by_its_error_name() {
    let (_s, client) = setup().await;
    let machine = create_machine(&client, "reject", &callback_machine(json!({}))).await;
    let arn = start(&client, &machine, r#"{"order": 8}"#).await;
    let token = token_of(&client, &arn).await;
    client
        .send_task_failure()
        .task_token(&token)
        .error("Rejected")
        .cause("not in stock")
        .send()
        .await
        .expect("send task failure");
    let d = wait_done(&client, &arn, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    let output: Value = serde_json::from_str(d.output.as_deref().unwrap_or("")).unwrap();
    assert_eq!(
        output["rejection"],
        json!({"Error": "Rejected", "Cause": "not in stock"})
    );
}

#[tokio::test]
async fn heartbeats_keep_a_callback_alive_and_their_absence_times_it_out() {
    let (_s, client) = setup().await;
    let def = callback_machine(json!({"HeartbeatSeconds": 1}));
    let machine = create_machine(&client, "beats", &def).await;
    let kept = start(&client, &machine, r#"{"order": 1}"#).await;
    let lapsed = start(&client, &machine, r#"{"order": 2}"#).await;
    let token = token_of(&client, &kept).await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        client
            .send_task_heartbeat()
            .task_token(&token)
            .send()
            .await
            .expect("heartbeat");
    }
    client
        .send_task_success()
        .task_token(&token)
        .output(r#""done""#)
        .send()
        .await
        .expect("success after heartbeats");
    let d = wait_done(&client, &kept, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);

    let d = wait_done(&client, &lapsed, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("States.HeartbeatTimeout"));
    let events = history(&client, &lapsed).await;
    let timed_out = events
        .iter()
        .find_map(|e| e.task_timed_out_event_details.as_ref())
        .expect("TaskTimedOut");
    assert_eq!(timed_out.error.as_deref(), Some("States.HeartbeatTimeout"));
    let late = token_of(&client, &lapsed).await;
    let (code, _) = code_of(
        client
            .send_task_success()
            .task_token(&late)
            .output("{}")
            .send()
            .await,
    );
    assert_eq!(code, "TaskTimedOut");
}

#[tokio::test]
async fn timeout_seconds_ends_a_callback_with_states_timeout() {
    let (_s, client) = setup().await;
    let def = callback_machine(json!({"TimeoutSeconds": 1}));
    let machine = create_machine(&client, "slow", &def).await;
    let arn = start(&client, &machine, r#"{"order": 3}"#).await;
    let token = token_of(&client, &arn).await;
    let d = wait_done(&client, &arn, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("States.Timeout"));
    let (code, _) = code_of(
        client
            .send_task_success()
            .task_token(&token)
            .output("{}")
            .send()
            .await,
    );
    assert_eq!(code, "TaskTimedOut");
}

#[tokio::test]
async fn callbacks_are_answered_before_and_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = || Options {
        data_dir: Some(dir.path().to_path_buf()),
        park_after: Some(Duration::from_millis(100)),
        ..Options::default()
    };
    let first = common::start_options(options()).await;
    let client = client_for(&first.server);
    let machine = create_machine(&client, "durable", &callback_machine(json!({}))).await;
    let answered_early = start(&client, &machine, r#"{"order": 1}"#).await;
    let answered_late = start(&client, &machine, r#"{"order": 2}"#).await;
    let early = token_of(&client, &answered_early).await;
    let late = token_of(&client, &answered_late).await;
    // Parked (out of memory) by now; the answer wakes it.
    tokio::time::sleep(Duration::from_millis(400)).await;
    client
        .send_task_success()
        .task_token(&early)
        .output(r#"{"when": "before"}"#)
        .send()
        .await
        .expect("answer before the restart");
    let d = wait_done(&client, &answered_early, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    first.stop().await;

    let second = common::start_options(options()).await;
    let client = client_for(&second.server);
    client
        .send_task_success()
        .task_token(&late)
        .output(r#"{"when": "after"}"#)
        .send()
        .await
        .expect("answer after the restart");
    let d = wait_done(&client, &answered_late, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(d.output.as_deref(), Some(r#"{"when":"after"}"#));
    let events = history(&client, &answered_late).await;
    let submitted = types(&events)
        .iter()
        .filter(|t| **t == HistoryEventType::TaskSubmitted)
        .count();
    assert_eq!(submitted, 1, "the task was handed over once: {events:?}");
    second.stop().await;
}

fn activity_machine(activity: &str, extra: Value) -> String {
    let mut task = json!({"Type": "Task", "Resource": activity, "End": true});
    if let (Value::Object(t), Value::Object(e)) = (&mut task, extra) {
        t.extend(e);
    }
    json!({"StartAt": "Work", "States": {"Work": task}}).to_string()
}

#[tokio::test]
async fn an_activity_worker_loop_serves_every_execution() {
    let (_s, client) = setup().await;
    let activity = client
        .create_activity()
        .name("resize")
        .send()
        .await
        .expect("create activity")
        .activity_arn;
    let def = activity_machine(
        &activity,
        json!({"HeartbeatSeconds": 5, "TimeoutSeconds": 60}),
    );
    let machine = create_machine(&client, "worker", &def).await;
    let mut runs = Vec::new();
    for n in 0..3 {
        runs.push(start(&client, &machine, &format!(r#"{{"n": {n}}}"#)).await);
    }
    // The worker: take a task, beat, answer; three times.
    for _ in 0..3 {
        let task = client
            .get_activity_task()
            .activity_arn(&activity)
            .worker_name("worker-1")
            .send()
            .await
            .expect("get activity task");
        let token = task.task_token.expect("a task");
        let input: Value = serde_json::from_str(task.input.as_deref().unwrap_or("")).unwrap();
        client
            .send_task_heartbeat()
            .task_token(&token)
            .send()
            .await
            .expect("heartbeat");
        client
            .send_task_success()
            .task_token(&token)
            .output(json!({"doubled": input["n"].as_i64().unwrap_or(-1) * 2}).to_string())
            .send()
            .await
            .expect("success");
    }
    for (n, arn) in runs.iter().enumerate() {
        let d = wait_done(&client, arn, Duration::from_secs(10)).await;
        assert_eq!(d.status, ExecutionStatus::Succeeded);
        let out: Value = serde_json::from_str(d.output.as_deref().unwrap_or("")).unwrap();
        assert_eq!(out, json!({"doubled": n as i64 * 2}));
        let events = history(&client, arn).await;
        assert_eq!(
            types(&events),
            vec![
                HistoryEventType::ExecutionStarted,
                HistoryEventType::TaskStateEntered,
                HistoryEventType::ActivityScheduled,
                HistoryEventType::ActivityStarted,
                HistoryEventType::ActivitySucceeded,
                HistoryEventType::TaskStateExited,
                HistoryEventType::ExecutionSucceeded,
            ]
        );
        let started = events
            .iter()
            .find_map(|e| e.activity_started_event_details.as_ref())
            .expect("ActivityStarted details");
        assert_eq!(started.worker_name.as_deref(), Some("worker-1"));
        let scheduled = events
            .iter()
            .find_map(|e| e.activity_scheduled_event_details.as_ref())
            .expect("ActivityScheduled details");
        assert_eq!(scheduled.resource, activity);
        assert_eq!(scheduled.heartbeat_in_seconds, Some(5));
    }
}

#[tokio::test]
async fn an_activity_without_heartbeats_times_out() {
    let (_s, client) = setup().await;
    let activity = client
        .create_activity()
        .name("stalls")
        .send()
        .await
        .expect("create activity")
        .activity_arn;
    let def = activity_machine(&activity, json!({"HeartbeatSeconds": 1}));
    let machine = create_machine(&client, "stalled", &def).await;
    let arn = start(&client, &machine, "{}").await;
    let task = client
        .get_activity_task()
        .activity_arn(&activity)
        .send()
        .await
        .expect("get activity task");
    let token = task.task_token.expect("a task");
    let d = wait_done(&client, &arn, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("States.HeartbeatTimeout"));
    let events = history(&client, &arn).await;
    assert!(types(&events).contains(&HistoryEventType::ActivityTimedOut));
    let (code, _) = code_of(
        client
            .send_task_failure()
            .task_token(&token)
            .error("Late")
            .send()
            .await,
    );
    assert_eq!(code, "TaskTimedOut");
    let (code, _) = code_of(
        client
            .get_activity_task()
            .activity_arn(format!("{activity}-missing"))
            .send()
            .await,
    );
    assert_eq!(code, "ActivityDoesNotExist");
}
