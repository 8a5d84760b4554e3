//! Waiting for an execution to end by polling `DescribeExecution`.
//!
//! The API has no "wait" action, so the bench and the tests poll. Polling starts fast and backs
//! off geometrically: a short execution's end is seen within about a millisecond (the bench
//! measures start-to-end latency), while a long one (a Wait state) does not flood the server.
//! The polls ask for metadata only (`includedData: METADATA_ONLY`), so an execution with a
//! large input is not sent back on every poll; [`Client::wait_for_execution`] then describes
//! the ended execution whole once, [`Client::wait_for_end`] returns the last metadata.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Client, ClientError, ExecutionStatus};

/// How `DescribeExecution` is polled.
#[derive(Debug, Clone)]
pub struct Poll {
    /// The first pause, after the first `DescribeExecution` that found the execution running.
    pub first: Duration,
    /// Each pause is the previous one times this.
    pub factor: f64,
    /// The longest pause.
    pub max_interval: Duration,
    /// Give up after this long (`None`: never).
    pub deadline: Option<Duration>,
}

impl Default for Poll {
    /// 1 ms, growing by half each time, up to 50 ms, with no deadline.
    fn default() -> Poll {
        Poll {
            first: Duration::from_millis(1),
            factor: 1.5,
            max_interval: Duration::from_millis(50),
            deadline: None,
        }
    }
}

impl Client {
    /// Polls `DescribeExecution` until the execution is no longer running, and returns its
    /// whole description then. Fails with [`ClientError::Timeout`] past `poll.deadline`.
    pub async fn wait_for_execution(
        &self,
        execution_arn: &str,
        poll: &Poll,
    ) -> Result<Value, ClientError> {
        self.wait_for_end(execution_arn, poll).await?;
        self.describe_execution(execution_arn).await
    }

    /// Polls `DescribeExecution` for metadata only until the execution is no longer running,
    /// and returns that last response: the status, dates, error and cause, without the input
    /// and output (for a caller that does not need them, such as the bench).
    pub async fn wait_for_end(
        &self,
        execution_arn: &str,
        poll: &Poll,
    ) -> Result<Value, ClientError> {
        let started = Instant::now();
        let mut pause = poll.first;
        loop {
            let described = self.describe_execution_metadata(execution_arn).await?;
            let status = described
                .get("status")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<ExecutionStatus>().ok());
            match status {
                Some(s) if s.is_closed() => return Ok(described),
                Some(_) => {}
                None => {
                    return Err(ClientError::Decode {
                        action: "DescribeExecution".to_string(),
                        reason: format!("no known `status` in {described}"),
                    })
                }
            }
            if let Some(deadline) = poll.deadline {
                if started.elapsed() >= deadline {
                    return Err(ClientError::Timeout {
                        action: format!("waiting for {execution_arn} to end"),
                        timeout: deadline,
                    });
                }
            }
            tokio::time::sleep(pause).await;
            pause = pause.mul_f64(poll.factor).min(poll.max_interval);
        }
    }
}
