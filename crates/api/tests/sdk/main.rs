//! The API driven by the official AWS SDK for Rust (`aws-sdk-sfn`), as users' tools drive it.

#[path = "../common/mod.rs"]
mod common;

mod activities;
mod aliases;
mod auth;
mod callbacks;
mod executions;
mod integrations;
mod map_runs;
mod nested;
mod paging;
mod state_machines;
mod tags;
mod test_state;
mod validate;
mod versions;

use aws_sdk_sfn::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_sfn::config::retry::RetryConfig;
use aws_sdk_sfn::config::Intercept;
use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sfn::config::{ConfigBag, RuntimeComponents};
use aws_sdk_sfn::error::BoxError;
use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::Client;

pub use common::Server;

/// A minimal valid definition.
pub const PASS: &str = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#;
/// Another valid definition.
pub const PASS2: &str =
    r#"{"StartAt":"B","States":{"B":{"Type":"Pass","Result":{"x":1},"End":true}}}"#;
/// A role ARN.
pub const ROLE: &str = "arn:aws:iam::123456789012:role/any";

/// A server and an SDK client pointed at it (static test credentials, us-east-1, no retries so
/// that errors surface at once).
pub async fn setup() -> (Server, Client) {
    let server = common::start().await;
    let client = client_for(&server);
    (server, client)
}

/// An SDK client for `server`.
pub fn client_for(server: &Server) -> Client {
    Client::from_conf(config_for(server).build())
}

/// The configuration of [`client_for`], for tests that change the credentials, region or
/// clock.
pub fn config_for(server: &Server) -> aws_sdk_sfn::config::Builder {
    aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(format!("http://{}", server.addr))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(RetryConfig::disabled())
        .interceptor(PinHost(server.addr.to_string()))
}

/// Sends every request to the test server's address. StartSyncExecution and TestState carry
/// AWS's `sync-` host prefix (`sync-127.0.0.1` resolves nowhere); botocore can turn the prefix
/// off (`inject_host_prefix=False`), the Rust SDK cannot, so the tests undo it here, before
/// the request is signed (the signature covers the host).
#[derive(Debug)]
struct PinHost(String);

impl Intercept for PinHost {
    fn name(&self) -> &'static str {
        "PinHost"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let uri = request.uri().to_string();
        let path = uri
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_else(|| "/".into());
        request.set_uri(format!("http://{}{path}", self.0))?;
        Ok(())
    }
}

/// Creates a STANDARD machine with `definition`; returns its ARN.
pub async fn create_machine(client: &Client, name: &str, definition: &str) -> String {
    client
        .create_state_machine()
        .name(name)
        .definition(definition)
        .role_arn(ROLE)
        .send()
        .await
        .expect("create state machine")
        .state_machine_arn
}

/// The error code and message of a failed call, as the SDK parsed them.
pub fn code_of<T, E: ProvideErrorMetadata>(
    result: Result<T, aws_sdk_sfn::error::SdkError<E, aws_sdk_sfn::config::http::HttpResponse>>,
) -> (String, String) {
    match result {
        Ok(_) => panic!("the call succeeded, an error was expected"),
        Err(e) => (
            e.code().unwrap_or("<none>").to_string(),
            e.message().unwrap_or("").to_string(),
        ),
    }
}
