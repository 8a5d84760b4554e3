//! The ARNs of Step Functions resources: built from their parts, so they cannot be built
//! wrong, and parsed once from text, with AWS's error messages for malformed ones.
//!
//! Formats (AWS's):
//! - state machine: `arn:aws:states:{region}:{account}:stateMachine:{name}`
//! - version: `...:stateMachine:{name}:{N}` (N a positive integer)
//! - alias: `...:stateMachine:{name}:{alias}` (an alias name always has a non-digit)
//! - Distributed Map state (a "label"): `...:stateMachine:{name}/{label}`
//! - Standard execution: `arn:aws:states:{region}:{account}:execution:{machine}:{execution}`
//! - Express execution: `arn:aws:states:{region}:{account}:express:{machine}:{execution}:{id}`
//! - activity: `arn:aws:states:{region}:{account}:activity:{name}`
//! - map run: `arn:aws:states:{region}:{account}:mapRun:{machine}/{label}:{id}`
//!
//! A well-formed ARN of another region or account parses: it simply names nothing this server
//! holds, so lookups answer "does not exist", as AWS does for a resource it lacks.

use std::fmt;
use std::str::FromStr;

use crate::identity::Identity;

/// The service part of every Step Functions ARN.
const SERVICE: &str = "states";

/// Text that is not a well-formed ARN of the expected kind. The message is AWS's (what follows
/// `Invalid Arn: ` in an `InvalidArn` error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnError(pub String);

impl fmt::Display for ArnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArnError {}

/// What a state machine ARN points at beyond the machine itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

/// A state machine ARN, plain or qualified (version, alias or Map label).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StateMachineArn {
    /// Where the machine lives.
    pub identity: Identity,
    /// The machine's name.
    pub name: String,
    /// Version, alias or label, if any.
    pub qualifier: Qualifier,
}

/// An execution ARN, Standard or Express.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExecutionArn {
    /// Where the execution lives.
    pub identity: Identity,
    /// The name of the (unqualified) machine it belongs to.
    pub machine_name: String,
    /// The execution's name.
    pub name: String,
    /// The id that follows the name in an Express execution's ARN (`None`: Standard).
    pub express_id: Option<String>,
}

/// An activity ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActivityArn {
    /// Where the activity lives.
    pub identity: Identity,
    /// The activity's name.
    pub name: String,
}

/// A map run ARN: one run of a Distributed Map state in one execution.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MapRunArn {
    /// Where it lives.
    pub identity: Identity,
    /// The machine's name.
    pub machine_name: String,
    /// The Map state's label.
    pub label: String,
    /// The run's id.
    pub id: String,
}

impl Identity {
    /// The ARN of state machine `name`.
    pub fn state_machine_arn(&self, name: &str) -> StateMachineArn {
        StateMachineArn {
            identity: self.clone(),
            name: name.to_string(),
            qualifier: Qualifier::None,
        }
    }

    /// The ARN of activity `name`.
    pub fn activity_arn(&self, name: &str) -> ActivityArn {
        ActivityArn {
            identity: self.clone(),
            name: name.to_string(),
        }
    }
}

impl StateMachineArn {
    /// The machine itself, without version, alias or label.
    pub fn unqualified(&self) -> StateMachineArn {
        StateMachineArn {
            qualifier: Qualifier::None,
            ..self.clone()
        }
    }

    /// The text of the unqualified machine's ARN.
    pub fn machine_arn(&self) -> String {
        self.unqualified().to_string()
    }

    /// Version `n` of the machine.
    pub fn version(&self, n: u64) -> StateMachineArn {
        StateMachineArn {
            qualifier: Qualifier::Version(n),
            ..self.clone()
        }
    }

    /// Alias `name` of the machine.
    pub fn alias(&self, name: &str) -> StateMachineArn {
        StateMachineArn {
            qualifier: Qualifier::Alias(name.to_string()),
            ..self.clone()
        }
    }

    /// Standard execution `name` of the machine.
    pub fn execution(&self, name: &str) -> ExecutionArn {
        ExecutionArn {
            identity: self.identity.clone(),
            machine_name: self.name.clone(),
            name: name.to_string(),
            express_id: None,
        }
    }

    /// Express execution `name` of the machine, with AWS's id after it (names may repeat).
    pub fn express_execution(&self, name: &str, id: &str) -> ExecutionArn {
        ExecutionArn {
            express_id: Some(id.to_string()),
            ..self.execution(name)
        }
    }

    /// Run `id` of the machine's Map state `label`.
    pub fn map_run(&self, label: &str, id: &str) -> MapRunArn {
        MapRunArn {
            identity: self.identity.clone(),
            machine_name: self.name.clone(),
            label: label.to_string(),
            id: id.to_string(),
        }
    }
}

impl ExecutionArn {
    /// The (unqualified) machine the execution belongs to.
    pub fn machine(&self) -> StateMachineArn {
        self.identity.state_machine_arn(&self.machine_name)
    }

    /// The text of the machine's ARN.
    pub fn machine_arn(&self) -> String {
        self.machine().to_string()
    }
}

impl MapRunArn {
    /// The state machine the run's children are executions of: the machine qualified with
    /// the Map state's label (`stateMachine:MACHINE/LABEL`).
    pub fn child_machine(&self) -> StateMachineArn {
        StateMachineArn {
            identity: self.identity.clone(),
            name: self.machine_name.clone(),
            qualifier: Qualifier::Label(self.label.clone()),
        }
    }

    /// The run's child execution `name`: `execution:MACHINE/LABEL:NAME`, as AWS names them.
    pub fn child_execution(&self, name: &str) -> ExecutionArn {
        ExecutionArn {
            identity: self.identity.clone(),
            machine_name: format!("{}/{}", self.machine_name, self.label),
            name: name.to_string(),
            express_id: None,
        }
    }
}

/// `arn:{partition}:states:{region}:{account}:`, the head of every ARN here.
fn head(f: &mut fmt::Formatter<'_>, identity: &Identity) -> fmt::Result {
    write!(
        f,
        "arn:{}:{SERVICE}:{}:{}:",
        identity.partition, identity.region, identity.account
    )
}

impl fmt::Display for StateMachineArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        head(f, &self.identity)?;
        write!(f, "stateMachine:{}", self.name)?;
        match &self.qualifier {
            Qualifier::None => Ok(()),
            Qualifier::Version(n) => write!(f, ":{n}"),
            Qualifier::Alias(a) => write!(f, ":{a}"),
            Qualifier::Label(l) => write!(f, "/{l}"),
        }
    }
}

impl fmt::Display for ExecutionArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        head(f, &self.identity)?;
        match &self.express_id {
            None => write!(f, "execution:{}:{}", self.machine_name, self.name),
            Some(id) => write!(f, "express:{}:{}:{id}", self.machine_name, self.name),
        }
    }
}

impl fmt::Display for ActivityArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        head(f, &self.identity)?;
        write!(f, "activity:{}", self.name)
    }
}

impl fmt::Display for MapRunArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        head(f, &self.identity)?;
        write!(f, "mapRun:{}/{}:{}", self.machine_name, self.label, self.id)
    }
}

/// The common head `arn:{partition}:states:{region}:{account}:` and the resource after it.
struct Parts<'a> {
    identity: Identity,
    resource_type: &'a str,
    resource: &'a str,
}

fn invalid(arn: &str) -> ArnError {
    ArnError(arn.to_string())
}

fn wrong_type(kind: &str) -> ArnError {
    ArnError(format!("Resource type not valid in this context: {kind}"))
}

/// The resource type of a Step Functions ARN (`stateMachine`, `execution`, `activity`, ...),
/// for a caller that accepts several kinds.
pub fn resource_type(arn: &str) -> Result<&str, ArnError> {
    split(arn).map(|parts| parts.resource_type)
}

fn split(arn: &str) -> Result<Parts<'_>, ArnError> {
    let Some(rest) = arn.strip_prefix("arn:") else {
        return Err(ArnError(format!("Invalid ARN prefix: {arn}")));
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
        return Err(invalid(arn));
    };
    if partition.is_empty() || region.is_empty() || account.is_empty() || resource.is_empty() {
        return Err(invalid(arn));
    }
    if service != SERVICE {
        return Err(ArnError(format!("Invalid ARN service: {service}")));
    }
    Ok(Parts {
        identity: Identity {
            partition: partition.to_string(),
            region: region.to_string(),
            account: account.to_string(),
        },
        resource_type: kind,
        resource,
    })
}

impl FromStr for StateMachineArn {
    type Err = ArnError;

    fn from_str(arn: &str) -> Result<StateMachineArn, ArnError> {
        let parts = split(arn)?;
        if parts.resource_type != "stateMachine" {
            return Err(wrong_type(parts.resource_type));
        }
        let mut segments = parts.resource.split(':');
        let head = segments.next().unwrap_or_default();
        let qualifier = segments.next();
        if segments.next().is_some() {
            return Err(invalid(arn));
        }
        let (name, label) = match head.split_once('/') {
            Some((name, label)) => (name, Some(label)),
            None => (head, None),
        };
        if name.is_empty() {
            return Err(invalid(arn));
        }
        let qualifier = match (label, qualifier) {
            (None, None) => Qualifier::None,
            (Some(label), None) if !label.is_empty() => Qualifier::Label(label.to_string()),
            (None, Some(q)) if !q.is_empty() => {
                if q.bytes().all(|b| b.is_ascii_digit()) {
                    match q.parse::<u64>() {
                        Ok(n) if n > 0 => Qualifier::Version(n),
                        _ => return Err(invalid(arn)),
                    }
                } else {
                    Qualifier::Alias(q.to_string())
                }
            }
            _ => return Err(invalid(arn)),
        };
        Ok(StateMachineArn {
            identity: parts.identity,
            name: name.to_string(),
            qualifier,
        })
    }
}

impl FromStr for ExecutionArn {
    type Err = ArnError;

    fn from_str(arn: &str) -> Result<ExecutionArn, ArnError> {
        let parts = split(arn)?;
        let express = match parts.resource_type {
            "execution" => false,
            "express" => true,
            other => return Err(wrong_type(other)),
        };
        let mut segments = parts.resource.split(':');
        let (machine, name, id, extra) = (
            segments.next().unwrap_or_default(),
            segments.next(),
            segments.next(),
            segments.next(),
        );
        let (name, id) = match (express, name, id, extra) {
            (false, Some(name), None, None) => (name, None),
            (true, Some(name), Some(id), None) if !id.is_empty() => (name, Some(id.to_string())),
            _ => return Err(invalid(arn)),
        };
        if machine.is_empty() || name.is_empty() {
            return Err(invalid(arn));
        }
        Ok(ExecutionArn {
            identity: parts.identity,
            machine_name: machine.to_string(),
            name: name.to_string(),
            express_id: id,
        })
    }
}

impl FromStr for ActivityArn {
    type Err = ArnError;

    fn from_str(arn: &str) -> Result<ActivityArn, ArnError> {
        let parts = split(arn)?;
        if parts.resource_type != "activity" {
            return Err(wrong_type(parts.resource_type));
        }
        if parts.resource.contains(':') {
            return Err(invalid(arn));
        }
        Ok(ActivityArn {
            identity: parts.identity,
            name: parts.resource.to_string(),
        })
    }
}

impl FromStr for MapRunArn {
    type Err = ArnError;

    fn from_str(arn: &str) -> Result<MapRunArn, ArnError> {
        let parts = split(arn)?;
        if parts.resource_type != "mapRun" {
            return Err(wrong_type(parts.resource_type));
        }
        let (path, id) = parts
            .resource
            .rsplit_once(':')
            .ok_or_else(|| invalid(arn))?;
        let (machine, label) = path.split_once('/').ok_or_else(|| invalid(arn))?;
        if machine.is_empty() || label.is_empty() || id.is_empty() {
            return Err(invalid(arn));
        }
        Ok(MapRunArn {
            identity: parts.identity,
            machine_name: machine.to_string(),
            label: label.to_string(),
            id: id.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:hello";

    #[test]
    fn builds_aws_formats() {
        let me = Identity::default();
        let machine = me.state_machine_arn("hello");
        assert_eq!(machine.to_string(), M);
        assert_eq!(machine.version(3).to_string(), format!("{M}:3"));
        assert_eq!(machine.alias("prod").to_string(), format!("{M}:prod"));
        assert_eq!(
            machine.execution("run1").to_string(),
            "arn:aws:states:us-east-1:123456789012:execution:hello:run1"
        );
        assert_eq!(
            machine.express_execution("run1", "abc").to_string(),
            "arn:aws:states:us-east-1:123456789012:express:hello:run1:abc"
        );
        assert_eq!(
            machine.map_run("Each", "9").to_string(),
            "arn:aws:states:us-east-1:123456789012:mapRun:hello/Each:9"
        );
        assert_eq!(
            me.activity_arn("work").to_string(),
            "arn:aws:states:us-east-1:123456789012:activity:work"
        );
    }

    #[test]
    fn every_kind_reads_back_as_built() {
        let machine = Identity::new("eu-west-1", "111122223333").state_machine_arn("m");
        for arn in [
            machine.clone(),
            machine.version(12),
            machine.alias("prod"),
            StateMachineArn {
                qualifier: Qualifier::Label("map1".into()),
                ..machine.clone()
            },
        ] {
            assert_eq!(arn.to_string().parse::<StateMachineArn>(), Ok(arn));
        }
        for e in [
            machine.execution("r1"),
            machine.express_execution("r1", "id"),
        ] {
            assert_eq!(e.to_string().parse::<ExecutionArn>(), Ok(e.clone()));
            assert_eq!(e.machine(), machine);
        }
        let run = machine.map_run("Each", "abc");
        assert_eq!(run.to_string().parse::<MapRunArn>(), Ok(run.clone()));
        let child = run.child_execution("c1");
        assert_eq!(
            child.to_string(),
            "arn:aws:states:eu-west-1:111122223333:execution:m/Each:c1"
        );
        assert_eq!(child.to_string().parse::<ExecutionArn>(), Ok(child.clone()));
        assert_eq!(child.machine_arn(), run.child_machine().to_string());
        assert_eq!(
            run.child_machine().to_string(),
            "arn:aws:states:eu-west-1:111122223333:stateMachine:m/Each"
        );
    }

    #[test]
    fn refuses_malformed_with_aws_messages() {
        assert_eq!(
            "not_a_valid_arn".parse::<StateMachineArn>(),
            Err(ArnError("Invalid ARN prefix: not_a_valid_arn".into()))
        );
        for bad in [
            "arn:aws:states:us-east-1:123456789012:stateMachine:",
            "arn:aws:states:us-east-1:123456789012:stateMachine:a:b:c",
            "arn:aws:states:us-east-1:123456789012:stateMachine:a:0",
            "arn:aws:states:us-east-1:123456789012:stateMachine:a:",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "arn:aws:states:us-east-1",
        ] {
            assert!(bad.parse::<StateMachineArn>().is_err(), "{bad}");
        }
        let e = "arn:aws:states:us-east-1:1:execution:a:b".parse::<StateMachineArn>();
        assert!(e.unwrap_err().0.contains("Resource type not valid"));
        assert!(M.parse::<ExecutionArn>().is_err());
        assert!("arn:aws:states:us-east-1:1:execution:hello"
            .parse::<ExecutionArn>()
            .is_err());
        assert!("arn:aws:states:us-east-1:1:express:hello:r1:"
            .parse::<ExecutionArn>()
            .is_err());
        assert!("arn:aws:states:us-east-1:1:activity:a:b"
            .parse::<ActivityArn>()
            .is_err());
    }
}
