//! Execution statuses and state machine types, as the Step Functions API spells them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A word that is not one of the values a type allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    /// What was expected, e.g. `execution status`.
    pub expected: &'static str,
    /// The word found.
    pub found: String,
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a known {}", self.found, self.expected)
    }
}

impl std::error::Error for UnknownWord {}

/// An execution's status, as `DescribeExecution` and `ListExecutions` report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    /// Still running (or parked, waiting for a timer, a callback or an activity).
    Running,
    /// Ended with success.
    Succeeded,
    /// Ended with an error.
    Failed,
    /// Ran past its `TimeoutSeconds`.
    TimedOut,
    /// Stopped by `StopExecution`.
    Aborted,
    /// Redriven, and about to run again (AWS's `PENDING_REDRIVE`).
    PendingRedrive,
}

impl ExecutionStatus {
    /// Every status, in the order the API documents them.
    pub const ALL: [ExecutionStatus; 6] = [
        ExecutionStatus::Running,
        ExecutionStatus::Succeeded,
        ExecutionStatus::Failed,
        ExecutionStatus::TimedOut,
        ExecutionStatus::Aborted,
        ExecutionStatus::PendingRedrive,
    ];

    /// The API's spelling, e.g. `TIMED_OUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
            ExecutionStatus::PendingRedrive => "PENDING_REDRIVE",
        }
    }

    /// Whether the execution has ended. `PENDING_REDRIVE` has not: a redrive is about to run
    /// it again.
    pub fn is_closed(self) -> bool {
        !matches!(
            self,
            ExecutionStatus::Running | ExecutionStatus::PendingRedrive
        )
    }

    /// Whether `RedriveExecution` may run the execution again: it failed, timed out or was
    /// stopped (a success has nothing left to run).
    pub fn is_redrivable(self) -> bool {
        matches!(
            self,
            ExecutionStatus::Failed | ExecutionStatus::TimedOut | ExecutionStatus::Aborted
        )
    }
}

impl FromStr for ExecutionStatus {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<ExecutionStatus, UnknownWord> {
        ExecutionStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownWord {
                expected: "execution status",
                found: s.to_string(),
            })
    }
}

impl fmt::Display for ExecutionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state machine's type: `STANDARD` (durable, exactly-once, full history) or `EXPRESS`
/// (in memory, at-least-once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StateMachineType {
    /// Durable executions with a full history.
    Standard,
    /// In-memory executions; `StartSyncExecution` returns their result.
    Express,
}

impl StateMachineType {
    /// The API's spelling: `STANDARD` or `EXPRESS`.
    pub fn as_str(self) -> &'static str {
        match self {
            StateMachineType::Standard => "STANDARD",
            StateMachineType::Express => "EXPRESS",
        }
    }
}

impl FromStr for StateMachineType {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<StateMachineType, UnknownWord> {
        match s {
            "STANDARD" => Ok(StateMachineType::Standard),
            "EXPRESS" => Ok(StateMachineType::Express),
            _ => Err(UnknownWord {
                expected: "state machine type",
                found: s.to_string(),
            }),
        }
    }
}

impl fmt::Display for StateMachineType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_as_written_and_as_serde_writes_them() {
        for status in ExecutionStatus::ALL {
            assert_eq!(status.as_str().parse::<ExecutionStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
            let back: ExecutionStatus = serde_json::from_str(&format!("\"{status}\"")).unwrap();
            assert_eq!(back, status);
        }
        assert!("running".parse::<ExecutionStatus>().is_err());
    }

    #[test]
    fn closed_and_redrivable() {
        assert!(!ExecutionStatus::Running.is_closed());
        assert!(!ExecutionStatus::PendingRedrive.is_closed());
        assert!(ExecutionStatus::Succeeded.is_closed());
        assert!(!ExecutionStatus::Succeeded.is_redrivable());
        assert!(ExecutionStatus::Aborted.is_redrivable());
    }
}
