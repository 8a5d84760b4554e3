//! The `switchback` binary as a user runs it: exit codes, `--json`, mocks, validation.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_switchback"))
}

fn write(dir: &tempdir::Dir, name: &str, v: &Value) -> PathBuf {
    let p = dir.0.join(name);
    std::fs::write(&p, serde_json::to_string(v).expect("json")).expect("write");
    p
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new(tag: &str) -> Dir {
            let p =
                std::env::temp_dir().join(format!("switchback-cli-{tag}-{}", std::process::id()));
            std::fs::create_dir_all(&p).expect("mkdir");
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn task_machine() -> Value {
    json!({
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Charge",
                "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 30, "MaxAttempts": 2, "BackoffRate": 2}],
                "Catch": [{"ErrorEquals": ["Declined"], "ResultPath": "$.error", "Next": "Refused"}],
                "ResultPath": "$.charge",
                "Next": "Done"
            },
            "Refused": {"Type": "Pass", "End": true},
            "Done": {"Type": "Succeed"}
        }
    })
}

#[test]
fn run_with_mock_retries_then_succeeds_without_waiting() {
    let dir = tempdir::Dir::new("retry");
    let def = write(&dir, "m.json", &task_machine());
    let mock = write(
        &dir,
        "mock.json",
        &json!({"Charge": [
            {"Throw": {"Error": "Busy", "Cause": "try later"}},
            {"Throw": {"Error": "Busy", "Cause": "try later"}},
            {"Return": {"id": "ch_1"}}
        ]}),
    );
    let started = std::time::Instant::now();
    let out = bin()
        .args([
            "run",
            def.to_str().unwrap(),
            "--input",
            r#"{"amount": 5}"#,
            "--json",
            "--mock",
            mock.to_str().unwrap(),
        ])
        .output()
        .expect("run");
    assert!(
        started.elapsed().as_secs() < 20,
        "back-off of 30 s + 60 s must be skipped on the virtual clock"
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["status"], "SUCCEEDED");
    assert_eq!(v["output"], json!({"amount": 5, "charge": {"id": "ch_1"}}));
    let types: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == "LambdaFunctionScheduled")
            .count(),
        3
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == "LambdaFunctionFailed")
            .count(),
        2
    );
    // Ids are consecutive and every event follows an earlier one.
    for (i, e) in v["events"].as_array().unwrap().iter().enumerate() {
        assert_eq!(e["id"], json!(i + 1));
        assert!(e["previousEventId"].as_u64().unwrap() <= i as u64);
    }
}

#[test]
fn run_catches_a_named_error_and_exits_zero() {
    let dir = tempdir::Dir::new("catch");
    let def = write(&dir, "m.json", &task_machine());
    let mock = write(
        &dir,
        "mock.json",
        &json!({"Charge": {"Throw": {"Error": "Declined", "Cause": "card"}}}),
    );
    let out = bin()
        .args([
            "run",
            def.to_str().unwrap(),
            "--json",
            "--mock",
            mock.to_str().unwrap(),
        ])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["output"],
        json!({"error": {"Error": "Declined", "Cause": "card"}})
    );
    assert!(out.status.success());
}

#[test]
fn failed_execution_exits_one_with_error_and_cause() {
    let dir = tempdir::Dir::new("fail");
    let def = write(
        &dir,
        "m.json",
        &json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "because"}}}),
    );
    let out = bin()
        .args(["run", def.to_str().unwrap(), "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (
            v["status"].as_str(),
            v["error"].as_str(),
            v["cause"].as_str()
        ),
        (Some("FAILED"), Some("Boom"), Some("because"))
    );
}

#[test]
fn unmocked_task_fails_with_a_cause_that_says_what_to_do() {
    let dir = tempdir::Dir::new("unmocked");
    let def = write(&dir, "m.json", &task_machine());
    let out = bin()
        .args(["run", def.to_str().unwrap(), "--json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    // As AWS reports a function that does not exist, then what to do about it.
    assert_eq!(v["error"], "Lambda.ResourceNotFoundException");
    let cause = v["cause"].as_str().unwrap();
    assert!(cause.starts_with("Function not found: "), "{cause}");
    assert!(cause.contains("[functions.Charge]"), "{cause}");
    assert!(cause.contains("--mock"), "{cause}");

    // Other AWS services are never called: the cause says how to mock them.
    let sqs = write(
        &dir,
        "sqs.json",
        &json!({"StartAt": "Q", "States": {"Q": {"Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": true}}}),
    );
    let out = bin()
        .args(["run", sqs.to_str().unwrap(), "--json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["error"], "States.TaskFailed");
    assert!(
        v["cause"].as_str().unwrap().contains("--mock-config"),
        "{}",
        v["cause"]
    );
}

#[test]
fn run_calls_configured_functions() {
    let dir = tempdir::Dir::new("functions");
    let def = write(&dir, "m.json", &task_machine());
    std::fs::write(
        dir.0.join("charge.py"),
        "import json, sys\n\
         e = json.load(sys.stdin)\n\
         if e.get('amount', 0) > 100:\n\
         \x20   print(json.dumps({'errorType': 'Declined', 'errorMessage': 'too much'}))\n\
         \x20   sys.exit(1)\n\
         print(json.dumps({'charged': e.get('amount', 0)}))\n",
    )
    .expect("write the function");
    let config = dir.0.join("switchback.toml");
    std::fs::write(
        &config,
        "[functions.Charge]\ncommand = [\"python3\", \"charge.py\"]\n",
    )
    .expect("write the config");
    let run = |input: &str| -> Value {
        let out = bin()
            .args(["run", def.to_str().unwrap(), "--json", "--input", input])
            .args(["--config", config.to_str().unwrap()])
            .output()
            .expect("run");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let ok = run(r#"{"amount": 5}"#);
    assert_eq!(ok["status"], "SUCCEEDED", "{ok}");
    assert_eq!(ok["output"]["charge"], json!({"charged": 5}));
    let declined = run(r#"{"amount": 500}"#);
    assert_eq!(declined["status"], "SUCCEEDED", "{declined}");
    assert_eq!(declined["output"]["error"]["Error"], "Declined");
}

#[test]
fn bad_task_configuration_is_refused_at_start_naming_file_and_field() {
    let dir = tempdir::Dir::new("badconfig");
    let def = write(&dir, "m.json", &task_machine());
    let config = dir.0.join("switchback.toml");
    std::fs::write(&config, "[functions.Charge]\ntimeout_seconds = 3\n").expect("write");
    let out = bin()
        .args([
            "run",
            def.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("switchback.toml") && err.contains("functions.Charge"),
        "{err}"
    );

    // The server refuses the same file, and a malformed mock configuration, before serving.
    let out = bin()
        .args(["serve", "--in-memory", "--listen", "127.0.0.1:0"])
        .args(["--config", config.to_str().unwrap()])
        .output()
        .expect("serve");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("functions.Charge"), "{err}");

    let mocks = write(
        &dir,
        "mocks.json",
        &json!({"StateMachines": {"M": {"TestCases": {"Happy": {"Charge": "Missing"}}}},
                "MockedResponses": {}}),
    );
    let out = bin()
        .args(["serve", "--in-memory", "--listen", "127.0.0.1:0"])
        .args(["--mock-config", mocks.to_str().unwrap()])
        .env_remove("SWITCHBACK_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("serve");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mocks.json") && err.contains("StateMachines.M.TestCases.Happy"),
        "{err}"
    );
}

#[test]
fn payload_limit_is_enforced_and_configurable() {
    let dir = tempdir::Dir::new("limit");
    let def = write(
        &dir,
        "m.json",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
    );
    let big = format!(r#"{{"s": "{}"}}"#, "x".repeat(1000));
    let small = bin()
        .args([
            "run",
            def.to_str().unwrap(),
            "--json",
            "--input",
            &big,
            "--max-payload-bytes",
            "100",
        ])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&small.stdout).expect("json");
    assert_eq!(v["error"], "States.DataLimitExceeded");
    let ok = bin()
        .args(["run", def.to_str().unwrap(), "--input", &big])
        .output()
        .expect("run");
    assert!(ok.status.success());
}

#[test]
fn yaml_definitions_run() {
    let dir = tempdir::Dir::new("yaml");
    let p = dir.0.join("m.yaml");
    std::fs::write(
        &p,
        "StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: {hello: world}\n    End: true\n",
    )
    .unwrap();
    let out = bin()
        .args(["run", p.to_str().unwrap(), "--json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["output"], json!({"hello": "world"}));
}

#[test]
fn validate_lists_every_fault_with_its_path() {
    let dir = tempdir::Dir::new("validate");
    let def = write(
        &dir,
        "bad.json",
        &json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "Nowhere"},
                "B": {"Type": "Wait", "End": true}
            }
        }),
    );
    let out = bin()
        .args(["validate", def.to_str().unwrap()])
        .output()
        .expect("validate");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("/States/A/Next"), "{text}");
    assert!(text.contains("/States/B"), "{text}");
    let good = write(
        &dir,
        "good.json",
        &json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
    );
    let out = bin()
        .args(["validate", good.to_str().unwrap()])
        .output()
        .expect("validate");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "valid");
}

#[test]
fn bad_input_is_a_usage_error_not_a_crash() {
    let dir = tempdir::Dir::new("badinput");
    let def = write(
        &dir,
        "m.json",
        &json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
    );
    let out = bin()
        .args(["run", def.to_str().unwrap(), "--input", "{not json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("InvalidExecutionInput"));
    let garbage = dir.0.join("garbage.json");
    std::fs::write(&garbage, "{\"StartAt\": ").unwrap();
    let out = bin()
        .args(["run", garbage.to_str().unwrap()])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bench_prints_the_figures() {
    let dir = tempdir::Dir::new("bench");
    let def = write(
        &dir,
        "m.json",
        &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": true}}}),
    );
    let out = bin()
        .args([
            "bench",
            def.to_str().unwrap(),
            "--executions",
            "50",
            "--json",
        ])
        .output()
        .expect("bench");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["executions_per_s"].as_f64().unwrap() > 0.0);
    let per_exec =
        v["state_transitions_per_s"].as_f64().unwrap() / v["executions_per_s"].as_f64().unwrap();
    assert!(
        (per_exec - 2.0).abs() < 1e-6,
        "two states per execution, got {per_exec}"
    );
}

#[test]
fn run_takes_the_execution_type_name_and_start_time_the_server_would_give() {
    let dir = tempdir::Dir::new("context");
    let def = write(
        &dir,
        "ctx.json",
        &json!({"StartAt": "S", "States": {"S": {"Type": "Pass", "End": true, "Parameters": {
            "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name",
            "start.$": "$$.Execution.StartTime"}}}}),
    );
    let out = bin()
        .arg("run")
        .arg(&def)
        .args([
            "--type",
            "EXPRESS",
            "--name",
            "nightly",
            "--start-time",
            "2025-03-01T10:00:00Z",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let id = v["id"].as_str().unwrap_or_default();
    assert!(
        id.starts_with("arn:aws:states:us-east-1:123456789012:express:ctx:nightly:"),
        "{id}"
    );
    assert_eq!(v["name"], "nightly");
    assert_eq!(v["start"], "2025-03-01T10:00:00.000Z");
    let standard = bin()
        .arg("run")
        .arg(&def)
        .args(["--name", "daily"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&standard.stdout).expect("json");
    assert_eq!(
        v["id"],
        "arn:aws:states:us-east-1:123456789012:execution:ctx:daily"
    );
    let bad = bin()
        .arg("run")
        .arg(&def)
        .args(["--start-time", "yesterday"])
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an RFC 3339 time"));
}

/// A SAM template whose state machine's substitutions are intrinsic functions.
fn sam_project(dir: &tempdir::Dir) -> PathBuf {
    std::fs::create_dir_all(dir.0.join("statemachine")).expect("mkdir");
    std::fs::write(
        dir.0.join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31\n\
         Resources:\n\
         \x20 OrdersTable:\n\
         \x20   Type: AWS::Serverless::SimpleTable\n\
         \x20 ValidateFunction:\n\
         \x20   Type: AWS::Serverless::Function\n\
         \x20 OrderMachine:\n\
         \x20   Type: AWS::Serverless::StateMachine\n\
         \x20   Properties:\n\
         \x20     DefinitionUri: statemachine/order.asl.json\n\
         \x20     DefinitionSubstitutions:\n\
         \x20       ValidateArn: !GetAtt ValidateFunction.Arn\n\
         \x20       TableName: !Ref OrdersTable\n",
    )
    .expect("template");
    write(
        dir,
        "statemachine/order.asl.json",
        &json!({"StartAt": "Validate", "States": {
            "Validate": {"Type": "Task", "Resource": "${ValidateArn}", "ResultPath": "$.valid", "Next": "Save"},
            "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "${TableName}", "Item": {"id": {"S.$": "$.id"}}}, "End": true}}}),
    );
    dir.0.join("template.yaml")
}

#[test]
fn a_state_machine_runs_from_its_sam_template_with_placeholders_filled() {
    let dir = tempdir::Dir::new("sam");
    let template = sam_project(&dir);
    let mock = write(
        &dir,
        "mock.json",
        &json!({"Validate": {"Return": true}, "Save": {"Return": {}}}),
    );
    let out = bin()
        .arg("run")
        .arg("--template")
        .arg(&template)
        .args([
            "--resource",
            "OrderMachine",
            "--input",
            r#"{"id": "7"}"#,
            "--json",
        ])
        .arg("--mock")
        .arg(&mock)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let scheduled: Vec<&Value> = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"] == "TaskScheduled")
        .collect();
    assert_eq!(
        scheduled[0]["taskScheduledEventDetails"]["parameters"],
        r#"{"TableName":"OrdersTable","Item":{"id":{"S":"7"}}}"#
    );
    // The GetAtt's stand-in is a function ARN: the definition validates.
    let valid = bin()
        .arg("validate")
        .arg("--template")
        .arg(&template)
        .args(["--resource", "OrderMachine"])
        .output()
        .expect("validate");
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stdout)
    );
    // The definition file alone has its placeholders: --sub fills them.
    let def = dir.0.join("statemachine/order.asl.json");
    let unfilled = bin().arg("validate").arg(&def).output().expect("validate");
    assert_eq!(unfilled.status.code(), Some(1));
    let filled = bin()
        .arg("validate")
        .arg(&def)
        .args([
            "--sub",
            "ValidateArn=arn:aws:lambda:us-east-1:123456789012:function:v",
            "--sub",
            "TableName=orders",
        ])
        .output()
        .expect("validate");
    assert!(
        filled.status.success(),
        "{}",
        String::from_utf8_lossy(&filled.stdout)
    );
    let missing = bin()
        .arg("graph")
        .arg("--template")
        .arg(&template)
        .args(["--resource", "Nope"])
        .output()
        .expect("graph");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("its state machines: OrderMachine"));
}
