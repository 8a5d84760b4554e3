//! A distributed Map's `ItemReader`: its items read from S3 instead of taken from its input.
//!
//! The reader's request (`Parameters` or `Arguments`) is evaluated against the state's input,
//! then sent as the AWS SDK integration of the same S3 action (`aws-sdk:s3:getObject`,
//! `aws-sdk:s3:listObjectsV2`, see `s3_call`), so it goes wherever the configuration sends S3
//! calls (AWS, moto, MinIO ...). An object's content is decoded by [`crate::items`]; a listing
//! gives an item per object, in the shape AWS gives it.
//!
//! Every failure of the reader, the S3 call's included, is `States.ItemReaderFailed`.
//!
//! An object is read a range of [`RANGE_BYTES`] at a time (each `getObject` with `Range` and,
//! after the first, `IfMatch` its ETag, so a changed object fails the reader rather than mixing
//! two versions). The integration answers with the body as text; a range may end inside a
//! character, so each range's text is used up to its last ASCII character and the next range
//! starts right after it (see [`exact_prefix`]).
//!
//! A CSV, JSON or JSON Lines object's items are decoded as the object arrives (to check them)
//! and again as the map run's children take them (see [`LazyItems`]): its bytes are kept in a
//! spool (memory, or a temporary file when large), not a million decoded items.
//!
//! Not yet: a manifest's listed objects are not read.

use serde_json::Value;
use switchback_asl::errors as names;
use switchback_asl::model::{ItemReader, ItemSource, ReaderInputType};
use switchback_json::{Json, Map, Object};

use super::{Fault, Frame, Interpreter, StateRun};
use crate::items::{self, ItemReaderError, LazyCheck, LazyItems, MaxItems};

/// The resource an `ItemReader`'s `getObject` is sent as.
const GET_OBJECT: &str = "arn:aws:states:::aws-sdk:s3:getObject";
/// The resource an `ItemReader`'s `listObjectsV2` is sent as.
const LIST_OBJECTS_V2: &str = "arn:aws:states:::aws-sdk:s3:listObjectsV2";

/// How much of an object one `getObject` call asks for: an object of any size is read a
/// range at a time, never held whole by the call.
const RANGE_BYTES: u64 = 8 * 1024 * 1024;

/// A listing's pages at most, a guard against an endpoint that never stops saying "more".
const MAX_LIST_PAGES: usize = 100_000;

impl Interpreter<'_> {
    /// The items `reader` reads, with `base` (the state's effective input) as the input of
    /// its request and of `MaxItemsPath`.
    pub(super) async fn read_items(
        &self,
        run: &StateRun<'_>,
        reader: &ItemReader,
        base: &Json,
        frame: &mut Frame,
    ) -> Result<Vec<Json>, Fault> {
        let (max_items, request) = self.reader_request(run, reader, base, frame)?;
        match reader.resource {
            ItemSource::S3GetObject => {
                let input_type = input_type(reader)?;
                let text = self.object_text(run, request).await?;
                items::decode(input_type, max_items, &text).map_err(reader_failed)
            }
            ItemSource::S3ListObjectsV2 => self.list_objects(run, request, max_items).await,
        }
    }

    /// The items of a reader of an object (see [`Self::reads_lazily`]), decoded as they are
    /// taken (see [`LazyItems`]), given its `MaxItems` and request; `each` sees every item
    /// first, as the object is read.
    pub(super) async fn read_items_lazily(
        &self,
        run: &StateRun<'_>,
        reader: &ItemReader,
        (max_items, request): (MaxItems, Value),
        each: &mut dyn FnMut(usize, Json) -> Result<(), Fault>,
    ) -> Result<LazyItems, Fault> {
        let input_type = input_type(reader)?;
        let mut check = LazyCheck::new(input_type, max_items).map_err(reader_failed)?;
        // A fault of `each` (an item selector's) is kept as it is, not as the reader's.
        let mut refused = None;
        let mut each = |index, item| {
            each(index, item).map_err(|f| {
                refused = Some(f);
                ItemReaderError {
                    cause: String::new(),
                }
            })
        };
        let mut read = Ok(());
        self.fetch_object(run, request, &mut |piece| {
            read = check.feed(piece, &mut each);
            read.is_ok() && !check.is_full()
        })
        .await?;
        let checked = read.and_then(|()| check.finish(&mut each));
        match (checked, refused) {
            (Ok(items), _) => Ok(items),
            (Err(_), Some(fault)) => Err(fault),
            (Err(e), None) => Err(reader_failed(e)),
        }
    }

    /// Whether `reader`'s items are decoded as they are taken ([`Self::read_items_lazily`]):
    /// those of a CSV, JSON or JSON Lines object.
    pub(super) fn reads_lazily(reader: &ItemReader) -> bool {
        matches!(reader.resource, ItemSource::S3GetObject)
            && matches!(
                reader.config.input_type,
                Some(ReaderInputType::Csv(_) | ReaderInputType::Json | ReaderInputType::JsonLines)
            )
    }

    /// `MaxItems(Path)` and the request of `reader`, with `base` as their input.
    pub(super) fn reader_request(
        &self,
        run: &StateRun<'_>,
        reader: &ItemReader,
        base: &Json,
        frame: &mut Frame,
    ) -> Result<(MaxItems, Value), Fault> {
        let max_items = match &reader.config.max_items {
            Some(src) => {
                let n = self.number(run, src, "MaxItems", base, frame)?;
                MaxItems::from_number(n).map_err(reader_failed)?
            }
            None => MaxItems::All,
        };
        let request = match &reader.parameters {
            Some(t) => {
                let mut env = self.env(run, base, frame);
                self.eval(run, t, &mut env)?.to_serde()
            }
            None => Value::Object(Default::default()),
        };
        Ok((max_items, request))
    }

    /// The text of the object `request` names, read whole (see [`Self::fetch_object`]).
    async fn object_text(&self, run: &StateRun<'_>, request: Value) -> Result<Vec<u8>, Fault> {
        let mut text = Vec::new();
        self.fetch_object(run, request, &mut |piece| {
            text.extend_from_slice(piece);
            true
        })
        .await?;
        Ok(text)
    }

    /// Reads the object `request` names a range at a time, handing `sink` each piece of its
    /// text in order until `sink` wants no more (see the module doc).
    async fn fetch_object(
        &self,
        run: &StateRun<'_>,
        request: Value,
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), Fault> {
        // A request that names its own range gets exactly that.
        if request.get("Range").is_some() {
            let (body, _) = self.get_object(run, request.clone(), None, 0).await?;
            sink(body.as_bytes());
            return Ok(());
        }
        let mut offset = 0u64;
        let mut etag = None;
        for call in 0u32.. {
            let range = format!("bytes={offset}-{}", offset + RANGE_BYTES - 1);
            let answer = self
                .get_object(run, request.clone(), Some((range, etag.clone())), call)
                .await;
            let (body, answer) = match answer {
                Ok(answer) => answer,
                // An empty object has no first byte to give.
                Err(f) if offset == 0 && f.cause.contains("Status Code: 416") => {
                    let (body, _) = self.get_object(run, request, None, call + 1).await?;
                    sink(body.as_bytes());
                    return Ok(());
                }
                Err(f) => return Err(f),
            };
            let total = answer
                .get("ContentRange")
                .and_then(Value::as_str)
                .and_then(range_total);
            // Without a total the endpoint ignored the range and sent the whole object.
            let Some(total) = total else {
                sink(body.as_bytes());
                return Ok(());
            };
            tracing::debug!(offset, total, "read a range of an item reader's object");
            if offset + RANGE_BYTES >= total {
                sink(body.as_bytes());
                return Ok(());
            }
            etag = answer
                .get("ETag")
                .and_then(Value::as_str)
                .map(str::to_string);
            match exact_prefix(&body) {
                Some(cut) => {
                    if !sink(&body.as_bytes()[..cut]) {
                        return Ok(());
                    }
                    offset += cut as u64;
                }
                // Text whose bytes cannot be counted exactly: the rest in one call.
                None => {
                    let rest = (format!("bytes={offset}-"), etag);
                    let (body, _) = self.get_object(run, request, Some(rest), call + 1).await?;
                    sink(body.as_bytes());
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// One `getObject` call for `request`, of `range` (and only while the object's ETag is
    /// the one given) when there is one: the body's text, and the rest of the answer.
    async fn get_object(
        &self,
        run: &StateRun<'_>,
        mut request: Value,
        range: Option<(String, Option<String>)>,
        call: u32,
    ) -> Result<(String, Value), Fault> {
        if let (Some((range, etag)), Some(fields)) = (range, request.as_object_mut()) {
            fields.insert("Range".into(), Value::String(range));
            if let Some(etag) = etag {
                fields.insert("IfMatch".into(), Value::String(etag));
            }
        }
        let mut answer = self
            .s3_call(run, GET_OBJECT, request, "item-reader", call)
            .await
            .map_err(|cause| reader_failed(ItemReaderError { cause }))?;
        let body = match answer.as_object_mut().and_then(|a| a.remove("Body")) {
            Some(Value::String(text)) => text,
            _ => String::new(),
        };
        Ok((body, answer))
    }

    /// Every object under the request's bucket and prefix, page by page, as items.
    async fn list_objects(
        &self,
        run: &StateRun<'_>,
        mut request: Value,
        max_items: MaxItems,
    ) -> Result<Vec<Json>, Fault> {
        let mut items = Vec::new();
        for page in 0..MAX_LIST_PAGES {
            let answer = self
                .s3_call(
                    run,
                    LIST_OBJECTS_V2,
                    request.clone(),
                    "item-reader",
                    page as u32,
                )
                .await
                .map_err(|cause| reader_failed(ItemReaderError { cause }))?;
            let contents = answer.get("Contents").and_then(Value::as_array);
            for object in contents.into_iter().flatten() {
                if let MaxItems::AtMost(max) = max_items {
                    if items.len() as u64 >= max {
                        return Ok(items);
                    }
                }
                items.push(listed_item(object));
            }
            let more = answer.get("IsTruncated").and_then(Value::as_bool) == Some(true);
            let token = answer.get("NextContinuationToken").cloned();
            match (more, token, request.as_object_mut()) {
                (true, Some(token), Some(fields)) => {
                    fields.insert("ContinuationToken".into(), token);
                }
                _ => return Ok(items),
            }
        }
        Err(reader_failed(ItemReaderError {
            cause: format!("the listing did not end within {MAX_LIST_PAGES} pages"),
        }))
    }
}

/// The object's size, from a `ContentRange` such as `bytes 0-99/1234`.
fn range_total(content_range: &str) -> Option<u64> {
    content_range.rsplit_once('/')?.1.trim().parse().ok()
}

/// How many bytes of a range's text are certainly the object's own bytes: the text up to its
/// last ASCII character. (The range may end inside a character, whose bytes came back as a
/// replacement character; a character's bytes are never ASCII.) `None` when the text holds a
/// replacement character before that point: the object is not clean UTF-8 there, and its
/// byte count cannot be told from the text.
fn exact_prefix(text: &str) -> Option<usize> {
    let cut = text.rfind(|c: char| c.is_ascii())? + 1;
    match text[..cut].contains(char::REPLACEMENT_CHARACTER) {
        true => None,
        false => Some(cut),
    }
}

/// An object of a listing as an item, in the shape and key order AWS gives it.
fn listed_item(object: &Value) -> Json {
    let mut item = Map::with_capacity_and_hasher(5, Default::default());
    for (key, from) in [
        ("Etag", "ETag"),
        ("LastModified", "LastModified"),
        ("Key", "Key"),
        ("Size", "Size"),
        ("StorageClass", "StorageClass"),
    ] {
        if let Some(v) = object.get(from) {
            item.insert(key.into(), Json::from(v.clone()));
        }
    }
    Json::Object(Object::from(item))
}

/// The input type of a reader of an object, which it must have.
fn input_type(reader: &ItemReader) -> Result<&ReaderInputType, Fault> {
    reader.config.input_type.as_ref().ok_or_else(|| {
        reader_failed(ItemReaderError {
            cause: "ReaderConfig.InputType is required to read an object".into(),
        })
    })
}

/// The Map state's failure for a reader's fault.
pub(super) fn reader_failed(e: ItemReaderError) -> Fault {
    Fault::new(names::ITEM_READER_FAILED, e.cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_used_up_to_its_last_whole_character() {
        // A range that ends inside "✓" (three bytes) comes back with a replacement character.
        let bytes = "ab\n✓c".as_bytes();
        let cut_inside = String::from_utf8_lossy(&bytes[..5]);
        assert_eq!(exact_prefix(&cut_inside), Some(3));
        assert_eq!(exact_prefix("ab✓"), Some(2));
        assert_eq!(exact_prefix("ab✓c"), Some(6));
        // A replacement character before the cut: the bytes cannot be counted.
        assert_eq!(exact_prefix("a\u{FFFD}b"), None);
        assert_eq!(exact_prefix("✓✓"), None);
    }

    #[test]
    fn the_object_size_comes_from_the_content_range() {
        assert_eq!(range_total("bytes 0-8388607/20000000"), Some(20_000_000));
        assert_eq!(range_total("bytes 0-9/*"), None);
        assert_eq!(range_total("nonsense"), None);
    }
}
