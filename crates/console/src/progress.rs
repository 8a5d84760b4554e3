//! What had happened to each state of an execution by a given event: the colours of the graph.
//!
//! The history is read as *visits*: a state is entered (`*StateEntered`), perhaps fails and is
//! retried (a failure event, then a new `*Scheduled`), and is left (`*StateExited`) or not.
//! A visit's outcome is then one of the [`StateStatus`] values:
//!
//! - exited with no outstanding failure: succeeded; exited after a failure: caught (a Catch
//!   took it elsewhere, and AWS records the exit);
//! - still open: in progress, unless its strand has ended, in which case it failed (a failure
//!   was recorded, or it is a Fail state) or it was cancelled (the execution was stopped or
//!   timed out, or a sibling branch failed and the Parallel or Map around it ended).
//!
//! Strands come from the store's *lanes*: every Parallel branch and Map iteration is a lane,
//! and a lane's parent is found from its first event (a Map iteration names its Map state; a
//! branch's first event follows its Parallel's `ParallelStateStarted`). Knowing the parent
//! lets the console show one Map iteration alone (the iteration's lane and every lane inside
//! it) and lets a strand end when the state around it ends.
//!
//! AWS's own console computes the same from the same events; no extra bookkeeping is kept by
//! the engine for it, so an execution recorded before the console existed is drawn too.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use switchback_engine::history::{EventType, IterationPhase, StateEvent, StateType};
use switchback_engine::ExecutionStatus;

use crate::event_log::EventSummary;

/// What happened to a state, as the graph shows it (in colour and in words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateStatus {
    NotReached,
    InProgress,
    Succeeded,
    Caught,
    Cancelled,
    Failed,
}

impl StateStatus {
    /// The words shown next to the colour.
    pub fn label(self) -> &'static str {
        match self {
            StateStatus::NotReached => "Not reached",
            StateStatus::InProgress => "In progress",
            StateStatus::Succeeded => "Succeeded",
            StateStatus::Caught => "Caught error",
            StateStatus::Cancelled => "Cancelled",
            StateStatus::Failed => "Failed",
        }
    }
}

/// One visit of a state.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Visit {
    /// The state's name.
    pub state: String,
    /// The lane it ran in (as text: lane keys do not fit JavaScript's numbers).
    #[serde(serialize_with = "as_text")]
    pub lane: i64,
    /// `*StateEntered`'s id and time (µs).
    pub entered_id: i64,
    pub entered_at: i64,
    /// `*StateExited`'s id and time, once it left.
    pub exited_id: Option<i64>,
    pub exited_at: Option<i64>,
    /// The last failure event of the visit, with its error and cause.
    pub failure_id: Option<i64>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// How many times it was retried.
    pub retries: u32,
    /// What came of it.
    pub status: StateStatus,
    /// Whether the last failure is still outstanding (not followed by a retry).
    #[serde(skip)]
    failing: bool,
    /// Whether this is a Fail state (it fails by being entered).
    #[serde(skip)]
    is_fail_state: bool,
}

/// What happened to one state, over the visits in view.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateProgress {
    pub status: StateStatus,
    pub label: &'static str,
    /// How many visits are in view (loops and Map iterations visit a state many times).
    pub visits: usize,
    /// How many of those visits ended each way, when there is more than one.
    pub counts: BTreeMap<&'static str, usize>,
    /// The visit the details panel shows: the one that decided the status.
    pub visit: Visit,
}

/// One Map iteration.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Iteration {
    pub index: u64,
    #[serde(serialize_with = "as_text")]
    pub lane: i64,
    /// `running`, `succeeded`, `failed` or `aborted`.
    pub status: &'static str,
}

/// The iterations of one Map state, at most [`MAX_LISTED_ITERATIONS`] of them listed.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Iterations {
    pub total: usize,
    pub listed: Vec<Iteration>,
}

/// How many iterations of a Map are sent to the browser; the rest are counted.
pub const MAX_LISTED_ITERATIONS: usize = 1_000;

/// Everything the execution page draws for one moment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// The last event taken into account.
    pub at: i64,
    /// That event's time (µs), type and state, for the timeline's caption.
    pub at_time: Option<i64>,
    pub at_kind: Option<String>,
    pub at_state: Option<String>,
    /// The execution's last event.
    pub last: i64,
    /// The execution's status at that moment.
    pub status: ExecutionStatus,
    /// The states that were reached, by name; the others were not.
    pub states: BTreeMap<String, StateProgress>,
    /// The iterations of each Map state, by the Map state's name.
    pub iterations: BTreeMap<String, Iterations>,
}

fn as_text<S: serde::Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// What one lane is, and whether it has ended.
#[derive(Debug, Clone, Copy)]
struct LaneInfo {
    /// The visit (index into `visits`) of the Parallel or Map state the lane runs inside.
    parent_visit: Option<usize>,
    /// The lane that visit ran in.
    parent_lane: Option<i64>,
    /// A Map iteration ended (`MapIterationSucceeded/Failed/Aborted`).
    ended: bool,
}

/// The history up to `at` (every event with a smaller or equal id), read as visits.
struct Reader<'a> {
    events: &'a [EventSummary],
    visits: Vec<Visit>,
    /// The open visit of each lane, innermost last (a Parallel stays open while it runs).
    open: HashMap<i64, Vec<usize>>,
    lanes: HashMap<i64, LaneInfo>,
    iterations: BTreeMap<String, Vec<Iteration>>,
    status: ExecutionStatus,
}

/// Computes the progress at event `at` (`None`: the latest), showing only lane `scope` and
/// the lanes inside it when given (one Map iteration).
pub fn progress(events: &[EventSummary], at: Option<i64>, scope: Option<i64>) -> Progress {
    let last = events.last().map_or(0, |e| e.id);
    let at = at.unwrap_or(last).clamp(0, last);
    let upto = events.partition_point(|e| e.id <= at);
    let mut reader = Reader {
        events: &events[..upto],
        visits: Vec::new(),
        open: HashMap::new(),
        lanes: HashMap::new(),
        iterations: BTreeMap::new(),
        status: ExecutionStatus::Running,
    };
    reader.read();
    reader.close_ended();
    let moment = upto.checked_sub(1).and_then(|i| events.get(i));
    Progress {
        at,
        at_time: moment.map(|e| e.timestamp),
        at_kind: moment.map(|e| e.kind.to_string()),
        at_state: moment.and_then(|e| e.name.as_deref().map(str::to_string)),
        last,
        status: reader.status,
        states: reader.states(scope),
        iterations: reader.iteration_lists(),
    }
}

impl Reader<'_> {
    fn read(&mut self) {
        let events = self.events;
        for e in events {
            if !self.lanes.contains_key(&e.lane) {
                self.new_lane(e);
            }
            let kind = e.kind;
            if let Some(state) = kind.state_event() {
                match state {
                    StateEvent::Entered(t) => self.enter(e, t == StateType::Fail),
                    StateEvent::Exited(_) => self.exit(e),
                }
            } else if let Some(phase) = kind.iteration_phase() {
                self.iteration(e, phase);
            } else if let Some(status) = kind.execution_status() {
                self.execution(kind, status);
            } else if kind.is_task_attempt() {
                self.attempt_in(e.lane);
            } else if kind.is_state_failure() {
                self.fail(e);
            }
        }
    }

    /// Registers a lane at its first event and finds its parent.
    fn new_lane(&mut self, first: &EventSummary) {
        let (parent_lane, parent_visit) = if first.lane == 0 {
            (None, None)
        } else if first.kind.iteration_phase().is_some() {
            // The iteration's Map state is the open visit of that name in another lane.
            let name = first.name.as_deref().unwrap_or_default();
            self.open_visit_named(name, first.lane)
        } else {
            // A branch's first event follows its Parallel's `ParallelStateStarted`.
            // Events are sorted by id, so the event it follows is found by binary search.
            let lane = self
                .events
                .binary_search_by_key(&first.previous_id, |e| e.id)
                .ok()
                .map(|i| self.events[i].lane);
            let visit = lane
                .and_then(|l| self.open.get(&l))
                .and_then(|o| o.last().copied());
            (lane, visit)
        };
        self.lanes.insert(
            first.lane,
            LaneInfo {
                parent_visit,
                parent_lane,
                ended: false,
            },
        );
    }

    fn open_visit_named(&self, name: &str, except_lane: i64) -> (Option<i64>, Option<usize>) {
        self.open
            .iter()
            .filter(|(lane, _)| **lane != except_lane)
            .flat_map(|(lane, open)| open.iter().map(move |v| (*lane, *v)))
            .filter(|(_, v)| self.visits[*v].state == name)
            .max_by_key(|(_, v)| self.visits[*v].entered_id)
            .map_or((None, None), |(lane, v)| (Some(lane), Some(v)))
    }

    fn enter(&mut self, e: &EventSummary, is_fail_state: bool) {
        let index = self.visits.len();
        self.visits.push(Visit {
            state: e.name.as_deref().unwrap_or_default().to_string(),
            lane: e.lane,
            entered_id: e.id,
            entered_at: e.timestamp,
            exited_id: None,
            exited_at: None,
            failure_id: None,
            error: None,
            cause: None,
            retries: 0,
            status: StateStatus::InProgress,
            failing: false,
            is_fail_state,
        });
        self.open.entry(e.lane).or_default().push(index);
    }

    fn exit(&mut self, e: &EventSummary) {
        let name = e.name.as_deref().unwrap_or_default();
        let Some(open) = self.open.get_mut(&e.lane) else {
            return;
        };
        let Some(pos) = open.iter().rposition(|v| self.visits[*v].state == name) else {
            return;
        };
        let index = open.remove(pos);
        if open.is_empty() {
            // Finding a Map iteration's parent scans the open visits: keep only open ones.
            self.open.remove(&e.lane);
        }
        let visit = &mut self.visits[index];
        visit.exited_id = Some(e.id);
        visit.exited_at = Some(e.timestamp);
        visit.status = if visit.failing {
            StateStatus::Caught
        } else {
            StateStatus::Succeeded
        };
    }

    /// The innermost open visit of a lane.
    fn current(&mut self, lane: i64) -> Option<&mut Visit> {
        let index = *self.open.get(&lane)?.last()?;
        self.visits.get_mut(index)
    }

    /// A new attempt (`*Scheduled`): an outstanding failure was retried.
    fn attempt_in(&mut self, lane: i64) {
        if let Some(visit) = self.current(lane) {
            if visit.failing {
                visit.failing = false;
                visit.retries += 1;
            }
        }
    }

    fn fail(&mut self, e: &EventSummary) {
        if let Some(visit) = self.current(e.lane) {
            visit.failing = true;
            visit.failure_id = Some(e.id);
            visit.error = e.error.as_deref().map(str::to_string);
            visit.cause = e.cause.as_deref().map(str::to_string);
        }
    }

    fn iteration(&mut self, e: &EventSummary, phase: IterationPhase) {
        let name = e.name.as_deref().unwrap_or_default().to_string();
        let index = e.index.unwrap_or_default();
        let status = match phase {
            IterationPhase::Started => "running",
            IterationPhase::Succeeded => "succeeded",
            IterationPhase::Failed => "failed",
            IterationPhase::Aborted => "aborted",
        };
        if status != "running" {
            if let Some(lane) = self.lanes.get_mut(&e.lane) {
                lane.ended = true;
            }
        }
        let list = self.iterations.entry(name).or_default();
        match list.iter_mut().rev().find(|i| i.lane == e.lane) {
            Some(found) => found.status = status,
            None => list.push(Iteration {
                index,
                lane: e.lane,
                status,
            }),
        }
    }

    fn execution(&mut self, kind: EventType, status: ExecutionStatus) {
        self.status = status;
        if kind == EventType::ExecutionRedriven {
            // Visits left open when the first run ended keep the outcome that ending gave
            // them; the rerun opens new ones.
            let open: Vec<usize> = self.open.drain().flat_map(|(_, v)| v).collect();
            for index in open {
                self.settle(index);
            }
        }
    }

    /// Settles the visits whose strand has ended without them.
    fn close_ended(&mut self) {
        let ended = self.status.is_closed();
        for index in 0..self.visits.len() {
            let visit = &self.visits[index];
            if visit.status == StateStatus::InProgress && (ended || self.lane_ended(visit.lane, 0))
            {
                self.settle(index);
            }
        }
    }

    /// An open visit whose strand ended: failed (a failure was recorded, or it is a Fail
    /// state) or cancelled.
    fn settle(&mut self, index: usize) {
        let visit = &mut self.visits[index];
        if visit.status != StateStatus::InProgress {
            return;
        }
        visit.status = if visit.failing || visit.is_fail_state {
            StateStatus::Failed
        } else {
            StateStatus::Cancelled
        };
    }

    /// Whether a lane's strand is over: its iteration ended, or the state around it is no
    /// longer running. `depth` bounds the walk against malformed histories.
    fn lane_ended(&self, lane: i64, depth: usize) -> bool {
        let Some(info) = self.lanes.get(&lane) else {
            return false;
        };
        if info.ended {
            return true;
        }
        if depth > 64 {
            return false;
        }
        match (info.parent_visit, info.parent_lane) {
            (Some(v), Some(parent_lane)) => {
                self.visits[v].status != StateStatus::InProgress
                    || self.lane_ended(parent_lane, depth + 1)
            }
            _ => false,
        }
    }

    /// The lanes shown for `scope`: it and every lane inside it (`None`: every lane).
    fn lanes_in_scope(&self, scope: Option<i64>) -> Option<HashSet<i64>> {
        let scope = scope?;
        let mut inside = HashSet::from([scope]);
        // Parents are registered before children, but a few passes settle any order.
        loop {
            let before = inside.len();
            for (lane, info) in &self.lanes {
                if let Some(p) = info.parent_lane {
                    if inside.contains(&p) {
                        inside.insert(*lane);
                    }
                }
            }
            if inside.len() == before {
                return Some(inside);
            }
        }
    }

    fn states(&self, scope: Option<i64>) -> BTreeMap<String, StateProgress> {
        let in_scope = self.lanes_in_scope(scope);
        let mut by_state: BTreeMap<&str, Vec<&Visit>> = BTreeMap::new();
        for v in &self.visits {
            if in_scope.as_ref().is_none_or(|s| s.contains(&v.lane)) {
                by_state.entry(v.state.as_str()).or_default().push(v);
            }
        }
        by_state
            .into_iter()
            .filter_map(|(name, visits)| Some((name.to_string(), summarise(&visits)?)))
            .collect()
    }

    fn iteration_lists(&self) -> BTreeMap<String, Iterations> {
        self.iterations
            .iter()
            .map(|(name, list)| {
                let mut listed = list.clone();
                listed.sort_by_key(|i| i.index);
                listed.truncate(MAX_LISTED_ITERATIONS);
                (
                    name.clone(),
                    Iterations {
                        total: list.len(),
                        listed,
                    },
                )
            })
            .collect()
    }
}

/// One status for many visits: any in progress shows as in progress, else any failure as
/// failed, else the latest visit's outcome.
fn summarise(visits: &[&Visit]) -> Option<StateProgress> {
    let latest = visits.iter().max_by_key(|v| v.entered_id)?;
    let shown = visits
        .iter()
        .filter(|v| v.status == StateStatus::InProgress)
        .max_by_key(|v| v.entered_id)
        .or_else(|| {
            visits
                .iter()
                .filter(|v| v.status == StateStatus::Failed)
                .max_by_key(|v| v.entered_id)
        })
        .unwrap_or(latest);
    let mut counts = BTreeMap::new();
    if visits.len() > 1 {
        for v in visits {
            *counts.entry(v.status.label()).or_default() += 1;
        }
    }
    Some(StateProgress {
        status: shown.status,
        label: shown.status.label(),
        visits: visits.len(),
        counts,
        visit: (*shown).clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A summary with the fields the reader looks at.
    fn event(id: i64, kind: &str, lane: i64, name: Option<&str>) -> EventSummary {
        EventSummary {
            id,
            previous_id: id - 1,
            timestamp: id * 1_000,
            kind: kind.parse().expect("an AWS event type"),
            lane,
            name: name.map(Into::into),
            index: None,
            error: None,
            cause: None,
        }
    }

    fn failed(id: i64, kind: &str, error: &str) -> EventSummary {
        EventSummary {
            error: Some(error.into()),
            cause: Some("details".into()),
            ..event(id, kind, 0, None)
        }
    }

    /// A task that fails twice, is retried, then fails for good and is caught.
    fn retried_then_caught() -> Vec<EventSummary> {
        vec![
            event(1, "ExecutionStarted", 0, None),
            event(2, "TaskStateEntered", 0, Some("Call")),
            event(3, "TaskScheduled", 0, None),
            failed(4, "TaskFailed", "Boom"),
            event(5, "TaskScheduled", 0, None),
            failed(6, "TaskTimedOut", "States.Timeout"),
            event(7, "TaskScheduled", 0, None),
            failed(8, "TaskFailed", "Boom"),
            event(9, "TaskStateExited", 0, Some("Call")),
            event(10, "PassStateEntered", 0, Some("Handle")),
            event(11, "PassStateExited", 0, Some("Handle")),
            event(12, "ExecutionSucceeded", 0, None),
        ]
    }

    #[test]
    fn retries_are_counted_and_a_caught_failure_says_so() {
        let p = progress(&retried_then_caught(), None, None);
        let call = &p.states["Call"];
        assert_eq!(call.status, StateStatus::Caught);
        assert_eq!(call.visit.retries, 2);
        assert_eq!(call.visit.error.as_deref(), Some("Boom"));
        assert_eq!(call.visit.failure_id, Some(8));
        assert_eq!(p.states["Handle"].status, StateStatus::Succeeded);
        assert_eq!(p.status, ExecutionStatus::Succeeded);
    }

    #[test]
    fn an_earlier_moment_shows_the_retry_under_way() {
        // At event 5 the first failure was retried and the second attempt is running.
        let p = progress(&retried_then_caught(), Some(5), None);
        let call = &p.states["Call"];
        assert_eq!(call.status, StateStatus::InProgress);
        assert_eq!(call.visit.retries, 1);
        assert!(!p.states.contains_key("Handle"));
        assert_eq!(p.status, ExecutionStatus::Running);
        assert_eq!(p.at_kind.as_deref(), Some("TaskScheduled"));
    }

    #[test]
    fn an_uncaught_failure_fails_the_state_when_the_execution_fails() {
        let mut events = retried_then_caught();
        events.truncate(8);
        events.push(failed(9, "ExecutionFailed", "Boom"));
        let p = progress(&events, None, None);
        assert_eq!(p.states["Call"].status, StateStatus::Failed);
        assert_eq!(p.status, ExecutionStatus::Failed);
    }

    #[test]
    fn a_loop_shows_its_latest_visit_and_counts_them() {
        let events = vec![
            event(1, "ExecutionStarted", 0, None),
            event(2, "WaitStateEntered", 0, Some("Poll")),
            event(3, "WaitStateExited", 0, Some("Poll")),
            event(4, "WaitStateEntered", 0, Some("Poll")),
        ];
        let p = progress(&events, None, None);
        let poll = &p.states["Poll"];
        assert_eq!(poll.status, StateStatus::InProgress);
        assert_eq!(poll.visits, 2);
        assert_eq!(poll.visit.entered_id, 4);
    }

    #[test]
    fn a_redriven_execution_keeps_the_first_run_outcome_and_reruns_the_state() {
        let mut events = retried_then_caught();
        events.truncate(8);
        events.push(failed(9, "ExecutionFailed", "Boom"));
        events.push(event(10, "ExecutionRedriven", 0, None));
        let p = progress(&events, None, None);
        assert_eq!(p.status, ExecutionStatus::Running);
        assert_eq!(
            p.states["Call"].status,
            StateStatus::Failed,
            "not in progress again"
        );
        events.push(event(11, "TaskStateEntered", 0, Some("Call")));
        let p = progress(&events, None, None);
        assert_eq!(p.states["Call"].status, StateStatus::InProgress);
        assert_eq!(p.states["Call"].visits, 2);
    }

    #[test]
    fn empty_and_out_of_range_moments_do_not_panic() {
        let p = progress(&[], Some(10), None);
        assert_eq!(p.at, 0);
        assert!(p.states.is_empty());
        let p = progress(&retried_then_caught(), Some(-5), Some(42));
        assert_eq!(p.at, 0);
        assert!(p.states.is_empty());
    }
}
