//! Task integrations through the SDK: functions (local commands) whose errors are caught by
//! name and retried with backoff, the HTTP Task against a local HTTP server, and mocked
//! responses selected with `stateMachineArn#TestCase`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType};
use aws_sdk_sfn::Client;
use serde_json::{json, Value};
use switchback_integrations::{FunctionConfig, HttpConfig, Integrations, IntegrationsConfig};
use switchback_runtime::{MockConfig, Services};

use crate::callbacks::wait_done;
use crate::common::{self, Options, Stoppable};
use crate::{client_for, code_of, create_machine};

/// A server whose functions are the given python scripts (written to a temp dir).
async fn with_functions(dir: &std::path::Path, scripts: &[(&str, &str)]) -> Stoppable {
    let mut functions = BTreeMap::new();
    for (name, body) in scripts {
        let path = dir.join(format!("{name}.py"));
        std::fs::write(&path, body).expect("write the function");
        let config: FunctionConfig = toml_function(&path);
        functions.insert(name.to_string(), config);
    }
    let config = IntegrationsConfig {
        functions,
        ..IntegrationsConfig::default()
    };
    with_integrations(config, dir).await
}

/// A server whose Task states call integrations configured as `config` (files relative to
/// `dir`).
async fn with_integrations(config: IntegrationsConfig, dir: &std::path::Path) -> Stoppable {
    let integrations = Integrations::new(config, dir.to_path_buf(), "switchback.toml".into())
        .expect("integrations");
    common::start_options(Options {
        services: Services {
            tasks: Some(Arc::new(integrations)),
            mocks: None,
        },
        ..Options::default()
    })
    .await
}

fn toml_function(path: &std::path::Path) -> FunctionConfig {
    let text = format!(
        "command = [\"python3\", {:?}]\ntimeout_seconds = 10\n",
        path.display().to_string()
    );
    toml_from(&text)
}

fn toml_from(text: &str) -> FunctionConfig {
    // The same parser the configuration file goes through.
    let table: BTreeMap<String, FunctionConfig> =
        toml::from_str(&format!("[f]\n{text}")).expect("function config");
    table.into_values().next().expect("one function")
}

async fn run(
    client: &Client,
    machine: &str,
    input: &str,
) -> (
    String,
    aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput,
) {
    let arn = client
        .start_execution()
        .state_machine_arn(machine)
        .input(input)
        .send()
        .await
        .expect("start")
        .execution_arn;
    let d = wait_done(client, &arn, Duration::from_secs(30)).await;
    (arn, d)
}

/// Fails with PaymentDeclined for big amounts; fails with Flaky the first two times it sees
/// a given order (it counts calls in a file), then charges.
const PAYMENT: &str = r#"
import json, os, sys
event = json.load(sys.stdin)
if event["amount"] > 1000:
    print(json.dumps({"errorType": "PaymentDeclined", "errorMessage": "over the limit"}))
    sys.exit(1)
counter = os.path.join(os.path.dirname(os.path.abspath(__file__)), "calls-" + event["order"])
calls = int(open(counter).read()) if os.path.exists(counter) else 0
open(counter, "w").write(str(calls + 1))
if calls < 2:
    print(json.dumps({"errorType": "Flaky", "errorMessage": "try again"}))
    sys.exit(1)
print(json.dumps({"charged": event["amount"], "calls": calls + 1}))
"#;

const PAY_MACHINE: &str = r#"{
  "StartAt": "Pay",
  "States": {
    "Pay": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Payment",
      "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3}],
      "Catch": [{"ErrorEquals": ["PaymentDeclined"], "ResultPath": "$.declined", "Next": "Declined"}],
      "End": true
    },
    "Declined": {"Type": "Pass", "End": true}
  }
}"#;

#[tokio::test]
async fn function_errors_are_retried_with_backoff_and_caught_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = with_functions(dir.path(), &[("Payment", PAYMENT)]).await;
    let client = client_for(&server.server);
    let machine = create_machine(&client, "pay", PAY_MACHINE).await;

    let started = std::time::Instant::now();
    let (arn, d) = run(&client, &machine, r#"{"order": "A1", "amount": 20}"#).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded, "{d:?}");
    assert_eq!(d.output.as_deref(), Some(r#"{"charged":20,"calls":3}"#));
    // Two retries: 1 s, then 2 s.
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let events = client
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .expect("history")
        .events;
    let failures: Vec<_> = events
        .iter()
        .filter_map(|e| e.lambda_function_failed_event_details.as_ref())
        .collect();
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0].error.as_deref(), Some("Flaky"));
    assert_eq!(
        failures[0].cause.as_deref(),
        Some(r#"{"errorType": "Flaky", "errorMessage": "try again"}"#)
    );
    let scheduled = events
        .iter()
        .filter(|e| e.r#type == HistoryEventType::LambdaFunctionScheduled)
        .count();
    assert_eq!(scheduled, 3);

    let (_, d) = run(&client, &machine, r#"{"order": "B2", "amount": 5000}"#).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    let out: Value = serde_json::from_str(d.output.as_deref().unwrap_or("")).unwrap();
    assert_eq!(out["declined"]["Error"], "PaymentDeclined");

    // A function that is not configured fails as AWS reports a missing function.
    let unknown = create_machine(
        &client,
        "unknown-fn",
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"Nope","Payload":{}},"End":true}}}"#,
    )
    .await;
    let (_, d) = run(&client, &unknown, "{}").await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error.as_deref(), Some("Lambda.ResourceNotFoundException"));
    assert!(d
        .cause
        .as_deref()
        .unwrap_or("")
        .contains("Function not found"));
    server.stop().await;
}

/// A small HTTP API for the HTTP Task: echoes what it got, and 404s on /missing.
async fn http_api() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    use axum::extract::Request;
    use axum::routing::{any, get};
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new()
        .route(
            "/orders",
            any(move |req: Request| {
                let counted = counted.clone();
                async move {
                    let q: BTreeMap<String, String> = req
                        .uri()
                        .query()
                        .unwrap_or("")
                        .split('&')
                        .filter_map(|kv| kv.split_once('='))
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect();
                    counted.fetch_add(1, Ordering::SeqCst);
                    let method = req.method().to_string();
                    let header = req
                        .headers()
                        .get("x-trace")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                        .await
                        .unwrap_or_default();
                    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    axum::Json(
                        json!({"method": method, "query": q, "header": header, "body": body}),
                    )
                }
            }),
        )
        .route(
            "/missing",
            get(|| async { (axum::http::StatusCode::NOT_FOUND, "no such thing") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, hits)
}

#[tokio::test]
async fn the_http_task_calls_a_local_api() {
    let (api, hits) = http_api().await;
    // The local API is on loopback, which HTTP Tasks may reach only when allowed.
    let config = IntegrationsConfig {
        http: HttpConfig {
            allow_private_addresses: true,
            ..HttpConfig::default()
        },
        ..IntegrationsConfig::default()
    };
    let server = with_integrations(config, &std::env::temp_dir()).await;
    let client = client_for(&server.server);
    let def = json!({
        "StartAt": "Post",
        "States": {
            "Post": {
                "Type": "Task",
                "Resource": "arn:aws:states:::http:invoke",
                "Parameters": {
                    "ApiEndpoint": format!("http://{api}/orders"),
                    "Method": "POST",
                    "Headers": {"x-trace": "abc"},
                    "QueryParameters": {"page": "2"},
                    "RequestBody": {"sku.$": "$.sku"}
                },
                "ResultSelector": {"status.$": "$.StatusCode", "echo.$": "$.ResponseBody"},
                "Next": "Missing"
            },
            "Missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::http:invoke",
                "Parameters": {"ApiEndpoint": format!("http://{api}/missing"), "Method": "GET"},
                "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404"], "ResultPath": "$.missing", "Next": "Done"}],
                "ResultPath": "$.never",
                "Next": "Done"
            },
            "Done": {"Type": "Pass", "End": true}
        }
    });
    let machine = create_machine(&client, "http", &def.to_string()).await;
    let (_, d) = run(&client, &machine, r#"{"sku": "W-1"}"#).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded, "{d:?}");
    let out: Value = serde_json::from_str(d.output.as_deref().unwrap_or("")).unwrap();
    assert_eq!(out["status"], 200);
    assert_eq!(out["echo"]["method"], "POST");
    assert_eq!(out["echo"]["query"], json!({"page": "2"}));
    assert_eq!(out["echo"]["header"], "abc");
    assert_eq!(out["echo"]["body"], json!({"sku": "W-1"}));
    assert_eq!(out["missing"]["Error"], "States.Http.StatusCode.404");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    server.stop().await;
}

/// TestState at `TRACE` shows an HTTP Task's raw request and response; the headers its
/// connection adds (credentials) only with `revealSecrets`.
#[tokio::test]
async fn test_state_trace_shows_the_http_exchange() {
    let (api, _hits) = http_api().await;
    let mut connections = BTreeMap::new();
    connections.insert(
        "Orders".to_string(),
        switchback_integrations::ConnectionConfig {
            bearer: Some("s3cret-token".into()),
            ..Default::default()
        },
    );
    let config = IntegrationsConfig {
        http: HttpConfig {
            allow_private_addresses: true,
            ..HttpConfig::default()
        },
        connections,
        ..IntegrationsConfig::default()
    };
    let server = with_integrations(config, &std::env::temp_dir()).await;
    let client = client_for(&server.server);
    let state = json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {
            "ApiEndpoint": format!("http://{api}/orders"),
            "Method": "POST",
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/Orders/1"},
            "Headers": {"x-trace": "abc"},
            "RequestBody": {"sku": "W-1"}
        },
        "End": true
    })
    .to_string();
    let traced = |reveal: bool| {
        client
            .test_state()
            .definition(&state)
            .inspection_level(aws_sdk_sfn::types::InspectionLevel::Trace)
            .reveal_secrets(reveal)
            .send()
    };
    let r = traced(false).await.expect("TestState");
    assert_eq!(
        r.status,
        Some(aws_sdk_sfn::types::TestExecutionStatus::Succeeded),
        "{:?}",
        r.cause
    );
    let data = r.inspection_data.expect("inspection data");
    let request = data.request.expect("the request");
    assert_eq!(request.protocol.as_deref(), Some("http"));
    assert_eq!(request.method.as_deref(), Some("POST"));
    assert_eq!(
        request.url.as_deref(),
        Some(format!("http://{api}/orders").as_str())
    );
    let headers = request.headers.unwrap_or_default();
    assert!(headers.contains("x-trace: abc"), "{headers}");
    assert!(!headers.contains("s3cret-token"), "{headers}");
    let body: Value = serde_json::from_str(request.body.as_deref().unwrap_or("")).unwrap();
    assert_eq!(body, json!({"sku": "W-1"}));
    let response = data.response.expect("the response");
    assert_eq!(response.status_code.as_deref(), Some("200"));
    assert_eq!(response.status_message.as_deref(), Some("OK"));
    let echoed: Value = serde_json::from_str(response.body.as_deref().unwrap_or("")).unwrap();
    assert_eq!(echoed["method"], "POST");
    assert!(response
        .headers
        .unwrap_or_default()
        .contains("content-type"));

    let r = traced(true).await.expect("TestState");
    let headers = r
        .inspection_data
        .and_then(|d| d.request)
        .and_then(|r| r.headers)
        .unwrap_or_default();
    assert!(headers.contains("Bearer s3cret-token"), "{headers}");
    server.stop().await;
}

const MOCKS: &str = r#"{
  "StateMachines": {
    "mocked": {
      "TestCases": {
        "HappyPath": {"Charge": "ChargeOk"},
        "Retried": {"Charge": "ChargeFlakyThenOk"},
        "Declined": {"Charge": "ChargeDeclined"}
      }
    }
  },
  "MockedResponses": {
    "ChargeOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": true}}}},
    "ChargeFlakyThenOk": {
      "0-1": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "busy"}},
      "2": {"Return": {"StatusCode": 200, "Payload": {"charged": "third time"}}}
    },
    "ChargeDeclined": {"0": {"Throw": {"Error": "PaymentDeclined", "Cause": "no funds"}}}
  }
}"#;

#[tokio::test]
async fn mocked_responses_are_chosen_by_test_case() {
    let server = common::start_options(Options {
        services: Services {
            tasks: None,
            mocks: Some(Arc::new(MockConfig {
                document: serde_json::from_str(MOCKS).expect("mocks"),
                source: "mocks.json".into(),
            })),
        },
        ..Options::default()
    })
    .await;
    let client = client_for(&server.server);
    let def = r#"{
      "StartAt": "Charge",
      "States": {
        "Charge": {
          "Type": "Task",
          "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "Charge", "Payload.$": "$"},
          "OutputPath": "$.Payload",
          "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 1}],
          "Catch": [{"ErrorEquals": ["PaymentDeclined"], "Next": "Declined"}],
          "End": true
        },
        "Declined": {"Type": "Pass", "Result": "declined", "End": true}
      }
    }"#;
    let machine = create_machine(&client, "mocked", def).await;
    for (case, expected, tasks) in [
        ("HappyPath", json!({"charged": true}), 1),
        ("Retried", json!({"charged": "third time"}), 3),
        ("Declined", json!("declined"), 1),
    ] {
        let (arn, d) = run(&client, &format!("{machine}#{case}"), "{}").await;
        assert_eq!(d.status, ExecutionStatus::Succeeded, "{case}: {d:?}");
        let out: Value = serde_json::from_str(d.output.as_deref().unwrap_or("")).unwrap();
        assert_eq!(out, expected, "{case}");
        let events = client
            .get_execution_history()
            .execution_arn(&arn)
            .send()
            .await
            .expect("history")
            .events;
        // Mocked tasks leave the same events as real ones.
        let scheduled = events
            .iter()
            .filter(|e| e.r#type == HistoryEventType::TaskScheduled)
            .count();
        let started = events
            .iter()
            .filter(|e| e.r#type == HistoryEventType::TaskStarted)
            .count();
        assert_eq!((scheduled, started), (tasks, tasks), "{case}");
    }
    let (code, message) = code_of(
        client
            .start_execution()
            .state_machine_arn(format!("{machine}#NoSuchCase"))
            .send()
            .await,
    );
    assert_eq!(code, "ValidationException");
    assert!(message.contains("NoSuchCase"), "{message}");
    server.stop().await;
}

#[tokio::test]
async fn a_short_form_mock_file_mocks_every_execution_as_run_and_test_do() {
    let server = common::start_options(Options {
        services: Services {
            tasks: None,
            mocks: Some(Arc::new(MockConfig {
                document: json!({
                    "Charge": [
                        {"Throw": {"Error": "Lambda.ServiceException", "Cause": "busy"}},
                        {"Return": {"StatusCode": 200, "Payload": {"charged": "second time"}}}
                    ]
                }),
                source: "short.json".into(),
            })),
        },
        ..Options::default()
    })
    .await;
    let client = client_for(&server.server);
    let def = r#"{
      "StartAt": "Charge",
      "States": {
        "Charge": {
          "Type": "Task",
          "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "Charge", "Payload.$": "$"},
          "OutputPath": "$.Payload",
          "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 1, "BackoffRate": 1}],
          "End": true
        }
      }
    }"#;
    let machine = create_machine(&client, "short-mocked", def).await;
    // No test case: the file's mocks answer, counted per execution.
    for _ in 0..2 {
        let (_, d) = run(&client, &machine, "{}").await;
        assert_eq!(d.status, ExecutionStatus::Succeeded, "{d:?}");
        let out: Value = serde_json::from_str(d.output.as_deref().unwrap_or("")).unwrap();
        assert_eq!(out, json!({"charged": "second time"}));
    }
    server.stop().await;
}
