//! The interpreter: runs a state machine's states, records the history, and waits on its driver.
//!
//! Each scope (the top level, a Parallel branch, a Map iteration) runs in a [`Frame`]: its
//! variables and the id of the last event of its own flow, which AWS uses as the next event's
//! `previousEventId`. Branches and iterations are futures polled in order, so a run with no
//! waiting yields the same history every time.

use std::cell::{Cell, OnceCell, RefCell};
use std::sync::Arc;

use futures::future::{try_join_all, LocalBoxFuture};
use futures::stream::{self, StreamExt};
use jiff::Timestamp;
use serde_json::{json, Map, Value};
use switchback_asl::errors as names;
use switchback_asl::template::{self, Template};
use switchback_asl::*;
use switchback_jsonpath::Path;

use crate::context::{self, ExecutionInfo, StateInfo};
use crate::driver::Driver;
use crate::history::{EventKind, History, TaskResource};
use crate::journal::{Journal, Recorded};
use crate::lane::Lanes;
use crate::limits::Limits;
use crate::size::json_size_within;
use crate::task::{IntegrationPattern, ResourceKind, TaskOutcome, TaskPhase, TaskRequest};
use crate::vars::Vars;

/// The longest wait AWS accepts (2^31 - 1 seconds, about 68 years).
const MAX_WAIT_SECONDS: i64 = i32::MAX as i64;

/// A payload shared between the flow of data and the history.
type Json = Arc<Value>;

/// Where a state leads.
enum Step {
    Next(usize, Json),
    End(Json),
}

/// A failure on its way up: AWS's error and cause, and where a JSONata failure happened.
#[derive(Debug, Clone)]
pub struct Fault {
    pub error: String,
    pub cause: String,
    /// For JSONata failures: the field that failed (`Output/FunctionResult`).
    pub location: Option<String>,
    /// Reported as a task's result (its failure event is in the history), rather than raised
    /// by the state itself: `States.ALL` then catches even `States.DataLimitExceeded`.
    pub from_task: bool,
}

impl Fault {
    /// A failure with no location.
    fn new(error: impl Into<String>, cause: impl Into<String>) -> Fault {
        Fault {
            error: error.into(),
            cause: cause.into(),
            location: None,
            from_task: false,
        }
    }

    /// A failure a task reported.
    fn of_task(error: impl Into<String>, cause: impl Into<String>) -> Fault {
        Fault {
            from_task: true,
            ..Fault::new(error, cause)
        }
    }
}

impl From<Failure> for Fault {
    fn from(f: Failure) -> Fault {
        Fault {
            error: f.error,
            cause: f.cause,
            location: f.location,
            from_task: false,
        }
    }
}

/// One scope being run: its variables and its place in the history.
pub struct Frame {
    pub vars: Vars,
    /// The last event of this frame's flow (a `Cell`: it moves on while expressions borrow
    /// the frame's variables).
    pub prev: Cell<u64>,
    /// Variables assigned by the state being run, for its `StateExited` event.
    pub assigned: Option<Box<Map<String, Value>>>,
    /// An upper bound of the size of the current state's input (compact JSON bytes), when
    /// known: the previous state's output was measured or bounded on its way out.
    pub input_size: Cell<Option<usize>>,
    /// An upper bound of the size of one output value (identified by its address), so that a
    /// ResultPath merge is checked from its parts instead of by walking the merged document.
    pub output_bound: Cell<Option<(usize, usize)>>,
}

/// Runs one execution.
pub struct Interpreter<'a> {
    pub machine: &'a StateMachine,
    pub driver: &'a dyn Driver,
    pub exec: ExecutionInfo,
    pub limits: Limits,
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
        let ending = matches!(
            kind,
            EventKind::ExecutionSucceeded { .. }
                | EventKind::ExecutionFailed { .. }
                | EventKind::ExecutionTimedOut { .. }
                | EventKind::ExecutionAborted { .. }
        );
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

    /// How an execution that reached the history limit fails.
    fn history_limit_fault(&self) -> Fault {
        Fault::new(
            names::RUNTIME,
            format!(
                "The execution reached the maximum number of history events ({}).",
                self.limits.max_history_events
            ),
        )
    }

    /// Runs the whole execution and records how it ended.
    pub async fn run(&self) {
        self.emit(
            0,
            EventKind::ExecutionStarted {
                input: self.exec.input.clone(),
                role_arn: self.exec.role_arn.clone(),
            },
        );
        let mut frame = Frame {
            vars: Vars::default(),
            prev: Cell::new(0),
            assigned: None,
            input_size: Cell::new(None),
            output_bound: Cell::new(None),
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
        // Past the history limit, the execution fails whatever its states did meanwhile.
        let result = match result {
            _ if self.overflowed() => Err(self.history_limit_fault()),
            other => other,
        };
        match result {
            Ok(output) => {
                self.emit(frame.prev.get(), EventKind::ExecutionSucceeded { output });
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
        let type_name = state.kind.type_name();
        let entered_prev = frame.prev.get();
        let entered = self.emit(
            frame.prev.get(),
            EventKind::StateEntered {
                state_type: type_name,
                name: state.name.clone(),
                input: input.clone(),
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

    /// "An error occurred while executing the state 'X' (entered at the event id #N). "
    fn engine_failure(&self, run: &StateRun<'_>, failure: Failure) -> Fault {
        Fault {
            cause: format!(
                "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
                run.state.name, run.entered, failure.cause
            ),
            error: failure.error,
            location: failure.location,
            from_task: false,
        }
    }

    /// Records `EvaluationFailed` for a JSONata failure (AWS does, before the state fails).
    fn evaluation_failed(
        &self,
        run: &StateRun<'_>,
        fault: &Fault,
        location: Option<&str>,
        frame: &Frame,
        detached: bool,
    ) -> u64 {
        let prev = if detached {
            run.entered_prev
        } else {
            frame.prev.get()
        };
        let id = self.emit(
            prev,
            EventKind::EvaluationFailed {
                error: fault.error.clone(),
                cause: fault.cause.clone(),
                location: location.map(str::to_string),
                state: run.state.name.clone(),
            },
        );
        frame.prev.set(id);
        id
    }

    // ---- data flow helpers -------------------------------------------------------------

    fn env<'e>(
        &'e self,
        run: &'e StateRun<'e>,
        input: &'e Value,
        frame: &'e Frame,
    ) -> StateEnv<'e> {
        self.limits.apply_to_evaluators();
        StateEnv {
            interp: self,
            run,
            input,
            vars: &frame.vars,
            context: OnceCell::new(),
            states: OnceCell::new(),
            result: None,
            error_output: None,
            retry_count: 0,
            task_token: None,
        }
    }

    /// Evaluates a template for a state, with engine failures prefixed.
    fn eval(
        &self,
        run: &StateRun<'_>,
        t: &Template,
        env: &mut StateEnv<'_>,
    ) -> Result<Value, Fault> {
        t.eval(env).map_err(|f| self.engine_failure(run, f))
    }

    /// InputPath.
    fn effective_input(&self, run: &StateRun<'_>, frame: &Frame) -> Result<Json, Fault> {
        match &run.state.io.input_path {
            None => Ok(run.input.clone()),
            Some(None) => Ok(Arc::new(json!({}))),
            Some(Some(path)) => self.select_path(run, path, &run.input, frame).map(Arc::new),
        }
    }

    /// Selects a path from `value` (or from the context object or a variable), with AWS's
    /// "Invalid path" cause when a reference path finds nothing.
    fn select_path(
        &self,
        run: &StateRun<'_>,
        path: &Path,
        value: &Value,
        frame: &Frame,
    ) -> Result<Value, Fault> {
        if path.is_root() && *path.root() == switchback_jsonpath::Root::Input {
            return Ok(value.clone());
        }
        let env = self.env(run, value, frame);
        let root = template::root_value(path, &env);
        let detail = match root {
            Some(r) if path.is_root() => return Ok(r.clone()),
            Some(r) => match path.select(r) {
                Ok(v) => return Ok(v),
                Err(e) => e.to_string(),
            },
            None => format!("No results for path: {}", path.normalized()),
        };
        Err(self.engine_failure(
            run,
            Failure::runtime(format!("Invalid path '{}' : {detail}", path.as_str())),
        ))
    }

    /// ResultPath: merges `result` into the state's raw input.
    fn apply_result_path(
        &self,
        run: &StateRun<'_>,
        result_path: &Option<Option<Path>>,
        result: Json,
        frame: &Frame,
    ) -> Result<Json, Fault> {
        match result_path {
            None => Ok(result),
            Some(None) => Ok(run.input.clone()),
            Some(Some(path)) if path.is_root() => Ok(result),
            Some(Some(path)) => {
                let target = Value::clone(&run.input);
                let value = Arc::try_unwrap(result).unwrap_or_else(|shared| Value::clone(&shared));
                // Merged size <= input + result + the keys the path may create.
                let bound = frame.input_size.get().and_then(|input| {
                    json_size_within(&value, self.limits.max_payload_bytes)
                        .map(|result| input + result + 4 * path.as_str().len() + 8)
                });
                let merged = path.write(target, value).map(Arc::new);
                if let (Ok(m), Some(b)) = (&merged, bound) {
                    frame.output_bound.set(Some((Arc::as_ptr(m) as usize, b)));
                }
                merged.map_err(|e| {
                    let detail = match e {
                        switchback_jsonpath::WriteError::MissingProperty { normalized } => {
                            format!("Missing property in path {normalized}")
                        }
                        switchback_jsonpath::WriteError::NotWritable => {
                            "the path cannot be written".to_string()
                        }
                    };
                    self.engine_failure(
                        run,
                        Failure::runtime(format!("Invalid path '{}' : {detail}", path.as_str())),
                    )
                })
            }
        }
    }

    /// OutputPath.
    fn apply_output_path(
        &self,
        run: &StateRun<'_>,
        value: Json,
        frame: &Frame,
    ) -> Result<Json, Fault> {
        match &run.state.io.output_path {
            None => Ok(value),
            Some(None) => Ok(Arc::new(json!({}))),
            Some(Some(path)) => self.select_path(run, path, &value, frame).map(Arc::new),
        }
    }

    /// The payload limit on a state's output.
    fn check_size(&self, run: &StateRun<'_>, output: &Json, frame: &Frame) -> Result<(), Fault> {
        let limit = self.limits.max_payload_bytes;
        let known = match frame.output_bound.take() {
            Some((addr, bound)) if addr == Arc::as_ptr(output) as usize && bound <= limit => {
                Some(bound)
            }
            _ if Arc::ptr_eq(output, &run.input) => frame.input_size.get().filter(|s| *s <= limit),
            _ => None,
        };
        let size = known.or_else(|| json_size_within(output, limit));
        frame.input_size.set(size);
        if size.is_none() {
            return Err(Fault::new(names::DATA_LIMIT_EXCEEDED, format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    run.state.name
                )));
        }
        Ok(())
    }

    /// Evaluates `Assign` (if any) into the frame's variables.
    fn assign(
        &self,
        run: &StateRun<'_>,
        assign: Option<&Template>,
        env_input: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
        frame: &mut Frame,
    ) -> Result<(), Fault> {
        let Some(t) = assign else { return Ok(()) };
        let value = {
            let mut env = self.env(run, env_input, frame);
            env.result = result;
            env.error_output = error_output;
            self.eval_located(run, t, &mut env, "Assign", frame)?
        };
        if let Value::Object(map) = value {
            if !map.is_empty() {
                frame.vars.assign(map.clone());
                frame.assigned = Some(Box::new(map));
            }
        }
        Ok(())
    }

    /// Evaluates a template; JSONata failures also record `EvaluationFailed`.
    fn eval_located(
        &self,
        run: &StateRun<'_>,
        t: &Template,
        env: &mut StateEnv<'_>,
        location: &str,
        frame: &Frame,
    ) -> Result<Value, Fault> {
        match self.eval(run, t, env) {
            Ok(v) => Ok(v),
            Err(f) if f.error == names::QUERY_EVALUATION_ERROR => {
                // AWS links a Pass state's EvaluationFailed to the event before the state
                // was entered, as if the state had not begun (recorded that way).
                let detached = matches!(run.state.kind, StateKind::Pass { .. });
                self.evaluation_failed(
                    run,
                    &f,
                    Some(f.location.as_deref().unwrap_or(location)),
                    frame,
                    detached,
                );
                Err(f)
            }
            Err(f) => Err(f),
        }
    }

    /// Exits a state: payload limit, `StateExited`, the transition.
    fn exit(
        &self,
        run: &StateRun<'_>,
        output: Json,
        next: Option<Transition>,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        self.check_size(run, &output, frame)?;
        frame.prev.set(self.emit(
            frame.prev.get(),
            EventKind::StateExited {
                state_type: run.state.kind.type_name(),
                name: run.state.name.clone(),
                output: output.clone(),
                assigned: frame.assigned.take(),
            },
        ));
        Ok(match next {
            Some(Transition::Next(i)) => Step::Next(i, output),
            _ => Step::End(output),
        })
    }

    /// The common tail for JSONPath states: ResultSelector, Assign, ResultPath, OutputPath.
    /// For JSONata states: Output and Assign.
    fn finish(&self, run: &StateRun<'_>, result: Json, frame: &mut Frame) -> Result<Json, Fault> {
        let state = run.state;
        match state.query_language {
            QueryLanguage::JsonPath => {
                let selected = match &state.io.result_selector {
                    Some(t) => {
                        let mut env = self.env(run, &result, frame);
                        Arc::new(self.eval(run, t, &mut env)?)
                    }
                    None => result,
                };
                self.assign(run, state.assign.as_ref(), &selected, None, None, frame)?;
                let merged = self.apply_result_path(run, &state.io.result_path, selected, frame)?;
                self.apply_output_path(run, merged, frame)
            }
            QueryLanguage::Jsonata => {
                let output = match &state.io.output {
                    Some(t) => {
                        let mut env = self.env(run, &run.input, frame);
                        env.result = Some(&result);
                        Arc::new(self.eval_located(run, t, &mut env, "Output", frame)?)
                    }
                    None => result.clone(),
                };
                self.assign(
                    run,
                    state.assign.as_ref(),
                    &run.input,
                    Some(&result),
                    None,
                    frame,
                )?;
                Ok(output)
            }
        }
    }

    // ---- states ------------------------------------------------------------------------

    fn pass(
        &self,
        run: &StateRun<'_>,
        result: Option<&Value>,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let state = run.state;
        let output = match state.query_language {
            QueryLanguage::JsonPath => {
                let effective = self.effective_input(run, frame)?;
                let produced = match (result, &state.io.parameters) {
                    (Some(r), _) => Arc::new(r.clone()),
                    (None, Some(t)) => {
                        let mut env = self.env(run, &effective, frame);
                        Arc::new(self.eval(run, t, &mut env)?)
                    }
                    (None, None) => effective,
                };
                self.assign(run, state.assign.as_ref(), &produced, None, None, frame)?;
                let merged = self.apply_result_path(run, &state.io.result_path, produced, frame)?;
                self.apply_output_path(run, merged, frame)?
            }
            QueryLanguage::Jsonata => {
                let result_value = result
                    .map(|r| Arc::new(r.clone()))
                    .unwrap_or_else(|| run.input.clone());
                self.finish(run, result_value, frame)?
            }
        };
        self.exit(run, output, state.transition, frame)
    }

    fn succeed(&self, run: &StateRun<'_>, frame: &mut Frame) -> Result<Step, Fault> {
        let output = self.passthrough_output(run, frame)?;
        self.exit(run, output, Some(Transition::End), frame)
    }

    /// Output of states that produce no result (Succeed, Wait, Choice): InputPath then
    /// OutputPath, or JSONata `Output`.
    fn passthrough_output(&self, run: &StateRun<'_>, frame: &mut Frame) -> Result<Json, Fault> {
        match run.state.query_language {
            QueryLanguage::JsonPath => {
                let effective = self.effective_input(run, frame)?;
                self.assign(
                    run,
                    run.state.assign.as_ref(),
                    &effective,
                    None,
                    None,
                    frame,
                )?;
                self.apply_output_path(run, effective, frame)
            }
            QueryLanguage::Jsonata => self.finish(run, run.input.clone(), frame),
        }
    }

    fn fail_state(
        &self,
        run: &StateRun<'_>,
        error: &Option<StringSource>,
        cause: &Option<StringSource>,
        frame: &mut Frame,
    ) -> Fault {
        let resolve = |src: &Option<StringSource>, field: &str| -> Result<Option<String>, Fault> {
            let Some(src) = src else { return Ok(None) };
            match src {
                StringSource::Literal(s) => Ok(Some(s.clone())),
                StringSource::Path(p) => {
                    let env = self.env(run, &run.input, frame);
                    let found = template::select(p, &env).ok_or_else(|| {
                        self.engine_failure(
                            run,
                            Failure::runtime(format!(
                                "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{}'",
                                p.as_str(),
                                template::compact(&run.input)
                            )),
                        )
                    })?;
                    Ok(Some(string_of(found)))
                }
                StringSource::Expr(t) => {
                    let mut env = self.env(run, &run.input, frame);
                    Ok(Some(string_of(self.eval(run, t, &mut env)?)))
                }
            }
        };
        let error = match resolve(error, "ErrorPath") {
            Ok(e) => e,
            Err(f) => return f,
        };
        let cause = match resolve(cause, "CausePath") {
            Ok(c) => c,
            Err(f) => return f,
        };
        Fault::new(error.unwrap_or_default(), cause.unwrap_or_default())
    }

    fn choice(
        &self,
        run: &StateRun<'_>,
        choices: &[ChoiceBranch],
        default: Option<usize>,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let effective = match run.state.query_language {
            QueryLanguage::JsonPath => self.effective_input(run, frame)?,
            QueryLanguage::Jsonata => run.input.clone(),
        };
        let mut chosen = None;
        for branch in choices {
            let mut env = self.env(run, &effective, frame);
            let matched = branch
                .rule
                .eval(&mut env)
                .map_err(|f| self.engine_failure(run, f));
            let matched = match matched {
                Ok(m) => m,
                Err(f) if f.error == names::QUERY_EVALUATION_ERROR => {
                    self.evaluation_failed(run, &f, Some("Condition"), frame, false);
                    return Err(f);
                }
                Err(f) => return Err(f),
            };
            if matched {
                chosen = Some(branch);
                break;
            }
        }
        let (next, output) = match chosen {
            Some(branch) => {
                let output = self.choice_output(
                    run,
                    &effective,
                    branch.output.as_ref(),
                    branch.assign.as_ref(),
                    frame,
                )?;
                (branch.next, output)
            }
            None => match default {
                Some(d) => (
                    d,
                    self.choice_output(run, &effective, None, run.state.assign.as_ref(), frame)?,
                ),
                None => return Err(Fault::new(names::NO_CHOICE_MATCHED, "No Matches!")),
            },
        };
        self.exit(run, output, Some(Transition::Next(next)), frame)
    }

    fn choice_output(
        &self,
        run: &StateRun<'_>,
        effective: &Json,
        output: Option<&Template>,
        assign: Option<&Template>,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        match run.state.query_language {
            QueryLanguage::JsonPath => {
                self.assign(run, assign, effective, None, None, frame)?;
                self.apply_output_path(run, effective.clone(), frame)
            }
            QueryLanguage::Jsonata => {
                let out = match output.or(run.state.io.output.as_ref()) {
                    Some(t) => {
                        let mut env = self.env(run, &run.input, frame);
                        Arc::new(self.eval_located(run, t, &mut env, "Output", frame)?)
                    }
                    None => run.input.clone(),
                };
                self.assign(run, assign, &run.input, None, None, frame)?;
                Ok(out)
            }
        }
    }

    async fn wait(
        &self,
        run: &StateRun<'_>,
        how: &WaitFor,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let effective = match run.state.query_language {
            QueryLanguage::JsonPath => self.effective_input(run, frame)?,
            QueryLanguage::Jsonata => run.input.clone(),
        };
        let deadline = self.wait_deadline(run, how, &effective, frame)?;
        self.driver.sleep_until(deadline).await;
        let output = self.passthrough_output(run, frame)?;
        self.exit(run, output, run.state.transition, frame)
    }

    fn wait_deadline(
        &self,
        run: &StateRun<'_>,
        how: &WaitFor,
        input: &Value,
        frame: &mut Frame,
    ) -> Result<Timestamp, Fault> {
        let now = run.entered_time;
        let fail = |f: Failure| self.engine_failure(run, f);
        match how {
            WaitFor::Seconds(src) => {
                let seconds: i64 = match src {
                    NumberSource::Literal(n) => *n as i64,
                    NumberSource::Path(p) => {
                        let v = self.wait_path_value(run, p, input, frame, "SecondsPath")?;
                        let n = v.as_i64().ok_or_else(|| {
                            fail(Failure::runtime(format!(
                                "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                                p.as_str(),
                                template::compact(&v)
                            )))
                        })?;
                        if n < 0 {
                            return Err(fail(Failure::runtime(format!(
                                "The SecondsPath parameter references a negative value: {} == {}",
                                p.as_str(),
                                n
                            ))));
                        }
                        n
                    }
                    NumberSource::Expr(t) => {
                        let mut env = self.env(run, input, frame);
                        let v = self.eval_located(run, t, &mut env, "Seconds", frame)?;
                        v.as_i64().filter(|n| *n >= 0).ok_or_else(|| {
                            fail(Failure::query(format!(
                                "The JSONata expression '{}' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was '{}' for value: {}",
                                jsonata_source(t),
                                switchback_asl::choice::json_type_name(&v),
                                template::compact(&v)
                            )))
                        })?
                    }
                };
                if seconds > MAX_WAIT_SECONDS {
                    return Err(fail(Failure::runtime("Wait state delay is too long.")));
                }
                now.checked_add(jiff::SignedDuration::from_secs(seconds))
                    .map_err(|_| fail(Failure::runtime("Wait state delay is too long.")))
            }
            WaitFor::Timestamp(src) => {
                let (text, shown) = match src {
                    StringSource::Literal(s) => (s.clone(), s.clone()),
                    StringSource::Path(p) => {
                        let v = self.wait_path_value(run, p, input, frame, "TimestampPath")?;
                        let s = v
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| template::compact(&v));
                        (s.clone(), format!("{} == {}", p.as_str(), s))
                    }
                    StringSource::Expr(t) => {
                        let mut env = self.env(run, input, frame);
                        let v = self.eval_located(run, t, &mut env, "Timestamp", frame)?;
                        let s = v
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| template::compact(&v));
                        (s.clone(), s)
                    }
                };
                let parsed = switchback_asl::timestamp::parse(&text);
                match (parsed, src) {
                    (Some(t), _) => {
                        if t.as_second() - now.as_second() > MAX_WAIT_SECONDS {
                            return Err(fail(Failure::runtime("Wait state delay is too long.")));
                        }
                        Ok(t)
                    }
                    (None, StringSource::Path(_)) => Err(fail(Failure::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {shown}"
                    )))),
                    (None, _) => {
                        let f = fail(Failure::query(format!(
                            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {shown}"
                        )));
                        self.evaluation_failed(run, &f, Some("Timestamp"), frame, false);
                        Err(f)
                    }
                }
            }
        }
    }

    /// The value a Wait state's SecondsPath/TimestampPath names, or AWS's cause when it is missing.
    fn wait_path_value(
        &self,
        run: &StateRun<'_>,
        p: &Path,
        input: &Value,
        frame: &Frame,
        field: &str,
    ) -> Result<Value, Fault> {
        self.lookup(run, p, input, frame).ok_or_else(|| {
            self.engine_failure(
                run,
                Failure::runtime(format!(
                    "The {field} parameter does not reference an input value: {}",
                    p.as_str()
                )),
            )
        })
    }

    /// Selects a path for a state field (input, context or variable root); `None` if missing.
    fn lookup(
        &self,
        run: &StateRun<'_>,
        path: &Path,
        input: &Value,
        frame: &Frame,
    ) -> Option<Value> {
        let env = self.env(run, input, frame);
        template::select(path, &env)
    }

    /// Resolves a numeric field (MaxConcurrency, ToleratedFailureCount, TimeoutSeconds ...).
    fn number(
        &self,
        run: &StateRun<'_>,
        src: &NumberSource,
        field: &str,
        input: &Value,
        frame: &mut Frame,
    ) -> Result<f64, Fault> {
        match src {
            NumberSource::Literal(n) => Ok(*n),
            NumberSource::Path(p) => {
                let v = self.lookup(run, p, input, frame);
                let integer = match &v {
                    Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.as_f64(),
                    Some(Value::String(s)) => s.trim().parse::<i64>().ok().map(|n| n as f64),
                    _ => None,
                };
                match integer {
                    Some(n) => Ok(n),
                    None => {
                        let shown = match &v {
                            Some(Value::String(s)) => s.clone(),
                            Some(other) => template::compact(other),
                            None => "null".into(),
                        };
                        Err(self.engine_failure(
                            run,
                            Failure::runtime(format!(
                                "The {field}Path field refers to value \"{shown}\" which is not a valid integer: {}",
                                p.as_str()
                            )),
                        ))
                    }
                }
            }
            NumberSource::Expr(t) => {
                let mut env = self.env(run, input, frame);
                let v = self.eval_located(run, t, &mut env, field, frame)?;
                v.as_f64().ok_or_else(|| {
                    self.engine_failure(
                        run,
                        Failure::query(format!(
                            "The JSONata expression '{}' specified for the field '{field}' returned an unexpected result type. Expected 'integer', but was '{}' for value: {}",
                            jsonata_source(t),
                            switchback_asl::choice::json_type_name(&v),
                            template::compact(&v)
                        )),
                    )
                })
            }
        }
    }

    // ---- Task, Parallel, Map: the states that Retry and Catch apply to ------------------

    async fn with_retry_and_catch(
        &self,
        run: &StateRun<'_>,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let state = run.state;
        let mut attempts = vec![0u32; state.retry.len()];
        let mut retry_count = 0u32;
        loop {
            let outcome = self.action(run, retry_count, frame).await;
            let fault = match outcome {
                Ok(result) => {
                    let output = self.finish(run, result, frame)?;
                    return self.exit(run, output, state.transition, frame);
                }
                Err(f) => f,
            };
            if let Some((i, retrier)) =
                errors::find_retrier_from(&state.retry, &fault.error, fault.from_task)
            {
                if attempts[i] < retrier.max_attempts {
                    let mut delay = retrier.delay_seconds(attempts[i]);
                    if retrier.jitter_full {
                        delay *= (self.random_u64() >> 11) as f64 / (1u64 << 53) as f64;
                    }
                    attempts[i] += 1;
                    retry_count += 1;
                    let deadline =
                        self.lanes.time() + jiff::SignedDuration::from_secs_f64(delay.max(0.0));
                    self.driver.sleep_until(deadline).await;
                    continue;
                }
            }
            if fault.error != names::RUNTIME {
                if let StateKind::Parallel { .. } | StateKind::Map(_) = state.kind {
                    let failed = if matches!(state.kind, StateKind::Map(_)) {
                        "MapStateFailed"
                    } else {
                        "ParallelStateFailed"
                    };
                    frame
                        .prev
                        .set(self.emit(frame.prev.get(), EventKind::Bare(failed)));
                }
            }
            if let Some(catcher) =
                errors::find_catcher_from(&state.catch, &fault.error, fault.from_task)
            {
                return self.catch(run, catcher, fault, frame);
            }
            return Err(fault);
        }
    }

    fn catch(
        &self,
        run: &StateRun<'_>,
        catcher: &Catcher,
        fault: Fault,
        frame: &mut Frame,
    ) -> Result<Step, Fault> {
        let error_output = json!({"Error": fault.error, "Cause": fault.cause});
        let output = match run.state.query_language {
            QueryLanguage::JsonPath => {
                self.assign(
                    run,
                    catcher.assign.as_ref(),
                    &error_output,
                    None,
                    None,
                    frame,
                )?;
                self.apply_result_path(run, &catcher.result_path, Arc::new(error_output), frame)?
            }
            QueryLanguage::Jsonata => {
                let out = match &catcher.output {
                    Some(t) => {
                        let mut env = self.env(run, &run.input, frame);
                        env.error_output = Some(&error_output);
                        Arc::new(self.eval_located(run, t, &mut env, "Output", frame)?)
                    }
                    None => Arc::new(error_output.clone()),
                };
                self.assign(
                    run,
                    catcher.assign.as_ref(),
                    &run.input,
                    None,
                    Some(&error_output),
                    frame,
                )?;
                out
            }
        };
        self.exit(run, output, Some(Transition::Next(catcher.next)), frame)
    }

    /// The state's own work, once: its input processing, then the task/branches/iterations.
    async fn action(
        &self,
        run: &StateRun<'_>,
        retry_count: u32,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        // A task that hands out a token needs it before its Parameters are evaluated.
        let task_token = match &run.state.kind {
            StateKind::Task(spec) if needs_token(&spec.resource) => {
                Some(self.task_token(run, retry_count))
            }
            _ => None,
        };
        let input = self.action_input(run, retry_count, task_token.as_deref(), frame)?;
        match &run.state.kind {
            StateKind::Task(spec) => {
                self.task(run, spec, input, retry_count, task_token, frame)
                    .await
            }
            StateKind::Parallel { branches } => self.parallel(run, branches, input, frame).await,
            StateKind::Map(spec) => self.map(run, spec, frame).await,
            _ => Ok(input),
        }
    }

    /// InputPath and Parameters (JSONPath) or Arguments (JSONata).
    fn action_input(
        &self,
        run: &StateRun<'_>,
        retry_count: u32,
        task_token: Option<&str>,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let state = run.state;
        let base = match state.query_language {
            QueryLanguage::JsonPath => self.effective_input(run, frame)?,
            QueryLanguage::Jsonata => run.input.clone(),
        };
        match &state.io.parameters {
            Some(t) => {
                let mut env = self.env(run, &base, frame);
                env.retry_count = retry_count;
                env.task_token = task_token;
                Ok(Arc::new(self.eval_located(
                    run,
                    t,
                    &mut env,
                    "Arguments",
                    frame,
                )?))
            }
            None => Ok(base),
        }
    }

    async fn task(
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
        let kind = ResourceKind::of(&spec.resource, &self.exec.region);
        let events = TaskEvents::new(&kind, &spec.resource);
        let scheduled = self.schedule_task(&kind, &events, &input, timeout, heartbeat, frame);
        // `TimeoutSeconds` runs from the scheduling, across every phase of the task.
        let deadline = timeout.map(|seconds| {
            self.lanes.time()
                + jiff::SignedDuration::from_secs(seconds.min(MAX_WAIT_SECONDS as u64) as i64)
        });
        let mut request = TaskRequest {
            state_name: run.state.name.clone(),
            resource: spec.resource.clone(),
            input,
            attempt,
            timeout_seconds: timeout,
            heartbeat_seconds: heartbeat,
            idempotency_key: format!("{}:{scheduled}", self.exec.execution_arn).into(),
            task_token,
            phase: if kind == ResourceKind::Activity {
                TaskPhase::AwaitStart
            } else {
                TaskPhase::Dispatch
            },
            pattern: IntegrationPattern::of(&spec.resource),
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
                        .set(self.emit(frame.prev.get(), events.submitted(Arc::new(response))));
                    request.phase = TaskPhase::AwaitResult;
                }
                TaskOutcome::Started { worker_name } => {
                    frame.prev.set(
                        self.emit(frame.prev.get(), EventKind::ActivityStarted { worker_name }),
                    );
                    request.phase = TaskPhase::AwaitResult;
                }
                TaskOutcome::Succeeded(value) => {
                    // A result over the payload limit is the task's failure, as in AWS.
                    if json_size_within(&value, self.limits.max_payload_bytes).is_none() {
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
                    let output = Arc::new(value);
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
        kind: &ResourceKind,
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
                    input: input.clone(),
                    timeout_seconds: timeout,
                },
                Some(EventKind::LambdaFunctionStarted),
            ),
            TaskEvents::Activity { arn } => (
                EventKind::ActivityScheduled {
                    resource: arn.clone(),
                    input: input.clone(),
                    timeout_seconds: timeout,
                    heartbeat_seconds: heartbeat,
                },
                None,
            ),
            TaskEvents::Task(resource) => {
                let region: Arc<str> = match kind {
                    ResourceKind::Service { region, .. } => region.as_str().into(),
                    _ => self.exec.region.clone(),
                };
                (
                    EventKind::TaskScheduled {
                        resource: resource.clone(),
                        region,
                        parameters: input.clone(),
                        timeout_seconds: timeout,
                        heartbeat_seconds: heartbeat,
                    },
                    Some(EventKind::TaskStarted {
                        resource: resource.clone(),
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
    fn task_token(&self, run: &StateRun<'_>, attempt: u32) -> Arc<str> {
        let (a, b) = (self.random_u64(), self.random_u64());
        format!("{a:016x}{b:016x}{:08x}{attempt:04x}", run.entered).into()
    }

    async fn parallel(
        &self,
        _run: &StateRun<'_>,
        branches: &[Scope],
        input: Json,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let started = self.emit(frame.prev.get(), EventKind::Bare("ParallelStateStarted"));
        frame.prev.set(started);
        let outer = Arc::new(frame.vars.clone());
        let mut frames: Vec<Frame> = branches
            .iter()
            .map(|_| Frame {
                vars: Vars::nested(outer.clone()),
                prev: Cell::new(started),
                assigned: None,
                input_size: Cell::new(None),
                output_bound: Cell::new(None),
            })
            .collect();
        // The first branch to fail fails the Parallel at once and stops the others, as AWS
        // does ("all its branches are stopped"): the other branches' futures are dropped.
        let results =
            {
                let futures = branches.iter().zip(frames.iter_mut()).enumerate().map(
                    |(index, (branch, f))| {
                        let lane = self.lanes.spawn(index);
                        self.lanes
                            .run_in(lane, self.run_scope(branch, input.clone(), f))
                    },
                );
                try_join_all(futures).await
            };
        let last = frames.iter().map(|f| f.prev.get()).max().unwrap_or(started);
        let results = match results {
            Ok(results) => results,
            Err(fault) => {
                frame.prev.set(last);
                return Err(fault);
            }
        };
        let mut outputs = Vec::with_capacity(results.len());
        for v in results {
            outputs.push(Arc::try_unwrap(v).unwrap_or_else(|s| Value::clone(&s)));
        }
        self.emit(last, EventKind::Bare("ParallelStateSucceeded"));
        frame.prev.set(last);
        Ok(Arc::new(Value::Array(outputs)))
    }

    async fn map(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let (base, items) = self.map_items(run, spec, frame)?;
        let max_concurrency = match &spec.max_concurrency {
            Some(src) => self.number(run, src, "MaxConcurrency", &base, frame)?,
            None => 0.0,
        };
        // The inputs of the iterations: ItemSelector / Parameters applied to each item.
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            inputs.push(self.item_input(run, spec, &base, index, item, frame)?);
        }
        let started = self.emit(
            frame.prev.get(),
            EventKind::MapStateStarted {
                length: items.len(),
            },
        );
        frame.prev.set(started);
        // AWS reads the tolerated-failure fields once the map has started.
        let tolerated_count = match &spec.tolerated_failure_count {
            Some(src) => {
                let n = self.number(run, src, "ToleratedFailureCount", &base, frame)?;
                if n < 0.0 {
                    return Err(self.engine_failure(
                        run,
                        Failure::runtime("ToleratedFailureCount cannot be negative."),
                    ));
                }
                Some(n)
            }
            None => None,
        };
        let tolerated_pct = match &spec.tolerated_failure_percentage {
            Some(src) => Some(self.number(run, src, "ToleratedFailurePercentage", &base, frame)?),
            None => None,
        };
        let outer = Arc::new(frame.vars.clone());
        let limit = if max_concurrency >= 1.0 {
            max_concurrency as usize
        } else {
            usize::MAX
        };
        match spec.mode {
            MapMode::Inline => {
                self.map_inline(run, spec, inputs, outer, limit, frame)
                    .await
            }
            MapMode::Distributed => {
                self.map_distributed(
                    run,
                    spec,
                    inputs,
                    outer,
                    limit,
                    tolerated_count,
                    tolerated_pct,
                    frame,
                )
                .await
            }
        }
    }

    /// The items a Map iterates over: ItemsPath (JSONPath) or Items (JSONata), and the value
    /// the item selector sees as `$`.
    fn map_items(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        frame: &mut Frame,
    ) -> Result<(Json, Vec<Value>), Fault> {
        match run.state.query_language {
            QueryLanguage::JsonPath => {
                let effective = self.effective_input(run, frame)?;
                let items = match &spec.items_path {
                    Some(p) => self.select_path(run, p, &effective, frame)?,
                    None => Value::clone(&effective),
                };
                match items {
                    Value::Array(a) => Ok((effective, a)),
                    other => Err(self.engine_failure(
                        run,
                        Failure::runtime(format!(
                            "Invalid path '{}' : The value at the path is not an array: {}",
                            spec.items_path.as_ref().map_or("$", |p| p.as_str()),
                            template::compact(&other)
                        )),
                    )),
                }
            }
            QueryLanguage::Jsonata => {
                let items = match &spec.items {
                    Some(t) => {
                        let mut env = self.env(run, &run.input, frame);
                        let outcome = match t {
                            Template::Jsonata { expr, field } => {
                                template::eval_jsonata(expr, field, &mut env).map_err(|f| self.engine_failure(run, f))
                            }
                            other => self.eval(run, other, &mut env).map(switchback_jsonata::Outcome::Value),
                        };
                        let outcome = match outcome {
                            Ok(o) => o,
                            Err(f) => {
                                self.evaluation_failed(run, &f, Some("Items"), frame, true);
                                return Err(f);
                            }
                        };
                        match outcome {
                            switchback_jsonata::Outcome::Value(Value::Array(a)) => a,
                            other => {
                                let cause = match &other {
                                    switchback_jsonata::Outcome::Value(v) => format!(
                                        "The JSONata expression '{}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '{}' for value: {}",
                                        jsonata_source(t),
                                        switchback_asl::choice::json_type_name(v),
                                        template::compact(v)
                                    ),
                                    switchback_jsonata::Outcome::Undefined => format!(
                                        "The JSONata expression '{}' specified for the field 'Items' returned nothing (undefined).",
                                        jsonata_source(t)
                                    ),
                                    switchback_jsonata::Outcome::Function => format!(
                                        "The JSONata expression '{}' specified for the field 'Items' returned an unsupported result type.",
                                        jsonata_source(t)
                                    ),
                                };
                                let f = self.engine_failure(run, Failure::query(cause));
                                self.evaluation_failed(run, &f, Some("Items"), frame, true);
                                return Err(f);
                            }
                        }
                    }
                    None => match &*run.input {
                        Value::Array(a) => a.clone(),
                        other => {
                            return Err(self.engine_failure(
                                run,
                                Failure::query(format!(
                                    "The Map state's input must be an array when 'Items' is not given, but was: {}",
                                    template::compact(other)
                                )),
                            ))
                        }
                    },
                };
                Ok((run.input.clone(), items))
            }
        }
    }

    fn item_input(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        base: &Value,
        index: usize,
        item: &Value,
        frame: &Frame,
    ) -> Result<Json, Fault> {
        let Some(t) = &spec.item_selector else {
            return Ok(Arc::new(item.clone()));
        };
        let item_run = StateRun {
            map_item: Some((index, item)),
            ..run.clone()
        };
        let mut env = self.env(&item_run, base, frame);
        let v = match t.eval(&mut env) {
            Ok(v) => v,
            Err(f) => return Err(self.engine_failure(run, f)),
        };
        Ok(Arc::new(v))
    }

    async fn map_inline(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        inputs: Vec<Json>,
        outer: Arc<Vars>,
        limit: usize,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let name = run.state.name.clone();
        let started = frame.prev.get();
        // Each iteration's MapIterationStarted follows the previous iteration's last event.
        let chain = RefCell::new(started);
        let last_done = RefCell::new(started);
        let iterations = inputs.into_iter().enumerate().map(|(index, input)| {
            let outer = outer.clone();
            let name = name.clone();
            let chain = &chain;
            let last_done = &last_done;
            let lane = self.lanes.spawn(index);
            self.lanes.run_in(
                lane,
                Box::pin(async move {
                    let begin = self.emit(
                        *chain.borrow(),
                        EventKind::MapIteration {
                            kind: "Started",
                            name: name.clone(),
                            index,
                        },
                    );
                    let mut f = Frame {
                        vars: Vars::nested(outer),
                        prev: Cell::new(begin),
                        assigned: None,
                        input_size: Cell::new(None),
                        output_bound: Cell::new(None),
                    };
                    let result = self.run_scope(&spec.processor, input, &mut f).await;
                    *chain.borrow_mut() = f.prev.get();
                    let kind = if result.is_ok() {
                        "Succeeded"
                    } else {
                        "Failed"
                    };
                    let done =
                        self.emit(f.prev.get(), EventKind::MapIteration { kind, name, index });
                    *last_done.borrow_mut() = if result.is_ok() { done } else { f.prev.get() };
                    result
                }),
            )
        });
        let mut results = stream::iter(iterations).buffered(limit);
        let mut outputs = Vec::new();
        while let Some(r) = results.next().await {
            match r {
                Ok(v) => outputs.push(Arc::try_unwrap(v).unwrap_or_else(|s| Value::clone(&s))),
                Err(fault) => {
                    drop(results);
                    frame.prev.set(*last_done.borrow());
                    return Err(fault);
                }
            }
        }
        drop(results);
        let last = *last_done.borrow();
        self.emit(last, EventKind::Bare("MapStateSucceeded"));
        frame.prev.set(last);
        Ok(Arc::new(Value::Array(outputs)))
    }

    #[allow(clippy::too_many_arguments)]
    async fn map_distributed(
        &self,
        run: &StateRun<'_>,
        spec: &MapSpec,
        inputs: Vec<Json>,
        outer: Arc<Vars>,
        limit: usize,
        tolerated_count: Option<f64>,
        tolerated_pct: Option<f64>,
        frame: &mut Frame,
    ) -> Result<Json, Fault> {
        let map_run_arn = format!(
            "arn:aws:states:{}:{}:mapRun:{}/{}:{}",
            self.exec.region,
            account_of(&self.exec.state_machine_arn),
            self.exec.state_machine_name,
            spec.label
                .clone()
                .unwrap_or_else(|| run.state.name.to_string()),
            self.exec.name
        );
        frame
            .prev
            .set(self.emit(frame.prev.get(), EventKind::MapRunStarted { map_run_arn }));
        // Child executions keep their own histories; the parent records only the map run.
        let total = inputs.len();
        let iterations = inputs.into_iter().map(|input| {
            let outer = outer.clone();
            // Drawn here, in the map's lane, so a resumed run gives each child the same seed.
            let seed = self.random_u64();
            async move {
                let child =
                    Interpreter::new(self.machine, self.driver, self.exec.clone(), self.limits)
                        .with_seed(seed);
                let mut f = Frame {
                    vars: Vars::nested(outer),
                    prev: Cell::new(0),
                    assigned: None,
                    input_size: Cell::new(None),
                    output_bound: Cell::new(None),
                };
                child.run_scope(&spec.processor, input, &mut f).await
            }
        });
        let mut results = stream::iter(iterations).buffered(limit);
        let mut outputs = Vec::new();
        let mut failures = 0usize;
        while let Some(r) = results.next().await {
            match r {
                Ok(v) => outputs.push(Arc::try_unwrap(v).unwrap_or_else(|s| Value::clone(&s))),
                Err(_) => {
                    failures += 1;
                    outputs.push(Value::Null);
                }
            }
        }
        drop(results);
        let tolerated = failures == 0
            || tolerated_count.is_some_and(|c| failures as f64 <= c)
            || tolerated_pct
                .is_some_and(|p| total > 0 && (failures as f64 * 100.0 / total as f64) <= p);
        if !tolerated {
            let error = names::EXCEED_TOLERATED_FAILURE_THRESHOLD.to_string();
            let cause = "The specified tolerated failure threshold was exceeded".to_string();
            frame.prev.set(self.emit(
                frame.prev.get(),
                EventKind::MapRunFailed {
                    error: Some(error.clone()),
                    cause: Some(cause.clone()),
                },
            ));
            return Err(Fault::new(error, cause));
        }
        let succeeded = self.emit(frame.prev.get(), EventKind::Bare("MapRunSucceeded"));
        self.emit(succeeded, EventKind::Bare("MapStateSucceeded"));
        frame.prev.set(succeeded);
        Ok(Arc::new(Value::Array(outputs)))
    }
}

/// The account id in an ARN, for building other ARNs like it.
fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("123456789012")
}

/// Which family of history events records a task: `LambdaFunction*`, `Activity*` or `Task*`.
enum TaskEvents {
    Lambda { arn: Arc<str> },
    Activity { arn: Arc<str> },
    Task(TaskResource),
}

impl TaskEvents {
    fn new(kind: &ResourceKind, resource: &str) -> TaskEvents {
        match kind {
            ResourceKind::LambdaFunction => TaskEvents::Lambda {
                arn: resource.into(),
            },
            ResourceKind::Activity => TaskEvents::Activity {
                arn: resource.into(),
            },
            ResourceKind::Service {
                resource_type,
                resource,
                ..
            } => TaskEvents::Task(TaskResource {
                resource_type: resource_type.as_str().into(),
                resource: resource.as_str().into(),
            }),
            ResourceKind::Other => TaskEvents::Task(TaskResource {
                resource_type: "activity".into(),
                resource: resource.into(),
            }),
        }
    }

    fn submitted(&self, output: Json) -> EventKind {
        match self {
            TaskEvents::Task(resource) => EventKind::TaskSubmitted {
                resource: resource.clone(),
                output,
            },
            // Lambda functions and activities are never handed over; recorded as a task's.
            TaskEvents::Lambda { arn } | TaskEvents::Activity { arn } => EventKind::TaskSubmitted {
                resource: TaskResource {
                    resource_type: "activity".into(),
                    resource: arn.clone(),
                },
                output,
            },
        }
    }

    fn succeeded(&self, output: Json) -> EventKind {
        match self {
            TaskEvents::Lambda { .. } => EventKind::LambdaFunctionSucceeded { output },
            TaskEvents::Activity { .. } => EventKind::ActivitySucceeded { output },
            TaskEvents::Task(resource) => EventKind::TaskSucceeded {
                resource: resource.clone(),
                output,
            },
        }
    }

    fn failed(&self, error: String, cause: String) -> EventKind {
        let (error, cause) = (Some(error), Some(cause));
        match self {
            TaskEvents::Lambda { .. } => EventKind::LambdaFunctionFailed { error, cause },
            TaskEvents::Activity { .. } => EventKind::ActivityFailed { error, cause },
            TaskEvents::Task(resource) => EventKind::TaskFailed {
                resource: resource.clone(),
                error,
                cause,
            },
        }
    }

    fn timed_out(&self, error: String) -> EventKind {
        let (error, cause) = (Some(error), None);
        match self {
            TaskEvents::Lambda { .. } => EventKind::LambdaFunctionTimedOut { error, cause },
            TaskEvents::Activity { .. } => EventKind::ActivityTimedOut { error, cause },
            TaskEvents::Task(resource) => EventKind::TaskTimedOut {
                resource: resource.clone(),
                error,
                cause,
            },
        }
    }
}

fn jsonata_source(t: &Template) -> String {
    match t {
        Template::Jsonata { expr, .. } => expr.source().to_string(),
        Template::Literal(v) => template::compact(v),
        _ => String::new(),
    }
}

/// Whether a task's resource hands out a task token: `.waitForTaskToken` and activities.
fn needs_token(resource: &str) -> bool {
    IntegrationPattern::of(resource) == IntegrationPattern::WaitForTaskToken
        || crate::task::is_activity(resource)
}

/// Error and cause values become strings as AWS shows them.
fn string_of(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => template::compact(&other),
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
    map_item: Option<(usize, &'a Value)>,
}

/// [`Env`] for one evaluation inside a state.
struct StateEnv<'e> {
    interp: &'e Interpreter<'e>,
    run: &'e StateRun<'e>,
    input: &'e Value,
    vars: &'e Vars,
    context: OnceCell<Value>,
    states: OnceCell<Value>,
    result: Option<&'e Value>,
    error_output: Option<&'e Value>,
    retry_count: u32,
    /// `$$.Task.Token`, while evaluating the Parameters of a task that hands one out.
    task_token: Option<&'e str>,
}

impl Env for StateEnv<'_> {
    fn input(&self) -> &Value {
        self.input
    }

    fn context(&self) -> &Value {
        self.context.get_or_init(|| {
            context::build(
                &self.interp.exec,
                &StateInfo {
                    name: &self.run.state.name,
                    entered_time: self.run.entered_time,
                    retry_count: matches!(self.run.state.kind, StateKind::Task(_))
                        .then_some(self.retry_count),
                    map_item: self.run.map_item,
                    task_token: self.task_token,
                },
            )
        })
    }

    fn variable(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }

    fn variable_names(&self) -> Vec<String> {
        self.vars.names()
    }

    fn states(&self) -> &Value {
        self.states.get_or_init(|| {
            let mut m = Map::new();
            m.insert("input".into(), Value::clone(&self.run.input));
            m.insert("context".into(), self.context().clone());
            if let Some(r) = self.result {
                m.insert("result".into(), r.clone());
            }
            if let Some(e) = self.error_output {
                m.insert("errorOutput".into(), e.clone());
            }
            Value::Object(m)
        })
    }

    fn random_u64(&mut self) -> u64 {
        self.interp.random_u64()
    }
}
