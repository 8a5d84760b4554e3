//! Appending history events: the hot path of every Standard execution.
//!
//! A commit carries a run of events (a ten-state chain commits 22 at its end). One `INSERT`
//! per event paid SQLite's per-statement cost (binding, stepping, halting, resetting) once per
//! event; here a run goes in as few multi-row `INSERT`s as possible, of 16, 4 or 1 rows, so
//! at most three statements stay in the connection's cache.
//!
//! The statements say `OR FAIL`, not the default `ABORT`: a multi-row `ABORT` statement makes
//! SQLite copy every page it touches to a statement journal first, to undo the statement
//! alone. Nothing needs that here: every write runs inside its job's savepoint
//! ([`crate::writer`]), and a job that fails is rolled back whole, so a statement that fails
//! half-way is undone with it.

use rusqlite::types::ToSql;

use crate::db::Tx;
use crate::executions::EventRow;
use crate::StoreError;

/// Columns of one event row, in the statements' order.
const COLUMNS: usize = 8;

/// The row counts a statement is prepared for, largest first.
const SIZES: [usize; 3] = [16, 4, 1];

/// Inserts the rows of `events` (not their payload chunks) for `execution`.
pub(crate) fn insert_events(
    conn: &Tx<'_>,
    execution: i64,
    events: &[EventRow],
) -> Result<(), StoreError> {
    let mut rest = events;
    while !rest.is_empty() {
        let size = SIZES
            .into_iter()
            .find(|&size| size <= rest.len())
            .unwrap_or(1);
        let (run, after) = rest.split_at(size);
        insert_run(conn, execution, run)?;
        rest = after;
    }
    Ok(())
}

/// One statement for `run` (whose length is one of [`SIZES`]).
fn insert_run(conn: &Tx<'_>, execution: i64, run: &[EventRow]) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(statement(run.len()))?;
    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(run.len() * COLUMNS);
    // The kinds' names, where the parameters can borrow them.
    let mut kinds = [""; SIZES[0]];
    for (kind, e) in kinds.iter_mut().zip(run) {
        *kind = e.kind.as_str();
    }
    for (e, kind) in run.iter().zip(&kinds) {
        values.extend_from_slice(&[
            &execution as &dyn ToSql,
            &e.id,
            &e.previous_id,
            &e.timestamp,
            kind,
            &e.details,
            &e.lane,
            &e.ordinal,
        ]);
    }
    stmt.execute(values.as_slice())?;
    Ok(())
}

/// The `INSERT` of `rows` rows, built once per size.
fn statement(rows: usize) -> &'static str {
    use std::sync::OnceLock;
    static TEXTS: OnceLock<[String; SIZES.len()]> = OnceLock::new();
    let texts = TEXTS.get_or_init(|| SIZES.map(text));
    let index = SIZES
        .iter()
        .position(|&s| s == rows)
        .unwrap_or(SIZES.len() - 1);
    &texts[index]
}

/// `INSERT OR FAIL INTO events (...) VALUES (?1, ..., ?8), (?9, ...), ...`.
fn text(rows: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=COLUMNS)
                .map(|column| format!("?{}", row * COLUMNS + column))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "INSERT OR FAIL INTO events \
         (execution_id, id, previous_id, timestamp, type, details, lane, ordinal) VALUES {}",
        tuples.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_their_parameters_in_row_order() {
        assert_eq!(
            text(2),
            "INSERT OR FAIL INTO events (execution_id, id, previous_id, timestamp, type, \
             details, lane, ordinal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8), \
             (?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        );
        assert!(statement(16).ends_with("?128)"));
        assert!(statement(1).ends_with("(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    }
}
