//! An object's items handed out one at a time, decoded from its bytes only when asked for.
//!
//! A map run over a million lines of JSON Lines would otherwise hold a million decoded items
//! (a few hundred bytes each) before its first child starts. The object's bytes are checked as
//! they arrive ([`LazyCheck`]: every item decoded once, seen by the caller and dropped, so a
//! fault still fails the reader before any child runs, as AWS does) and kept in a [`Spool`]
//! (in memory while small, else in a temporary file). [`LazyItems`] then decodes them again a
//! piece at a time as the children are started: memory stays flat in the object's size.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use switchback_asl::model::ReaderInputType;
use switchback_json::Json;

use super::{ItemDecoder, ItemReaderError, MaxItems, Spool};

/// How much of the spool is decoded at a time.
const PIECE: usize = 64 * 1024;

/// The objects read into one spool: where each starts in it, and how it is decoded.
type Objects = Vec<(u64, ReaderInputType)>;

/// Objects being read (one, or those a manifest lists, one after the other): each piece
/// decoded (to check it) and kept for [`LazyItems`].
#[derive(Debug)]
pub struct LazyCheck {
    max_items: MaxItems,
    /// The decoder of the object being read.
    decoder: Option<ItemDecoder>,
    spool: Spool,
    objects: Objects,
    /// How many items were seen.
    len: usize,
}

impl LazyCheck {
    /// Starts reading an object of `input_type`, to `max_items`.
    pub fn new(
        input_type: &ReaderInputType,
        max_items: MaxItems,
    ) -> Result<LazyCheck, ItemReaderError> {
        let mut check = LazyCheck::of_objects(max_items);
        check.begin(input_type, &mut |_, _| Ok(()))?;
        Ok(check)
    }

    /// Starts reading objects one after the other, to `max_items` in all ([`Self::begin`]
    /// each).
    pub fn of_objects(max_items: MaxItems) -> LazyCheck {
        LazyCheck {
            max_items,
            decoder: None,
            spool: Spool::new(),
            objects: Vec::new(),
            len: 0,
        }
    }

    /// Ends the object being read (handing `each` the items its end completes) and starts
    /// the next, of `input_type`.
    pub fn begin(
        &mut self,
        input_type: &ReaderInputType,
        each: &mut dyn FnMut(usize, Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        self.end_object(each)?;
        self.objects.push((self.spool.len(), input_type.clone()));
        self.decoder = Some(ItemDecoder::new(
            input_type,
            self.max_items.after(self.len as u64),
        )?);
        Ok(())
    }

    /// Whether `MaxItems` items were read: the rest need not be fetched.
    pub fn is_full(&self) -> bool {
        self.max_items.reached(self.len as u64)
    }

    /// Reads the next piece of the object, handing `each` every item completed in it (with its
    /// index); the first fault, the decoder's or `each`'s, ends the reading.
    pub fn feed(
        &mut self,
        bytes: &[u8],
        each: &mut dyn FnMut(usize, Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        let Some(decoder) = &mut self.decoder else {
            return Ok(());
        };
        if self.max_items.reached(self.len as u64) {
            return Ok(());
        }
        self.spool.write(bytes).map_err(spool_failed)?;
        let (len, mut fault) = (&mut self.len, None);
        decoder.feed(bytes, &mut |item| {
            if fault.is_none() {
                fault = each(*len, item).err();
            }
            *len += 1;
        })?;
        fault.map_or(Ok(()), Err)
    }

    /// Ends the last object: the items, to be handed out again, or the first fault.
    pub fn finish(
        mut self,
        each: &mut dyn FnMut(usize, Json) -> Result<(), ItemReaderError>,
    ) -> Result<LazyItems, ItemReaderError> {
        self.end_object(each)?;
        Ok(LazyItems {
            spool: self.spool,
            objects: self.objects,
            next_object: 0,
            end: 0,
            max_items: self.max_items,
            decoder: None,
            ready: VecDeque::new(),
            buf: Vec::new(),
            decoded: 0,
            len: self.len,
            fault: Rc::default(),
        })
    }

    /// Ends the object being read, if any.
    fn end_object(
        &mut self,
        each: &mut dyn FnMut(usize, Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        let Some(decoder) = self.decoder.take() else {
            return Ok(());
        };
        let (len, mut fault) = (&mut self.len, None);
        decoder.finish(&mut |item| {
            if fault.is_none() {
                fault = each(*len, item).err();
            }
            *len += 1;
        })?;
        fault.map_or(Ok(()), Err)
    }
}

/// The items of one or more objects, decoded from their spooled bytes as they are taken.
#[derive(Debug)]
pub struct LazyItems {
    spool: Spool,
    objects: Objects,
    /// The next object to decode.
    next_object: usize,
    /// Where in the spool the object being decoded ends.
    end: u64,
    max_items: MaxItems,
    /// The decoder of the object being decoded.
    decoder: Option<ItemDecoder>,
    /// Items decoded and not yet taken.
    ready: VecDeque<Json>,
    /// The piece being decoded (allocated at the first item).
    buf: Vec<u8>,
    /// How many items were decoded.
    decoded: u64,
    /// How many items there are in all.
    len: usize,
    /// Why the items stopped before the last, if the spool could not be read back.
    fault: Rc<RefCell<Option<ItemReaderError>>>,
}

impl LazyItems {
    /// Checks a whole object held in memory (`bytes` read as `input_type`, to `max_items`),
    /// handing `each` every item: the first fault is the reader's. Then hands the items out
    /// one at a time.
    pub fn check(
        input_type: &ReaderInputType,
        max_items: MaxItems,
        bytes: &[u8],
        each: &mut dyn FnMut(usize, Json) -> Result<(), ItemReaderError>,
    ) -> Result<LazyItems, ItemReaderError> {
        let mut check = LazyCheck::new(input_type, max_items)?;
        for piece in bytes.chunks(PIECE) {
            check.feed(piece, each)?;
            if check.is_full() {
                break;
            }
        }
        check.finish(each)
    }

    /// How many items there are in all (taken or not).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the object holds no item.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where to find, once the items are taken, why they stopped early (if they did): the
    /// spool's file could not be read back.
    pub fn fault(&self) -> Rc<RefCell<Option<ItemReaderError>>> {
        self.fault.clone()
    }

    /// Starts decoding the next object; false when there is none.
    fn next_decoder(&mut self) -> bool {
        let Some((_, input_type)) = self.objects.get(self.next_object) else {
            return false;
        };
        // The bytes were checked: a decoder that could be made then can be made now.
        let Ok(decoder) = ItemDecoder::new(input_type, self.max_items.after(self.decoded)) else {
            return false;
        };
        self.decoder = Some(decoder);
        self.next_object += 1;
        self.end = self
            .objects
            .get(self.next_object)
            .map_or(self.spool.len(), |(start, _)| *start);
        true
    }

    /// Lets go of everything (after the last item, or a fault).
    fn done(&mut self) {
        self.decoder = None;
        self.next_object = self.objects.len();
        self.spool.clear();
        self.buf = Vec::new();
    }
}

impl Iterator for LazyItems {
    type Item = Json;

    fn next(&mut self) -> Option<Json> {
        while self.ready.is_empty() {
            if self.decoder.is_none() && !self.next_decoder() {
                self.done();
                return None;
            }
            let decoder = self.decoder.as_mut()?;
            let (ready, decoded) = (&mut self.ready, &mut self.decoded);
            let mut push = |item: Json| {
                *decoded += 1;
                ready.push_back(item);
            };
            let buf = &mut self.buf;
            if buf.is_empty() {
                buf.resize(PIECE, 0);
            }
            let left = self.end.saturating_sub(self.spool.position());
            let want = (PIECE as u64).min(left) as usize;
            let n = match want == 0 || decoder.is_full() {
                true => 0,
                false => match self.spool.read_next(&mut buf[..want]) {
                    Ok(n) => n,
                    Err(e) => {
                        *self.fault.borrow_mut() = Some(spool_failed(e));
                        self.done();
                        return None;
                    }
                },
            };
            // The bytes were checked: decoding them again cannot fail.
            if n > 0 {
                let _ = decoder.feed(&buf[..n], &mut push);
            } else if let Some(decoder) = self.decoder.take() {
                let _ = decoder.finish(&mut push);
                // Bytes of this object left unread (past `MaxItems`) are skipped.
                let skip = self.end.saturating_sub(self.spool.position());
                if let Err(e) = self.spool.skip(skip) {
                    *self.fault.borrow_mut() = Some(spool_failed(e));
                    self.done();
                    return None;
                }
            }
        }
        self.ready.pop_front()
    }
}

/// The reader's fault when its spool fails (a full or failing disk).
fn spool_failed(e: std::io::Error) -> ItemReaderError {
    ItemReaderError::new(format!(
        "the object's items could not be kept in a temporary file ({e}): check the space \
         left in the temporary directory (TMPDIR)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_every_line_in_order_after_checking_them_all() {
        let text: String = (0..20_000).map(|i| format!("{{\"n\": {i}}}\n")).collect();
        let mut seen = 0;
        let items = LazyItems::check(
            &ReaderInputType::JsonLines,
            MaxItems::All,
            text.as_bytes(),
            &mut |_, _| {
                seen += 1;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, 20_000);
        assert_eq!(items.len(), 20_000);
        let ns: Vec<i64> = items
            .map(|item| match item.get("n") {
                Some(Json::Number(n)) => n.as_f64().unwrap_or(-1.0) as i64,
                _ => -1,
            })
            .collect();
        assert_eq!(ns, (0..20_000).collect::<Vec<i64>>());
    }

    #[test]
    fn an_object_too_large_for_memory_is_read_back_from_its_file() {
        // Long lines, so the spool outgrows memory with few items.
        let pad = "x".repeat(4000);
        let lines = super::super::spool::IN_MEMORY_LIMIT / 4000 + 500;
        let mut check = LazyCheck::new(&ReaderInputType::Json, MaxItems::All).unwrap();
        let mut each = |_, _| Ok(());
        check.feed(b"[", &mut each).unwrap();
        for i in 0..lines {
            let sep = if i == 0 { "" } else { "," };
            let item = format!("{sep}{{\"n\":{i},\"pad\":\"{pad}\"}}");
            check.feed(item.as_bytes(), &mut each).unwrap();
        }
        check.feed(b"]", &mut each).unwrap();
        assert!(check.spool.on_disk());
        let items = check.finish(&mut each).unwrap();
        assert_eq!(items.len(), lines);
        let fault = items.fault();
        let mut count = 0;
        for (i, item) in items.enumerate() {
            assert_eq!(item.get("n").map(|n| n.to_serde()), Some(i.into()));
            count += 1;
        }
        assert_eq!(count, lines);
        assert!(fault.borrow().is_none());
    }

    #[test]
    fn a_bad_line_or_a_refused_item_fails_the_check_and_max_items_stops_it() {
        let bad = b"{\"n\": 1}\nnot json\n";
        let e = LazyItems::check(
            &ReaderInputType::JsonLines,
            MaxItems::All,
            bad,
            &mut |_, _| Ok(()),
        )
        .unwrap_err();
        assert!(e.cause.contains("not valid JSON"), "{}", e.cause);
        let text = b"{\"n\": 1}\n{\"n\": 2}\n{\"n\": 3}\n";
        let e = LazyItems::check(
            &ReaderInputType::JsonLines,
            MaxItems::All,
            text,
            &mut |i, _| {
                if i == 1 {
                    Err(ItemReaderError::new("refused"))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert_eq!(e.cause, "refused");
        let items = LazyItems::check(
            &ReaderInputType::JsonLines,
            MaxItems::AtMost(2),
            text,
            &mut |_, _| Ok(()),
        )
        .unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items.count(), 2);
    }
}
