//! Answers from outside an execution: `SendTaskSuccess`, `SendTaskFailure`,
//! `SendTaskHeartbeat` and `GetActivityTask`.
//!
//! Each answer is committed to the task's row first and only then wakes the execution, which
//! reads it from the store: an answer is never lost, even if the process dies right after
//! acknowledging it.

use std::time::Duration;
use switchback_engine::ExecutionStatus;

use switchback_store::task_tokens::{self, TaskToken, TokenKind};
use switchback_store::{executions, StoreError};

use crate::events;
use crate::{Runtime, RuntimeError};

/// AWS's word for a token that no longer has a waiting task.
const GONE: &str = "Provided task does not exist anymore";

/// A task handed to an activity worker.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityTask {
    pub task_token: String,
    /// The task's input, as JSON text.
    pub input: String,
}

/// Whether a token has the shape of the tokens Switchback hands out (hex, 44 characters).
/// The API checks it before the rest of a request, as AWS checks the token first.
pub fn well_formed(token: &str) -> bool {
    token.len() == 44 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Runtime {
    /// `SendTaskSuccess`: the task succeeds with `output` (JSON text, checked by the API).
    pub async fn send_task_success(&self, token: &str, output: &str) -> Result<(), RuntimeError> {
        let output: serde_json::Value = serde_json::from_str(output)
            .map_err(|e| RuntimeError::InvalidToken(format!("output is not JSON: {e}")))?;
        let outcome = serde_json::json!({ "output": output }).to_string();
        self.answer(token, outcome).await
    }

    /// `SendTaskFailure`: the task fails with `error` and `cause`.
    pub async fn send_task_failure(
        &self,
        token: &str,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Result<(), RuntimeError> {
        let outcome = serde_json::json!({
            "error": error.unwrap_or_default(),
            "cause": cause.unwrap_or_default(),
        })
        .to_string();
        self.answer(token, outcome).await
    }

    /// `SendTaskHeartbeat`: the task's heartbeat clock starts again.
    pub async fn send_task_heartbeat(&self, token: &str) -> Result<(), RuntimeError> {
        let row = self.open_task(token).await?;
        let now = events::micros(self.config().clock.now());
        let token = row.token.clone();
        let beat = self
            .store()
            .write(move |tx| task_tokens::heartbeat(tx, &token, now))
            .await?;
        if !beat {
            return Err(RuntimeError::TaskTimedOut(GONE.into()));
        }
        Ok(())
    }

    /// `GetActivityTask`: the oldest task waiting for the activity, waiting up to `wait` for
    /// one to be scheduled (AWS long-polls for 60 seconds). `None` when none came.
    pub async fn get_activity_task(
        &self,
        activity_arn: &str,
        worker_name: Option<&str>,
        wait: Duration,
    ) -> Result<Option<ActivityTask>, RuntimeError> {
        let signal = self.hub().activity_signal(activity_arn);
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let scheduled = signal.notified();
            tokio::pin!(scheduled);
            scheduled.as_mut().enable();
            let arn = activity_arn.to_string();
            let worker = worker_name.map(str::to_string);
            let now = events::micros(self.config().clock.now());
            let taken = self
                .store()
                .write(move |tx| task_tokens::take_activity_task(tx, &arn, worker.as_deref(), now))
                .await?;
            if let Some(row) = taken {
                // The execution records `ActivityStarted` when it sees the row taken.
                self.hub().wake(row.execution_id);
                return Ok(Some(ActivityTask {
                    task_token: row.token,
                    input: row.input.unwrap_or_else(|| "{}".into()),
                }));
            }
            tokio::select! {
                () = &mut scheduled => {}
                () = tokio::time::sleep_until(deadline) => return Ok(None),
                // Answered with no task, as when the wait runs out: the worker polls again,
                // and the server's drain is not held up for a minute.
                () = self.hub().closing() => return Ok(None),
            }
        }
    }

    /// Writes the answer of a waiting task and wakes its execution.
    async fn answer(&self, token: &str, outcome: String) -> Result<(), RuntimeError> {
        let row = self.open_task(token).await?;
        let token = row.token.clone();
        let answered = self
            .store()
            .write(move |tx| task_tokens::answer(tx, &token, &outcome))
            .await?;
        if !answered {
            return Err(RuntimeError::TaskTimedOut(GONE.into()));
        }
        self.hub().wake(row.execution_id);
        Ok(())
    }

    /// The row of a token that a caller may answer: one of ours, existing, still open.
    async fn open_task(&self, token: &str) -> Result<TaskToken, RuntimeError> {
        if !well_formed(token) {
            return Err(RuntimeError::InvalidToken("Invalid token".into()));
        }
        let owned = token.to_string();
        let found = self
            .store()
            .read(
                move |c| -> Result<Option<(TaskToken, Option<ExecutionStatus>)>, StoreError> {
                    let Some(row) = task_tokens::get(c, &owned)? else {
                        return Ok(None);
                    };
                    let status = executions::status(c, row.execution_id)?;
                    Ok(Some((row, status)))
                },
            )
            .await?;
        let Some((row, status)) = found else {
            return Err(RuntimeError::TaskDoesNotExist(
                "Provided task does not exist".into(),
            ));
        };
        if row.kind == TokenKind::Sync {
            return Err(RuntimeError::TaskDoesNotExist(
                "Provided task does not exist".into(),
            ));
        }
        if row.status == "CLOSED" || status != Some(ExecutionStatus::Running) {
            return Err(RuntimeError::TaskTimedOut(GONE.into()));
        }
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::well_formed;

    #[test]
    fn only_switchback_tokens_are_well_formed() {
        assert!(well_formed(&"a1".repeat(22)));
        assert!(!well_formed("not-a-token"));
        assert!(!well_formed(&"g1".repeat(22)));
    }
}
