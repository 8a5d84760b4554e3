//! What can go wrong when asking the runtime for something; the API maps these to AWS errors.

use switchback_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// An execution of that name exists with another input, or is closed.
    #[error("Execution Already Exists: '{0}'")]
    ExecutionAlreadyExists(String),
    #[error("Execution Does Not Exist: '{0}'")]
    ExecutionDoesNotExist(String),
    /// The execution cannot be redriven (it is running, succeeded, or too old).
    #[error("{0}")]
    ExecutionNotRedrivable(String),
    /// The definition cannot be run (it was checked when the machine was created, so this
    /// means the stored text is damaged).
    #[error("Invalid State Machine Definition: {0}")]
    InvalidDefinition(String),
    /// `SendTask*` with a token that is not one of Switchback's.
    #[error("Invalid Token: '{0}'")]
    InvalidToken(String),
    /// `SendTask*` with a token no task has.
    #[error("Task Does Not Exist: '{0}'")]
    TaskDoesNotExist(String),
    /// `SendTask*` for a task that is no longer waiting (answered, timed out, or its
    /// execution ended).
    #[error("Task Timed Out: '{0}'")]
    TaskTimedOut(String),
    /// The runtime is shutting down.
    #[error("the server is shutting down")]
    ShuttingDown,
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
}
