//! Parallel branches and Map iterations take turns in a one-shot run (`switchback run`) as they
//! do on a server: a task answered by a mock lets the other strands go on, up to their own
//! tasks and waits, before its own strand does. So a branch that fails at once does not stop
//! branches that a server would already have entered (a quorum), and a Map's iterations all
//! start before the first one's task answers.

mod support;

use support::*;
use switchback_engine::ExecutionOutcome;
use switchback_json::{json, Json};

const VOTE: &str = "arn:aws:lambda:us-east-1:123456789012:function:vote";

/// Each event as (type, state): the state named by a `*StateEntered`/`*StateExited` event, the
/// state a task event belongs to (found by following `previousEventId` back to its
/// `TaskStateEntered`), or "" for the others.
fn trace(outcome: &ExecutionOutcome) -> Vec<(String, String)> {
    let json = outcome.to_json();
    let events = json["events"].as_array().expect("events").clone();
    let by_id = |id: u64| events.iter().find(|e| e["id"] == id);
    let name_of = |e: &serde_json::Value| -> Option<String> {
        ["stateEnteredEventDetails", "stateExitedEventDetails"]
            .iter()
            .find_map(|d| e[*d]["name"].as_str().map(str::to_string))
    };
    events
        .iter()
        .map(|e| {
            let kind = e["type"].as_str().unwrap_or_default().to_string();
            let state = match name_of(e) {
                Some(name) => name,
                None if kind.starts_with("LambdaFunction") => {
                    let mut at = e;
                    loop {
                        match by_id(at["previousEventId"].as_u64().unwrap_or(0)) {
                            Some(p) if p["type"] == "TaskStateEntered" => {
                                break name_of(p).unwrap_or_default()
                            }
                            Some(p) => at = p,
                            None => break String::new(),
                        }
                    }
                }
                None => String::new(),
            };
            (kind, state)
        })
        .collect()
}

/// Where `(kind, state)` first is in `trace`.
fn position(trace: &[(String, String)], kind: &str, state: &str) -> usize {
    trace
        .iter()
        .position(|(k, s)| k == kind && s == state)
        .unwrap_or_else(|| panic!("no {kind} of {state:?} in {trace:#?}"))
}

fn task(name: &str, next: &str) -> Json {
    json!({"Type": "Task", "Resource": VOTE, "Next": next, "Comment": name})
}

#[test]
fn a_mocked_task_lets_the_other_branches_enter_their_states() {
    let definition = json!({
        "StartAt": "P",
        "States": {"P": {
            "Type": "Parallel",
            "End": true,
            "Branches": [
                {"StartAt": "A1", "States": {"A1": task("A1", "A2"), "A2": {"Type": "Pass", "End": true}}},
                {"StartAt": "B1", "States": {"B1": task("B1", "B2"), "B2": {"Type": "Pass", "End": true}}}
            ]
        }}
    });
    let outcome = run_mocked(
        definition,
        json!({}),
        json!({"A1": {"Return": "a"}, "B1": {"Return": "b"}}),
    );
    assert_succeeded(&outcome, &json!(["a", "b"]));
    assert_well_linked(&outcome);
    // The order `switchback serve` records for this definition with these mocks.
    let expected = [
        ("ExecutionStarted", ""),
        ("ParallelStateEntered", "P"),
        ("ParallelStateStarted", ""),
        ("TaskStateEntered", "A1"),
        ("LambdaFunctionScheduled", "A1"),
        ("LambdaFunctionStarted", "A1"),
        ("TaskStateEntered", "B1"),
        ("LambdaFunctionScheduled", "B1"),
        ("LambdaFunctionStarted", "B1"),
        ("LambdaFunctionSucceeded", "A1"),
        ("TaskStateExited", "A1"),
        ("PassStateEntered", "A2"),
        ("PassStateExited", "A2"),
        ("LambdaFunctionSucceeded", "B1"),
        ("TaskStateExited", "B1"),
        ("PassStateEntered", "B2"),
        ("PassStateExited", "B2"),
        ("ParallelStateSucceeded", ""),
        ("ParallelStateExited", "P"),
        ("ExecutionSucceeded", ""),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, s)| (k.to_string(), s.to_string()))
        .collect();
    assert_eq!(trace(&outcome), expected);
}

/// Three voters; the first "yes" ends the Parallel (a Fail caught around it). Every voter is
/// asked before the first answer comes, as on a server, and the vote still out when the
/// quorum is reached is stopped.
fn quorum() -> Json {
    let branch = |n: u32| {
        json!({
            "StartAt": format!("Vote{n}"),
            "States": {
                format!("Vote{n}"): {"Type": "Task", "Resource": VOTE, "ResultPath": "$.vote", "Next": format!("Check{n}")},
                format!("Check{n}"): {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.vote", "StringEquals": "yes", "Next": format!("Reached{n}")}],
                    "Default": format!("Abstain{n}")
                },
                format!("Reached{n}"): {"Type": "Fail", "Error": "Quorum.Reached", "Cause": format!("voter {n}")},
                format!("Abstain{n}"): {"Type": "Succeed"}
            }
        })
    };
    json!({
        "StartAt": "Quorum",
        "States": {
            "Quorum": {
                "Type": "Parallel",
                "Branches": [branch(1), branch(2), branch(3)],
                "Catch": [{"ErrorEquals": ["Quorum.Reached"], "ResultPath": "$.quorum", "Next": "Decided"}],
                "Next": "Undecided"
            },
            "Decided": {"Type": "Pass", "End": true},
            "Undecided": {"Type": "Fail", "Error": "No.Quorum"}
        }
    })
}

fn run_quorum() -> ExecutionOutcome {
    run_mocked(
        quorum(),
        json!({}),
        json!({
            "Vote1": {"Return": "no"},
            "Vote2": {"Return": "yes"},
            "Vote3": {"Return": "yes"}
        }),
    )
}

#[test]
fn a_quorum_enters_every_branch_before_the_first_answer_ends_it() {
    let outcome = run_quorum();
    assert_succeeded(
        &outcome,
        &json!({"quorum": {"Error": "Quorum.Reached", "Cause": "voter 2"}}),
    );
    assert_well_linked(&outcome);
    let trace = trace(&outcome);
    let first_answer = position(&trace, "LambdaFunctionSucceeded", "Vote1");
    for n in 1..=3 {
        assert!(
            position(&trace, "TaskStateEntered", &format!("Vote{n}")) < first_answer,
            "voter {n} is asked before the first answer: {trace:#?}"
        );
    }
    position(&trace, "FailStateEntered", "Reached2");
    position(&trace, "ParallelStateFailed", "");
    // Voter 3 was stopped with the Parallel: its answer is never recorded.
    assert!(
        !trace
            .iter()
            .any(|(k, s)| k == "LambdaFunctionSucceeded" && s == "Vote3"),
        "{trace:#?}"
    );
}

#[test]
fn interleaved_runs_give_the_same_history_every_time() {
    let shape = |o: &ExecutionOutcome| -> Vec<Json> {
        o.to_json()["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| json!([e["type"], e["id"], e["previousEventId"]]))
            .collect()
    };
    let first = shape(&run_quorum());
    for _ in 0..5 {
        assert_eq!(shape(&run_quorum()), first);
    }
}

fn work_map(max_concurrency: u64) -> Json {
    json!({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": max_concurrency,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": VOTE, "End": true}}
            },
            "End": true
        }}
    })
}

#[test]
fn every_map_iteration_starts_before_the_first_one_fails_the_map() {
    let outcome = run_mocked(
        work_map(0),
        json!({"items": [0, 1, 2]}),
        json!({"Work": [
            {"Throw": {"Error": "Work.Failed", "Cause": "the first call fails"}},
            {"Return": "ok"}
        ]}),
    );
    assert_failed(&outcome, "Work.Failed");
    let trace = trace(&outcome);
    let started: Vec<usize> = trace
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| k == "MapIterationStarted")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(started.len(), 3, "{trace:#?}");
    let failed = position(&trace, "LambdaFunctionFailed", "Work");
    assert!(started.iter().all(|&i| i < failed), "{trace:#?}");
}

#[test]
fn max_concurrency_still_bounds_the_iterations_under_way() {
    let outcome = run_mocked(
        work_map(2),
        json!({"items": [0, 1, 2, 3]}),
        json!({"Work": {"Return": "ok"}}),
    );
    assert_succeeded(&outcome, &json!(["ok", "ok", "ok", "ok"]));
    assert_well_linked(&outcome);
    let trace = trace(&outcome);
    let all = |kind: &str| -> Vec<usize> {
        trace
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| k == kind)
            .map(|(i, _)| i)
            .collect()
    };
    let (started, answered, done) = (
        all("MapIterationStarted"),
        all("LambdaFunctionSucceeded"),
        all("MapIterationSucceeded"),
    );
    assert_eq!((started.len(), done.len()), (4, 4), "{trace:#?}");
    // Two iterations start together; the third only once one of them is done.
    assert!(started[1] < answered[0], "{trace:#?}");
    assert!(started[2] > done[0], "{trace:#?}");
}

#[test]
fn a_branch_that_waits_lets_the_others_finish() {
    let outcome = run_mocked(
        json!({
            "StartAt": "P",
            "States": {"P": {
                "Type": "Parallel",
                "End": true,
                "Branches": [
                    {"StartAt": "Sleep", "States": {"Sleep": {"Type": "Wait", "Seconds": 60, "Next": "A2"}, "A2": {"Type": "Pass", "End": true}}},
                    {"StartAt": "B1", "States": {"B1": task("B1", "B2"), "B2": task("B2", "B3"), "B3": {"Type": "Pass", "End": true}}}
                ]
            }}
        }),
        json!({}),
        json!({"B1": {"Return": 1}, "B2": {"Return": 2}}),
    );
    assert_succeeded(&outcome, &json!([{}, 2]));
    let trace = trace(&outcome);
    assert!(
        position(&trace, "PassStateExited", "B3") < position(&trace, "WaitStateExited", "Sleep"),
        "{trace:#?}"
    );
}
