//! `ItemBatcher`: a distributed map's items grouped into batches, each the input of one child
//! execution, `{"BatchInput": ..., "Items": [...]}` (`BatchInput` only when the state gives one).
//!
//! A batch takes items in order until the next would pass `MaxItemsPerBatch` or make the
//! batch's compact JSON text longer than `MaxInputBytesPerBatch`. An item too large for any
//! batch gets a batch of its own, so no item is dropped.

use switchback_json::{Json, Map, Object};

/// The two limits of a batch (`None`: no such limit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchLimits {
    /// `MaxItemsPerBatch`.
    pub max_items: Option<u64>,
    /// `MaxInputBytesPerBatch`.
    pub max_bytes: Option<u64>,
}

/// `items` in batches within `limits`, each with `batch_input`.
pub fn batches(items: Vec<Json>, limits: BatchLimits, batch_input: Option<&Json>) -> Vec<Json> {
    let mut batcher = Batcher::new(limits, batch_input.cloned());
    let mut out: Vec<Json> = items.into_iter().filter_map(|i| batcher.push(i)).collect();
    out.extend(batcher.finish());
    out
}

/// Groups items into batches as they come, so a map run that reads millions of items never
/// holds more than one batch of them.
#[derive(Debug)]
pub struct Batcher {
    limits: BatchLimits,
    batch_input: Option<Json>,
    /// The compact text of an empty batch: `{"Items":[]}`, and `"BatchInput":…,` before it
    /// when there is one.
    empty: usize,
    /// The batch being filled.
    batch: Vec<Json>,
    /// The compact text of the batch being filled.
    bytes: usize,
}

impl Batcher {
    /// A batcher within `limits`, each batch with `batch_input`.
    pub fn new(limits: BatchLimits, batch_input: Option<Json>) -> Batcher {
        let empty = 12 + batch_input.as_ref().map_or(0, |b| 14 + b.size());
        Batcher {
            limits,
            batch_input,
            empty,
            batch: Vec::new(),
            bytes: empty,
        }
    }

    /// Adds the next item: the batch it does not fit in, when it starts a new one.
    pub fn push(&mut self, item: Json) -> Option<Json> {
        // The item, and a comma before it unless it is the first.
        let added = item.size() + usize::from(!self.batch.is_empty());
        let full_by_count = self
            .limits
            .max_items
            .is_some_and(|max| self.batch.len() as u64 >= max);
        let full_by_bytes = self
            .limits
            .max_bytes
            .is_some_and(|max| (self.bytes + added) as u64 > max);
        let full = match !self.batch.is_empty() && (full_by_count || full_by_bytes) {
            true => {
                self.bytes = self.empty;
                let items = std::mem::take(&mut self.batch);
                Some(self.batch_value(items))
            }
            false => None,
        };
        self.bytes += item.size() + usize::from(!self.batch.is_empty());
        self.batch.push(item);
        full
    }

    /// The last batch, if any item is left.
    pub fn finish(&mut self) -> Option<Json> {
        if self.batch.is_empty() {
            return None;
        }
        self.bytes = self.empty;
        let items = std::mem::take(&mut self.batch);
        Some(self.batch_value(items))
    }

    fn batch_value(&self, items: Vec<Json>) -> Json {
        let mut map = Map::with_capacity_and_hasher(2, Default::default());
        if let Some(b) = &self.batch_input {
            map.insert("BatchInput".into(), b.clone());
        }
        map.insert("Items".into(), Json::from(items));
        Json::Object(Object::from(map))
    }
}

/// The batches of an iterator's items, made as they are taken.
pub struct Batches<I> {
    items: I,
    batcher: Batcher,
    done: bool,
}

impl<I: Iterator<Item = Json>> Batches<I> {
    /// `items` in batches made by `batcher`.
    pub fn new(items: I, batcher: Batcher) -> Batches<I> {
        Batches {
            items,
            batcher,
            done: false,
        }
    }
}

impl<I: Iterator<Item = Json>> Iterator for Batches<I> {
    type Item = Json;

    fn next(&mut self) -> Option<Json> {
        if self.done {
            return None;
        }
        for item in self.items.by_ref() {
            if let Some(full) = self.batcher.push(item) {
                return Some(full);
            }
        }
        self.done = true;
        self.batcher.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(n: i64) -> Vec<Json> {
        (0..n).map(|i| Json::from(serde_json::json!(i))).collect()
    }

    fn texts(batches: &[Json]) -> Vec<String> {
        batches.iter().map(|b| b.to_serde().to_string()).collect()
    }

    #[test]
    fn batches_hold_at_most_max_items() {
        let limits = BatchLimits {
            max_items: Some(2),
            max_bytes: None,
        };
        assert_eq!(
            texts(&batches(numbers(5), limits, None)),
            [
                r#"{"Items":[0,1]}"#,
                r#"{"Items":[2,3]}"#,
                r#"{"Items":[4]}"#
            ]
        );
        let input = Json::from(serde_json::json!({"run": "a"}));
        assert_eq!(
            texts(&batches(numbers(1), limits, Some(&input))),
            [r#"{"BatchInput":{"run":"a"},"Items":[0]}"#]
        );
        assert!(batches(Vec::new(), limits, None).is_empty());
        let lazy: Vec<Json> =
            Batches::new(numbers(5).into_iter(), Batcher::new(limits, None)).collect();
        assert_eq!(texts(&lazy), texts(&batches(numbers(5), limits, None)));
    }

    #[test]
    fn batches_stay_within_max_bytes_counted_as_their_compact_text() {
        let input = Json::from(serde_json::json!("b"));
        for max_bytes in 20..60u64 {
            let limits = BatchLimits {
                max_items: None,
                max_bytes: Some(max_bytes),
            };
            let out = batches(numbers(12), limits, Some(&input));
            let mut seen = 0;
            for (i, b) in out.iter().enumerate() {
                let text = b.to_serde().to_string();
                let n = b
                    .as_object()
                    .and_then(|o| o.get("Items"))
                    .and_then(Json::as_array)
                    .map_or(0, |a| a.len());
                seen += n;
                // Within the limit, unless a single item cannot fit any batch.
                assert!(
                    text.len() as u64 <= max_bytes || n == 1,
                    "{max_bytes}: {text}"
                );
                // And as full as the limit allows: the next item would not have fit.
                if i + 1 < out.len() {
                    let next = 1 + numbers(seen as i64 + 1)[seen].size();
                    assert!(
                        text.len() + next > max_bytes as usize,
                        "{max_bytes}: {text} not full"
                    );
                }
            }
            assert_eq!(seen, 12, "no item lost at {max_bytes}");
        }
    }
}
