//! ResultPath: placing a value into a document at a reference path.
//!
//! AWS: `$` replaces the input; `$.a.b` sets `b` in `a`, creating `a` (and any other missing
//! object on the way) when absent. An intermediate that exists but is not an object cannot
//! hold a member, so the write fails (States.Runtime in the engine). An index replaces an
//! existing array element; it cannot create or extend an array.
//!
//! The path is checked against the document before anything changes, so a failed write
//! leaves the target as it was.

use switchback_json::{Json, Object};

use crate::normalize::normalized;
use crate::select::resolve_index;
use crate::{Path, Root, Segment, WriteError};

/// Writes `value` into `target` at `path`, in place; on error `target` is unchanged.
pub(crate) fn write_in_place(
    path: &Path,
    target: &mut Json,
    value: Json,
) -> Result<(), WriteError> {
    if *path.root() != Root::Input || !path.is_reference() {
        return Err(WriteError::NotWritable);
    }
    let segments = path.segments();
    check(segments, target)?;
    let Some((last, parents)) = segments.split_last() else {
        *target = value;
        return Ok(());
    };
    let mut cur = target;
    for (i, seg) in parents.iter().enumerate() {
        cur = step_mut(cur, seg, true).ok_or_else(|| missing(segments, i))?;
    }
    *step_mut(cur, last, false).ok_or_else(|| missing(segments, parents.len()))? = value;
    Ok(())
}

/// Finds the first step that cannot be taken without changing anything. Once a name is
/// missing, everything after it will be created, so the write can succeed (unless an index
/// follows, which cannot be created).
fn check(segments: &[Segment], target: &Json) -> Result<(), WriteError> {
    let mut cur = Some(target);
    for (i, seg) in segments.iter().enumerate() {
        cur = match (seg, cur) {
            (Segment::Field(name), Some(Json::Object(map))) => map.get(name),
            (Segment::Field(_), None) => None,
            (Segment::Index(idx), Some(Json::Array(items))) => {
                let found = resolve_index(*idx, items.len()).map(|j| &items[j]);
                Some(found.ok_or_else(|| missing(segments, i))?)
            }
            _ => return Err(missing(segments, i)),
        };
    }
    Ok(())
}

/// The error for a failure at step `i`: the normalised path up to and including it.
fn missing(segments: &[Segment], i: usize) -> WriteError {
    WriteError::MissingProperty {
        normalized: normalized(&segments[..=i]),
    }
}

/// The slot `seg` names inside `v`. A missing member is inserted (as an empty object when
/// it is an intermediate step, as `null` about to be overwritten when it is the last).
fn step_mut<'v>(v: &'v mut Json, seg: &Segment, intermediate: bool) -> Option<&'v mut Json> {
    match (seg, v) {
        (Segment::Field(name), Json::Object(map)) => {
            if !map.contains_key(name) {
                map.insert(name.as_str().into(), placeholder(intermediate));
            }
            map.get_mut(name)
        }
        (Segment::Index(i), Json::Array(items)) => {
            let i = resolve_index(*i, items.len())?;
            items.get_mut(i)
        }
        _ => None,
    }
}

fn placeholder(intermediate: bool) -> Json {
    if intermediate {
        Json::Object(Object::new())
    } else {
        Json::Null
    }
}
