//! Array functions: ArrayPartition, ArrayContains, ArrayRange, ArrayGetItem, ArrayLength,
//! ArrayUnique. (States.Array itself just collects its arguments.)

use std::collections::HashSet;

use switchback_json::Json;

use super::Args;
use crate::EvalError;

/// AWS's cap on the size of an array States.ArrayRange may build.
const MAX_RANGE_ITEMS: i64 = 1000;

/// `States.ArrayPartition(array, size)`: chunks of `size` items, the last one shorter.
/// The size is truncated toward zero and must then be positive (AWS: 2.6 -> 2, 0.6 fails).
pub(super) fn partition(args: &Args) -> Result<Json, EvalError> {
    let items = args.array(0)?;
    let size = args.truncated(1)?;
    if size <= 0 {
        return Err(args.invalid());
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Json::Array(
        items
            .chunks(size)
            .map(|chunk| Json::from(chunk.to_vec()))
            .collect(),
    ))
}

/// `States.ArrayContains(array, value)`: JSON equality, so `[1,2,3]` finds `[1,2,3]`.
pub(super) fn contains(args: &Args) -> Result<Json, EvalError> {
    let items = args.array(0)?;
    let needle = args.get(1);
    Ok(Json::Bool(items.iter().any(|item| item == needle)))
}

/// `States.ArrayRange(first, last, step)`: `first, first+step, ...` up to and including
/// `last`. Arguments are truncated toward zero; the step may be negative but not zero, and
/// the result may hold at most 1000 items.
pub(super) fn range(args: &Args) -> Result<Json, EvalError> {
    let first = args.truncated(0)?;
    let last = args.truncated(1)?;
    let step = args.truncated(2)?;
    if step == 0 {
        return Err(args.invalid());
    }
    let count = range_len(first, last, step);
    if count > MAX_RANGE_ITEMS {
        return Err(args.invalid());
    }
    Ok(Json::Array(
        (0..count).map(|i| Json::from(first + i * step)).collect(),
    ))
}

/// How many items `first, first+step, ...` has before passing `last` (0 when the step
/// points away from `last`). Computed in i128 so extreme bounds cannot overflow.
fn range_len(first: i64, last: i64, step: i64) -> i64 {
    let span = last as i128 - first as i128;
    if span != 0 && (span > 0) != (step > 0) {
        return 0;
    }
    let count = span / step as i128 + 1;
    count.min(i64::MAX as i128) as i64
}

/// `States.ArrayGetItem(array, index)`: the item at a zero-based index (truncated toward zero).
///
/// AWS quirk, observed by third-party probes: on an empty array any index yields `null`
/// rather than an error; on a non-empty array an index outside it fails.
pub(super) fn get_item(args: &Args) -> Result<Json, EvalError> {
    let items = args.array(0)?;
    let index = args.truncated(1)?;
    if items.is_empty() {
        return Ok(Json::Null);
    }
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .cloned()
        .ok_or_else(|| args.invalid())
}

/// `States.ArrayLength(array)`.
pub(super) fn length(args: &Args) -> Result<Json, EvalError> {
    Ok(Json::from(args.array(0)?.len()))
}

/// `States.ArrayUnique(array)`: first occurrences kept, in order; equality is JSON equality
/// (object key order does not matter; `1` and `1.0` differ, as in Jackson).
pub(super) fn unique(args: &Args) -> Result<Json, EvalError> {
    let items = args.array(0)?;
    let mut seen = HashSet::with_capacity(items.len());
    let out = items
        .iter()
        .filter(|item| seen.insert(canonical(item)))
        .cloned()
        .collect();
    Ok(Json::Array(out))
}

/// A text form equal for JSON-equal values: objects with their keys sorted.
fn canonical(v: &Json) -> String {
    match v {
        Json::Object(map) => {
            let mut keys: Vec<_> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Json::from(k.as_str()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}
