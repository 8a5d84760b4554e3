//! Calling AWS services for Task states, for real: against AWS itself or any AWS-compatible
//! endpoint (LocalStack, moto, ElasticMQ, DynamoDB Local, ...), with AWS's request and result
//! shapes and error names, so that definitions written for AWS run unchanged.
//!
//! What is called today: the optimised integrations `sqs:sendMessage`, `sns:publish` and
//! `events:putEvents` (each also with `.waitForTaskToken`) and
//! `dynamodb:getItem|putItem|updateItem|deleteItem` ([`optimized`]), and
//! `aws-sdk:SERVICE:ACTION` for the services whose API facts are embedded ([`sdk`]); every
//! other AWS resource still fails with how to mock it ([`crate::unsupported_service`]).
//!
//! One call, and the module that owns each step:
//!
//! ```text
//! resource ── optimized.rs: which service and operation; the request shaped as AWS does
//!    │        settings.rs: where it goes (only where the configuration says: safe by default)
//!    │        credentials.rs: the standard chain (aws-config), cached
//!    ▼
//! json_protocol.rs: POST / with X-Amz-Target, signed (signing.rs, aws-sigv4), on the pooled
//!    │              HTTP client (connections reused); SNS's form and XML: query_protocol.rs
//!    ▼
//! optimized.rs + metadata.rs: the output with AWS's additions (SdkHttpMetadata, ...)
//! errors.rs: an error answer as `<Service>.<Exception>` with the SDK's cause
//! ```
//!
//! A `.waitForTaskToken` call is made like any other (the engine has already put the token in
//! the parameters, from `$$.Task.Token`); the runtime then waits for the token's answer
//! ([`Integrations::delivers_token`](crate::Integrations) says it was sent).
//!
//! Like the SDKs, a call the service throttles or fails with a 5xx, or that gets no answer, is
//! tried again (three tries in all, 100 ms then 200 ms apart) before the task fails.

pub(crate) mod api_gateway;
mod credentials;
mod errors;
mod json_protocol;
pub(crate) mod lambda;
mod metadata;
mod optimized;
mod profile;
mod query_protocol;
mod sdk;
mod services;
mod settings;
mod signing;
mod sync_jobs;

use std::time::Duration;

use switchback_engine::task::{
    Integration, IntegrationPattern, Resource, ServiceIntegration, TaskOutcome, TaskRequest,
};

use crate::Shared;
use credentials::CredentialCache;
use json_protocol::NoAnswer;
pub(crate) use optimized::Optimized;
pub use sdk::mock_check::{check_mock_result, FieldValidationMode};
pub(crate) use settings::AwsSettings;

/// How many times a call is tried when the service is busy or does not answer.
const TRIES: u32 = 3;

/// What the AWS calls of the integrations share: the cached credentials.
#[derive(Debug, Default)]
pub(crate) struct Aws {
    credentials: CredentialCache,
}

/// The optimised integration a resource names, if Switchback calls it.
pub(crate) fn optimized(service: &ServiceIntegration) -> Option<&'static Optimized> {
    optimized::find(service)
}

/// Whether a `.waitForTaskToken` task on `resource` sends its token to an AWS service: an
/// integration Switchback calls, with the pattern, and a configuration that lets the call
/// go out.
pub(crate) fn delivers_token(settings: &AwsSettings, resource: &Resource) -> bool {
    if resource.pattern() != IntegrationPattern::WaitForTaskToken {
        return false;
    }
    let Some(service) = resource.service() else {
        return false;
    };
    if service.integration == Integration::AwsSdk {
        return sdk::reaches(settings, service);
    }
    if api_gateway::is_invoke(service) {
        return settings.reaches(&api_gateway::EXECUTE_API);
    }
    optimized::find(service).is_some_and(|o| {
        o.supports(IntegrationPattern::WaitForTaskToken) && settings.reaches(o.service)
    })
}

/// Whether `service` with `pattern` is a `.sync` job Switchback starts and polls
/// ([`sync_jobs`]).
pub(crate) fn is_sync_job(service: &ServiceIntegration, pattern: IntegrationPattern) -> bool {
    sync_jobs::is_sync_job(service, pattern)
}

/// Starts a `.sync` job (the `Dispatch` phase) or polls it to its end (`AwaitResult`).
pub(crate) async fn call_sync_job(
    shared: &Shared,
    request: &TaskRequest,
    service: &ServiceIntegration,
) -> TaskOutcome {
    let Some(job) = sync_jobs::find(service) else {
        return crate::unsupported_service(request);
    };
    match request.phase {
        switchback_engine::task::TaskPhase::Dispatch => {
            sync_jobs::start(shared, request, service, job).await
        }
        _ => sync_jobs::poll(shared, request, service, job).await,
    }
}

/// Stops the `.sync` job `request` handed over, as its execution was stopped.
pub(crate) async fn stop_sync_job(
    shared: &Shared,
    request: &TaskRequest,
    service: &ServiceIntegration,
) {
    if let Some(job) = sync_jobs::find(service) {
        sync_jobs::stop(shared, request, service, job).await;
    }
}

/// Calls `arn:aws:states:::aws-sdk:SERVICE:ACTION` for `request` ([`sdk`]).
pub(crate) async fn call_sdk(
    shared: &Shared,
    request: &TaskRequest,
    service: &ServiceIntegration,
) -> TaskOutcome {
    sdk::call(shared, request, service).await
}

/// The configuration keys of the services `aws-sdk:*` reaches, for `[aws.services.NAME]`.
pub(crate) fn sdk_config_keys() -> impl Iterator<Item = &'static str> {
    sdk::config_keys()
}

/// The cause of a call that found no credentials: the SDK's words (`lead`), what went wrong,
/// and what to set (`file`: the settings file).
pub(crate) fn no_credentials(lead: &str, problem: &str, file: &str) -> String {
    format!(
        "{lead}: {}. (Switchback signs \
         its calls with the standard AWS credentials: set AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE or `[aws] profile` in {file}; \
         any keys do for moto or LocalStack.)",
        problem.trim_end_matches('.')
    )
}

/// The execution's ARN, from the task's idempotency key (`<execution ARN>:<event id>`).
pub(crate) fn execution_arn_of(request: &TaskRequest) -> &str {
    execution_arn_in(&request.idempotency_key)
}

/// The execution's ARN in a task's idempotency key (`<execution ARN>:<event id>`).
pub(crate) fn execution_arn_in(idempotency_key: &str) -> &str {
    idempotency_key
        .rsplit_once(':')
        .map_or(idempotency_key, |(arn, _)| arn)
}

/// The region a call goes to: the one the definition wrote in the resource (`written`, empty
/// when none), else `[aws] region`, else the profile's, else the execution's.
pub(crate) async fn region_for(shared: &Shared, written: &str, execution_arn: &str) -> String {
    let settings = &*shared.settings.aws;
    match (written, &settings.region) {
        (region, _) if !region.is_empty() => region.to_string(),
        (_, Some(region)) => region.clone(),
        _ => match shared.aws.credentials.profile_region(settings).await {
            Some(region) => region,
            None => execution_arn
                .split(':')
                .nth(3)
                .filter(|r| !r.is_empty())
                .unwrap_or("us-east-1")
                .to_string(),
        },
    }
}

/// Calls the optimised integration `optimized` for `request`.
pub(crate) async fn call(
    shared: &Shared,
    request: &TaskRequest,
    service: &ServiceIntegration,
    optimized: &'static Optimized,
) -> TaskOutcome {
    let settings = &*shared.settings.aws;
    let pattern = request.pattern();
    if !optimized.supports(pattern) {
        return TaskOutcome::Failed {
            error: "States.TaskFailed".into(),
            cause: format!(
                "The task '{}' asks for {} with the {} pattern, which AWS does not offer for it.",
                request.state_name,
                request.resource,
                pattern.suffix().unwrap_or("request-response")
            ),
        };
    }
    let target = optimized.service;
    if !settings.reaches(target) {
        return crate::unsupported::not_configured(request, target.key, &shared.settings.file);
    }

    let execution_arn = execution_arn_of(request);
    let region = region_for(shared, &service.region, execution_arn).await;
    let partition = if service.partition.is_empty() {
        "aws"
    } else {
        &service.partition
    };
    let Some(endpoint) = settings.endpoint(target, &region, partition) else {
        return crate::unsupported::not_configured(request, target.key, &shared.settings.file);
    };
    let body = match optimized.body(&request.input, execution_arn) {
        Ok(body) => body,
        Err(problem) => {
            return TaskOutcome::Failed {
                error: "States.Runtime".into(),
                cause: format!("The task '{}': {problem}", request.state_name),
            }
        }
    };
    let credentials = match shared.aws.credentials.get(settings).await {
        Ok(credentials) => credentials,
        Err(problem) => {
            return TaskOutcome::Failed {
                error: format!("{}.SdkClientException", target.error_prefix),
                cause: no_credentials(
                    "Unable to load AWS credentials from any provider in the chain",
                    &problem,
                    &shared.settings.file,
                ),
            }
        }
    };
    let client = match shared.client() {
        Ok(client) => client,
        Err(problem) => return errors::no_answer(target, problem),
    };

    let mut tries = 0;
    loop {
        tries += 1;
        let again = tries < TRIES;
        let sent = json_protocol::send(
            client,
            &endpoint,
            target,
            optimized.operation,
            &region,
            &credentials,
            body.clone(),
        )
        .await;
        match sent {
            Ok(answer) if answer.status.is_success() => {
                return optimized.result(&answer, settings.response_headers)
            }
            Ok(answer) => {
                let error = errors::parse(target, &answer.headers, &answer.body);
                if !(again && errors::is_retryable(answer.status, &error)) {
                    return errors::failed(target, answer.status, &answer.headers, &error);
                }
            }
            Err(NoAnswer::Transport(what)) if again => {
                tracing::debug!(
                    state = %request.state_name,
                    "no answer from {} ({}): {what}; trying again",
                    endpoint.url,
                    endpoint.origin
                );
            }
            Err(NoAnswer::Transport(what) | NoAnswer::Request(what)) => {
                return errors::no_answer(target, &what)
            }
        }
        tokio::time::sleep(Duration::from_millis(100 << (tries - 1))).await;
    }
}
