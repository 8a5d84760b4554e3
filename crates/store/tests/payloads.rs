//! Payloads stored once per execution: large arrays and objects are split off as chunks when
//! written, and every read puts them back, so readers see the text that was written.

mod common;

use serde_json::{json, Value};
use switchback_json::Json;
use switchback_store::executions::{self, EventRow, ExecutionRecord};
use switchback_store::payloads::{self, Context, SplitPayload, CHUNK_BYTES};
use switchback_store::{Store, StoreConfig};
use switchback_types::{EventType, ExecutionStatus};

fn store() -> Store {
    Store::open(StoreConfig::in_memory()).expect("open")
}

fn record(name: &str, input: &str) -> ExecutionRecord {
    common::execution_record(name, input)
}

/// A payload with large parts (records of text), small parts, and the characters that JSON
/// escapes, U+0001 among them (the byte references start with) in keys and values.
fn big_payload(step: u64) -> Value {
    let records: Vec<Value> = (0..200)
        .map(|i| json!({"id": format!("r-{i}"), "text": "line \"quoted\" \\ \u{1} é ✓ ".repeat(3), "n": i}))
        .collect();
    json!({
        "payload": {"records": records, "\u{1}key": "\u{1}0123456789abcdef0123456789abcdef"},
        "copy": {"records": records},
        "step": step,
        "small": {"a": [1, 2.5, null, true]},
    })
}

/// An event's details as the runtime writes them: the payload as string content, its
/// references kept raw.
fn details_of(split: &SplitPayload) -> String {
    let mut details = String::from(r#"{"passStateEnteredEventDetails":{"name":"S","input":""#);
    payloads::escape_keeping_references(&split.text, &mut details);
    details.push_str(r#"","inputDetails":{"truncated":false}}}"#);
    details
}

fn row(id: i64, split: &SplitPayload) -> EventRow {
    EventRow {
        id,
        previous_id: id - 1,
        timestamp: id,
        kind: EventType::PassStateEntered,
        details: Some(details_of(split)),
        lane: 0,
        ordinal: id,
        chunks: split.chunks.clone(),
    }
}

fn stored_chunks(store: &Store) -> (i64, i64) {
    store
        .read_blocking(|c| {
            Ok(c.sql().query_row(
                "SELECT count(*), COALESCE(sum(length(text)), 0) FROM payloads",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .expect("count chunks")
}

#[test]
fn a_large_payload_splits_into_chunks_each_held_once() {
    let value = big_payload(1);
    let split = payloads::split(&Json::from(&value));
    // `records` appears twice but is one chunk; the small parts stay inline.
    assert!(split.text.len() < 300, "{}", split.text);
    assert!(split.text.contains(r#""step":1"#));
    let keys: Vec<&str> = split.chunks.iter().map(|c| c.key.as_str()).collect();
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(keys.len(), unique.len());
    assert!(split.chunks.iter().all(|c| c.text.len() >= CHUNK_BYTES));
    // A value with nothing large is written as serde_json writes it.
    let small = json!({"a": "\u{1}", "b": [1, 2]});
    let written = payloads::split(&Json::from(&small));
    assert_eq!(written.text, serde_json::to_string(&small).unwrap());
    assert!(written.chunks.is_empty());
}

#[test]
fn events_and_records_read_back_whole() {
    let store = store();
    let first = big_payload(1);
    let second = big_payload(2);
    let (one, two) = (
        payloads::split(&Json::from(&first)),
        payloads::split(&Json::from(&second)),
    );
    let output = two.clone();
    let id = store
        .write_blocking(move |tx| {
            let id = executions::insert(tx, &record("whole", &one.text))?;
            executions::append_events(tx, id, &[row(1, &one), row(2, &two)])?;
            let ending = executions::Ending {
                status: ExecutionStatus::Succeeded,
                output: Some(output.text.clone()),
                error: None,
                cause: None,
                stop_date: 3,
            };
            executions::finish(tx, id, &ending)?;
            Ok(id)
        })
        .expect("write");

    let (events, record) = store
        .read_blocking(move |c| Ok((executions::events(c, id)?, executions::get(c, id)?)))
        .expect("read");
    let record = record.expect("the execution");
    assert_eq!(serde_json::from_str::<Value>(&record.input).unwrap(), first);
    assert_eq!(
        serde_json::from_str::<Value>(record.output.as_deref().unwrap()).unwrap(),
        second
    );
    for (event, expected) in events.iter().zip([&first, &second]) {
        assert!(event.chunks.is_empty());
        let details: Value = serde_json::from_str(event.details.as_deref().unwrap()).unwrap();
        let input = details["passStateEnteredEventDetails"]["input"]
            .as_str()
            .unwrap();
        assert_eq!(input, serde_json::to_string(expected).unwrap());
    }
    // The records chunk is shared by both events; each distinct chunk is stored once.
    let (count, bytes) = stored_chunks(&store);
    let text = serde_json::to_string(&first).unwrap().len() as i64;
    assert!(count <= 3, "{count} chunks");
    assert!(
        bytes < text,
        "{bytes} bytes stored for a {text}-byte payload written twice"
    );

    // A page of the history reads whole too, newest first.
    let page = store
        .read_blocking(move |c| executions::events_page(c, id, None, 1, true))
        .expect("page");
    let details: Value = serde_json::from_str(page[0].details.as_deref().unwrap()).unwrap();
    let input = details["passStateEnteredEventDetails"]["input"]
        .as_str()
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(input).unwrap(), second);
}

#[test]
fn a_missing_chunk_is_reported_not_guessed() {
    let store = store();
    let split = payloads::split(&Json::from(&big_payload(3)));
    let id = store
        .write_blocking(move |tx| {
            let id = executions::insert(tx, &record("missing", "{}"))?;
            let mut row = row(1, &split);
            row.chunks.clear();
            executions::append_events(tx, id, &[row])?;
            Ok(id)
        })
        .expect("write");
    let error = store
        .read_blocking(move |c| executions::events(c, id))
        .expect_err("a reference without its chunk");
    assert!(error.to_string().contains("missing"), "{error}");
}

#[test]
fn texts_without_references_are_untouched() {
    let store = store();
    let text = r#"{"a":"\u0001 is escaped, never raw"}"#.to_string();
    let expected = text.clone();
    let read = store
        .read_blocking(move |c| payloads::Expander::new(c, 1).expand(text, Context::InString))
        .expect("expand");
    assert_eq!(read, expected);
}

#[test]
fn deleting_old_executions_deletes_their_chunks() {
    let store = store();
    let split = payloads::split(&Json::from(&big_payload(4)));
    store
        .write_blocking(move |tx| {
            let id = executions::insert(tx, &record("old", "{}"))?;
            executions::append_events(tx, id, &[row(1, &split)])?;
            let ending = executions::Ending {
                status: ExecutionStatus::Succeeded,
                output: Some("{}".into()),
                error: None,
                cause: None,
                stop_date: 10,
            };
            executions::finish(tx, id, &ending)?;
            Ok(())
        })
        .expect("write");
    assert!(stored_chunks(&store).0 > 0);
    let deleted = store
        .write_blocking(|tx| executions::delete_closed_before(tx, 100))
        .expect("delete");
    assert_eq!(deleted, 1);
    assert_eq!(stored_chunks(&store).0, 0);
}

#[test]
fn a_shared_part_met_again_is_a_reference_at_once() {
    let shared = Json::from(&big_payload(5))["payload"]["records"].clone();
    let wrap = |step: u64| {
        let mut object = switchback_json::Object::new();
        object.insert("records".into(), shared.clone());
        object.insert("step".into(), Json::from(step));
        Json::Object(object)
    };
    let mut cache = payloads::SplitCache::default();
    let first = payloads::split_with(&wrap(1), &mut cache);
    let second = payloads::split_with(&wrap(2), &mut cache);
    // The first split stores the shared part; the second refers to it without a chunk.
    assert_eq!(first.chunks.len(), 1);
    assert!(second.chunks.is_empty(), "{:?}", second.chunks);
    // What is written is what a split without the cache writes.
    let uncached = payloads::split(&wrap(2));
    assert_eq!(second.text, uncached.text);
    assert_eq!(uncached.chunks, first.chunks);
    assert_eq!(first, payloads::split(&wrap(1)));
}

/// Keys are only compared, never recomputed from the text: a chunk stored under a key of an
/// earlier version's hash (SHA-256) reads back like any other.
#[test]
fn a_chunk_under_a_key_of_another_hash_reads_back() {
    use switchback_store::payloads::Chunk;
    let store = store();
    let text = serde_json::to_string(&big_payload(9)).unwrap();
    // Not this text's BLAKE3 key: stands for a key an earlier version wrote.
    let old_key = "5f2c0e6a1d9b4c7e8a3f0b2d6e1c9a47".to_string();
    let input = format!("{{\"wrapped\":\u{1}{old_key}}}");
    let chunk = Chunk {
        key: old_key,
        text: text.clone(),
    };
    let id = store
        .write_blocking(move |tx| {
            let id = executions::insert(tx, &record("old-key", &input))?;
            payloads::put(tx, id, &[chunk])?;
            Ok(id)
        })
        .expect("write");
    let record = store
        .read_blocking(move |c| executions::get(c, id))
        .expect("read")
        .expect("the execution");
    let read: Value = serde_json::from_str(&record.input).expect("whole JSON");
    assert_eq!(read["wrapped"], big_payload(9));
}

#[test]
fn a_split_text_is_compared_with_a_text_without_building_it() {
    let value = big_payload(4);
    let split = payloads::split(&Json::from(&value));
    assert!(!split.chunks.is_empty());
    let compact = serde_json::to_string(&value).unwrap();
    assert_eq!(
        payloads::expands_to(&split.text, &split.chunks, &compact),
        Some(true)
    );
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert_eq!(
        payloads::expands_to(&split.text, &split.chunks, &pretty),
        Some(false)
    );
    let longer = format!("{compact} ");
    assert_eq!(
        payloads::expands_to(&split.text, &split.chunks, &longer),
        Some(false)
    );
    let shorter = &compact[..compact.len() - 1];
    assert_eq!(
        payloads::expands_to(&split.text, &split.chunks, shorter),
        Some(false)
    );
    // The same length, one record changed: the difference is inside a chunk.
    let other = compact.replacen("\"r-17\"", "\"r-71\"", 1);
    assert_eq!(other.len(), compact.len());
    assert_ne!(other, compact);
    assert_eq!(
        payloads::expands_to(&split.text, &split.chunks, &other),
        Some(false)
    );
    assert_eq!(payloads::expands_to(&split.text, &[], &compact), None);
}
