//! The journal: where a durable execution's events go, and where a resumed execution finds the
//! events of its earlier run.
//!
//! A Standard execution is resumed by running it again from its start with its journal
//! attached. Each event the interpreter produces is first looked up by its [`Place`]: when the
//! earlier run recorded it, it is not recorded again, and its id and timestamp are taken from
//! the record, so the run continues exactly where the journal ends. A task whose result was
//! recorded is not dispatched again; one that was scheduled but has no recorded result is
//! dispatched again, with the same idempotency key.

use jiff::Timestamp;

use switchback_json::Json;

use crate::history::Event;
pub use crate::lane::Place;
use crate::task::TaskOutcome;

/// An event of an earlier run, as the interpreter needs it to go on.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The event's id in the history.
    pub id: u64,
    /// When the earlier run recorded it.
    pub timestamp: Timestamp,
    /// For the events that end a task (`TaskSucceeded`, `LambdaFunctionFailed`, ...): how it
    /// ended.
    pub task_outcome: Option<TaskOutcome>,
}

/// Durable storage of one execution's events.
pub trait Journal {
    /// The event the earlier run recorded at `place`, if any.
    fn recorded(&self, place: Place) -> Option<Recorded>;
    /// A new event, to be made durable before the execution acts on it.
    fn append(&self, event: &Event, place: Place);

    /// A Standard child execution of a map run: `None` when this journal does not keep
    /// children (they then run unrecorded, as Express children do), else how the child
    /// stands: ended in an earlier run (its outcome is taken as it is, the child is not run
    /// again), or to be run with a journal of its own (empty for a new child, its events for
    /// one that a crash cut short).
    fn map_child(&self, child: &MapChild<'_>) -> Option<ChildRun<'_>> {
        let _ = child;
        None
    }

    /// `Some(n)` when the map run `map_run_arn` ran in an earlier run of this execution, which
    /// is now redriven for the `n`th time: the run is then redriven too (`MapRunRedriven`),
    /// not started again.
    fn map_run_redrive(&self, map_run_arn: &str) -> Option<u64> {
        let _ = map_run_arn;
        None
    }

    /// The limits of the map run `map_run_arn` as `UpdateMapRun` last changed them, if it
    /// did: the run takes them from its next child on, and judges its failures by them.
    fn map_run_limits(&self, map_run_arn: &str) -> Option<MapRunConfig> {
        let _ = map_run_arn;
        None
    }

    /// Asks to be told (`wake`) when `UpdateMapRun` changes the map run `map_run_arn`, so
    /// that children waiting for a place under its limit look at it again.
    fn watch_map_run(&self, map_run_arn: &str, wake: std::sync::Weak<tokio::sync::Notify>) {
        let _ = (map_run_arn, wake);
    }

    /// How a map run stands, for `DescribeMapRun`: told once its children are known (with
    /// its configuration) and again when it ends (its final counts).
    fn map_run_progress(&self, progress: &MapRunProgress<'_>) {
        let _ = progress;
    }

    /// `Some(output)` when Express child `index` of the map run `map_run_arn` succeeded in an
    /// earlier run of this (now redriven) execution: it is not run again, and its output (if
    /// the Map state gathered it) is taken as it was.
    fn express_succeeded(&self, map_run_arn: &str, index: usize) -> Option<Option<Json>> {
        let _ = (map_run_arn, index);
        None
    }

    /// The map run `map_run_arn` failed: its Express children `succeeded` (index, output when
    /// gathered) are kept, so that a redrive runs only the others.
    fn record_express_succeeded(&self, map_run_arn: &str, succeeded: Vec<(usize, Option<Json>)>) {
        let _ = (map_run_arn, succeeded);
    }

    /// `Some` once `StopExecution` asked to stop the map run child `child_arn` (taken: asked
    /// once, answered once). The parent, which runs the child, ends it ABORTED.
    fn take_child_stop(&self, child_arn: &str) -> Option<ChildStop> {
        let _ = child_arn;
        None
    }

    /// Asks to be told (`wake`) when `StopExecution` asks to stop a child of the map run
    /// `map_run_arn`, so that the child, whatever it waits for, looks at
    /// [`Self::take_child_stop`].
    fn watch_child_stops(&self, map_run_arn: &str, wake: std::sync::Weak<tokio::sync::Notify>) {
        let _ = (map_run_arn, wake);
    }
}

/// `StopExecution` of a map run's child: the error and cause its `ExecutionAborted` gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildStop {
    /// `error`, if the caller gave one.
    pub error: Option<String>,
    /// `cause`, if the caller gave one.
    pub cause: Option<String>,
}

/// A map run's configuration and counts, as `DescribeMapRun` shows them.
#[derive(Debug, Clone, Copy)]
pub struct MapRunProgress<'c> {
    /// The map run's ARN.
    pub map_run_arn: &'c str,
    /// Its configuration, told once at its start (`None` afterwards: `UpdateMapRun` may
    /// have changed it since).
    pub config: Option<MapRunConfig>,
    /// Its items (each batch counts its items).
    pub items: MapRunCounts,
    /// Its child executions.
    pub executions: MapRunCounts,
}

/// A map run's limits as its state gave them (or `UpdateMapRun` changed them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapRunConfig {
    /// `MaxConcurrency` (10,000 when not given).
    pub max_concurrency: u64,
    /// `ToleratedFailureCount` (0 when not given).
    pub tolerated_failure_count: u64,
    /// `ToleratedFailurePercentage` (0 when not given).
    pub tolerated_failure_percentage: f64,
}

/// How many items or children of a map run stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapRunCounts {
    /// Not started yet (waiting for a place under `MaxConcurrency`).
    pub pending: u64,
    /// Started and not ended.
    pub running: u64,
    /// Ended well.
    pub succeeded: u64,
    /// Ended in failure.
    pub failed: u64,
    /// Stopped (`StopExecution` of the child itself).
    pub aborted: u64,
    /// All of them.
    pub total: u64,
}

/// A map run's child execution, as the parent knows it before running it.
#[derive(Debug, Clone, Copy)]
pub struct MapChild<'c> {
    /// The map run's ARN.
    pub map_run_arn: &'c str,
    /// The child's execution ARN (`execution:MACHINE/LABEL:NAME`).
    pub execution_arn: &'c str,
    /// The child's name, the last part of its ARN.
    pub name: &'c str,
    /// The state machine it is an execution of (`stateMachine:MACHINE/LABEL`).
    pub state_machine_arn: &'c str,
    /// The IAM role it runs with: the parent's.
    pub role_arn: &'c str,
    /// Its random seed, drawn by the parent (the same on every run of the parent).
    pub seed: u64,
}

/// How a map run's child stands in the parent's journal.
pub enum ChildRun<'a> {
    /// It ended in an earlier run of the parent.
    Ended(ChildEnding),
    /// It is to be run, recording its events in `journal`.
    Run {
        /// The child's own journal.
        journal: Box<dyn Journal + 'a>,
        /// How many events it holds already (0 for a new child).
        recorded_events: u64,
        /// When the child started, if an earlier run started it.
        started: Option<Timestamp>,
    },
}

/// A child that ended: its outcome and dates, as its record keeps them.
#[derive(Debug, Clone)]
pub struct ChildEnding {
    /// Its output, or its error and cause.
    pub outcome: Result<Json, (String, String)>,
    /// Whether it was stopped (ABORTED) rather than failed.
    pub aborted: bool,
    /// When it started.
    pub start: Timestamp,
    /// When it ended.
    pub stop: Timestamp,
}
