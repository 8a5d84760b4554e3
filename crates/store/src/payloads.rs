//! Payloads stored once per execution: the `payloads` table, and the references to it that
//! event details and an execution's input and output hold.
//!
//! A Standard execution's history repeats its data: a state's output is the next state's input,
//! and a `Parameters` block that copies `$.payload` puts the same large value into every
//! state's output with a different small wrapper. Stored inline, a 250 KB payload carried
//! through ten states costs several megabytes per execution. Here, any array or object of a
//! payload whose JSON text reaches [`CHUNK_BYTES`] is stored once per execution, as a *chunk*
//! keyed by the BLAKE3 hash of its text (truncated to 128 bits), and the text that held it keeps a
//! reference instead: the byte `0x01` followed by the 32 hex digits of the key.
//!
//! Why that reference is unambiguous: JSON text written by serde_json never holds a raw
//! control character (inside strings they are escaped as `\u0001`, and outside strings they
//! are not JSON), so a raw `0x01` can only be a reference. Texts without one (every small
//! payload) are stored and read exactly as before, at the cost of one byte scan on reading.
//!
//! The references live in two kinds of text, and [`Expander`] puts the chunks back in each:
//! - *raw* JSON text (a chunk, an execution's `input` and `output` columns): the chunk's text
//!   goes in as it is;
//! - an event's details, where the payload is a JSON *string* holding JSON text
//!   (`"input":"{\"a\":...}"`): the chunk's text goes in escaped as string content.
//!
//! Readers never see a reference: every read of events and executions in this crate expands
//! them, so what the API returns is what AWS returns, payloads inline.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;

use switchback_json::{write_string, Json};

use crate::{Db, StoreError, Tx};

/// The smallest array or object stored as a chunk of its own. Below it, the row overhead and
/// the hashing cost more than the bytes saved.
pub const CHUNK_BYTES: usize = 4096;

/// The byte that starts a reference.
const MARKER: u8 = 0x01;

/// Hex digits in a reference's key.
const KEY_DIGITS: usize = 32;

/// One stored chunk: the JSON text of an array or object (itself holding references to the
/// chunks inside it), and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// 32 lowercase hex digits: the first 128 bits of the BLAKE3 hash of `text`.
    pub key: String,
    /// The chunk's JSON text, with references for the chunks inside it.
    pub text: String,
}

/// A payload written for storage: its text, with references to `chunks`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitPayload {
    /// The payload's JSON text; its large arrays and objects are references.
    pub text: String,
    /// The chunks the text (and the chunks themselves) refer to, innermost first.
    pub chunks: Vec<Chunk>,
}

/// The chunks made from values a writer still holds, by the address of their array or object.
///
/// The engine shares values: the payload that every state's `Parameters` copies is one
/// allocation in every state's output. Met again, it is a reference at once, without being
/// written and hashed again, so a transition that wraps a large shared value costs what its
/// new parts cost. Each entry holds its value, so its address cannot be reused by another
/// while it is remembered; the cache is forgotten whole when full, which bounds what it holds.
#[derive(Default)]
pub struct SplitCache {
    known: HashMap<usize, (Json, String)>,
}

/// How many chunks a [`SplitCache`] remembers before it starts again.
const SPLIT_CACHE_ENTRIES: usize = 256;

impl SplitCache {
    fn key_of(&self, value: &Json) -> Option<&str> {
        let address = value.shared_address()?;
        self.known.get(&address).map(|(_, key)| &**key)
    }

    fn remember(&mut self, value: &Json, key: &str) {
        if let Some(address) = value.shared_address() {
            if self.known.len() >= SPLIT_CACHE_ENTRIES {
                self.known.clear();
            }
            self.known.insert(address, (value.clone(), key.to_string()));
        }
    }
}

/// Writes `value` as JSON text with every array or object of at least [`CHUNK_BYTES`] split
/// off as a chunk. The chunks are written innermost first, each once even when the value
/// repeats it.
pub fn split(value: &Json) -> SplitPayload {
    split_with(value, &mut SplitCache::default())
}

/// Like [`split`], for a writer that splits many payloads sharing parts: a part `cache` knows
/// is a reference at once, and is not among the returned chunks (it was among the chunks of
/// the payload it was first split from).
pub fn split_with(value: &Json, cache: &mut SplitCache) -> SplitPayload {
    let mut text = Vec::with_capacity(256);
    let mut chunks = Vec::new();
    write_split(value, &mut text, &mut chunks, cache);
    SplitPayload {
        text: utf8(text),
        chunks,
    }
}

fn write_split(value: &Json, out: &mut Vec<u8>, chunks: &mut Vec<Chunk>, cache: &mut SplitCache) {
    if let Some(key) = cache.key_of(value) {
        out.push(MARKER);
        out.extend_from_slice(key.as_bytes());
        return;
    }
    let start = out.len();
    match value {
        Json::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_split(item, out, chunks, cache);
            }
            out.push(b']');
        }
        Json::Object(map) => {
            out.push(b'{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write_split(item, out, chunks, cache);
            }
            out.push(b'}');
        }
        leaf => {
            leaf.write_compact(out);
            return;
        }
    }
    if out.len() - start >= CHUNK_BYTES {
        let text = utf8(out.split_off(start));
        let key = key_of(&text);
        out.push(MARKER);
        out.extend_from_slice(key.as_bytes());
        cache.remember(value, &key);
        if !chunks.iter().any(|c| c.key == key) {
            chunks.push(Chunk { key, text });
        }
    }
}

/// Text that serde_json and this module wrote, which is UTF-8 by construction.
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The key of a chunk's text.
///
/// BLAKE3, not the SHA-256 of earlier versions: as fast as a copy of the text where SHA-256
/// in software was several times slower than parsing it. Keys are only ever compared, never
/// recomputed from stored text, so chunks keyed by SHA-256 stay readable; a run resumed
/// after an upgrade may store a chunk a second time under its new key, nothing worse.
fn key_of(text: &str) -> String {
    let digest = blake3::hash(text.as_bytes());
    let mut key = String::with_capacity(KEY_DIGITS);
    for byte in &digest.as_bytes()[..KEY_DIGITS / 2] {
        // Writing to a String cannot fail.
        let _ = write!(key, "{byte:02x}");
    }
    key
}

/// Whether the split text `split`, with the chunks it refers to put back (from `chunks`), is
/// exactly `expected`; `None` if it refers to a chunk `chunks` does not hold.
///
/// Compares part by part, never building the whole text: a runtime uses it to tell whether a
/// large execution input came as the compact JSON its split text stands for.
pub fn expands_to(split: &str, chunks: &[Chunk], expected: &str) -> Option<bool> {
    let by_key: HashMap<&str, &str> = chunks
        .iter()
        .map(|c| (c.key.as_str(), c.text.as_str()))
        .collect();
    let mut rest = expected.as_bytes();
    let same = matches_expanded(split, &by_key, &mut rest)?;
    Some(same && rest.is_empty())
}

/// Matches `text`, its references expanded, against the start of `rest`, consuming what
/// matched. Chunks nest no deeper than the JSON they were split from.
fn matches_expanded(text: &str, by_key: &HashMap<&str, &str>, rest: &mut &[u8]) -> Option<bool> {
    for (i, part) in text.split(MARKER as char).enumerate() {
        let literal = if i == 0 {
            part
        } else {
            if part.len() < KEY_DIGITS || !part.is_char_boundary(KEY_DIGITS) {
                return None;
            }
            let (key, tail) = part.split_at(KEY_DIGITS);
            if !matches_expanded(by_key.get(key)?, by_key, rest)? {
                return Some(false);
            }
            tail
        };
        match rest.strip_prefix(literal.as_bytes()) {
            Some(after) => *rest = after,
            None => return Some(false),
        }
    }
    Some(true)
}

/// Escapes a text holding references as JSON string content (no quotes), leaving the
/// references raw: how a payload's split text goes into an event's details.
pub fn escape_keeping_references(text: &str, out: &mut String) {
    for (i, part) in text.split(MARKER as char).enumerate() {
        let part = if i > 0 {
            out.push(MARKER as char);
            let (key, rest) = part.split_at(part.len().min(KEY_DIGITS));
            out.push_str(key);
            rest
        } else {
            part
        };
        push_escaped(part, out);
    }
}

/// `s` as JSON string content, without the quotes.
fn push_escaped(s: &str, out: &mut String) {
    if s.is_empty() {
        return;
    }
    let quoted = serde_json::to_string(s).unwrap_or_default();
    out.push_str(&quoted[1..quoted.len() - 1]);
}

/// Stores an execution's chunks (those it already has are left alone).
pub fn put(conn: &Tx<'_>, execution: i64, chunks: &[Chunk]) -> Result<(), StoreError> {
    if chunks.is_empty() {
        return Ok(());
    }
    for chunk in chunks {
        conn.run(
            "INSERT INTO payloads (execution_id, key, text) VALUES (?1, ?2, ?3) \
             ON CONFLICT (execution_id, key) DO NOTHING",
            &[&execution, &chunk.key, &chunk.text],
        )?;
    }
    Ok(())
}

/// Deletes the chunks of the executions `SELECT`ed by `executions` (SQL yielding ids, with
/// `?1` bound to `arg`).
pub(crate) fn delete_of(conn: &Tx<'_>, executions: &str, arg: i64) -> Result<(), StoreError> {
    conn.run(
        &format!("DELETE FROM payloads WHERE execution_id IN ({executions})"),
        &[&arg],
    )?;
    Ok(())
}

/// Where a text with references sits, which decides how a chunk goes back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// JSON text: a chunk goes in as it is.
    Raw,
    /// JSON string content (an event's details): a chunk goes in escaped.
    InString,
}

/// Puts an execution's chunks back into the texts that refer to them, each chunk read from
/// the database once per expander.
pub struct Expander<'a, 'c> {
    conn: &'a Db<'c>,
    execution: i64,
    /// Chunks already read and expanded, as raw JSON text.
    raw: HashMap<String, Rc<str>>,
    /// How many chunks are being expanded inside one another: a damaged database whose chunks
    /// refer to each other in a circle fails instead of recursing for ever.
    depth: usize,
}

/// Chunks nest as deeply as the values they came from; this is far past any real payload.
const MAX_DEPTH: usize = 1024;

impl<'a, 'c> Expander<'a, 'c> {
    /// An expander for one execution's texts.
    pub fn new(conn: &'a Db<'c>, execution: i64) -> Self {
        Expander {
            conn,
            execution,
            raw: HashMap::new(),
            depth: 0,
        }
    }

    /// `text` with every reference replaced by its chunk. A text without references comes
    /// back unchanged, without a copy.
    pub fn expand(&mut self, text: String, context: Context) -> Result<String, StoreError> {
        if !text.as_bytes().contains(&MARKER) {
            return Ok(text);
        }
        let mut out = String::with_capacity(text.len() + CHUNK_BYTES);
        for (i, part) in text.split(MARKER as char).enumerate() {
            if i == 0 {
                out.push_str(part);
                continue;
            }
            if part.len() < KEY_DIGITS || !part.is_char_boundary(KEY_DIGITS) {
                return Err(corrupt(self.execution, part));
            }
            let (key, rest) = part.split_at(KEY_DIGITS);
            let chunk = self.chunk(key)?;
            match context {
                Context::Raw => out.push_str(&chunk),
                Context::InString => push_escaped(&chunk, &mut out),
            }
            out.push_str(rest);
        }
        Ok(out)
    }

    /// An optional text, expanded.
    pub fn expand_opt(
        &mut self,
        text: Option<String>,
        context: Context,
    ) -> Result<Option<String>, StoreError> {
        text.map(|t| self.expand(t, context)).transpose()
    }

    /// The raw, expanded text of the chunk `key`.
    fn chunk(&mut self, key: &str) -> Result<Rc<str>, StoreError> {
        if let Some(text) = self.raw.get(key) {
            return Ok(Rc::clone(text));
        }
        let stored: Option<String> = self.conn.opt(
            "SELECT text FROM payloads WHERE execution_id = ?1 AND key = ?2",
            &[&self.execution, &key],
            |r| r.get(0),
        )?;
        let stored = stored.ok_or_else(|| corrupt(self.execution, key))?;
        if self.depth >= MAX_DEPTH {
            return Err(corrupt(self.execution, key));
        }
        self.depth += 1;
        let expanded = self.expand(stored, Context::Raw);
        self.depth -= 1;
        let expanded: Rc<str> = Rc::from(expanded?);
        self.raw.insert(key.to_string(), Rc::clone(&expanded));
        Ok(expanded)
    }
}

fn corrupt(execution: i64, at: &str) -> StoreError {
    let at: String = at.chars().take(KEY_DIGITS).collect();
    StoreError::Corrupt(format!(
        "execution {execution} refers to a stored payload that is missing ({at})"
    ))
}
