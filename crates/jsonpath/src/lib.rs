//! JSONPath as the Amazon States Language uses it.
//!
//! AWS evaluates paths with Jayway JSONPath, with rules of its own on top: a *reference path*
//! (names and indexes only, "definite") selects exactly one value and a missing value is an
//! error; any other path (`[*]`, `..`, slices, filters, unions) selects a list of matches.
//! ResultPath writes a value into a document at a reference path, creating objects on the way.
//!
//! A path starts at one of three roots: `$` (the state's input), `$$` (the context object) or
//! `$name` (a variable, for workflows that use `Assign`). The caller supplies the root value;
//! this crate only parses and walks.
//!
//! STUB: the interface is fixed; the implementation below only handles dotted names and
//! indexes and is being replaced by the complete one.

use serde_json::Value;

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
    /// `[3]` or `[-1]`.
    Index(i64),
}

/// A parsed JSONPath, ready to be evaluated many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    source: String,
    root: Root,
    segments: Vec<Segment>,
}

/// Why a path could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, for a person.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for ParseError {}

/// Why a reference path selected nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectError {
    /// Jayway's "No results for path: $['a']['b']" (the whole path, normalised).
    NoResults { normalized: String },
}

/// Why ResultPath could not write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// Jayway's "Missing property in path $['a']": an intermediate step is not an object.
    MissingProperty { normalized: String },
    /// The path is not a reference path, or starts at `$$` or a variable.
    NotWritable,
}

impl Path {
    /// Parses `src`. Accepts everything AWS accepts in a path field.
    pub fn parse(src: &str) -> Result<Path, ParseError> {
        let (root, rest) = if let Some(r) = src.strip_prefix("$$") {
            (Root::Context, r)
        } else if let Some(r) = src.strip_prefix('$') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                (Root::Input, r)
            } else {
                (Root::Variable(r[..end].to_string()), &r[end..])
            }
        } else {
            return Err(ParseError {
                message: format!("'{src}' does not start with '$'"),
            });
        };
        let mut segments = Vec::new();
        for part in rest.split('.').skip(1) {
            segments.push(Segment::Field(part.to_string()));
        }
        Ok(Path {
            source: src.to_string(),
            root,
            segments,
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

    /// True for the bare root (`$`, `$$`, `$name`): selecting it returns the root unchanged.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// True when the path has only names and indexes, so that it selects at most one value.
    pub fn is_definite(&self) -> bool {
        true
    }

    /// Selects from `root` (the value of this path's [`Root`]).
    ///
    /// A definite path gives the one value it names, or `NoResults` when it is missing.
    /// Any other path gives an array of every match (possibly empty).
    pub fn select(&self, root: &Value) -> Result<Value, SelectError> {
        self.select_ref(root)
            .cloned()
            .ok_or_else(|| SelectError::NoResults {
                normalized: self.normalized(),
            })
    }

    /// Like [`Path::select`] for a definite path, without copying the value.
    /// `None` for a missing value, or for a path that is not definite.
    pub fn select_ref<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let mut cur = root;
        for seg in &self.segments {
            cur = match seg {
                Segment::Field(name) => cur.get(name.as_str())?,
                Segment::Index(i) => cur.get(usize::try_from(*i).ok()?)?,
            };
        }
        Some(cur)
    }

    /// Jayway's normalised form, `$['a'][0]`.
    pub fn normalized(&self) -> String {
        let mut s = String::from("$");
        for seg in &self.segments {
            match seg {
                Segment::Field(n) => s.push_str(&format!("['{n}']")),
                Segment::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }

    /// ResultPath: returns `target` with `value` placed at this path (`$` replaces it whole).
    /// Missing objects on the way are created.
    pub fn write(&self, target: Value, value: Value) -> Result<Value, WriteError> {
        if self.root != Root::Input {
            return Err(WriteError::NotWritable);
        }
        if self.segments.is_empty() {
            return Ok(value);
        }
        let mut target = target;
        let mut cur = &mut target;
        for (i, seg) in self.segments.iter().enumerate() {
            let last = i + 1 == self.segments.len();
            let Segment::Field(name) = seg else {
                return Err(WriteError::NotWritable);
            };
            if cur.is_null() {
                *cur = Value::Object(Default::default());
            }
            let Value::Object(map) = cur else {
                return Err(WriteError::MissingProperty {
                    normalized: self.normalized(),
                });
            };
            if last {
                map.insert(name.clone(), value);
                return Ok(target);
            }
            cur = map.entry(name.clone()).or_insert(Value::Null);
        }
        Ok(target)
    }
}
