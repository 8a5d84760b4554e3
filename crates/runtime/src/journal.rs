//! Which stored events a resumed run replays.
//!
//! Normally every stored event is replayed. A redriven execution differs: AWS restarts it
//! from the state where it failed, so the events of every state that did not finish (in each
//! lane: the last entered state without an exit, and all that follows it) are left out of the
//! replay and run again. Successful states, branches and iterations are replayed as done.
//! Events written by the runtime itself (`ExecutionAborted`, `ExecutionRedriven`) have no
//! place in a lane and are never replayed.

use std::collections::HashMap;

use switchback_engine::history::{EventType, StateEvent};
use switchback_engine::Place;
use switchback_store::executions::EventRow;

/// The ordinal of events the runtime writes outside the interpreter's lanes.
pub const OUTSIDE_LANES: i64 = u32::MAX as i64;

/// The place of an event the runtime writes outside the lanes (`ExecutionAborted`,
/// `ExecutionRedriven`).
pub const OUTSIDE_PLACE: Place = Place::OUTSIDE;

/// The stored events a resumed run should take as done.
pub fn replayable(rows: &[EventRow]) -> Vec<EventRow> {
    let mut journal: HashMap<(i64, i64), &EventRow> = HashMap::with_capacity(rows.len());
    for row in rows {
        if row.kind == EventType::ExecutionRedriven {
            cut_unfinished(&mut journal);
        } else if row.ordinal != OUTSIDE_LANES {
            // A place used again after a redrive holds the newer event.
            journal.insert((row.lane, row.ordinal), row);
        }
    }
    let mut kept: Vec<EventRow> = journal.into_values().cloned().collect();
    kept.sort_by_key(|r| r.id);
    kept
}

/// Removes, in every lane, the last state that was entered and not exited, with everything
/// after it.
fn cut_unfinished(journal: &mut HashMap<(i64, i64), &EventRow>) {
    let mut lanes: HashMap<i64, Vec<(i64, EventType)>> = HashMap::new();
    for ((lane, ordinal), row) in journal.iter() {
        lanes.entry(*lane).or_default().push((*ordinal, row.kind));
    }
    let mut cuts = Vec::new();
    for (lane, mut events) in lanes {
        events.sort_unstable();
        let mut open: Option<i64> = None;
        for (ordinal, kind) in events {
            match kind.state_event() {
                Some(StateEvent::Entered(_)) => open = Some(ordinal),
                Some(StateEvent::Exited(_)) => open = None,
                None => {}
            }
        }
        if let Some(from) = open {
            cuts.push((lane, from));
        }
    }
    journal.retain(|(lane, ordinal), _| !cuts.iter().any(|(l, from)| l == lane && ordinal >= from));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, kind: EventType, lane: i64, ordinal: i64) -> EventRow {
        EventRow {
            id,
            previous_id: id - 1,
            timestamp: 0,
            kind,
            details: None,
            lane,
            ordinal,
            chunks: Vec::new(),
        }
    }

    #[test]
    fn a_redrive_replays_finished_states_and_reruns_the_failed_one() {
        let rows = vec![
            row(1, EventType::ExecutionStarted, 0, 0),
            row(2, EventType::PassStateEntered, 0, 1),
            row(3, EventType::PassStateExited, 0, 2),
            row(4, EventType::TaskStateEntered, 0, 3),
            row(5, EventType::TaskScheduled, 0, 4),
            row(6, EventType::TaskFailed, 0, 5),
            row(7, EventType::ExecutionFailed, 0, 6),
            row(8, EventType::ExecutionRedriven, 0, OUTSIDE_LANES),
        ];
        let ids: Vec<i64> = replayable(&rows).iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }

    #[test]
    fn newer_events_replace_the_cut_ones_at_their_places() {
        let rows = vec![
            row(1, EventType::ExecutionStarted, 0, 0),
            row(2, EventType::TaskStateEntered, 0, 1),
            row(3, EventType::TaskFailed, 0, 2),
            row(4, EventType::ExecutionFailed, 0, 3),
            row(5, EventType::ExecutionRedriven, 0, OUTSIDE_LANES),
            row(6, EventType::TaskStateEntered, 0, 1),
        ];
        let ids: Vec<i64> = replayable(&rows).iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![1, 6]);
    }

    #[test]
    fn without_a_redrive_everything_in_lanes_is_replayed() {
        let rows = vec![
            row(1, EventType::ExecutionStarted, 0, 0),
            row(2, EventType::WaitStateEntered, 0, 1),
            row(3, EventType::ExecutionAborted, 0, OUTSIDE_LANES),
        ];
        let ids: Vec<i64> = replayable(&rows).iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![1, 2]);
    }
}
