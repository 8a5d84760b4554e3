//! Functions configured as local commands.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::common::{
    assert_gone, failed, integrations, is_uuid, script, succeeded, task, IDEMPOTENCY_KEY,
};

const ECHO: &str = r#"#!/usr/bin/env python3
import json, os, sys
event = json.load(sys.stdin)
names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_REQUEST_ID",
         "SWITCHBACK_IDEMPOTENCY_KEY", "SWITCHBACK_TASK_TOKEN", "GREETING"]
print(json.dumps({"event": event, "env": {n: os.environ.get(n) for n in names},
                  "cwd": os.getcwd()}, separators=(",", ":")))
"#;

const DECLINE: &str = r#"#!/bin/sh
cat > /dev/null
echo "charging the card" >&2
printf '%s\n' '{"errorType": "PaymentDeclined", "errorMessage": "card declined", "trace": []}'
exit 1
"#;

const CRASH: &str = r#"#!/bin/sh
echo "loading configuration" >&2
echo "fatal: something broke" >&2
exit 3
"#;

const STDERR_ERROR: &str = r#"#!/bin/sh
echo "working" >&2
echo '{"errorType":"Validation.Failed","errorMessage":"bad order"}' >&2
exit 2
"#;

const SLEEP: &str = "#!/bin/sh\necho $$ > pid\nexec sleep 30\n";

fn setup() -> (TempDir, switchback_integrations::Integrations) {
    let dir = tempfile::tempdir().expect("tempdir");
    script(dir.path(), "echo.py", ECHO);
    script(dir.path(), "decline.sh", DECLINE);
    script(dir.path(), "crash.sh", CRASH);
    script(dir.path(), "stderr_error.sh", STDERR_ERROR);
    script(dir.path(), "sleep.sh", SLEEP);
    script(dir.path(), "text.sh", "#!/bin/sh\necho 'plain words'\n");
    script(dir.path(), "silent.sh", "#!/bin/sh\ncat > /dev/null\n");
    script(
        dir.path(),
        "later.sh",
        "#!/bin/sh\ncat > event.json\necho done > ran\n",
    );
    let toml = r#"
        [server]
        port = 8083   # other sections of switchback.toml are not the integrations' business

        [functions.echo]
        command = ["python3", "echo.py"]
        env = { GREETING = "hello" }

        [functions.pathecho]
        command = ["./echo.py"]

        [functions.decline]
        command = ["./decline.sh"]

        [functions.crash]
        command = ["./crash.sh"]

        [functions.stderr_error]
        command = ["./stderr_error.sh"]

        [functions.sleepy]
        command = ["./sleep.sh"]
        timeout_seconds = 1

        [functions.patient]
        command = ["./sleep.sh"]
        timeout_seconds = 60

        [functions.text]
        command = ["./text.sh"]

        [functions.silent]
        command = ["./silent.sh"]

        [functions.later]
        command = ["./later.sh"]

        [functions.missing]
        command = ["./not-there.sh"]
    "#;
    let integrations = integrations(toml, dir.path());
    (dir, integrations)
}

const ECHO_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:echo";

#[tokio::test]
async fn a_plain_function_gets_the_input_as_event_and_returns_its_payload() {
    let (dir, integrations) = setup();
    let input = json!({"order": {"id": 7, "items": ["a", "b"]}});
    let result = succeeded(integrations.call(&task(ECHO_ARN, input.clone())).await);

    assert_eq!(result["event"], input);
    let env = &result["env"];
    assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "echo");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
    assert!(is_uuid(env["AWS_REQUEST_ID"].as_str().unwrap()), "{env}");
    assert_eq!(env["SWITCHBACK_IDEMPOTENCY_KEY"], IDEMPOTENCY_KEY);
    assert_eq!(env["SWITCHBACK_TASK_TOKEN"], Value::Null);
    assert_eq!(env["GREETING"], "hello");
    // The working directory defaults to the config file's directory.
    let cwd = std::fs::canonicalize(result["cwd"].as_str().unwrap()).unwrap();
    assert_eq!(cwd, std::fs::canonicalize(dir.path()).unwrap());
}

#[tokio::test]
async fn lambda_invoke_returns_the_aws_result_shape() {
    let (_dir, integrations) = setup();
    let mut request = task(
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        json!({"FunctionName": "echo", "Payload": {"n": 1}}),
    );
    request.task_token = Some("token-123".into());
    let result = succeeded(integrations.call(&request).await);

    let keys: Vec<&String> = result.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ExecutedVersion",
            "Payload",
            "SdkHttpMetadata",
            "SdkResponseMetadata",
            "StatusCode"
        ]
    );
    assert_eq!(result["ExecutedVersion"], "$LATEST");
    assert_eq!(result["StatusCode"], 200);
    assert_eq!(result["Payload"]["event"], json!({"n": 1}));
    assert_eq!(
        result["Payload"]["env"]["SWITCHBACK_TASK_TOKEN"],
        "token-123"
    );

    // One request id everywhere, as on AWS.
    let request_id = result["Payload"]["env"]["AWS_REQUEST_ID"].clone();
    assert_eq!(result["SdkResponseMetadata"]["RequestId"], request_id);
    let http = &result["SdkHttpMetadata"];
    assert_eq!(http["HttpStatusCode"], 200);
    assert_eq!(http["HttpHeaders"]["x-amzn-RequestId"], request_id);
    assert_eq!(
        http["AllHttpHeaders"]["x-amzn-RequestId"],
        json!([request_id])
    );
    assert_eq!(http["HttpHeaders"]["Content-Type"], "application/json");
    assert_eq!(http["HttpHeaders"]["X-Amz-Executed-Version"], "$LATEST");
    let payload_len = serde_json::to_string(&result["Payload"]).unwrap().len() + 1; // print's newline
    assert_eq!(
        http["HttpHeaders"]["Content-Length"],
        payload_len.to_string()
    );
    let all: Vec<&String> = http["AllHttpHeaders"].as_object().unwrap().keys().collect();
    assert_eq!(
        all,
        [
            "X-Amz-Executed-Version",
            "x-amzn-Remapped-Content-Length",
            "Connection",
            "x-amzn-RequestId",
            "Content-Length",
            "Date",
            "X-Amzn-Trace-Id",
            "Content-Type"
        ]
    );
    assert!(http["HttpHeaders"]["Date"]
        .as_str()
        .unwrap()
        .ends_with(" GMT"));
}

#[tokio::test]
async fn every_spelling_of_function_name_reaches_the_configured_function() {
    let (_dir, integrations) = setup();
    for (name, executed) in [
        ("pathecho", "$LATEST"),
        ("pathecho:live", "$LATEST"),
        ("123456789012:function:pathecho", "$LATEST"),
        (
            "arn:aws:lambda:eu-west-1:111111111111:function:pathecho:3",
            "3",
        ),
    ] {
        let result = succeeded(
            integrations
                .call(&task(
                    "arn:aws:states:::lambda:invoke",
                    json!({"FunctionName": name, "Payload": "just a string"}),
                ))
                .await,
        );
        assert_eq!(result["Payload"]["event"], "just a string", "{name}");
        assert_eq!(
            result["Payload"]["env"]["AWS_LAMBDA_FUNCTION_NAME"],
            "pathecho"
        );
        assert_eq!(result["ExecutedVersion"], executed, "{name}");
    }
}

#[tokio::test]
async fn without_payload_the_event_is_an_empty_object() {
    let (_dir, integrations) = setup();
    let result = succeeded(
        integrations
            .call(&task(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "echo"}),
            ))
            .await,
    );
    assert_eq!(result["Payload"]["event"], json!({}));
}

#[tokio::test]
async fn a_function_error_keeps_its_error_type_and_text() {
    let (_dir, integrations) = setup();
    let printed =
        r#"{"errorType": "PaymentDeclined", "errorMessage": "card declined", "trace": []}"#;
    let plain = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:decline",
                json!({}),
            ))
            .await,
    );
    assert_eq!(plain, ("PaymentDeclined".to_string(), printed.to_string()));
    let invoked = failed(
        integrations
            .call(&task(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "decline", "Payload": {}}),
            ))
            .await,
    );
    assert_eq!(invoked, plain);
}

#[tokio::test]
async fn an_error_object_on_the_last_line_of_stderr_counts_as_the_functions_error() {
    let (_dir, integrations) = setup();
    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:stderr_error",
                json!({}),
            ))
            .await,
    );
    assert_eq!(error, "Validation.Failed");
    assert_eq!(
        cause,
        r#"{"errorType":"Validation.Failed","errorMessage":"bad order"}"#
    );
}

#[tokio::test]
async fn a_crash_is_a_runtime_exit_error_with_the_end_of_stderr() {
    let (_dir, integrations) = setup();
    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:crash",
                json!({}),
            ))
            .await,
    );
    assert_eq!(error, "Runtime.ExitError");
    let cause: Value = serde_json::from_str(&cause).expect("the cause is JSON");
    assert_eq!(cause["errorType"], "Runtime.ExitError");
    let message = cause["errorMessage"].as_str().unwrap();
    let request_id = message
        .strip_prefix("RequestId: ")
        .and_then(|m| m.strip_suffix(" Error: Runtime exited with error: exit status 3"))
        .unwrap_or_else(|| panic!("unexpected message {message:?}"));
    assert!(is_uuid(request_id), "{message}");
    assert_eq!(
        cause["stderr"],
        "loading configuration\nfatal: something broke"
    );
}

#[tokio::test]
async fn a_function_that_outlives_its_timeout_is_killed_as_lambda_would() {
    let (dir, integrations) = setup();
    let started = Instant::now();
    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:sleepy",
                json!({}),
            ))
            .await,
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error, "Sandbox.Timedout");
    let cause: Value = serde_json::from_str(&cause).unwrap();
    let message = cause["errorMessage"].as_str().unwrap();
    assert!(message.starts_with("RequestId: "), "{message}");
    assert!(
        message.ends_with(" Error: Task timed out after 1.00 seconds"),
        "{message}"
    );
    assert_gone(&dir.path().join("pid")).await;
}

#[tokio::test]
async fn dropping_the_call_kills_the_process() {
    let (dir, integrations) = setup();
    let request = task(
        "arn:aws:lambda:us-east-1:123456789012:function:patient",
        json!({}),
    );
    // The call starts at once, on the integrations' runtime.
    let call = integrations.call(&request);
    let pid_file = dir.path().join("pid");
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read_to_string(&pid_file).map_or(true, |t| !t.ends_with('\n')) {
        assert!(Instant::now() < deadline, "the function never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The engine drops the call when TimeoutSeconds wins the race, or the execution stops.
    drop(call);
    assert_gone(&pid_file).await;
}

#[tokio::test]
async fn output_that_is_not_json_is_a_string_and_no_output_is_null() {
    let (_dir, integrations) = setup();
    let text = succeeded(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:text",
                json!({}),
            ))
            .await,
    );
    assert_eq!(text, json!("plain words\n"));
    let silent = succeeded(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:silent",
                json!({}),
            ))
            .await,
    );
    assert_eq!(silent, Value::Null);
}

#[tokio::test]
async fn event_invocations_return_at_once_and_run_in_the_background() {
    let (dir, integrations) = setup();
    let result = succeeded(
        integrations
            .call(&task(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "later", "InvocationType": "Event", "Payload": {"x": 1}}),
            ))
            .await,
    );
    assert_eq!(result["StatusCode"], 202);
    assert_eq!(result["Payload"], "");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !dir.path().join("ran").exists() {
        assert!(Instant::now() < deadline, "the event invocation never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let event = std::fs::read_to_string(dir.path().join("event.json")).unwrap();
    assert_eq!(event, r#"{"x":1}"#);

    let dry = succeeded(
        integrations
            .call(&task(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "echo", "InvocationType": "DryRun"}),
            ))
            .await,
    );
    assert_eq!(dry["StatusCode"], 204);
}

#[tokio::test]
async fn an_unconfigured_function_is_not_found_with_a_hint() {
    let (_dir, integrations) = setup();
    for request in [
        task(
            "arn:aws:lambda:us-east-1:123456789012:function:nope",
            json!({}),
        ),
        task(
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "nope", "Payload": {}}),
        ),
    ] {
        let (error, cause) = failed(integrations.call(&request).await);
        assert_eq!(error, "Lambda.ResourceNotFoundException");
        let prefix = "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ";
        assert!(cause.starts_with(prefix), "{cause}");
        let request_id = &cause[prefix.len()..prefix.len() + 36];
        assert!(is_uuid(request_id), "{cause}");
        assert!(cause.contains("; Proxy: null) "), "{cause}");
        assert!(cause.contains("[functions.nope]"), "{cause}");
        assert!(cause.contains("switchback.toml"), "{cause}");
    }
}

#[tokio::test]
async fn a_command_that_cannot_start_says_which_setting_to_fix() {
    let (_dir, integrations) = setup();
    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:lambda:us-east-1:123456789012:function:missing",
                json!({}),
            ))
            .await,
    );
    assert_eq!(error, "Runtime.InvalidEntrypoint");
    let cause: Value = serde_json::from_str(&cause).unwrap();
    assert!(
        cause["errorMessage"]
            .as_str()
            .unwrap()
            .contains("not-there.sh"),
        "{cause}"
    );
    assert!(
        cause["hint"]
            .as_str()
            .unwrap()
            .contains("`functions.missing.command` in switchback.toml"),
        "{cause}"
    );
}

#[tokio::test]
async fn bad_lambda_invoke_parameters_fail_as_aws_validates_them() {
    let (_dir, integrations) = setup();
    let (error, _) = failed(
        integrations
            .call(&task(
                "arn:aws:states:::lambda:invoke",
                json!({"Payload": {}}),
            ))
            .await,
    );
    assert_eq!(error, "States.Runtime");
    let (error, cause) = failed(
        integrations
            .call(&task(
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": "echo", "InvocationType": "Sometimes"}),
            ))
            .await,
    );
    assert_eq!(error, "Lambda.AWSLambdaException");
    assert!(
        cause.starts_with("1 validation error detected: Value 'Sometimes' at 'invocationType'"),
        "{cause}"
    );
    assert!(cause.contains("Error Code: ValidationException"), "{cause}");
}
