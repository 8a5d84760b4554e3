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
//! two versions), its body asked for byte for byte ([`BodyAs::Base64`]). A GZIP or ZSTD object
//! is decompressed as it arrives ([`Decompressor`]). A manifest (an S3 inventory's, or an
//! Athena `UNLOAD`'s) is read whole, then each object it lists in turn ([`items::manifest`]).
//!
//! The items are decoded as the objects arrive (to check them) and again as the map run's
//! children take them (see [`LazyItems`]): the plain bytes are kept in a spool (memory, or a
//! temporary file when large), not a million decoded items.
//!
//! A listing with `Transformation: LOAD_AND_FLATTEN` reads each object it lists the same way.
//!
//! Not yet: `PARQUET` objects.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::Value;
use switchback_asl::errors as names;
use switchback_asl::model::{
    ItemReader, ItemSource, ManifestType, ReaderInputType, ReaderTransformation,
};
use switchback_json::{Json, Map, Object};

use super::{Fault, Frame, Interpreter, StateRun};
use crate::items::{manifest, Decompressor, ItemReaderError, LazyCheck, LazyItems, MaxItems};
use crate::task::BodyAs;

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
    /// its request and of `MaxItemsPath`, all at once: those of a listing (an object's are
    /// read with [`Self::read_items_lazily`]).
    pub(super) async fn read_items(
        &self,
        run: &StateRun<'_>,
        reader: &ItemReader,
        base: &Json,
        frame: &mut Frame,
    ) -> Result<Vec<Json>, Fault> {
        let prepared = self.reader_request(run, reader, base, frame)?;
        match reader.resource {
            ItemSource::S3GetObject => {
                let items = self
                    .read_items_lazily(run, reader, prepared, &mut |_, _| Ok(()))
                    .await?;
                Ok(items.collect())
            }
            ItemSource::S3ListObjectsV2 => self.list_objects(run, prepared.1, prepared.0).await,
        }
    }

    /// The items of a reader of objects (see [`Self::reads_lazily`]), decoded as they are
    /// taken (see [`LazyItems`]), given its `MaxItems` and request; `each` sees every item
    /// first, as the objects are read.
    pub(super) async fn read_items_lazily(
        &self,
        run: &StateRun<'_>,
        reader: &ItemReader,
        (max_items, request): (MaxItems, Value),
        each: &mut dyn FnMut(usize, Json) -> Result<(), Fault>,
    ) -> Result<LazyItems, Fault> {
        let source = ObjectSource::of(reader)?;
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
        let mut check = LazyCheck::of_objects(max_items);
        let read = self
            .read_objects(run, source, request, &mut check, &mut each)
            .await;
        let checked = match read {
            Ok(Ok(())) => check.finish(&mut each),
            Ok(Err(e)) => Err(e),
            Err(fault) => return Err(fault),
        };
        match (checked, refused) {
            (Ok(items), _) => Ok(items),
            (Err(_), Some(fault)) => Err(fault),
            (Err(e), None) => Err(reader_failed(e)),
        }
    }

    /// Reads the object `request` names (or those its manifest lists) into `check`. The
    /// outer `Err` is the S3 calls' fault, the inner one the decoding's (or `each`'s).
    async fn read_objects(
        &self,
        run: &StateRun<'_>,
        source: ObjectSource<'_>,
        request: Value,
        check: &mut LazyCheck,
        each: &mut dyn FnMut(usize, Json) -> Result<(), ItemReaderError>,
    ) -> Result<Result<(), ItemReaderError>, Fault> {
        let manifest = match source {
            ObjectSource::Object(input_type) => {
                if let Err(e) = check.begin(input_type, each) {
                    return Ok(Err(e));
                }
                return self
                    .read_object(run, request, "item-reader", check, each)
                    .await;
            }
            ObjectSource::S3Inventory => {
                let text = self.object_text(run, request).await?;
                manifest::s3_inventory(&text)
            }
            ObjectSource::AthenaData(input_type) => {
                let text = self.object_text(run, request).await?;
                manifest::athena_data(&text, input_type)
            }
            ObjectSource::Listed(input_type) => {
                let bucket = request
                    .get("Bucket")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let listed = self.list_objects(run, request, MaxItems::All).await?;
                let objects = listed
                    .iter()
                    .filter_map(|o| o.get("Key").and_then(|k| k.as_str()))
                    .map(|key| manifest::ListedObject {
                        bucket: bucket.clone(),
                        key: key.to_string(),
                    })
                    .collect();
                Ok(manifest::Manifest {
                    objects,
                    input_type: input_type.clone(),
                })
            }
        };
        let manifest = match manifest {
            Ok(manifest) => manifest,
            Err(e) => return Ok(Err(e)),
        };
        for (i, object) in manifest.objects.iter().enumerate() {
            if check.is_full() {
                break;
            }
            if let Err(e) = check.begin(&manifest.input_type, each) {
                return Ok(Err(e));
            }
            let request = serde_json::json!({"Bucket": object.bucket, "Key": object.key});
            let purpose = format!("item-reader-{i}");
            if let Err(e) = self
                .read_object(run, request, &purpose, check, each)
                .await?
            {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// Reads one object into `check`, decompressing it if it is compressed (see
    /// [`Self::read_objects`] for the two faults).
    async fn read_object(
        &self,
        run: &StateRun<'_>,
        request: Value,
        purpose: &str,
        check: &mut LazyCheck,
        each: &mut dyn FnMut(usize, Json) -> Result<(), ItemReaderError>,
    ) -> Result<Result<(), ItemReaderError>, Fault> {
        let mut decompressor = Decompressor::new();
        let mut read = Ok(());
        self.fetch_object(run, request, purpose, &mut |piece| {
            read = decompressor.push(piece, &mut |plain| check.feed(plain, each));
            read.is_ok() && !check.is_full()
        })
        .await?;
        if read.is_ok() && !check.is_full() {
            read = decompressor.finish(&mut |plain| check.feed(plain, each));
        }
        Ok(read)
    }

    /// Whether `reader`'s items are decoded as they are taken ([`Self::read_items_lazily`]):
    /// those of objects (not a listing's metadata).
    pub(super) fn reads_lazily(reader: &ItemReader) -> bool {
        matches!(reader.resource, ItemSource::S3GetObject)
            || reader.config.transformation == ReaderTransformation::LoadAndFlatten
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

    /// The plain bytes of the object `request` names, read whole: a manifest.
    async fn object_text(&self, run: &StateRun<'_>, request: Value) -> Result<Vec<u8>, Fault> {
        let mut text = Vec::new();
        let mut decompressor = Decompressor::new();
        let mut read = Ok(());
        self.fetch_object(run, request, "item-reader", &mut |piece| {
            read = decompressor.push(piece, &mut |plain| {
                text.extend_from_slice(plain);
                Ok(())
            });
            read.is_ok()
        })
        .await?;
        read.and_then(|()| {
            decompressor.finish(&mut |plain| {
                text.extend_from_slice(plain);
                Ok(())
            })
        })
        .map_err(reader_failed)?;
        Ok(text)
    }

    /// Reads the object `request` names a range at a time, handing `sink` each piece of its
    /// bytes in order until `sink` wants no more (see the module doc).
    async fn fetch_object(
        &self,
        run: &StateRun<'_>,
        request: Value,
        purpose: &str,
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), Fault> {
        // A request that names its own range gets exactly that.
        if request.get("Range").is_some() {
            let (body, _) = self.get_object(run, request, None, (purpose, 0)).await?;
            sink(&body.bytes);
            return Ok(());
        }
        let mut offset = 0u64;
        let mut etag = None;
        for call in 0u32.. {
            let range = format!("bytes={offset}-{}", offset + RANGE_BYTES - 1);
            let answer = self
                .get_object(
                    run,
                    request.clone(),
                    Some((range, etag.clone())),
                    (purpose, call),
                )
                .await;
            let (body, answer) = match answer {
                Ok(answer) => answer,
                // An empty object has no first byte to give.
                Err(f) if offset == 0 && f.cause.contains("Status Code: 416") => {
                    let (body, _) = self
                        .get_object(run, request, None, (purpose, call + 1))
                        .await?;
                    sink(&body.bytes);
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
                sink(&body.bytes);
                return Ok(());
            };
            tracing::debug!(offset, total, "read a range of an item reader's object");
            if offset + RANGE_BYTES >= total {
                sink(&body.bytes);
                return Ok(());
            }
            etag = answer
                .get("ETag")
                .and_then(Value::as_str)
                .map(str::to_string);
            // Exact bytes: all of them; text: up to its last whole character.
            let used = match body.exact {
                true => Some(body.bytes.len()),
                false => std::str::from_utf8(&body.bytes).ok().and_then(exact_prefix),
            };
            match used {
                Some(used) if used > 0 => {
                    if !sink(&body.bytes[..used]) {
                        return Ok(());
                    }
                    offset += used as u64;
                }
                // Text whose bytes cannot be counted exactly: the rest in one call.
                _ => {
                    let rest = (format!("bytes={offset}-"), etag);
                    let (body, _) = self
                        .get_object(run, request, Some(rest), (purpose, call + 1))
                        .await?;
                    sink(&body.bytes);
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// One `getObject` call for `request`, of `range` (and only while the object's ETag is
    /// the one given) when there is one: the body, and the rest of the answer.
    async fn get_object(
        &self,
        run: &StateRun<'_>,
        mut request: Value,
        range: Option<(String, Option<String>)>,
        call: (&str, u32),
    ) -> Result<(Body, Value), Fault> {
        if let (Some((range, etag)), Some(fields)) = (range, request.as_object_mut()) {
            fields.insert("Range".into(), Value::String(range));
            if let Some(etag) = etag {
                fields.insert("IfMatch".into(), Value::String(etag));
            }
        }
        let mut answer = self
            .s3_call(run, GET_OBJECT, request, call, BodyAs::Base64)
            .await
            .map_err(|cause| reader_failed(ItemReaderError { cause }))?;
        let fields = answer.as_object_mut();
        let encoded = fields
            .as_ref()
            .and_then(|f| f.get("BodyEncoding"))
            .and_then(Value::as_str)
            == Some("base64");
        let body = match fields.and_then(|f| f.remove("Body")) {
            Some(Value::String(text)) if encoded => Body {
                bytes: BASE64.decode(text.as_bytes()).map_err(|e| {
                    reader_failed(ItemReaderError {
                        cause: format!("the object's body did not come as base64: {e}"),
                    })
                })?,
                exact: true,
            },
            Some(Value::String(text)) => Body {
                bytes: text.into_bytes(),
                exact: false,
            },
            _ => Body {
                bytes: Vec::new(),
                exact: true,
            },
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
                    ("item-reader-list", page as u32),
                    BodyAs::Text,
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

/// A `getObject` answer's body.
struct Body {
    bytes: Vec<u8>,
    /// The object's bytes exactly (base64 from the integration), rather than its text (from a
    /// stand-in such as a mock), where a range may end inside a character.
    exact: bool,
}

/// What an object reader reads.
enum ObjectSource<'r> {
    /// One object, decoded as its input type says.
    Object(&'r ReaderInputType),
    /// An S3 inventory manifest.
    S3Inventory,
    /// An Athena data manifest, whose objects are decoded as the input type says.
    AthenaData(&'r ReaderInputType),
    /// The objects a listing gives (`Transformation: LOAD_AND_FLATTEN`), decoded as the input
    /// type says.
    Listed(&'r ReaderInputType),
}

impl<'r> ObjectSource<'r> {
    /// What `reader` (an `s3:getObject` reader, or a listing's `LOAD_AND_FLATTEN`) reads.
    fn of(reader: &'r ItemReader) -> Result<ObjectSource<'r>, Fault> {
        let config = &reader.config;
        if reader.resource == ItemSource::S3ListObjectsV2 {
            return Ok(ObjectSource::Listed(input_type(reader)?));
        }
        Ok(match (config.manifest_type, &config.input_type) {
            (Some(ManifestType::S3Inventory), _) | (None, Some(ReaderInputType::Manifest)) => {
                ObjectSource::S3Inventory
            }
            (Some(ManifestType::AthenaData), _) => ObjectSource::AthenaData(input_type(reader)?),
            (None, _) => ObjectSource::Object(input_type(reader)?),
        })
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
