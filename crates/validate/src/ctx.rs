//! The collector every check writes into, the path helpers, and the query language a state uses.

use std::collections::HashMap;

use crate::{codes, Fault};

/// Which language a state's expressions are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ql {
    JsonPath,
    Jsonata,
}

impl Ql {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Ql::JsonPath => "JSONPath",
            Ql::Jsonata => "JSONata",
        }
    }
}

/// Collects faults; carries what must be known across scopes.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub faults: Vec<Fault>,
    /// The machine's top-level query language. Nested states inherit this one, not the one
    /// declared on their Parallel or Map (AWS measures it that way).
    pub top_ql: Ql,
    /// Every state name seen so far, anywhere in the machine: names must be unique machine-wide.
    pub names: HashMap<String, String>,
}

impl Default for Ctx {
    fn default() -> Self {
        Ctx {
            faults: Vec::new(),
            top_ql: Ql::JsonPath,
            names: HashMap::new(),
        }
    }
}

impl Ctx {
    pub(crate) fn push(&mut self, path: &str, code: &str, message: impl Into<String>) {
        self.faults.push(Fault {
            path: path.to_string(),
            code: code.to_string(),
            message: message.into(),
        });
    }

    /// A SCHEMA_VALIDATION_FAILED fault, the code for every shape problem.
    pub(crate) fn schema(&mut self, path: &str, message: impl Into<String>) {
        self.push(path, codes::SCHEMA_VALIDATION_FAILED, message);
    }
}

/// `base/key`: the path of an object member.
pub(crate) fn key(base: &str, k: &str) -> String {
    format!("{base}/{k}")
}

/// `base[i]`: the path of an array element, as AWS writes it.
pub(crate) fn idx(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}
