//! The jobs a stopped execution had handed over: a `.sync` task of an AWS service whose job
//! was started (`TaskSubmitted`) and had not ended when `StopExecution` came. AWS stops such
//! jobs with the execution (an ECS task, a Batch job, a Glue run, ...); so does Switchback,
//! through the integrations ([`switchback_engine::TaskHandler::stop_job`]).
//!
//! The jobs are read from the history, the one durable record of them: each `TaskSubmitted`
//! that no task end follows, traced back through its `TaskStarted` to its `TaskScheduled`
//! (the resource, region and parameters).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use switchback_engine::task::{Resource, TaskPhase, TaskRequest};
use switchback_engine::{Event, EventKind};
use switchback_store::Store;

use crate::history;
use crate::hub::Hub;

/// Stops the open `.sync` jobs of execution `id` (ARN `arn`).
pub(crate) async fn stop_open_jobs(store: &Store, hub: &Hub, id: i64, arn: &str) {
    let Some(tasks) = &hub.tasks else {
        return;
    };
    let events = match store
        .read(move |c| history::page(c, id, None, usize::MAX, false))
        .await
    {
        Ok(events) => events.into_iter().map(|e| e.event).collect::<Vec<_>>(),
        Err(e) => {
            tracing::warn!(execution = %arn, error = %e, "could not read a stopped execution's history to stop its jobs");
            return;
        }
    };
    for request in open_jobs(&events, arn) {
        if tasks.polls(&request.resource) {
            tasks.stop_job(request).await;
        }
    }
}

/// The tasks of `events` whose job was handed over and not ended, as requests to stop them.
fn open_jobs(events: &[Event], arn: &str) -> Vec<TaskRequest> {
    let by_id: HashMap<u64, &Event> = events.iter().map(|e| (e.id, e)).collect();
    let ended: HashSet<u64> = events
        .iter()
        .filter(|e| e.kind.event_type().ends_task_attempt())
        .map(|e| e.previous_event_id)
        .collect();
    let mut open = Vec::new();
    for submitted in events {
        let EventKind::TaskSubmitted { output, .. } = &submitted.kind else {
            continue;
        };
        if ended.contains(&submitted.id) {
            continue;
        }
        let Some(scheduled) = by_id
            .get(&submitted.previous_event_id)
            .and_then(|started| by_id.get(&started.previous_event_id))
        else {
            continue;
        };
        let EventKind::TaskScheduled {
            resource,
            region,
            parameters,
            ..
        } = &scheduled.kind
        else {
            continue;
        };
        let text = format!(
            "arn:aws:states:{region}::{}:{}",
            resource.resource_type, resource.resource
        );
        open.push(TaskRequest {
            state_name: Arc::from(""),
            resource: Arc::new(Resource::parse(&text)),
            input: Arc::new(parameters.to_value()),
            attempt: 0,
            timeout_seconds: None,
            heartbeat_seconds: None,
            idempotency_key: Arc::from(format!("{arn}:{}", scheduled.id)),
            task_token: None,
            phase: TaskPhase::AwaitResult,
            submitted: Some(Arc::new(output.to_value())),
            body_as: Default::default(),
        });
    }
    open
}
