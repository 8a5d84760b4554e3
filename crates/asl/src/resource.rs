//! A Task state's `Resource`: read once, when the definition loads, into what it names.
//!
//! ```text
//! arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]     a Lambda function
//! arn:PARTITION:states:REGION:ACCOUNT:activity:NAME                 an activity
//! arn:PARTITION:states:REGION:ACCOUNT:SERVICE:ACTION[.PATTERN]      a service integration
//!     lambda:invoke, http:invoke, states:startExecution (a nested execution),
//!     aws-sdk:SERVICE:ACTION, and the optimised services (sqs:sendMessage, sns:publish, ...)
//! anything else                                                     kept as written
//! ```
//!
//! `PATTERN` is AWS's integration pattern ([`IntegrationPattern`]): none (request-response),
//! `.sync`, `.sync:2` or `.waitForTaskToken`.
//!
//! Reading never fails: what is or is not a valid `Resource` is `switchback-validate`'s
//! business (it must be an ARN), and a resource of a kind Switchback does not know is
//! [`ResourceKind::Other`], which still loads and runs (its task fails or is mocked). The text
//! as written stays available ([`Resource::as_str`], [`Resource::text`], `Display`): history
//! events and error messages print it.

use std::fmt;
use std::sync::Arc;

/// AWS's service integration patterns, read off the end of the resource ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrationPattern {
    /// Call and take the response.
    RequestResponse,
    /// `.sync`: run a job and wait for it (`.sync:2` returns JSON rather than strings).
    Sync { json_output: bool },
    /// `.waitForTaskToken`: call with a token and wait for `SendTask*`.
    WaitForTaskToken,
}

/// The suffixes of the patterns, longest match first (`.sync:2` before `.sync`).
const SUFFIXES: [(&str, IntegrationPattern); 3] = [
    (".waitForTaskToken", IntegrationPattern::WaitForTaskToken),
    (".sync:2", IntegrationPattern::Sync { json_output: true }),
    (".sync", IntegrationPattern::Sync { json_output: false }),
];

impl IntegrationPattern {
    /// The suffix that asks for the pattern, as written at the end of a resource ARN
    /// (`None` for request-response).
    pub fn suffix(self) -> Option<&'static str> {
        SUFFIXES.iter().find(|(_, p)| *p == self).map(|(s, _)| *s)
    }

    /// The pattern at the end of `arn`, and the text before its suffix.
    fn split(arn: &str) -> (&str, IntegrationPattern) {
        SUFFIXES
            .iter()
            .find_map(|(suffix, pattern)| arn.strip_suffix(suffix).map(|rest| (rest, *pattern)))
            .unwrap_or((arn, IntegrationPattern::RequestResponse))
    }
}

/// A Task's `Resource`: the text as written and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    text: Arc<str>,
    kind: ResourceKind,
    pattern: IntegrationPattern,
}

/// What a `Resource` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceKind {
    /// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`: the input is the
    /// event; the history records `LambdaFunction*` events.
    Function(LambdaFunction),
    /// `arn:PARTITION:states:REGION:ACCOUNT:activity:NAME`: a worker polls for the task; the
    /// history records `Activity*` events.
    Activity(Activity),
    /// `arn:PARTITION:states:REGION:ACCOUNT:SERVICE:ACTION[.PATTERN]` (the region and account
    /// are usually empty): the history records `Task*` events.
    Service(ServiceIntegration),
    /// Anything else (an ARN of another kind): kept as written; the history records `Task*`
    /// events with the whole ARN as their resource.
    Other,
}

/// A Lambda function named by its ARN. The parts are as written (they may be empty, and the
/// name and qualifier are not checked against Lambda's rules here: the integrations do that).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaFunction {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub name: String,
    /// A version, an alias or `$LATEST`: everything after the name's `:`, if any.
    pub qualifier: Option<String>,
}

/// An activity named by its ARN; the whole ARN ([`Resource::text`]) is its identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub name: String,
}

/// A service integration, `arn:aws:states:::SERVICE:ACTION[.PATTERN]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceIntegration {
    pub partition: String,
    /// As written: usually empty (the execution's region applies).
    pub region: Arc<str>,
    pub account: String,
    /// Which integration, as far as Switchback is concerned.
    pub integration: Integration,
    /// The service as the history's `resourceType` names it: `lambda`, `sqs`, `states`,
    /// `aws-sdk:s3`.
    pub resource_type: Arc<str>,
    /// The action as the history's `resource` names it, with its pattern's suffix:
    /// `invoke`, `startExecution.sync:2`, `getObject`.
    pub resource: Arc<str>,
    /// The action without the suffix: `invoke`, `startExecution`, `getObject`.
    pub action: String,
}

/// The service integrations Switchback tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Integration {
    /// `lambda:invoke`: the input holds `FunctionName` and `Payload`.
    LambdaInvoke,
    /// `http:invoke`: the HTTP Task.
    HttpInvoke,
    /// `states:startExecution`: a nested execution.
    StartExecution,
    /// `aws-sdk:SERVICE:ACTION`: an AWS SDK integration.
    AwsSdk,
    /// Any other `SERVICE:ACTION`: the optimised integrations Switchback does not call
    /// (`sqs:sendMessage`, `sns:publish`, `dynamodb:putItem`, `events:putEvents`, ...).
    Other,
}

impl Resource {
    /// Reads a `Resource` (never fails: see the module docs).
    pub fn parse(text: &str) -> Resource {
        // A pattern is part of an ARN; text that is not one never loads anyway.
        let pattern = if text.starts_with("arn:") {
            IntegrationPattern::split(text).1
        } else {
            IntegrationPattern::RequestResponse
        };
        Resource {
            text: text.into(),
            kind: kind_of(text),
            pattern,
        }
    }

    /// The resource as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The resource as written, shared (the history's events hold it).
    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    /// What the resource names.
    pub fn kind(&self) -> &ResourceKind {
        &self.kind
    }

    /// How AWS runs the resource (`.sync`, `.waitForTaskToken`, or neither), read off the end
    /// of the ARN whatever its kind.
    pub fn pattern(&self) -> IntegrationPattern {
        self.pattern
    }

    /// The service integration, if the resource is one.
    pub fn service(&self) -> Option<&ServiceIntegration> {
        match &self.kind {
            ResourceKind::Service(s) => Some(s),
            _ => None,
        }
    }

    /// The integration, if the resource is a service integration.
    pub fn integration(&self) -> Option<Integration> {
        self.service().map(|s| s.integration)
    }

    /// Whether the resource is an activity.
    pub fn is_activity(&self) -> bool {
        matches!(self.kind, ResourceKind::Activity(_))
    }

    /// Whether the resource starts a nested execution (`states:startExecution`, any pattern).
    pub fn is_start_execution(&self) -> bool {
        self.integration() == Some(Integration::StartExecution)
    }

    /// Whether the task hands out a task token (`$$.Task.Token`): `.waitForTaskToken`
    /// resources and activities.
    pub fn hands_out_token(&self) -> bool {
        self.pattern == IntegrationPattern::WaitForTaskToken || self.is_activity()
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for Resource {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl From<&str> for Resource {
    fn from(text: &str) -> Resource {
        Resource::parse(text)
    }
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:REST`, the last part possibly with colons.
fn kind_of(text: &str) -> ResourceKind {
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return ResourceKind::Other;
    };
    match service {
        "lambda" => match rest.strip_prefix("function:") {
            Some(function) => {
                let (name, qualifier) = match function.split_once(':') {
                    Some((name, qualifier)) => (name, Some(qualifier.to_string())),
                    None => (function, None),
                };
                ResourceKind::Function(LambdaFunction {
                    partition: partition.to_string(),
                    region: region.to_string(),
                    account: account.to_string(),
                    name: name.to_string(),
                    qualifier,
                })
            }
            None => ResourceKind::Other,
        },
        "states" => match rest.strip_prefix("activity:") {
            Some(name) => ResourceKind::Activity(Activity {
                partition: partition.to_string(),
                region: region.to_string(),
                account: account.to_string(),
                name: name.to_string(),
            }),
            None => ResourceKind::Service(service_integration(partition, region, account, rest)),
        },
        _ => ResourceKind::Other,
    }
}

/// `SERVICE:ACTION[.PATTERN]` (`aws-sdk:SERVICE:ACTION[.PATTERN]`).
fn service_integration(
    partition: &str,
    region: &str,
    account: &str,
    rest: &str,
) -> ServiceIntegration {
    let (mut service, mut resource) = rest.split_once(':').unwrap_or((rest, ""));
    let mut sdk = false;
    if service == "aws-sdk" {
        // AWS's history names the SDK's service with the type: `aws-sdk:s3` / `getObject`.
        if let Some((sdk_service, action)) = resource.split_once(':') {
            service = &rest[..service.len() + 1 + sdk_service.len()];
            resource = action;
            sdk = true;
        }
    }
    let action = IntegrationPattern::split(resource).0;
    let integration = match (service, action) {
        _ if sdk => Integration::AwsSdk,
        ("lambda", "invoke") => Integration::LambdaInvoke,
        ("http", "invoke") => Integration::HttpInvoke,
        ("states", "startExecution") => Integration::StartExecution,
        _ => Integration::Other,
    };
    ServiceIntegration {
        partition: partition.to_string(),
        region: region.into(),
        account: account.to_string(),
        integration,
        resource_type: service.into(),
        resource: resource.into(),
        action: action.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntegrationPattern::*;

    fn service(text: &str) -> (ServiceIntegration, IntegrationPattern) {
        let r = Resource::parse(text);
        assert_eq!(r.as_str(), text);
        match r.kind() {
            ResourceKind::Service(s) => (s.clone(), r.pattern()),
            other => panic!("{text}: not a service integration: {other:?}"),
        }
    }

    #[test]
    fn lambda_functions() {
        let r = Resource::parse("arn:aws:lambda:eu-west-1:111111111111:function:pay:live");
        let ResourceKind::Function(f) = r.kind() else {
            panic!("not a function: {r:?}")
        };
        assert_eq!(
            (
                f.partition.as_str(),
                f.region.as_str(),
                f.account.as_str(),
                f.name.as_str(),
                f.qualifier.as_deref()
            ),
            ("aws", "eu-west-1", "111111111111", "pay", Some("live"))
        );
        assert_eq!(r.pattern(), RequestResponse);
        assert!(!r.hands_out_token());

        let r = Resource::parse("arn:aws-cn:lambda:cn-north-1:1:function:f");
        let ResourceKind::Function(f) = r.kind() else {
            panic!("not a function: {r:?}")
        };
        assert_eq!(
            (f.partition.as_str(), f.qualifier.as_deref()),
            ("aws-cn", None)
        );

        // Parts are kept as written; Lambda's rules on names are the integrations'.
        let r = Resource::parse("arn:aws:lambda:::function:a:b:c");
        let ResourceKind::Function(f) = r.kind() else {
            panic!("not a function: {r:?}")
        };
        assert_eq!(
            (f.name.as_str(), f.qualifier.as_deref()),
            ("a", Some("b:c"))
        );
    }

    #[test]
    fn activities() {
        let r = Resource::parse("arn:aws:states:us-east-1:123456789012:activity:approve");
        let ResourceKind::Activity(a) = r.kind() else {
            panic!("not an activity: {r:?}")
        };
        assert_eq!(
            (a.region.as_str(), a.account.as_str(), a.name.as_str()),
            ("us-east-1", "123456789012", "approve")
        );
        assert!(r.is_activity());
        assert!(r.hands_out_token());
        assert!(!r.is_start_execution());
        assert_eq!(r.integration(), None);
    }

    #[test]
    fn service_integrations_and_their_patterns() {
        let cases: &[(&str, Integration, &str, &str, &str, IntegrationPattern)] = &[
            (
                "arn:aws:states:::lambda:invoke",
                Integration::LambdaInvoke,
                "lambda",
                "invoke",
                "invoke",
                RequestResponse,
            ),
            (
                "arn:aws:states:::lambda:invoke.waitForTaskToken",
                Integration::LambdaInvoke,
                "lambda",
                "invoke.waitForTaskToken",
                "invoke",
                WaitForTaskToken,
            ),
            (
                "arn:aws:states:::http:invoke",
                Integration::HttpInvoke,
                "http",
                "invoke",
                "invoke",
                RequestResponse,
            ),
            (
                "arn:aws:states:::states:startExecution",
                Integration::StartExecution,
                "states",
                "startExecution",
                "startExecution",
                RequestResponse,
            ),
            (
                "arn:aws:states:::states:startExecution.sync",
                Integration::StartExecution,
                "states",
                "startExecution.sync",
                "startExecution",
                Sync { json_output: false },
            ),
            (
                "arn:aws:states:::states:startExecution.sync:2",
                Integration::StartExecution,
                "states",
                "startExecution.sync:2",
                "startExecution",
                Sync { json_output: true },
            ),
            (
                "arn:aws:states:::states:startExecution.waitForTaskToken",
                Integration::StartExecution,
                "states",
                "startExecution.waitForTaskToken",
                "startExecution",
                WaitForTaskToken,
            ),
            (
                "arn:aws:states:::sqs:sendMessage",
                Integration::Other,
                "sqs",
                "sendMessage",
                "sendMessage",
                RequestResponse,
            ),
            (
                "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                Integration::Other,
                "sqs",
                "sendMessage.waitForTaskToken",
                "sendMessage",
                WaitForTaskToken,
            ),
            (
                "arn:aws:states:::ecs:runTask.sync",
                Integration::Other,
                "ecs",
                "runTask.sync",
                "runTask",
                Sync { json_output: false },
            ),
            (
                "arn:aws:states:::aws-sdk:s3:getObject",
                Integration::AwsSdk,
                "aws-sdk:s3",
                "getObject",
                "getObject",
                RequestResponse,
            ),
            (
                "arn:aws:states:::aws-sdk:sfn:startExecution",
                Integration::AwsSdk,
                "aws-sdk:sfn",
                "startExecution",
                "startExecution",
                RequestResponse,
            ),
        ];
        for &(text, integration, resource_type, resource, action, pattern) in cases {
            let (s, p) = service(text);
            assert_eq!(s.integration, integration, "{text}");
            assert_eq!(&*s.resource_type, resource_type, "{text}");
            assert_eq!(&*s.resource, resource, "{text}");
            assert_eq!(s.action, action, "{text}");
            assert_eq!(p, pattern, "{text}");
            assert_eq!(&*s.region, "", "{text}");
        }
        let (s, _) = service("arn:aws:states:eu-west-1:123456789012:sns:publish");
        assert_eq!(
            (&*s.region, s.account.as_str()),
            ("eu-west-1", "123456789012")
        );
    }

    #[test]
    fn odd_spellings_stay_other() {
        // Not an integration Switchback runs: kept as the optimised-service kind or as other.
        for text in [
            "arn:aws:states:::states:startExecutionFoo",
            "arn:aws:states:::states:startExecution.async",
            "arn:aws:states:::lambda:invokeAsync",
            "arn:aws:states:::lambda:Invoke",
            "arn:aws:states:::http:invoke.foo",
            "arn:aws:states:::aws-sdk",
            "arn:aws:states:::noaction",
        ] {
            let (s, _) = service(text);
            assert_eq!(s.integration, Integration::Other, "{text}");
        }
        let (s, _) = service("arn:aws:states:::aws-sdk");
        assert_eq!((&*s.resource_type, &*s.resource), ("aws-sdk", ""));
        for text in [
            "not an arn",
            "",
            "arn:aws:lambda",
            "arn:aws:lambda:us-east-1:1:layer:x",
            "arn:aws:lambda:us-east-1:1:Function:x",
            "arn:aws:sqs:us-east-1:123456789012:queue",
            "ARN:aws:states:::lambda:invoke",
            "arn:aws:states:activity:x",
        ] {
            let r = Resource::parse(text);
            assert_eq!(r.kind(), &ResourceKind::Other, "{text}");
            assert_eq!(r.as_str(), text);
            assert_eq!(r.to_string(), text);
        }
        // A pattern is read off the end of any ARN, as it always was (an unknown ARN ending in
        // `.waitForTaskToken` waits for its token); text that is not an ARN has none.
        let r = Resource::parse("arn:aws:sqs:us-east-1:123456789012:q.waitForTaskToken");
        assert_eq!(
            (r.kind(), r.pattern()),
            (&ResourceKind::Other, WaitForTaskToken)
        );
        assert!(r.hands_out_token());
        assert_eq!(Resource::parse("x.sync").pattern(), RequestResponse);
    }

    #[test]
    fn pattern_suffixes() {
        assert_eq!(RequestResponse.suffix(), None);
        assert_eq!(WaitForTaskToken.suffix(), Some(".waitForTaskToken"));
        assert_eq!(Sync { json_output: false }.suffix(), Some(".sync"));
        assert_eq!(Sync { json_output: true }.suffix(), Some(".sync:2"));
    }
}
