//! Standard executions: durable, exactly-once, resumable.
//!
//! A Standard execution runs on its worker thread as one task. Its [`StandardDriver`] is both
//! the interpreter's driver and its journal:
//! - every event goes to a pending list, and the pending list is committed to the store before
//!   the execution acts on the world: before a task is dispatched, before it waits, and with
//!   its ending (group commit makes one fsync serve many executions);
//! - when every strand of the execution is waiting for longer than `park_after`, the execution
//!   is *parked*: its task ends, its wake-up time goes to the store and the worker's timer
//!   heap, and it costs nothing until then;
//! - an execution that is resumed (after parking, or after the process died) runs again from
//!   its start with its stored events as the journal: the events already recorded are taken
//!   as done, so no state is entered twice and the history has no gap.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use switchback_engine::ExecutionStatus;

use jiff::Timestamp;
use switchback_engine::context::ExecutionInfo;
use switchback_engine::driver::DriverFuture;
use switchback_engine::interpreter::Interpreter;
use switchback_engine::mock::Mocks;
use switchback_engine::task::{TaskOutcome, TaskRequest};
use switchback_engine::{
    ChildRun, ChildStop, Driver, Event, EventKind, Journal, MapChild, MapRunConfig, MapRunProgress,
    Place, Recorded,
};
use switchback_json::Json;
use switchback_store::executions::{self, Ending, EventRow, ExecutionRecord};
use switchback_store::{task_tokens, Db, Store, StoreError, Tx};
use tokio::sync::{oneshot, Notify};

use crate::events;
use crate::hub::Hub;
use crate::journal;
use crate::map_children::{self, ChildWrite, ExpressSucceeded, StoredChildren};
use crate::mocks;
use crate::tasks;
use crate::worker::WorkerContext;
use crate::{RuntimeError, Started};

/// A request to stop a running execution (`StopExecution`).
pub struct Abort {
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Answered with the stop date (microseconds) once the execution is closed.
    pub reply: oneshot::Sender<Result<i64, StoreError>>,
}

/// The driver and journal of one Standard execution.
pub struct StandardDriver {
    store: Store,
    execution: i64,
    /// Events of the earlier runs, by place (looked up for every event; the places are the
    /// engine's own, so a fast hasher is safe).
    recorded: HashMap<Place, Recorded, foldhash::fast::RandomState>,
    /// New events not yet committed.
    pending: RefCell<Vec<EventRow>>,
    /// What the map runs' Standard children recorded, committed with `pending`.
    child_writes: RefCell<Vec<ChildWrite>>,
    /// The map runs' children an earlier run left (see `map_children`).
    stored_children: StoredChildren,
    /// Set while a checkpoint commits the children's writes (see `Driver::checkpoint`).
    checkpointing: Cell<bool>,
    /// Writes the events' payloads, each large value once (see `events::PayloadWriter`).
    payloads: RefCell<events::PayloadWriter>,
    /// Serialises this execution's commits, so they reach the store in order.
    flush_lock: tokio::sync::Mutex<()>,
    /// Commits and tasks under way: while any is, the execution cannot be parked.
    busy: Cell<usize>,
    /// Deadlines of the timers the execution waits on (by timer id).
    sleeps: RefCell<HashMap<u64, Timestamp>>,
    next_sleep: Cell<u64>,
    /// Wakes the run loop to consider parking.
    idle: tokio::sync::Notify,
    /// Set when a commit failed: the execution must stop here and be resumed later.
    broken: Cell<bool>,
    /// Shared services: integrations, mocks, wakes, child starts.
    pub(crate) hub: Arc<Hub>,
    /// Signalled when an answer for one of the execution's waiting tasks is in the store.
    pub(crate) woken: Rc<Notify>,
    /// The execution's mocked responses (a `#TestCase` start with `--mock-config`).
    pub(crate) mocks: Option<Mocks>,
    /// Task tokens whose wait was given up (the task timed out): closed with the next commit,
    /// so a late `SendTaskSuccess` is told the task timed out.
    pub(crate) closing: RefCell<Vec<String>>,
    /// Set when the run is dropped to leave memory (parking, stopping, shutting down): the
    /// waits it drops are not given up, they are resumed later.
    pub(crate) leaving: Cell<bool>,
    /// The execution's count of wakes when this run loaded it: parking holds only if no
    /// answer came since (see `executions::park`).
    wakes_seen: i64,
    /// The execution's random seed, stored with it: every run and replay draws the same
    /// numbers (`$random`, task tokens, jitter) from it.
    seed: u64,
    /// A new execution that is not in the store yet: its first commit writes it.
    unborn: RefCell<Option<Box<Unborn>>>,
    /// Set when the first commit did not write the execution (a duplicate start, a failed
    /// commit): the run ends quietly, there is nothing in the store to resume.
    stillborn: Rc<Cell<bool>>,
}

impl StandardDriver {
    fn new(
        store: Store,
        execution: i64,
        recorded: &[EventRow],
        hub: Arc<Hub>,
        mocks: Option<Mocks>,
        wakes_seen: i64,
        seed: u64,
    ) -> StandardDriver {
        StandardDriver {
            wakes_seen,
            seed,
            store,
            execution,
            hub,
            woken: Rc::new(Notify::new()),
            mocks,
            closing: RefCell::new(Vec::new()),
            leaving: Cell::new(false),
            recorded: recorded.iter().map(events::to_recorded).collect(),
            pending: RefCell::new(Vec::new()),
            child_writes: RefCell::new(Vec::new()),
            stored_children: StoredChildren::default(),
            checkpointing: Cell::new(false),
            payloads: RefCell::default(),
            flush_lock: tokio::sync::Mutex::new(()),
            busy: Cell::new(0),
            sleeps: RefCell::new(HashMap::new()),
            next_sleep: Cell::new(0),
            idle: tokio::sync::Notify::new(),
            broken: Cell::new(false),
            unborn: RefCell::new(None),
            stillborn: Rc::new(Cell::new(false)),
        }
    }

    /// Commits the pending events. A failed commit marks the execution broken and never
    /// returns: the execution must not act on events that are not durable.
    async fn flush(&self) {
        if !self.try_flush().await {
            std::future::pending::<()>().await;
        }
    }

    /// The execution's id in the store.
    pub(crate) fn execution_id(&self) -> i64 {
        self.execution
    }

    /// The store the execution is journaled to.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Marks the execution broken (a commit failed) and never returns: it must not act on
    /// what is not durable, and is resumed from the store later.
    pub(crate) async fn give_up(&self, what: &str, error: &StoreError) -> ! {
        log_commit_failure(self.execution, error, what);
        self.broken.set(true);
        self.idle.notify_one();
        std::future::pending::<()>().await;
        unreachable!("a pending future never completes")
    }

    /// Counts work under way (a task being called) for as long as the guard lives: the
    /// execution is not parked meanwhile.
    pub(crate) fn busy(&self) -> Busy<'_> {
        Busy::new(&self.busy)
    }

    /// Waits until the execution is woken (an answer for a waiting task) or until `until`,
    /// whichever comes first. The execution may be parked meanwhile, like during a Wait.
    pub(crate) async fn wait_for_answer(
        &self,
        woken: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
        until: Timestamp,
    ) {
        let id = self.next_sleep.get();
        self.next_sleep.set(id + 1);
        self.sleeps.borrow_mut().insert(id, until);
        let _entry = SleepEntry { driver: self, id };
        self.idle.notify_one();
        // Long waits are cut into days, so the timer never overflows; the caller looks again.
        let left = self
            .hub
            .clock
            .real_wait_until(until)
            .unwrap_or_default()
            .min(std::time::Duration::from_secs(24 * 3600));
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep(left) => {}
        }
    }

    /// Commits the pending events; false (and the execution marked broken) if that failed.
    async fn try_flush(&self) -> bool {
        let _busy = Busy::new(&self.busy);
        if self.pending.borrow().is_empty() && self.child_writes.borrow().is_empty() {
            return !self.broken.get();
        }
        let id = self.execution;
        if let Err(e) = self.commit_pending(|_, _| Ok(())).await {
            if !self.stillborn.get() {
                log_commit_failure(id, &e, "could not commit events");
            }
            self.broken.set(true);
            self.idle.notify_one();
            return false;
        }
        true
    }

    /// Commits the pending events, in order with this execution's other commits, together
    /// with `then` (run in the same transaction). Fails if the execution is no longer running.
    pub(crate) async fn commit_pending<R: Send + 'static>(
        &self,
        then: impl FnOnce(&Tx<'_>, i64) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let _busy = Busy::new(&self.busy);
        let _order = self.flush_lock.lock().await;
        let rows = std::mem::take(&mut *self.pending.borrow_mut());
        let children = std::mem::take(&mut *self.child_writes.borrow_mut());
        let closing = std::mem::take(&mut *self.closing.borrow_mut());
        let id = self.execution;
        let unborn = self.unborn.borrow_mut().take();
        if let Some(unborn) = unborn {
            return self
                .commit_birth(*unborn, rows, children, closing, then)
                .await;
        }
        self.store
            .write(move |tx| {
                ensure_running(tx, id)?;
                executions::append_events(tx, id, &rows)?;
                map_children::write(tx, id, children)?;
                for token in &closing {
                    task_tokens::close(tx, token)?;
                }
                then(tx, id)
            })
            .await
    }

    /// The first commit of a new execution: its row, `ExecutionStarted` and `rows` in one
    /// transaction, then the start's answer. A start that finds the execution already there
    /// writes nothing and answers as `StartExecution` does: the running one again when the
    /// input is the same, `ExecutionAlreadyExists` otherwise.
    async fn commit_birth<R: Send + 'static>(
        &self,
        unborn: Unborn,
        rows: Vec<EventRow>,
        children: Vec<ChildWrite>,
        closing: Vec<String>,
        then: impl FnOnce(&Tx<'_>, i64) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let Unborn {
            record,
            started,
            birth,
        } = unborn;
        let Birth {
            parent_id,
            mock_test_case,
            sent_input,
            reply,
        } = birth;
        let answer = Started {
            execution_arn: record.arn.clone(),
            start_date: record.start_date,
        };
        // `ExecutionStarted` and what followed it go in as one run (one row).
        let mut events = started;
        events.extend(rows);
        let written = self.store.write_now(move |tx| {
            if let Some(existing) = executions::get_by_arn(tx, &record.arn)? {
                // The existing input reads back whole; this one may be kept split.
                let input = sent_input.as_deref().unwrap_or(&record.input);
                if existing.status == ExecutionStatus::Running && existing.input == input {
                    return Ok(Err(Ok(Started {
                        execution_arn: existing.arn,
                        start_date: existing.start_date,
                    })));
                }
                return Ok(Err(Err(RuntimeError::ExecutionAlreadyExists(record.arn))));
            }
            let id = executions::insert(tx, &record)?;
            if let Some(parent) = parent_id {
                executions::set_parent(tx, id, parent)?;
            }
            if let Some(case) = &mock_test_case {
                executions::set_mock_test_case(tx, id, case)?;
            }
            executions::append_events(tx, id, &events)?;
            map_children::write(tx, id, children)?;
            for token in &closing {
                task_tokens::close(tx, token)?;
            }
            then(tx, id).map(Ok)
        });
        // The start is answered by a task of its own: the step that commits may be dropped
        // (a branch cancelled while it waited), and the start must be answered all the same.
        let stillborn = self.stillborn.clone();
        let answered = tokio::task::spawn_local(async move {
            let (answer, outcome) = match written.await {
                Ok(Ok(r)) => (Ok(answer), Ok(r)),
                Ok(Err(existing)) => (existing, Err(StoreError::Conflict(NOT_STARTED.into()))),
                Err(e) => (
                    Err(RuntimeError::Store(e)),
                    Err(StoreError::Conflict(NOT_STARTED.into())),
                ),
            };
            if outcome.is_err() {
                stillborn.set(true);
            }
            let _ = reply.send(answer);
            outcome
        });
        answered
            .await
            .unwrap_or_else(|_| Err(StoreError::Conflict(NOT_STARTED.into())))
    }

    /// Whether the execution may leave memory now, and until when.
    fn parkable_until(&self, park_after: std::time::Duration) -> Option<Timestamp> {
        if self.busy.get() > 0 || self.broken.get() {
            return None;
        }
        let wake = self.sleeps.borrow().values().min().copied()?;
        let horizon = self.hub.clock.now() + park_after;
        (wake > horizon).then_some(wake)
    }
}

/// Logs why an execution stopped short: it is resumed from the store a moment later. A full
/// disk is logged once by the store, so each execution says so at debug level only (every
/// waiting execution would otherwise log a warning every second until space returns).
fn log_commit_failure(execution: i64, error: &StoreError, what: &str) {
    if error.is_full() {
        tracing::debug!(execution, error = %error, "{what}; the execution stops here");
    } else {
        tracing::warn!(execution, error = %error, "{what}; the execution stops here");
    }
}

/// Fails the job when the execution is no longer running (it was stopped meanwhile).
fn ensure_running(conn: &Db<'_>, id: i64) -> Result<(), StoreError> {
    match executions::status(conn, id)? {
        Some(ExecutionStatus::Running) => Ok(()),
        Some(other) => Err(StoreError::Conflict(format!("the execution is {other}"))),
        None => Err(StoreError::NotFound),
    }
}

/// Counts a piece of work under way for as long as it lives.
pub(crate) struct Busy<'a>(&'a Cell<usize>);

impl<'a> Busy<'a> {
    fn new(count: &'a Cell<usize>) -> Busy<'a> {
        count.set(count.get() + 1);
        Busy(count)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// A timer the execution waits on, registered for as long as it lives.
struct SleepEntry<'a> {
    driver: &'a StandardDriver,
    id: u64,
}

impl Drop for SleepEntry<'_> {
    fn drop(&mut self) {
        self.driver.sleeps.borrow_mut().remove(&self.id);
    }
}

impl Driver for StandardDriver {
    fn now(&self) -> Timestamp {
        self.hub.clock.now()
    }

    fn sleep_until(&self, deadline: Timestamp) -> DriverFuture<'_, ()> {
        Box::pin(async move {
            if deadline <= self.hub.clock.now() {
                return;
            }
            // What happened before the wait is made durable (and visible) first.
            self.flush().await;
            let id = self.next_sleep.get();
            self.next_sleep.set(id + 1);
            self.sleeps.borrow_mut().insert(id, deadline);
            let _entry = SleepEntry { driver: self, id };
            self.idle.notify_one();
            if let Some(left) = self.hub.clock.real_wait_until(deadline) {
                tokio::time::sleep(left).await;
            }
        })
    }

    fn random_u64(&self) -> u64 {
        // The interpreter seeds its lanes from this once; the execution's stored seed makes a
        // resumed run draw what its first run drew.
        self.seed
    }

    fn invoke(&self, request: TaskRequest) -> DriverFuture<'_, TaskOutcome> {
        Box::pin(async move {
            // TaskScheduled is durable before the task is dispatched. A task that registers a
            // waiting row (a task token, an activity) commits its scheduling together with the
            // row instead, so a token seen in the history can always be answered.
            if !tasks::registers_row(&request) {
                self.flush().await;
            }
            tasks::run(self, request).await
        })
    }

    fn checkpoint(&self) -> DriverFuture<'_, ()> {
        Box::pin(async move {
            // One checkpoint commit at a time: the children that end meanwhile go on (their
            // writes wait for the next one), rather than each queueing a commit of its own.
            if self.child_writes.borrow().len() >= CHILD_WRITES_PER_COMMIT
                && !self.checkpointing.replace(true)
            {
                self.flush().await;
                self.checkpointing.set(false);
            }
        })
    }
}

/// The most map runs of one execution whose limits a resumed run takes from the store.
const MAP_RUNS_RESUMED: usize = 10_000;

/// Puts the stored limits of `runs` where their map runs read them
/// (`Journal::map_run_limits`), so a resumed run keeps what `UpdateMapRun` set before a
/// restart.
fn remember_map_run_limits(hub: &Hub, runs: &[executions::MapRunRecord]) {
    let mut limits = hub.map_run_limits.lock().unwrap_or_else(|e| e.into_inner());
    for run in runs {
        limits.insert(
            run.arn.clone(),
            MapRunConfig {
                max_concurrency: run.max_concurrency.max(0) as u64,
                tolerated_failure_count: run.tolerated_failure_count.max(0) as u64,
                tolerated_failure_percentage: run.tolerated_failure_percentage,
            },
        );
    }
}

/// How many of the map runs' children's writes may wait for the next commit before a child
/// that ends commits them (see `Driver::checkpoint`): enough for large group commits, few
/// enough that a map run's memory stays flat.
const CHILD_WRITES_PER_COMMIT: usize = 4096;

impl Journal for StandardDriver {
    fn recorded(&self, place: Place) -> Option<Recorded> {
        self.recorded.get(&place).cloned()
    }

    fn map_run_progress(&self, progress: &MapRunProgress<'_>) {
        self.child_writes
            .borrow_mut()
            .push(map_children::progress(progress));
    }

    fn map_run_limits(&self, map_run_arn: &str) -> Option<MapRunConfig> {
        self.hub
            .map_run_limits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(map_run_arn)
            .copied()
    }

    fn watch_map_run(&self, map_run_arn: &str, wake: std::sync::Weak<tokio::sync::Notify>) {
        self.hub
            .map_run_watchers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(map_run_arn.to_string(), wake);
    }

    fn map_run_redrive(&self, map_run_arn: &str) -> Option<u64> {
        self.stored_children.map_run_redrive(map_run_arn)
    }

    fn express_succeeded(&self, map_run_arn: &str, index: usize) -> Option<Option<Json>> {
        self.stored_children.express_succeeded(map_run_arn, index)
    }

    fn record_express_succeeded(&self, map_run_arn: &str, succeeded: Vec<(usize, Option<Json>)>) {
        let rows = succeeded
            .into_iter()
            .map(|(i, output)| (i as u64, output.map(|o| o.to_serde().to_string())))
            .collect();
        self.child_writes
            .borrow_mut()
            .push(ChildWrite::ExpressSucceeded(Box::new(ExpressSucceeded {
                map_run_arn: map_run_arn.to_string(),
                succeeded: rows,
            })));
    }

    fn take_child_stop(&self, child_arn: &str) -> Option<ChildStop> {
        let mut stops = self
            .hub
            .child_stops
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if stops.is_empty() {
            return None;
        }
        stops.remove(child_arn)
    }

    fn watch_child_stops(&self, map_run_arn: &str, wake: std::sync::Weak<tokio::sync::Notify>) {
        let mut watchers = self
            .hub
            .child_stop_watchers
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        watchers.retain(|_, w| w.strong_count() > 0);
        watchers.insert(map_run_arn.to_string(), wake);
    }

    fn map_child(&self, child: &MapChild<'_>) -> Option<ChildRun<'_>> {
        let now = events::micros(self.hub.clock.now());
        Some(
            self.stored_children
                .child(child, &self.child_writes, now, || {
                    self.store.new_execution_id()
                }),
        )
    }

    fn append(&self, event: &Event, place: Place) {
        let row = events::to_row(event, place, &mut self.payloads.borrow_mut());
        self.pending.borrow_mut().push(row);
    }
}

/// How a run of an execution stopped.
enum Stopped {
    /// It ended (succeeded, failed, timed out) and its ending is committed.
    Ended,
    /// It waits in the store until `wake_at`.
    Parked(Timestamp),
    /// It was about to park, but an answer came since it was loaded: it loads again now.
    Woken,
    /// `StopExecution` closed it.
    Aborted,
    /// It could not go on (a commit failed); it is resumed from the store later.
    Broken,
}

/// What `StartExecution` already made of a new execution, handed to its first run: the input
/// as a value (not parsed again), and the writer that split it for `ExecutionStarted` (so the
/// input's large parts, which the first states carry on, are not written and hashed again).
pub struct Fresh {
    /// The execution's input.
    pub input: Json,
    /// Its definition, parsed (the start checked that it loads).
    pub machine: Arc<switchback_asl::StateMachine>,
    /// The payload writer of `ExecutionStarted`.
    pub payloads: events::PayloadWriter,
    /// How its start is stored and answered.
    pub birth: Birth,
}

/// How a new execution's start is stored and answered: with its first commit (see
/// [`StandardDriver::commit_birth`]).
pub struct Birth {
    /// The execution that started this one, when it is linked to it (nested executions).
    pub parent_id: Option<i64>,
    /// The mock test case it runs with, if any.
    pub mock_test_case: Option<String>,
    /// The input whole, when the row keeps it split: what an existing execution of the same
    /// name is compared with.
    pub sent_input: Option<String>,
    /// Answered once the start is durable, or could not be made so.
    pub reply: oneshot::Sender<Result<Started, RuntimeError>>,
}

/// A new execution waiting for its first commit.
struct Unborn {
    record: ExecutionRecord,
    /// `ExecutionStarted`'s row.
    started: Vec<EventRow>,
    birth: Birth,
}

/// What the run of a start that did not go into the store is told.
const NOT_STARTED: &str = "the execution was not started";

/// Runs (or resumes) one Standard execution until it ends, parks, or is stopped. `fresh` is
/// given for a new execution's first run.
pub async fn run(
    ctx: Rc<WorkerContext>,
    record: ExecutionRecord,
    recorded: Vec<EventRow>,
    abort: oneshot::Receiver<Abort>,
    fresh: Option<Box<Fresh>>,
) {
    let id = record.id;
    let mut abort = abort;
    let stopped = run_inner(&ctx, record, recorded, &mut abort, fresh).await;
    ctx.running.borrow_mut().remove(&id);
    ctx.wakers.borrow_mut().remove(&id);
    // A stop that arrived while the run was parking or ending is answered here: the
    // execution is out of memory now, so it is closed in the store.
    if let Ok(request) = abort.try_recv() {
        let result = close_aborted(
            &ctx.store,
            &ctx.hub,
            id,
            (Vec::new(), Vec::new()),
            None,
            request.error,
            request.cause,
        )
        .await;
        let _ = request.reply.send(result);
        return;
    }
    // Woken or resumed while it was leaving memory (an answer is in the store, or a
    // `RedriveExecution` opened it again just as it ended): it looks at the store again now.
    let look_again = ctx.late_wakes.borrow_mut().remove(&id);
    match stopped {
        Stopped::Broken => ctx.retry_later(id),
        Stopped::Woken => ctx.hub.send(id, crate::worker::Command::Resume(id)),
        _ if look_again => ctx.hub.send(id, crate::worker::Command::Resume(id)),
        Stopped::Parked(wake_at) => ctx.park(id, wake_at),
        Stopped::Ended | Stopped::Aborted => {}
    }
}

async fn run_inner(
    ctx: &WorkerContext,
    record: ExecutionRecord,
    recorded: Vec<EventRow>,
    abort: &mut oneshot::Receiver<Abort>,
    fresh: Option<Box<Fresh>>,
) -> Stopped {
    let loaded = match &fresh {
        Some(fresh) => Ok(fresh.machine.clone()),
        None => ctx.machines.get(&record.definition),
    };
    let machine = match loaded {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(execution = %record.arn, error = %e, "cannot run the execution's definition");
            if let Some(fresh) = fresh {
                // Not in the store yet: the start fails instead.
                let error = RuntimeError::InvalidDefinition(e.to_string());
                let _ = fresh.birth.reply.send(Err(error));
                return Stopped::Aborted;
            }
            return fail_unrunnable(ctx, &record, &recorded, &e.to_string()).await;
        }
    };
    let (input, payloads, birth) = match fresh {
        Some(fresh) => {
            let Fresh {
                input,
                payloads,
                birth,
                ..
            } = *fresh;
            (input, payloads, Some(birth))
        }
        None => (
            Json::parse(&record.input).unwrap_or_default(),
            events::PayloadWriter::default(),
            None,
        ),
    };
    let info = ExecutionInfo {
        execution_arn: record.arn.clone(),
        name: record.name.clone(),
        state_machine_arn: record.state_machine_arn.clone(),
        state_machine_name: machine_name(&record.state_machine_arn),
        role_arn: record.role_arn.as_str().into(),
        start_time: events::timestamp(record.start_date),
        input,
        region: ctx.config.identity.region.as_str().into(),
        redrive_count: Some(record.redrive_count as u32),
        given: None,
    };
    let last_recorded = recorded.iter().map(|e| e.id).max().unwrap_or(0) as u64;
    let replayable = journal::replayable(&recorded);
    let mocks = match &birth {
        Some(birth) => mocks::for_new(ctx, &record, birth.mock_test_case.as_deref()),
        None => mocks::for_execution(ctx, &record, &replayable).await,
    };
    let (id, seed) = (record.id, record.seed as u64);
    // A run that picks up where an earlier one stopped finds its map runs' children again.
    let stored_children = match &birth {
        None if record.definition.contains("DISTRIBUTED") => {
            let arn = record.arn.clone();
            let read = ctx
                .store
                .read(move |c| {
                    let runs = executions::list_map_runs(c, &arn, None, MAP_RUNS_RESUMED)?;
                    let express = switchback_store::map_run_express::of_execution(c, &arn)?;
                    Ok((executions::map_children(c, id)?, runs, express))
                })
                .await;
            match read {
                Ok((children, runs, express)) => {
                    // Their limits as last stored (UpdateMapRun's, if it changed them).
                    remember_map_run_limits(&ctx.hub, &runs);
                    StoredChildren::new(children, record.redrive_count)
                        .with_map_runs(runs.into_iter().map(|r| r.arn), express)
                }
                Err(e) => {
                    log_commit_failure(id, &e, "could not read the map runs' children");
                    return Stopped::Broken;
                }
            }
        }
        _ => StoredChildren::default(),
    };
    let mut driver = StandardDriver::new(
        ctx.store.clone(),
        id,
        &replayable,
        ctx.hub.clone(),
        mocks,
        record.wakes,
        seed,
    );
    *driver.payloads.borrow_mut() = payloads;
    driver.stored_children = stored_children;
    drop(replayable);
    if let Some(birth) = birth {
        *driver.unborn.borrow_mut() = Some(Box::new(Unborn {
            record,
            started: recorded,
            birth,
        }));
    } else {
        drop(recorded);
    }
    // From here on, an answer for a waiting task reaches this run (it reads the store after).
    ctx.late_wakes.borrow_mut().remove(&id);
    ctx.wakers.borrow_mut().insert(id, driver.woken.clone());
    let interpreter = Interpreter::new(&machine, &driver, info, ctx.config.limits)
        .with_seed(seed)
        .with_journal(&driver, last_recorded);
    let stopped = async {
        // Boxed so that it can be dropped before stopping: a suspended run may hold the
        // commit lock, and its queued commits land before anything written after it.
        let mut execution = Box::pin(interpreter.run());
        loop {
            tokio::select! {
                biased;
                () = &mut execution => break,
                request = &mut *abort => {
                    driver.leaving.set(true);
                    drop(execution);
                    return match request {
                        Ok(request) => abort_running(&driver, &interpreter, last_recorded, request).await,
                        // The worker is shutting down: keep what is done, and the store
                        // resumes the rest on the next start.
                        Err(_) => {
                            driver.try_flush().await;
                            Stopped::Broken
                        }
                    };
                }
                () = driver.idle.notified() => {
                    if driver.broken.get() {
                        driver.leaving.set(true);
                        drop(execution);
                        return Stopped::Broken;
                    }
                    if let Some(wake_at) = driver.parkable_until(ctx.config.park_after) {
                        driver.leaving.set(true);
                        drop(execution);
                        return park(&driver, wake_at).await;
                    }
                }
            }
        }
        drop(execution);
        finish(&driver, &interpreter).await
    }
    .await;
    if driver.stillborn.get() {
        // Never in the store (its start was answered with why): nothing to resume.
        return Stopped::Aborted;
    }
    stopped
}

/// Commits the rest of the history with the execution's ending.
async fn finish(driver: &StandardDriver, interpreter: &Interpreter<'_>) -> Stopped {
    let ending = interpreter
        .history
        .borrow()
        .events()
        .last()
        .and_then(|last| events::ending(last, Some(&driver.payloads.borrow())));
    let Some(ending) = ending else {
        // The ending was recorded by an earlier run, so this run has nothing left to say.
        return Stopped::Ended;
    };
    let id = driver.execution;
    // A new execution that ends in its first commit is inserted closed: one row write, not
    // an insert and then an update.
    let ending = match driver.unborn.borrow_mut().as_mut() {
        Some(unborn) => {
            unborn.record.end(ending);
            None
        }
        None => Some(ending),
    };
    let result = driver
        .commit_pending(move |tx, id| {
            if let Some(ending) = &ending {
                executions::finish(tx, id, ending)?;
            }
            executions::complete_machine_deletion(tx, id)?;
            closed(tx, id)
        })
        .await;
    match result {
        Ok(parents) => {
            wake_parents(&driver.hub, &parents);
            Stopped::Ended
        }
        Err(StoreError::Conflict(_)) | Err(StoreError::NotFound) => Stopped::Aborted,
        Err(e) => {
            log_commit_failure(id, &e, "could not commit the execution's ending");
            Stopped::Broken
        }
    }
}

/// Commits what is pending with the wake-up time, so the execution can leave memory.
async fn park(driver: &StandardDriver, wake_at: Timestamp) -> Stopped {
    let wake = events::micros(wake_at);
    let seen = driver.wakes_seen;
    let result = driver
        .commit_pending(move |tx, id| executions::park(tx, id, wake, seen))
        .await;
    match result {
        Ok(true) => Stopped::Parked(wake_at),
        Ok(false) => Stopped::Woken,
        Err(StoreError::Conflict(_)) | Err(StoreError::NotFound) => Stopped::Aborted,
        Err(_) => Stopped::Broken,
    }
}

/// Stops a running execution: what it recorded so far, then `ExecutionAborted`.
async fn abort_running(
    driver: &StandardDriver,
    interpreter: &Interpreter<'_>,
    last_recorded: u64,
    request: Abort,
) -> Stopped {
    let _order = driver.flush_lock.lock().await;
    let rows = std::mem::take(&mut *driver.pending.borrow_mut());
    let children = std::mem::take(&mut *driver.child_writes.borrow_mut());
    let last = interpreter.history.borrow().last_id().max(last_recorded);
    let result = close_aborted(
        &driver.store,
        &driver.hub,
        driver.execution,
        (rows, children),
        Some(last),
        request.error,
        request.cause,
    )
    .await;
    // A stop that could not be recorded (the disk is full, say) did not happen: the run,
    // dropped above, is resumed from the store like any broken one. Otherwise nothing would
    // run the execution again until a restart.
    let stopped = match &result {
        Err(e) if !matches!(e, StoreError::Conflict(_) | StoreError::NotFound) => Stopped::Broken,
        _ => Stopped::Aborted,
    };
    let _ = request.reply.send(result);
    stopped
}

/// Appends `ExecutionAborted` after `rows` (or after the stored events, when `last` is not
/// known) and closes the execution; the map runs' children's pending writes go in first
/// (the children still running are stopped after, with their parent). Returns the stop date.
pub async fn close_aborted(
    store: &Store,
    hub: &Hub,
    id: i64,
    (rows, children): (Vec<EventRow>, Vec<ChildWrite>),
    last: Option<u64>,
    error: Option<String>,
    cause: Option<String>,
) -> Result<i64, StoreError> {
    let now = hub.clock.now();
    store
        .write(move |tx| {
            ensure_running(tx, id)?;
            executions::append_events(tx, id, &rows)?;
            map_children::write(tx, id, children)?;
            let last = match last {
                Some(l) => l,
                None => executions::last_event_id(tx, id)? as u64,
            };
            let event = Event {
                id: last + 1,
                previous_event_id: last,
                timestamp: now,
                kind: EventKind::ExecutionAborted {
                    error: error.clone(),
                    cause: cause.clone(),
                },
            };
            let row = events::to_row(
                &event,
                Place {
                    lane: 0,
                    ordinal: u32::MAX,
                },
                &mut events::PayloadWriter::default(),
            );
            executions::append_events(tx, id, &[row])?;
            let ending = Ending {
                status: ExecutionStatus::Aborted,
                output: None,
                error,
                cause,
                stop_date: events::micros(now),
            };
            executions::finish(tx, id, &ending)?;
            map_children::abort_all(tx, id, now)?;
            executions::complete_machine_deletion(tx, id)?;
            Ok((ending.stop_date, closed(tx, id)?))
        })
        .await
        .map(|(stop_date, parents)| {
            wake_parents(hub, &parents);
            stop_date
        })
}

/// Closes what an ended execution still waited for, and the `.sync` tasks of the parents
/// that waited for it; returns those parents.
fn closed(tx: &Tx<'_>, id: i64) -> Result<Vec<i64>, StoreError> {
    task_tokens::close_all(tx, id)?;
    task_tokens::child_ended(tx, id)
}

/// Wakes the parents whose `.sync` task waited for an execution that ended.
fn wake_parents(hub: &Hub, parents: &[i64]) {
    for parent in parents {
        hub.wake(*parent);
    }
}

/// An execution whose stored definition no longer loads fails with `States.Runtime`.
async fn fail_unrunnable(
    ctx: &WorkerContext,
    record: &ExecutionRecord,
    recorded: &[EventRow],
    cause: &str,
) -> Stopped {
    let last = recorded.iter().map(|e| e.id).max().unwrap_or(0) as u64;
    let now = ctx.hub.clock.now();
    let event = Event {
        id: last + 1,
        previous_event_id: last,
        timestamp: now,
        kind: EventKind::ExecutionFailed {
            error: Some("States.Runtime".into()),
            cause: Some(cause.into()),
        },
    };
    let row = events::to_row(
        &event,
        Place {
            lane: 0,
            ordinal: u32::MAX,
        },
        &mut events::PayloadWriter::default(),
    );
    let ending = events::ending(&event, None);
    let id = record.id;
    let result = ctx
        .store
        .write(move |tx| {
            ensure_running(tx, id)?;
            executions::append_events(tx, id, &[row])?;
            if let Some(ending) = &ending {
                executions::finish(tx, id, ending)?;
            }
            closed(tx, id)
        })
        .await;
    match result {
        Ok(parents) => {
            wake_parents(&ctx.hub, &parents);
            Stopped::Ended
        }
        Err(_) => Stopped::Broken,
    }
}

/// The name in a state machine ARN (`arn:aws:states:R:A:stateMachine:NAME`).
pub fn machine_name(arn: &str) -> String {
    match arn.parse::<switchback_types::StateMachineArn>() {
        Ok(parsed) => parsed.name,
        // Not an ARN (never stored so): its last part, as a name.
        Err(_) => arn.rsplit(':').next().unwrap_or(arn).to_string(),
    }
}
