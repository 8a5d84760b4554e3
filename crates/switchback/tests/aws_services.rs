//! Task states that call AWS services, for real: the `switchback serve` binary against moto in
//! server mode (an AWS-compatible server nobody here wrote), with SigV4-signed requests, and
//! every effect checked in moto with boto3, not only the execution's status.
//!
//! - SQS `sendMessage`: the message (a JSON object body, sent as its JSON text, and an
//!   attribute) lands in the queue; the result has AWS's `SdkHttpMetadata`.
//! - SQS `sendMessage.waitForTaskToken`: a worker (boto3) receives the message and answers its
//!   token with `SendTaskSuccess` to the server; the execution ends with the worker's output.
//! - DynamoDB `putItem`, `getItem`, `updateItem`, `deleteItem`, and a
//!   `ConditionalCheckFailedException` caught by name; a missing table fails by name.
//! - EventBridge `putEvents`: the event reaches a rule's SQS target with the execution's ARNs.
//! - SNS `publish`: the message (an object, sent as its JSON text, with an attribute) reaches
//!   the topic's SQS subscription; a missing topic is caught as `SNS.NotFoundException`.
//! - `aws-sdk:*`: S3 objects put (the body as JSON text, with metadata), read, listed, and a
//!   missing key caught as `S3.NoSuchKeyException`; one call in each other protocol (Secrets
//!   Manager on AWS JSON 1.1, DynamoDB on 1.0 with the SDK's `Bool`/`Ss` names, IAM on query,
//!   EC2 on its own, Lambda on REST-JSON), each effect read back; `.waitForTaskToken` sends
//!   the token and waits for a worker's answer.
//! - Batch `submitJob.sync`: the job (moto runs it without Docker) waited for until it
//!   succeeds; a missing queue caught as `Batch.ClientException`.
//! - `apigateway:invoke`: against a stand-in API (moto serves none) at a LocalStack-style
//!   endpoint template; the request as AWS builds it, signed for `IAM_ROLE` only; a 404 caught
//!   as `ApiGateway.404`.
//! - Lambda functions no local configuration names (a function ARN, and `lambda:invoke`) are
//!   invoked on the AWS endpoint, signed; a function missing there is caught by name.
//! - Safe by default: a service no configuration names is not called (the task fails with the
//!   cause that says what to configure), while the one named by `AWS_ENDPOINT_URL_DYNAMODB` is.
//!
//! Each test starts its own moto and server; the server gets fake keys, a region and `HOME`
//! in its temporary directory (so `~/.aws` is out of reach), and none of the caller's other
//! `AWS_*` variables. Without moto or boto3 the tests print `SKIPPED: ...` and pass, except on
//! CI (see `support/moto.rs`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use switchback_client::{Client, Poll, StateMachineType};

#[path = "support/moto.rs"]
mod moto;
#[path = "support/server.rs"]
mod server;

use moto::Moto;
use server::{free_port, TempDir};

const ROLE: &str = "arn:aws:iam::123456789012:role/any";
/// How long the server may take to answer its first request, and an execution to end.
const LIMIT: Duration = Duration::from_secs(60);

/// A `switchback serve` with its own data directory, configuration file and environment,
/// killed when dropped.
struct Serve {
    child: Child,
    client: Client,
    url: String,
    log: PathBuf,
    env: Vec<(String, String)>,
    _dir: TempDir,
}

/// Starts `switchback serve` on `dir` (its data directory and `switchback.toml`), appending to
/// `log`, on a free port; the process and its URL.
fn spawn(dir: &TempDir, log: &std::path::Path, env: &[(String, String)]) -> (Child, String) {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("open the log");
    let err = out.try_clone().expect("clone the log");
    let addr = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchback"));
    command
        .arg("serve")
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--config")
        .arg(dir.path().join("switchback.toml"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    command
        .env("HOME", dir.path())
        .env("AWS_ACCESS_KEY_ID", moto::ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", moto::SECRET_ACCESS_KEY)
        .env("AWS_REGION", moto::REGION)
        .envs(env.iter().map(|(k, v)| (k, v)));
    let child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start switchback serve");
    (child, format!("http://{addr}"))
}

impl Serve {
    /// Starts the server with `config` as its `switchback.toml` and `env` added to fake
    /// credentials and a region.
    async fn start(tag: &str, config: &str, env: &[(&str, &str)]) -> Serve {
        let dir = TempDir::new(&format!("aws-{tag}"));
        std::fs::write(dir.path().join("switchback.toml"), config).expect("write switchback.toml");
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let log = dir.path().join("serve.log");
        let (child, url) = spawn(&dir, &log, &env);
        let client = Client::new(&url).expect("client");
        let serve = Serve {
            child,
            client,
            url,
            log,
            env,
            _dir: dir,
        };
        serve.wait_ready().await;
        serve
    }

    /// Kills the server with SIGKILL (no shutdown of any kind) and starts it again on the
    /// same data directory, as after a crash.
    async fn crash_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, url) = spawn(&self._dir, &self.log, &self.env);
        self.child = child;
        self.client = Client::new(&url).expect("client");
        self.url = url;
        self.wait_ready().await;
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + LIMIT;
        while self
            .client
            .call("ListStateMachines", &json!({}))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "switchback serve did not answer within {LIMIT:?}\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Creates a state machine of `definition` and starts it with `input`.
    async fn start_execution(&self, name: &str, definition: &Value, input: &Value) -> String {
        let machine = self
            .client
            .create_state_machine(
                name,
                &definition.to_string(),
                ROLE,
                StateMachineType::Standard,
            )
            .await
            .expect("CreateStateMachine");
        self.client
            .start_execution(&machine, Some("run-1"), input)
            .await
            .expect("StartExecution")
    }

    /// Waits for the execution's end: its `DescribeExecution` and its history.
    async fn finish(&self, execution: &str) -> (Value, Vec<Value>) {
        let poll = Poll {
            deadline: Some(LIMIT),
            ..Poll::default()
        };
        let described = self
            .client
            .wait_for_execution(execution, &poll)
            .await
            .unwrap_or_else(|e| panic!("{execution}: {e}\n{}", self.log_tail()));
        let history = self
            .client
            .get_execution_history(execution)
            .await
            .expect("GetExecutionHistory");
        (described, history)
    }

    /// Runs `definition` with `input` to its end.
    async fn run(&self, name: &str, definition: &Value, input: &Value) -> (Value, Vec<Value>) {
        let execution = self.start_execution(name, definition, input).await;
        self.finish(&execution).await
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `[aws] endpoint_url` naming moto.
fn config_for(moto: &Moto) -> String {
    format!("[aws]\nendpoint_url = \"{}\"\n", moto.url)
}

/// The output of a SUCCEEDED execution.
fn succeeded(described: &Value, history: &[Value]) -> Value {
    assert_eq!(
        described["status"], "SUCCEEDED",
        "{described:#}\nhistory: {history:#?}"
    );
    serde_json::from_str(described["output"].as_str().expect("output")).expect("output JSON")
}

/// The details of the history's events of one type, in order.
fn details<'h>(history: &'h [Value], kind: &str, member: &str) -> Vec<&'h Value> {
    history
        .iter()
        .filter(|e| e["type"] == kind)
        .map(|e| &e[member])
        .collect()
}

/// Creates a queue in moto; its URL.
fn create_queue(moto: &Moto, name: &str) -> String {
    moto.boto3(
        "result = sqs.create_queue(QueueName=ARGS['name'])['QueueUrl']",
        &json!({"name": name}),
    )
    .as_str()
    .expect("QueueUrl")
    .to_string()
}

/// Receives the queue's messages (waiting up to `wait_seconds` for the first).
fn receive(moto: &Moto, queue: &str, wait_seconds: u32) -> Vec<Value> {
    let messages = moto.boto3(
        "result = sqs.receive_message(QueueUrl=ARGS['queue'], WaitTimeSeconds=ARGS['wait'], \
         MaxNumberOfMessages=10, MessageAttributeNames=['All']).get('Messages', [])",
        &json!({"queue": queue, "wait": wait_seconds}),
    );
    messages.as_array().cloned().unwrap_or_default()
}

/// The members AWS adds to SQS and DynamoDB results, from the real response.
fn check_http_metadata(result: &Value) {
    let http = &result["SdkHttpMetadata"];
    assert_eq!(http["HttpStatusCode"], 200, "{result:#}");
    assert_eq!(
        http["HttpHeaders"]["Content-Type"], "application/x-amz-json-1.0",
        "{result:#}"
    );
    assert_eq!(
        http["AllHttpHeaders"]["Content-Type"],
        json!(["application/x-amz-json-1.0"]),
        "{result:#}"
    );
    let request_id = result["SdkResponseMetadata"]["RequestId"]
        .as_str()
        .unwrap_or_default();
    assert!(!request_id.is_empty(), "no RequestId: {result:#}");
    assert_eq!(http["HttpHeaders"]["x-amzn-RequestId"], request_id);
}

#[tokio::test]
async fn sqs_send_message_lands_in_the_queue() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let queue = create_queue(&moto, "orders-sqs-send");
    let serve = Serve::start("sqs-send", &config_for(&moto), &[]).await;

    let definition = json!({
        "StartAt": "Send",
        "States": {"Send": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {
                "QueueUrl.$": "$.queue",
                "MessageBody": {"order.$": "$.order", "note": "from switchback"},
                "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "order"}}
            },
            "End": true
        }}
    });
    let (described, history) = serve
        .run(
            "sqs-send",
            &definition,
            &json!({"queue": queue, "order": "o-1"}),
        )
        .await;
    let output = succeeded(&described, &history);
    check_http_metadata(&output);
    let message_id = output["MessageId"].as_str().expect("MessageId");
    assert!(output["MD5OfMessageBody"].is_string(), "{output:#}");
    assert!(output["MD5OfMessageAttributes"].is_string(), "{output:#}");

    // The history records the parameters as given (the body still an object), as AWS does.
    let scheduled = details(&history, "TaskScheduled", "taskScheduledEventDetails");
    assert_eq!(scheduled[0]["resourceType"], "sqs");
    assert_eq!(scheduled[0]["resource"], "sendMessage");
    let parameters: Value =
        serde_json::from_str(scheduled[0]["parameters"].as_str().unwrap()).unwrap();
    assert_eq!(
        parameters["MessageBody"],
        json!({"order": "o-1", "note": "from switchback"})
    );

    // In moto: the body as its JSON text, the attribute, the same id and checksum.
    let messages = receive(&moto, &queue, 5);
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let message = &messages[0];
    assert_eq!(message["MessageId"], message_id);
    assert_eq!(
        message["Body"],
        r#"{"order":"o-1","note":"from switchback"}"#
    );
    assert_eq!(message["MD5OfBody"], output["MD5OfMessageBody"]);
    assert_eq!(message["MessageAttributes"]["kind"]["StringValue"], "order");
}

#[tokio::test]
async fn sqs_wait_for_task_token_is_answered_by_a_worker() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let queue = create_queue(&moto, "approvals-sqs-token");
    let serve = Serve::start("sqs-token", &config_for(&moto), &[]).await;

    let definition = json!({
        "StartAt": "Ask",
        "States": {"Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl.$": "$.queue",
                "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}
            },
            "TimeoutSeconds": 60,
            "End": true
        }}
    });
    let execution = serve
        .start_execution(
            "sqs-token",
            &definition,
            &json!({"queue": queue, "order": "o-2"}),
        )
        .await;

    // The worker: takes the message from the queue and answers its token to the server.
    let (python, moto_url, sfn_url, queue_url) = (
        tools.python.clone(),
        moto.url.clone(),
        serve.url.clone(),
        queue.clone(),
    );
    let worker = tokio::task::spawn_blocking(move || {
        moto::boto3(
            &python,
            &moto_url,
            "messages = sqs.receive_message(QueueUrl=ARGS['queue'], WaitTimeSeconds=20)\
             .get('Messages', [])\n\
             body = json.loads(messages[0]['Body'])\n\
             sfn = client('stepfunctions', ARGS['sfn'])\n\
             sfn.send_task_success(taskToken=body['token'], \
             output=json.dumps({'approved': True, 'order': body['order']}))\n\
             result = body",
            &json!({"queue": queue_url, "sfn": sfn_url}),
        )
    });
    let body = worker.await.expect("the worker");
    assert_eq!(body["order"], "o-2");

    let (described, history) = serve.finish(&execution).await;
    let output = succeeded(&described, &history);
    assert_eq!(output, json!({"approved": true, "order": "o-2"}));
    // The call's result was handed over (`TaskSubmitted`), then the token's answer came.
    let types: Vec<&str> = history.iter().filter_map(|e| e["type"].as_str()).collect();
    let submitted = types.iter().position(|t| *t == "TaskSubmitted");
    let succeeded_at = types.iter().position(|t| *t == "TaskSucceeded");
    assert!(submitted.is_some() && submitted < succeeded_at, "{types:?}");
    let submitted = details(&history, "TaskSubmitted", "taskSubmittedEventDetails");
    let submitted_output: Value =
        serde_json::from_str(submitted[0]["output"].as_str().unwrap()).unwrap();
    check_http_metadata(&submitted_output);
    // The token in the message is the task's.
    let scheduled = details(&history, "TaskScheduled", "taskScheduledEventDetails");
    let parameters: Value =
        serde_json::from_str(scheduled[0]["parameters"].as_str().unwrap()).unwrap();
    assert_eq!(parameters["MessageBody"]["token"], body["token"]);
    assert!(receive(&moto, &queue, 0).is_empty());
}

#[tokio::test]
async fn dynamodb_items_are_put_read_updated_deleted_and_conditions_caught_by_name() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let table = "orders-dynamodb";
    moto.boto3(
        "dynamodb.create_table(TableName=ARGS['table'], \
         KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}], \
         AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}], \
         BillingMode='PAY_PER_REQUEST')",
        &json!({"table": table}),
    );
    let serve = Serve::start("dynamodb", &config_for(&moto), &[]).await;

    let task = |resource: &str, parameters: Value, result_path: Value, next: &str| {
        let mut state = json!({
            "Type": "Task",
            "Resource": format!("arn:aws:states:::dynamodb:{resource}"),
            "Parameters": parameters,
            "ResultPath": result_path,
        });
        if next.is_empty() {
            state["End"] = json!(true);
        } else {
            state["Next"] = json!(next);
        }
        state
    };
    let key = |id: &str| json!({"id": {"S": id}});
    let mut claim = task(
        "putItem",
        json!({"TableName.$": "$.table", "Item": key("a"),
               "ConditionExpression": "attribute_not_exists(id)"}),
        json!("$.claimed"),
        "PutB",
    );
    claim["Catch"] = json!([{
        "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
        "ResultPath": "$.conflict",
        "Next": "PutB"
    }]);
    let definition = json!({
        "StartAt": "Put",
        "States": {
            "Put": task("putItem",
                json!({"TableName.$": "$.table",
                       "Item": {"id": {"S": "a"}, "count": {"N": "1"}, "name": {"S": "first"}}}),
                json!("$.put"), "Get"),
            "Get": task("getItem", json!({"TableName.$": "$.table", "Key": key("a")}),
                json!("$.got"), "Update"),
            "Update": task("updateItem",
                json!({"TableName.$": "$.table", "Key": key("a"),
                       "UpdateExpression": "SET #c = #c + :one",
                       "ExpressionAttributeNames": {"#c": "count"},
                       "ExpressionAttributeValues": {":one": {"N": "1"}},
                       "ReturnValues": "ALL_NEW"}),
                json!("$.updated"), "Claim"),
            "Claim": claim,
            "PutB": task("putItem", json!({"TableName.$": "$.table", "Item": key("b")}),
                Value::Null, "DeleteB"),
            "DeleteB": task("deleteItem",
                json!({"TableName.$": "$.table", "Key": key("b"), "ReturnValues": "ALL_OLD"}),
                json!("$.deleted"), ""),
        }
    });
    let (described, history) = serve
        .run("dynamodb", &definition, &json!({"table": table}))
        .await;
    let output = succeeded(&described, &history);
    check_http_metadata(&output["put"]);
    assert_eq!(
        output["got"]["Item"],
        json!({"id": {"S": "a"}, "count": {"N": "1"}, "name": {"S": "first"}})
    );
    check_http_metadata(&output["got"]);
    assert_eq!(output["updated"]["Attributes"]["count"], json!({"N": "2"}));
    assert!(output.get("claimed").is_none(), "{output:#}");
    assert_eq!(
        output["conflict"]["Error"],
        "DynamoDB.ConditionalCheckFailedException"
    );
    let cause = output["conflict"]["Cause"].as_str().unwrap();
    assert!(
        cause.contains(
            "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: "
        ),
        "{cause}"
    );
    assert_eq!(output["deleted"]["Attributes"], key("b"));

    // In moto: `a` updated and not overwritten by the failed claim, `b` gone.
    let items = moto.boto3(
        "result = [dynamodb.get_item(TableName=ARGS['table'], Key={'id': {'S': k}}).get('Item') \
         for k in ('a', 'b')]",
        &json!({"table": table}),
    );
    assert_eq!(
        items,
        json!([{"id": {"S": "a"}, "count": {"N": "2"}, "name": {"S": "first"}}, null])
    );

    // A missing table is not caught here: the execution fails with the error's name.
    let definition = json!({
        "StartAt": "Put",
        "States": {"Put": task("putItem",
            json!({"TableName": "no-such-table", "Item": key("a")}), json!("$.put"), "")}
    });
    let (described, history) = serve.run("dynamodb-missing", &definition, &json!({})).await;
    assert_eq!(described["status"], "FAILED", "{described:#}");
    assert_eq!(
        described["error"], "DynamoDB.ResourceNotFoundException",
        "{described:#}"
    );
    let failed = details(&history, "TaskFailed", "taskFailedEventDetails");
    assert_eq!(failed[0]["resourceType"], "dynamodb");
    assert_eq!(failed[0]["error"], "DynamoDB.ResourceNotFoundException");
}

#[tokio::test]
async fn eventbridge_events_reach_a_rule_target() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let queue = create_queue(&moto, "events-target");
    moto.boto3(
        "arn = sqs.get_queue_attributes(QueueUrl=ARGS['queue'], AttributeNames=['QueueArn'])\
         ['Attributes']['QueueArn']\n\
         events.put_rule(Name='orders', EventPattern=json.dumps({'source': ['switchback.orders']}))\n\
         events.put_targets(Rule='orders', Targets=[{'Id': 'queue', 'Arn': arn}])",
        &json!({"queue": queue}),
    );
    let serve = Serve::start("events", &config_for(&moto), &[]).await;

    let definition = json!({
        "StartAt": "Publish",
        "States": {"Publish": {
            "Type": "Task",
            "Resource": "arn:aws:states:::events:putEvents",
            "Parameters": {"Entries": [{
                "Detail": {"order.$": "$.order"},
                "DetailType": "OrderPlaced",
                "Source": "switchback.orders"
            }]},
            "End": true
        }}
    });
    let execution = serve
        .start_execution("events", &definition, &json!({"order": "o-4"}))
        .await;
    let (described, history) = serve.finish(&execution).await;
    let output = succeeded(&described, &history);
    assert_eq!(output["FailedEntryCount"], 0, "{output:#}");
    // EventBridge's result has no SdkHttpMetadata on AWS.
    assert!(output.get("SdkHttpMetadata").is_none(), "{output:#}");
    let event_id = output["Entries"][0]["EventId"].as_str().expect("EventId");

    let messages = receive(&moto, &queue, 10);
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let event: Value = serde_json::from_str(messages[0]["Body"].as_str().unwrap()).unwrap();
    assert_eq!(event["id"], event_id);
    assert_eq!(event["detail-type"], "OrderPlaced");
    assert_eq!(event["source"], "switchback.orders");
    assert_eq!(event["detail"], json!({"order": "o-4"}));
    // As on AWS, the state machine's and the execution's ARNs are the event's resources.
    let machine = described["stateMachineArn"].as_str().unwrap();
    assert_eq!(event["resources"], json!([machine, execution]));
}

#[tokio::test]
async fn sns_messages_reach_a_subscribed_queue_and_missing_topics_are_caught_by_name() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let queue = create_queue(&moto, "sns-subscriber");
    let topic = moto.boto3(
        "arn = sqs.get_queue_attributes(QueueUrl=ARGS['queue'], AttributeNames=['QueueArn'])\
         ['Attributes']['QueueArn']\n\
         topic = sns.create_topic(Name='orders')['TopicArn']\n\
         sns.subscribe(TopicArn=topic, Protocol='sqs', Endpoint=arn)\n\
         result = topic",
        &json!({"queue": queue}),
    );
    let topic = topic.as_str().expect("TopicArn");
    let serve = Serve::start("sns", &config_for(&moto), &[]).await;

    let definition = json!({
        "StartAt": "Publish",
        "States": {
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {
                    "TopicArn.$": "$.topic",
                    "Message": {"order.$": "$.order", "note": "a & b = c"},
                    "Subject": "Order placed",
                    "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "order"}}
                },
                "ResultPath": "$.published",
                "Next": "Missing"
            },
            "Missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn.$": "$.missing", "Message": "lost"},
                "Catch": [{
                    "ErrorEquals": ["SNS.NotFoundException"],
                    "ResultPath": "$.caught",
                    "Next": "Done"
                }],
                "End": true
            },
            "Done": {"Type": "Succeed"}
        }
    });
    let missing = format!("{topic}-missing");
    let (described, history) = serve
        .run(
            "sns",
            &definition,
            &json!({"topic": topic, "missing": missing, "order": "o-5"}),
        )
        .await;
    let output = succeeded(&described, &history);
    let published = &output["published"];
    let message_id = published["MessageId"].as_str().expect("MessageId");
    let http = &published["SdkHttpMetadata"];
    assert_eq!(http["HttpStatusCode"], 200, "{published:#}");
    assert_eq!(
        http["HttpHeaders"]["Content-Type"], "text/xml",
        "{published:#}"
    );
    let request_id = published["SdkResponseMetadata"]["RequestId"]
        .as_str()
        .unwrap_or_default();
    assert!(!request_id.is_empty(), "no RequestId: {published:#}");
    assert_eq!(http["HttpHeaders"]["x-amzn-RequestId"], request_id);

    // The missing topic, caught by the name AWS gives it.
    assert_eq!(
        output["caught"]["Error"], "SNS.NotFoundException",
        "{output:#}"
    );
    let cause = output["caught"]["Cause"].as_str().unwrap();
    assert!(
        cause.contains("(Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: "),
        "{cause}"
    );
    let scheduled = details(&history, "TaskScheduled", "taskScheduledEventDetails");
    assert_eq!(scheduled[0]["resourceType"], "sns");
    assert_eq!(scheduled[0]["resource"], "publish");

    // In moto: the notification in the queue, the message as its JSON text, the attribute.
    let messages = receive(&moto, &queue, 5);
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let notification: Value =
        serde_json::from_str(messages[0]["Body"].as_str().unwrap()).expect("a notification");
    assert_eq!(notification["Type"], "Notification");
    assert_eq!(notification["MessageId"], message_id);
    assert_eq!(notification["TopicArn"], topic);
    assert_eq!(notification["Subject"], "Order placed");
    assert_eq!(
        notification["Message"],
        r#"{"order":"o-5","note":"a & b = c"}"#
    );
    assert_eq!(
        notification["MessageAttributes"]["kind"],
        json!({"Type": "String", "Value": "order"})
    );
}

#[tokio::test]
async fn services_no_configuration_names_are_not_called() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let queue = create_queue(&moto, "never-sent");
    let table = "named-by-variable";
    moto.boto3(
        "dynamodb.create_table(TableName=ARGS['table'], \
         KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}], \
         AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}], \
         BillingMode='PAY_PER_REQUEST')",
        &json!({"table": table}),
    );
    // Only DynamoDB is named, by its variable; SQS is not, and `[aws]` is not enabled.
    let serve = Serve::start(
        "unconfigured",
        "",
        &[("AWS_ENDPOINT_URL_DYNAMODB", moto.url.as_str())],
    )
    .await;

    let definition = json!({
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName.$": "$.table", "Item": {"id": {"S": "a"}}},
                "ResultPath": null,
                "Next": "Send"
            },
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl.$": "$.queue", "MessageBody": "hello"},
                "End": true
            }
        }
    });
    let (described, history) = serve
        .run(
            "unconfigured",
            &definition,
            &json!({"queue": queue, "table": table}),
        )
        .await;
    assert_eq!(described["status"], "FAILED", "{described:#}");
    assert_eq!(described["error"], "States.TaskFailed");
    let cause = described["cause"].as_str().unwrap();
    for hint in [
        "'Send'",
        "arn:aws:states:::sqs:sendMessage",
        "[aws] endpoint_url",
        "[aws.services.sqs] endpoint_url",
        "AWS_ENDPOINT_URL_SQS",
        "[aws] enabled = true",
        "--mock-config FILE",
    ] {
        assert!(cause.contains(hint), "{hint:?} not in the cause: {cause}");
    }
    let failed = details(&history, "TaskFailed", "taskFailedEventDetails");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["resourceType"], "sqs");

    // In moto: the named service was called, the other was not.
    let item = moto.boto3(
        "result = dynamodb.get_item(TableName=ARGS['table'], Key={'id': {'S': 'a'}}).get('Item')",
        &json!({"table": table}),
    );
    assert_eq!(item, json!({"id": {"S": "a"}}));
    assert!(receive(&moto, &queue, 1).is_empty());
}

/// A Task state calling `aws-sdk:SERVICE:ACTION` with `parameters`, its result at
/// `result_path`, then `next` (or the end).
fn sdk_task(resource: &str, parameters: Value, result_path: &str, next: Option<&str>) -> Value {
    let mut state = json!({
        "Type": "Task",
        "Resource": format!("arn:aws:states:::aws-sdk:{resource}"),
        "Parameters": parameters,
        "ResultPath": result_path,
    });
    match next {
        Some(next) => state["Next"] = json!(next),
        None => state["End"] = json!(true),
    }
    state
}

#[tokio::test]
async fn aws_sdk_s3_objects_are_put_read_listed_and_a_missing_key_is_caught_by_name() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let bucket = "orders-sdk-s3";
    moto.boto3(
        "s3.create_bucket(Bucket=ARGS['bucket'])",
        &json!({"bucket": bucket}),
    );
    let serve = Serve::start("sdk-s3", &config_for(&moto), &[]).await;

    let mut missing = sdk_task(
        "s3:getObject",
        json!({"Bucket.$": "$.bucket", "Key": "no/such/key.json"}),
        "$.missing",
        None,
    );
    missing["Catch"] = json!([{
        "ErrorEquals": ["S3.NoSuchKeyException"],
        "ResultPath": "$.caught",
        "Next": "Done"
    }]);
    let definition = json!({
        "StartAt": "Put",
        "States": {
            "Put": sdk_task("s3:putObject",
                json!({"Bucket.$": "$.bucket", "Key": "orders/o 1.json", "Body.$": "$.order",
                       "Metadata": {"source": "switchback"}}),
                "$.put", Some("Get")),
            "Get": sdk_task("s3:getObject",
                json!({"Bucket.$": "$.bucket", "Key": "orders/o 1.json"}),
                "$.got", Some("List")),
            "List": sdk_task("s3:listObjectsV2",
                json!({"Bucket.$": "$.bucket", "Prefix": "orders/"}),
                "$.listed", Some("Missing")),
            "Missing": missing,
            "Done": {"Type": "Pass", "End": true}
        }
    });
    let input = json!({"bucket": bucket, "order": {"id": "o-1", "total": 12.5}});
    let (described, history) = serve.run("sdk-s3", &definition, &input).await;
    let output = succeeded(&described, &history);

    // The object is in the bucket: the order's JSON text, with its metadata.
    let stored = moto.boto3(
        "o = s3.get_object(Bucket=ARGS['bucket'], Key='orders/o 1.json')\n\
         result = {'body': o['Body'].read().decode(), 'meta': o['Metadata'], 'type': o['ContentType']}",
        &json!({"bucket": bucket}),
    );
    assert_eq!(stored["body"], r#"{"id":"o-1","total":12.5}"#);
    assert_eq!(stored["meta"], json!({"source": "switchback"}));
    assert_eq!(stored["type"], "text/plain; charset=UTF-8");

    // Results in Step Functions' shape: PascalCase, the body as text, timestamps as text,
    // no SdkHttpMetadata.
    assert!(output["put"]["ETag"].is_string(), "{output:#}");
    assert!(output["put"].get("SdkHttpMetadata").is_none(), "{output:#}");
    let got = &output["got"];
    assert_eq!(got["Body"], r#"{"id":"o-1","total":12.5}"#, "{got:#}");
    assert_eq!(got["ContentLength"], 25, "{got:#}");
    assert_eq!(got["Metadata"], json!({"source": "switchback"}), "{got:#}");
    let modified = got["LastModified"].as_str().expect("LastModified");
    assert!(
        modified.ends_with('Z') && modified.contains('T'),
        "{modified}"
    );
    let listed = &output["listed"];
    assert_eq!(listed["KeyCount"], 1, "{listed:#}");
    assert_eq!(
        listed["Contents"][0]["Key"], "orders/o 1.json",
        "{listed:#}"
    );
    assert_eq!(listed["Contents"][0]["Size"], 25, "{listed:#}");

    // The missing key, caught by the name AWS gives it.
    assert_eq!(
        output["caught"]["Error"], "S3.NoSuchKeyException",
        "{output:#}"
    );
    let cause = output["caught"]["Cause"].as_str().unwrap_or_default();
    assert!(
        cause.starts_with(
            "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: "
        ) && cause.ends_with("(SDK Attempt Count: 1)"),
        "{cause}"
    );
    let scheduled = details(&history, "TaskScheduled", "taskScheduledEventDetails");
    assert_eq!(scheduled[0]["resourceType"], "aws-sdk:s3");
    assert_eq!(scheduled[0]["resource"], "putObject");
}

/// A distributed Map over `reader`'s items whose children pass each item on; its output at
/// `result_path`, then `next` (or the end).
fn reader_map(reader: Value, result_path: &str, next: Option<&str>) -> Value {
    // State names are unique in a whole definition, child states' included.
    let inner = format!("Pass {}", result_path.trim_start_matches("$."));
    let mut state = json!({
        "Type": "Map",
        "ItemReader": reader,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": inner,
            "States": {inner.as_str(): {"Type": "Pass", "End": true}}
        },
        "MaxConcurrency": 50,
        "ResultPath": result_path,
    });
    match next {
        Some(next) => state["Next"] = json!(next),
        None => state["End"] = json!(true),
    }
    state
}

#[tokio::test]
async fn a_distributed_map_reads_its_items_from_s3_csv_json_json_lines_and_listings() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let bucket = "map-items";
    // 300 CSV rows with a header, a quoted field holding a comma, and a short row; a JSON
    // array; JSON Lines; three objects to list; and a JSON object, which is no list.
    moto.boto3(
        "s3.create_bucket(Bucket=ARGS['bucket'])\n\
         rows = ['id,name,price'] + ['%d,item %d,%d.5' % (i, i, i) for i in range(298)]\n\
         rows += ['298,\"with, comma\",1', '299']\n\
         s3.put_object(Bucket=ARGS['bucket'], Key='data/rows.csv', Body='\\n'.join(rows) + '\\n')\n\
         s3.put_object(Bucket=ARGS['bucket'], Key='data/items.json', Body='[{\"n\": 1}, \"two\", [3]]')\n\
         s3.put_object(Bucket=ARGS['bucket'], Key='data/lines.jsonl', Body='{\"n\": 1}\\n\\n{\"n\": 2}\\n{\"n\": 3}\\n')\n\
         s3.put_object(Bucket=ARGS['bucket'], Key='data/object.json', Body='{\"Hello\": \"world\"}')\n\
         for i in range(3):\n\
         \x20   s3.put_object(Bucket=ARGS['bucket'], Key='list/f%d.txt' % i, Body='x' * (i + 1))\n\
         result = True",
        &json!({"bucket": bucket}),
    );
    let serve = Serve::start("map-items", &config_for(&moto), &[]).await;

    let get = |key: &str, config: Value| {
        json!({
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": config,
            "Parameters": {"Bucket.$": "$.bucket", "Key": key}
        })
    };
    let definition = json!({
        "StartAt": "Csv",
        "States": {
            "Csv": reader_map(
                get("data/rows.csv", json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"})),
                "$.csv", Some("Json")),
            "Json": reader_map(get("data/items.json", json!({"InputType": "JSON"})),
                "$.json", Some("Lines")),
            "Lines": reader_map(
                get("data/lines.jsonl", json!({"InputType": "JSONL", "MaxItemsPath": "$.max"})),
                "$.lines", Some("List")),
            "List": reader_map(json!({
                "Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": {"Bucket.$": "$.bucket", "Prefix": "list/"}
            }), "$.listed", None)
        }
    });
    let input = json!({"bucket": bucket, "max": 2});
    let (described, history) = serve.run("map-items", &definition, &input).await;
    let output = succeeded(&described, &history);

    // Every row an item of strings, keys in the order AWS gives them; a short row's missing
    // field an empty string.
    let csv = output["csv"].as_array().expect("CSV items");
    assert_eq!(csv.len(), 300);
    assert_eq!(
        serde_json::to_string(&csv[7]).expect("text"),
        r#"{"price":"7.5","name":"item 7","id":"7"}"#
    );
    assert_eq!(csv[298]["name"], "with, comma");
    assert_eq!(csv[299], json!({"price": "", "name": "", "id": "299"}));
    assert_eq!(output["json"], json!([{"n": 1}, "two", [3]]));
    assert_eq!(
        output["lines"],
        json!([{"n": 1}, {"n": 2}]),
        "MaxItemsPath 2"
    );
    let listed = output["listed"].as_array().expect("listed items");
    let keys: Vec<&str> = listed.iter().filter_map(|o| o["Key"].as_str()).collect();
    assert_eq!(keys, ["list/f0.txt", "list/f1.txt", "list/f2.txt"]);
    assert_eq!(listed[2]["Size"], 3);
    assert!(listed[0]["Etag"].is_string(), "{listed:#?}");
    // Each reader map ran its own map run.
    assert_eq!(
        details(&history, "MapRunStarted", "mapRunStartedEventDetails").len(),
        4
    );

    // A JSON object is no list: the map run fails with AWS's error and cause.
    let failing = json!({
        "StartAt": "Json",
        "States": {"Json": reader_map(get("data/object.json", json!({"InputType": "JSON"})), "$", None)}
    });
    let (described, history) = serve.run("map-items-object", &failing, &input).await;
    assert_eq!(described["status"], "FAILED", "{described:#}");
    assert_eq!(described["error"], "States.ItemReaderFailed");
    assert_eq!(
        described["cause"],
        "Attempting to map over non-iterable node."
    );
    let failed = details(&history, "MapRunFailed", "mapRunFailedEventDetails");
    assert_eq!(failed.len(), 1, "{history:#?}");
    assert_eq!(failed[0]["error"], "States.ItemReaderFailed");

    // A missing object fails the reader too, naming S3's error.
    let missing = json!({
        "StartAt": "Json",
        "States": {"Json": reader_map(get("data/none.json", json!({"InputType": "JSON"})), "$", None)}
    });
    let (described, _) = serve.run("map-items-missing", &missing, &input).await;
    assert_eq!(
        described["error"], "States.ItemReaderFailed",
        "{described:#}"
    );
    let cause = described["cause"].as_str().unwrap_or_default();
    assert!(cause.contains("NoSuchKey"), "{cause}");

    // 10,000 rows in batches of 100: each child gets its batch and the batch input, and
    // tells how many items it got and the first one's id.
    moto.boto3(
        "rows = ['id,value'] + ['%d,v%d' % (i, i) for i in range(10000)]\n\
         s3.put_object(Bucket=ARGS['bucket'], Key='data/big.csv', Body='\\n'.join(rows))\n\
         result = True",
        &json!({"bucket": bucket}),
    );
    let batched = json!({
        "StartAt": "Batches",
        "States": {"Batches": {
            "Type": "Map",
            "ItemReader": get("data/big.csv", json!({"InputType": "CSV"})),
            "ItemBatcher": {"MaxItemsPerBatch": 100, "BatchInput": {"source.$": "$.bucket"}},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Count",
                "States": {"Count": {"Type": "Pass", "End": true, "Parameters": {
                    "count.$": "States.ArrayLength($.Items)",
                    "first.$": "$.Items[0].id",
                    "source.$": "$.BatchInput.source"
                }}}
            },
            "End": true
        }}
    });
    let (described, history) = serve.run("map-items-batched", &batched, &input).await;
    let output = succeeded(&described, &history);
    let batches = output.as_array().expect("batches");
    assert_eq!(batches.len(), 100);
    for (i, batch) in batches.iter().enumerate() {
        assert_eq!(
            batch,
            &json!({"count": 100, "first": (i * 100).to_string(), "source": bucket}),
            "batch {i}"
        );
    }

    // All together: the 10,000 rows in batches of 100 as Standard children, three of which
    // fail, and their results written to S3. Under the tolerated percentage the map run
    // succeeds and the files hold 97 successes and 3 failures, each naming a child that
    // ListExecutions --map-run-arn lists; over it, the run fails as AWS says.
    let together = |tolerated: u32| {
        json!({
            "StartAt": "Batches",
            "States": {"Batches": {
                "Type": "Map",
                "Label": "Rows",
                "ItemReader": get("data/big.csv", json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"})),
                "ItemBatcher": {"MaxItemsPerBatch": 100},
                "ToleratedFailurePercentage": tolerated,
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket.$": "$.bucket", "Prefix": "batched"}
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Check",
                    "States": {
                        "Check": {"Type": "Choice", "Default": "Count", "Choices": [{"Or": [
                            {"Variable": "$.Items[0].id", "StringEquals": "0"},
                            {"Variable": "$.Items[0].id", "StringEquals": "5000"},
                            {"Variable": "$.Items[0].id", "StringEquals": "9900"}],
                            "Next": "Refuse"}]},
                        "Refuse": {"Type": "Fail", "Error": "Batch.Refused", "Cause": "a refused batch"},
                        "Count": {"Type": "Pass", "End": true, "Parameters": {
                            "count.$": "States.ArrayLength($.Items)", "first.$": "$.Items[0].id"}}
                    }
                },
                "End": true
            }}
        })
    };
    let (described, history) = serve.run("map-together", &together(5), &input).await;
    let output = succeeded(&described, &history);
    let map_run_arn = output["MapRunArn"].as_str().expect("MapRunArn").to_string();
    let children = serve
        .client
        .list_map_run_executions(&map_run_arn, None)
        .await
        .expect("ListExecutions --map-run-arn");
    assert_eq!(children.len(), 100);
    let failed_children: Vec<&str> = children
        .iter()
        .filter(|c| c["status"] == "FAILED")
        .filter_map(|c| c["executionArn"].as_str())
        .collect();
    assert_eq!(failed_children.len(), 3);
    assert!(children.iter().all(|c| c["itemCount"] == 100));
    let stored = moto.boto3(
        "get = lambda k: s3.get_object(Bucket=ARGS['bucket'], Key=k)['Body'].read().decode()\n\
         manifest = json.loads(get(ARGS['key']))\n\
         result = {s: [json.loads(get(f['Key'])) for f in fs] for s, fs in manifest['ResultFiles'].items()}",
        &json!({"bucket": bucket, "key": output["ResultWriterDetails"]["Key"]}),
    );
    let records = |status: &str| -> Vec<Value> {
        stored[status]
            .as_array()
            .expect("files")
            .iter()
            .flat_map(|f| f.as_array().cloned().unwrap_or_default())
            .collect()
    };
    let (good, bad) = (records("SUCCEEDED"), records("FAILED"));
    assert_eq!((good.len(), bad.len()), (97, 3), "{stored:#}");
    let mut refused: Vec<&str> = bad
        .iter()
        .map(|r| r["ExecutionArn"].as_str().expect("ExecutionArn"))
        .collect();
    refused.sort_unstable();
    let mut listed = failed_children.clone();
    listed.sort_unstable();
    assert_eq!(
        refused, listed,
        "the failed records name the failed children"
    );
    assert!(bad.iter().all(|r| r["Error"] == "Batch.Refused"));
    let counted: u64 = good
        .iter()
        .map(|r| {
            let out: Value =
                serde_json::from_str(r["Output"].as_str().expect("Output")).expect("JSON");
            out["count"].as_u64().expect("count")
        })
        .sum();
    assert_eq!(counted, 9_700);
    let (described, history) = serve.run("map-together-over", &together(2), &input).await;
    assert_eq!(described["status"], "FAILED", "{described:#}\n{history:#?}");
    assert_eq!(described["error"], "States.ExceedToleratedFailureThreshold");

    // Results written to S3: one child of three fails (tolerated); the output names the
    // manifest, which lists a file of successes and one of failures.
    let written = json!({
        "StartAt": "Write",
        "States": {"Write": {
            "Type": "Map",
            "ItemsPath": "$.letters",
            "ToleratedFailureCount": 1,
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket.$": "$.bucket", "Prefix": "results"}
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Check",
                "States": {
                    "Check": {"Type": "Choice", "Default": "Keep",
                        "Choices": [{"Variable": "$", "StringEquals": "b", "Next": "Refuse"}]},
                    "Refuse": {"Type": "Fail", "Error": "Letter.Refused", "Cause": "no b"},
                    "Keep": {"Type": "Pass", "End": true}
                }
            },
            "End": true
        }}
    });
    let (described, history) = serve
        .run(
            "map-results",
            &written,
            &json!({"bucket": bucket, "letters": ["a", "b", "c"]}),
        )
        .await;
    let output = succeeded(&described, &history);
    let map_run_arn = output["MapRunArn"].as_str().expect("MapRunArn");
    let run_id = map_run_arn.rsplit(':').next().expect("id");
    assert_eq!(
        output["ResultWriterDetails"]["Bucket"], bucket,
        "{output:#}"
    );
    let manifest_key = format!("results/{run_id}/manifest.json");
    assert_eq!(output["ResultWriterDetails"]["Key"], manifest_key.as_str());
    let stored = moto.boto3(
        "get = lambda k: s3.get_object(Bucket=ARGS['bucket'], Key=k)['Body'].read().decode()\n\
         manifest = json.loads(get(ARGS['key']))\n\
         files = {s: [dict(f, Text=get(f['Key'])) for f in fs] for s, fs in manifest['ResultFiles'].items()}\n\
         result = {'manifest': manifest, 'files': files}",
        &json!({"bucket": bucket, "key": manifest_key}),
    );
    let manifest = &stored["manifest"];
    assert_eq!(manifest["DestinationBucket"], bucket);
    assert_eq!(manifest["MapRunArn"], map_run_arn);
    assert_eq!(manifest["ResultFiles"]["PENDING"], json!([]));
    let file = |status: &str| {
        let files = stored["files"][status].as_array().expect("files");
        assert_eq!(files.len(), 1, "{status}: {stored:#}");
        let text = files[0]["Text"].as_str().expect("text");
        assert_eq!(files[0]["Size"], text.len(), "{status}");
        assert_eq!(
            files[0]["Key"],
            format!("results/{run_id}/{status}_0.json").as_str()
        );
        serde_json::from_str::<Value>(text).expect("a JSON array")
    };
    let succeeded_records = file("SUCCEEDED");
    let outputs: Vec<&str> = succeeded_records
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["Output"].as_str().expect("Output"))
        .collect();
    assert_eq!(outputs, ["\"a\"", "\"c\""]);
    assert_eq!(succeeded_records[0]["Status"], "SUCCEEDED");
    let failed_records = file("FAILED");
    assert_eq!(failed_records[0]["Input"], "\"b\"");
    assert_eq!(failed_records[0]["Error"], "Letter.Refused");
    assert_eq!(failed_records[0]["Cause"], "no b");
}

/// A distributed map over `key` whose children (Express, in batches of 1,000) each tell how
/// many items they got, the sum of their `i`, and how many kept their text `t` intact.
fn counting_map(key: &str, input_type: &str) -> Value {
    json!({
        "StartAt": "Count",
        "States": {"Count": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": input_type},
                "Parameters": {"Bucket.$": "$.bucket", "Key": key}
            },
            "ItemBatcher": {"MaxItemsPerBatch": 1000, "BatchInput": {"t.$": "$.t"}},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Sum",
                "States": {"Sum": {
                    "Type": "Pass",
                    "QueryLanguage": "JSONata",
                    "Output": "{% {'n': $count($states.input.Items), 'sum': $sum($states.input.Items.i), 'intact': $count($states.input.Items[t = $states.input.BatchInput.t])} %}",
                    "End": true
                }}
            },
            "End": true
        }}
    })
}

#[tokio::test]
async fn a_distributed_map_reads_a_large_object_a_range_at_a_time_with_every_character_intact() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let bucket = "map-large";
    // 100,000 items of about 190 bytes, with two-, three- and four-byte characters: about
    // 19 MB, so read in three ranges whose ends fall inside characters. The same items as
    // JSON Lines and as one JSON array on a single line; and an empty object.
    let text = "é✓😀".repeat(20);
    moto.boto3(
        "s3.create_bucket(Bucket=ARGS['bucket'])\n\
         lines = ['{\"i\": %d, \"t\": \"%s\"}' % (i, ARGS['t']) for i in range(100000)]\n\
         s3.put_object(Bucket=ARGS['bucket'], Key='large.jsonl', Body=('\\n'.join(lines) + '\\n').encode())\n\
         s3.put_object(Bucket=ARGS['bucket'], Key='large.json', Body=('[' + ','.join(lines) + ']').encode())\n\
         s3.put_object(Bucket=ARGS['bucket'], Key='empty.jsonl', Body=b'')\n\
         result = True",
        &json!({"bucket": bucket, "t": text}),
    );
    let serve = Serve::start(
        "map-large",
        &config_for(&moto),
        &[("SWITCHBACK_LOG", "switchback_engine=debug,warn")],
    )
    .await;
    let input = json!({"bucket": bucket, "t": text});
    for (key, input_type) in [("large.jsonl", "JSONL"), ("large.json", "JSON")] {
        let (described, history) = serve
            .run(
                &format!("map-{input_type}"),
                &counting_map(key, input_type),
                &input,
            )
            .await;
        let output = succeeded(&described, &history);
        let batches = output.as_array().expect("one result a batch");
        assert_eq!(batches.len(), 100, "{key}");
        let total = |field: &str| -> f64 {
            batches
                .iter()
                .map(|b| b[field].as_f64().unwrap_or(0.0))
                .sum()
        };
        assert_eq!(total("n"), 100_000.0, "{key}: every item once");
        assert_eq!(total("sum"), 4_999_950_000.0, "{key}: every item once");
        assert_eq!(total("intact"), 100_000.0, "{key}: every character intact");
    }
    let (described, history) = serve
        .run("map-empty", &counting_map("empty.jsonl", "JSONL"), &input)
        .await;
    assert_eq!(succeeded(&described, &history), json!([]));
    // Each large object was read in three ranges (of 8 MiB at most).
    let log = std::fs::read_to_string(&serve.log).unwrap_or_default();
    let ranges = log
        .lines()
        .filter(|l| l.contains("read a range of an item reader's object"))
        .count();
    assert_eq!(ranges, 6, "{log}");
}

#[tokio::test]
async fn a_distributed_map_reads_s3_inventories_athena_manifests_and_compressed_objects() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let bucket = "map-manifests";
    // An S3 inventory of five objects in two gzipped reports, as S3 Inventory writes them; an
    // Athena UNLOAD's manifest of a gzipped and a plain JSON Lines object; a gzipped CSV.
    moto.boto3(
        "import gzip\n\
         b = ARGS['bucket']\n\
         s3.create_bucket(Bucket=b)\n\
         row = lambda i: '\"source\",\"photos/%d.jpg\",\"%d\",\"2024-01-0%dT00:00:00.000Z\"' % (i, i * 10, i + 1)\n\
         s3.put_object(Bucket=b, Key='inv/source/cfg/data/1.csv.gz', Body=gzip.compress('\\n'.join(row(i) for i in range(3)).encode() + b'\\n'))\n\
         s3.put_object(Bucket=b, Key='inv/source/cfg/data/2.csv.gz', Body=gzip.compress('\\n'.join(row(i) for i in range(3, 5)).encode()))\n\
         files = [{'key': 'inv/source/cfg/data/%d.csv.gz' % n, 'size': 1, 'MD5checksum': 'x'} for n in (1, 2)]\n\
         manifest = {'sourceBucket': 'source', 'destinationBucket': 'arn:aws:s3:::' + b, 'version': '2016-11-30',\n\
         \x20   'creationTimestamp': '1668560400000', 'fileFormat': 'CSV', 'fileSchema': 'Bucket, Key, Size, LastModifiedDate', 'files': files}\n\
         s3.put_object(Bucket=b, Key='inv/source/cfg/2024-01-06T00-00Z/manifest.json', Body=json.dumps(manifest).encode())\n\
         s3.put_object(Bucket=b, Key='athena/part-1.gz', Body=gzip.compress(b'{\"n\": 1}\\n{\"n\": 2}\\n'))\n\
         s3.put_object(Bucket=b, Key='athena/part-2', Body=b'{\"n\": 3}\\n')\n\
         s3.put_object(Bucket=b, Key='athena/q-manifest.csv', Body=('s3://%s/athena/part-1.gz\\ns3://%s/athena/part-2\\n' % (b, b)).encode())\n\
         s3.put_object(Bucket=b, Key='data.csv.gz', Body=gzip.compress(b'id,name\\n1,one\\n2,two\\n'))\n\
         s3.put_object(Bucket=b, Key='nested.json', Body=b'{\"inventory\": {\"products\": {\"featured\": [\"a\", \"b\"]}}}')\n\
         s3.put_object(Bucket=b, Key='flat/1.jsonl', Body=b'{\"f\": 1}\\n{\"f\": 2}\\n')\n\
         s3.put_object(Bucket=b, Key='flat/2.jsonl.gz', Body=gzip.compress(b'{\"f\": 3}\\n'))\n\
         result = True",
        &json!({"bucket": bucket}),
    );
    let serve = Serve::start("map-manifests", &config_for(&moto), &[]).await;
    let get = |key: &str, config: Value| {
        json!({
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": config,
            "Parameters": {"Bucket.$": "$.bucket", "Key": key}
        })
    };
    let manifest = "inv/source/cfg/2024-01-06T00-00Z/manifest.json";
    let definition = json!({
        "StartAt": "Inventory",
        "States": {
            "Inventory": reader_map(get(manifest, json!({"InputType": "MANIFEST"})),
                "$.inventory", Some("InventoryTyped")),
            "InventoryTyped": reader_map(
                get(manifest, json!({"ManifestType": "S3_INVENTORY", "MaxItems": 4})),
                "$.first_four", Some("Athena")),
            "Athena": reader_map(
                get("athena/q-manifest.csv", json!({"ManifestType": "ATHENA_DATA", "InputType": "JSONL"})),
                "$.athena", Some("Gzipped")),
            "Gzipped": reader_map(get("data.csv.gz", json!({"InputType": "CSV"})), "$.csv", Some("Pointer")),
            "Pointer": reader_map(
                get("nested.json", json!({"InputType": "JSON", "ItemsPointer": "/inventory/products/featured"})),
                "$.featured", Some("Flatten")),
            "Flatten": reader_map(json!({
                "Resource": "arn:aws:states:::s3:listObjectsV2",
                "ReaderConfig": {"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN"},
                "Parameters": {"Bucket.$": "$.bucket", "Prefix": "flat/"}
            }), "$.flattened", None)
        }
    });
    let (described, history) = serve
        .run("map-manifests", &definition, &json!({"bucket": bucket}))
        .await;
    let output = succeeded(&described, &history);
    // Each inventory row an item of strings, in the key order AWS documents.
    let inventory = output["inventory"].as_array().expect("inventory items");
    assert_eq!(inventory.len(), 5, "{inventory:#?}");
    assert_eq!(
        serde_json::to_string(&inventory[1]).expect("text"),
        r#"{"LastModifiedDate":"2024-01-02T00:00:00.000Z","Bucket":"source","Size":"10","Key":"photos/1.jpg"}"#
    );
    assert_eq!(inventory[4]["Key"], "photos/4.jpg");
    let first_four: Vec<&Value> = output["first_four"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| &i["Key"])
        .collect();
    assert_eq!(
        first_four,
        [
            "photos/0.jpg",
            "photos/1.jpg",
            "photos/2.jpg",
            "photos/3.jpg"
        ],
        "MaxItems counts across the reports"
    );
    assert_eq!(output["athena"], json!([{"n": 1}, {"n": 2}, {"n": 3}]));
    assert_eq!(
        output["csv"],
        json!([{"name": "one", "id": "1"}, {"name": "two", "id": "2"}])
    );
    // ItemsPointer: the array inside the JSON object; LOAD_AND_FLATTEN: the listed objects'
    // lines, in the listing's order.
    assert_eq!(output["featured"], json!(["a", "b"]));
    assert_eq!(output["flattened"], json!([{"f": 1}, {"f": 2}, {"f": 3}]));

    // An inventory that is not CSV fails the reader, saying why.
    moto.boto3(
        "s3.put_object(Bucket=ARGS['bucket'], Key='orc/manifest.json', Body=json.dumps({'destinationBucket': 'arn:aws:s3:::x', 'fileFormat': 'ORC', 'fileSchema': 'a', 'files': []}).encode())\n\
         result = True",
        &json!({"bucket": bucket}),
    );
    let orc = json!({
        "StartAt": "Inventory",
        "States": {"Inventory": reader_map(get("orc/manifest.json", json!({"InputType": "MANIFEST"})), "$", None)}
    });
    let (described, _) = serve.run("map-orc", &orc, &json!({"bucket": bucket})).await;
    assert_eq!(
        described["error"], "States.ItemReaderFailed",
        "{described:#}"
    );
    let cause = described["cause"].as_str().unwrap_or_default();
    assert!(cause.contains("CSV format only"), "{cause}");
}

#[tokio::test]
async fn a_result_writer_splits_large_results_into_files_written_a_part_at_a_time() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let bucket = "map-results";
    // 3,000 items of 10 kB: about 30 MB of results, in files of at most 12 MiB.
    moto.boto3(
        "s3.create_bucket(Bucket=ARGS['bucket'])\n\
         lines = ['{\"i\": %d, \"pad\": \"%s\"}' % (i, 'x' * 10000) for i in range(3000)]\n\
         s3.put_object(Bucket=ARGS['bucket'], Key='items.jsonl', Body=('\\n'.join(lines)).encode())\n\
         result = True",
        &json!({"bucket": bucket}),
    );
    let max_file = 12 * 1024 * 1024;
    let serve = Serve::start(
        "map-results",
        &config_for(&moto),
        &[("SWITCHBACK_MAX_RESULT_FILE_BYTES", &max_file.to_string())],
    )
    .await;
    let definition = json!({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSONL"},
                "Parameters": {"Bucket.$": "$.bucket", "Key": "items.jsonl"}
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Same",
                "States": {"Same": {"Type": "Pass", "End": true}}
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket.$": "$.bucket", "Prefix": "big"},
                "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}
            },
            "End": true
        }}
    });
    let (described, history) = serve
        .run("map-results", &definition, &json!({"bucket": bucket}))
        .await;
    let output = succeeded(&described, &history);
    let stored = moto.boto3(
        "manifest = json.loads(s3.get_object(Bucket=ARGS['bucket'], Key=ARGS['key'])['Body'].read())\n\
         files = []\n\
         for f in manifest['ResultFiles']['SUCCEEDED']:\n\
         \x20   head = s3.head_object(Bucket=ARGS['bucket'], Key=f['Key'])\n\
         \x20   text = s3.get_object(Bucket=ARGS['bucket'], Key=f['Key'])['Body'].read().decode()\n\
         \x20   records = [json.loads(l) for l in text.splitlines()]\n\
         \x20   files.append({'key': f['Key'], 'listed': f['Size'], 'size': head['ContentLength'], 'etag': head['ETag'],\n\
         \x20       'is': [r['i'] for r in records], 'pads': sorted(set(len(r['pad']) for r in records))})\n\
         result = {'files': files, 'failed': manifest['ResultFiles']['FAILED']}",
        &json!({"bucket": bucket, "key": output["ResultWriterDetails"]["Key"]}),
    );
    let files = stored["files"].as_array().expect("files");
    assert_eq!(files.len(), 3, "{stored:#}");
    let mut all = Vec::new();
    for (n, f) in files.iter().enumerate() {
        assert!(
            f["key"]
                .as_str()
                .unwrap_or_default()
                .ends_with(&format!("/SUCCEEDED_{n}.jsonl")),
            "{f}"
        );
        assert_eq!(
            f["listed"], f["size"],
            "the manifest gives each file's size"
        );
        assert!(f["size"].as_u64().unwrap_or(u64::MAX) <= max_file, "{f}");
        assert_eq!(f["pads"], json!([10000]));
        all.extend(f["is"].as_array().cloned().unwrap_or_default());
    }
    // Files larger than a part went up as multipart uploads (their ETag counts the parts).
    assert!(
        files[0]["etag"].as_str().unwrap_or_default().contains('-'),
        "{}",
        files[0]
    );
    let expected: Vec<Value> = (0..3000).map(|i| json!(i)).collect();
    assert_eq!(all, expected, "every result once, in order");
    assert_eq!(stored["failed"], json!([]));
}

#[tokio::test]
async fn a_failed_map_run_writes_the_items_it_did_not_start_as_pending() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let bucket = "map-pending";
    moto.boto3(
        "s3.create_bucket(Bucket=ARGS['bucket'])\nresult = True",
        &json!({"bucket": bucket}),
    );
    let serve = Serve::start("map-pending", &config_for(&moto), &[]).await;
    // One child at a time, no failure tolerated, the fourth of ten failing: three succeed,
    // one fails, and the six after it are never started.
    let definition = json!({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 1,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Check",
                "States": {
                    "Check": {"Type": "Choice", "Default": "Fine", "Choices": [
                        {"Variable": "$.n", "NumericEquals": 3, "Next": "Refuse"}]},
                    "Refuse": {"Type": "Fail", "Error": "Item.Refused", "Cause": "item 3"},
                    "Fine": {"Type": "Pass", "End": true}
                }
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": bucket, "Prefix": "runs"}
            },
            "End": true
        }}
    });
    let items: Vec<Value> = (0..10).map(|n| json!({"n": n})).collect();
    let (described, history) = serve
        .run("map-pending", &definition, &json!({"items": items}))
        .await;
    assert_eq!(described["status"], "FAILED", "{described:#}");
    assert_eq!(described["error"], "States.ExceedToleratedFailureThreshold");
    let started = details(&history, "MapRunStarted", "mapRunStartedEventDetails");
    let map_run = started[0]["mapRunArn"].as_str().expect("map run ARN");
    let id = map_run.rsplit(':').next().unwrap_or_default();
    let stored = moto.boto3(
        "get = lambda k: s3.get_object(Bucket=ARGS['bucket'], Key=k)['Body'].read().decode()\n\
         manifest = json.loads(get(ARGS['key']))\n\
         result = {s: [json.loads(get(f['Key'])) for f in fs] for s, fs in manifest['ResultFiles'].items()}",
        &json!({"bucket": bucket, "key": format!("runs/{id}/manifest.json")}),
    );
    let records = |status: &str| -> Vec<Value> {
        stored[status]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|f| f.as_array().cloned().unwrap_or_default())
            .collect()
    };
    assert_eq!(records("SUCCEEDED").len(), 3, "{stored:#}");
    assert_eq!(records("FAILED").len(), 1, "{stored:#}");
    let pending = records("PENDING");
    let inputs: Vec<Value> = pending
        .iter()
        .map(|r| serde_json::from_str(r["Input"].as_str().unwrap_or("null")).unwrap_or_default())
        .collect();
    let expected: Vec<Value> = (4..10).map(|n| json!({"n": n})).collect();
    assert_eq!(inputs, expected, "{stored:#}");
    assert!(pending
        .iter()
        .all(|r| r["Status"] == "PENDING" && r["InputDetails"]["Included"] == true));
}

#[tokio::test]
async fn aws_sdk_calls_each_protocol_json_query_ec2_and_rest_json() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let table = "sdk-flags";
    moto.boto3(
        "dynamodb.create_table(TableName=ARGS['table'], \
         KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}], \
         AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}], \
         BillingMode='PAY_PER_REQUEST')",
        &json!({"table": table}),
    );
    let serve = Serve::start("sdk-protocols", &config_for(&moto), &[]).await;

    let definition = json!({
        "StartAt": "Secret",
        "States": {
            // AWS JSON 1.1.
            "Secret": sdk_task("secretsmanager:createSecret",
                json!({"Name": "sdk/db-password", "SecretString": "hunter2"}),
                "$.secret", Some("ReadSecret")),
            "ReadSecret": sdk_task("secretsmanager:getSecretValue",
                json!({"SecretId": "sdk/db-password"}), "$.read", Some("PutFlag")),
            // AWS JSON 1.0, with the SDK's member names (BOOL is Bool, SS is Ss).
            "PutFlag": sdk_task("dynamodb:putItem",
                json!({"TableName": table,
                       "Item": {"id": {"S": "f1"}, "on": {"Bool": true}, "tags": {"Ss": ["a", "b"]}}}),
                "$.put", Some("GetFlag")),
            "GetFlag": sdk_task("dynamodb:getItem",
                json!({"TableName": table, "Key": {"id": {"S": "f1"}}}), "$.flag", Some("Role")),
            // The query protocol.
            "Role": sdk_task("iam:createRole",
                json!({"RoleName": "sdk-role", "AssumeRolePolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
                       "Tags": [{"Key": "team", "Value": "orders"}]}),
                "$.role", Some("Vpc")),
            // EC2's protocol.
            "Vpc": sdk_task("ec2:createVpc", json!({"CidrBlock": "10.7.0.0/16"}), "$.vpc",
                Some("Vpcs")),
            "Vpcs": sdk_task("ec2:describeVpcs",
                json!({"Filters": [{"Name": "cidr", "Values": ["10.7.0.0/16"]}]}), "$.vpcs",
                Some("Functions")),
            // REST-JSON.
            "Functions": sdk_task("lambda:listFunctions", json!({}), "$.functions", None)
        }
    });
    let (described, history) = serve.run("sdk-protocols", &definition, &json!({})).await;
    let output = succeeded(&described, &history);

    assert_eq!(output["read"]["SecretString"], "hunter2", "{output:#}");
    assert_eq!(output["read"]["Name"], "sdk/db-password", "{output:#}");
    let created = output["read"]["CreatedDate"].as_str().unwrap_or_default();
    assert!(created.ends_with('Z'), "timestamps as text: {output:#}");
    assert_eq!(
        output["flag"]["Item"],
        json!({"id": {"S": "f1"}, "on": {"Bool": true}, "tags": {"Ss": ["a", "b"]}}),
        "{output:#}"
    );
    assert_eq!(output["role"]["Role"]["RoleName"], "sdk-role", "{output:#}");
    let vpc_id = output["vpc"]["Vpc"]["VpcId"].as_str().expect("VpcId");
    assert_eq!(output["vpcs"]["Vpcs"][0]["VpcId"], vpc_id, "{output:#}");
    assert_eq!(output["vpcs"]["Vpcs"][0]["CidrBlock"], "10.7.0.0/16");
    assert!(output["functions"]["Functions"].is_array(), "{output:#}");

    // Each effect, read back with boto3.
    let seen = moto.boto3(
        "result = {\
           'secret': secretsmanager.get_secret_value(SecretId='sdk/db-password')['SecretString'],\
           'item': dynamodb.get_item(TableName=ARGS['table'], Key={'id': {'S': 'f1'}})['Item'],\
           'tags': iam.list_role_tags(RoleName='sdk-role')['Tags'],\
           'vpc': [v['VpcId'] for v in ec2.describe_vpcs()['Vpcs'] if v['CidrBlock'] == '10.7.0.0/16']}",
        &json!({"table": table}),
    );
    assert_eq!(seen["secret"], "hunter2");
    assert_eq!(seen["item"]["on"], json!({"BOOL": true}));
    assert_eq!(seen["tags"], json!([{"Key": "team", "Value": "orders"}]));
    assert_eq!(seen["vpc"], json!([vpc_id]));
}

#[tokio::test]
async fn aws_sdk_wait_for_task_token_sends_the_token_and_waits_for_its_answer() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let queue = create_queue(&moto, "approvals-sdk-token");
    let serve = Serve::start("sdk-token", &config_for(&moto), &[]).await;

    let definition = json!({
        "StartAt": "Ask",
        "States": {"Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl.$": "$.queue", "MessageBody.$": "$$.Task.Token"},
            "TimeoutSeconds": 60,
            "End": true
        }}
    });
    let execution = serve
        .start_execution("sdk-token", &definition, &json!({"queue": queue}))
        .await;
    let (python, moto_url, sfn_url, queue_url) = (
        tools.python.clone(),
        moto.url.clone(),
        serve.url.clone(),
        queue.clone(),
    );
    let token = tokio::task::spawn_blocking(move || {
        moto::boto3(
            &python,
            &moto_url,
            "messages = sqs.receive_message(QueueUrl=ARGS['queue'], WaitTimeSeconds=20)\
             .get('Messages', [])\n\
             token = messages[0]['Body']\n\
             sfn = client('stepfunctions', ARGS['sfn'])\n\
             sfn.send_task_success(taskToken=token, output=json.dumps({'approved': True}))\n\
             result = token",
            &json!({"queue": queue_url, "sfn": sfn_url}),
        )
    })
    .await
    .expect("the worker");
    let (described, history) = serve.finish(&execution).await;
    assert_eq!(succeeded(&described, &history), json!({"approved": true}));
    let scheduled = details(&history, "TaskScheduled", "taskScheduledEventDetails");
    let parameters: Value =
        serde_json::from_str(scheduled[0]["parameters"].as_str().unwrap()).unwrap();
    assert_eq!(parameters["MessageBody"], token);
    assert_eq!(scheduled[0]["resourceType"], "aws-sdk:sqs");
}

/// Creates a Glue job in moto and has moto's job runs take `polls` answers per state
/// (STARTING, RUNNING, then SUCCEEDED), so that a `.sync` task polls a while.
fn glue_job(moto: &Moto, name: &str, polls: u32) {
    moto.boto3(
        "glue = client('glue')\n\
         glue.create_job(Name=ARGS['name'], Role='arn:aws:iam::123456789012:role/glue', \
         Command={'Name': 'glueetl', 'ScriptLocation': 's3://scripts/etl.py'})\n\
         import urllib.request\n\
         body = json.dumps({'model_name': 'glue::job_run', \
                            'transition': {'progression': 'manual', 'times': ARGS['polls']}})\n\
         urllib.request.urlopen(urllib.request.Request(ENDPOINT + '/moto-api/state-manager/set-transition', \
                                data=body.encode(), method='POST'))",
        &json!({"name": name, "polls": polls}),
    );
}

/// The job runs of a Glue job in moto.
fn glue_runs(moto: &Moto, name: &str) -> Vec<Value> {
    moto.boto3(
        "glue = client('glue')\n\
         result = [{'Id': r['Id'], 'JobRunState': r['JobRunState']} \
                   for r in glue.get_job_runs(JobName=ARGS['name'])['JobRuns']]",
        &json!({"name": name}),
    )
    .as_array()
    .cloned()
    .unwrap_or_default()
}

#[tokio::test]
async fn glue_start_job_run_sync_polls_the_job_to_its_end_and_a_missing_job_is_caught_by_name() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    glue_job(&moto, "etl-nightly", 3);
    let config = format!("{}job_poll_seconds = 0.1\n", config_for(&moto));
    let serve = Serve::start("glue-sync", &config, &[]).await;

    let definition = json!({
        "StartAt": "Run",
        "States": {
            "Run": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": "etl-nightly", "Arguments": {"--day": "2026-12-01"}},
                "ResultPath": "$.run",
                "Next": "Missing"
            },
            "Missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": "no-such-job"},
                "Catch": [{"ErrorEquals": ["Glue.EntityNotFoundException"],
                           "ResultPath": "$.missing", "Next": "Done"}],
                "End": true
            },
            "Done": {"Type": "Pass", "End": true}
        }
    });
    let (described, history) = serve.run("glue-sync", &definition, &json!({})).await;
    let output = succeeded(&described, &history);

    // One job run, polled to its end; the task's output is the run's description.
    let runs = glue_runs(&moto, "etl-nightly");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["JobRunState"], "SUCCEEDED");
    assert_eq!(output["run"]["Id"], runs[0]["Id"], "{output:#}");
    assert_eq!(output["run"]["JobRunState"], "SUCCEEDED", "{output:#}");
    assert_eq!(output["run"]["JobName"], "etl-nightly", "{output:#}");
    // The start's answer was handed over first: TaskSubmitted holds the run's id.
    let submitted = details(&history, "TaskSubmitted", "taskSubmittedEventDetails");
    let started: Value = serde_json::from_str(submitted[0]["output"].as_str().unwrap()).unwrap();
    assert_eq!(started["JobRunId"], runs[0]["Id"]);
    assert_eq!(submitted[0]["resource"], "startJobRun.sync");
    // A job that does not exist fails by the name AWS gives it.
    assert_eq!(
        output["missing"]["Error"], "Glue.EntityNotFoundException",
        "{output:#}"
    );
    let cause = output["missing"]["Cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains("(Service: AWSGlue; Status Code: 400; Error Code: EntityNotFoundException;"),
        "{cause}"
    );
}

#[tokio::test]
async fn a_sync_job_polled_when_the_server_is_killed_is_polled_again_and_never_started_twice() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    // About 40 polls per state: the job runs for several seconds.
    glue_job(&moto, "etl-crash", 40);
    let config = format!("{}job_poll_seconds = 0.1\n", config_for(&moto));
    let mut serve = Serve::start("glue-crash", &config, &[]).await;
    let definition = json!({
        "StartAt": "Run",
        "States": {"Run": {
            "Type": "Task",
            "Resource": "arn:aws:states:::glue:startJobRun.sync",
            "Parameters": {"JobName": "etl-crash"},
            "End": true
        }}
    });
    let execution = serve
        .start_execution("glue-crash", &definition, &json!({}))
        .await;

    // Wait until the job is started and being polled, then kill -9 the server.
    let deadline = Instant::now() + LIMIT;
    loop {
        let history = serve
            .client
            .get_execution_history(&execution)
            .await
            .expect("GetExecutionHistory");
        if history.iter().any(|e| e["type"] == "TaskSubmitted") {
            break;
        }
        assert!(Instant::now() < deadline, "no TaskSubmitted: {history:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let runs = glue_runs(&moto, "etl-crash");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_ne!(
        runs[0]["JobRunState"], "SUCCEEDED",
        "the job ended before the crash"
    );
    serve.crash_and_restart().await;

    // The restarted server polls the same run to its end.
    let (described, history) = serve.finish(&execution).await;
    let output = succeeded(&described, &history);
    let runs = glue_runs(&moto, "etl-crash");
    assert_eq!(runs.len(), 1, "a second job run was started: {runs:?}");
    assert_eq!(runs[0]["JobRunState"], "SUCCEEDED");
    assert_eq!(output["Id"], runs[0]["Id"], "{output:#}");
    let types: Vec<&str> = history.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(
        types.iter().filter(|t| **t == "TaskSubmitted").count(),
        1,
        "{types:?}"
    );
    assert_eq!(
        types.iter().filter(|t| **t == "TaskStarted").count(),
        1,
        "{types:?}"
    );
}

#[tokio::test]
async fn ecs_run_task_sync_waits_for_the_task_to_stop_and_a_missing_cluster_is_caught_by_name() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    moto.boto3(
        "ecs = client('ecs')\n\
         ecs.create_cluster(clusterName='jobs')\n\
         ecs.register_task_definition(family='report', \
           containerDefinitions=[{'name': 'report', 'image': 'busybox', 'memory': 128}])",
        &json!({}),
    );
    let config = format!("{}job_poll_seconds = 0.1\n", config_for(&moto));
    let serve = Serve::start("ecs-sync", &config, &[]).await;
    let run_task = |cluster: &str| {
        json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::ecs:runTask.sync",
            "Parameters": {"Cluster": cluster, "TaskDefinition": "report", "LaunchType": "FARGATE"}
        })
    };
    let mut run = run_task("jobs");
    run["ResultPath"] = json!("$.task");
    run["Next"] = json!("Missing");
    let mut missing = run_task("no-such-cluster");
    missing["Catch"] = json!([{"ErrorEquals": ["ECS.ClusterNotFoundException"],
                               "ResultPath": "$.missing", "Next": "Done"}]);
    missing["End"] = json!(true);
    let definition = json!({
        "StartAt": "Run",
        "States": {"Run": run, "Missing": missing, "Done": {"Type": "Pass", "End": true}}
    });
    let (described, history) = serve.run("ecs-sync", &definition, &json!({})).await;
    let output = succeeded(&described, &history);

    // The task's description, stopped; the same task the start answered with.
    assert_eq!(output["task"]["LastStatus"], "STOPPED", "{output:#}");
    let submitted = details(&history, "TaskSubmitted", "taskSubmittedEventDetails");
    let started: Value = serde_json::from_str(submitted[0]["output"].as_str().unwrap()).unwrap();
    let arn = started["Tasks"][0]["TaskArn"].as_str().expect("TaskArn");
    assert_eq!(output["task"]["TaskArn"], arn, "{output:#}");
    let seen = moto.boto3(
        "ecs = client('ecs')\n\
         result = [t['lastStatus'] for t in ecs.describe_tasks(cluster='jobs', tasks=[ARGS['arn']])['tasks']]",
        &json!({"arn": arn}),
    );
    assert_eq!(seen, json!(["STOPPED"]));
    assert_eq!(
        output["missing"]["Error"], "ECS.ClusterNotFoundException",
        "{output:#}"
    );
}

#[tokio::test]
async fn stopping_an_execution_stops_the_ecs_task_its_sync_task_started() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    moto.boto3(
        "ecs = client('ecs')\n\
         ecs.create_cluster(clusterName='long')\n\
         ecs.register_task_definition(family='server', \
           containerDefinitions=[{'name': 'server', 'image': 'busybox', 'memory': 128}])\n\
         import urllib.request\n\
         body = json.dumps({'model_name': 'ecs::task', \
                            'transition': {'progression': 'manual', 'times': 100000}})\n\
         urllib.request.urlopen(urllib.request.Request(ENDPOINT + '/moto-api/state-manager/set-transition', \
                                data=body.encode(), method='POST'))",
        &json!({}),
    );
    let config = format!("{}job_poll_seconds = 0.1\n", config_for(&moto));
    let serve = Serve::start("ecs-stop", &config, &[]).await;
    let definition = json!({
        "StartAt": "Run",
        "States": {"Run": {
            "Type": "Task",
            "Resource": "arn:aws:states:::ecs:runTask.sync",
            "Parameters": {"Cluster": "long", "TaskDefinition": "server", "LaunchType": "FARGATE"},
            "End": true
        }}
    });
    let execution = serve
        .start_execution("ecs-stop", &definition, &json!({}))
        .await;
    let deadline = Instant::now() + LIMIT;
    let started = loop {
        let history = serve
            .client
            .get_execution_history(&execution)
            .await
            .expect("GetExecutionHistory");
        if let Some(submitted) = history.iter().find(|e| e["type"] == "TaskSubmitted") {
            let output = submitted["taskSubmittedEventDetails"]["output"]
                .as_str()
                .unwrap();
            break serde_json::from_str::<Value>(output).unwrap();
        }
        assert!(Instant::now() < deadline, "no TaskSubmitted: {history:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let arn = started["Tasks"][0]["TaskArn"]
        .as_str()
        .expect("TaskArn")
        .to_string();
    serve
        .client
        .call("StopExecution", &json!({"executionArn": execution}))
        .await
        .expect("StopExecution");
    let (described, _) = serve.finish(&execution).await;
    assert_eq!(described["status"], "ABORTED", "{described:#}");
    let seen = moto.boto3(
        "ecs = client('ecs')\n\
         t = ecs.describe_tasks(cluster='long', tasks=[ARGS['arn']])['tasks'][0]\n\
         result = {'desired': t['desiredStatus'], 'reason': t.get('stoppedReason')}",
        &json!({"arn": arn}),
    );
    assert_eq!(seen["desired"], "STOPPED", "{seen}");
    assert_eq!(
        seen["reason"], "The Step Functions execution that started it was stopped.",
        "{seen}"
    );
}

/// Creates the function `name` in moto (it answers with its event, once moto runs functions
/// without Docker: [`run_functions_without_docker`]); its ARN.
fn echo_function(moto: &Moto, name: &str) -> String {
    moto.boto3(
        "import io, zipfile\n\
         role = iam.create_role(RoleName='fn-' + ARGS['name'], AssumeRolePolicyDocument='{}')['Role']['Arn']\n\
         code = io.BytesIO()\n\
         with zipfile.ZipFile(code, 'w') as z:\n\
         \x20   z.writestr('main.py', 'def handler(event, context):\\n    return event\\n')\n\
         result = lambda_.create_function(FunctionName=ARGS['name'], Runtime='python3.11', \
           Role=role, Handler='main.handler', Code={'ZipFile': code.getvalue()})['FunctionArn']",
        &json!({"name": name}),
    )
    .as_str()
    .expect("FunctionArn")
    .to_string()
}

/// Sets moto's own configuration (`POST /moto-api/config`), e.g. to run Lambda functions or
/// Batch jobs without Docker.
fn configure_moto(moto: &Moto, config: Value) {
    moto.boto3(
        "import urllib.request\n\
         urllib.request.urlopen(urllib.request.Request(ENDPOINT + '/moto-api/config', \
           data=json.dumps(ARGS).encode(), method='POST', \
           headers={'Content-Type': 'application/json'}))",
        &config,
    );
}

/// Makes moto answer invocations without Docker: with the event, for any function name (so
/// a missing function is only told apart before this).
fn run_functions_without_docker(moto: &Moto) {
    configure_moto(moto, json!({"lambda": {"use_docker": false}}));
}

#[tokio::test]
async fn lambda_functions_no_local_configuration_names_are_invoked_on_the_aws_endpoint() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    let arn = echo_function(&moto, "echo");
    // No [functions] and no [lambda] endpoint: the AWS settings decide.
    let serve = Serve::start("lambda-aws", &config_for(&moto), &[]).await;

    // A function moto does not have: moto's own 404, caught by name.
    let missing = json!({
        "StartAt": "Missing",
        "States": {
            "Missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "no-such-function", "Payload": {}},
                "Catch": [{"ErrorEquals": ["Lambda.ResourceNotFoundException"],
                           "ResultPath": "$.missing", "Next": "Done"}],
                "End": true
            },
            "Done": {"Type": "Succeed"}
        }
    });
    let (described, history) = serve.run("lambda-missing", &missing, &json!({})).await;
    let output = succeeded(&described, &history);
    assert_eq!(
        output["missing"]["Error"],
        "Lambda.ResourceNotFoundException"
    );
    let cause = output["missing"]["Cause"].as_str().unwrap_or_default();
    // moto's answer, not Switchback's "not configured" one.
    assert!(
        cause.contains(
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-function"
        ),
        "{cause}"
    );
    assert!(cause.contains("Status Code: 404"), "{cause}");
    assert!(!cause.contains("Switchback runs only"), "{cause}");

    // The function moto has, by its ARN and through lambda:invoke.
    run_functions_without_docker(&moto);
    let definition = json!({
        "StartAt": "ByArn",
        "States": {
            "ByArn": {
                "Type": "Task",
                "Resource": arn,
                "Parameters": {"order.$": "$.order"},
                "ResultPath": "$.direct",
                "Next": "Invoke"
            },
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "echo", "Payload": {"n.$": "$.n"}},
                "ResultSelector": {"payload.$": "$.Payload", "status.$": "$.StatusCode",
                                   "requestId.$": "$.SdkResponseMetadata.RequestId"},
                "ResultPath": "$.invoked",
                "End": true
            }
        }
    });
    let (described, history) = serve
        .run("lambda-aws", &definition, &json!({"order": "o-1", "n": 7}))
        .await;
    let output = succeeded(&described, &history);
    assert_eq!(output["direct"], json!({"order": "o-1"}), "{output:#}");
    assert_eq!(output["invoked"]["payload"], json!({"n": 7}), "{output:#}");
    assert_eq!(output["invoked"]["status"], 200, "{output:#}");
    assert!(
        !output["invoked"]["requestId"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{output:#}"
    );
}

#[tokio::test]
async fn batch_submit_job_sync_waits_for_the_job_and_a_missing_queue_is_caught_by_name() {
    let Some(tools) = moto::tools("aws_services") else {
        return;
    };
    let moto = Moto::start(&tools);
    // moto runs Batch jobs without Docker when told to: they succeed.
    configure_moto(&moto, json!({"batch": {"use_docker": false}}));
    moto.boto3(
        "batch = client('batch')\n\
         role = iam.create_role(RoleName='batch', AssumeRolePolicyDocument='{}')['Role']['Arn']\n\
         env = batch.create_compute_environment(computeEnvironmentName='env1', type='UNMANAGED', \
           state='ENABLED', serviceRole=role)['computeEnvironmentArn']\n\
         batch.create_job_queue(jobQueueName='nightly', state='ENABLED', priority=1, \
           computeEnvironmentOrder=[{'order': 1, 'computeEnvironment': env}])\n\
         batch.register_job_definition(jobDefinitionName='report', type='container', \
           containerProperties={'image': 'busybox', 'vcpus': 1, 'memory': 128, 'command': ['true']})",
        &json!({}),
    );
    let config = format!("{}job_poll_seconds = 0.1\n", config_for(&moto));
    let serve = Serve::start("batch-sync", &config, &[]).await;
    let definition = json!({
        "StartAt": "Submit",
        "States": {
            "Submit": {
                "Type": "Task",
                "Resource": "arn:aws:states:::batch:submitJob.sync",
                "Parameters": {"JobName": "report-1", "JobQueue": "nightly",
                               "JobDefinition": "report"},
                "ResultPath": "$.job",
                "Next": "Missing"
            },
            "Missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::batch:submitJob.sync",
                "Parameters": {"JobName": "report-2", "JobQueue": "no-such-queue",
                               "JobDefinition": "report"},
                "Catch": [{"ErrorEquals": ["Batch.ClientException"],
                           "ResultPath": "$.missing", "Next": "Done"}],
                "End": true
            },
            "Done": {"Type": "Succeed"}
        }
    });
    let (described, history) = serve.run("batch-sync", &definition, &json!({})).await;
    let output = succeeded(&described, &history);

    // One job, in moto, whose description (SUCCEEDED) is the task's output.
    let jobs = moto.boto3(
        "batch = client('batch')\n\
         ids = [j['jobId'] for s in ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'] \
                for j in batch.list_jobs(jobQueue='nightly', jobStatus=s)['jobSummaryList']]\n\
         result = [{'id': j['jobId'], 'name': j['jobName'], 'status': j['status']} \
                   for j in batch.describe_jobs(jobs=ids)['jobs']] if ids else []",
        &json!({}),
    );
    let jobs = jobs.as_array().cloned().unwrap_or_default();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0]["status"], "SUCCEEDED");
    assert_eq!(output["job"]["JobId"], jobs[0]["id"], "{output:#}");
    assert_eq!(output["job"]["JobName"], "report-1", "{output:#}");
    assert_eq!(output["job"]["Status"], "SUCCEEDED", "{output:#}");
    let submitted = details(&history, "TaskSubmitted", "taskSubmittedEventDetails");
    let started: Value = serde_json::from_str(submitted[0]["output"].as_str().unwrap()).unwrap();
    assert_eq!(started["JobId"], jobs[0]["id"]);
    // A queue that does not exist fails by the name AWS gives it.
    assert_eq!(
        output["missing"]["Error"], "Batch.ClientException",
        "{output:#}"
    );
    let cause = output["missing"]["Cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains("Job queue no-such-queue does not exist"),
        "{cause}"
    );
    assert!(
        cause.contains("(Service: AWSBatch; Status Code: 400; Error Code: ClientException;"),
        "{cause}"
    );
}

/// One request an API stand-in received: method, target (path and query), headers (lowercase
/// names) and body.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A stand-in for an API behind API Gateway (moto serves none in server mode): plain HTTP/1.1
/// on a free port, recording each request. A target with `missing` in it answers 404 with
/// API Gateway's body; any other answers 200 with the request echoed as JSON.
fn api_stand_in() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Received>>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut words = line.split_whitespace();
            let method = words.next().unwrap_or_default().to_string();
            let target = words.next().unwrap_or_default().to_string();
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.trim_end().split_once(':') {
                    headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
                }
            }
            let length = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let received = Received {
                method,
                target,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            };
            let (status, answer) = if received.target.contains("missing") {
                ("404 Not Found", r#"{"message":"Not Found"}"#.to_string())
            } else {
                let echoed = json!({
                    "method": received.method,
                    "target": received.target,
                    "body": serde_json::from_str::<Value>(&received.body).unwrap_or(json!(received.body)),
                });
                ("200 OK", echoed.to_string())
            };
            record.lock().expect("lock").push(received);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nX-Api-Test: yes\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (url, seen)
}

#[tokio::test]
async fn api_gateway_invoke_calls_the_api_signs_iam_calls_and_names_errors_by_status() {
    let (api, seen) = api_stand_in();
    // Where LocalStack serves its APIs: the API's id and stage in the path.
    let config = format!(
        "[aws.services.execute_api]\nendpoint_url = \"{api}/_aws/execute-api/{{api_id}}/{{stage}}\"\n"
    );
    let serve = Serve::start("api-gateway", &config, &[]).await;
    let invoke = |parameters: Value, result: &str, next: &str| {
        json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::apigateway:invoke",
            "Parameters": parameters,
            "ResultPath": format!("$.{result}"),
            "Next": next
        })
    };
    let definition = json!({
        "StartAt": "Post",
        "States": {
            "Post": invoke(json!({
                "ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com",
                "Method": "POST", "Stage": "prod", "Path": "bills/add",
                "Headers": {"X-Team": ["orders"]},
                "QueryParameters": {"billId": ["b 1", "b2"]},
                "RequestBody": {"amount.$": "$.amount", "note": null},
                "AuthType": "IAM_ROLE"
            }), "post", "Get"),
            "Get": invoke(json!({
                "ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com",
                "Method": "GET", "Stage": "prod", "Path": "bills"
            }), "get", "Missing"),
            "Missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::apigateway:invoke",
                "Parameters": {"ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com",
                               "Method": "GET", "Stage": "prod", "Path": "missing"},
                "Catch": [{"ErrorEquals": ["ApiGateway.404"], "ResultPath": "$.missing",
                           "Next": "Done"}],
                "End": true
            },
            "Done": {"Type": "Succeed"}
        }
    });
    let (described, history) = serve
        .run("api-gateway", &definition, &json!({"amount": 42}))
        .await;
    let output = succeeded(&described, &history);

    // The result as AWS shapes it.
    let post = &output["post"];
    assert_eq!(post["StatusCode"], 200, "{output:#}");
    assert_eq!(post["StatusText"], "OK", "{output:#}");
    assert_eq!(post["Headers"]["X-Api-Test"], json!(["yes"]), "{output:#}");
    assert_eq!(output["get"]["ResponseBody"]["method"], "GET", "{output:#}");
    assert_eq!(
        output["post"]["ResponseBody"]["body"],
        json!({"amount": 42}),
        "null members are dropped without AllowNullValues: {output:#}"
    );
    assert_eq!(output["missing"]["Error"], "ApiGateway.404", "{output:#}");
    assert_eq!(output["missing"]["Cause"], r#"{"message":"Not Found"}"#);

    // What the API received.
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert_eq!(seen[0].method, "POST");
    assert_eq!(
        seen[0].target,
        "/_aws/execute-api/abc123/prod/bills/add?billId=b%201&billId=b2"
    );
    assert_eq!(seen[0].header("x-team"), Some("orders"));
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    let authorization = seen[0].header("authorization").unwrap_or_default();
    assert!(
        authorization.starts_with("AWS4-HMAC-SHA256 Credential=")
            && authorization.contains("/us-east-1/execute-api/aws4_request"),
        "IAM_ROLE signs for execute-api: {authorization}"
    );
    // NO_AUTH sends no signature.
    assert_eq!(seen[1].method, "GET");
    assert_eq!(seen[1].target, "/_aws/execute-api/abc123/prod/bills");
    assert_eq!(seen[1].header("authorization"), None);
}
