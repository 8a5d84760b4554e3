//! `arn:aws:states:::aws-sdk:SERVICE:ACTION`: any operation of the services whose API facts
//! Switchback embeds, called as Step Functions calls it, against AWS or any AWS-compatible
//! endpoint the configuration names.
//!
//! Step Functions makes these calls with the AWS SDK for Java 2.x, and its rules are the
//! SDK's (AWS's documentation, "AWS SDK service integrations"):
//! - the action is the operation in camelCase (`getObject` is `GetObject`);
//! - parameters and results name members in PascalCase, as the SDK's accessors do
//!   ([`naming`]): DynamoDB's `BOOL` is `Bool`, SFN's `stateMachineArn` is `StateMachineArn`;
//! - an error is `<Service>.<Exception>`: the SDK's name for the service (`DynamoDb`, `S3`,
//!   `Sfn`, `SecretsManager`) and the exception class of the error code if the service models
//!   it (`S3.NoSuchKeyException`, `Sfn.InvalidTokenException`: the shape's name with
//!   `Exception` added where it lacks it), else the service's base exception
//!   (`DynamoDb.DynamoDbException`); the cause is the SDK's message:
//!   `<message> (Service: S3, Status Code: 404, Request ID: <id>, Extended Request ID: <id2>)
//!   (SDK Attempt Count: 1)`;
//! - results carry no `SdkHttpMetadata` (that is the optimised integrations' SDK).
//!
//! One call, and the module that owns each step:
//!
//! ```text
//! model.rs     the service's facts (generated from AWS's API models), parsed on first use
//! request.rs   the parameters as the operation's HTTP request, in the service's protocol
//! mod.rs       addressed (the configured endpoint; S3 by virtual host on AWS), signed, sent,
//!              tried again when the service is busy, as the SDKs do
//! response.rs  the answer as the task's result
//! error.rs     an error answer as `<Service>.<Exception>` with the SDK's cause
//! ```

mod error;
pub(crate) mod mock_check;
pub(crate) mod model;
mod naming;
mod request;
mod response;
mod time;

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, HOST};
use http::{Method, Request};
use http_body_util::Full;
use switchback_engine::task::{
    BodyAs, IntegrationPattern, ServiceIntegration, TaskOutcome, TaskRequest,
};

use super::json_protocol::{exchange_within, host_of, Answer, NoAnswer, ANSWER_LIMIT};
use super::services::{Protocol as OptimizedProtocol, Service};
use super::signing::{sign_request, SigningStyle};
use crate::Shared;
pub(crate) use model::config_keys;

pub(crate) use error::Naming;
use model::{Protocol, ServiceModel};

/// How many times a call is tried when the service is busy or does not answer.
const TRIES: u32 = 3;

/// Calls `aws-sdk:SERVICE:ACTION` for `request`.
pub(crate) async fn call(
    shared: &Shared,
    request: &TaskRequest,
    integration: &ServiceIntegration,
) -> TaskOutcome {
    let service_name = integration
        .resource_type
        .strip_prefix("aws-sdk:")
        .unwrap_or(&integration.resource_type);
    let action = integration.action.as_str();
    let model = match model::service(service_name) {
        Ok(model) => model,
        Err(problem) => return unknown(request, &problem),
    };
    let operation_name = upper_first(action);
    if !model.ops.contains_key(&operation_name) {
        return unknown(
            request,
            &format!(
                "the AWS service '{service_name}' has no action '{action}' (its operation {operation_name})"
            ),
        );
    }
    if matches!(request.pattern(), IntegrationPattern::Sync { .. }) {
        return TaskOutcome::Failed {
            error: "States.Runtime".into(),
            cause: format!(
                "The task '{}': AWS SDK integrations do not support the .sync pattern ({}).",
                request.state_name, request.resource
            ),
        };
    }
    invoke(
        shared,
        request,
        integration,
        &model,
        &operation_name,
        &request.input,
        &Naming::Sdk2,
    )
    .await
}

/// Calls the operation `operation_name` of `model`'s service with `parameters` (in Step
/// Functions' PascalCase): addressed, signed, sent and tried again as the SDKs do. The result
/// in Step Functions' shape, or the task's failure named as `naming` says.
pub(crate) async fn invoke(
    shared: &Shared,
    request: &TaskRequest,
    integration: &ServiceIntegration,
    model: &ServiceModel,
    operation_name: &str,
    parameters: &serde_json::Value,
    naming: &Naming,
) -> TaskOutcome {
    let settings = &*shared.settings.aws;
    let Some(operation) = model.ops.get(operation_name) else {
        return unknown(
            request,
            &format!(
                "the AWS service '{}' has no operation {operation_name}",
                model.id
            ),
        );
    };
    let service = service_of(model);
    if !settings.reaches(service) {
        return crate::unsupported::not_configured(request, service.key, &shared.settings.file);
    }
    let execution_arn = super::execution_arn_of(request);
    let region = super::region_for(shared, &integration.region, execution_arn).await;
    let partition = if integration.partition.is_empty() {
        "aws"
    } else {
        &integration.partition
    };
    let Some(endpoint) = settings.endpoint(service, &region, partition) else {
        return crate::unsupported::not_configured(request, service.key, &shared.settings.file);
    };
    let on_aws = settings.named(service).is_none();
    let wire = match request::build(model, operation_name, operation, parameters) {
        Ok(wire) => wire,
        Err(fault) => {
            return TaskOutcome::Failed {
                error: "States.Runtime".into(),
                cause: format!(
                    "The task '{}' cannot call {}: {fault}.",
                    request.state_name, request.resource
                ),
            }
        }
    };
    let credentials = match shared.aws.credentials.get(settings).await {
        Ok(credentials) => credentials,
        Err(problem) => {
            return error::client_failure(
                model,
                naming,
                &super::no_credentials(
                    "Unable to load credentials from any of the providers in the chain",
                    &problem,
                    &shared.settings.file,
                ),
                1,
            )
        }
    };
    let client = match shared.client() {
        Ok(client) => client,
        Err(problem) => return error::client_failure(model, naming, problem, 1),
    };
    // A global service (IAM, Route 53) has one endpoint on AWS, signed for us-east-1.
    let (base, signing_region) = match (&model.global, on_aws) {
        (Some(global), true) if model.id != "S3" => (
            format!("https://{global}")
                .parse()
                .unwrap_or(endpoint.url.clone()),
            "us-east-1".to_string(),
        ),
        _ => (endpoint.url.clone(), region.clone()),
    };
    let Some(url) = address(&base, &wire, model, on_aws) else {
        return error::client_failure(
            model,
            naming,
            &format!("the endpoint {} cannot address the request", endpoint.url),
            1,
        );
    };
    let body = with_checksum(model, operation, wire.body.clone());
    let mut headers = wire.headers.clone();
    if let Some((name, value)) = body.1 {
        headers.push((name, value));
        headers.push(("x-amz-sdk-checksum-algorithm".into(), "CRC32".into()));
    }
    let body = body.0;
    let style = if model.signing == "s3" {
        SigningStyle::S3
    } else {
        SigningStyle::Standard
    };

    let mut tries = 0;
    loop {
        tries += 1;
        let again = tries < TRIES;
        let sent = send(
            client,
            wire.method,
            &url,
            &headers,
            body.clone(),
            &credentials,
            &model.signing,
            &signing_region,
            style,
            ANSWER_LIMIT,
        )
        .await;
        match sent {
            Ok(answer) if answer.status.is_success() => {
                return match response::read(
                    model,
                    operation_name,
                    operation,
                    answer.status.as_u16(),
                    &answer.headers,
                    &answer.body,
                ) {
                    Ok(output) => {
                        TaskOutcome::Succeeded(with_body_as(output, request.body_as, &answer.body))
                    }
                    Err(problem) => error::client_failure(
                        model,
                        naming,
                        &format!("Unable to unmarshall response ({problem})"),
                        tries,
                    ),
                };
            }
            Ok(answer) => {
                let found = error::parse(model, operation_name, &answer);
                if !(again && error::is_retryable(answer.status, &found)) {
                    return error::failed(model, naming, &answer, &found, tries);
                }
            }
            Err(NoAnswer::Transport(what)) if again => {
                tracing::debug!(
                    state = %request.state_name,
                    "no answer from {url}: {what}; trying again"
                );
            }
            Err(NoAnswer::Transport(what) | NoAnswer::Request(what)) => {
                return error::client_failure(
                    model,
                    naming,
                    &format!("Unable to execute HTTP request: {what}"),
                    tries,
                )
            }
        }
        tokio::time::sleep(Duration::from_millis(100 << (tries - 1))).await;
    }
}

/// Whether a call of `aws-sdk:SERVICE:...` may go out: the service is one Switchback knows and
/// the configuration names an endpoint for it or enables AWS.
pub(crate) fn reaches(settings: &super::AwsSettings, integration: &ServiceIntegration) -> bool {
    let name = integration
        .resource_type
        .strip_prefix("aws-sdk:")
        .unwrap_or(&integration.resource_type);
    model::service(name).is_ok_and(|model| settings.reaches(service_of(&model)))
}

/// The [`Service`] of an embedded model by its name (`lambda`), for calls made outside
/// `aws-sdk:*` (Lambda functions on AWS, [`super::lambda`]).
pub(crate) fn service_named(name: &str) -> Option<&'static Service> {
    model::service(name).ok().map(|model| service_of(&model))
}

/// An action Switchback cannot call: not a known service or operation.
fn unknown(request: &TaskRequest, problem: &str) -> TaskOutcome {
    TaskOutcome::Failed {
        error: "States.Runtime".into(),
        cause: format!(
            "The task '{}' cannot run {}: {problem}. Switchback knows these AWS services for \
             aws-sdk: {}.",
            request.state_name,
            request.resource,
            model::names().collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The result with its streaming body (S3's `Body`) as `body_as` asks: for
/// [`BodyAs::Base64`], the answer's bytes in base64, marked `"BodyEncoding": "base64"`.
fn with_body_as(mut output: serde_json::Value, body_as: BodyAs, body: &[u8]) -> serde_json::Value {
    use base64::Engine as _;
    if body_as == BodyAs::Base64 {
        if let Some(fields) = output.as_object_mut() {
            if fields.contains_key("Body") {
                let encoded = base64::engine::general_purpose::STANDARD.encode(body);
                fields.insert("Body".into(), encoded.into());
                fields.insert("BodyEncoding".into(), "base64".into());
            }
        }
    }
    output
}

/// `getObject` → `GetObject`.
fn upper_first(action: &str) -> String {
    let mut chars = action.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The [`Service`] the settings know a model's service by (its configuration key and
/// endpoint prefix), made once per service.
fn service_of(model: &ServiceModel) -> &'static Service {
    static MADE: OnceLock<Mutex<Vec<&'static Service>>> = OnceLock::new();
    let key = model.config_key();
    let made = MADE.get_or_init(Mutex::default);
    let mut made = made.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(service) = made.iter().find(|s| s.key == key) {
        return service;
    }
    let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
    // Bounded: one per embedded service, at most.
    let service: &'static Service = Box::leak(Box::new(Service {
        key: leak(&key),
        endpoint_prefix: leak(&model.prefix),
        signing_name: leak(&model.signing),
        protocol: OptimizedProtocol::AwsQuery { version: "" },
        error_prefix: leak(&model.sdk),
        sdk_name: leak(&model.sdk),
        base_exception: "",
        modeled: &[],
        http_metadata: false,
        header_spellings: &[],
        server_header: false,
    }));
    made.push(service);
    service
}

/// The request's URL: the endpoint's, with the request's path and query; S3 on AWS by
/// virtual host (`<bucket>.s3.<region>.amazonaws.com`) for a bucket whose name allows it.
fn address(
    base: &http::Uri,
    wire: &request::WireRequest,
    model: &ServiceModel,
    on_aws: bool,
) -> Option<http::Uri> {
    let scheme = base.scheme_str().unwrap_or("https");
    let authority = base.authority()?.as_str();
    let base_path = base.path().trim_end_matches('/');
    let virtual_host = on_aws
        && model.protocol == Protocol::RestXml
        && wire.bucket.as_deref().is_some_and(|b| {
            !b.is_empty()
                && !b.contains('.')
                && b.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        });
    let url = match (virtual_host, &wire.bucket) {
        (true, Some(bucket)) => {
            let rest = wire
                .path_and_query
                .strip_prefix(&format!("/{bucket}"))
                .unwrap_or(&wire.path_and_query);
            let rest = if rest.is_empty() || rest.starts_with('?') {
                format!("/{rest}")
            } else {
                rest.to_string()
            };
            format!("{scheme}://{bucket}.{authority}{base_path}{rest}")
        }
        _ => format!("{scheme}://{authority}{base_path}{}", wire.path_and_query),
    };
    url.parse().ok()
}

/// The body, and the CRC32 checksum header the SDKs send with it where the operation takes
/// one (S3's `PutObject`, ...).
fn with_checksum(
    model: &ServiceModel,
    operation: &model::Operation,
    body: Bytes,
) -> (Bytes, Option<(String, String)>) {
    if operation.checksum.is_none() || body.is_empty() || model.protocol != Protocol::RestXml {
        return (body, None);
    }
    use base64::Engine as _;
    let crc = crc32fast::hash(&body);
    let value = base64::engine::general_purpose::STANDARD.encode(crc.to_be_bytes());
    (body, Some(("x-amz-checksum-crc32".into(), value)))
}

/// Sends one signed request and reads its answer, waiting at most `limit`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send(
    client: &crate::http_client::Client,
    method: &str,
    url: &http::Uri,
    headers: &[(String, String)],
    body: Bytes,
    credentials: &aws_credential_types::Credentials,
    signing_name: &str,
    region: &str,
    style: SigningStyle,
    limit: Duration,
) -> Result<Answer, NoAnswer> {
    let host =
        host_of(url).ok_or_else(|| NoAnswer::Request(format!("the endpoint {url} has no host")))?;
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|e| NoAnswer::Request(format!("bad method: {e}")))?;
    let mut builder = Request::builder()
        .method(method)
        .uri(url.clone())
        .header(HOST, host);
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| NoAnswer::Request(format!("the header {name:?}: {e}")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|e| NoAnswer::Request(format!("the header {name}'s value: {e}")))?;
        builder = builder.header(name, value);
    }
    let mut request = builder
        .body(())
        .map_err(|e| NoAnswer::Request(format!("could not make the request: {e}")))?;
    sign_request(
        &mut request,
        &body,
        credentials,
        signing_name,
        region,
        style,
    )
    .map_err(NoAnswer::Request)?;
    exchange_within(client, request.map(|()| Full::new(body)), url, limit).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let model = model::service("s3").unwrap();
        let wire = request::WireRequest {
            path_and_query: "/my-bucket/a/b.txt".into(),
            bucket: Some("my-bucket".into()),
            ..Default::default()
        };
        let aws: http::Uri = "https://s3.us-east-1.amazonaws.com".parse().unwrap();
        assert_eq!(
            address(&aws, &wire, &model, true).unwrap().to_string(),
            "https://my-bucket.s3.us-east-1.amazonaws.com/a/b.txt"
        );
        let moto: http::Uri = "http://127.0.0.1:5000".parse().unwrap();
        assert_eq!(
            address(&moto, &wire, &model, false).unwrap().to_string(),
            "http://127.0.0.1:5000/my-bucket/a/b.txt"
        );
        let listing = request::WireRequest {
            path_and_query: "/my-bucket?list-type=2".into(),
            bucket: Some("my-bucket".into()),
            ..Default::default()
        };
        assert_eq!(
            address(&aws, &listing, &model, true).unwrap().to_string(),
            "https://my-bucket.s3.us-east-1.amazonaws.com/?list-type=2"
        );
        assert_eq!(upper_first("getObject"), "GetObject");
    }
}
