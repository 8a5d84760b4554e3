//! What an execution starts from: a machine, a version or an alias ARN resolved to one
//! definition, as StartExecution and StartSyncExecution need it.
//!
//! An alias picks one of its (one or two) versions at random by weight, as AWS does for each
//! start. The machine must exist and not be DELETING.

use switchback_store::state_machines::{self as machines, StateMachineStatus, StateMachineType};
use switchback_store::{aliases, versions};

use crate::arn::{self, Qualifier};
use crate::error::ApiError;
use crate::ids;
use crate::state::AppState;

/// The resolved target of a start.
#[derive(Debug, Clone, PartialEq)]
pub struct StartTarget {
    /// The unqualified machine ARN (what executions are listed under).
    pub state_machine_arn: String,
    /// The version that runs, when started through a version or an alias.
    pub version_arn: Option<String>,
    /// The alias started through, if any.
    pub alias_arn: Option<String>,
    /// The machine's name (the middle part of execution ARNs).
    pub name: String,
    /// STANDARD or EXPRESS.
    pub machine_type: StateMachineType,
    /// The definition that runs (JSON text).
    pub definition: String,
    /// The role of the machine or version.
    pub role_arn: String,
    /// The revision that runs; `None` for a machine never updated (AWS shows no revision).
    pub revision_id: Option<String>,
}

/// Picks a route by weight: `draw` in `0..100`.
fn pick(routing: &[aliases::RoutingEntry], draw: u32) -> Option<&aliases::RoutingEntry> {
    let mut acc = 0;
    for r in routing {
        acc += r.weight;
        if draw < acc {
            return Some(r);
        }
    }
    routing
        .iter()
        .rev()
        .find(|r| r.weight > 0)
        .or(routing.last())
}

/// Resolves `arn` (machine, version or alias) to what runs. Unknown targets are
/// `StateMachineDoesNotExist`; a DELETING machine is `StateMachineDeleting`; a Map label ARN
/// or a malformed one is `InvalidArn`.
pub async fn resolve_start_target(
    state: &AppState,
    arn_text: &str,
) -> Result<StartTarget, ApiError> {
    let parsed = arn::parse_state_machine(arn_text)?;
    if let Qualifier::Label(_) = parsed.qualifier {
        return Err(ApiError::invalid_arn(format!(
            "A Distributed Map state's ARN cannot start an execution: {arn_text}"
        )));
    }
    let shown = arn_text.to_string();
    let draw = u32::try_from(ids::below(100)).unwrap_or(0);
    // A few rows by their keys (the definition at most 1 MB): a point read, run on this
    // thread when a connection is idle (see `Store::read_point`).
    state
        .store
        .read_point(move |conn| {
            let missing = || Ok(Err(ApiError::state_machine_does_not_exist(&shown)));
            let Some(machine) = machines::get_to_start(conn, &parsed.machine_arn())? else {
                return missing();
            };
            if machine.status == StateMachineStatus::Deleting {
                return Ok(Err(ApiError::state_machine_deleting(&shown)));
            }
            let (version_arn, alias_arn) = match &parsed.qualifier {
                Qualifier::None => {
                    return Ok(Ok(StartTarget {
                        state_machine_arn: machine.arn.clone(),
                        version_arn: None,
                        alias_arn: None,
                        name: machine.name.clone(),
                        machine_type: machine.machine_type,
                        revision_id: crate::actions::state_machines::shown_revision(
                            &machine.revision_id,
                        )
                        .map(str::to_string),
                        definition: machine.definition,
                        role_arn: machine.role_arn,
                    }))
                }
                Qualifier::Version(n) => (arn::version_arn(&machine.arn, *n), None),
                Qualifier::Alias(name) => {
                    let alias_arn = arn::alias_arn(&machine.arn, name);
                    let Some(alias) = aliases::get(conn, &alias_arn)? else {
                        return missing();
                    };
                    let Some(route) = pick(&alias.routing, draw) else {
                        return missing();
                    };
                    (route.version_arn.clone(), Some(alias_arn))
                }
                Qualifier::Label(_) => return missing(),
            };
            let Some(version) = versions::get(conn, &version_arn)? else {
                return missing();
            };
            Ok(Ok(StartTarget {
                state_machine_arn: machine.arn.clone(),
                version_arn: Some(version.arn),
                alias_arn,
                name: machine.name,
                machine_type: version.machine_type,
                definition: version.definition,
                role_arn: version.role_arn,
                revision_id: crate::actions::state_machines::shown_revision(&version.revision_id)
                    .map(str::to_string),
            }))
        })
        .await?
}

#[cfg(test)]
mod tests {
    use super::*;
    use aliases::RoutingEntry;

    fn r(v: &str, w: u32) -> RoutingEntry {
        RoutingEntry {
            version_arn: v.into(),
            weight: w,
        }
    }

    #[test]
    fn picks_by_weight() {
        let routes = [r("a", 30), r("b", 70)];
        assert_eq!(pick(&routes, 0).unwrap().version_arn, "a");
        assert_eq!(pick(&routes, 29).unwrap().version_arn, "a");
        assert_eq!(pick(&routes, 30).unwrap().version_arn, "b");
        assert_eq!(pick(&routes, 99).unwrap().version_arn, "b");
        let one = [r("a", 100)];
        assert_eq!(pick(&one, 99).unwrap().version_arn, "a");
        let zero = [r("a", 100), r("b", 0)];
        assert_eq!(pick(&zero, 99).unwrap().version_arn, "a");
    }
}
