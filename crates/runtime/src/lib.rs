//! Runs executions inside the server: Standard executions journaled to the store, Express
//! executions in memory, timers and recovery.
//!
//! The API asks a [`Runtime`] to start, stop or redrive executions; the runtime spreads them
//! over worker threads ([`worker`]). A Standard execution ([`standard`]) commits its events
//! before it acts, leaves memory while it waits, and is resumed from its journal after a
//! restart. Reads (describe, list, history) go straight to the store and need no runtime.

mod callbacks;
mod config;
mod error;
pub mod events;
mod express;
mod handed_over;
pub mod history;
mod hub;
mod journal;
mod machines;
mod map_children;
mod mocks;
mod nested;
mod retention;
mod seed;
mod standard;
mod tasks;
mod worker;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use switchback_engine::ExecutionStatus;

use jiff::Timestamp;
use switchback_engine::context::ExecutionInfo;
use switchback_engine::{Event, EventKind, Place};
use switchback_store::executions::{self, Ending, ExecutionRecord};
use switchback_store::{Store, StoreError};
use tokio::sync::{mpsc, oneshot};

pub use callbacks::{well_formed as task_token_is_well_formed, ActivityTask};
pub use config::RuntimeConfig;
pub use error::RuntimeError;
pub use hub::{ChildStartRequest, ChildStartResult, ChildStarter, MockConfig, SharedTaskHandler};
pub use nested::STARTED_BY;
pub use tasks::NO_INTEGRATION;
use worker::{Command, Worker};

/// How long after it closed an execution can be redriven (AWS: 14 days).
const REDRIVE_WINDOW_MICROS: i64 = 14 * 24 * 3600 * 1_000_000;

/// The execution service of a running server. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    config: Arc<RuntimeConfig>,
    machines: Arc<machines::Machines>,
    commands: Vec<mpsc::UnboundedSender<Command>>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// Tells the background threads (retention) to end.
    stopping: Arc<std::sync::atomic::AtomicBool>,
    /// Round-robin over the workers for Express executions.
    next_express: AtomicUsize,
    /// Wakes, activity polls, integrations and mocks, shared with the workers.
    hub: Arc<hub::Hub>,
}

/// The services tasks call, beside the runtime's own (activities, callbacks, nested
/// executions).
#[derive(Default, Clone)]
pub struct Services {
    /// Functions, HTTP and the other integrations; `None` fails such tasks with a hint.
    pub tasks: Option<SharedTaskHandler>,
    /// The mock configuration (`--mock-config`).
    pub mocks: Option<Arc<MockConfig>>,
}

/// A handle on a runtime that does not keep it alive (for services the runtime itself holds).
#[derive(Clone)]
pub struct WeakRuntime {
    shared: std::sync::Weak<Shared>,
}

impl WeakRuntime {
    /// The runtime, while it exists.
    pub fn upgrade(&self) -> Option<Runtime> {
        self.shared.upgrade().map(|shared| Runtime { shared })
    }
}

/// What to start: the machine (as the API resolved it) and the execution's name and input.
#[derive(Debug, Clone)]
pub struct StartRequest {
    /// The unqualified state machine ARN.
    pub state_machine_arn: String,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
    pub definition: String,
    pub role_arn: String,
    pub revision_id: Option<String>,
    /// The execution's name (the API generates one when the caller gave none).
    pub name: String,
    /// The input as JSON text (checked by the API).
    pub input: String,
    /// The input parsed, when the caller has parsed it already (the API has, to check it): a
    /// large input is then not parsed a second time. `None`: the runtime parses `input`.
    pub input_value: Option<switchback_json::Json>,
    pub trace_header: Option<String>,
    /// The execution that started this one, when it is linked to it (nested executions).
    pub parent_id: Option<i64>,
    /// The mock test case it runs with (`stateMachineArn#TestCase`), if any.
    pub mock_test_case: Option<String>,
}

/// A started Standard execution.
#[derive(Debug, Clone)]
pub struct Started {
    pub execution_arn: String,
    /// Microseconds since the Unix epoch.
    pub start_date: i64,
}

/// How an Express execution run by `StartSyncExecution` ended.
#[derive(Debug, Clone)]
pub struct SyncOutcome {
    pub execution_arn: String,
    pub start_date: i64,
    pub ending: Ending,
}

impl Runtime {
    /// Starts the workers and resumes every execution the store holds as RUNNING.
    pub fn start(store: Store, config: RuntimeConfig) -> Result<Runtime, RuntimeError> {
        Runtime::start_with(store, config, Services::default())
    }

    /// Starts the runtime with the services its tasks call, and resumes the stored executions.
    pub fn start_with(
        store: Store,
        config: RuntimeConfig,
        services: Services,
    ) -> Result<Runtime, RuntimeError> {
        let runtime = Runtime::start_idle(store, config, services)?;
        runtime.resume_stored()?;
        Ok(runtime)
    }

    /// Starts the workers without resuming the executions the store holds as RUNNING yet.
    ///
    /// A resumed execution may dispatch at once a task that needs what the caller installs
    /// after the runtime exists (the child starter of `states:startExecution`, which needs the
    /// API's state, which needs the runtime). The server installs it, then calls
    /// [`resume_stored`](Runtime::resume_stored); a nested start resumed before would fail.
    pub fn start_idle(
        store: Store,
        config: RuntimeConfig,
        services: Services,
    ) -> Result<Runtime, RuntimeError> {
        let config = Arc::new(config);
        let machines = Arc::new(machines::Machines::default());
        let hub = Arc::new(hub::Hub::new(services.tasks, services.mocks, config.clock));
        let mut commands = Vec::new();
        let mut threads = Vec::new();
        for index in 0..config.workers.max(1) {
            let Worker {
                commands: c,
                thread,
            } = worker::spawn(
                index,
                store.clone(),
                config.clone(),
                machines.clone(),
                hub.clone(),
            )
            .map_err(|e| RuntimeError::Store(StoreError::Corrupt(e.to_string())))?;
            commands.push(c);
            threads.push(thread);
        }
        hub.set_commands(commands.clone());
        let stopping = Arc::new(std::sync::atomic::AtomicBool::new(false));
        threads.push(
            retention::spawn(store.clone(), config.retention, stopping.clone())
                .map_err(|e| RuntimeError::Store(StoreError::Io(e)))?,
        );
        let runtime = Runtime {
            shared: Arc::new(Shared {
                store,
                config,
                machines,
                commands,
                threads: Mutex::new(threads),
                stopping,
                next_express: AtomicUsize::new(0),
                hub,
            }),
        };
        Ok(runtime)
    }

    /// The store the runtime writes to.
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// A handle that does not keep the runtime alive.
    pub fn downgrade(&self) -> WeakRuntime {
        WeakRuntime {
            shared: Arc::downgrade(&self.shared),
        }
    }

    /// Lets `states:startExecution` tasks start executions the way the API does.
    pub fn set_child_starter(&self, starter: Arc<dyn ChildStarter>) {
        self.shared.hub.set_starter(starter);
    }

    fn hub(&self) -> &hub::Hub {
        &self.shared.hub
    }

    /// The mock configuration, if the server has one.
    pub fn mock_config(&self) -> Option<&Arc<MockConfig>> {
        self.shared.hub.mocks.as_ref()
    }

    /// Checks that the mock configuration has test case `case` for the machine named `machine`.
    pub fn check_mock_test_case(&self, machine: &str, case: &str) -> Result<(), String> {
        match self.mock_config() {
            Some(config) => mocks::check_test_case(&config.document, machine, case),
            None => Err(format!(
                "no mock configuration is loaded, so test case '{case}' cannot be used; \
                 start the server with --mock-config FILE (or SFN_MOCK_CONFIG)"
            )),
        }
    }

    /// The runtime's settings.
    pub fn config(&self) -> &RuntimeConfig {
        &self.shared.config
    }

    /// What Task states call (none when the server runs without integrations).
    pub fn tasks(&self) -> Option<SharedTaskHandler> {
        self.shared.hub.tasks.clone()
    }

    /// Resumes the RUNNING executions: parked ones wait for their time, the others go on now.
    /// Resumes every execution the store holds as RUNNING (the parked ones wait for their
    /// time). Called once, by [`start_with`](Runtime::start_with) or after
    /// [`start_idle`](Runtime::start_idle).
    pub fn resume_stored(&self) -> Result<(), RuntimeError> {
        let running = self.shared.store.read_blocking(executions::running)?;
        if !running.is_empty() {
            tracing::info!(executions = running.len(), "resuming running executions");
        }
        let now = self.shared.config.clock.now();
        for (id, wake_at) in running {
            // A parked execution stays in the store until its time; the others go on now.
            match wake_at.map(events::timestamp) {
                Some(at) if at > now => self.send(id, Command::Park(id, at)),
                _ => self.send(id, Command::Resume(id)),
            }
        }
        Ok(())
    }

    fn send(&self, id: i64, command: Command) {
        self.shared.hub.send(id, command);
    }

    /// The ARN of an execution of `state_machine_arn` named `name`.
    pub fn execution_arn(&self, state_machine_arn: &str, name: &str, express: bool) -> String {
        let machine = self
            .shared
            .config
            .identity
            .state_machine_arn(&standard::machine_name(state_machine_arn));
        if express {
            // Express names may repeat, so AWS adds an id of its own.
            let id = switchback_types::ids::uuid_v4(seed::fresh(), seed::fresh());
            machine.express_execution(name, &id).to_string()
        } else {
            machine.execution(name).to_string()
        }
    }

    /// Starts a Standard execution: committed (row and `ExecutionStarted`) before it returns.
    /// The same name with the same input while it runs gives the same execution back.
    ///
    /// The execution runs on its worker before its row is written: its first commit (before
    /// it acts on the world, waits, or ends) writes the row, `ExecutionStarted` and what it
    /// did so far in one transaction, and only then is the start answered. A short execution
    /// is so started and ended with one commit, and is already over when the caller first
    /// asks; nothing it did is seen by anyone before the start is durable.
    pub async fn start_execution(&self, request: StartRequest) -> Result<Started, RuntimeError> {
        // Fail now, not inside the worker, if the definition cannot run.
        let machine = self.shared.machines.get(&request.definition)?;
        let arn = self.execution_arn(&request.state_machine_arn, &request.name, false);
        let now = self.shared.config.clock.now();
        let input = parsed_input(&request);
        let started = Event {
            id: 1,
            previous_event_id: 0,
            timestamp: now,
            kind: EventKind::ExecutionStarted {
                input: input.clone().into(),
                role_arn: request.role_arn.as_str().into(),
            },
        };
        let mut payloads = events::PayloadWriter::default();
        let row = events::to_row(
            &started,
            Place {
                lane: 0,
                ordinal: 0,
            },
            &mut payloads,
        );
        let (stored_input, sent_input) = payloads.stored_input(request.input, &input, &row.chunks);
        let id = self.shared.store.new_execution_id();
        let record = ExecutionRecord {
            id,
            arn,
            state_machine_arn: request.state_machine_arn,
            version_arn: request.version_arn,
            alias_arn: request.alias_arn,
            name: request.name,
            status: ExecutionStatus::Running,
            definition: request.definition,
            role_arn: request.role_arn,
            revision_id: request.revision_id,
            input: stored_input,
            output: None,
            error: None,
            cause: None,
            start_date: events::micros(now),
            stop_date: None,
            redrive_count: 0,
            redrive_date: None,
            seed: seed::fresh() as i64,
            wake_at: None,
            wakes: 0,
            map_run_arn: None,
            trace_header: request.trace_header,
        };
        let (reply, answer) = oneshot::channel();
        let fresh = Box::new(standard::Fresh {
            input,
            machine,
            payloads,
            birth: standard::Birth {
                parent_id: request.parent_id,
                mock_test_case: request.mock_test_case,
                sent_input,
                reply,
            },
        });
        self.send(
            id,
            Command::Start {
                record: Box::new(record),
                events: vec![row],
                fresh,
            },
        );
        // No answer: the worker stopped before the execution's first commit.
        answer.await.unwrap_or(Err(RuntimeError::ShuttingDown))
    }

    fn express_info(&self, request: &StartRequest, arn: String, now: Timestamp) -> ExecutionInfo {
        ExecutionInfo {
            execution_arn: arn,
            name: request.name.clone(),
            state_machine_arn: request.state_machine_arn.clone(),
            state_machine_name: standard::machine_name(&request.state_machine_arn),
            role_arn: request.role_arn.as_str().into(),
            start_time: now,
            input: parsed_input(request),
            region: self.shared.config.identity.region.as_str().into(),
            redrive_count: None,
            given: None,
        }
    }

    fn send_express(&self, command: Command) {
        let n = self.shared.next_express.fetch_add(1, Ordering::Relaxed);
        let workers = &self.shared.commands;
        let _ = workers[n % workers.len()].send(command);
    }

    /// Runs an Express execution to its end (`StartSyncExecution`).
    pub async fn start_sync_execution(
        &self,
        request: StartRequest,
    ) -> Result<SyncOutcome, RuntimeError> {
        let machine = self.shared.machines.get(&request.definition)?;
        let arn = self.execution_arn(&request.state_machine_arn, &request.name, true);
        let now = self.shared.config.clock.now();
        let info = self.express_info(&request, arn.clone(), now);
        let (reply, ending) = oneshot::channel();
        self.send_express(Command::Express {
            machine,
            info: Box::new(info),
            mock_test_case: request.mock_test_case,
            reply: Some(reply),
        });
        let ending = ending.await.map_err(|_| RuntimeError::ShuttingDown)?;
        Ok(SyncOutcome {
            execution_arn: arn,
            start_date: events::micros(now),
            ending,
        })
    }

    /// Starts an Express execution in the background (`StartExecution` on an Express machine).
    pub fn start_express_execution(&self, request: StartRequest) -> Result<Started, RuntimeError> {
        let machine = self.shared.machines.get(&request.definition)?;
        let arn = self.execution_arn(&request.state_machine_arn, &request.name, true);
        let now = self.shared.config.clock.now();
        let info = self.express_info(&request, arn.clone(), now);
        self.send_express(Command::Express {
            machine,
            info: Box::new(info),
            mock_test_case: request.mock_test_case,
            reply: None,
        });
        Ok(Started {
            execution_arn: arn,
            start_date: events::micros(now),
        })
    }

    /// Stops a Standard execution (`StopExecution`): it ends ABORTED with `error` and
    /// `cause`. Returns the stop date; an execution that had already ended keeps its own.
    pub async fn stop_execution(
        &self,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<i64, RuntimeError> {
        let owned = arn.to_string();
        let record = self
            .shared
            .store
            .read(move |c| executions::get_by_arn(c, &owned))
            .await?
            .ok_or_else(|| RuntimeError::ExecutionDoesNotExist(arn.to_string()))?;
        if record.status != ExecutionStatus::Running {
            return Ok(record.stop_date.unwrap_or(record.start_date));
        }
        if let Some(map_run) = record.map_run_arn.clone() {
            return self.stop_map_child(&record, &map_run, error, cause).await;
        }
        let stopped = self.stop_running(&record, arn, error, cause).await;
        self.stop_children(record.id).await;
        handed_over::stop_open_jobs(&self.shared.store, &self.shared.hub, record.id, arn).await;
        stopped
    }

    /// Stops a map run's child: its parent runs it, so the parent is asked to end it ABORTED
    /// (in its journal, like any of its events: stopping it from outside would race the
    /// parent's own writes). Waits for that to be stored, then gives the stop date. A parent
    /// that does not take the request in time (it is not running, e.g. it was stopped itself
    /// meanwhile) has the child closed directly.
    async fn stop_map_child(
        &self,
        record: &ExecutionRecord,
        map_run: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<i64, RuntimeError> {
        let hub = &self.shared.hub;
        let arn = record.arn.clone();
        hub.child_stops
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                arn.clone(),
                switchback_engine::ChildStop {
                    error: error.clone(),
                    cause: cause.clone(),
                },
            );
        let watcher = hub
            .child_stop_watchers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(map_run)
            .and_then(std::sync::Weak::upgrade);
        if let Some(watcher) = watcher {
            watcher.notify_waiters();
        }
        // A parent parked while its children wait resumes, and finds the request.
        let owned = map_run.to_string();
        let parent = self
            .shared
            .store
            .read(move |c| match executions::get_map_run(c, &owned)? {
                Some(run) => executions::id_of(c, &run.execution_arn),
                None => Ok(None),
            })
            .await?;
        if let Some(parent) = parent {
            hub.wake(parent);
        }
        let id = record.id;
        let deadline = std::time::Instant::now() + CHILD_STOP_WAIT;
        loop {
            let now = self
                .shared
                .store
                .read(move |c| executions::get(c, id))
                .await?;
            match now {
                Some(r) if r.status == ExecutionStatus::Running => {}
                Some(r) => {
                    // Ended (stopped, or on its own meanwhile): the request is done with.
                    hub.child_stops
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&arn);
                    return Ok(r.stop_date.unwrap_or(r.start_date));
                }
                None => return Err(RuntimeError::ExecutionDoesNotExist(arn)),
            }
            if std::time::Instant::now() >= deadline {
                hub.child_stops
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&arn);
                tracing::warn!(execution = %arn, "the parent of a stopped map run child did not stop it in time; closing it directly");
                return self.stop_running(record, &arn, error, cause).await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Stops the running children of a stopped execution, and theirs.
    async fn stop_children(&self, parent: i64) {
        let mut parents = vec![parent];
        while let Some(parent) = parents.pop() {
            let children = match self
                .shared
                .store
                .read(move |c| executions::running_children(c, parent))
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(execution = parent, error = %e, "could not list the children of a stopped execution");
                    continue;
                }
            };
            for child in children {
                let found = self
                    .shared
                    .store
                    .read(move |c| executions::get(c, child))
                    .await;
                if let Ok(Some(record)) = found {
                    let arn = record.arn.clone();
                    let _ = self
                        .stop_running(
                            &record,
                            &arn,
                            None,
                            Some("The parent execution was stopped.".into()),
                        )
                        .await;
                    parents.push(child);
                }
            }
        }
    }

    async fn stop_running(
        &self,
        record: &ExecutionRecord,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<i64, RuntimeError> {
        let (reply, answer) = oneshot::channel();
        self.send(
            record.id,
            Command::Stop {
                id: record.id,
                error,
                cause,
                reply,
            },
        );
        match answer.await.map_err(|_| RuntimeError::ShuttingDown)? {
            Ok(date) => Ok(date),
            // It ended on its own meanwhile.
            Err(StoreError::Conflict(_)) => {
                let owned = arn.to_string();
                let record = self
                    .shared
                    .store
                    .read(move |c| executions::get_by_arn(c, &owned))
                    .await?;
                Ok(record
                    .and_then(|r| r.stop_date)
                    .unwrap_or_else(|| events::micros(self.shared.config.clock.now())))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Redrives a closed execution (`RedriveExecution`): it runs again from the states that
    /// did not finish, and its completed states are not repeated. Returns the redrive date.
    pub async fn redrive_execution(&self, arn: &str) -> Result<i64, RuntimeError> {
        let now = events::micros(self.shared.config.clock.now());
        let owned = arn.to_string();
        let id = self
            .shared
            .store
            .write(move |tx| {
                let Some(e) = executions::get_by_arn(tx, &owned)? else {
                    return Ok(Err(RuntimeError::ExecutionDoesNotExist(owned)));
                };
                if !e.status.is_redrivable() {
                    return Ok(Err(RuntimeError::ExecutionNotRedrivable(format!(
                        "Execution is {} and cannot be redriven",
                        e.status
                    ))));
                }
                if e.stop_date.is_some_and(|d| now - d > REDRIVE_WINDOW_MICROS) {
                    return Ok(Err(RuntimeError::ExecutionNotRedrivable(
                        "Execution can no longer be redriven: it closed more than 14 days ago"
                            .into(),
                    )));
                }
                let last = executions::last_event_id(tx, e.id)?;
                executions::redrive(tx, e.id, now)?;
                let row = events::redriven_row(last, now, e.redrive_count as u64 + 1);
                executions::append_events(tx, e.id, &[row])?;
                Ok(Ok(e.id))
            })
            .await??;
        self.send(id, Command::Resume(id));
        Ok(now)
    }

    /// Deletes the closed executions older than the retention now (it also runs hourly).
    pub fn sweep_retention(&self) {
        retention::sweep(&self.shared.store, self.shared.config.retention);
    }

    /// `UpdateMapRun` changed a map run's limits (already stored, with the execution `parent`
    /// it runs in marked woken): the run, under way in this process, takes them at once for
    /// the children that wait for a place, and judges its failures by them. A parent parked
    /// meanwhile is resumed to do so.
    pub fn map_run_updated(
        &self,
        parent: Option<i64>,
        map_run_arn: &str,
        limits: switchback_engine::MapRunConfig,
    ) {
        self.shared
            .hub
            .map_run_limits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(map_run_arn.to_string(), limits);
        let mut watchers = self
            .shared
            .hub
            .map_run_watchers
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        watchers.retain(|_, w| w.strong_count() > 0);
        if let Some(wake) = watchers.get(map_run_arn).and_then(std::sync::Weak::upgrade) {
            wake.notify_waiters();
        }
        drop(watchers);
        if let Some(parent) = parent {
            self.shared.hub.wake(parent);
        }
    }

    /// The server begins to stop: `GetActivityTask` long polls answer now with no task (as
    /// when their wait runs out), so they do not hold up the drain of requests in flight.
    pub fn begin_shutdown(&self) {
        self.shared.hub.begin_closing();
    }

    /// Stops the workers. Running executions keep what they committed and are resumed on the
    /// next start.
    pub fn shutdown(&self) {
        let threads = std::mem::take(
            &mut *self
                .shared
                .threads
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        if threads.is_empty() {
            return;
        }
        self.shared.stopping.store(true, Ordering::Release);
        for c in &self.shared.commands {
            let _ = c.send(Command::Shutdown);
        }
        tracing::info!("stopping the execution workers");
        for t in threads {
            let _ = t.join();
        }
    }
}

/// The request's input as a value: the one the caller parsed, or `input` parsed now.
fn parsed_input(request: &StartRequest) -> switchback_json::Json {
    match &request.input_value {
        Some(value) => value.clone(),
        None => switchback_json::Json::parse(&request.input).unwrap_or_default(),
    }
}

/// How long `StopExecution` of a map run's child waits for its parent to stop it.
const CHILD_STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
