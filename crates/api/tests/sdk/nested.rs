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
    // As on AWS, a `.sync` result is the child's description, without the HTTP metadata.
    assert!(result.get("SdkHttpMetadata").is_none(), "{result}");
    assert!(result.get("SdkResponseMetadata").is_none(), "{result}");

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
    // StartExecution's answer with its HTTP metadata, as AWS's SDK gives it: the headers Step
    // Functions' endpoint sends, Content-Length the length of the API's JSON body.
    let result = &out["output"];
    let keys: Vec<&String> = result.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ExecutionArn",
            "SdkHttpMetadata",
            "SdkResponseMetadata",
            "StartDate"
        ],
        "{result}"
    );
    let http = &result["SdkHttpMetadata"];
    assert_eq!(http["HttpStatusCode"], 200);
    let headers: Vec<&String> = http["HttpHeaders"].as_object().unwrap().keys().collect();
    assert_eq!(
        headers,
        [
            "connection",
            "Content-Length",
            "Content-Type",
            "Date",
            "x-amzn-RequestId"
        ]
    );
    let all: Vec<&String> = http["AllHttpHeaders"].as_object().unwrap().keys().collect();
    assert_eq!(
        all,
        [
            "x-amzn-RequestId",
            "connection",
            "Content-Length",
            "Date",
            "Content-Type"
        ]
    );
    let start_millis = result["StartDate"]
        .as_i64()
        .expect("StartDate in milliseconds");
    let body = json!({
        "executionArn": child_arn,
        "startDate": start_millis as f64 / 1000.0,
    })
    .to_string();
    assert_eq!(
        http["HttpHeaders"]["Content-Length"],
        json!(body.len().to_string()),
        "{body}"
    );
    assert_eq!(
        http["AllHttpHeaders"]["Content-Length"],
        json!([body.len().to_string()])
    );
    assert_eq!(
        http["HttpHeaders"]["Content-Type"],
        "application/x-amz-json-1.0"
    );
    let date = http["HttpHeaders"]["Date"].as_str().unwrap();
    assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
    let request_id = &result["SdkResponseMetadata"]["RequestId"];
    assert_eq!(request_id.as_str().map(str::len), Some(36), "{request_id}");
    assert_eq!(&http["HttpHeaders"]["x-amzn-RequestId"], request_id);
    assert_eq!(
        http["AllHttpHeaders"]["x-amzn-RequestId"],
        json!([request_id])
    );
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
