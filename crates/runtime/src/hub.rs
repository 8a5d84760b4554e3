//! What the workers share: the way to wake an execution on any worker, the activity polls
//! waiting for work, and the services a task may call (integrations, mocks, child starts).
//!
//! An answer to a waiting task (`SendTaskSuccess`, a worker taking an activity task, a child
//! execution's end) is written to the store first; the hub then only *wakes* the execution,
//! which reads the answer from the store. A wake that finds the execution parked resumes it.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use switchback_engine::run::TaskHandler;
use switchback_engine::{ChildStop, Clock, MapRunConfig};
use tokio::sync::{mpsc, Notify};

use crate::worker::Command;
use crate::Started;

/// Runs the tasks that the runtime does not run itself (functions, HTTP, other services).
/// Shared by every worker.
pub type SharedTaskHandler = Arc<dyn TaskHandler + Send + Sync>;

/// A child execution to start from a `states:startExecution` task.
#[derive(Debug, Clone)]
pub struct ChildStartRequest {
    /// As the task gave it: a machine, version or alias ARN.
    pub state_machine_arn: String,
    pub name: String,
    /// JSON text.
    pub input: String,
    /// The parent, when the child is linked to it (stopping the parent stops the child).
    pub parent_id: Option<i64>,
}

/// What a child start answers: the execution, or AWS's error and cause.
pub type ChildStartResult = Result<Started, (String, String)>;

/// Starts executions the way `StartExecution` does (resolving versions and aliases); the API
/// layer provides it, since that is where a start is resolved.
pub trait ChildStarter: Send + Sync {
    fn start(
        &self,
        request: ChildStartRequest,
    ) -> Pin<Box<dyn Future<Output = ChildStartResult> + Send>>;
}

/// Mocked responses for `stateMachineArn#TestCase` starts: AWS's mock configuration file.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The file's JSON.
    pub document: Value,
    /// Where it came from, for messages.
    pub source: String,
}

/// Shared between the runtime and its workers.
#[derive(Default)]
pub struct Hub {
    /// The workers' inboxes, set once they have started.
    commands: OnceLock<Vec<mpsc::UnboundedSender<Command>>>,
    /// `GetActivityTask` polls waiting for work, by activity ARN.
    activity_polls: Mutex<HashMap<String, Arc<Notify>>>,
    /// Map runs' limits as `UpdateMapRun` last set them, by map run ARN: a running map run
    /// reads them as it starts each child and when it ends (see `Journal::map_run_limits`).
    pub map_run_limits: Mutex<HashMap<String, MapRunConfig>>,
    /// The running map runs that wait to be told of an `UpdateMapRun`, by ARN.
    pub map_run_watchers: Mutex<HashMap<String, std::sync::Weak<Notify>>>,
    /// `StopExecution` of map run children not yet taken by their parent, by child ARN (see
    /// `Journal::take_child_stop`).
    pub child_stops: Mutex<HashMap<String, ChildStop>>,
    /// The running map runs that wait to be told of a child's `StopExecution`, by ARN.
    pub child_stop_watchers: Mutex<HashMap<String, std::sync::Weak<Notify>>>,
    /// The integrations; `None` makes every such task fail with a hint.
    pub tasks: Option<SharedTaskHandler>,
    /// The mock configuration of `--mock-config`.
    pub mocks: Option<Arc<MockConfig>>,
    /// Starts child executions (set by the API layer).
    starter: OnceLock<Arc<dyn ChildStarter>>,
    /// The clock every execution reads (the runtime's configured clock).
    pub clock: Clock,
    /// Set when the server begins to stop: long polls answer at once instead of holding up
    /// its drain.
    closing: AtomicBool,
    /// Wakes the long polls when `closing` is set.
    closing_signal: Notify,
}

impl Hub {
    pub fn new(
        tasks: Option<SharedTaskHandler>,
        mocks: Option<Arc<MockConfig>>,
        clock: Clock,
    ) -> Hub {
        Hub {
            tasks,
            mocks,
            clock,
            ..Hub::default()
        }
    }

    pub fn set_commands(&self, commands: Vec<mpsc::UnboundedSender<Command>>) {
        let _ = self.commands.set(commands);
    }

    pub fn set_starter(&self, starter: Arc<dyn ChildStarter>) {
        let _ = self.starter.set(starter);
    }

    pub fn starter(&self) -> Option<&Arc<dyn ChildStarter>> {
        self.starter.get()
    }

    /// Sends a command to the worker that owns execution `id`.
    pub fn send(&self, id: i64, command: Command) {
        let Some(workers) = self.commands.get().filter(|w| !w.is_empty()) else {
            return;
        };
        let index = (id.unsigned_abs() as usize) % workers.len();
        if workers[index].send(command).is_err() {
            tracing::warn!(
                execution = id,
                "the worker has stopped; the execution resumes on the next start"
            );
        }
    }

    /// Wakes execution `id` to look at its waiting tasks again (their answers are in the
    /// store already). A parked execution is resumed.
    pub fn wake(&self, id: i64) {
        self.send(id, Command::Wake(id));
    }

    /// The signal that work arrived for an activity.
    pub fn activity_signal(&self, activity_arn: &str) -> Arc<Notify> {
        let mut polls = self
            .activity_polls
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        polls
            .entry(activity_arn.to_string())
            .or_insert_with(|| Arc::new(Notify::new()))
            .clone()
    }

    /// The server begins to stop: every long poll answers now, and new ones at once.
    pub fn begin_closing(&self) {
        self.closing.store(true, Ordering::Release);
        self.closing_signal.notify_waiters();
    }

    /// Completes once the server begins to stop (at once if it has).
    pub async fn closing(&self) {
        let signal = self.closing_signal.notified();
        tokio::pin!(signal);
        signal.as_mut().enable();
        if self.closing.load(Ordering::Acquire) {
            return;
        }
        signal.await;
    }

    /// Tells the polls of an activity that a task is waiting.
    pub fn activity_scheduled(&self, activity_arn: &str) {
        self.activity_signal(activity_arn).notify_waiters();
    }
}
