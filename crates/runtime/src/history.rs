//! A stored execution's history, read as typed events.
//!
//! The one reader behind the API's `GetExecutionHistory` and every console page that shows
//! events, so that both see the same thing: rows come out of the store and become
//! [`Event`]s here (through [`events::from_row`]); nobody else looks inside a stored row.

use switchback_engine::{Event, Place};
use switchback_store::executions::{self, EventRow};
use switchback_store::{Db, StoreError};

use crate::events;

/// An event with its place in the execution (its lane: the top level, a Parallel branch, a
/// Map iteration).
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// The event.
    pub event: Event,
    /// Where the interpreter recorded it.
    pub place: Place,
}

/// Up to `limit` events of execution `execution` (its store id) after event `after` (before
/// it when `reverse`), oldest first (newest first when `reverse`).
pub fn page(
    db: &Db<'_>,
    execution: i64,
    after: Option<i64>,
    limit: usize,
    reverse: bool,
) -> Result<Vec<StoredEvent>, StoreError> {
    executions::events_page(db, execution, after, limit, reverse)?
        .iter()
        .map(typed)
        .collect()
}

/// The id of the execution's last event (0 before the first).
pub fn last_id(db: &Db<'_>, execution: i64) -> Result<i64, StoreError> {
    executions::last_event_id(db, execution)
}

/// A stored row as a typed event. A row that does not read back was altered outside
/// Switchback: the store's corruption error says so.
fn typed(row: &EventRow) -> Result<StoredEvent, StoreError> {
    let event = events::from_row(row).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(StoredEvent {
        event,
        place: events::place(row),
    })
}
