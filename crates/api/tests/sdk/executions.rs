//! The execution actions through the SDK: start, describe, history, list, stop, sync Express,
//! redrive and TestState, with AWS's errors.

use std::time::Duration;

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType, StateMachineType};
use aws_sdk_sfn::Client;

use crate::{code_of, create_machine, setup, PASS, ROLE};

const WAIT: &str = r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}"#;
const FAILS: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"F"},"F":{"Type":"Fail","Error":"Boom","Cause":"it broke"}}}"#;

async fn wait_done(
    client: &Client,
    arn: &str,
) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    crate::callbacks::wait_done(client, arn, Duration::from_secs(10)).await
}

#[tokio::test]
async fn a_standard_execution_runs_and_its_history_pages() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "hello", PASS).await;
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .name("first")
        .input(r#"{"a": 1}"#)
        .send()
        .await
        .unwrap();
    assert!(started.execution_arn.ends_with(":execution:hello:first"));
    let d = wait_done(&client, &started.execution_arn).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(d.output.as_deref(), Some(r#"{"a":1}"#));
    assert_eq!(d.input.as_deref(), Some(r#"{"a": 1}"#));
    assert!(d.stop_date.is_some());

    let all = client
        .get_execution_history()
        .execution_arn(&started.execution_arn)
        .send()
        .await
        .unwrap();
    let types: Vec<HistoryEventType> = all.events.iter().map(|e| e.r#type.clone()).collect();
    assert_eq!(
        types,
        vec![
            HistoryEventType::ExecutionStarted,
            HistoryEventType::PassStateEntered,
            HistoryEventType::PassStateExited,
            HistoryEventType::ExecutionSucceeded
        ]
    );
    let entered = all.events[1].state_entered_event_details.as_ref().unwrap();
    assert_eq!(entered.name, "A");
    // One event per page, newest first.
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .get_execution_history()
            .execution_arn(&started.execution_arn)
            .reverse_order(true)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        ids.extend(page.events.iter().map(|e| e.id));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(ids, vec![4, 3, 2, 1]);
    let bare = client
        .get_execution_history()
        .execution_arn(&started.execution_arn)
        .include_execution_data(false)
        .send()
        .await
        .unwrap();
    assert!(bare.events[0]
        .execution_started_event_details
        .as_ref()
        .unwrap()
        .input
        .is_none());
}

#[tokio::test]
async fn starts_are_idempotent_and_names_are_checked() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "waits", WAIT).await;
    let a = client
        .start_execution()
        .state_machine_arn(&arn)
        .name("n")
        .input("{}")
        .send()
        .await
        .unwrap();
    let b = client
        .start_execution()
        .state_machine_arn(&arn)
        .name("n")
        .input("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(a.execution_arn, b.execution_arn);
    let (code, _) = code_of(
        client
            .start_execution()
            .state_machine_arn(&arn)
            .name("n")
            .input(r#"{"x":1}"#)
            .send()
            .await,
    );
    assert_eq!(code, "ExecutionAlreadyExists");
    let (code, _) = code_of(
        client
            .start_execution()
            .state_machine_arn(&arn)
            .name("bad name")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidName");
    let (code, _) = code_of(
        client
            .start_execution()
            .state_machine_arn(&arn)
            .input("{nope")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidExecutionInput");
    let missing = arn.replace(":waits", ":nope");
    let (code, _) = code_of(
        client
            .start_execution()
            .state_machine_arn(&missing)
            .send()
            .await,
    );
    assert_eq!(code, "StateMachineDoesNotExist");
    let (code, _) = code_of(
        client
            .describe_execution()
            .execution_arn("arn:aws:states:us-east-1:123456789012:execution:waits:ghost")
            .send()
            .await,
    );
    assert_eq!(code, "ExecutionDoesNotExist");
    let (code, _) = code_of(
        client
            .describe_execution()
            .execution_arn("not-an-arn")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidArn");
}

#[tokio::test]
async fn stop_lists_and_filters() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "waits", WAIT).await;
    let mut arns = Vec::new();
    for i in 0..5 {
        let s = client
            .start_execution()
            .state_machine_arn(&arn)
            .name(format!("e{i}"))
            .send()
            .await
            .unwrap();
        arns.push(s.execution_arn);
    }
    let stopped = client
        .stop_execution()
        .execution_arn(&arns[0])
        .error("Halt")
        .cause("by test")
        .send()
        .await
        .unwrap();
    assert!(stopped.stop_date.secs() > 0);
    let d = client
        .describe_execution()
        .execution_arn(&arns[0])
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, ExecutionStatus::Aborted);
    assert_eq!(d.error.as_deref(), Some("Halt"));
    let history = client
        .get_execution_history()
        .execution_arn(&arns[0])
        .send()
        .await
        .unwrap();
    assert_eq!(
        history.events.last().unwrap().r#type,
        HistoryEventType::ExecutionAborted
    );

    let running = client
        .list_executions()
        .state_machine_arn(&arn)
        .status_filter(ExecutionStatus::Running)
        .send()
        .await
        .unwrap();
    assert_eq!(running.executions.len(), 4);
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_executions()
            .state_machine_arn(&arn)
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        names.extend(page.executions.iter().map(|e| e.name.clone()));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, vec!["e4", "e3", "e2", "e1", "e0"], "newest first");
    let (code, _) = code_of(
        client
            .list_executions()
            .state_machine_arn(&arn)
            .next_token("garbage")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidToken");
    let sm = client
        .describe_state_machine_for_execution()
        .execution_arn(&arns[1])
        .send()
        .await
        .unwrap();
    assert_eq!(sm.definition, WAIT);
    assert_eq!(sm.role_arn, ROLE);
}

#[tokio::test]
async fn start_sync_execution_runs_express_machines() {
    let (_s, client) = setup().await;
    let arn = client
        .create_state_machine()
        .name("quick")
        .definition(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, 1)"},"End":true}}}"#)
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let r = client
        .start_sync_execution()
        .state_machine_arn(&arn)
        .input(r#"{"a": 41}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status, aws_sdk_sfn::types::SyncExecutionStatus::Succeeded);
    assert_eq!(r.output.as_deref(), Some(r#"{"sum":42}"#));
    assert!(r.execution_arn.contains(":express:quick:"));
    assert!(r.billing_details.unwrap().billed_duration_in_milliseconds >= 100);
    let standard = create_machine(&client, "slow", PASS).await;
    let (code, _) = code_of(
        client
            .start_sync_execution()
            .state_machine_arn(&standard)
            .send()
            .await,
    );
    assert_eq!(code, "StateMachineTypeNotSupported");
}

#[tokio::test]
async fn a_failed_execution_can_be_redriven() {
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "fails", FAILS).await;
    let s = client
        .start_execution()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let d = wait_done(&client, &s.execution_arn).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("Boom"));
    assert_eq!(
        d.redrive_status,
        Some(aws_sdk_sfn::types::ExecutionRedriveStatus::Redrivable)
    );
    client
        .redrive_execution()
        .execution_arn(&s.execution_arn)
        .send()
        .await
        .unwrap();
    let d = wait_done(&client, &s.execution_arn).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.redrive_count, Some(1));
    let events = client
        .get_execution_history()
        .execution_arn(&s.execution_arn)
        .send()
        .await
        .unwrap()
        .events;
    let types: Vec<String> = events
        .iter()
        .map(|e| e.r#type.as_str().to_string())
        .collect();
    assert_eq!(
        types,
        vec![
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "FailStateEntered",
            "ExecutionFailed",
            "ExecutionRedriven",
            "FailStateEntered",
            "ExecutionFailed"
        ],
        "the Pass state is not run again"
    );
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.id, i as i64 + 1);
    }
    let ok = create_machine(&client, "fine", PASS).await;
    let s = client
        .start_execution()
        .state_machine_arn(&ok)
        .send()
        .await
        .unwrap();
    wait_done(&client, &s.execution_arn).await;
    let (code, _) = code_of(
        client
            .redrive_execution()
            .execution_arn(&s.execution_arn)
            .send()
            .await,
    );
    assert_eq!(code, "ExecutionNotRedrivable");
}

#[tokio::test]
async fn test_state_runs_one_state() {
    let (_s, client) = setup().await;
    let r = client
        .test_state()
        .definition(r#"{"Type":"Pass","Parameters":{"x.$":"$.a"},"Next":"After"}"#)
        .role_arn(ROLE)
        .input(r#"{"a": 5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status,
        Some(aws_sdk_sfn::types::TestExecutionStatus::Succeeded)
    );
    assert_eq!(r.output.as_deref(), Some(r#"{"x":5}"#));
    assert_eq!(r.next_state.as_deref(), Some("After"));
    let r = client
        .test_state()
        .definition(r#"{"Type":"Fail","Error":"E","Cause":"C"}"#)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status,
        Some(aws_sdk_sfn::types::TestExecutionStatus::Failed)
    );
    assert_eq!(r.error.as_deref(), Some("E"));
}

#[tokio::test]
async fn a_distributed_map_leaves_a_map_run() {
    let (_s, client) = setup().await;
    let def = r#"{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
        "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
        "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}"#;
    let arn = create_machine(&client, "dist", def).await;
    let s = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(r#"{"items":[1,2,3]}"#)
        .send()
        .await
        .unwrap();
    let d = wait_done(&client, &s.execution_arn).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    let runs = client
        .list_map_runs()
        .execution_arn(&s.execution_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(runs.map_runs.len(), 1);
    let run_arn = runs.map_runs[0].map_run_arn.clone();
    let run = client
        .describe_map_run()
        .map_run_arn(&run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(run.status, aws_sdk_sfn::types::MapRunStatus::Succeeded);
    assert_eq!(run.execution_arn, s.execution_arn);
    client
        .update_map_run()
        .map_run_arn(&run_arn)
        .max_concurrency(5)
        .send()
        .await
        .unwrap();
    let run = client
        .describe_map_run()
        .map_run_arn(&run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(run.max_concurrency, 5);
    let (code, _) = code_of(
        client
            .describe_map_run()
            .map_run_arn(format!("{run_arn}x"))
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFound");
}

/// Three states that carry the input's `payload` on with a step number of their own.
const CARRY: &str = r#"{"StartAt":"S0","States":{
 "S0":{"Type":"Pass","Parameters":{"payload.$":"$.payload","step":0},"Next":"S1"},
 "S1":{"Type":"Pass","Parameters":{"payload.$":"$.payload","step":1},"Next":"S2"},
 "S2":{"Type":"Pass","Parameters":{"payload.$":"$.payload","step":2},"End":true}}}"#;

#[tokio::test]
async fn a_large_payload_reads_back_whole_from_every_event() {
    // Large enough to be stored apart from the events (see the store's payloads), with the
    // characters JSON escapes in it.
    let records: Vec<serde_json::Value> = (0..300)
        .map(|i| serde_json::json!({"id": i, "text": format!("line {i} \"q\" \\ \u{1} é")}))
        .collect();
    let payload = serde_json::json!({"records": records});
    let input = serde_json::json!({"payload": payload}).to_string();
    let (_s, client) = setup().await;
    let arn = create_machine(&client, "carry", CARRY).await;
    let started = client
        .start_execution()
        .state_machine_arn(&arn)
        .input(&input)
        .send()
        .await
        .unwrap();
    let d = wait_done(&client, &started.execution_arn).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(d.input.as_deref(), Some(input.as_str()));
    let output: serde_json::Value = serde_json::from_str(d.output.as_deref().unwrap()).unwrap();
    assert_eq!(output, serde_json::json!({"payload": payload, "step": 2}));
    // Metadata only: the status without the payloads.
    let bare = client
        .describe_execution()
        .execution_arn(&started.execution_arn)
        .included_data(aws_sdk_sfn::types::IncludedData::MetadataOnly)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status, ExecutionStatus::Succeeded);
    assert!(bare.input.is_none() && bare.output.is_none());

    let history = client
        .get_execution_history()
        .execution_arn(&started.execution_arn)
        .send()
        .await
        .unwrap();
    let mut seen = 0;
    for event in &history.events {
        let text = event
            .state_entered_event_details
            .as_ref()
            .and_then(|e| e.input.as_deref())
            .or_else(|| {
                event
                    .state_exited_event_details
                    .as_ref()
                    .and_then(|e| e.output.as_deref())
            })
            .or_else(|| {
                event
                    .execution_started_event_details
                    .as_ref()
                    .and_then(|e| e.input.as_deref())
            })
            .or_else(|| {
                event
                    .execution_succeeded_event_details
                    .as_ref()
                    .and_then(|e| e.output.as_deref())
            });
        let Some(text) = text else { continue };
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(value["payload"], payload, "event {}", event.id);
        seen += 1;
    }
    assert_eq!(seen, 8, "every event's input or output");
}
