//! Walking a document: the allocation-free reference walk (the hot path), the general
//! walk that collects every match in Jayway's order, and the diagnosis of a missing value.

use std::borrow::Cow;

use switchback_json::{Json, Object};

use crate::normalize::{fragment, normalized};
use crate::{filter, Path, Segment, SelectError};

/// Follows names and single indexes; `None` as soon as a step is missing.
/// Only called for reference paths, so other segments never occur.
pub(crate) fn walk_reference<'v>(segments: &[Segment], root: &'v Json) -> Option<&'v Json> {
    let mut cur = root;
    for seg in segments {
        cur = step_definite(seg, cur)?;
    }
    Some(cur)
}

/// One name or index step.
fn step_definite<'v>(seg: &Segment, v: &'v Json) -> Option<&'v Json> {
    match (seg, v) {
        (Segment::Field(name), Json::Object(map)) => map.get(name),
        (Segment::Index(i), Json::Array(items)) => {
            resolve_index(*i, items.len()).map(|i| &items[i])
        }
        _ => None,
    }
}

/// A possibly negative index into `len` elements, if it is in range.
pub(crate) fn resolve_index(i: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if i < 0 { len.checked_add(i)? } else { i };
    (0..len).contains(&i).then_some(i as usize)
}

/// A reference path ending in `['a','b']`: one object holding the names that are present.
pub(crate) fn select_merged(path: &Path, root: &Json) -> Result<Json, SelectError> {
    let segments = path.segments();
    let Some((Segment::Fields(names), parent)) = segments.split_last() else {
        return Err(diagnose(path, root));
    };
    let Some(parent_value) = walk_reference(parent, root) else {
        return Err(diagnose(path, root));
    };
    match parent_value {
        Json::Object(map) => Ok(Json::Object(merge(map, names))),
        found => Err(SelectError::NotAnObject {
            normalized: path.normalized(),
            prefix: normalized(parent),
            property: fragment(&segments[parent.len()]),
            found: Box::new(found.clone()),
        }),
    }
}

/// The members of `map` named in `names`, in the order of `names`.
fn merge(map: &Object, names: &[String]) -> Object {
    names
        .iter()
        .filter_map(|n| map.get(n).map(|v| (n.as_str(), v.clone())))
        .collect()
}

/// Why a definite path selects nothing from `root`, as Jayway reports it: the first step
/// that fails decides.
pub(crate) fn diagnose(path: &Path, root: &Json) -> SelectError {
    let segments = path.segments();
    let whole = || path.normalized();
    let mut cur = root;
    for (i, seg) in segments.iter().enumerate() {
        let is_leaf = i + 1 == segments.len();
        match (seg, cur) {
            (Segment::Field(_) | Segment::Fields(_), Json::Object(_)) => {}
            (Segment::Field(_) | Segment::Fields(_), found) => {
                return SelectError::NotAnObject {
                    normalized: whole(),
                    prefix: normalized(&segments[..i]),
                    property: fragment(seg),
                    found: Box::new(found.clone()),
                }
            }
            (Segment::Index(_), Json::Array(_)) => {}
            (_, found) => {
                return SelectError::NotAnArray {
                    normalized: whole(),
                    prefix: normalized(&segments[..i]),
                    index: fragment(seg),
                    found: Box::new(found.clone()),
                }
            }
        }
        match step_definite(seg, cur) {
            Some(next) => cur = next,
            None if is_leaf || matches!(seg, Segment::Index(_)) => break,
            None => {
                return SelectError::MissingProperty {
                    normalized: whole(),
                    prefix: normalized(&segments[..=i]),
                }
            }
        }
    }
    SelectError::NoResults {
        normalized: whole(),
    }
}

/// Every match of `segments` from `root`, in Jayway's order.
pub(crate) fn select_all<'v>(segments: &'v [Segment], root: &'v Json) -> Vec<Cow<'v, Json>> {
    let mut out = Vec::new();
    collect(segments, root, root, &mut out);
    out
}

/// A path inside a filter: `None` when a definite path selects nothing; an indefinite
/// path gives the array of its matches.
pub(crate) fn select_relative<'v>(
    segments: &'v [Segment],
    start: &'v Json,
    root: &'v Json,
) -> Option<Cow<'v, Json>> {
    let definite = segments
        .iter()
        .all(|s| matches!(s, Segment::Field(_) | Segment::Index(_)));
    if definite {
        return walk_reference(segments, start).map(Cow::Borrowed);
    }
    let mut out = Vec::new();
    collect(segments, start, root, &mut out);
    let merged_leaf = matches!(segments.last(), Some(Segment::Fields(_)))
        && segments[..segments.len() - 1]
            .iter()
            .all(|s| matches!(s, Segment::Field(_) | Segment::Index(_)));
    if merged_leaf {
        return out.pop();
    }
    Some(Cow::Owned(Json::Array(
        out.into_iter().map(Cow::into_owned).collect(),
    )))
}

/// Applies `segments` to `node`, pushing each match to `out`. Missing steps and type
/// mismatches contribute nothing (indefinite paths never fail).
fn collect<'v>(
    segments: &'v [Segment],
    node: &'v Json,
    root: &'v Json,
    out: &mut Vec<Cow<'v, Json>>,
) {
    let Some((seg, rest)) = segments.split_first() else {
        out.push(Cow::Borrowed(node));
        return;
    };
    match seg {
        Segment::Field(_) | Segment::Index(_) => {
            if let Some(next) = step_definite(seg, node) {
                collect(rest, next, root, out);
            }
        }
        Segment::Fields(names) => collect_fields(names, rest, node, root, out),
        Segment::Indexes(list) => {
            if let Json::Array(items) = node {
                for &i in list {
                    if let Some(i) = resolve_index(i, items.len()) {
                        collect(rest, &items[i], root, out);
                    }
                }
            }
        }
        Segment::Slice { start, end, step } => {
            if let Json::Array(items) = node {
                for i in slice_indexes(*start, *end, *step, items.len()) {
                    collect(rest, &items[i], root, out);
                }
            }
        }
        Segment::Wildcard => {
            for child in children(node) {
                collect(rest, child, root, out);
            }
        }
        Segment::Descendant => {
            if let Some((target, after)) = rest.split_first() {
                descend(target, after, rest, node, root, out);
            }
        }
        Segment::Filter(expr) => match node {
            Json::Object(_) if filter::accepts(expr, node, root) => collect(rest, node, root, out),
            Json::Array(items) => {
                for item in items.iter().filter(|i| filter::accepts(expr, i, root)) {
                    collect(rest, item, root, out);
                }
            }
            _ => {}
        },
    }
}

/// `['a','b']`: as the last step, one merged object; otherwise each present name in turn.
fn collect_fields<'v>(
    names: &'v [String],
    rest: &'v [Segment],
    node: &'v Json,
    root: &'v Json,
    out: &mut Vec<Cow<'v, Json>>,
) {
    let Json::Object(map) = node else {
        return;
    };
    if rest.is_empty() {
        out.push(Cow::Owned(Json::Object(merge(map, names))));
        return;
    }
    for name in names {
        if let Some(v) = map.get(name) {
            collect(rest, v, root, out);
        }
    }
}

/// The members of an object or the elements of an array, in document order.
fn children(node: &Json) -> Box<dyn Iterator<Item = &Json> + '_> {
    match node {
        Json::Object(map) => Box::new(map.values()),
        Json::Array(items) => Box::new(items.iter()),
        _ => Box::new(std::iter::empty()),
    }
}

/// Jayway's scan (`..target after`): at each container, pre-order, apply the target when
/// the container can match it, then descend into the children.
///
/// Jayway's quirk, kept: at an array whose target is not the last step, the steps *after*
/// the target are applied to every element (`$..[0].x` behaves like `$..[*].x`).
fn descend<'v>(
    target: &'v Segment,
    after: &'v [Segment],
    from_target: &'v [Segment],
    node: &'v Json,
    root: &'v Json,
    out: &mut Vec<Cow<'v, Json>>,
) {
    match node {
        Json::Object(map) => {
            if scan_matches(target, after.is_empty(), node, root) {
                collect(from_target, node, root, out);
            }
            for child in map.values() {
                descend(target, after, from_target, child, root, out);
            }
        }
        Json::Array(items) => {
            if scan_matches(target, after.is_empty(), node, root) {
                if after.is_empty() {
                    collect(from_target, node, root, out);
                } else {
                    for item in items {
                        collect(after, item, root, out);
                    }
                }
            }
            for child in items {
                descend(target, after, from_target, child, root, out);
            }
        }
        _ => {}
    }
}

/// Jayway's scan predicates: whether the scan applies its target at `node`.
fn scan_matches(target: &Segment, is_leaf: bool, node: &Json, root: &Json) -> bool {
    match target {
        Segment::Field(name) => node.as_object().is_some_and(|m| m.contains_key(name)),
        Segment::Fields(names) if is_leaf => node
            .as_object()
            .is_some_and(|m| names.iter().all(|n| m.contains_key(n))),
        Segment::Fields(_) => node.is_object(),
        Segment::Index(_) | Segment::Indexes(_) | Segment::Slice { .. } => node.is_array(),
        Segment::Wildcard => true,
        Segment::Filter(expr) => filter::accepts(expr, node, root),
        Segment::Descendant => false,
    }
}

/// The indexes a slice selects from `len` elements (Python semantics, positive step).
fn slice_indexes(
    start: Option<i64>,
    end: Option<i64>,
    step: Option<i64>,
    len: usize,
) -> impl Iterator<Item = usize> {
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    let clamp = |i: i64| {
        if i < 0 {
            (n.saturating_add(i)).max(0)
        } else {
            i.min(n)
        }
    };
    let from = start.map_or(0, clamp);
    let to = end.map_or(n, clamp);
    let step = step.unwrap_or(1).max(1);
    (from..to.max(from))
        .step_by(usize::try_from(step).unwrap_or(usize::MAX))
        .map(|i| i as usize)
}
