//! `switchback test` as a user runs it: test files found and run, each case reported with its
//! misses, exit 1 on any failure, JUnit XML for CI, and mistakes in a test file caught.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_switchback"))
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/order-processing")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A directory removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("switchback-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("mkdir");
        Dir(p)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_example_suite_passes() {
    let out = bin()
        .arg("test")
        .arg(examples().join("order.test.yaml"))
        .output()
        .expect("run");
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("PASS  an order in stock is paid for after one retry and shipped"),
        "{text}"
    );
    assert!(
        text.contains("3 case(s) in 1 file(s): 3 passed, 0 failed"),
        "{text}"
    );
    assert!(
        text.contains("order.asl.json: 7/7 states, 2/2 choice branches, 1/1 catches, 1/1 retries"),
        "{text}"
    );
    assert!(!text.contains("not covered"), "{text}");
}

#[test]
fn what_a_suite_misses_is_listed_and_drawn() {
    let dir = Dir::new("coverage");
    let out = bin()
        .arg("test")
        .arg(examples().join("failing.test.yaml"))
        .arg("--coverage-svg")
        .arg(&dir.0)
        .output()
        .expect("run");
    let text = stdout(&out);
    assert!(
        text.contains("order.asl.json: 4/7 states, 1/2 choice branches, 0/1 catches, 1/1 retries"),
        "{text}"
    );
    assert!(
        text.contains("    - branch 'In Stock?' -> 'OutOfStock' (Default)"),
        "{text}"
    );
    assert!(
        text.contains("    - catch 0 of 'Process Payment' -> 'Payment Failed'"),
        "{text}"
    );
    assert!(text.contains("    - state 'Ship Order'"), "{text}");
    let svg = std::fs::read_to_string(dir.0.join("order.coverage.svg")).expect("the drawing");
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(
        svg.contains(r#"g[data-state="Ship Order"]>.box{stroke:#d13212"#),
        "{svg}"
    );
    assert!(
        svg.contains(r#"g.edge[data-from="In Stock?"][data-to="OutOfStock"] .line"#),
        "{svg}"
    );
    assert!(
        !svg.contains(r#"g[data-state="Process Payment"]>.box"#),
        "{svg}"
    );
}

#[test]
fn a_failing_case_is_reported_with_its_misses_exits_one_and_goes_to_junit() {
    let dir = Dir::new("failing");
    let junit = dir.0.join("results.xml");
    let out = bin()
        .arg("test")
        .arg(examples().join("failing.test.yaml"))
        .arg("--junit")
        .arg(&junit)
        .output()
        .expect("run");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL  the payment service is down for good"),
        "{text}"
    );
    assert!(
        text.contains("- status: expected SUCCEEDED, got FAILED (PaymentServiceUnavailable: the payment service did not answer)"),
        "{text}"
    );
    assert!(
        text.contains("- calls of 'Process Payment': expected 1, got 3"),
        "{text}"
    );
    assert!(text.contains("0 passed, 1 failed"), "{text}");
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file");
    assert!(xml.contains("tests=\"1\" failures=\"1\""), "{xml}");
    assert!(
        xml.contains("<failure message=\"status: expected SUCCEEDED"),
        "{xml}"
    );
}

const MACHINE: &str = r#"{
  "StartAt": "Charge",
  "States": {
    "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Charge",
               "ResultPath": "$.charge", "Next": "Stamp"},
    "Stamp": {"Type": "Pass", "Parameters": {"charge.$": "$.charge", "name.$": "$$.Execution.Name",
              "started.$": "$$.Execution.StartTime"}, "End": true}
  }
}"#;

#[test]
fn test_files_are_found_in_directories_and_their_mistakes_reported() {
    let dir = Dir::new("found");
    dir.write("billing/charge.asl.json", MACHINE);
    // Found by its name beside the definition; context and an AWS-form mock file.
    dir.write(
        "billing/charge.test.yaml",
        r#"
cases:
  - name: the context is the case's
    mocks: {Charge: {Return: {ok: true}}}
    context: {execution_name: nightly, start_time: "2024-02-29T12:00:00Z"}
    expect:
      output: {charge: {ok: true}, name: nightly, started: "2024-02-29T12:00:00.000Z"}
  - name: an AWS mock file
    mock_file: aws-mocks.json
    test_case: Declined
    expect: {status: FAILED, error: Card.Declined}
"#,
    );
    dir.write(
        "billing/aws-mocks.json",
        r#"{"StateMachines": {"charge": {"TestCases": {"Declined": {"Charge": "Decline"}}}},
            "MockedResponses": {"Decline": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "no"}}}}}"#,
    );
    // A misspelt mock, and a Task state with no mock at all.
    dir.write(
        "billing/typos.test.json",
        r#"{"definition": "charge.asl.json", "cases": [
            {"name": "misspelt", "mocks": {"Chrage": {"Return": {}}}, "expect": {"status": "SUCCEEDED"}},
            {"name": "unmocked", "expect": {"status": "FAILED"}}]}"#,
    );
    // A misspelt expectation: the file cannot run.
    dir.write(
        "other/bad.test.yaml",
        "definition: ../billing/charge.asl.json\ncases:\n  - name: x\n    expect: {outptu: 1}\n",
    );
    let out = bin().arg("test").arg(&dir.0).output().expect("run");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("PASS  the context is the case's"), "{text}");
    assert!(text.contains("PASS  an AWS mock file"), "{text}");
    assert!(
        text.contains(
            "the mock 'Chrage' names no Task state of the definition; did you mean 'Charge'?"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "the Task state 'Charge' ran without a mock: mock it, or pass --allow-real-calls"
        ),
        "{text}"
    );
    assert!(text.contains("unknown field `outptu`"), "{text}");
    assert!(
        text.contains("4 case(s) in 3 file(s): 2 passed, 2 failed, 1 file(s) could not run"),
        "{text}"
    );
}

#[test]
fn no_test_files_is_an_error_that_says_how_to_name_them() {
    let dir = Dir::new("none");
    let out = bin().arg("test").arg(&dir.0).output().expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no test files found"), "{err}");
    assert!(err.contains("NAME.test.yaml"), "{err}");
}

#[test]
fn a_test_file_can_take_its_state_machine_from_a_sam_template() {
    let dir = Dir::new("sam");
    dir.write(
        "template.yaml",
        "Resources:\n  Greeter:\n    Type: AWS::Serverless::Function\n  Hello:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Definition:\n        StartAt: Greet\n        States:\n          Greet: {Type: Task, Resource: \"${GreetArn}\", Next: Done}\n          Done: {Type: Pass, Parameters: {\"to.$\": \"$.to\", \"stage\": \"${Stage}\"}, End: true}\n      DefinitionSubstitutions:\n        GreetArn: !GetAtt Greeter.Arn\n        Stage: dev\n",
    );
    dir.write(
        "hello.test.yaml",
        "template: template.yaml\nresource: Hello\nsubstitutions: {Stage: test}\ncases:\n  - name: greets\n    mocks: {Greet: {Return: {to: world}}}\n    expect: {output: {to: world, stage: test}}\n",
    );
    let out = bin().arg("test").arg(&dir.0).output().expect("run");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("PASS  greets"), "{text}");
}

#[test]
fn mock_init_writes_a_test_file_that_runs() {
    let dir = Dir::new("init");
    let def = dir.write(
        "notify.asl.json",
        r#"{"StartAt": "Send", "States": {
            "Send": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                     "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "hi"},
                     "ResultSelector": {"id.$": "$.MessageId"}, "End": true}}}"#,
    );
    let out = bin()
        .args(["mock", "init"])
        .arg(&def)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(dir.0.join("notify.test.yaml")).expect("written");
    assert!(
        written.contains("# arn:aws:states:::sns:publish"),
        "{written}"
    );
    assert!(
        written.contains("\"Send\":\n    Return: {\"MessageId\":"),
        "{written}"
    );
    // The skeleton runs as it is: the mock has the shape the state reads.
    let test = bin().arg("test").arg(&dir.0).output().expect("run");
    let text = stdout(&test);
    assert!(test.status.success(), "{text}");
    assert!(text.contains("PASS  the first case"), "{text}");
    // It is not written over.
    let again = bin()
        .args(["mock", "init"])
        .arg(&def)
        .output()
        .expect("run");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("pass --force"));
}

#[test]
fn variables_are_expected_by_their_last_assigned_value() {
    let dir = Dir::new("vars");
    dir.write(
        "count.asl.json",
        r#"{"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"count": 1, "who": "ann"}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"count": 2}, "End": true}}}"#,
    );
    dir.write(
        "count.test.yaml",
        "cases:\n  - name: right\n    expect: {variables: {count: 2, who: ann}}\n  - name: wrong\n    expect: {variables: {count: 1, missing: 0}}\n",
    );
    let out = bin().arg("test").arg(&dir.0).output().expect("run");
    let text = stdout(&out);
    assert!(text.contains("PASS  right"), "{text}");
    assert!(
        text.contains("- variable count: expected 1, got 2"),
        "{text}"
    );
    assert!(
        text.contains("- variable missing: expected 0, never assigned"),
        "{text}"
    );
}

#[test]
fn a_mock_can_take_its_time_on_the_virtual_clock_to_test_timeouts() {
    let dir = Dir::new("delay");
    dir.write(
        "slow.asl.json",
        r#"{"StartAt": "Call", "States": {"Call": {"Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow",
            "TimeoutSeconds": 10, "End": true}}}"#,
    );
    dir.write(
        "slow.test.yaml",
        "cases:\n  - name: fast enough\n    mocks: {Call: {Return: {ok: true}, DelaySeconds: 5}}\n    expect: {status: SUCCEEDED}\n  - name: too slow\n    mocks: {Call: {Return: {ok: true}, DelaySeconds: 3600}}\n    expect: {status: FAILED, error: States.Timeout}\n  - name: a bad delay\n    mocks: {Call: {Return: {}, DelaySeconds: soon}}\n    expect: {status: SUCCEEDED}\n",
    );
    let started = std::time::Instant::now();
    let out = bin().arg("test").arg(&dir.0).output().expect("run");
    let text = stdout(&out);
    assert!(text.contains("PASS  fast enough"), "{text}");
    assert!(text.contains("PASS  too slow"), "{text}");
    assert!(
        text.contains("DelaySeconds must be a number of seconds"),
        "{text}"
    );
    // An hour of mocked work passes on the virtual clock, not the wall clock.
    assert!(started.elapsed() < std::time::Duration::from_secs(600));
}
