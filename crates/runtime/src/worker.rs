//! Worker threads: each runs its share of the executions on one thread.
//!
//! The interpreter is single-threaded (its JSONata values are `Rc`, its frames use `Cell`), so
//! every execution lives on one worker, chosen by its id, for as long as it is in memory. A
//! worker owns a timer heap of its parked executions: one entry (24 bytes) per execution
//! waiting in the store, and one timer task for all of them.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;
use switchback_engine::ExecutionStatus;

use jiff::Timestamp;
use switchback_engine::context::ExecutionInfo;
use switchback_store::executions::{self, Ending, EventRow, ExecutionRecord};
use switchback_store::{Store, StoreError};
use tokio::sync::{mpsc, oneshot, Notify, Semaphore};

use crate::config::RuntimeConfig;
use crate::express;
use crate::hub::Hub;
use crate::machines::Machines;
use crate::standard::{self, Abort};

/// What a worker is asked to do.
pub enum Command {
    /// Run a new Standard execution; its row and `ExecutionStarted` go into the store with
    /// its first commit (see `standard::Birth`).
    Start {
        record: Box<ExecutionRecord>,
        events: Vec<EventRow>,
        fresh: Box<standard::Fresh>,
    },
    /// Resume a Standard execution from the store.
    Resume(i64),
    /// An answer for one of the execution's waiting tasks is in the store.
    Wake(i64),
    /// Keep a parked execution until its wake-up time (after a restart).
    Park(i64, Timestamp),
    /// Stop a Standard execution.
    Stop {
        id: i64,
        error: Option<String>,
        cause: Option<String>,
        reply: oneshot::Sender<Result<i64, StoreError>>,
    },
    /// Run an Express execution and report how it ended.
    Express {
        machine: Arc<switchback_asl::StateMachine>,
        info: Box<ExecutionInfo>,
        /// The mock test case it runs with, if any.
        mock_test_case: Option<String>,
        reply: Option<oneshot::Sender<Ending>>,
    },
    /// Stop the worker (executions keep what they committed).
    Shutdown,
}

/// A worker's state, shared by the tasks on its thread.
pub struct WorkerContext {
    pub store: Store,
    pub config: Arc<RuntimeConfig>,
    pub machines: Arc<Machines>,
    /// The Standard executions in memory, with the way to stop each.
    pub running: RefCell<HashMap<i64, oneshot::Sender<Abort>>>,
    pub hub: Arc<Hub>,
    /// The wake signal of each execution in memory that may wait for an answer.
    pub wakers: RefCell<HashMap<i64, Rc<Notify>>>,
    /// Executions woken while they were loading or leaving memory: they must look again.
    pub late_wakes: RefCell<HashSet<i64>>,
    /// Parked executions by wake-up time.
    timers: RefCell<BinaryHeap<Reverse<(Timestamp, i64)>>>,
    timers_changed: Notify,
    /// Bounds how many executions load from the store at once (recovery of many).
    loading: Semaphore,
}

impl WorkerContext {
    /// Keeps a parked execution until `wake_at`.
    pub fn park(&self, id: i64, wake_at: Timestamp) {
        self.timers.borrow_mut().push(Reverse((wake_at, id)));
        self.timers_changed.notify_one();
    }

    /// Tries a broken execution again a little later.
    pub fn retry_later(&self, id: i64) {
        self.park(
            id,
            self.hub.clock.now() + jiff::SignedDuration::from_secs(1),
        );
    }
}

/// A handle on a worker thread.
pub struct Worker {
    pub commands: mpsc::UnboundedSender<Command>,
    pub thread: std::thread::JoinHandle<()>,
}

/// Starts a worker thread.
pub fn spawn(
    index: usize,
    store: Store,
    config: Arc<RuntimeConfig>,
    machines: Arc<Machines>,
    hub: Arc<Hub>,
) -> std::io::Result<Worker> {
    let (commands, inbox) = mpsc::unbounded_channel();
    let thread = std::thread::Builder::new()
        .name(format!("switchback-worker-{index}"))
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "could not start a worker's event loop");
                    return;
                }
            };
            let ctx = Rc::new(WorkerContext {
                store,
                config,
                machines,
                running: RefCell::new(HashMap::new()),
                hub,
                wakers: RefCell::new(HashMap::new()),
                late_wakes: RefCell::new(HashSet::new()),
                timers: RefCell::new(BinaryHeap::new()),
                timers_changed: Notify::new(),
                loading: Semaphore::new(64),
            });
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, serve(ctx, inbox));
        })?;
    Ok(Worker { commands, thread })
}

/// The worker's loop: commands in, tasks out, until the runtime shuts down.
async fn serve(ctx: Rc<WorkerContext>, mut inbox: mpsc::UnboundedReceiver<Command>) {
    let timers = tokio::task::spawn_local(fire_timers(ctx.clone()));
    while let Some(command) = inbox.recv().await {
        match command {
            Command::Start {
                record,
                events,
                fresh,
            } => start(&ctx, *record, events, fresh),
            Command::Resume(id) => resume(&ctx, id),
            Command::Wake(id) => wake(&ctx, id),
            Command::Park(id, wake_at) => ctx.park(id, wake_at),
            Command::Shutdown => break,
            Command::Stop {
                id,
                error,
                cause,
                reply,
            } => stop(&ctx, id, error, cause, reply),
            Command::Express {
                machine,
                info,
                mock_test_case,
                reply,
            } => {
                let limits = ctx.config.limits;
                let hub = ctx.hub.clone();
                let mocks = crate::mocks::for_express(&hub, &info, mock_test_case.as_deref());
                tokio::task::spawn_local(async move {
                    let ending = express::run(machine, *info, limits, hub, mocks).await;
                    if let Some(reply) = reply {
                        let _ = reply.send(ending);
                    }
                });
            }
        }
    }
    // Shutting down: dropping the abort senders tells every execution to keep what it has
    // done and stop; give them a moment to commit it.
    timers.abort();
    let stopping: Vec<_> = ctx.running.borrow_mut().drain().collect();
    drop(stopping);
    for _ in 0..200 {
        tokio::task::yield_now().await;
        if Rc::strong_count(&ctx) <= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// Runs a new execution.
fn start(
    ctx: &Rc<WorkerContext>,
    record: ExecutionRecord,
    events: Vec<EventRow>,
    fresh: Box<standard::Fresh>,
) {
    let (abort, aborted) = oneshot::channel();
    ctx.running.borrow_mut().insert(record.id, abort);
    tokio::task::spawn_local(standard::run(
        ctx.clone(),
        record,
        events,
        aborted,
        Some(fresh),
    ));
}

/// Loads an execution from the store and runs it on from where its journal ends.
fn resume(ctx: &Rc<WorkerContext>, id: i64) {
    if ctx.running.borrow().contains_key(&id) {
        // Its run may be ending (a redrive that raced the ending it follows): it looks at the
        // store again once it is out of memory, so the resume is not lost.
        ctx.late_wakes.borrow_mut().insert(id);
        return;
    }
    let (abort, aborted) = oneshot::channel();
    ctx.running.borrow_mut().insert(id, abort);
    let ctx = ctx.clone();
    tokio::task::spawn_local(async move {
        let loaded = {
            let _permit = ctx.loading.acquire().await;
            ctx.store
                .read(move |c| {
                    let Some(record) = executions::get(c, id)? else {
                        return Ok(None);
                    };
                    if record.status != ExecutionStatus::Running {
                        return Ok(None);
                    }
                    let events = executions::events(c, id)?;
                    Ok(Some((record, events)))
                })
                .await
        };
        match loaded {
            Ok(Some((record, events))) => standard::run(ctx, record, events, aborted, None).await,
            Ok(None) => {
                ctx.running.borrow_mut().remove(&id);
            }
            Err(e) => {
                tracing::warn!(execution = id, error = %e, "could not load the execution; trying again later");
                ctx.running.borrow_mut().remove(&id);
                ctx.retry_later(id);
            }
        }
    });
}

/// Stops an execution, whether it is in memory or parked in the store.
/// An answer for a waiting task of execution `id` is in the store: an execution in memory
/// looks again; one that is loading or parking is marked to look again; a parked one resumes.
fn wake(ctx: &Rc<WorkerContext>, id: i64) {
    if let Some(signal) = ctx.wakers.borrow().get(&id) {
        signal.notify_waiters();
        ctx.late_wakes.borrow_mut().insert(id);
        return;
    }
    if ctx.running.borrow().contains_key(&id) {
        ctx.late_wakes.borrow_mut().insert(id);
        return;
    }
    resume(ctx, id);
}

fn stop(
    ctx: &Rc<WorkerContext>,
    id: i64,
    error: Option<String>,
    cause: Option<String>,
    reply: oneshot::Sender<Result<i64, StoreError>>,
) {
    let request = Abort {
        error,
        cause,
        reply,
    };
    let running = ctx.running.borrow_mut().remove(&id);
    let request = match running {
        Some(abort) => match abort.send(request) {
            Ok(()) => return,
            Err(request) => request,
        },
        None => request,
    };
    let store = ctx.store.clone();
    let hub = ctx.hub.clone();
    tokio::task::spawn_local(async move {
        let result = standard::close_aborted(
            &store,
            &hub,
            id,
            (Vec::new(), Vec::new()),
            None,
            request.error,
            request.cause,
        )
        .await;
        let _ = request.reply.send(result);
    });
}

/// Wakes parked executions when their time comes.
async fn fire_timers(ctx: Rc<WorkerContext>) {
    loop {
        let next = ctx.timers.borrow().peek().map(|Reverse((t, _))| *t);
        match next {
            None => ctx.timers_changed.notified().await,
            Some(at) => {
                if let Some(left) = ctx.hub.clock.real_wait_until(at) {
                    if !left.is_zero() {
                        tokio::select! {
                            () = tokio::time::sleep(left) => {}
                            () = ctx.timers_changed.notified() => continue,
                        }
                    }
                }
                let now = ctx.hub.clock.now();
                loop {
                    let due = {
                        let mut timers = ctx.timers.borrow_mut();
                        match timers.peek() {
                            Some(Reverse((t, _))) if *t <= now => timers.pop(),
                            _ => None,
                        }
                    };
                    let Some(Reverse((_, id))) = due else { break };
                    resume(&ctx, id);
                }
            }
        }
    }
}
