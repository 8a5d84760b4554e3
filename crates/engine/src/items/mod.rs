//! The items a Distributed Map reads from an object (`ItemReader` with `s3:getObject`): the
//! object's bytes decoded into items as AWS decodes them, for each `InputType`.
//!
//! This is the pure part of the item reader: no I/O. Whoever fetches the object feeds its
//! bytes to an [`ItemDecoder`] in pieces as they arrive and receives each item as soon as it is
//! complete, so a CSV, JSON Lines or JSON file of any size is never held whole (a JSON file's
//! top-level array is split by [`JsonArrayReader`]). `MaxItems` stops the reading early
//! ([`MaxItems`]).
//!
//! Every fault is an [`ItemReaderError`], which a Map state reports as `States.ItemReaderFailed`
//! with the error's cause (AWS's words where they were recorded).

pub mod batch;
pub mod compression;
pub mod csv;
pub mod json_array;
pub mod key_order;
pub mod lazy;
pub mod manifest;
pub mod spool;

use switchback_asl::model::ReaderInputType;
use switchback_json::Json;

pub use compression::Decompressor;
pub use csv::CsvReader;
pub use json_array::JsonArrayReader;
pub use lazy::{LazyCheck, LazyItems};
pub use spool::Spool;

/// Why an item reader failed: the cause of `States.ItemReaderFailed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemReaderError {
    /// The cause, as AWS words it where known.
    pub cause: String,
}

impl ItemReaderError {
    fn new(cause: impl Into<String>) -> ItemReaderError {
        ItemReaderError {
            cause: cause.into(),
        }
    }
}

impl std::fmt::Display for ItemReaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.cause)
    }
}

impl std::error::Error for ItemReaderError {}

/// How many items to read at most (`MaxItems` / `MaxItemsPath`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaxItems {
    /// Every item (`MaxItems` absent or 0).
    #[default]
    All,
    /// At most this many (at least 1).
    AtMost(u64),
}

impl MaxItems {
    /// `MaxItems` from its value: 0 reads every item (as AWS does), a negative number fails
    /// with AWS's cause, and anything but a whole number fails.
    pub fn from_value(value: &Json) -> Result<MaxItems, ItemReaderError> {
        let Json::Number(n) = value else {
            return Err(ItemReaderError::new(format!(
                "field MaxItems must be a positive integer, got {}",
                value.to_serde()
            )));
        };
        match n.as_f64() {
            Some(f) => MaxItems::from_number(f),
            None => Err(ItemReaderError::new(format!(
                "field MaxItems must be an integer, got {n}"
            ))),
        }
    }

    /// `MaxItems` from a number: 0 reads every item, a negative number fails with AWS's cause,
    /// and a fraction fails.
    pub fn from_number(n: f64) -> Result<MaxItems, ItemReaderError> {
        if n < 0.0 {
            Err(ItemReaderError::new("field MaxItems must be positive"))
        } else if n.fract() != 0.0 || !n.is_finite() {
            Err(ItemReaderError::new(format!(
                "field MaxItems must be an integer, got {n}"
            )))
        } else if n == 0.0 {
            Ok(MaxItems::All)
        } else {
            Ok(MaxItems::AtMost(n as u64))
        }
    }

    /// Whether `count` items already reach the limit.
    fn reached(self, count: u64) -> bool {
        matches!(self, MaxItems::AtMost(max) if count >= max)
    }

    /// What is left of the limit after `count` items.
    fn after(self, count: u64) -> MaxItems {
        match self {
            MaxItems::All => MaxItems::All,
            MaxItems::AtMost(max) => MaxItems::AtMost(max.saturating_sub(count)),
        }
    }
}

/// Decodes one object into items, fed its bytes in pieces (see the module doc).
#[derive(Debug)]
pub struct ItemDecoder {
    format: Format,
    max_items: MaxItems,
    items: u64,
}

/// The decoder of each input type.
#[derive(Debug)]
enum Format {
    /// The element of the top-level array being read.
    Json(JsonArrayReader),
    /// The line being read.
    JsonLines(Vec<u8>),
    Csv(Box<CsvReader>),
}

impl ItemDecoder {
    /// A decoder for an object of `input_type`, keeping to `max_items`. A manifest lists
    /// other objects rather than holding items, so it has no decoder of its own.
    pub fn new(
        input_type: &ReaderInputType,
        max_items: MaxItems,
    ) -> Result<ItemDecoder, ItemReaderError> {
        let format =
            match input_type {
                ReaderInputType::Json => Format::Json(JsonArrayReader::new()),
                ReaderInputType::JsonAt(pointer) => Format::Json(JsonArrayReader::at(pointer)),
                ReaderInputType::JsonLines => Format::JsonLines(Vec::new()),
                ReaderInputType::Csv(config) => Format::Csv(Box::new(CsvReader::new(config))),
                ReaderInputType::Parquet => {
                    return Err(ItemReaderError::new(
                        "InputType PARQUET is not supported by Switchback yet: read CSV, JSON or \
                     JSON Lines objects (GZIP or ZSTD compressed or not)",
                    ))
                }
                // A manifest lists objects rather than holding items (see `manifest`).
                ReaderInputType::Manifest => return Err(ItemReaderError::new(
                    "an S3 inventory manifest lists the objects to read: it holds no items itself",
                )),
            };
        Ok(ItemDecoder {
            format,
            max_items,
            items: 0,
        })
    }

    /// Whether `MaxItems` items were read: the rest of the object need not be fetched.
    pub fn is_full(&self) -> bool {
        self.max_items.reached(self.items)
    }

    /// Reads the next piece of the object, handing `emit` each item completed in it (none once
    /// [`Self::is_full`]).
    pub fn feed(
        &mut self,
        bytes: &[u8],
        emit: &mut dyn FnMut(Json),
    ) -> Result<(), ItemReaderError> {
        if self.is_full() {
            return Ok(());
        }
        let (max, count) = (self.max_items, &mut self.items);
        let mut counted = |item: Json| {
            if !max.reached(*count) {
                *count += 1;
                emit(item);
            }
            Ok(())
        };
        match &mut self.format {
            Format::Json(reader) => reader.feed(bytes, &mut counted),
            Format::JsonLines(line) => feed_lines(line, bytes, &mut counted),
            Format::Csv(reader) => reader.feed(bytes, &mut counted),
        }
    }

    /// Ends the object, handing `emit` the items its end completes.
    pub fn finish(self, emit: &mut dyn FnMut(Json)) -> Result<(), ItemReaderError> {
        let (max, mut count) = (self.max_items, self.items);
        let mut counted = |item: Json| {
            if !max.reached(count) {
                count += 1;
                emit(item);
            }
            Ok(())
        };
        match self.format {
            Format::Json(reader) => reader.finish(&mut counted),
            Format::JsonLines(line) => json_line(&line, &mut counted),
            Format::Csv(reader) => reader.finish(&mut counted),
        }
    }
}

/// Decodes a whole object at once: the items of `bytes` read as `input_type`, to `max_items`.
pub fn decode(
    input_type: &ReaderInputType,
    max_items: MaxItems,
    bytes: &[u8],
) -> Result<Vec<Json>, ItemReaderError> {
    let mut items = Vec::new();
    let mut decoder = ItemDecoder::new(input_type, max_items)?;
    decoder.feed(bytes, &mut |item| items.push(item))?;
    decoder.finish(&mut |item| items.push(item))?;
    Ok(items)
}

/// Feeds JSON Lines: each complete line in `bytes` (after what `line` holds) is an item.
fn feed_lines(
    line: &mut Vec<u8>,
    mut bytes: &[u8],
    emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
) -> Result<(), ItemReaderError> {
    while let Some(end) = bytes.iter().position(|&b| b == b'\n') {
        line.extend_from_slice(&bytes[..end]);
        json_line(line, emit)?;
        line.clear();
        bytes = &bytes[end + 1..];
    }
    line.extend_from_slice(bytes);
    Ok(())
}

/// One line of JSON Lines: nothing for a blank line, else its value.
fn json_line(
    line: &[u8],
    emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
) -> Result<(), ItemReaderError> {
    let text = std::str::from_utf8(line)
        .map_err(|e| ItemReaderError::new(format!("a line is not UTF-8 text: {e}")))?;
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.trim().is_empty() {
        return Ok(());
    }
    let value = Json::parse(text)
        .map_err(|e| ItemReaderError::new(format!("a line is not valid JSON: {e}")))?;
    emit(value)
}
