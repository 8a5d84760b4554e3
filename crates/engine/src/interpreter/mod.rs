//! The interpreter: runs a state machine's states, records the history, and waits on its driver.
//!
//! The interpreter is async code over a [`Driver`] and, for a durable execution, a
//! [`Journal`]. Every point where an execution waits (a Wait state, a retry's back-off, a
//! task, the execution's own timeout) is an `await` on the driver, so the same code serves the
//! one-shot `switchback run` with a virtual clock and servers whose drivers persist each event
//! before acting on it. Every event goes through [`Interpreter::emit`]: a resumed execution's
//! journal answers the events its earlier run recorded, so running the states again from the
//! start replays them without repeating one, and the execution carries on from where it was
//! cut off.
//!
//! Each scope (the top level, a Parallel branch, a Map iteration) runs in a [`Frame`]: its
//! variables and the id of the last event of its own flow, which AWS uses as the next event's
//! `previousEventId`. Branches and iterations are futures polled in order, so a run with no
//! waiting yields the same history every time.
//!
//! This module holds the [`Interpreter`] itself, the run of an execution and of a scope, and
//! the dispatch of each state to its kind. The rest is one concept per module:
//!
//! - `data_flow`: InputPath, Parameters/Arguments, ResultSelector, ResultPath and OutputPath
//!   (JSONPath), Output and Assign (JSONata), the payload limit, and the environment that a
//!   state's expressions evaluate in;
//! - `pass`, `succeed_fail`, `choice`, `wait`: the states that do no work of their own;
//! - `retry_catch`: Retry and Catch around the states they apply to (Task, Parallel, Map);
//! - `task`: a Task's dispatch to the driver, its timeout and its task token;
//! - `task_events`: which history events (`LambdaFunction*`, `Activity*`, `Task*`) record a task;
//! - `parallel`, `map`: the states that run scopes of their own;
//! - `fault`: [`Fault`], a failure on its way up, and how it is worded and recorded;
//! - `frame`: [`Frame`], one scope being run.

use std::cell::{Cell, RefCell};

use futures::future::LocalBoxFuture;
use jiff::Timestamp;
use switchback_asl::errors as names;
use switchback_asl::{Scope, State, StateKind, StateMachine};
use switchback_json::Json;

use crate::context::ExecutionInfo;
use crate::driver::Driver;
use crate::history::{EventKind, History, StateType};
use crate::journal::{Journal, Recorded};
use crate::lane::{Lanes, Place};
use crate::limits::Limits;
use crate::vars::Vars;
use switchback_types::{Identity, StateMachineArn};

mod choice;
mod data_flow;
mod fault;
mod frame;
mod item_reader;
mod map;
mod parallel;
mod pass;
mod result_writer;
mod retry_catch;
mod s3_call;
mod succeed_fail;
mod task;
mod task_events;
mod wait;

pub use fault::Fault;
pub use frame::Frame;

/// The longest wait AWS accepts (2^31 - 1 seconds, about 68 years).
const MAX_WAIT_SECONDS: i64 = i32::MAX as i64;

/// Where a state leads.
enum Step {
    Next(usize, Json),
    End(Json),
}

/// Runs one execution.
pub struct Interpreter<'a> {
    /// The state machine being run.
    pub machine: &'a StateMachine,
    /// The execution's window on the world: the clock, timers, randomness and tasks.
    pub driver: &'a dyn Driver,
    /// The execution's facts, for the context object and the ARNs.
    pub exec: ExecutionInfo,
    /// The limits the execution runs under.
    pub limits: Limits,
    /// The events recorded so far.
    pub history: RefCell<History>,
    /// Set once the history has passed its limit; the execution then fails.
    history_overflow: Cell<bool>,
    /// The sequential strands of the execution (top level, branches, iterations).
    lanes: Lanes,
    /// Where a durable execution's events go, and where a resumed one finds its past.
    journal: Option<&'a dyn Journal>,
    /// The execution's random seed: each lane draws from it by its own key.
    seed: u64,
}

impl<'a> Interpreter<'a> {
    /// An interpreter for one execution of `machine`, with no journal and a seed drawn from
    /// `driver`.
    pub fn new(
        machine: &'a StateMachine,
        driver: &'a dyn Driver,
        exec: ExecutionInfo,
        limits: Limits,
    ) -> Self {
        let seed = driver.random_u64();
        let lanes = Lanes::new(exec.start_time);
        Interpreter {
            machine,
            driver,
            exec,
            limits,
            history: RefCell::new(History::with_capacity(64)),
            history_overflow: Cell::new(false),
            lanes,
            journal: None,
            seed,
        }
    }

    /// Attaches a durable journal: the execution records its events there and, when resumed,
    /// takes the events recorded by its earlier run as done. `recorded_events` is how many the
    /// journal holds, so that new events are numbered after them.
    pub fn with_journal(mut self, journal: &'a dyn Journal, recorded_events: u64) -> Self {
        self.journal = Some(journal);
        self.history = RefCell::new(History::starting_after(recorded_events));
        self
    }

    /// Fixes the random seed (a resumed execution draws the numbers of its first run).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Makes room in the history for about `events` more, within the history limit.
    pub(super) fn expect_events(&self, events: usize) {
        let mut h = self.history.borrow_mut();
        let room = (self.limits.max_history_events as u64).saturating_sub(h.next_id());
        h.reserve(events.min(room as usize));
    }

    /// Records an event and returns its id. An event that a resumed execution's journal
    /// already holds at this place is not recorded again: its id is returned.
    pub fn emit(&self, prev: u64, kind: EventKind) -> u64 {
        if let Some(journal) = self.journal {
            if let Some(recorded) = journal.recorded(self.lanes.peek()) {
                self.lanes.advance(recorded.timestamp);
                return recorded.id;
            }
        }
        let mut h = self.history.borrow_mut();
        // The last event the limit allows is kept for the execution's ending: past it, no
        // other event is recorded, and the execution fails at its next step (every lane
        // stops at its next state), so the history holds exactly `max_history_events`.
        let ending = kind.event_type().ends_execution();
        if !ending && h.next_id() >= self.limits.max_history_events as u64 {
            self.history_overflow.set(true);
            return h.last_id();
        }
        let now = self.driver.now();
        let place = self.lanes.advance(now);
        let id = h.push(prev, now, kind);
        if let Some(journal) = self.journal {
            if let Some(event) = h.events().last() {
                journal.append(event, place);
            }
        }
        id
    }

    /// The journal's record of the current lane's next event, when this is a resumed run
    /// that has not yet caught up with it.
    fn recorded_next(&self) -> Option<Recorded> {
        self.journal
            .and_then(|journal| journal.recorded(self.lanes.peek()))
    }

    /// 64 random bits, drawn in the current lane.
    fn random_u64(&self) -> u64 {
        self.lanes.random_u64(self.seed)
    }

    fn overflowed(&self) -> bool {
        self.history_overflow.get()
    }

    /// Runs the whole execution and records how it ended.
    pub async fn run(&self) {
        self.emit(
            0,
            EventKind::ExecutionStarted {
                input: self.exec.input.clone().into(),
                role_arn: self.exec.role_arn.clone(),
            },
        );
        let mut frame = Frame {
            vars: Vars::default(),
            prev: Cell::new(0),
            assigned: None,
        };
        let result = match self.machine.timeout_seconds {
            None => {
                self.run_scope(&self.machine.scope, self.exec.input.clone(), &mut frame)
                    .await
            }
            Some(seconds) => {
                let deadline = self.exec.start_time
                    + jiff::SignedDuration::from_secs(seconds.min(MAX_WAIT_SECONDS as u64) as i64);
                let states =
                    self.run_scope(&self.machine.scope, self.exec.input.clone(), &mut frame);
                let timer = self.driver.sleep_until(deadline);
                match futures::future::select(states, timer).await {
                    futures::future::Either::Left((result, _)) => result,
                    futures::future::Either::Right(((), _)) => {
                        let last = self.history.borrow().last_id();
                        self.emit(
                            last,
                            EventKind::ExecutionTimedOut {
                                error: Some(names::TIMEOUT.to_string()),
                                cause: Some(format!(
                                    "The execution timed out after {seconds} seconds."
                                )),
                            },
                        );
                        return;
                    }
                }
            }
        };
        self.record_ending(result, &frame);
    }

    /// Runs a map run's child execution as an execution of its own: `ExecutionStarted` with
    /// `input`, the processor's states (seeing the parent's variables as outer ones), and how
    /// it ended. Returns its output or failure for the map run.
    pub(crate) async fn run_child(
        &self,
        processor: &Scope,
        input: Json,
        outer: std::sync::Arc<Vars>,
    ) -> Result<Json, Fault> {
        self.emit(
            0,
            EventKind::ExecutionStarted {
                input: input.clone().into(),
                role_arn: self.exec.role_arn.clone(),
            },
        );
        let mut frame = Frame {
            vars: Vars::nested(outer),
            prev: Cell::new(0),
            assigned: None,
        };
        let result = self.run_scope(processor, input, &mut frame).await;
        self.record_ending(result.clone(), &frame);
        result
    }

    /// Records that the execution was stopped (`ExecutionAborted` after its last event), when
    /// its run was dropped: a map run's child that `StopExecution` stopped.
    pub(super) fn record_aborted(&self, stop: &crate::journal::ChildStop) {
        let mut h = self.history.borrow_mut();
        let prev = h.last_id();
        let now = self.driver.now();
        let kind = EventKind::ExecutionAborted {
            error: stop.error.clone(),
            cause: stop.cause.clone(),
        };
        h.push(prev, now, kind);
        if let (Some(journal), Some(event)) = (self.journal, h.events().last()) {
            journal.append(event, Place::OUTSIDE);
        }
    }

    /// Records how the execution ended: `ExecutionSucceeded` or `ExecutionFailed` (past the
    /// history limit, it fails whatever its states did meanwhile).
    fn record_ending(&self, result: Result<Json, Fault>, frame: &Frame) {
        let result = match result {
            _ if self.overflowed() => Err(self.history_limit_fault()),
            other => other,
        };
        match result {
            Ok(output) => {
                self.emit(
                    frame.prev.get(),
                    EventKind::ExecutionSucceeded {
                        output: output.into(),
                    },
                );
            }
            Err(fault) => {
                self.emit(
                    frame.prev.get(),
                    EventKind::ExecutionFailed {
                        error: non_empty(fault.error),
                        cause: non_empty(fault.cause),
                    },
                );
            }
        }
    }

    /// Runs a scope from its start state to its end.
    pub fn run_scope<'s>(
        &'s self,
        scope: &'s Scope,
        input: Json,
        frame: &'s mut Frame,
    ) -> LocalBoxFuture<'s, Result<Json, Fault>> {
        Box::pin(async move {
            let mut current = scope.start;
            let mut input = input;
            loop {
                if self.overflowed() {
                    return Err(self.history_limit_fault());
                }
                match self.run_state(scope, current, input, frame).await? {
                    Step::Next(next, output) => {
                        current = next;
                        input = output;
                    }
                    Step::End(output) => return Ok(output),
                }
            }
        })
    }

    async fn run_state(
        &self,
        scope: &Scope,
        index: usize,
        input: Json,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let state = &scope.states[index];
        let entered_prev = frame.prev.get();
        let entered = self.emit(
            frame.prev.get(),
            EventKind::StateEntered {
                state_type: state_type(&state.kind),
                name: state.name.clone(),
                input: input.clone().into(),
            },
        );
        frame.prev.set(entered);
        let run = StateRun {
            state,
            entered,
            entered_prev,
            entered_time: self.lanes.time(),
            input,
            map_item: None,
        };
        let step = match &state.kind {
            StateKind::Pass { result } => self.pass(&run, result.as_ref(), frame),
            StateKind::Succeed => self.succeed(&run, frame),
            StateKind::Fail { error, cause } => {
                return Err(self.fail_state(&run, error, cause, frame))
            }
            StateKind::Choice { choices, default } => self.choice(&run, choices, *default, frame),
            StateKind::Wait(how) => self.wait(&run, how, frame).await,
            StateKind::Task(_) | StateKind::Parallel { .. } | StateKind::Map(_) => {
                self.with_retry_and_catch(&run, frame).await
            }
        };
        step
    }
}

impl Interpreter<'_> {
    /// The ARN of the execution's state machine, for the ARNs built from it (map runs). The
    /// runtime always gives a well-formed one; were it not, the machine is named in this
    /// execution's region and the default account.
    fn machine_arn(&self) -> StateMachineArn {
        self.exec
            .state_machine_arn
            .parse::<StateMachineArn>()
            .map(|arn| arn.unqualified())
            .unwrap_or_else(|_| {
                Identity::new(&*self.exec.region, Identity::DEFAULT_ACCOUNT)
                    .state_machine_arn(&self.exec.state_machine_name)
            })
    }
}

/// The type of a state, as its history events name it.
fn state_type(kind: &StateKind) -> StateType {
    match kind {
        StateKind::Pass { .. } => StateType::Pass,
        StateKind::Task(_) => StateType::Task,
        StateKind::Choice { .. } => StateType::Choice,
        StateKind::Wait(_) => StateType::Wait,
        StateKind::Succeed => StateType::Succeed,
        StateKind::Fail { .. } => StateType::Fail,
        StateKind::Parallel { .. } => StateType::Parallel,
        StateKind::Map(_) => StateType::Map,
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// The state being run: what its expressions may refer to.
#[derive(Clone)]
struct StateRun<'a> {
    state: &'a State,
    /// Id of its `StateEntered` event ("entered at the event id #N").
    entered: u64,
    /// The event before that one.
    entered_prev: u64,
    entered_time: Timestamp,
    /// The raw state input.
    input: Json,
    /// `$$.Map.Item` while evaluating an ItemSelector.
    map_item: Option<(usize, &'a Json)>,
}
