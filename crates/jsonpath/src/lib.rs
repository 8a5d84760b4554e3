//! JSONPath as the Amazon States Language uses it.
//!
//! AWS evaluates paths with Jayway JSONPath, with rules of its own on top: a *definite* path
//! (names and single indexes) selects exactly one value and a missing value is an error; any
//! other path (`[*]`, `..`, slices, filters, unions) selects a list of matches, and never fails.
//! ResultPath writes a value into a document at a reference path, creating objects on the way.
//!
//! A path starts at one of three roots: `$` (the state's input), `$$` (the context object) or
//! `$name` (a variable, for workflows that use `Assign`). The caller supplies the root value;
//! this crate only parses and walks.
//!
//! The crate is split by concept: `parse` turns text into [`Segment`]s,
//! `filter` holds `[?(...)]` expressions, `select` walks a document, `normalize` renders
//! Jayway's normalised form for error texts and `write` implements ResultPath.

use std::borrow::Cow;

use switchback_json::Json;

mod error;
mod filter;
mod normalize;
mod parse;
mod select;
mod write;

pub use error::{ParseError, SelectError, WriteError};
pub use filter::{CmpOp, FilterExpr, Operand};

/// Where a path starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// `$`: the effective input of the state.
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: the variable `name`.
    Variable(String),
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name` or `['name']`.
    Field(String),
    /// `[3]` or `[-1]`: negative indexes count from the end.
    Index(i64),
    /// `['a','b']`. As the last step, Jayway merges the present names into one object
    /// (and counts the path as definite); elsewhere each name is a separate match.
    Fields(Vec<String>),
    /// `[0,2]`: each index that exists, in the order written.
    Indexes(Vec<i64>),
    /// `[start:end]` or `[start:end:step]` (Python semantics; `step` > 0).
    Slice {
        /// First index (negative counts from the end); `None` is 0.
        start: Option<i64>,
        /// One past the last index (negative counts from the end); `None` is the length.
        end: Option<i64>,
        /// Stride; `None` is 1. An extension: Jayway has no step.
        step: Option<i64>,
    },
    /// `.*` or `[*]`: every member of an object or element of an array.
    Wildcard,
    /// `..`: the next segment applied at every depth (always followed by a segment).
    Descendant,
    /// `[?(...)]`: the elements of an array (or an object itself) that satisfy the filter.
    Filter(Box<FilterExpr>),
}

/// A parsed JSONPath, ready to be evaluated many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    source: String,
    root: Root,
    segments: Vec<Segment>,
    shape: Shape,
}

/// What kind of result a path gives; computed once at parse time so selection only branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Names and single indexes only: at most one value, borrowable.
    Reference,
    /// A reference path ending in a multi-name union: Jayway merges into one new object.
    MergedLeaf,
    /// Anything else: a list of matches.
    Indefinite,
}

impl Path {
    /// Parses `src`. Accepts everything AWS (Jayway) accepts in a path field; never panics.
    pub fn parse(src: &str) -> Result<Path, ParseError> {
        let (root, segments) = parse::parse_path(src)?;
        let shape = shape_of(&segments);
        Ok(Path {
            source: src.to_string(),
            root,
            segments,
            shape,
        })
    }

    /// The text the path was parsed from.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Where the path starts.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// The steps after the root.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// True for the bare root (`$`, `$$`, `$name`): selecting it returns the root unchanged.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// Jayway's "definite path": the path selects at most one value, and a missing value is
    /// an error. True for names and single indexes, and (as in Jayway) for a multi-name union
    /// `['a','b']` as the last step, which yields one merged object.
    pub fn is_definite(&self) -> bool {
        self.shape != Shape::Indefinite
    }

    /// The ASL "reference path": names and single indexes only. ResultPath, Choice
    /// `Variable` and the `*Path` fields of Wait/Map/Fail must be reference paths.
    pub fn is_reference(&self) -> bool {
        self.shape == Shape::Reference
    }

    /// Selects from `root` (the value of this path's [`Root`]).
    ///
    /// A definite path gives the one value it names, or an error saying why it is missing.
    /// Any other path gives an array of every match (possibly empty), never an error.
    pub fn select(&self, root: &Json) -> Result<Json, SelectError> {
        self.select_cow(root).map(Cow::into_owned)
    }

    /// Like [`Path::select`], but borrows from `root` whenever the result is one value of it
    /// (every reference path), so that callers only pay for a copy when they keep the value.
    pub fn select_cow<'v>(&self, root: &'v Json) -> Result<Cow<'v, Json>, SelectError> {
        match self.shape {
            Shape::Reference => match select::walk_reference(&self.segments, root) {
                Some(v) => Ok(Cow::Borrowed(v)),
                None => Err(select::diagnose(self, root)),
            },
            Shape::MergedLeaf => select::select_merged(self, root).map(Cow::Owned),
            Shape::Indefinite => Ok(Cow::Owned(Json::Array(
                select::select_all(&self.segments, root)
                    .into_iter()
                    .map(Cow::into_owned)
                    .collect(),
            ))),
        }
    }

    /// The value a reference path names, without copying or allocating.
    /// `None` for a missing value, or for a path that is not a reference path
    /// (use [`Path::select_cow`] for those).
    pub fn select_ref<'v>(&self, root: &'v Json) -> Option<&'v Json> {
        match self.shape {
            Shape::Reference => select::walk_reference(&self.segments, root),
            _ => None,
        }
    }

    /// Jayway's normalised form, as in its error texts: `$['a'][0]`, `$..['x']`, `$[*]`,
    /// `$[?]`. Always starts with `$`, whatever the root.
    pub fn normalized(&self) -> String {
        normalize::normalized(&self.segments)
    }

    /// ResultPath: returns `target` with `value` placed at this path (`$` replaces it whole).
    /// Missing objects on the way are created; an existing array element may be replaced.
    /// Takes both values by move so that nothing is copied.
    pub fn write(&self, mut target: Json, value: Json) -> Result<Json, WriteError> {
        self.write_in_place(&mut target, value)?;
        Ok(target)
    }

    /// Like [`Path::write`], in place. On error `target` is left unchanged, so the caller
    /// still has the state's input (for a Catcher, say) without having copied it.
    pub fn write_in_place(&self, target: &mut Json, value: Json) -> Result<(), WriteError> {
        write::write_in_place(self, target, value)
    }
}

/// Classifies segments once, at parse time.
fn shape_of(segments: &[Segment]) -> Shape {
    let simple = |s: &Segment| matches!(s, Segment::Field(_) | Segment::Index(_));
    match segments.split_last() {
        None => Shape::Reference,
        Some((last, rest)) if rest.iter().all(simple) => match last {
            s if simple(s) => Shape::Reference,
            Segment::Fields(_) => Shape::MergedLeaf,
            _ => Shape::Indefinite,
        },
        Some(_) => Shape::Indefinite,
    }
}
