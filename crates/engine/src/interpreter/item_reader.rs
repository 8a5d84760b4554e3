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
//! A CSV or JSON Lines object's items are decoded as the map run's children take them (see
//! [`LazyItems`]): its text is kept, not a million decoded items.
//!
//! Not yet: the object's content is read whole from the integration's answer rather than
//! streamed (the decoder itself takes pieces), and a manifest's listed objects are not read.

use serde_json::Value;
use switchback_asl::errors as names;
use switchback_asl::model::{ItemReader, ItemSource, ReaderInputType};
use switchback_json::{Json, Map, Object};

use super::{Fault, Frame, Interpreter, StateRun};
use crate::items::{self, ItemReaderError, LazyItems, MaxItems};

/// The resource an `ItemReader`'s `getObject` is sent as.
const GET_OBJECT: &str = "arn:aws:states:::aws-sdk:s3:getObject";
/// The resource an `ItemReader`'s `listObjectsV2` is sent as.
const LIST_OBJECTS_V2: &str = "arn:aws:states:::aws-sdk:s3:listObjectsV2";

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

    /// The items of a reader of a CSV or JSON Lines object (see [`Self::reads_lazily`]),
    /// decoded as they are taken (see [`LazyItems`]), given its `MaxItems` and request;
    /// `each` sees every item first, when the object is checked.
    pub(super) async fn read_items_lazily(
        &self,
        run: &StateRun<'_>,
        reader: &ItemReader,
        (max_items, request): (MaxItems, Value),
        each: &mut dyn FnMut(usize, Json) -> Result<(), Fault>,
    ) -> Result<LazyItems, Fault> {
        let input_type = input_type(reader)?;
        let text = self.object_text(run, request).await?;
        // A fault of `each` (an item selector's) is kept as it is, not as the reader's.
        let mut refused = None;
        let checked = LazyItems::check(input_type, max_items, text, &mut |index, item| {
            each(index, item).map_err(|f| {
                refused = Some(f);
                ItemReaderError {
                    cause: String::new(),
                }
            })
        });
        match (checked, refused) {
            (Ok(items), _) => Ok(items),
            (Err(_), Some(fault)) => Err(fault),
            (Err(e), None) => Err(reader_failed(e)),
        }
    }

    /// Whether `reader`'s items are decoded as they are taken ([`Self::read_items_lazily`]):
    /// those of a CSV or JSON Lines object.
    pub(super) fn reads_lazily(reader: &ItemReader) -> bool {
        matches!(reader.resource, ItemSource::S3GetObject)
            && matches!(
                reader.config.input_type,
                Some(ReaderInputType::Csv(_) | ReaderInputType::JsonLines)
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

    /// The text of the object `request` names (taken from the answer, not copied).
    async fn object_text(&self, run: &StateRun<'_>, request: Value) -> Result<Vec<u8>, Fault> {
        let answer = self
            .s3_call(run, GET_OBJECT, request, "item-reader", 0)
            .await
            .map_err(|cause| reader_failed(ItemReaderError { cause }))?;
        Ok(match answer {
            Value::Object(mut fields) => match fields.remove("Body") {
                Some(Value::String(text)) => text.into_bytes(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        })
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
fn reader_failed(e: ItemReaderError) -> Fault {
    Fault::new(names::ITEM_READER_FAILED, e.cause)
}
