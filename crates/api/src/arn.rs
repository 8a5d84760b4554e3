//! ARNs: building them in AWS's formats, and reading the ones clients send.
//!
//! Formats (AWS's):
//! - state machine: `arn:aws:states:{region}:{account}:stateMachine:{name}`
//! - version: `...:stateMachine:{name}:{N}` (N a positive integer)
//! - alias: `...:stateMachine:{name}:{alias}` (an alias name always has a non-digit)
//! - Distributed Map state (a "label"): `...:stateMachine:{name}/{label}`
//! - Standard execution: `arn:aws:states:{region}:{account}:execution:{machine}:{execution}`
//! - Express execution: `arn:aws:states:{region}:{account}:express:{machine}:{execution}:{id}`
//! - activity: `arn:aws:states:{region}:{account}:activity:{name}`
//!
//! A well-formed ARN of another region or account is not refused here: it simply names nothing
//! this server holds, so lookups answer "does not exist", as AWS does for a resource it lacks.

use crate::error::ApiError;

/// The service part of every ARN this API reads.
const SERVICE: &str = "states";

/// Builds the ARNs of this server's region and account.
#[derive(Debug, Clone)]
pub struct ArnBuilder<'a> {
    /// The region, e.g. `us-east-1`.
    pub region: &'a str,
    /// The account id, e.g. `123456789012`.
    pub account: &'a str,
}

impl ArnBuilder<'_> {
    /// `arn:aws:states:{region}:{account}:stateMachine:{name}`.
    pub fn state_machine(&self, name: &str) -> String {
        format!(
            "arn:aws:{SERVICE}:{}:{}:stateMachine:{name}",
            self.region, self.account
        )
    }

    /// `arn:aws:states:{region}:{account}:activity:{name}`.
    pub fn activity(&self, name: &str) -> String {
        format!(
            "arn:aws:{SERVICE}:{}:{}:activity:{name}",
            self.region, self.account
        )
    }

    /// `arn:aws:states:{region}:{account}:execution:{machine}:{execution}`.
    pub fn execution(&self, machine: &str, execution: &str) -> String {
        format!(
            "arn:aws:{SERVICE}:{}:{}:execution:{machine}:{execution}",
            self.region, self.account
        )
    }

    /// `arn:aws:states:{region}:{account}:express:{machine}:{execution}:{id}`.
    pub fn express_execution(&self, machine: &str, execution: &str, id: &str) -> String {
        format!(
            "arn:aws:{SERVICE}:{}:{}:express:{machine}:{execution}:{id}",
            self.region, self.account
        )
    }
}

/// `{machine_arn}:{version}`.
pub fn version_arn(machine_arn: &str, version: u64) -> String {
    format!("{machine_arn}:{version}")
}

/// `{machine_arn}:{alias}`.
pub fn alias_arn(machine_arn: &str, alias: &str) -> String {
    format!("{machine_arn}:{alias}")
}

/// What a state machine ARN points at beyond the machine itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Qualifier {
    /// The machine itself (its latest revision).
    None,
    /// A published version.
    Version(u64),
    /// An alias.
    Alias(String),
    /// A Distributed Map state of the machine.
    Label(String),
}

/// A parsed state machine ARN (possibly qualified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachineArn {
    /// The ARN of the unqualified machine, rebuilt from the parts.
    pub machine_arn: String,
    /// The machine's name.
    pub name: String,
    /// Version, alias or label, if any.
    pub qualifier: Qualifier,
}

/// A parsed execution ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionArn {
    /// The ARN of the machine the execution belongs to (unqualified).
    pub machine_arn: String,
    /// The machine's name.
    pub machine_name: String,
    /// The execution's name.
    pub name: String,
    /// The id that follows the name in an Express execution's ARN.
    pub express_id: Option<String>,
}

/// A parsed activity ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityArn {
    /// The ARN, rebuilt from the parts.
    pub arn: String,
    /// The activity's name.
    pub name: String,
}

/// The common head `arn:{partition}:states:{region}:{account}:` and the resource after it.
struct Parts<'a> {
    partition: &'a str,
    region: &'a str,
    account: &'a str,
    resource_type: &'a str,
    resource: &'a str,
}

fn split(arn: &str) -> Result<Parts<'_>, ApiError> {
    let Some(rest) = arn.strip_prefix("arn:") else {
        return Err(ApiError::invalid_arn(format!("Invalid ARN prefix: {arn}")));
    };
    let mut it = rest.splitn(6, ':');
    let (Some(partition), Some(service), Some(region), Some(account), Some(kind), Some(resource)) = (
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
    ) else {
        return Err(ApiError::invalid_arn(arn));
    };
    if partition.is_empty() || region.is_empty() || account.is_empty() || resource.is_empty() {
        return Err(ApiError::invalid_arn(arn));
    }
    if service != SERVICE {
        return Err(ApiError::invalid_arn(format!(
            "Invalid ARN service: {service}"
        )));
    }
    Ok(Parts {
        partition,
        region,
        account,
        resource_type: kind,
        resource,
    })
}

fn wrong_type(kind: &str) -> ApiError {
    ApiError::invalid_arn(format!("Resource type not valid in this context: {kind}"))
}

impl Parts<'_> {
    fn machine_arn(&self, name: &str) -> String {
        format!(
            "arn:{}:{SERVICE}:{}:{}:stateMachine:{name}",
            self.partition, self.region, self.account
        )
    }
}

/// Reads a state machine ARN, plain or qualified (version, alias or Map label).
pub fn parse_state_machine(arn: &str) -> Result<StateMachineArn, ApiError> {
    let parts = split(arn)?;
    if parts.resource_type != "stateMachine" {
        return Err(wrong_type(parts.resource_type));
    }
    let mut segments = parts.resource.split(':');
    let head = segments.next().unwrap_or_default();
    let qualifier = segments.next();
    if segments.next().is_some() {
        return Err(ApiError::invalid_arn(arn));
    }
    let (name, label) = match head.split_once('/') {
        Some((name, label)) => (name, Some(label)),
        None => (head, None),
    };
    if name.is_empty() {
        return Err(ApiError::invalid_arn(arn));
    }
    let qualifier = match (label, qualifier) {
        (None, None) => Qualifier::None,
        (Some(label), None) if !label.is_empty() => Qualifier::Label(label.to_string()),
        (None, Some(q)) if !q.is_empty() => {
            if q.bytes().all(|b| b.is_ascii_digit()) {
                match q.parse::<u64>() {
                    Ok(n) if n > 0 => Qualifier::Version(n),
                    _ => return Err(ApiError::invalid_arn(arn)),
                }
            } else {
                Qualifier::Alias(q.to_string())
            }
        }
        _ => return Err(ApiError::invalid_arn(arn)),
    };
    Ok(StateMachineArn {
        machine_arn: parts.machine_arn(name),
        name: name.to_string(),
        qualifier,
    })
}

/// Reads an execution ARN (Standard or Express).
pub fn parse_execution(arn: &str) -> Result<ExecutionArn, ApiError> {
    let parts = split(arn)?;
    let express = match parts.resource_type {
        "execution" => false,
        "express" => true,
        other => return Err(wrong_type(other)),
    };
    let segments: Vec<&str> = parts.resource.split(':').collect();
    let (machine, name, id) = match (express, segments.as_slice()) {
        (false, [machine, name]) => (*machine, *name, None),
        (true, [machine, name, id]) => (*machine, *name, Some(id.to_string())),
        _ => return Err(ApiError::invalid_arn(arn)),
    };
    if machine.is_empty() || name.is_empty() || id.as_deref() == Some("") {
        return Err(ApiError::invalid_arn(arn));
    }
    Ok(ExecutionArn {
        machine_arn: parts.machine_arn(machine),
        machine_name: machine.to_string(),
        name: name.to_string(),
        express_id: id,
    })
}

/// Reads an activity ARN: `arn:{partition}:states:{region}:{account}:activity:{name}`.
pub fn parse_activity(arn: &str) -> Result<ActivityArn, ApiError> {
    let parts = split(arn)?;
    if parts.resource_type != "activity" {
        return Err(wrong_type(parts.resource_type));
    }
    if parts.resource.contains(':') {
        return Err(ApiError::invalid_arn(arn));
    }
    Ok(ActivityArn {
        arn: format!(
            "arn:{}:{SERVICE}:{}:{}:activity:{}",
            parts.partition, parts.region, parts.account, parts.resource
        ),
        name: parts.resource.to_string(),
    })
}

/// Reads the ARN of a taggable resource: a state machine (unqualified) or an activity.
/// Returns the ARN as given when it is well formed.
pub fn parse_taggable(arn: &str) -> Result<TaggableArn, ApiError> {
    let parts = split(arn)?;
    match parts.resource_type {
        "stateMachine" => Ok(TaggableArn::StateMachine(parse_state_machine(arn)?)),
        "activity" => Ok(TaggableArn::Activity(parse_activity(arn)?)),
        other => Err(wrong_type(other)),
    }
}

/// What a tag action names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaggableArn {
    /// A state machine ARN (tags live on unqualified machines only).
    StateMachine(StateMachineArn),
    /// An activity ARN.
    Activity(ActivityArn),
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:hello";

    #[test]
    fn builds_aws_formats() {
        let b = ArnBuilder {
            region: "us-east-1",
            account: "123456789012",
        };
        assert_eq!(b.state_machine("hello"), M);
        assert_eq!(version_arn(M, 3), format!("{M}:3"));
        assert_eq!(alias_arn(M, "prod"), format!("{M}:prod"));
        assert_eq!(
            b.execution("hello", "run1"),
            "arn:aws:states:us-east-1:123456789012:execution:hello:run1"
        );
        assert_eq!(
            b.express_execution("hello", "run1", "abc"),
            "arn:aws:states:us-east-1:123456789012:express:hello:run1:abc"
        );
    }

    #[test]
    fn parses_machine_version_alias_label() {
        let p = parse_state_machine(M).unwrap();
        assert_eq!(p.name, "hello");
        assert_eq!(p.machine_arn, M);
        assert_eq!(p.qualifier, Qualifier::None);
        assert_eq!(
            parse_state_machine(&format!("{M}:12")).unwrap().qualifier,
            Qualifier::Version(12)
        );
        assert_eq!(
            parse_state_machine(&format!("{M}:prod")).unwrap().qualifier,
            Qualifier::Alias("prod".into())
        );
        let l = parse_state_machine(&format!("{M}/map1")).unwrap();
        assert_eq!(l.qualifier, Qualifier::Label("map1".into()));
        assert_eq!(l.machine_arn, M);
    }

    #[test]
    fn refuses_malformed() {
        let e = parse_state_machine("not_a_valid_arn").unwrap_err();
        assert_eq!(e.code(), "InvalidArn");
        assert_eq!(
            e.message(),
            "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"
        );
        for bad in [
            "arn:aws:states:us-east-1:123456789012:stateMachine:",
            "arn:aws:states:us-east-1:123456789012:stateMachine:a:b:c",
            "arn:aws:states:us-east-1:123456789012:stateMachine:a:0",
            "arn:aws:states:us-east-1:123456789012:stateMachine:a:",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "arn:aws:states:us-east-1",
        ] {
            assert_eq!(
                parse_state_machine(bad).unwrap_err().code(),
                "InvalidArn",
                "{bad}"
            );
        }
        let e = parse_state_machine("arn:aws:states:us-east-1:1:execution:a:b").unwrap_err();
        assert!(e.message().contains("Resource type not valid"));
    }

    #[test]
    fn parses_activities() {
        let b = ArnBuilder {
            region: "us-east-1",
            account: "123456789012",
        };
        let arn = b.activity("work");
        assert_eq!(arn, "arn:aws:states:us-east-1:123456789012:activity:work");
        let a = parse_activity(&arn).unwrap();
        assert_eq!(a.arn, arn);
        assert_eq!(a.name, "work");
        assert_eq!(
            parse_taggable(&arn).unwrap(),
            TaggableArn::Activity(a.clone())
        );
        for bad in [
            "arn:aws:states:us-east-1:123456789012:activity:",
            "arn:aws:states:us-east-1:123456789012:activity:a:b",
            "not_an_activity_arn",
            M,
        ] {
            assert_eq!(
                parse_activity(bad).unwrap_err().code(),
                "InvalidArn",
                "{bad}"
            );
        }
    }

    #[test]
    fn parses_executions() {
        let e =
            parse_execution("arn:aws:states:us-east-1:123456789012:execution:hello:r1").unwrap();
        assert_eq!(e.machine_arn, M);
        assert_eq!(e.name, "r1");
        assert_eq!(e.express_id, None);
        let x =
            parse_execution("arn:aws:states:us-east-1:123456789012:express:hello:r1:id").unwrap();
        assert_eq!(x.express_id.as_deref(), Some("id"));
        assert!(parse_execution(M).is_err());
        assert!(parse_execution("arn:aws:states:us-east-1:1:execution:hello").is_err());
    }
}
