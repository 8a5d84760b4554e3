//! An object's items handed out one at a time, decoded from its text only when asked for.
//!
//! A map run over a million lines of JSON Lines would otherwise hold a million decoded items
//! (a few hundred bytes each) before its first child starts. [`LazyItems`] keeps the object's
//! text instead (a few dozen bytes an item) and decodes the next piece of it as the children
//! are started. The text is checked whole first ([`LazyItems::check`]: every item decoded once
//! and dropped), so a fault still fails the reader before any child runs, as AWS does.

use std::collections::VecDeque;

use switchback_asl::model::ReaderInputType;
use switchback_json::Json;

use super::{ItemDecoder, ItemReaderError, MaxItems};

/// How much of the text is decoded at a time.
const PIECE: usize = 64 * 1024;

/// The items of one object, decoded from its text as they are taken.
#[derive(Debug)]
pub struct LazyItems {
    text: Vec<u8>,
    /// How much of `text` the decoder has been fed.
    fed: usize,
    /// `None` once the text is finished.
    decoder: Option<ItemDecoder>,
    /// Items decoded and not yet taken.
    ready: VecDeque<Json>,
    /// How many items there are in all.
    len: usize,
}

impl LazyItems {
    /// Checks the object's text (`text` read as `input_type`, to `max_items`), counting its
    /// items: the first fault is the reader's. Then hands the items out one at a time.
    pub fn check(
        input_type: &ReaderInputType,
        max_items: MaxItems,
        text: Vec<u8>,
        each: &mut dyn FnMut(usize, Json) -> Result<(), ItemReaderError>,
    ) -> Result<LazyItems, ItemReaderError> {
        let mut len = 0usize;
        let mut fault = None;
        let mut count = |item: Json| {
            if fault.is_none() {
                if let Err(e) = each(len, item) {
                    fault = Some(e);
                }
            }
            len += 1;
        };
        let mut decoder = ItemDecoder::new(input_type, max_items)?;
        for piece in text.chunks(PIECE) {
            decoder.feed(piece, &mut count)?;
            if decoder.is_full() {
                break;
            }
        }
        decoder.finish(&mut count)?;
        if let Some(e) = fault {
            return Err(e);
        }
        Ok(LazyItems {
            text,
            fed: 0,
            decoder: Some(ItemDecoder::new(input_type, max_items)?),
            ready: VecDeque::new(),
            len,
        })
    }

    /// How many items there are in all (taken or not).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the object holds no item.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Iterator for LazyItems {
    type Item = Json;

    fn next(&mut self) -> Option<Json> {
        while self.ready.is_empty() {
            let decoder = self.decoder.as_mut()?;
            let ready = &mut self.ready;
            let mut push = |item: Json| ready.push_back(item);
            // The text was checked whole: decoding it again cannot fail.
            if self.fed < self.text.len() && !decoder.is_full() {
                let end = (self.fed + PIECE).min(self.text.len());
                let _ = decoder.feed(&self.text[self.fed..end], &mut push);
                self.fed = end;
            } else if let Some(decoder) = self.decoder.take() {
                let _ = decoder.finish(&mut push);
                // The text is of no use any more.
                self.text = Vec::new();
            }
        }
        self.ready.pop_front()
    }
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
            text.into_bytes(),
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
    fn a_bad_line_or_a_refused_item_fails_the_check_and_max_items_stops_it() {
        let bad = b"{\"n\": 1}\nnot json\n".to_vec();
        let e = LazyItems::check(
            &ReaderInputType::JsonLines,
            MaxItems::All,
            bad,
            &mut |_, _| Ok(()),
        )
        .unwrap_err();
        assert!(e.cause.contains("not valid JSON"), "{}", e.cause);
        let text = b"{\"n\": 1}\n{\"n\": 2}\n{\"n\": 3}\n".to_vec();
        let e = LazyItems::check(
            &ReaderInputType::JsonLines,
            MaxItems::All,
            text.clone(),
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
