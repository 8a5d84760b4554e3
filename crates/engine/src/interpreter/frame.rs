//! [`Frame`]: the state of one scope being run.

use std::cell::Cell;

use serde_json::{Map, Value};

use crate::vars::Vars;

/// One scope being run: its variables and its place in the history.
pub struct Frame {
    /// The variables this scope sees.
    pub vars: Vars,
    /// The last event of this frame's flow (a `Cell`: it moves on while expressions borrow
    /// the frame's variables).
    pub prev: Cell<u64>,
    /// Variables assigned by the state being run, for its `StateExited` event.
    pub assigned: Option<Box<Map<String, Value>>>,
    /// An upper bound of the size of the current state's input (compact JSON bytes), when
    /// known: the previous state's output was measured or bounded on its way out.
    pub input_size: Cell<Option<usize>>,
    /// An upper bound of the size of one output value (identified by its address), so that a
    /// ResultPath merge is checked from its parts instead of by walking the merged document.
    pub output_bound: Cell<Option<(usize, usize)>>,
}
