//! The console's pages and endpoints over real HTTP, with executions run by the real runtime:
//! what each state's colour says, the timeline, Map iterations, history paging, live
//! streams, and bad input.

mod common;

use std::time::Duration;

use serde_json::{json, Value};

use common::{seg, Server};

/// A Parallel whose second branch fails while the first waits: the Catch takes the run to
/// Recover, then a Map doubles three items.
fn caught_definition() -> Value {
    json!({
        "StartAt": "Prepare",
        "States": {
            "Prepare": { "Type": "Pass", "Next": "Fanout" },
            "Fanout": {
                "Type": "Parallel",
                "Branches": [
                    { "StartAt": "Slow", "States": { "Slow": { "Type": "Wait", "Seconds": 2, "End": true } } },
                    { "StartAt": "Quick", "States": {
                        "Quick": { "Type": "Pass", "Next": "Boom" },
                        "Boom": { "Type": "Fail", "Error": "BoomError", "Cause": "it broke" } } }
                ],
                "Catch": [ { "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover" } ],
                "Next": "Done"
            },
            "Recover": { "Type": "Pass", "Next": "Items" },
            "Items": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": { "StartAt": "Double", "States": { "Double": { "Type": "Pass", "End": true } } },
                "ResultPath": "$.doubled",
                "Next": "Done"
            },
            "Done": { "Type": "Succeed" }
        }
    })
}

async fn progress(server: &Server, execution: &str, query: &str) -> Value {
    let answer = server
        .get(&format!("/executions/{}/progress{query}", seg(execution)))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn status_of(p: &Value, state: &str) -> String {
    p["states"][state]["status"]
        .as_str()
        .unwrap_or("not_reached")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_state_is_coloured_by_what_happened_to_it() {
    let server = common::start().await;
    let machine = server.create("caught", &caught_definition()).await;
    let execution = server
        .start_execution(&machine, &json!({ "items": [1, 2, 3] }))
        .await;
    let done = server.wait_done(&execution).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");

    let p = progress(&server, &execution, "").await;
    assert_eq!(p["status"], "SUCCEEDED");
    for (state, status) in [
        ("Prepare", "succeeded"),
        ("Fanout", "caught"),
        ("Slow", "cancelled"),
        ("Quick", "succeeded"),
        ("Boom", "failed"),
        ("Recover", "succeeded"),
        ("Items", "succeeded"),
        ("Double", "succeeded"),
        ("Done", "succeeded"),
    ] {
        assert_eq!(
            status_of(&p, state),
            status,
            "{state}: {}",
            p["states"][state]
        );
    }
    assert_eq!(p["states"]["Fanout"]["label"], "Caught error");
    assert_eq!(p["states"]["Double"]["visits"], 3);
    assert_eq!(p["states"]["Double"]["counts"]["Succeeded"], 3);

    // Map iterations, each with its lane; one iteration alone shows one visit of its body.
    let iterations = &p["iterations"]["Items"];
    assert_eq!(iterations["total"], 3);
    let listed = iterations["listed"].as_array().cloned().unwrap_or_default();
    let indexes: Vec<u64> = listed.iter().filter_map(|i| i["index"].as_u64()).collect();
    assert_eq!(indexes, [0, 1, 2]);
    assert!(
        listed.iter().all(|i| i["status"] == "succeeded"),
        "{listed:?}"
    );
    let lane = listed[1]["lane"]
        .as_str()
        .expect("lanes are text")
        .to_string();
    let one = progress(&server, &execution, &format!("?scope={lane}")).await;
    assert_eq!(one["states"]["Double"]["visits"], 1);
    assert_eq!(status_of(&one, "Double"), "succeeded");
    assert_eq!(
        status_of(&one, "Prepare"),
        "not_reached",
        "outside the iteration"
    );

    // The timeline: at event 4 Prepare had run and Fanout had just been entered.
    let early = progress(&server, &execution, "?at=4").await;
    assert_eq!(early["at"], 4);
    assert_eq!(early["atKind"], "ParallelStateEntered");
    assert_eq!(early["status"], "RUNNING");
    assert_eq!(status_of(&early, "Prepare"), "succeeded");
    assert_eq!(status_of(&early, "Fanout"), "in_progress");
    assert_eq!(status_of(&early, "Done"), "not_reached");

    // A state's details: input and output of its visit, read from the history.
    let detail = server
        .get(&format!(
            "/executions/{}/state?name=Recover",
            seg(&execution)
        ))
        .await
        .json();
    assert_eq!(detail["status"], "succeeded");
    let input: Value =
        serde_json::from_str(detail["input"].as_str().expect("an input")).expect("JSON");
    assert_eq!(input["error"]["Error"], "BoomError");
    assert_eq!(input["error"]["Cause"], "it broke");
    assert!(detail["enteredAt"]
        .as_str()
        .is_some_and(|t| t.ends_with("UTC")));
    let never = server
        .get(&format!("/executions/{}/state?name=Nope", seg(&execution)))
        .await
        .json();
    assert_eq!(never["status"], "not_reached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_execution_cancels_its_waiting_state_and_a_fail_state_fails() {
    let server = common::start().await;
    let machine = server
        .create(
            "waits",
            &json!({ "StartAt": "Hold", "States": {
                "Hold": { "Type": "Wait", "Seconds": 600, "Next": "Stop" },
                "Stop": { "Type": "Fail", "Error": "Never" } } }),
        )
        .await;
    let execution = server.start_execution(&machine, &json!({})).await;
    let mut p = progress(&server, &execution, "").await;
    for _ in 0..100 {
        if status_of(&p, "Hold") == "in_progress" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        p = progress(&server, &execution, "").await;
    }
    assert_eq!(status_of(&p, "Hold"), "in_progress");
    assert_eq!(p["states"]["Hold"]["label"], "In progress");
    server
        .api("StopExecution", json!({ "executionArn": execution }))
        .await;
    server.wait_done(&execution).await;
    let p = progress(&server, &execution, "").await;
    assert_eq!(p["status"], "ABORTED");
    assert_eq!(status_of(&p, "Hold"), "cancelled");

    let failing = server
        .create(
            "fails",
            &json!({ "StartAt": "Stop", "States": { "Stop": { "Type": "Fail", "Error": "Nope", "Cause": "why" } } }),
        )
        .await;
    let failed = server.start_execution(&failing, &json!({})).await;
    server.wait_done(&failed).await;
    let p = progress(&server, &failed, "").await;
    assert_eq!(p["status"], "FAILED");
    assert_eq!(status_of(&p, "Stop"), "failed");

    // The execution page says so in words.
    let page = server.get(&format!("/executions/{}", seg(&failed))).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(r#"data-status="FAILED""#),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Failed<"));
    assert!(page.body.contains("Nope"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_list_machines_with_counts_versions_and_paged_history() {
    let server = common::start().await;
    let definition = json!({
        "StartAt": "Each",
        "States": { "Each": { "Type": "Map", "ItemProcessor": {
            "StartAt": "Work", "States": { "Work": { "Type": "Pass", "End": true } } }, "End": true } }
    });
    let machine = server.create("paged", &definition).await;
    let items: Vec<u32> = (0..40).collect();
    let execution = server.start_execution(&machine, &json!(items)).await;
    server.wait_done(&execution).await;
    server
        .api(
            "PublishStateMachineVersion",
            json!({ "stateMachineArn": machine }),
        )
        .await;

    // The list: the machine with one succeeded execution.
    let list = server.get("/").await;
    assert_eq!(list.status, 200);
    assert!(
        list.content_type.starts_with("text/html"),
        "{}",
        list.content_type
    );
    assert!(list.body.contains(">paged</a>"));
    assert!(
        list.body
            .contains(r#"<td class="num" data-count="SUCCEEDED">1</td>"#),
        "{}",
        list.body
    );

    // The machine: graph, definition in JSON and YAML, the execution, the version.
    let page = server
        .get(&format!("/state-machines/{}", seg(&machine)))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches(r#"class="state"#).count(),
        2,
        "Each and Work"
    );
    assert!(page.body.contains("ItemProcessor:"), "the YAML view");
    assert!(
        page.body.contains(&format!("{machine}:1")),
        "the version is listed"
    );
    assert!(
        page.body.contains(&seg(&execution)),
        "the execution is listed"
    );
    let version = server
        .get(&format!("/state-machines/{}", seg(&format!("{machine}:1"))))
        .await;
    assert_eq!(version.status, 200, "{}", version.body);
    assert!(version.body.contains("version 1"));
    assert!(
        !version.body.contains("Edit definition"),
        "a version is read-only"
    );
    let filtered = server
        .get(&format!("/state-machines/{}?status=FAILED", seg(&machine)))
        .await;
    assert!(!filtered.body.contains(&seg(&execution)), "filtered out");
    assert!(filtered.body.contains("No executions."));

    // 40 iterations make 166 events: the page shows the first 100, the next page the rest.
    let page = server
        .get(&format!("/executions/{}", seg(&execution)))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches("data-event-id=").count(), 100);
    assert!(page.body.contains("Events 1–100 of 166"), "paging info");
    assert!(
        page.body.contains(r#"data-history-after="100""#),
        "a next page"
    );
    let next = server
        .get(&format!("/executions/{}/events?after=100", seg(&execution)))
        .await;
    assert_eq!(next.body.matches("data-event-id=").count(), 66);
    assert!(next.body.contains(r#"data-event-id="166""#));
    assert!(!next.body.contains("Next page"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_stream_sends_progress_until_the_execution_ends() {
    let server = common::start().await;
    let machine = server
        .create(
            "live",
            &json!({ "StartAt": "Hold", "States": {
                "Hold": { "Type": "Wait", "Seconds": 1, "Next": "Done" },
                "Done": { "Type": "Succeed" } } }),
        )
        .await;
    let execution = server.start_execution(&machine, &json!({})).await;
    // The stream ends by itself after the closing event, so reading to the end terminates.
    let stream = tokio::time::timeout(
        Duration::from_secs(20),
        server.get(&format!("/executions/{}/live", seg(&execution))),
    )
    .await
    .expect("the stream ends after the execution");
    assert!(
        stream.content_type.starts_with("text/event-stream"),
        "{}",
        stream.content_type
    );
    let updates: Vec<Value> = stream
        .body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).expect("JSON progress"))
        .collect();
    assert!(
        updates.len() >= 2,
        "at least the start and the end: {}",
        stream.body
    );
    assert!(
        updates
            .iter()
            .any(|u| status_of(u, "Hold") == "in_progress"),
        "{}",
        stream.body
    );
    let last = updates.last().expect("an update");
    assert_eq!(last["status"], "SUCCEEDED");
    assert_eq!(status_of(last, "Hold"), "succeeded");
    assert!(stream.body.contains("event: progress"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_errors_and_changes_nothing() {
    let server = common::start().await;
    let missing = "arn:aws:states:us-east-1:123456789012:execution:none:nothing";
    let page = server.get(&format!("/executions/{}", seg(missing))).await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("ExecutionDoesNotExist"), "{}", page.body);
    let page = server.get("/state-machines/not-an-arn").await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("InvalidArn"), "{}", page.body);
    let page = server
        .get(&format!("/executions/{}/progress?at=abc", seg(missing)))
        .await;
    assert!(page.status >= 400);

    // Definitions as YAML are converted for the API; broken text says why.
    let converted = server
        .request_text(
            "POST",
            "/console/definition-json",
            "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n",
        )
        .await;
    assert_eq!(converted.status, 200, "{}", converted.body);
    let definition: Value =
        serde_json::from_str(converted.json()["definition"].as_str().expect("text")).expect("JSON");
    assert_eq!(definition["States"]["A"]["Type"], "Pass");
    let broken = server
        .request_text("POST", "/console/definition-json", "{ \"StartAt\": ")
        .await;
    assert_eq!(broken.status, 400);
    assert!(broken.json()["message"]
        .as_str()
        .is_some_and(|m| m.contains("INVALID_JSON")));

    // The API the forms call refuses invalid input the same way it refuses an SDK.
    let machine = server
        .create(
            "strict",
            &json!({ "StartAt": "A", "States": { "A": { "Type": "Pass", "End": true } } }),
        )
        .await;
    let refused = server
        .api_raw(
            "StartExecution",
            json!({ "stateMachineArn": machine, "input": "{not json" }),
        )
        .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("InvalidExecutionInput"),
        "{}",
        refused.body
    );
    let listed = server
        .api("ListExecutions", json!({ "stateMachineArn": machine }))
        .await;
    assert_eq!(listed["executions"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_map_run_has_a_page_with_its_counts_and_children_and_each_child_its_own() {
    let server = common::start().await;
    let definition = json!({
        "StartAt": "Each",
        "States": { "Each": { "Type": "Map", "Label": "Rows", "ToleratedFailureCount": 1,
            "ItemProcessor": {
                "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                "StartAt": "Check",
                "States": {
                    "Check": { "Type": "Choice", "Choices": [
                        { "Variable": "$", "NumericEquals": 2, "Next": "Boom" }], "Default": "Work" },
                    "Boom": { "Type": "Fail", "Error": "Row.Bad" },
                    "Work": { "Type": "Pass", "End": true }
                } },
            "End": true } }
    });
    let machine = server.create("rows", &definition).await;
    let execution = server.start_execution(&machine, &json!([0, 1, 2, 3])).await;
    server.wait_done(&execution).await;

    // The execution's page links to its map run.
    let page = server
        .get(&format!("/executions/{}", seg(&execution)))
        .await;
    assert_eq!(page.status, 200);
    let runs = server
        .api("ListMapRuns", json!({ "executionArn": execution }))
        .await;
    let run = runs["mapRuns"][0]["mapRunArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        page.body.contains(&format!("/map-runs/{}", seg(&run))),
        "{}",
        page.body
    );

    // The map run's page: counts, progress, the failed child first, every child.
    let page = server.get(&format!("/map-runs/{}", seg(&run))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Map run Rows"));
    assert!(
        page.body.contains(r#"<td data-count="succeeded">3</td>"#),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"<td data-count="failed">1</td>"#));
    assert!(page.body.contains("4 of 4 child executions ended"));
    let children = server
        .api("ListExecutions", json!({ "mapRunArn": run }))
        .await;
    let children = children["executions"].as_array().unwrap().clone();
    assert_eq!(children.len(), 4);
    for child in &children {
        let arn = child["executionArn"].as_str().unwrap();
        assert!(page.body.contains(&seg(arn)), "the page links to {arn}");
    }
    let failed_section = page
        .body
        .split("id=\"failed-children\"")
        .nth(1)
        .unwrap_or("");
    let failed = children.iter().find(|c| c["status"] == "FAILED").unwrap();
    assert!(failed_section.contains(&seg(failed["executionArn"].as_str().unwrap())));

    // A child's page: its own graph (the Map's processor) and history, and a way back.
    let child = server
        .get(&format!(
            "/executions/{}",
            seg(failed["executionArn"].as_str().unwrap())
        ))
        .await;
    assert_eq!(child.status, 200, "{}", child.body);
    assert!(
        child.body.contains("Boom"),
        "the processor's states are drawn"
    );
    assert!(child.body.contains(&format!("/map-runs/{}", seg(&run))));
    assert!(child.body.contains("Row.Bad"));
}
