//! One-shot runs: an execution in this process, on a virtual clock, to the end.
//!
//! Used by `switchback run`, `switchback bench` and the conformance tests. Waits are either
//! slept for real or skipped: the clock jumps to the next timer as soon as nothing else can
//! run, so a workflow that waits an hour finishes at once while its history still shows the
//! hour pass.
//!
//! Tasks are answered by mocks first; the states that no mock covers go to a [`TaskHandler`]
//! (the real integrations: functions, HTTP) when one is given. While such a task is under way
//! the virtual clock runs in real time, so a task's `TimeoutSeconds` still means seconds. A
//! mocked answer is handed over only after the other Parallel branches and Map iterations have
//! had their turn, so strands interleave as they do on a server (see `Answer`).

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use jiff::{SignedDuration, Timestamp};
use switchback_asl::StateMachine;
use switchback_json::Json;

use crate::clock::Clock;
use crate::context::ExecutionInfo;
use crate::driver::{Driver, DriverFuture};
use crate::history::{Event, EventKind};
use crate::interpreter::Interpreter;
use crate::limits::Limits;
use crate::mock::Mocks;
use crate::task::{IntegrationPattern, TaskOutcome, TaskPhase, TaskRequest};

/// What [`TaskHandler::stop_job`] returns.
pub type StopJobFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Runs the tasks that no mock answers: the real integrations, outside the engine.
pub trait TaskHandler {
    /// Runs one call of a task's resource.
    fn call(&self, request: TaskRequest) -> DriverFuture<'static, TaskOutcome>;

    /// Runs one call as [`call`](TaskHandler::call) does, and also reports the raw HTTP
    /// exchange of an HTTP Task, in the shape of TestState's `inspectionData` (`request`,
    /// `response`) that its `TRACE` level shows; the headers a connection adds are left out
    /// unless `reveal_secrets`. By default no exchange is reported.
    fn call_traced(
        &self,
        request: TaskRequest,
        reveal_secrets: bool,
    ) -> DriverFuture<'static, (TaskOutcome, Option<serde_json::Value>)> {
        let _ = reveal_secrets;
        let call = self.call(request);
        Box::pin(async move { (call.await, None) })
    }

    /// Whether a `.waitForTaskToken` call of `resource` delivers the token somewhere (the call
    /// is made, then the task waits for the token's answer). When it does not, a server does
    /// not call the resource: the task just waits for an answer given by hand. By default,
    /// `lambda:invoke` and `http:invoke` deliver it.
    fn delivers_token(&self, resource: &crate::task::Resource) -> bool {
        matches!(
            resource.integration(),
            Some(crate::task::Integration::LambdaInvoke | crate::task::Integration::HttpInvoke)
        )
    }

    /// Whether the handler itself sees a `.sync` task of `resource` to its end: it starts
    /// the job, then polls it in [`TaskPhase::AwaitResult`] (an AWS job such as Glue's
    /// `startJobRun.sync`). By default no resource is.
    fn polls(&self, resource: &crate::task::Resource) -> bool {
        let _ = resource;
        false
    }

    /// Stops the job a `.sync` task handed over (its start's answer in `request.submitted`),
    /// when its execution is stopped: AWS stops an ECS task, a Batch job, a Glue run, ... with
    /// the execution. By default nothing is stopped.
    /// The future is `Send`: the API's `StopExecution` awaits it on any thread.
    fn stop_job(&self, request: TaskRequest) -> StopJobFuture {
        let _ = request;
        Box::pin(async {})
    }
}

pub use switchback_types::ExecutionStatus;
use switchback_types::Identity;

/// The result of a one-shot run.
#[derive(Debug)]
pub struct ExecutionOutcome {
    /// How the execution ended.
    pub status: ExecutionStatus,
    /// The output, when it succeeded.
    pub output: Option<Json>,
    /// The error name, when it did not succeed.
    pub error: Option<String>,
    /// The cause that goes with `error`.
    pub cause: Option<String>,
    /// The execution's history, in order.
    pub events: Vec<Event>,
}

/// Options of a one-shot run.
pub struct RunOptions {
    /// Sleep through waits (true) or skip them on the virtual clock (false).
    pub real_time: bool,
    /// Mocked task results.
    pub mocks: Mocks,
    /// Runs the tasks that no mock answers (none: they fail with a hint to mock them).
    pub tasks: Option<Arc<dyn TaskHandler>>,
    /// The limits the execution runs under.
    pub limits: Limits,
    /// An Express execution (in memory, no redrive) rather than a Standard one.
    pub express: bool,
    /// Seed of the random source (fixed in tests).
    pub seed: u64,
    /// The execution's name, in its ARN and the context object.
    pub execution_name: String,
    /// The state machine's name, in its ARN and the context object.
    pub state_machine_name: String,
    /// The region and account in the ARNs.
    pub identity: Identity,
    /// When the execution starts: the real time by default; tests pin it (the conformance
    /// corpus runs every case at the moment its inputs were made).
    pub start_time: Option<Timestamp>,
    /// The context object `$$` shows, when given whole (TestState's `context`) rather than
    /// built from the execution.
    pub context: Option<Json>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            real_time: false,
            express: false,
            mocks: Mocks::default(),
            tasks: None,
            limits: Limits::default(),
            seed: 0x5eed_5eed,
            execution_name: "local".into(),
            state_machine_name: "StateMachine".into(),
            identity: Identity::default(),
            start_time: None,
            context: None,
        }
    }
}

/// Timers waiting on the virtual clock, earliest first.
#[derive(Default)]
struct Timers {
    queue: BinaryHeap<Reverse<(Timestamp, u64)>>,
    wakers: std::collections::HashMap<u64, Waker>,
    next_id: u64,
}

/// The driver of a one-shot run.
struct LocalDriver {
    /// Added to the real clock: how far waits have been skipped.
    offset: Cell<SignedDuration>,
    timers: RefCell<Timers>,
    rng: Cell<u64>,
    mocks: Mocks,
    tasks: Option<Arc<dyn TaskHandler>>,
    /// Tasks under way in a [`TaskHandler`]: while any is, time runs for real.
    in_flight: Rc<Cell<usize>>,
    /// Set when a task answered at once gave the other strands their turn ([`Answer`]): the
    /// execution is polled again before any timer fires.
    gave_way: Cell<bool>,
}

impl LocalDriver {
    /// When the earliest timer is due.
    fn next_deadline(&self) -> Option<Timestamp> {
        self.timers.borrow().queue.peek().map(|Reverse((t, _))| *t)
    }

    fn fire_next(&self, real_time: bool) -> bool {
        let next = self.timers.borrow_mut().queue.pop();
        let Some(Reverse((deadline, id))) = next else {
            return false;
        };
        let now = self.now();
        if deadline > now {
            let gap = now.duration_until(deadline);
            if real_time {
                std::thread::sleep(gap.unsigned_abs());
            } else {
                self.offset.set(self.offset.get() + gap);
            }
        }
        if let Some(w) = self.timers.borrow_mut().wakers.remove(&id) {
            w.wake();
        }
        true
    }
}

impl Driver for LocalDriver {
    fn now(&self) -> Timestamp {
        // Every event is stamped with this: without an offset (a real clock, the usual case)
        // the checked addition is skipped.
        let offset = self.offset.get();
        if offset.is_zero() {
            Timestamp::now()
        } else {
            Timestamp::now() + offset
        }
    }

    fn sleep_until(&self, deadline: Timestamp) -> DriverFuture<'_, ()> {
        Box::pin(Sleep {
            driver: self,
            deadline,
            id: None,
        })
    }

    fn random_u64(&self) -> u64 {
        // SplitMix64: small, fast, and good enough for jitter and $random.
        let mut z = self.rng.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.rng.set(z);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn invoke(&self, request: TaskRequest) -> DriverFuture<'_, TaskOutcome> {
        if let Some((outcome, delay)) = self.mocks.try_respond_delayed(&request) {
            if delay > 0.0 {
                // The mocked task takes its time on the clock: a timeout can beat it.
                let deadline = self.now() + SignedDuration::from_secs_f64(delay);
                return Box::pin(async move {
                    self.sleep_until(deadline).await;
                    outcome
                });
            }
            return Box::pin(self.answer(outcome));
        }
        let Some(tasks) = &self.tasks else {
            let outcome = self.mocks.respond(&request);
            return Box::pin(self.answer(outcome));
        };
        if let Some(outcome) = needs_server(&request).filter(|_| !tasks.polls(&request.resource)) {
            return Box::pin(self.answer(outcome));
        }
        let call = tasks.call(request);
        let in_flight = self.in_flight.clone();
        in_flight.set(in_flight.get() + 1);
        let guard = InFlight(in_flight);
        Box::pin(async move {
            let outcome = call.await;
            drop(guard);
            outcome
        })
    }
}

impl LocalDriver {
    /// A task's answer, known at once (a mock, or a task only a server can run).
    fn answer(&self, outcome: TaskOutcome) -> Answer<'_> {
        Answer {
            driver: self,
            outcome: Some(outcome),
            gave_way: false,
        }
    }
}

/// A task answered at once, handed over after the execution's other strands have had their
/// turn.
///
/// On a server no task answers inside the poll that dispatched it: a Standard execution commits
/// its events before every dispatch, and a function or HTTP call takes its time. Meanwhile the
/// other Parallel branches and Map iterations go on, up to their own tasks and waits. A mocked
/// answer given at once instead would run its branch to its end (or its first Wait) before the
/// next branch entered its first state, and a branch that fails at once would stop branches
/// that, on a server, were already under way. So the answer first returns `Pending` once,
/// waking itself, and the driver polls the execution again before time moves; the order of the
/// strands stays the order in which they are polled, so a run's history is the same every time.
struct Answer<'d> {
    driver: &'d LocalDriver,
    outcome: Option<TaskOutcome>,
    gave_way: bool,
}

impl Future for Answer<'_> {
    type Output = TaskOutcome;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TaskOutcome> {
        if !self.gave_way {
            self.gave_way = true;
            self.driver.gave_way.set(true);
            // The waker counts when the strand is polled by a `FuturesUnordered` (a Map's
            // iterations): it puts the strand back in its queue.
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        match self.outcome.take() {
            Some(outcome) => Poll::Ready(outcome),
            None => Poll::Pending,
        }
    }
}

/// Counts a task under way until it ends (or is dropped by a timeout).
struct InFlight(Rc<Cell<usize>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// The tasks a one-shot run cannot do: they wait for something only a server receives (a
/// task token, an activity worker, another execution).
fn needs_server(request: &TaskRequest) -> Option<TaskOutcome> {
    let what = if request.resource.is_activity() {
        "an activity worker (GetActivityTask)"
    } else if request.resource.is_start_execution() {
        "another state machine's execution"
    } else if request.pattern() == IntegrationPattern::WaitForTaskToken
        || request.phase != TaskPhase::Dispatch
    {
        "a task token (SendTaskSuccess)"
    } else {
        return None;
    };
    Some(TaskOutcome::Failed {
        error: "States.TaskFailed".into(),
        cause: format!(
            "Task state '{}' (resource {}) waits for {what}, which only `switchback serve` can provide. \
             Run it on a server, or mock the state with --mock FILE.",
            request.state_name, request.resource
        ),
    })
}

/// A wait on the virtual clock.
struct Sleep<'d> {
    driver: &'d LocalDriver,
    deadline: Timestamp,
    id: Option<u64>,
}

impl Future for Sleep<'_> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.driver.now() >= self.deadline {
            return Poll::Ready(());
        }
        let mut timers = self.driver.timers.borrow_mut();
        let id = match self.id {
            Some(id) => id,
            None => {
                let id = timers.next_id;
                timers.next_id += 1;
                timers.queue.push(Reverse((self.deadline, id)));
                id
            }
        };
        timers.wakers.insert(id, cx.waker().clone());
        drop(timers);
        self.id = Some(id);
        Poll::Pending
    }
}

/// Runs an execution of `machine` with `input` to its end.
pub fn run_execution(
    machine: &StateMachine,
    input: impl Into<Json>,
    options: RunOptions,
) -> ExecutionOutcome {
    let driver = LocalDriver {
        offset: Cell::new(
            options
                .start_time
                .map_or(SignedDuration::ZERO, |t| Clock::starting_at(t).offset()),
        ),
        timers: RefCell::default(),
        rng: Cell::new(options.seed),
        mocks: options.mocks,
        tasks: options.tasks,
        in_flight: Rc::new(Cell::new(0)),
        gave_way: Cell::new(false),
    };
    let machine_arn = options
        .identity
        .state_machine_arn(&options.state_machine_name);
    let execution_arn = if options.express {
        // Express ARNs end with an id of AWS's own, as names may repeat.
        machine_arn.express_execution(&options.execution_name, &express_id(options.seed))
    } else {
        machine_arn.execution(&options.execution_name)
    };
    let exec = ExecutionInfo {
        execution_arn: execution_arn.to_string(),
        name: options.execution_name.clone(),
        state_machine_arn: machine_arn.to_string(),
        state_machine_name: options.state_machine_name.clone(),
        role_arn: options.identity.default_role_arn().into(),
        start_time: driver.now(),
        input: input.into(),
        region: options.identity.region.as_str().into(),
        redrive_count: (!options.express).then_some(0),
        given: options.context.clone(),
    };
    let interpreter = Interpreter::new(machine, &driver, exec, options.limits);
    let finished = if driver.tasks.is_some() {
        drive_with_tasks(&interpreter, &driver, options.real_time)
    } else {
        drive(&interpreter, &driver, options.real_time)
    };
    if let Err(cause) = finished {
        return stalled(&cause);
    }
    outcome(interpreter.history.into_inner().into_events())
}

/// Polls the execution on this thread. Only timers make it wait (mocked tasks answer on the
/// next poll, [`Answer`]), so whenever it cannot go on, the next timer fires: after a real
/// sleep, or at once on the virtual clock.
fn drive(
    interpreter: &Interpreter<'_>,
    driver: &LocalDriver,
    real_time: bool,
) -> Result<(), String> {
    let mut execution = std::pin::pin!(interpreter.run());
    let mut cx = Context::from_waker(futures::task::noop_waker_ref());
    loop {
        if execution.as_mut().poll(&mut cx).is_ready() {
            return Ok(());
        }
        if driver.gave_way.replace(false) {
            continue;
        }
        if !driver.fire_next(real_time) {
            return Err("the execution stopped with nothing left to wait for".into());
        }
    }
}

/// Drives an execution whose tasks do real I/O, on a small runtime of its own: while a task
/// is under way, time runs for real up to the next timer; when none is, the clock jumps.
fn drive_with_tasks(
    interpreter: &Interpreter<'_>,
    driver: &LocalDriver,
    real_time: bool,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the task runtime: {e}"))?;
    runtime.block_on(async {
        let mut execution = std::pin::pin!(interpreter.run());
        loop {
            // Runs the execution until it ends (true) or waits on timers alone (false).
            let step = std::future::poll_fn(|cx| loop {
                match execution.as_mut().poll(cx) {
                    Poll::Ready(()) => return Poll::Ready(true),
                    // A strand gave way to the others (`Answer`): they go on before time does.
                    Poll::Pending if driver.gave_way.replace(false) => continue,
                    Poll::Pending if driver.in_flight.get() == 0 => return Poll::Ready(false),
                    Poll::Pending => return Poll::Pending,
                }
            });
            let ended = match driver.next_deadline() {
                None => step.await,
                Some(deadline) => {
                    let left = driver.now().duration_until(deadline);
                    let left = std::time::Duration::try_from(left).unwrap_or_default();
                    tokio::select! {
                        ended = step => ended,
                        () = tokio::time::sleep(left) => false,
                    }
                }
            };
            if ended {
                return Ok(());
            }
            let may_fire = driver.in_flight.get() == 0 || driver.next_deadline().is_some();
            if may_fire && !driver.fire_next(real_time) && driver.in_flight.get() == 0 {
                return Err("the execution stopped with nothing left to wait for".into());
            }
        }
    })
}

/// A UUID-shaped id for an Express execution's ARN, from the run's seed.
fn express_id(seed: u64) -> String {
    let a = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let b = a.rotate_left(29) ^ 0xBF58_476D_1CE4_E5B9;
    switchback_types::ids::uuid_v4(a, b)
}

fn stalled(cause: &str) -> ExecutionOutcome {
    ExecutionOutcome {
        status: ExecutionStatus::Failed,
        output: None,
        error: Some("States.Runtime".into()),
        cause: Some(cause.into()),
        events: Vec::new(),
    }
}

/// Reads the outcome off the history's last event.
fn outcome(events: Vec<Event>) -> ExecutionOutcome {
    let (status, output, error, cause) = match events.last().map(|e| &e.kind) {
        Some(EventKind::ExecutionSucceeded { output }) => (
            ExecutionStatus::Succeeded,
            Some(output.shared()),
            None,
            None,
        ),
        Some(EventKind::ExecutionFailed { error, cause }) => {
            (ExecutionStatus::Failed, None, error.clone(), cause.clone())
        }
        Some(EventKind::ExecutionTimedOut { error, cause }) => (
            ExecutionStatus::TimedOut,
            None,
            error.clone(),
            cause.clone(),
        ),
        Some(EventKind::ExecutionAborted { error, cause }) => {
            (ExecutionStatus::Aborted, None, error.clone(), cause.clone())
        }
        _ => (ExecutionStatus::Running, None, None, None),
    };
    ExecutionOutcome {
        status,
        output,
        error,
        cause,
        events,
    }
}

impl ExecutionOutcome {
    /// The `switchback run --json` object: status, output (as a JSON value), error, cause, and
    /// the history in `GetExecutionHistory`'s shape.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("status".into(), self.status.as_str().into());
        if let Some(o) = &self.output {
            m.insert("output".into(), o.to_serde());
        }
        if let Some(e) = &self.error {
            m.insert("error".into(), e.as_str().into());
        }
        if let Some(c) = &self.cause {
            m.insert("cause".into(), c.as_str().into());
        }
        m.insert(
            "events".into(),
            serde_json::Value::Array(self.events.iter().map(Event::to_aws_json).collect()),
        );
        serde_json::Value::Object(m)
    }
}
