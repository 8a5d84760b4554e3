//! A Distributed Map's Standard children, kept as executions of their own.
//!
//! The parent runs its map run's children itself, in its own run (they share its worker,
//! its driver and its group commits), but each child records its history in a journal of its
//! own: a row in `executions` (named `MACHINE/LABEL:UUID`, with the map run's ARN and the
//! parent as `parent_id`) and its events. So a child is listable (`ListExecutions
//! --map-run-arn`), describable and has a history, exactly as AWS keeps them.
//!
//! The children's writes wait in the parent's driver ([`ChildWrite`]) and go to the store with
//! the parent's next commit, in the same transaction: a child's task is scheduled durably
//! before it is dispatched, as the parent's are. When the parent runs again (after a crash, a
//! park, or a redrive), it finds each child by its ARN (the names are drawn from the parent's
//! seed, so they are the same every run):
//! - a child that succeeded is not run again: its output is taken from its row;
//! - a child that failed stays failed, unless the parent is being redriven: then the child
//!   is redriven too (`ExecutionRedriven`, `redriveCount` + 1) and runs again from the state
//!   where it failed, as AWS redrives a map run's failed children;
//! - a child that was still running is resumed from its events like any Standard execution.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use switchback_engine::{
    ChildEnding, ChildRun, Event, EventKind, ExecutionStatus, Journal, MapChild, MapRunCounts,
    MapRunProgress, Place, Recorded,
};
use switchback_json::Json;
use switchback_store::executions::{self, Ending, EventRow, ExecutionRecord, StoredChild};
use switchback_store::{task_tokens, StoreError, Tx};

use crate::events::{self, PayloadWriter};
use crate::journal;

/// Stops the map runs of a stopped execution `parent` in its closing transaction: each
/// running child ends ABORTED (`ExecutionAborted` after its last event), and each running map
/// run too. One transaction for all, however many children run.
pub fn abort_all(tx: &Tx<'_>, parent: i64, now: jiff::Timestamp) -> Result<(), StoreError> {
    let stop_date = events::micros(now);
    for (id, last) in executions::running_map_children(tx, parent)? {
        let event = Event {
            id: last as u64 + 1,
            previous_event_id: last as u64,
            timestamp: now,
            kind: EventKind::ExecutionAborted {
                error: None,
                cause: Some(PARENT_STOPPED.into()),
            },
        };
        let row = events::to_row(
            &event,
            journal::OUTSIDE_PLACE,
            &mut PayloadWriter::default(),
        );
        executions::append_events(tx, id, &[row])?;
        let ending = Ending {
            status: ExecutionStatus::Aborted,
            output: None,
            error: None,
            cause: Some(PARENT_STOPPED.into()),
            stop_date,
        };
        executions::finish(tx, id, &ending)?;
    }
    executions::abort_map_runs(tx, parent, stop_date)
}

/// The cause a child stopped with its parent ends with.
const PARENT_STOPPED: &str = "The parent execution was stopped.";

/// A write for a map run's child, committed with its parent's next commit.
#[derive(Debug)]
pub enum ChildWrite {
    /// A new child's row, written before its first events.
    Born(Box<ExecutionRecord>),
    /// An event of the child `arn`.
    Event(Arc<str>, EventRow),
    /// The child `arn` ended.
    Ended(Arc<str>, Ending),
    /// The child `arn` is redriven with its parent (at this date, in microseconds).
    Redriven(Arc<str>, i64),
    /// How a map run stands (see [`progress`]).
    MapRun(Box<MapRunWrite>),
    /// The Express children of a failed map run that succeeded.
    ExpressSucceeded(Box<ExpressSucceeded>),
}

/// The Express children of a failed map run that succeeded, kept for its redrive (Express
/// children leave no execution of their own to tell).
#[derive(Debug)]
pub struct ExpressSucceeded {
    /// The map run they belong to.
    pub map_run_arn: String,
    /// Each one's index in the map run, and its output (as JSON text) when the Map state
    /// gathers outputs.
    pub succeeded: Vec<(u64, Option<String>)>,
}

/// A map run's counts as `DescribeMapRun` shows them, and its limits once at its start.
#[derive(Debug)]
pub struct MapRunWrite {
    arn: String,
    limits: Option<executions::MapRunLimits>,
    item_counts: String,
    execution_counts: String,
}

/// The write that records how a map run stands.
pub fn progress(p: &MapRunProgress<'_>) -> ChildWrite {
    ChildWrite::MapRun(Box::new(MapRunWrite {
        arn: p.map_run_arn.to_string(),
        limits: p.config.map(|c| {
            (
                c.max_concurrency as i64,
                c.tolerated_failure_count as i64,
                c.tolerated_failure_percentage,
            )
        }),
        item_counts: counts_json(&p.items),
        execution_counts: counts_json(&p.executions),
    }))
}

/// AWS's `itemCounts` / `executionCounts` object.
pub fn counts_json(c: &MapRunCounts) -> String {
    serde_json::json!({
        "pending": c.pending,
        "running": c.running,
        "succeeded": c.succeeded,
        "failed": c.failed,
        "timedOut": 0,
        "aborted": c.aborted,
        "total": c.total,
        "resultsWritten": 0,
        "failuresNotRedrivable": 0,
        "pendingRedrive": 0,
    })
    .to_string()
}

/// Writes the children's writes in the parent's transaction: rows first, then each child's
/// events in one run, then the endings.
pub fn write(tx: &Tx<'_>, parent: i64, writes: Vec<ChildWrite>) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Ok(());
    }
    let mut ids: HashMap<Arc<str>, i64> = HashMap::new();
    // Each child's events, in the order the children first wrote.
    let mut events: Vec<(Arc<str>, Vec<EventRow>)> = Vec::new();
    let mut slot: HashMap<Arc<str>, usize> = HashMap::new();
    let mut endings = Vec::new();
    for w in writes {
        match w {
            ChildWrite::Born(record) => {
                let id = executions::insert(tx, &record)?;
                executions::set_parent(tx, id, parent)?;
                ids.insert(Arc::from(record.arn.as_str()), id);
            }
            ChildWrite::Event(arn, row) => match slot.get(&arn) {
                Some(&i) => events[i].1.push(row),
                None => {
                    slot.insert(arn.clone(), events.len());
                    events.push((arn, vec![row]));
                }
            },
            ChildWrite::Ended(arn, ending) => endings.push((arn, ending)),
            ChildWrite::MapRun(m) => executions::set_map_run_progress(
                tx,
                &m.arn,
                m.limits,
                &m.item_counts,
                &m.execution_counts,
            )?,
            ChildWrite::ExpressSucceeded(run) => {
                switchback_store::map_run_express::put(tx, &run.map_run_arn, &run.succeeded)?
            }
            ChildWrite::Redriven(arn, date) => {
                if let Some(id) = id_of(tx, &mut ids, &arn)? {
                    executions::redrive(tx, id, date)?;
                }
            }
        }
    }
    for (arn, rows) in events {
        if let Some(id) = id_of(tx, &mut ids, &arn)? {
            executions::append_events(tx, id, &rows)?;
        }
    }
    for (arn, ending) in endings {
        if let Some(id) = id_of(tx, &mut ids, &arn)? {
            executions::finish(tx, id, &ending)?;
        }
        // A child stopped where it stood leaves no task open (its parent holds them).
        if ending.status == ExecutionStatus::Aborted {
            task_tokens::close_with_key_prefix(tx, parent, &format!("{arn}:"))?;
        }
    }
    Ok(())
}

/// A child's id: born in this commit, or looked up.
fn id_of(
    tx: &Tx<'_>,
    ids: &mut HashMap<Arc<str>, i64>,
    arn: &Arc<str>,
) -> Result<Option<i64>, StoreError> {
    if let Some(id) = ids.get(arn) {
        return Ok(Some(*id));
    }
    let id = executions::id_of(tx, arn)?;
    if let Some(id) = id {
        ids.insert(arn.clone(), id);
    }
    Ok(id)
}

/// The children an earlier run of the parent left, by ARN, taken as the map runs reach them.
#[derive(Default)]
pub struct StoredChildren {
    by_arn: RefCell<HashMap<String, StoredChild>>,
    /// The map runs of the earlier runs (those the children belong to, and every stored one).
    map_runs: std::collections::HashSet<String>,
    /// The Express children of failed map runs that succeeded, by map run (see
    /// `Journal::express_succeeded`).
    express: HashMap<String, switchback_store::map_run_express::Succeeded>,
    /// The parent's redrive count: a failed child with fewer redrives is redriven now.
    parent_redrives: i64,
}

impl StoredChildren {
    /// The children as loaded from the store, for a parent redriven `parent_redrives` times.
    pub fn new(children: Vec<StoredChild>, parent_redrives: i64) -> StoredChildren {
        StoredChildren {
            map_runs: children
                .iter()
                .filter_map(|c| c.record.map_run_arn.clone())
                .collect(),
            by_arn: RefCell::new(
                children
                    .into_iter()
                    .map(|c| (c.record.arn.clone(), c))
                    .collect(),
            ),
            parent_redrives,
            express: HashMap::new(),
        }
    }

    /// Adds the map runs stored for the execution (a map run of Express children has no
    /// child of its own to name it) and their succeeded Express children.
    pub fn with_map_runs(
        mut self,
        arns: impl IntoIterator<Item = String>,
        express: HashMap<String, switchback_store::map_run_express::Succeeded>,
    ) -> StoredChildren {
        self.map_runs.extend(arns);
        self.express = express;
        self
    }

    /// `Some(output)` when Express child `index` of map run `arn` succeeded before.
    pub fn express_succeeded(&self, arn: &str, index: usize) -> Option<Option<Json>> {
        let output = self.express.get(arn)?.get(&(index as u64))?;
        Some(output.as_deref().and_then(|t| Json::parse(t).ok()))
    }

    /// `Some(n)` when the parent, redriven for the `n`th time, ran the map run `arn` before.
    pub fn map_run_redrive(&self, arn: &str) -> Option<u64> {
        (self.parent_redrives > 0 && self.map_runs.contains(arn))
            .then_some(self.parent_redrives as u64)
    }

    /// How the child `child` stands, and its journal if it is to run: `writes` receives
    /// what it records, and a new child takes its id from `new_id` (the store's counter, which
    /// every new execution's id comes from).
    pub fn child<'d>(
        &self,
        child: &MapChild<'_>,
        writes: &'d RefCell<Vec<ChildWrite>>,
        now: i64,
        new_id: impl FnOnce() -> i64,
    ) -> ChildRun<'d> {
        let arn: Arc<str> = Arc::from(child.execution_arn);
        let Some(stored) = self.by_arn.borrow_mut().remove(child.execution_arn) else {
            return new_child(child, new_id(), arn, writes);
        };
        let record = &stored.record;
        let redrive = record.status.is_redrivable() && record.redrive_count < self.parent_redrives;
        if record.status != ExecutionStatus::Running && !redrive {
            return ChildRun::Ended(ended(record));
        }
        let mut rows = stored.events;
        if redrive {
            let last = rows.iter().map(|r| r.id).max().unwrap_or(0);
            let row = events::redriven_row(last, now, record.redrive_count as u64 + 1);
            let mut w = writes.borrow_mut();
            w.push(ChildWrite::Redriven(arn.clone(), now));
            w.push(ChildWrite::Event(arn.clone(), row.clone()));
            rows.push(row);
        }
        let recorded_events = rows.iter().map(|r| r.id).max().unwrap_or(0) as u64;
        let replay = journal::replayable(&rows);
        ChildRun::Run {
            journal: Box::new(ChildJournal {
                arn,
                recorded: replay.iter().map(events::to_recorded).collect(),
                payloads: RefCell::default(),
                unborn: RefCell::new(None),
                writes,
            }),
            recorded_events,
            started: Some(events::timestamp(record.start_date)),
        }
    }
}

/// A child that no earlier run started: its row is written with its `ExecutionStarted`.
fn new_child<'d>(
    child: &MapChild<'_>,
    id: i64,
    arn: Arc<str>,
    writes: &'d RefCell<Vec<ChildWrite>>,
) -> ChildRun<'d> {
    let record = ExecutionRecord {
        id,
        arn: child.execution_arn.to_string(),
        state_machine_arn: child.state_machine_arn.to_string(),
        version_arn: None,
        alias_arn: None,
        name: child.name.to_string(),
        status: ExecutionStatus::Running,
        // The children run their parent's definition; their rows do not repeat it.
        definition: String::new(),
        role_arn: child.role_arn.to_string(),
        revision_id: None,
        input: String::new(),
        output: None,
        error: None,
        cause: None,
        start_date: 0,
        stop_date: None,
        redrive_count: 0,
        redrive_date: None,
        seed: child.seed as i64,
        wake_at: None,
        trace_header: None,
        wakes: 0,
        map_run_arn: Some(child.map_run_arn.to_string()),
    };
    ChildRun::Run {
        journal: Box::new(ChildJournal {
            arn,
            recorded: HashMap::new(),
            payloads: RefCell::default(),
            unborn: RefCell::new(Some(Box::new(record))),
            writes,
        }),
        recorded_events: 0,
        started: None,
    }
}

/// An ended child's outcome and dates, from its row.
fn ended(record: &ExecutionRecord) -> ChildEnding {
    let outcome = match record.status {
        ExecutionStatus::Succeeded => Ok(record
            .output
            .as_deref()
            .and_then(|o| Json::parse(o).ok())
            .unwrap_or_default()),
        _ => Err((
            record.error.clone().unwrap_or_default(),
            record.cause.clone().unwrap_or_default(),
        )),
    };
    ChildEnding {
        outcome,
        aborted: record.status == ExecutionStatus::Aborted,
        start: events::timestamp(record.start_date),
        stop: events::timestamp(record.stop_date.unwrap_or(record.start_date)),
    }
}

/// One child's journal: its events go to the parent's pending child writes.
struct ChildJournal<'d> {
    arn: Arc<str>,
    /// Its events of earlier runs, by place.
    recorded: HashMap<Place, Recorded>,
    /// Writes its payloads (each large value once, with its own events).
    payloads: RefCell<PayloadWriter>,
    /// A new child's row, written with its first event.
    unborn: RefCell<Option<Box<ExecutionRecord>>>,
    /// The parent's pending child writes.
    writes: &'d RefCell<Vec<ChildWrite>>,
}

impl Journal for ChildJournal<'_> {
    fn recorded(&self, place: Place) -> Option<Recorded> {
        self.recorded.get(&place).cloned()
    }

    fn append(&self, event: &Event, place: Place) {
        let mut payloads = self.payloads.borrow_mut();
        let row = events::to_row(event, place, &mut payloads);
        let mut writes = self.writes.borrow_mut();
        if let Some(mut record) = self.unborn.borrow_mut().take() {
            if let EventKind::ExecutionStarted { input, .. } = &event.kind {
                record.input = payloads.raw_text(input);
            }
            record.start_date = row.timestamp;
            writes.push(ChildWrite::Born(record));
        }
        let ending = events::ending(event, Some(&payloads));
        writes.push(ChildWrite::Event(self.arn.clone(), row));
        if let Some(ending) = ending {
            writes.push(ChildWrite::Ended(self.arn.clone(), ending));
        }
    }
}
