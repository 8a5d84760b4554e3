//! Tasks that wait for something outside their execution: the `task_tokens` table.
//!
//! A callback (`.waitForTaskToken`), an activity task, or a child execution run with `.sync`
//! gets a row here in the same commit as its scheduling event. Whatever answers it
//! (`SendTaskSuccess`/`Failure`, an activity worker, the child's end) writes the answer into the
//! row *before* the waiting execution is woken, so a restart in between loses nothing: the
//! resumed execution finds the answer here.
//!
//! A row's life: `SCHEDULED` → (`STARTED`, activities only, when a worker takes it) →
//! `CLOSED` (answered, timed out, or its execution ended). `outcome` holds the answer.

use crate::db::{Db, Tx};
use crate::error::StoreError;
use crate::executions;
use crate::sql::Row;

/// What a task waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `SendTaskSuccess` / `SendTaskFailure` with the token.
    Callback,
    /// An activity worker: `GetActivityTask`, then `SendTask*`.
    Activity,
    /// A child execution's end (`states:startExecution.sync`).
    Sync,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Callback => "CALLBACK",
            TokenKind::Activity => "ACTIVITY",
            TokenKind::Sync => "SYNC",
        }
    }

    fn parse(s: &str) -> TokenKind {
        match s {
            "ACTIVITY" => TokenKind::Activity,
            "SYNC" => TokenKind::Sync,
            _ => TokenKind::Callback,
        }
    }
}

/// One waiting task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskToken {
    /// The task token, the row's key: what `SendTask*` names (the dispatch's idempotency key
    /// when the task was given no token of its own).
    pub token: String,
    /// The internal id of the execution that waits.
    pub execution_id: i64,
    /// The dispatch's idempotency key: a re-dispatch after a restart finds its row by it.
    pub task_key: String,
    /// What the task waits for.
    pub kind: TokenKind,
    /// `SCHEDULED`, `STARTED` or `CLOSED`.
    pub status: String,
    /// For an activity task: the activity that serves it.
    pub activity_arn: Option<String>,
    /// The input an activity worker gets.
    pub input: Option<String>,
    /// For an activity task: the `workerName` of the worker that took it, if it gave one.
    pub worker_name: Option<String>,
    /// For a `.sync` task: the internal id of the child execution, once started.
    pub child_execution_id: Option<i64>,
    /// The task's `HeartbeatSeconds`, if it has one.
    pub heartbeat_seconds: Option<i64>,
    /// Microseconds: when the heartbeat clock last started (scheduling, start, heartbeat).
    pub last_beat: i64,
    /// The answer, as JSON text: `{"output": v}` or `{"error": e, "cause": c}`.
    pub outcome: Option<String>,
    /// When the row was written (the task scheduled), in microseconds since the Unix epoch.
    pub created: i64,
}

const COLUMNS: &str = "token, execution_id, task_key, kind, status, activity_arn, input, \
    worker_name, child_execution_id, heartbeat_seconds, last_beat, outcome, created";

fn from_row(r: &Row<'_>) -> Result<TaskToken, StoreError> {
    let kind: String = r.get(3)?;
    Ok(TaskToken {
        token: r.get(0)?,
        execution_id: r.get(1)?,
        task_key: r.get(2)?,
        kind: TokenKind::parse(&kind),
        status: r.get(4)?,
        activity_arn: r.get(5)?,
        input: r.get(6)?,
        worker_name: r.get(7)?,
        child_execution_id: r.get(8)?,
        heartbeat_seconds: r.get(9)?,
        last_beat: r.get(10)?,
        outcome: r.get(11)?,
        created: r.get(12)?,
    })
}

/// Registers a waiting task. A row with the same idempotency key (a re-dispatch after a
/// restart) is kept as it is; returns the row that is stored.
pub fn register(conn: &Tx<'_>, t: &TaskToken) -> Result<TaskToken, StoreError> {
    conn.run(
        "INSERT INTO task_tokens (token, execution_id, task_key, kind, status, activity_arn, \
         input, worker_name, child_execution_id, heartbeat_seconds, last_beat, outcome, created) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
         ON CONFLICT DO NOTHING",
        &[
            &t.token,
            &t.execution_id,
            &t.task_key,
            &t.kind.as_str(),
            &t.status,
            &t.activity_arn,
            &t.input,
            &t.worker_name,
            &t.child_execution_id,
            &t.heartbeat_seconds,
            &t.last_beat,
            &t.outcome,
            &t.created,
        ],
    )?;
    by_key(conn, &t.task_key)?
        .ok_or_else(|| StoreError::Corrupt(format!("task token for {} was not stored", t.task_key)))
}

/// The row of a token.
pub fn get(conn: &Db<'_>, token: &str) -> Result<Option<TaskToken>, StoreError> {
    conn.opt(
        &format!("SELECT {COLUMNS} FROM task_tokens WHERE token = ?1"),
        &[&token],
        from_row,
    )
}

/// The row of a dispatch, by its idempotency key.
pub fn by_key(conn: &Db<'_>, task_key: &str) -> Result<Option<TaskToken>, StoreError> {
    conn.opt(
        &format!("SELECT {COLUMNS} FROM task_tokens WHERE task_key = ?1"),
        &[&task_key],
        from_row,
    )
}

/// Records the answer of an open task; false if it was already closed (answered, timed out,
/// or its execution ended).
pub fn answer(conn: &Tx<'_>, token: &str, outcome: &str) -> Result<bool, StoreError> {
    let n = conn.run(
        "UPDATE task_tokens SET status = 'CLOSED', outcome = ?2 \
         WHERE token = ?1 AND status != 'CLOSED'",
        &[&token, &outcome],
    )?;
    if n > 0 {
        wake_execution_of(conn, token)?;
    }
    Ok(n > 0)
}

/// The execution of `token` has work to do now (see [`executions::wake_now`]).
fn wake_execution_of(conn: &Tx<'_>, token: &str) -> Result<(), StoreError> {
    let execution: Option<i64> = conn.opt(
        "SELECT execution_id FROM task_tokens WHERE token = ?1",
        &[&token],
        |r| r.get(0),
    )?;
    match execution {
        Some(id) => executions::wake_now(conn, id),
        None => Ok(()),
    }
}

/// Closes an open task without an answer (it timed out, or gave up); false if it had
/// already been closed, e.g. answered a moment before.
pub fn close(conn: &Tx<'_>, token: &str) -> Result<bool, StoreError> {
    let n = conn.run(
        "UPDATE task_tokens SET status = 'CLOSED' WHERE token = ?1 AND status != 'CLOSED'",
        &[&token],
    )?;
    Ok(n > 0)
}

/// Closes every open task of an execution (it ended or was stopped).
pub fn close_all(conn: &Tx<'_>, execution_id: i64) -> Result<usize, StoreError> {
    conn.run(
        "UPDATE task_tokens SET status = 'CLOSED' \
         WHERE execution_id = ?1 AND status != 'CLOSED'",
        &[&execution_id],
    )
}

/// Closes the open tasks of execution `execution_id` whose dispatch key starts with
/// `prefix`: those of one map run child (its keys start with its ARN), whose parent holds
/// them. Returns how many were closed.
pub fn close_with_key_prefix(
    conn: &Tx<'_>,
    execution_id: i64,
    prefix: &str,
) -> Result<usize, StoreError> {
    // A range of keys rather than LIKE, so the unique index on task_key serves it.
    let end = match prefix.strip_suffix(':') {
        Some(head) => format!("{head};"),
        None => format!("{prefix}\u{10FFFF}"),
    };
    conn.run(
        "UPDATE task_tokens SET status = 'CLOSED' \
         WHERE execution_id = ?1 AND task_key >= ?2 AND task_key < ?3 AND status != 'CLOSED'",
        &[&execution_id, &prefix, &end],
    )
}

/// Restarts the heartbeat clock of an open task; false if it is closed.
pub fn heartbeat(conn: &Tx<'_>, token: &str, now: i64) -> Result<bool, StoreError> {
    let n = conn.run(
        "UPDATE task_tokens SET last_beat = ?2 WHERE token = ?1 AND status != 'CLOSED'",
        &[&token, &now],
    )?;
    Ok(n > 0)
}

/// Hands the oldest waiting task of an activity to a worker: marks it started (its heartbeat
/// clock starts now) and returns it.
pub fn take_activity_task(
    conn: &Tx<'_>,
    activity_arn: &str,
    worker_name: Option<&str>,
    now: i64,
) -> Result<Option<TaskToken>, StoreError> {
    let token: Option<String> = conn.opt(
        "SELECT t.token FROM task_tokens t JOIN executions e ON e.id = t.execution_id \
         WHERE t.activity_arn = ?1 AND t.kind = 'ACTIVITY' AND t.status = 'SCHEDULED' \
         AND e.status = 'RUNNING' ORDER BY t.created, t.token LIMIT 1",
        &[&activity_arn],
        |r| r.get(0),
    )?;
    let Some(token) = token else {
        return Ok(None);
    };
    conn.run(
        "UPDATE task_tokens SET status = 'STARTED', worker_name = ?2, last_beat = ?3 \
         WHERE token = ?1",
        &[&token, &worker_name, &now],
    )?;
    wake_execution_of(conn, &token)?;
    get(conn, &token)
}

/// Links a `.sync` task to the child execution it started.
pub fn set_child(conn: &Tx<'_>, token: &str, child: i64) -> Result<(), StoreError> {
    conn.run(
        "UPDATE task_tokens SET child_execution_id = ?2 WHERE token = ?1",
        &[&token, &child],
    )?;
    Ok(())
}

/// Closes the `.sync` tasks waiting for a child that ended; returns their executions (the
/// parents to wake). The parent reads the child's ending from the child's row.
///
/// Every ending execution asks, and almost none has a parent waiting: so the waiting tasks are
/// looked up first (an index probe) and updated only when there are some. (`UPDATE ...
/// RETURNING` would build a temporary table on every call, several times the cost.)
pub fn child_ended(conn: &Tx<'_>, child: i64) -> Result<Vec<i64>, StoreError> {
    let waiting = conn.all(
        "SELECT token, execution_id FROM task_tokens \
         WHERE child_execution_id = ?1 AND kind = 'SYNC' AND status != 'CLOSED'",
        &[&child],
        |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
    )?;
    let mut parents = Vec::with_capacity(waiting.len());
    for (token, parent) in waiting {
        conn.run(
            "UPDATE task_tokens SET status = 'CLOSED' WHERE token = ?1",
            &[&token],
        )?;
        executions::wake_now(conn, parent)?;
        parents.push(parent);
    }
    Ok(parents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Store, StoreConfig};

    /// Runs `test` in one write to a new in-memory store holding one running execution (id 1).
    fn with_execution(test: impl FnOnce(&Tx<'_>) + Send + 'static) {
        let store = Store::open(StoreConfig::in_memory()).expect("open");
        store
            .write_blocking(|c| {
                c.run(
                    "INSERT INTO executions (id, arn, state_machine_arn, name, status, \
                     definition, role_arn, input, start_date, seed) VALUES (1, 'a', 'm', 'n', \
                     'RUNNING', '{}', 'r', '{}', 0, 0)",
                    &[],
                )?;
                test(c);
                Ok(())
            })
            .expect("test");
    }

    fn activity_task(token: &str, created: i64) -> TaskToken {
        TaskToken {
            token: token.into(),
            execution_id: 1,
            task_key: format!("key-{token}"),
            kind: TokenKind::Activity,
            status: "SCHEDULED".into(),
            activity_arn: Some("act".into()),
            input: Some("{}".into()),
            worker_name: None,
            child_execution_id: None,
            heartbeat_seconds: Some(5),
            last_beat: created,
            outcome: None,
            created,
        }
    }

    /// The execution's (wake_at, wakes).
    fn wake_of(c: &Db<'_>) -> (Option<i64>, i64) {
        c.one(
            "SELECT wake_at, wakes FROM executions WHERE id = 1",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("execution row")
    }

    #[test]
    fn an_answer_clears_the_wake_up_time_and_a_park_that_raced_it_does_not_hold() {
        with_execution(|c| {
            let mut callback = activity_task("cb", 1);
            callback.kind = TokenKind::Callback;
            callback.activity_arn = None;
            register(c, &callback).expect("register");
            // A run loaded the execution with 0 wakes and parks far ahead: that holds.
            assert!(executions::park(c, 1, 1_000_000, 0).expect("park"));
            assert_eq!(wake_of(c), (Some(1_000_000), 0));
            // The answer lands: the execution has work now, even across a restart.
            assert!(answer(c, "cb", r#"{"output":{}}"#).expect("answer"));
            assert_eq!(wake_of(c), (None, 1));
            // A park by a run that loaded before the answer does not hold...
            assert!(!executions::park(c, 1, 2_000_000, 0).expect("park"));
            assert_eq!(wake_of(c), (None, 1));
            // ...one by a run that loaded after it does.
            assert!(executions::park(c, 1, 2_000_000, 1).expect("park"));
            // A second answer to a closed task changes nothing.
            assert!(!answer(c, "cb", r#"{"output":{}}"#).expect("answer"));
            assert_eq!(wake_of(c), (Some(2_000_000), 1));
        });
    }

    #[test]
    fn a_worker_taking_an_activity_task_wakes_its_execution() {
        with_execution(|c| {
            register(c, &activity_task("t1", 10)).expect("register");
            assert!(executions::park(c, 1, 1_000_000, 0).expect("park"));
            take_activity_task(c, "act", Some("w"), 30).expect("take");
            assert_eq!(wake_of(c), (None, 1));
        });
    }

    #[test]
    fn a_worker_takes_the_oldest_task_once() {
        with_execution(|c| {
            register(c, &activity_task("t2", 20)).expect("register");
            register(c, &activity_task("t1", 10)).expect("register");
            let first = take_activity_task(c, "act", Some("w"), 30)
                .expect("take")
                .expect("a task");
            assert_eq!(first.token, "t1");
            assert_eq!(first.status, "STARTED");
            assert_eq!(first.worker_name.as_deref(), Some("w"));
            assert_eq!(first.last_beat, 30);
            let second = take_activity_task(c, "act", None, 31)
                .expect("take")
                .expect("a task");
            assert_eq!(second.token, "t2");
            assert!(take_activity_task(c, "act", None, 32)
                .expect("take")
                .is_none());
        });
    }

    #[test]
    fn a_task_is_answered_once_and_a_redispatch_keeps_its_row() {
        with_execution(|c| {
            let stored = register(c, &activity_task("t1", 10)).expect("register");
            let mut again = activity_task("t1-other", 99);
            again.task_key = stored.task_key.clone();
            assert_eq!(register(c, &again).expect("register").token, "t1");
            assert!(answer(c, "t1", r#"{"output":1}"#).expect("answer"));
            assert!(!answer(c, "t1", r#"{"output":2}"#).expect("answer"));
            assert!(!heartbeat(c, "t1", 50).expect("heartbeat"));
            let row = get(c, "t1").expect("get").expect("row");
            assert_eq!(row.outcome.as_deref(), Some(r#"{"output":1}"#));
        });
    }
}
