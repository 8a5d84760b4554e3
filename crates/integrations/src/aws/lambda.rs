//! Lambda functions on AWS Lambda itself (or an AWS-compatible Lambda, such as LocalStack's):
//! the Invoke API, signed with SigV4 like every other AWS call.
//!
//! A function Switchback's configuration names (`[functions.NAME]`) or a `[lambda] endpoint`
//! answers first; this is the way out for the rest, and only when the AWS settings reach Lambda
//! (an endpoint named for `lambda` or every service, or `[aws] enabled = true`): the same
//! safety rule as every AWS service.
//!
//! The request is the one Step Functions sends: `POST /2015-03-31/functions/<FunctionName>/
//! invocations` with the `FunctionName` as the definition wrote it (a name, a partial or a
//! full ARN, with its qualifier) and the SDK's `X-Amz-*` headers; the region is the full ARN's,
//! else the settings' (as for every AWS call, [`super::region_for`]). The answer is read exactly as a local Lambda endpoint's is
//! (`function::invoke_api::read_answer`), so results, `FunctionError` and the `Lambda.*`
//! errors are the same whichever Lambda ran the function.
//!
//! The call is made once: an Invoke is not idempotent, and the retriers AWS recommends for
//! Lambda tasks (`Lambda.ServiceException`, `Lambda.SdkClientException`, ...) are the
//! definition's to declare.

use std::time::Duration;

use switchback_engine::task::TaskOutcome;

use super::errors;
use super::signing::SigningStyle;
use crate::function::invoke_api;
use crate::function::result::{Invocation, InvokeResponse};
use crate::Shared;

/// How long an Invoke may take: Lambda's longest timeout (15 minutes), and some.
const INVOKE_LIMIT: Duration = Duration::from_secs(16 * 60);

/// Invokes `invocation`'s function on AWS Lambda, or `None` when the settings do not reach
/// Lambda (the function is then not found).
pub(crate) async fn invoke(
    shared: &Shared,
    invocation: &Invocation,
) -> Option<Result<InvokeResponse, TaskOutcome>> {
    let settings = &*shared.settings.aws;
    let lambda = super::sdk::service_named("lambda")?;
    if !settings.reaches(lambda) {
        return None;
    }
    Some(call(shared, lambda, invocation).await)
}

async fn call(
    shared: &Shared,
    lambda: &'static super::services::Service,
    invocation: &Invocation,
) -> Result<InvokeResponse, TaskOutcome> {
    let settings = &*shared.settings.aws;
    let function = &invocation.function;
    let region = super::region_for(
        shared,
        function.written_region().unwrap_or_default(),
        super::execution_arn_in(&invocation.idempotency_key),
    )
    .await;
    let Some(endpoint) = settings.endpoint(lambda, &region, &function.partition) else {
        return Err(errors::no_answer(lambda, "no endpoint for Lambda"));
    };
    let credentials = shared
        .aws
        .credentials
        .get(settings)
        .await
        .map_err(|problem| TaskOutcome::Failed {
            error: "Lambda.SdkClientException".into(),
            cause: super::no_credentials(
                "Unable to load AWS credentials from any provider in the chain",
                &problem,
                &shared.settings.file,
            ),
        })?;
    let client = shared
        .client()
        .map_err(|problem| errors::no_answer(lambda, problem))?;
    let base = endpoint.url.to_string();
    let url: http::Uri = format!(
        "{}{}",
        base.trim_end_matches('/'),
        // The qualifier is in the name as written, as Step Functions sends it.
        invoke_api::path(&function.written, None)
    )
    .parse()
    .map_err(|e| errors::no_answer(lambda, &format!("the endpoint {base}: {e}")))?;
    let headers: Vec<(String, String)> = invoke_api::headers(invocation)
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    let sent = super::sdk::send(
        client,
        "POST",
        &url,
        &headers,
        invocation.event.clone(),
        &credentials,
        lambda.signing_name,
        &region,
        SigningStyle::Standard,
        INVOKE_LIMIT,
    )
    .await;
    match sent {
        Ok(answer) => invoke_api::read_answer(answer.status, &answer.headers, answer.body),
        Err(super::json_protocol::NoAnswer::Request(problem))
        | Err(super::json_protocol::NoAnswer::Transport(problem)) => Err(errors::no_answer(
            lambda,
            &format!("{problem} (Lambda at {base}, from {})", endpoint.origin),
        )),
    }
}
