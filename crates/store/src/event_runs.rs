//! An execution's history as stored: the `event_runs` table, one row per commit.
//!
//! Every commit of a Standard execution appends a *run* of consecutive events (a ten-state
//! chain commits 22 at its end). Stored one row per event, a run cost SQLite one b-tree insert,
//! eight bound parameters and a text copy per event: two thirds of the writer thread's work.
//! Here a run is one row: the events packed into one `body` blob, keyed by the execution and
//! the run's first event id. A commit is then one insert of one blob.
//!
//! Reads unpack whole runs and keep the events asked for: a page of history starts at the run
//! that holds its first event. Runs are bounded ([`RUN_EVENTS`] events, [`RUN_BYTES`] of
//! details; a larger commit is stored as several), so a page, or a single event, unpacks a
//! few runs at most however long the history is.
//!
//! The body is [postcard](https://postcard.jamesmunns.com) (a stable, documented wire format:
//! varints, length-prefixed strings) after a format byte: [`PLAIN`], or [`LZ4`] for the same
//! bytes compressed (any run of a few events or more). An event keeps its type
//! as its AWS name, not a number, so a new event type never shifts the meaning of stored ones.

use serde::{Deserialize, Serialize};
use switchback_types::EventType;

use crate::db::{Db, Tx};
use crate::executions::EventRow;
use crate::StoreError;

/// The first byte of a body whose events follow as they are. A body starting with a byte
/// this build does not know means the database was written by a newer build, or altered.
const PLAIN: u8 = 1;

/// The first byte of a body whose events follow compressed: LZ4's block format, after the
/// packed length as four little-endian bytes (`lz4_flex`'s `compress_prepend_size`).
const LZ4: u8 = 2;

/// Packed events of at least this many bytes are compressed. Event details are JSON that
/// repeats its keys and names (a ten-state chain's run shrinks to about a fifth), so a
/// compressed run fills a fraction of a page, and a commit writes fewer pages.
const COMPRESS_FROM: usize = 256;

/// The most events one row holds. A commit of more (an inline Map of thousands of Pass
/// iterations commits them all at its end) is stored as several runs, so a page of history,
/// or the one event the console asks for, never unpacks more than a few runs of this size.
pub(crate) const RUN_EVENTS: usize = 100;

/// The details bytes after which a run is closed, whatever its length: events with large
/// inline payloads (long strings are never split into chunks) go into runs of their own.
pub(crate) const RUN_BYTES: usize = 64 * 1024;

/// One event inside a body, borrowing its texts from the row it is written from or read out
/// of.
#[derive(Serialize, Deserialize)]
struct Packed<'a> {
    id: i64,
    previous_id: i64,
    timestamp: i64,
    kind: &'a str,
    details: Option<&'a str>,
    lane: i64,
    ordinal: i64,
}

impl<'a> From<&'a EventRow> for Packed<'a> {
    fn from(e: &'a EventRow) -> Self {
        Packed {
            id: e.id,
            previous_id: e.previous_id,
            timestamp: e.timestamp,
            kind: e.kind.as_str(),
            details: e.details.as_deref(),
            lane: e.lane,
            ordinal: e.ordinal,
        }
    }
}

/// The events of a run as a sequence, serialised without collecting them first.
struct Events<'a>(&'a [EventRow]);

impl Serialize for Events<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Packed::from))
    }
}

/// Packs `events` into a body, compressed when that is worth it.
fn encode(events: &[EventRow]) -> Result<Vec<u8>, StoreError> {
    let details: usize = events
        .iter()
        .map(|e| e.details.as_ref().map_or(0, String::len))
        .sum();
    let mut body = Vec::with_capacity(1 + details + events.len() * 48);
    body.push(PLAIN);
    let body = postcard::to_extend(&Events(events), body)
        .map_err(|e| StoreError::Corrupt(format!("an event run could not be packed: {e}")))?;
    let packed = &body[1..];
    if packed.len() < COMPRESS_FROM {
        return Ok(body);
    }
    // Compressing into one pre-sized buffer with `compress_into` (no copy below) measured
    // about 8k instructions more per ten-state execution than this.
    let compressed = lz4_flex::compress_prepend_size(packed);
    if compressed.len() >= packed.len() {
        return Ok(body);
    }
    let mut out = Vec::with_capacity(1 + compressed.len());
    out.push(LZ4);
    out.extend_from_slice(&compressed);
    Ok(out)
}

/// Unpacks a body of `execution`'s history, keeping up to `limit` of the events `keep`
/// accepts (newest first with `reverse`). The others are skipped before their texts are
/// copied.
fn decode(
    execution: i64,
    body: &[u8],
    reverse: bool,
    keep: impl Fn(i64) -> bool,
    limit: usize,
) -> Result<Vec<EventRow>, StoreError> {
    let Some((&format, rest)) = body.split_first() else {
        return Err(corrupt(execution, "an empty event run".into()));
    };
    let decompressed;
    let packed = match format {
        PLAIN => rest,
        LZ4 => {
            decompressed = lz4_flex::decompress_size_prepended(rest)
                .map_err(|e| corrupt(execution, e.to_string()))?;
            &decompressed[..]
        }
        _ => {
            return Err(corrupt(
                execution,
                format!("an event run in format {format}, written by a newer build or altered"),
            ))
        }
    };
    let mut events: Vec<Packed<'_>> =
        postcard::from_bytes(packed).map_err(|e| corrupt(execution, e.to_string()))?;
    if reverse {
        events.reverse();
    }
    events
        .into_iter()
        .filter(|e| keep(e.id))
        .take(limit)
        .map(|e| {
            Ok(EventRow {
                id: e.id,
                previous_id: e.previous_id,
                timestamp: e.timestamp,
                kind: e
                    .kind
                    .parse::<EventType>()
                    .map_err(|e| corrupt(execution, e.to_string()))?,
                details: e.details.map(str::to_owned),
                lane: e.lane,
                ordinal: e.ordinal,
                chunks: Vec::new(),
            })
        })
        .collect()
}

/// The error for a history that cannot be read.
fn corrupt(execution: i64, why: String) -> StoreError {
    StoreError::Corrupt(format!(
        "the history of execution {execution} cannot be read ({why}); \
         restore the database from a backup"
    ))
}

// The history reads (`all`, `after`, `before`) stay on SQLite's own statements rather than
// the statement boundary (`crate::sql`): they borrow each run's body where it lies
// (`Row::get` would copy it), and stop reading runs once the page is full (`Db::all` reads
// every row).

/// The `body` column of a row read by the queries here (their only column).
fn body<'r>(row: &'r rusqlite::Row<'_>) -> Result<&'r [u8], StoreError> {
    row.get_ref(0)?
        .as_blob()
        .map_err(|e| StoreError::Corrupt(format!("an event run's body is not a blob: {e}")))
}

/// Appends `events` (consecutive, oldest first) to `execution`'s history: one row, or one
/// per [`RUN_EVENTS`] events or [`RUN_BYTES`] of details.
///
/// The events must continue the history: the first follows the stored last one, and their
/// ids follow each other. Anything else is a [`StoreError::Conflict`] and fails the job, so a
/// commit applied twice, or one that skips or repeats an event, never reaches the journal
/// (the check is one seek of the primary key).
pub(crate) fn insert(conn: &Tx<'_>, execution: i64, events: &[EventRow]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let stored = last_id(conn, execution)?;
    for (expected, e) in (stored + 1..).zip(events) {
        if e.id != expected {
            return Err(StoreError::Conflict(format!(
                "event {} of execution {execution} does not continue its history, whose \
                 next event is {expected}",
                e.id
            )));
        }
    }
    put(conn, execution, events)
}

/// Writes `events` as runs, unchecked (see [`insert`]).
fn put(conn: &Tx<'_>, execution: i64, events: &[EventRow]) -> Result<(), StoreError> {
    for run in runs(events) {
        if let (Some(first), Some(last)) = (run.first(), run.last()) {
            conn.run(
                "INSERT INTO event_runs (execution_id, first_id, last_id, body) \
                 VALUES (?1, ?2, ?3, ?4)",
                &[&execution, &first.id, &last.id, &encode(run)?],
            )?;
        }
    }
    Ok(())
}

/// `events` cut into runs of at most [`RUN_EVENTS`] events, each closed once its details
/// reach [`RUN_BYTES`].
fn runs(events: &[EventRow]) -> impl Iterator<Item = &[EventRow]> {
    let mut rest = events;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let mut length = 0;
        for e in rest.iter().take(RUN_EVENTS) {
            length += 1;
            bytes += e.details.as_ref().map_or(0, String::len);
            if bytes >= RUN_BYTES {
                break;
            }
        }
        let (run, after) = rest.split_at(length);
        rest = after;
        Some(run)
    })
}

/// All of `execution`'s events, oldest first.
pub(crate) fn all(conn: &Db<'_>, execution: i64) -> Result<Vec<EventRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT body FROM event_runs WHERE execution_id = ?1 ORDER BY first_id")?;
    let rows = stmt.query([execution])?;
    unpack(execution, rows, false, |_| true, usize::MAX)
}

/// Up to `limit` events with ids above `after`, oldest first.
pub(crate) fn after(
    conn: &Db<'_>,
    execution: i64,
    after: i64,
    limit: usize,
) -> Result<Vec<EventRow>, StoreError> {
    // From the run holding event `after + 1` on: the last run starting at or before it.
    let mut stmt = conn.prepare_cached(
        "SELECT body FROM event_runs WHERE execution_id = ?1 AND first_id >= \
           COALESCE((SELECT first_id FROM event_runs WHERE execution_id = ?1 AND first_id <= ?2 \
                     ORDER BY first_id DESC LIMIT 1), 0) \
         ORDER BY first_id",
    )?;
    let rows = stmt.query([execution, after.saturating_add(1)])?;
    unpack(execution, rows, false, |id| id > after, limit)
}

/// Up to `limit` events with ids below `before`, newest first.
pub(crate) fn before(
    conn: &Db<'_>,
    execution: i64,
    before: i64,
    limit: usize,
) -> Result<Vec<EventRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT body FROM event_runs WHERE execution_id = ?1 AND first_id < ?2 \
         ORDER BY first_id DESC",
    )?;
    let rows = stmt.query([execution, before])?;
    unpack(execution, rows, true, |id| id < before, limit)
}

/// Up to `limit` of the events `keep` accepts from the runs `rows` reads (their `body`
/// column, in the order wanted; each run newest first with `reverse`). Stops reading runs once
/// the page is full.
fn unpack(
    execution: i64,
    mut rows: rusqlite::Rows<'_>,
    reverse: bool,
    keep: impl Fn(i64) -> bool,
    limit: usize,
) -> Result<Vec<EventRow>, StoreError> {
    let mut events = Vec::new();
    while events.len() < limit {
        let Some(row) = rows.next()? else { break };
        let wanted = limit - events.len();
        events.extend(decode(execution, body(row)?, reverse, &keep, wanted)?);
    }
    Ok(events)
}

/// The id of `execution`'s last event (0 for none).
pub(crate) fn last_id(conn: &Db<'_>, execution: i64) -> Result<i64, StoreError> {
    Ok(conn
        .opt(
            "SELECT last_id FROM event_runs WHERE execution_id = ?1 \
             ORDER BY first_id DESC LIMIT 1",
            &[&execution],
            |r| r.get(0),
        )?
        .unwrap_or(0))
}

/// Migration 5: moves the histories of the `events` table (one row per event) into runs
/// bounded as a commit's are, then drops it. Runs inside the migration's transaction.
pub(crate) fn migrate_from_events(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(include_str!("event_runs.sql"))?;
    // Old histories are moved as they are (`put`, not `insert`): a gap in one is kept,
    // rather than failing the migration and with it the server's start.
    let handle = Tx::new(tx);
    let total: i64 = handle.one("SELECT COUNT(*) FROM events", &[], |r| r.get(0))?;
    if total > 0 {
        tracing::info!(events = total, "moving stored histories into event runs");
    }
    let mut select = tx.prepare(
        "SELECT execution_id, id, previous_id, timestamp, type, details, lane, ordinal \
         FROM events ORDER BY execution_id, id",
    )?;
    let mut rows = select.query([])?;
    let mut run: Vec<EventRow> = Vec::with_capacity(RUN_EVENTS);
    let mut run_execution = 0;
    let mut moved = 0_i64;
    while let Some(row) = rows.next()? {
        let execution: i64 = row.get(0)?;
        if execution != run_execution || run.len() == RUN_EVENTS {
            put(&handle, run_execution, &run)?;
            run.clear();
            run_execution = execution;
        }
        let kind: String = row.get(4)?;
        run.push(EventRow {
            id: row.get(1)?,
            previous_id: row.get(2)?,
            timestamp: row.get(3)?,
            kind: kind
                .parse()
                .map_err(|e: switchback_types::UnknownEventType| {
                    StoreError::Corrupt(format!("execution {execution}'s history: {e}"))
                })?,
            details: row.get(5)?,
            lane: row.get(6)?,
            ordinal: row.get(7)?,
            chunks: Vec::new(),
        });
        moved += 1;
        if moved % 100_000 == 0 {
            tracing::info!(moved, total, "moving stored histories into event runs");
        }
    }
    put(&handle, run_execution, &run)?;
    drop(rows);
    drop(select);
    tx.execute_batch("DROP TABLE events")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64, details: Option<&str>) -> EventRow {
        EventRow {
            id,
            previous_id: id - 1,
            timestamp: 1_700_000_000_000_000 + id,
            kind: EventType::PassStateEntered,
            details: details.map(str::to_owned),
            lane: -3,
            ordinal: id * 2,
            chunks: Vec::new(),
        }
    }

    #[test]
    fn a_body_gives_back_the_events_packed_into_it() {
        let events = vec![
            event(1, None),
            event(2, Some(r#"{"name":"A","input":"{\"a\":\"\u0001\"}"}"#)),
            event(3, Some("")),
        ];
        let body = encode(&events).expect("encode");
        assert_eq!(body[0], PLAIN, "a short run is not compressed");
        assert_eq!(
            decode(7, &body, false, |_| true, usize::MAX).expect("decode"),
            events
        );
    }

    #[test]
    fn a_longer_run_is_compressed_and_reads_back_the_same() {
        let details = r#"{"name":"Step","input":"{\"order\":{\"id\":1}}","inputDetails":{"truncated":false}}"#;
        let events: Vec<EventRow> = (1..=22).map(|id| event(id, Some(details))).collect();
        let body = encode(&events).expect("encode");
        assert_eq!(body[0], LZ4);
        let plain_length = 22 * details.len();
        assert!(body.len() < plain_length / 3, "{} bytes", body.len());
        assert_eq!(
            decode(7, &body, false, |_| true, usize::MAX).expect("decode"),
            events
        );
        // A page of it: newest first, below event 10, three events.
        let page = decode(7, &body, true, |id| id < 10, 3).expect("decode");
        assert_eq!(
            page,
            vec![events[8].clone(), events[7].clone(), events[6].clone()]
        );
        // Cut short, it is refused.
        let err = decode(7, &body[..body.len() - 3], false, |_| true, usize::MAX)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("execution 7"), "{err}");
    }

    #[test]
    fn a_body_that_is_not_a_run_is_refused_with_the_execution_named() {
        let events = vec![event(1, Some("{}"))];
        let mut body = encode(&events).expect("encode");
        for bad in [&[][..], &[2, 0][..], &body[..body.len() - 1]] {
            let err = decode(7, bad, false, |_| true, usize::MAX)
                .expect_err("refused")
                .to_string();
            assert!(err.contains("execution 7"), "{err}");
        }
        // An event type this build does not know.
        let at = body
            .windows(16)
            .position(|w| w == b"PassStateEntered")
            .expect("the name is stored");
        body[at] = b'X';
        let err = decode(7, &body, false, |_| true, usize::MAX)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("XassStateEntered"), "{err}");
    }
}
