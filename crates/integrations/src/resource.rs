//! Reading Lambda functions: a function `Resource` (already read by `switchback-asl` when the
//! definition loaded) and the `FunctionName` of `lambda:invoke`.
//!
//! Kept apart from the code that acts on them because a `FunctionName` is a small grammar with
//! many spellings (a bare name, a partial ARN, a full ARN, each with or without a qualifier),
//! and both must meet Lambda's rules on names and qualifiers the same way.

use switchback_engine::task::LambdaFunction;

use crate::config::is_function_name;

/// The region of a function named without an ARN: Switchback's default region.
pub(crate) const DEFAULT_REGION: &str = "us-east-1";
/// The account of a function named without an ARN: Switchback's default account.
pub(crate) const DEFAULT_ACCOUNT: &str = "123456789012";

/// A Lambda function, as named by a resource ARN or a `FunctionName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FunctionRef {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub name: String,
    /// A version, an alias or `$LATEST`.
    pub qualifier: Option<String>,
    /// The `FunctionName` (or function `Resource`) as the definition wrote it: what a call to
    /// AWS Lambda itself sends, as Step Functions sends it, without the defaults filled in
    /// above for the parts it leaves out.
    pub written: String,
}

impl FunctionRef {
    /// The function's ARN, with its qualifier if it has one (as Lambda writes it in errors).
    pub fn arn(&self) -> String {
        let mut arn = format!(
            "arn:{}:lambda:{}:{}:function:{}",
            self.partition, self.region, self.account, self.name
        );
        if let Some(qualifier) = &self.qualifier {
            arn.push(':');
            arn.push_str(qualifier);
        }
        arn
    }
}

impl FunctionRef {
    /// The function of a function `Resource`, if its name and qualifier meet Lambda's rules.
    pub fn of_resource(function: &LambdaFunction) -> Option<FunctionRef> {
        let mut found = function_ref(
            &function.partition,
            &function.region,
            &function.account,
            &function.name,
            function.qualifier.as_deref(),
        )?;
        found.written = found.arn();
        Some(found)
    }

    /// The region the definition wrote in the function's ARN, if it wrote a full ARN.
    pub fn written_region(&self) -> Option<&str> {
        let mut parts = self.written.strip_prefix("arn:")?.split(':');
        parts.nth(2).filter(|region| !region.is_empty())
    }
}

/// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` (a `FunctionName`)
fn parse_function_arn(arn: &str) -> Option<FunctionRef> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", partition, "lambda", region, account, "function", name, rest @ ..]
            if rest.len() <= 1 =>
        {
            function_ref(partition, region, account, name, rest.first().copied())
        }
        _ => None,
    }
}

fn function_ref(
    partition: &str,
    region: &str,
    account: &str,
    name: &str,
    qualifier: Option<&str>,
) -> Option<FunctionRef> {
    if !is_function_name(name) || qualifier.is_some_and(|q| !is_qualifier(q)) {
        return None;
    }
    Some(FunctionRef {
        partition: if partition.is_empty() {
            "aws"
        } else {
            partition
        }
        .to_string(),
        region: if region.is_empty() {
            DEFAULT_REGION
        } else {
            region
        }
        .to_string(),
        account: if account.is_empty() {
            DEFAULT_ACCOUNT
        } else {
            account
        }
        .to_string(),
        name: name.to_string(),
        qualifier: qualifier.map(str::to_string),
        written: String::new(),
    })
}

/// Lambda's qualifiers: `$LATEST`, a version number or an alias (`[a-zA-Z0-9$_-]{1,128}`).
fn is_qualifier(qualifier: &str) -> bool {
    (1..=128).contains(&qualifier.len())
        && qualifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '_' | '-'))
}

/// Reads the `FunctionName` of a `lambda:invoke` task: a name (`my-function`), a name with a
/// qualifier (`my-function:v1`), a partial ARN (`123456789012:function:my-function`) or a full
/// ARN, each with an optional qualifier. `None` when it is none of these.
pub(crate) fn parse_function_name(function_name: &str) -> Option<FunctionRef> {
    let mut found = parse_written_function_name(function_name)?;
    found.written = function_name.to_string();
    Some(found)
}

fn parse_written_function_name(function_name: &str) -> Option<FunctionRef> {
    if function_name.starts_with("arn:") {
        return parse_function_arn(function_name);
    }
    let parts: Vec<&str> = function_name.split(':').collect();
    match parts.as_slice() {
        [name] => function_ref("", "", "", name, None),
        [name, qualifier] => function_ref("", "", "", name, Some(qualifier)),
        [account, "function", name, rest @ ..] if rest.len() <= 1 => {
            function_ref("", "", account, name, rest.first().copied())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchback_engine::task::ResourceKind;

    #[test]
    fn reads_function_resources_with_lambdas_rules() {
        let function = |text: &str| match switchback_engine::task::Resource::parse(text).kind() {
            ResourceKind::Function(f) => FunctionRef::of_resource(f),
            other => panic!("not a function: {other:?}"),
        };
        let f = function("arn:aws:lambda:eu-west-1:111111111111:function:pay:live").unwrap();
        assert_eq!(f.name, "pay");
        assert_eq!(f.qualifier.as_deref(), Some("live"));
        assert_eq!(
            f.arn(),
            "arn:aws:lambda:eu-west-1:111111111111:function:pay:live"
        );
        let f = function("arn:aws:lambda:::function:pay").unwrap();
        assert_eq!(
            f.arn(),
            "arn:aws:lambda:us-east-1:123456789012:function:pay"
        );
        assert!(function("arn:aws:lambda:us-east-1:1:function:a.b").is_none());
        assert!(function("arn:aws:lambda:us-east-1:1:function:a:b:c").is_none());
        assert!(function("arn:aws:lambda:us-east-1:1:function:").is_none());
    }

    #[test]
    fn reads_every_spelling_of_a_function_name() {
        let bare = parse_function_name("pay").unwrap();
        assert_eq!(
            bare.arn(),
            "arn:aws:lambda:us-east-1:123456789012:function:pay"
        );
        let alias = parse_function_name("pay:live").unwrap();
        assert_eq!(
            (alias.name.as_str(), alias.qualifier.as_deref()),
            ("pay", Some("live"))
        );
        let partial = parse_function_name("111111111111:function:pay:3").unwrap();
        assert_eq!(
            partial.arn(),
            "arn:aws:lambda:us-east-1:111111111111:function:pay:3"
        );
        let full =
            parse_function_name("arn:aws:lambda:eu-west-1:111111111111:function:pay:$LATEST")
                .unwrap();
        assert_eq!(full.region, "eu-west-1");
        assert_eq!(full.qualifier.as_deref(), Some("$LATEST"));
        assert!(parse_function_name("").is_none());
        assert!(parse_function_name("a b").is_none());
        assert!(parse_function_name("a:b:c").is_none());
    }
}
