//! One S3 call a Map state makes for itself (its `ItemReader` reading, its `ResultWriter`
//! writing), sent through the driver as the AWS SDK integration of that action, so it goes
//! wherever the configuration sends S3 calls and the engine itself does no I/O. No task
//! events are recorded: AWS records none for these either.

use std::sync::Arc;

use serde_json::Value;
use switchback_asl::resource::Resource;

use super::{Interpreter, StateRun};
use crate::task::{BodyAs, TaskOutcome, TaskPhase, TaskRequest};

impl Interpreter<'_> {
    /// Calls `resource` (an `arn:aws:states:::aws-sdk:s3:*` ARN) with `input`; the answer, or
    /// why there is none, in words for a cause. `purpose` and `attempt` make the call's
    /// idempotency key unique within the state entry; `body_as` how a body in the answer is
    /// given.
    pub(super) async fn s3_call(
        &self,
        run: &StateRun<'_>,
        resource: &str,
        input: Value,
        (purpose, attempt): (&str, u32),
        body_as: BodyAs,
    ) -> Result<Value, String> {
        let request = TaskRequest {
            state_name: run.state.name.clone(),
            resource: Arc::new(Resource::parse(resource)),
            input: Arc::new(input),
            attempt,
            timeout_seconds: None,
            heartbeat_seconds: None,
            idempotency_key: format!(
                "{}:{}:{purpose}:{attempt}",
                self.exec.execution_arn, run.entered
            )
            .into(),
            task_token: None,
            phase: TaskPhase::Dispatch,
            submitted: None,
            body_as,
        };
        match self.driver.invoke(request).await {
            TaskOutcome::Succeeded(answer) => Ok(answer),
            TaskOutcome::Failed { error, cause } => Err(format!("{error}: {cause}")),
            TaskOutcome::TimedOut | TaskOutcome::HeartbeatTimedOut => {
                Err("the S3 call timed out".into())
            }
            TaskOutcome::Submitted(_) | TaskOutcome::Started { .. } => {
                Err("the S3 call did not answer with a result".into())
            }
        }
    }
}
