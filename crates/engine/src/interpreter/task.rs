//! The Task state: scheduling a task, dispatching its phases to the driver until it ends
//! (or times out), and the task token of a task that hands one out.

use std::sync::Arc;

use jiff::Timestamp;
use switchback_asl::errors as names;
use switchback_asl::TaskSpec;

use super::task_events::TaskEvents;
use super::{Fault, Frame, Interpreter, StateRun, MAX_WAIT_SECONDS};
use crate::history::EventKind;
use crate::task::{Resource, ResourceKind, TaskOutcome, TaskPhase, TaskRequest};
use switchback_json::Json;

impl Interpreter<'_> {
    pub(super) async fn task(
        &self,
        run: &StateRun<'_>,
        spec: &TaskSpec,
        input: Json,
        attempt: u32,
        task_token: Option<Arc<str>>,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let timeout = match &spec.timeout_seconds {
            Some(src) => Some(self.number(run, src, "TimeoutSeconds", &run.input, frame)? as u64),
            None => None,
        };
        let heartbeat = match &spec.heartbeat_seconds {
            Some(src) => Some(self.number(run, src, "HeartbeatSeconds", &run.input, frame)? as u64),
            None => None,
        };
        let events = TaskEvents::new(&spec.resource);
        let scheduled =
            self.schedule_task(&spec.resource, &events, &input, timeout, heartbeat, frame);
        // `TimeoutSeconds` runs from the scheduling, across every phase of the task.
        let deadline = timeout.map(|seconds| {
            self.lanes.time()
                + jiff::SignedDuration::from_secs(seconds.min(MAX_WAIT_SECONDS as u64) as i64)
        });
        let mut request = TaskRequest {
            state_name: run.state.name.clone(),
            resource: spec.resource.clone(),
            // Integrations speak serde_json: the task's input is copied out once per attempt.
            input: std::sync::Arc::new(input.to_serde()),
            attempt,
            timeout_seconds: timeout,
            heartbeat_seconds: heartbeat,
            idempotency_key: format!("{}:{scheduled}", self.exec.execution_arn).into(),
            task_token,
            phase: if spec.resource.is_activity() {
                TaskPhase::AwaitStart
            } else {
                TaskPhase::Dispatch
            },
            submitted: None,
            body_as: Default::default(),
        };
        loop {
            // A resumed execution whose journal holds this phase's end takes it from there; a
            // phase with no recorded end is asked for again, with the same key.
            let outcome = match self.recorded_next().and_then(|r| r.task_outcome) {
                Some(outcome) => outcome,
                None => self.invoke_until(request.clone(), deadline).await,
            };
            match outcome {
                TaskOutcome::Submitted(response) => {
                    frame
                        .prev
                        .set(self.emit(frame.prev.get(), events.submitted(Json::from(&response))));
                    request.phase = TaskPhase::AwaitResult;
                    request.submitted = Some(std::sync::Arc::new(response));
                }
                TaskOutcome::Started { worker_name } => {
                    frame.prev.set(
                        self.emit(frame.prev.get(), EventKind::ActivityStarted { worker_name }),
                    );
                    request.phase = TaskPhase::AwaitResult;
                }
                TaskOutcome::Succeeded(value) => {
                    let output = Json::from(value);
                    // A result over the payload limit is the task's failure, as in AWS.
                    if output.size_within(self.limits.max_payload_bytes).is_none() {
                        let (error, cause) = (
                            names::DATA_LIMIT_EXCEEDED.to_string(),
                            format!(
                                "The state/task '{}' returned a result with a size exceeding \
                                 the maximum number of bytes service limit.",
                                spec.resource
                            ),
                        );
                        let event = events.failed(error.clone(), cause.clone());
                        frame.prev.set(self.emit(frame.prev.get(), event));
                        return Err(Fault::of_task(error, cause));
                    }
                    frame
                        .prev
                        .set(self.emit(frame.prev.get(), events.succeeded(output.clone())));
                    return Ok(output);
                }
                TaskOutcome::Failed { error, cause } => {
                    let event = events.failed(error.clone(), cause.clone());
                    frame.prev.set(self.emit(frame.prev.get(), event));
                    return Err(Fault::of_task(error, cause));
                }
                TaskOutcome::TimedOut | TaskOutcome::HeartbeatTimedOut => {
                    let error = if outcome == TaskOutcome::TimedOut {
                        names::TIMEOUT
                    } else {
                        names::HEARTBEAT_TIMEOUT
                    };
                    frame
                        .prev
                        .set(self.emit(frame.prev.get(), events.timed_out(error.into())));
                    return Err(Fault::new(error.to_string(), String::new()));
                }
            }
        }
    }

    /// Records that a task is scheduled (and, except for activities, started); returns the
    /// id of the scheduling event, which keys the task's dispatches.
    fn schedule_task(
        &self,
        resource: &Resource,
        events: &TaskEvents,
        input: &Json,
        timeout: Option<u64>,
        heartbeat: Option<u64>,
        frame: &mut Frame,
    ) -> u64 {
        let (scheduled, started) = match events {
            TaskEvents::Lambda { arn } => (
                EventKind::LambdaFunctionScheduled {
                    resource: arn.clone(),
                    input: input.clone().into(),
                    timeout_seconds: timeout,
                },
                Some(EventKind::LambdaFunctionStarted),
            ),
            TaskEvents::Activity { arn } => (
                EventKind::ActivityScheduled {
                    resource: arn.clone(),
                    input: input.clone().into(),
                    timeout_seconds: timeout,
                    heartbeat_seconds: heartbeat,
                },
                None,
            ),
            TaskEvents::Task(task) => {
                // A service integration's own region, else the execution's.
                let region: Arc<str> = match resource.kind() {
                    ResourceKind::Service(s) if !s.region.is_empty() => s.region.clone(),
                    _ => self.exec.region.clone(),
                };
                (
                    EventKind::TaskScheduled {
                        resource: task.clone(),
                        region,
                        parameters: input.clone().into(),
                        timeout_seconds: timeout,
                        heartbeat_seconds: heartbeat,
                    },
                    Some(EventKind::TaskStarted {
                        resource: task.clone(),
                    }),
                )
            }
        };
        let id = self.emit(frame.prev.get(), scheduled);
        frame.prev.set(id);
        if let Some(started) = started {
            frame.prev.set(self.emit(frame.prev.get(), started));
        }
        id
    }

    /// Runs one phase of a task; past the task's deadline it has timed out
    /// (`States.Timeout`), as in AWS.
    async fn invoke_until(&self, request: TaskRequest, deadline: Option<Timestamp>) -> TaskOutcome {
        let invocation = self.driver.invoke(request);
        let Some(deadline) = deadline else {
            return invocation.await;
        };
        match futures::future::select(invocation, self.driver.sleep_until(deadline)).await {
            futures::future::Either::Left((outcome, _)) => outcome,
            futures::future::Either::Right(((), _)) => TaskOutcome::TimedOut,
        }
    }

    /// `$$.Task.Token` for a task that hands out one: the same on every replay (it is drawn
    /// from the lane's random source) and unique to the state entry and attempt.
    pub(super) fn task_token(&self, run: &StateRun<'_>, attempt: u32) -> Arc<str> {
        let (a, b) = (self.random_u64(), self.random_u64());
        format!("{a:016x}{b:016x}{:08x}{attempt:04x}", run.entered).into()
    }
}

/// Whether a task's resource hands out a task token: `.waitForTaskToken` and activities.
pub(super) fn needs_token(resource: &Resource) -> bool {
    resource.hands_out_token()
}
