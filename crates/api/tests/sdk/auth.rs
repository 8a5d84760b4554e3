//! SigV4 authentication, with the official SDK signing: the server's keys work, anything else
//! gets AWS's error.

use std::time::{Duration, SystemTime};

use aws_sdk_sfn::config::{Credentials, Region};
use aws_sdk_sfn::Client;
use std::sync::Arc;

use switchback_api::sessions::Auth;
use switchback_api::sigv4::Keys;
use switchback_api::ApiConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{code_of, common, config_for, Server, PASS, ROLE};

const KEY_ID: &str = "AKIASWITCHBACKTEST";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSWITCHBACK";

async fn server_with_auth() -> Server {
    common::start_with(ApiConfig {
        auth: Some(Arc::new(Auth::new(
            Keys::new([(KEY_ID, SECRET), ("AKIASECONDKEY", "another secret")]).expect("keys"),
        ))),
        ..ApiConfig::default()
    })
    .await
}

fn client(server: &Server, key_id: &str, secret: &str) -> Client {
    Client::from_conf(
        config_for(server)
            .credentials_provider(Credentials::new(key_id, secret, None, None, "test"))
            .build(),
    )
}

#[tokio::test]
async fn the_right_keys_work() {
    let server = server_with_auth().await;
    let sfn = client(&server, KEY_ID, SECRET);
    let arn = sfn
        .create_state_machine()
        .name("signed")
        .definition(PASS)
        .role_arn(ROLE)
        .r#type(aws_sdk_sfn::types::StateMachineType::Express)
        .send()
        .await
        .expect("create with the server's key")
        .state_machine_arn;
    let listed = sfn.list_state_machines().send().await.expect("list");
    assert_eq!(listed.state_machines.len(), 1);
    // The body-carrying sync call (its host prefix is undone before signing).
    let out = sfn
        .start_sync_execution()
        .state_machine_arn(&arn)
        .input(r#"{"x":1}"#)
        .send()
        .await
        .expect("start sync");
    assert_eq!(out.output.as_deref(), Some(r#"{"x":1}"#));
    // The second key works too.
    let other = client(&server, "AKIASECONDKEY", "another secret");
    other
        .list_state_machines()
        .send()
        .await
        .expect("second key");
}

#[tokio::test]
async fn a_wrong_secret_is_an_invalid_signature() {
    let server = server_with_auth().await;
    let sfn = client(&server, KEY_ID, "not the secret");
    let (code, message) = code_of(sfn.list_state_machines().send().await);
    assert_eq!(code, "InvalidSignatureException");
    assert!(
        message.starts_with(
            "The request signature we calculated does not match the signature you provided."
        ),
        "{message}"
    );
    // Nothing was created by a refused call.
    let (code, _) = code_of(
        sfn.create_state_machine()
            .name("nope")
            .definition(PASS)
            .role_arn(ROLE)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidSignatureException");
    let good = client(&server, KEY_ID, SECRET);
    let listed = good.list_state_machines().send().await.expect("list");
    assert!(listed.state_machines.is_empty());
}

#[tokio::test]
async fn an_unknown_key_is_unrecognized() {
    let server = server_with_auth().await;
    let sfn = client(&server, "AKIANOBODYKNOWS", SECRET);
    let (code, message) = code_of(sfn.list_state_machines().send().await);
    assert_eq!(code, "UnrecognizedClientException");
    assert_eq!(
        message,
        "The security token included in the request is invalid."
    );
}

#[tokio::test]
async fn an_old_signature_has_expired_and_another_region_is_refused() {
    let server = server_with_auth().await;
    let twenty_minutes_ago = SystemTime::now() - Duration::from_secs(20 * 60);
    let sfn = Client::from_conf(
        config_for(&server)
            .credentials_provider(Credentials::new(KEY_ID, SECRET, None, None, "test"))
            .time_source(aws_smithy_async::time::StaticTimeSource::new(
                twenty_minutes_ago,
            ))
            .build(),
    );
    let (code, message) = code_of(sfn.list_state_machines().send().await);
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.starts_with("Signature expired: "), "{message}");
    assert!(message.ends_with(" - 15 min.)"), "{message}");

    let sfn = Client::from_conf(
        config_for(&server)
            .credentials_provider(Credentials::new(KEY_ID, SECRET, None, None, "test"))
            .region(Region::new("eu-west-1"))
            .build(),
    );
    let (code, message) = code_of(sfn.list_state_machines().send().await);
    assert_eq!(code, "InvalidSignatureException");
    assert!(
        message.contains("Credential should be scoped to a valid region, not 'eu-west-1'"),
        "{message}"
    );
}

/// A raw request without `Authorization`: AWS's `MissingAuthenticationTokenException`, 403.
#[tokio::test]
async fn an_unsigned_request_is_missing_its_token() {
    let server = server_with_auth().await;
    let mut stream = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    let body = "{}";
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nX-Amz-Target: \
         AWSStepFunctions.ListStateMachines\r\nContent-Type: application/x-amz-json-1.0\r\n\
         Content-Length: {}\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write the request");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .await
        .expect("read the answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 403"), "{head}");
    let body: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
    assert_eq!(
        body,
        serde_json::json!({
            "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
            "message": "Missing Authentication Token",
        })
    );
    // The health check needs no signature.
    let mut stream = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Switchback's own client (`switchback bench --endpoint`) signs as the SDK does.
#[tokio::test]
async fn switchbacks_client_signs_too() {
    let server = server_with_auth().await;
    let endpoint = format!("http://{}", server.addr);
    let client = switchback_client::Client::new(&endpoint)
        .expect("a client")
        .with_region("us-east-1")
        .with_credentials(KEY_ID, SECRET);
    let listed = client
        .call("ListStateMachines", &serde_json::json!({}))
        .await
        .expect("a signed call");
    assert!(listed["stateMachines"].is_array(), "{listed}");
    let wrong = switchback_client::Client::new(&endpoint)
        .expect("a client")
        .with_region("us-east-1")
        .with_credentials(KEY_ID, "not the secret");
    let error = wrong
        .call("ListStateMachines", &serde_json::json!({}))
        .await
        .expect_err("a wrong secret");
    assert!(
        error.to_string().contains("InvalidSignatureException"),
        "{error}"
    );
}
