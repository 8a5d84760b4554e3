//! The few API enums the convenience methods take or return.

/// A state machine's type, as `CreateStateMachine`'s `type` field spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// An execution's status, as `DescribeExecution` and `StartSyncExecution` report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionStatus {
    /// Still running.
    Running,
    /// Ended with success.
    Succeeded,
    /// Ended with an error.
    Failed,
    /// Exceeded its timeout.
    TimedOut,
    /// Stopped by `StopExecution`.
    Aborted,
    /// Waiting for a redrive to start (AWS's `PENDING_REDRIVE`).
    PendingRedrive,
}

impl ExecutionStatus {
    /// Parses the API's spelling; `None` for a status this client does not know.
    pub fn parse(s: &str) -> Option<ExecutionStatus> {
        Some(match s {
            "RUNNING" => ExecutionStatus::Running,
            "SUCCEEDED" => ExecutionStatus::Succeeded,
            "FAILED" => ExecutionStatus::Failed,
            "TIMED_OUT" => ExecutionStatus::TimedOut,
            "ABORTED" => ExecutionStatus::Aborted,
            "PENDING_REDRIVE" => ExecutionStatus::PendingRedrive,
            _ => return None,
        })
    }

    /// Whether the execution has ended (`PENDING_REDRIVE` counts as not ended: a redrive is
    /// about to run it again).
    pub fn is_terminal(self) -> bool {
        !matches!(
            self,
            ExecutionStatus::Running | ExecutionStatus::PendingRedrive
        )
    }
}
