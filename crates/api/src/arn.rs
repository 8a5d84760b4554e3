//! ARNs as the API reads them. The types, their formats and their parsing are
//! `switchback_types::arn`'s (one place for every layer); here a malformed ARN becomes AWS's
//! `InvalidArn` error.
//!
//! A well-formed ARN of another region or account is not refused here: it simply names nothing
//! this server holds, so lookups answer "does not exist", as AWS does for a resource it lacks.

pub use switchback_types::arn::{ActivityArn, ArnError, ExecutionArn, Qualifier, StateMachineArn};

use crate::error::ApiError;

fn invalid(e: ArnError) -> ApiError {
    ApiError::invalid_arn(e.0)
}

/// Version `version` of the machine whose (unqualified) ARN the store holds.
pub fn version_arn(machine_arn: &str, version: u64) -> String {
    match machine_arn.parse::<StateMachineArn>() {
        Ok(machine) => machine.version(version).to_string(),
        // The store only holds ARNs it was given well formed.
        Err(_) => format!("{machine_arn}:{version}"),
    }
}

/// Alias `alias` of the machine whose (unqualified) ARN the store holds.
pub fn alias_arn(machine_arn: &str, alias: &str) -> String {
    match machine_arn.parse::<StateMachineArn>() {
        Ok(machine) => machine.alias(alias).to_string(),
        Err(_) => format!("{machine_arn}:{alias}"),
    }
}

/// Reads a state machine ARN, plain or qualified (version, alias or Map label).
pub fn parse_state_machine(arn: &str) -> Result<StateMachineArn, ApiError> {
    arn.parse().map_err(invalid)
}

/// Reads an execution ARN (Standard or Express).
pub fn parse_execution(arn: &str) -> Result<ExecutionArn, ApiError> {
    arn.parse().map_err(invalid)
}

/// Reads an activity ARN: `arn:{partition}:states:{region}:{account}:activity:{name}`.
pub fn parse_activity(arn: &str) -> Result<ActivityArn, ApiError> {
    arn.parse().map_err(invalid)
}

/// Reads the ARN of a taggable resource: a state machine (unqualified) or an activity.
pub fn parse_taggable(arn: &str) -> Result<TaggableArn, ApiError> {
    match switchback_types::arn::resource_type(arn).map_err(invalid)? {
        "activity" => Ok(TaggableArn::Activity(parse_activity(arn)?)),
        // A state machine, or another kind that the state machine parser refuses by name.
        _ => Ok(TaggableArn::StateMachine(parse_state_machine(arn)?)),
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
        assert_eq!(version_arn(M, 3), format!("{M}:3"));
        assert_eq!(alias_arn(M, "prod"), format!("{M}:prod"));
    }

    #[test]
    fn parses_machine_version_alias_label() {
        let p = parse_state_machine(M).unwrap();
        assert_eq!(p.name, "hello");
        assert_eq!(p.machine_arn(), M);
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
        assert_eq!(l.machine_arn(), M);
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
        let arn = switchback_types::Identity::default()
            .activity_arn("work")
            .to_string();
        assert_eq!(arn, "arn:aws:states:us-east-1:123456789012:activity:work");
        let a = parse_activity(&arn).unwrap();
        assert_eq!(a.to_string(), arn);
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
        assert_eq!(e.machine_arn(), M);
        assert_eq!(e.name, "r1");
        assert_eq!(e.express_id, None);
        let x =
            parse_execution("arn:aws:states:us-east-1:123456789012:express:hello:r1:id").unwrap();
        assert_eq!(x.express_id.as_deref(), Some("id"));
        assert!(parse_execution(M).is_err());
        assert!(parse_execution("arn:aws:states:us-east-1:1:execution:hello").is_err());
    }
}
