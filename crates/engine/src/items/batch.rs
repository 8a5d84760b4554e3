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
    // `{"Items":[]}`, and `"BatchInput":…,` before it when there is one.
    let empty = 12 + batch_input.map_or(0, |b| 14 + b.size());
    let mut out = Vec::new();
    let mut batch: Vec<Json> = Vec::new();
    let mut bytes = empty;
    for item in items {
        // The item, and a comma before it unless it is the first.
        let added = item.size() + usize::from(!batch.is_empty());
        let full_by_count = limits
            .max_items
            .is_some_and(|max| batch.len() as u64 >= max);
        let full_by_bytes = limits
            .max_bytes
            .is_some_and(|max| (bytes + added) as u64 > max);
        if !batch.is_empty() && (full_by_count || full_by_bytes) {
            out.push(batch_value(std::mem::take(&mut batch), batch_input));
            bytes = empty;
        }
        bytes += item.size() + usize::from(!batch.is_empty());
        batch.push(item);
    }
    if !batch.is_empty() {
        out.push(batch_value(batch, batch_input));
    }
    out
}

fn batch_value(items: Vec<Json>, batch_input: Option<&Json>) -> Json {
    let mut map = Map::with_capacity_and_hasher(2, Default::default());
    if let Some(b) = batch_input {
        map.insert("BatchInput".into(), b.clone());
    }
    map.insert("Items".into(), Json::from(items));
    Json::Object(Object::from(map))
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
