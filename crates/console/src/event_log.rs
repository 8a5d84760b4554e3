//! An execution's history, boiled down to what the console's colouring needs, and kept warm.
//!
//! The graph, the timeline and the live view all ask the same question many times a second:
//! "what had happened to each state by event N?". Answering it from `GetExecutionHistory`
//! would parse every payload each time, so this module reads the stored events once, keeps one
//! small [`EventSummary`] per event (no inputs or outputs kept), and afterwards reads only the
//! events added since. Payloads are read again only when a person opens a state or an event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use switchback_engine::history::{EventKind, EventType};
use switchback_runtime::history::{self, StoredEvent};
use switchback_store::{Store, StoreError};

/// One history event without its payloads.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSummary {
    /// The event's id (1, 2, ...).
    pub id: i64,
    /// The event it follows, as AWS reports it.
    pub previous_id: i64,
    /// Microseconds since the Unix epoch.
    pub timestamp: i64,
    /// The event's type, e.g. `TaskStateEntered`.
    pub kind: EventType,
    /// The lane (Parallel branch or Map iteration) the event belongs to; 0 for the top level.
    pub lane: i64,
    /// The state's name for `*StateEntered`/`*StateExited`, the Map state's for `MapIteration*`.
    pub name: Option<Box<str>>,
    /// The iteration's index for `MapIteration*` events.
    pub index: Option<u64>,
    /// The error of a failure event.
    pub error: Option<Box<str>>,
    /// The cause of a failure event.
    pub cause: Option<Box<str>>,
}

impl EventSummary {
    /// The summary of a stored event.
    pub fn from_stored(stored: &StoredEvent) -> EventSummary {
        let e = &stored.event;
        let (error, cause) = e.kind.error_cause().unwrap_or_default();
        EventSummary {
            id: e.id as i64,
            previous_id: e.previous_event_id as i64,
            timestamp: e.timestamp.as_microsecond(),
            kind: e.kind.event_type(),
            lane: stored.place.lane as i64,
            name: e.kind.state_name().map(Into::into),
            index: match &e.kind {
                EventKind::MapIteration { index, .. } => Some(*index as u64),
                _ => None,
            },
            error: error.map(Into::into),
            cause: cause.map(Into::into),
        }
    }
}

/// How many executions' summaries are kept; a page view or a live stream touches one.
const CACHED_EXECUTIONS: usize = 64;
/// How many events are read per store round trip when catching up.
const READ_BATCH: usize = 5_000;

/// The summaries of recently viewed executions, refreshed incrementally.
#[derive(Default)]
pub struct EventLogCache {
    entries: Mutex<HashMap<i64, Arc<Vec<EventSummary>>>>,
}

impl EventLogCache {
    /// Every event of execution `id` (its internal store id) as of now.
    pub async fn load(&self, store: &Store, id: i64) -> Result<Arc<Vec<EventSummary>>, StoreError> {
        let cached = self.get(id);
        let mut after = cached.as_ref().and_then(|l| l.last()).map_or(0, |e| e.id);
        let mut fresh = Vec::new();
        loop {
            let rows = store
                .read(move |c| history::page(c, id, Some(after), READ_BATCH, false))
                .await?;
            let full = rows.len() == READ_BATCH;
            fresh.extend(rows.iter().map(EventSummary::from_stored));
            match fresh.last() {
                Some(last) if full => after = last.id,
                _ => break,
            }
        }
        match cached {
            Some(log) if fresh.is_empty() => Ok(log),
            cached => Ok(self.extend(id, cached, fresh)),
        }
    }

    /// Appends `fresh` to the log read earlier (`cached`) and keeps the result, unless another
    /// reader already kept a longer log.
    fn extend(
        &self,
        id: i64,
        cached: Option<Arc<Vec<EventSummary>>>,
        fresh: Vec<EventSummary>,
    ) -> Arc<Vec<EventSummary>> {
        let newest = fresh.last().map(|e| e.id);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(kept) = entries.get(&id) {
            if kept.last().map(|e| e.id) >= newest {
                return kept.clone();
            }
        }
        // The cache lets go of its reference first, so that the log grows in place rather
        // than being copied whole on every new event.
        entries.remove(&id);
        let mut log = cached.unwrap_or_default();
        Arc::make_mut(&mut log).extend(fresh);
        if entries.len() >= CACHED_EXECUTIONS {
            // Any victim will do: a miss costs one read of the history.
            if let Some(victim) = entries.keys().next().copied() {
                entries.remove(&victim);
            }
        }
        entries.insert(id, log.clone());
        log
    }

    fn get(&self, id: i64) -> Option<Arc<Vec<EventSummary>>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(&id).cloned()
    }
}
