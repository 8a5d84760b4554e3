//! Executions and their histories: the `executions` and `map_runs` tables, and the history
//! as [`EventRow`]s (stored in runs, one row per commit: see `event_runs.rs`).
//!
//! The history is the journal of Standard executions (see `shared/DESIGN.md`): an event is
//! committed before the execution acts on it, and a resumed execution is rebuilt from its
//! events. Each event keeps its place in its lane (`lane`, `ordinal`) next to its AWS shape,
//! because that is how a replay finds it again.

use switchback_types::{EventType, ExecutionStatus, UnknownWord};

use crate::columns;
use crate::db::{Db, Tx};
use crate::error::StoreError;
use crate::event_runs;
use crate::payloads::{self, Chunk, Context, Expander};
use crate::sql::{Row, ToParam};

/// One execution, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRecord {
    /// Internal id (0 before insertion).
    pub id: i64,
    /// The execution's ARN (unique).
    pub arn: String,
    /// The unqualified state machine ARN.
    pub state_machine_arn: String,
    /// The version that runs, when started through a version or an alias.
    pub version_arn: Option<String>,
    /// The alias it was started through, if any.
    pub alias_arn: Option<String>,
    /// The execution's name, the last part of its ARN.
    pub name: String,
    /// RUNNING until it ends, then how it ended.
    pub status: ExecutionStatus,
    /// The definition this execution runs (kept with it: the machine may change later).
    pub definition: String,
    /// The IAM role of the machine or version that runs.
    pub role_arn: String,
    /// The machine's revision that runs; `None` when AWS shows none.
    pub revision_id: Option<String>,
    /// The input, as JSON text.
    pub input: String,
    /// The output, as JSON text, once it has succeeded.
    pub output: Option<String>,
    /// The error name, once it has failed, timed out or been aborted.
    pub error: Option<String>,
    /// The cause that goes with `error`.
    pub cause: Option<String>,
    /// When it started, in microseconds since the Unix epoch.
    pub start_date: i64,
    /// When it ended, in microseconds since the Unix epoch; `None` while RUNNING.
    pub stop_date: Option<i64>,
    /// How many times it has been redriven.
    pub redrive_count: i64,
    /// When it was last redriven, in microseconds since the Unix epoch.
    pub redrive_date: Option<i64>,
    /// The execution's random seed, so a replay draws the same numbers.
    pub seed: i64,
    /// When a parked execution is due to wake up; `None` while it has work to do now (a
    /// restart resumes it at once).
    pub wake_at: Option<i64>,
    /// The `traceHeader` given at `StartExecution`, if any.
    pub trace_header: Option<String>,
    /// How many times it was given work while it may have been parked (see [`wake_now`]); a
    /// run parks only if this is still the count it loaded (see [`park`]).
    pub wakes: i64,
    /// The map run that started it, when it is a Distributed Map's child (run by its
    /// parent, never resumed on its own).
    pub map_run_arn: Option<String>,
}

/// The columns [`from_row`] reads, as a literal so whole queries are constants (`concat!`):
/// the lookups by ARN and id run on every poll, and need no formatting.
macro_rules! columns {
    () => {
        "id, arn, state_machine_arn, version_arn, alias_arn, name, status, \
    definition, role_arn, revision_id, input, output, error, cause, start_date, stop_date, \
    redrive_count, redrive_date, seed, wake_at, trace_header, wakes, map_run_arn"
    };
}

const COLUMNS: &str = columns!();

fn from_row(r: &Row<'_>) -> Result<ExecutionRecord, StoreError> {
    Ok(ExecutionRecord {
        id: r.get(0)?,
        arn: r.get(1)?,
        state_machine_arn: r.get(2)?,
        version_arn: r.get(3)?,
        alias_arn: r.get(4)?,
        name: r.get(5)?,
        status: status_column(r, 6)?,
        definition: r.get(7)?,
        role_arn: r.get(8)?,
        revision_id: r.get(9)?,
        input: r.get(10)?,
        output: r.get(11)?,
        error: r.get(12)?,
        cause: r.get(13)?,
        start_date: r.get(14)?,
        stop_date: r.get(15)?,
        redrive_count: r.get(16)?,
        redrive_date: r.get(17)?,
        seed: r.get(18)?,
        wake_at: r.get(19)?,
        trace_header: r.get(20)?,
        wakes: r.get(21)?,
        map_run_arn: r.get(22)?,
    })
}

/// The id after the highest stored execution's, where [`Store::new_execution_id`] starts.
///
/// [`Store::new_execution_id`]: crate::Store::new_execution_id
pub(crate) fn next_id(conn: &rusqlite::Connection) -> Result<i64, StoreError> {
    Db::new(conn).one(
        "SELECT coalesce(max(id), 0) + 1 FROM executions",
        &[],
        |r| r.get(0),
    )
}

/// Inserts an execution and returns its id: `e.id` when it is set (an id from
/// [`Store::new_execution_id`]), the database's next one when it is 0.
///
/// [`Store::new_execution_id`]: crate::Store::new_execution_id
pub fn insert(conn: &Tx<'_>, e: &ExecutionRecord) -> Result<i64, StoreError> {
    conn.one(
        "INSERT INTO executions (id, arn, state_machine_arn, version_arn, alias_arn, name, status, \
         definition, role_arn, revision_id, input, output, error, cause, start_date, stop_date, \
         redrive_count, redrive_date, seed, wake_at, trace_header, map_run_arn) \
         VALUES (?21, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?22) \
         RETURNING id",
        &[
            &e.arn,
            &e.state_machine_arn,
            &e.version_arn,
            &e.alias_arn,
            &e.name,
            &e.status.as_str(),
            &e.definition,
            &e.role_arn,
            &e.revision_id,
            &e.input,
            &e.output,
            &e.error,
            &e.cause,
            &e.start_date,
            &e.stop_date,
            &e.redrive_count,
            &e.redrive_date,
            &e.seed,
            &e.wake_at,
            &e.trace_header,
            &(e.id != 0).then_some(e.id),
            &e.map_run_arn,
        ],
        |r| r.get(0),
    )
}

/// An execution by ARN.
pub fn get_by_arn(conn: &Db<'_>, arn: &str) -> Result<Option<ExecutionRecord>, StoreError> {
    let sql = concat!("SELECT ", columns!(), " FROM executions WHERE arn = ?1");
    let record = conn.opt(sql, &[&arn], from_row)?;
    record.map(|r| whole(conn, r)).transpose()
}

/// An execution by ARN without its definition, input and output (empty and `None` in the
/// record): what a status poll (`DescribeExecution` with `METADATA_ONLY`) needs, without
/// reading and copying the large columns on every poll.
pub fn get_metadata_by_arn(
    conn: &Db<'_>,
    arn: &str,
) -> Result<Option<ExecutionRecord>, StoreError> {
    const SQL: &str = "SELECT id, arn, state_machine_arn, version_arn, alias_arn, name, status, \
        '', role_arn, revision_id, '', NULL, error, cause, start_date, stop_date, \
        redrive_count, redrive_date, seed, wake_at, trace_header, wakes, map_run_arn \
        FROM executions WHERE arn = ?1";
    conn.opt(SQL, &[&arn], from_row)
}

/// A record as read, its input and output made whole again (see [`payloads`]).
fn whole(conn: &Db<'_>, mut record: ExecutionRecord) -> Result<ExecutionRecord, StoreError> {
    let mut expander = Expander::new(conn, record.id);
    record.input = expander.expand(std::mem::take(&mut record.input), Context::Raw)?;
    record.output = expander.expand_opt(record.output.take(), Context::Raw)?;
    Ok(record)
}

/// The internal id of the execution `arn`, without reading the rest of its row (the console
/// asks for it on every timeline move).
pub fn id_of(conn: &Db<'_>, arn: &str) -> Result<Option<i64>, StoreError> {
    conn.opt("SELECT id FROM executions WHERE arn = ?1", &[&arn], |r| {
        r.get(0)
    })
}

/// An execution by id.
pub fn get(conn: &Db<'_>, id: i64) -> Result<Option<ExecutionRecord>, StoreError> {
    let sql = concat!("SELECT ", columns!(), " FROM executions WHERE id = ?1");
    let record = conn.opt(sql, &[&id], from_row)?;
    record.map(|r| whole(conn, r)).transpose()
}

/// An execution's status (`None` if it does not exist).
pub fn status(conn: &Db<'_>, id: i64) -> Result<Option<ExecutionStatus>, StoreError> {
    conn.opt("SELECT status FROM executions WHERE id = ?1", &[&id], |r| {
        status_column(r, 0)
    })
}

/// How an execution ended.
#[derive(Debug, Clone)]
pub struct Ending {
    /// The closed status it ends with.
    pub status: ExecutionStatus,
    /// The output, as JSON text, when it succeeded. It may refer to chunks stored with the
    /// execution's events (see [`payloads`]).
    pub output: Option<String>,
    /// The error name, when it did not succeed.
    pub error: Option<String>,
    /// The cause that goes with `error`.
    pub cause: Option<String>,
    /// When it ended, in microseconds since the Unix epoch.
    pub stop_date: i64,
}

impl ExecutionRecord {
    /// The record closed with `ending`: what [`finish`] writes, for a row not yet inserted (an
    /// execution whose first commit is also its last is inserted closed).
    pub fn end(&mut self, ending: Ending) {
        self.status = ending.status;
        self.output = ending.output;
        self.error = ending.error;
        self.cause = ending.cause;
        self.stop_date = Some(ending.stop_date);
        self.wake_at = None;
    }
}

/// Closes a RUNNING execution. False when it was not running any more (stopped meanwhile).
pub fn finish(conn: &Tx<'_>, id: i64, ending: &Ending) -> Result<bool, StoreError> {
    let n = conn.run(
        "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, \
         stop_date = ?6, wake_at = NULL WHERE id = ?1 AND status = 'RUNNING'",
        &[
            &id,
            &ending.status.as_str(),
            &ending.output,
            &ending.error,
            &ending.cause,
            &ending.stop_date,
        ],
    )?;
    Ok(n == 1)
}

/// Reopens a closed execution for a redrive.
pub fn redrive(conn: &Tx<'_>, id: i64, date: i64) -> Result<bool, StoreError> {
    let n = conn.run(
        "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, \
         stop_date = NULL, redrive_count = redrive_count + 1, redrive_date = ?2 \
         WHERE id = ?1 AND status IN ('FAILED', 'TIMED_OUT', 'ABORTED')",
        &[&id, &date],
    )?;
    Ok(n == 1)
}

/// Parks a running execution until `wake_at`, unless it was given work since its run loaded
/// it (`wakes_seen` is the count it loaded): then nothing is written and the answer is false,
/// and the execution must look at the store again instead of leaving memory.
pub fn park(conn: &Tx<'_>, id: i64, wake_at: i64, wakes_seen: i64) -> Result<bool, StoreError> {
    let n = conn.run(
        "UPDATE executions SET wake_at = ?2 \
         WHERE id = ?1 AND status = 'RUNNING' AND wakes = ?3",
        &[&id, &wake_at, &wakes_seen],
    )?;
    Ok(n > 0)
}

/// Records that a running execution has work to do now (an answer is in the store for it):
/// its wake-up time is cleared, so a restart resumes it at once, and its count of wakes goes
/// up, so a park that raced the answer does not hold. Call it in the transaction that writes
/// the answer.
pub fn wake_now(conn: &Tx<'_>, id: i64) -> Result<(), StoreError> {
    conn.run(
        "UPDATE executions SET wake_at = NULL, wakes = wakes + 1 \
         WHERE id = ?1 AND status = 'RUNNING'",
        &[&id],
    )?;
    Ok(())
}

/// Every RUNNING execution that runs on its own: its id and when it wakes up, if it is
/// parked. (A map run's children are run by their parent.)
pub fn running(conn: &Db<'_>) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
    conn.all(
        "SELECT id, wake_at FROM executions WHERE status = 'RUNNING' AND map_run_arn IS NULL",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Which executions a listing returns.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// The unqualified state machine ARN (all of its versions and aliases).
    pub state_machine_arn: Option<String>,
    /// Only executions of this version.
    pub version_arn: Option<String>,
    /// Only executions started through this alias.
    pub alias_arn: Option<String>,
    /// Only executions with this status.
    pub status: Option<ExecutionStatus>,
    /// Only executions redriven at least once (`REDRIVEN`) or never (`NOT_REDRIVEN`).
    pub redriven: Option<bool>,
    /// Only the children of this map run.
    pub map_run_arn: Option<String>,
}

/// Executions, newest first, after the cursor `(start_date, id)` of the previous page.
pub fn list(
    conn: &Db<'_>,
    filter: &ListFilter,
    after: Option<(i64, i64)>,
    limit: usize,
) -> Result<Vec<ExecutionRecord>, StoreError> {
    let mut sql = format!("SELECT {COLUMNS} FROM executions WHERE 1 = 1");
    let status = filter.status.map(ExecutionStatus::as_str);
    let limit = columns::limit(limit);
    let mut args: Vec<&dyn ToParam> = Vec::new();
    let mut arg = |sql: &mut String, clause: &str, v| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(m) = &filter.state_machine_arn {
        arg(&mut sql, " AND state_machine_arn = ?", m);
    }
    if let Some(v) = &filter.version_arn {
        arg(&mut sql, " AND version_arn = ?", v);
    }
    if let Some(a) = &filter.alias_arn {
        arg(&mut sql, " AND alias_arn = ?", a);
    }
    if let Some(s) = &status {
        arg(&mut sql, " AND status = ?", s);
    }
    if let Some(m) = &filter.map_run_arn {
        arg(&mut sql, " AND map_run_arn = ?", m);
    }
    match filter.redriven {
        Some(true) => sql.push_str(" AND redrive_count > 0"),
        Some(false) => sql.push_str(" AND redrive_count = 0"),
        None => {}
    }
    if let Some((date, id)) = &after {
        arg(&mut sql, " AND (start_date < ?", date);
        arg(&mut sql, " OR (start_date = ?", date);
        arg(&mut sql, " AND id < ?))", id);
    }
    sql.push_str(" ORDER BY start_date DESC, id DESC");
    arg(&mut sql, " LIMIT ?", &limit);
    conn.all(&sql, &args, |r| whole(conn, from_row(r)?))
}

/// Deletes closed executions that stopped before `before`, with their events and map runs.
/// Returns how many executions went.
pub fn delete_closed_before(conn: &Tx<'_>, before: i64) -> Result<usize, StoreError> {
    payloads::delete_of(
        conn,
        "SELECT id FROM executions WHERE status != 'RUNNING' AND stop_date < ?1",
        before,
    )?;
    conn.run(
        "DELETE FROM event_runs WHERE execution_id IN \
         (SELECT id FROM executions WHERE status != 'RUNNING' AND stop_date < ?1)",
        &[&before],
    )?;
    conn.run(
        "DELETE FROM map_runs WHERE execution_arn IN \
         (SELECT arn FROM executions WHERE status != 'RUNNING' AND stop_date < ?1)",
        &[&before],
    )?;
    conn.run(
        "DELETE FROM executions WHERE status != 'RUNNING' AND stop_date < ?1",
        &[&before],
    )
}

/// Whether a state machine (any version or alias) has RUNNING executions.
pub fn has_running(conn: &Db<'_>, state_machine_arn: &str) -> Result<bool, StoreError> {
    Ok(conn
        .opt(
            "SELECT 1 FROM executions WHERE state_machine_arn = ?1 AND status = 'RUNNING' LIMIT 1",
            &[&state_machine_arn],
            |_| Ok(()),
        )?
        .is_some())
}

/// One history event, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// The event's id: 1, 2, ... in the execution's history.
    pub id: i64,
    /// The id of the event it follows (0 for none).
    pub previous_id: i64,
    /// Microseconds since the Unix epoch.
    pub timestamp: i64,
    /// AWS's event type, e.g. `PassStateEntered` (stored as its name).
    pub kind: EventType,
    /// The `*EventDetails` object as JSON text (`None` for events with no details). Written,
    /// its payload may refer to `chunks` (see [`payloads`](crate::payloads)); read, it is
    /// always whole.
    pub details: Option<String>,
    /// The event's place in its execution (see the engine's lanes).
    pub lane: i64,
    /// Its position in its lane, so a replay finds it again.
    pub ordinal: i64,
    /// Payload chunks to store with the event (those the execution has are skipped). Always
    /// empty when read: the chunks are back inside `details` then.
    pub chunks: Vec<Chunk>,
}

/// Appends events to an execution's history.
pub fn append_events(conn: &Tx<'_>, execution: i64, events: &[EventRow]) -> Result<(), StoreError> {
    for e in events {
        payloads::put(conn, execution, &e.chunks)?;
    }
    event_runs::insert(conn, execution, events)?;
    for e in events {
        if matches!(
            e.kind,
            EventType::MapRunStarted
                | EventType::MapRunRedriven
                | EventType::MapRunSucceeded
                | EventType::MapRunFailed
                | EventType::MapRunAborted
        ) {
            track_map_run(conn, execution, e)?;
        }
    }
    Ok(())
}

/// Keeps `map_runs` in step with the history: `MapRunStarted` opens a run, and
/// `MapRunSucceeded` / `MapRunFailed` close the execution's latest open one. Driven by the
/// events themselves, so a replayed execution keeps them right too.
fn track_map_run(conn: &Tx<'_>, execution: i64, e: &EventRow) -> Result<(), StoreError> {
    match e.kind {
        EventType::MapRunStarted => {
            let details: serde_json::Value = e
                .details
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or_default();
            let key = EventType::MapRunStarted.details_key().unwrap_or_default();
            let Some(arn) = details[key]["mapRunArn"].as_str() else {
                return Ok(());
            };
            let execution_arn: String = conn.one(
                "SELECT arn FROM executions WHERE id = ?1",
                &[&execution],
                |r| r.get(0),
            )?;
            put_map_run(
                conn,
                &MapRunRecord {
                    arn: arn.to_string(),
                    execution_arn,
                    status: ExecutionStatus::Running.as_str().into(),
                    start_date: e.timestamp,
                    stop_date: None,
                    max_concurrency: 0,
                    tolerated_failure_percentage: 0.0,
                    tolerated_failure_count: 0,
                    item_counts: None,
                    execution_counts: None,
                    redrive_count: 0,
                    redrive_date: None,
                },
            )
        }
        EventType::MapRunRedriven => {
            let details: serde_json::Value = e
                .details
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or_default();
            let key = EventType::MapRunRedriven.details_key().unwrap_or_default();
            if let Some(arn) = details[key]["mapRunArn"].as_str() {
                conn.run(
                    "UPDATE map_runs SET status = 'RUNNING', stop_date = NULL, \
                     redrive_count = redrive_count + 1, redrive_date = ?2 WHERE arn = ?1",
                    &[&arn, &e.timestamp],
                )?;
            }
            Ok(())
        }
        EventType::MapRunSucceeded | EventType::MapRunFailed | EventType::MapRunAborted => {
            let status = match e.kind {
                EventType::MapRunSucceeded => ExecutionStatus::Succeeded,
                EventType::MapRunFailed => ExecutionStatus::Failed,
                _ => ExecutionStatus::Aborted,
            };
            conn.run(
                "UPDATE map_runs SET status = ?1, stop_date = ?2 WHERE arn = \
                 (SELECT m.arn FROM map_runs m JOIN executions x ON x.arn = m.execution_arn \
                  WHERE x.id = ?3 AND m.status = 'RUNNING' ORDER BY m.start_date DESC LIMIT 1)",
                &[&status.as_str(), &e.timestamp, &execution],
            )?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A status column; a word Switchback does not write means the file was altered.
fn status_column(r: &Row<'_>, column: usize) -> Result<ExecutionStatus, StoreError> {
    let word: String = r.get(column)?;
    word.parse()
        .map_err(|e: UnknownWord| StoreError::Corrupt(format!("column {column}: {e}")))
}

/// Events as read, their payloads made whole again.
fn expanded(
    conn: &Db<'_>,
    execution: i64,
    rows: Vec<EventRow>,
) -> Result<Vec<EventRow>, StoreError> {
    let mut expander = Expander::new(conn, execution);
    rows.into_iter()
        .map(|mut row| {
            row.details = expander.expand_opt(row.details.take(), Context::InString)?;
            Ok(row)
        })
        .collect()
}

/// All of an execution's events, in order.
pub fn events(conn: &Db<'_>, execution: i64) -> Result<Vec<EventRow>, StoreError> {
    let rows = event_runs::all(conn, execution)?;
    expanded(conn, execution, rows)
}

/// A page of an execution's events: after event `after` (exclusive; 0 or `i64::MAX` for the
/// start), oldest first or, with `reverse`, newest first.
pub fn events_page(
    conn: &Db<'_>,
    execution: i64,
    after: Option<i64>,
    limit: usize,
    reverse: bool,
) -> Result<Vec<EventRow>, StoreError> {
    let rows = if reverse {
        event_runs::before(conn, execution, after.unwrap_or(i64::MAX), limit)?
    } else {
        event_runs::after(conn, execution, after.unwrap_or(0), limit)?
    };
    expanded(conn, execution, rows)
}

/// The id of an execution's last event (0 for none).
pub fn last_event_id(conn: &Db<'_>, execution: i64) -> Result<i64, StoreError> {
    event_runs::last_id(conn, execution)
}

/// One map run (a Distributed Map's run), as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRunRecord {
    /// The map run's ARN, the key.
    pub arn: String,
    /// The ARN of the execution it runs in.
    pub execution_arn: String,
    /// `RUNNING`, then `SUCCEEDED`, `FAILED` or `ABORTED`.
    pub status: String,
    /// When it started, in microseconds since the Unix epoch.
    pub start_date: i64,
    /// When it ended, in microseconds since the Unix epoch; `None` while running.
    pub stop_date: Option<i64>,
    /// AWS's `maxConcurrency`, as set by `UpdateMapRun` (0 until then).
    pub max_concurrency: i64,
    /// AWS's `toleratedFailurePercentage`, 0-100.
    pub tolerated_failure_percentage: f64,
    /// AWS's `toleratedFailureCount`.
    pub tolerated_failure_count: i64,
    /// JSON of AWS's `itemCounts` object.
    pub item_counts: Option<String>,
    /// JSON of AWS's `executionCounts` object.
    pub execution_counts: Option<String>,
    /// How many times it was redriven with its execution.
    pub redrive_count: i64,
    /// When it was last redriven, in microseconds since the Unix epoch.
    pub redrive_date: Option<i64>,
}

const MAP_RUN_COLUMNS: &str = "arn, execution_arn, status, start_date, stop_date, \
    max_concurrency, tolerated_failure_percentage, tolerated_failure_count, item_counts, \
    execution_counts, redrive_count, redrive_date";

/// Every column but the key, set from the row given (`put_map_run` replaces a map run whole).
const MAP_RUN_UPDATES: &str = "execution_arn = excluded.execution_arn, \
    status = excluded.status, start_date = excluded.start_date, \
    stop_date = excluded.stop_date, max_concurrency = excluded.max_concurrency, \
    tolerated_failure_percentage = excluded.tolerated_failure_percentage, \
    tolerated_failure_count = excluded.tolerated_failure_count, \
    item_counts = excluded.item_counts, execution_counts = excluded.execution_counts, \
    redrive_count = excluded.redrive_count, redrive_date = excluded.redrive_date";

fn map_run_from_row(r: &Row<'_>) -> Result<MapRunRecord, StoreError> {
    Ok(MapRunRecord {
        arn: r.get(0)?,
        execution_arn: r.get(1)?,
        status: r.get(2)?,
        start_date: r.get(3)?,
        stop_date: r.get(4)?,
        max_concurrency: r.get(5)?,
        tolerated_failure_percentage: r.get(6)?,
        tolerated_failure_count: r.get(7)?,
        item_counts: r.get(8)?,
        execution_counts: r.get(9)?,
        redrive_count: r.get(10)?,
        redrive_date: r.get(11)?,
    })
}

/// Inserts or replaces a map run.
pub fn put_map_run(conn: &Tx<'_>, m: &MapRunRecord) -> Result<(), StoreError> {
    conn.run(
        &format!(
            "INSERT INTO map_runs ({MAP_RUN_COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
             ON CONFLICT (arn) DO UPDATE SET {MAP_RUN_UPDATES}"
        ),
        &[
            &m.arn,
            &m.execution_arn,
            &m.status,
            &m.start_date,
            &m.stop_date,
            &m.max_concurrency,
            &m.tolerated_failure_percentage,
            &m.tolerated_failure_count,
            &m.item_counts,
            &m.execution_counts,
            &m.redrive_count,
            &m.redrive_date,
        ],
    )?;
    Ok(())
}

/// A map run's limits as its state gave them: `(maxConcurrency, toleratedFailureCount,
/// toleratedFailurePercentage)`.
pub type MapRunLimits = (i64, i64, f64);

/// Records how a map run stands: its counts (JSON of AWS's `itemCounts` and
/// `executionCounts`) and, once at its start, its limits (not over limits already set: a run
/// resumed after `UpdateMapRun` keeps the updated ones).
pub fn set_map_run_progress(
    conn: &Tx<'_>,
    arn: &str,
    limits: Option<MapRunLimits>,
    item_counts: &str,
    execution_counts: &str,
) -> Result<(), StoreError> {
    conn.run(
        "UPDATE map_runs SET item_counts = ?2, execution_counts = ?3 WHERE arn = ?1",
        &[&arn, &item_counts, &execution_counts],
    )?;
    if let Some((max_concurrency, count, percentage)) = limits {
        conn.run(
            "UPDATE map_runs SET max_concurrency = ?2, tolerated_failure_count = ?3, \
             tolerated_failure_percentage = ?4 WHERE arn = ?1 AND max_concurrency = 0",
            &[&arn, &max_concurrency, &count, &percentage],
        )?;
    }
    Ok(())
}

/// A map run by ARN.
pub fn get_map_run(conn: &Db<'_>, arn: &str) -> Result<Option<MapRunRecord>, StoreError> {
    conn.opt(
        &format!("SELECT {MAP_RUN_COLUMNS} FROM map_runs WHERE arn = ?1"),
        &[&arn],
        map_run_from_row,
    )
}

/// An execution's map runs, oldest first, after the ARN `after`.
pub fn list_map_runs(
    conn: &Db<'_>,
    execution_arn: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<MapRunRecord>, StoreError> {
    conn.all(
        &format!(
            "SELECT {MAP_RUN_COLUMNS} FROM map_runs WHERE execution_arn = ?1 AND arn > ?2 \
             ORDER BY start_date, arn LIMIT ?3"
        ),
        &[&execution_arn, &after.unwrap_or(""), &columns::limit(limit)],
        map_run_from_row,
    )
}

/// Finishes deleting the machine of execution `id` when it is DELETING and this was its last
/// running execution (DeleteStateMachine waits for them). True when the machine went.
pub fn complete_machine_deletion(conn: &Tx<'_>, id: i64) -> Result<bool, StoreError> {
    let machine: Option<String> = conn.opt(
        "SELECT m.arn FROM executions e JOIN state_machines m ON m.arn = e.state_machine_arn \
         WHERE e.id = ?1 AND m.status = 'DELETING'",
        &[&id],
        |r| r.get(0),
    )?;
    let Some(machine) = machine else {
        return Ok(false);
    };
    if has_running(conn, &machine)? {
        return Ok(false);
    }
    crate::state_machines::delete_with_dependents(conn, &machine)
}

/// Records the execution that started this one (nested state machines): stopping the parent
/// stops it too.
pub fn set_parent(conn: &Tx<'_>, id: i64, parent: i64) -> Result<(), StoreError> {
    conn.run(
        "UPDATE executions SET parent_id = ?2 WHERE id = ?1",
        &[&id, &parent],
    )?;
    Ok(())
}

/// The running executions that `parent` started.
pub fn running_children(conn: &Db<'_>, parent: i64) -> Result<Vec<i64>, StoreError> {
    conn.all(
        "SELECT id FROM executions WHERE parent_id = ?1 AND status = 'RUNNING' ORDER BY id",
        &[&parent],
        |r| r.get(0),
    )
}

/// A map run's child as its parent finds it when it runs again: its record (output whole)
/// and, while it is still running, its events.
#[derive(Debug, Clone)]
pub struct StoredChild {
    /// The child's row.
    pub record: ExecutionRecord,
    /// Its history unless it succeeded: what its resumed (or redriven) run replays.
    pub events: Vec<EventRow>,
}

/// The map runs' children that execution `parent` started, with the events of those that
/// did not succeed (a run that goes on, or a redrive, replays them).
pub fn map_children(conn: &Db<'_>, parent: i64) -> Result<Vec<StoredChild>, StoreError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM executions WHERE parent_id = ?1 AND map_run_arn IS NOT NULL"
    );
    let rows = conn.all(sql, &[&parent], from_row)?;
    rows.into_iter()
        .map(|r| {
            let record = whole(conn, r)?;
            let events = match record.status {
                ExecutionStatus::Succeeded => Vec::new(),
                _ => events(conn, record.id)?,
            };
            Ok(StoredChild { record, events })
        })
        .collect()
}

/// The RUNNING map-run children of execution `parent`: their ids and last event ids.
pub fn running_map_children(conn: &Db<'_>, parent: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    let ids: Vec<i64> = conn.all(
        "SELECT id FROM executions WHERE parent_id = ?1 AND map_run_arn IS NOT NULL \
         AND status = 'RUNNING' ORDER BY id",
        &[&parent],
        |r| r.get(0),
    )?;
    ids.into_iter()
        .map(|id| Ok((id, last_event_id(conn, id)?)))
        .collect()
}

/// Closes the RUNNING map runs of execution `id` as ABORTED (it was stopped).
pub fn abort_map_runs(conn: &Tx<'_>, id: i64, stop_date: i64) -> Result<(), StoreError> {
    conn.run(
        "UPDATE map_runs SET status = 'ABORTED', stop_date = ?2 WHERE status = 'RUNNING' \
         AND execution_arn = (SELECT arn FROM executions WHERE id = ?1)",
        &[&id, &stop_date],
    )?;
    Ok(())
}

/// How many children of a map run are in each status.
pub fn map_run_counts(
    conn: &Db<'_>,
    map_run_arn: &str,
) -> Result<Vec<(ExecutionStatus, i64)>, StoreError> {
    conn.all(
        "SELECT status, COUNT(*) FROM executions WHERE map_run_arn = ?1 GROUP BY status",
        &[&map_run_arn],
        |r| Ok((status_column(r, 0)?, r.get(1)?)),
    )
}

/// Sets the mock test case an execution runs with (`stateMachineArn#TestCase`).
pub fn set_mock_test_case(conn: &Tx<'_>, id: i64, case: &str) -> Result<(), StoreError> {
    conn.run(
        "UPDATE executions SET mock_test_case = ?2 WHERE id = ?1",
        &[&id, &case],
    )?;
    Ok(())
}

/// The mock test case an execution runs with, if any.
pub fn mock_test_case(conn: &Db<'_>, id: i64) -> Result<Option<String>, StoreError> {
    Ok(conn
        .opt(
            "SELECT mock_test_case FROM executions WHERE id = ?1",
            &[&id],
            |r| r.get::<Option<String>>(0),
        )?
        .flatten())
}

/// How many executions each state machine has in each status: `(machine ARN, status, count)`.
///
/// One grouped scan, for the console's list of state machines (AWS's console shows the same
/// counts); Express executions are not stored, so they are not counted.
pub fn counts_by_status(conn: &Db<'_>) -> Result<Vec<(String, ExecutionStatus, i64)>, StoreError> {
    conn.all(
        "SELECT state_machine_arn, status, COUNT(*) FROM executions \
         GROUP BY state_machine_arn, status",
        &[],
        |r| Ok((r.get(0)?, status_column(r, 1)?, r.get(2)?)),
    )
}
