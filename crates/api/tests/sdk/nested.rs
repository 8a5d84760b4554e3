//! Nested state machines through the SDK: `states:startExecution`, `.sync` (output as a JSON
//! string), `.sync:2` (output as JSON), a failing child, and a stop that reaches the child.

use std::time::{Duration, Instant};

use aws_sdk_sfn::types::ExecutionStatus;
use aws_sdk_sfn::Client;
use serde_json::{json, Value};

use crate::callbacks::wait_done;
use crate::{create_machine, setup};

fn parent(resource: &str, child: &str, catch: bool) -> String {
    let task = json!({
        "Type": "Task",
        "Resource": resource,
        "Parameters": {
            "StateMachineArn": child,
            "Input": {"value.$": "$.value", "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}
        },
        "End": true
    });
    let mut states = json!({"Child": task});
    if catch {
        states["Child"]["Catch"] =
            json!([{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]);
        states["Caught"] = json!({"Type": "Pass", "End": true});
    }
    json!({"StartAt": "Child", "States": states}).to_string()
}

async fn run(client: &Client, machine: &str, input: &str) -> (String, Value) {
    let arn = client
        .start_execution()
        .state_machine_arn(machine)
        .input(input)
        .send()
        .await
        .expect("start")
        .execution_arn;
    let d = wait_done(client, &arn, Duration::from_secs(15)).await;
    let body = json!({
        "status": d.status.as_str(),
        "output": d.output.as_deref().map(|o| serde_json::from_str::<Value>(o).unwrap()),
        "error": d.error,
    });
    (arn, body)
}

#[tokio::test]
async fn sync_and_sync2_wait_for_the_child_and_return_its_output() {
    let (_s, client) = setup().await;
    let child = create_machine(
        &client,
        "child",
        r#"{"StartAt":"Double","States":{"Double":{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.value, $.value)"},"End":true}}}"#,
    )
    .await;

    let sync = create_machine(
        &client,
        "parent-sync",
        &parent("arn:aws:states:::states:startExecution.sync", &child, false),
    )
    .await;
    let (_, out) = run(&client, &sync, r#"{"value": 21}"#).await;
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    let result = &out["output"];
    assert_eq!(result["Status"], "SUCCEEDED");
    assert_eq!(
        result["Output"],
        json!(r#"{"doubled":42}"#),
        ".sync gives the output as a string"
    );
    assert_eq!(result["StateMachineArn"], json!(child));
    assert!(result["StartDate"].is_number() && result["StopDate"].is_number());

    let sync2 = create_machine(
        &client,
        "parent-sync2",
        &parent(
            "arn:aws:states:::states:startExecution.sync:2",
            &child,
            false,
        ),
    )
    .await;
    let (parent_arn, out) = run(&client, &sync2, r#"{"value": 5}"#).await;
    assert_eq!(
        out["output"]["Output"],
        json!({"doubled": 10}),
        ".sync:2 gives JSON"
    );
    assert_eq!(
        out["output"]["Input"]["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"],
        json!(parent_arn)
    );

    let fire = create_machine(
        &client,
        "parent-fire",
        &parent("arn:aws:states:::states:startExecution", &child, false),
    )
    .await;
    let (_, out) = run(&client, &fire, r#"{"value": 1}"#).await;
    let child_arn = out["output"]["ExecutionArn"]
        .as_str()
        .expect("ExecutionArn")
        .to_string();
    assert!(child_arn.contains(":execution:child:"), "{child_arn}");
    let d = wait_done(&client, &child_arn, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
}

#[tokio::test]
async fn a_failed_child_fails_the_sync_task_with_states_task_failed() {
    let (_s, client) = setup().await;
    let child = create_machine(
        &client,
        "failing-child",
        r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Broken","Cause":"child broke"}}}"#,
    )
    .await;
    let machine = create_machine(
        &client,
        "catches",
        &parent(
            "arn:aws:states:::states:startExecution.sync:2",
            &child,
            true,
        ),
    )
    .await;
    let (_, out) = run(&client, &machine, r#"{"value": 1}"#).await;
    assert_eq!(out["status"], "SUCCEEDED", "{out}");
    assert_eq!(out["output"]["Error"], "States.TaskFailed");
    let cause: Value = serde_json::from_str(out["output"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["Status"], "FAILED");
    assert_eq!(cause["Error"], "Broken");
    assert_eq!(cause["Cause"], "child broke");

    let missing = create_machine(
        &client,
        "missing-child",
        &parent(
            "arn:aws:states:::states:startExecution.sync",
            "arn:aws:states:us-east-1:123456789012:stateMachine:nope",
            false,
        ),
    )
    .await;
    let (_, out) = run(&client, &missing, r#"{"value": 1}"#).await;
    assert_eq!(out["status"], "FAILED");
    assert_eq!(
        out["error"],
        "StepFunctions.StateMachineDoesNotExistException"
    );
}

#[tokio::test]
async fn stopping_the_parent_stops_the_child() {
    let (_s, client) = setup().await;
    let child = create_machine(
        &client,
        "slow-child",
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":300,"End":true}}}"#,
    )
    .await;
    let machine = create_machine(
        &client,
        "stopped-parent",
        &parent("arn:aws:states:::states:startExecution.sync", &child, false),
    )
    .await;
    let arn = client
        .start_execution()
        .state_machine_arn(&machine)
        .input(r#"{"value": 1}"#)
        .send()
        .await
        .expect("start")
        .execution_arn;
    // Wait for the child to run.
    let deadline = Instant::now() + Duration::from_secs(10);
    let child_arn = loop {
        let list = client
            .list_executions()
            .state_machine_arn(&child)
            .send()
            .await
            .expect("list");
        if let Some(e) = list.executions.first() {
            break e.execution_arn.clone();
        }
        assert!(Instant::now() < deadline, "the child never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    client
        .stop_execution()
        .execution_arn(&arn)
        .send()
        .await
        .expect("stop");
    let d = wait_done(&client, &child_arn, Duration::from_secs(10)).await;
    assert_eq!(d.status, ExecutionStatus::Aborted);
}
